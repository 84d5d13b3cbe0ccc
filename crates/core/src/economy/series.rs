//! An indicator's values for one street, month by month, with every revision kept, and the
//! figures derived from them: the month's own value, the year to date (1-N月), growth over the
//! same period a year before and completion of the annual plan.
//!
//! A statistics office corrects its figures: a later correction of a month is a new version of
//! it, never an overwrite ([`Revisions`]). Every derived [`Figure`] lists the month versions it
//! was computed from, so a published figure says what it used, and correcting one month
//! changes exactly the figures that used that month.
//!
//! Whichever way the source reports, both ways are derived: from monthly values the year to
//! date is their sum from January; from cumulative values a month is its year to date less the
//! month before's (January's is its own). A figure is missing when any month it needs is.

use std::collections::BTreeMap;

use serde::Serialize;
use thiserror::Error;

use super::growth::{Growth, completion, growth};
use super::indicator::Reporting;
use super::month::Month;
use super::percent::Percent;

/// One month's value as recorded, at a version (1 first, each correction one more).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Reading {
    pub month: Month,
    pub version: u32,
    /// In the indicator's unit's smallest part, and in its reporting's sense (the month's
    /// own value, or the year to date).
    pub amount: i64,
}

/// A month at the version a figure used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Source {
    pub month: Month,
    pub version: u32,
}

/// A derived amount and the month versions it was computed from, in month order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Figure {
    pub amount: i64,
    pub sources: Vec<Source>,
}

impl Figure {
    fn of(reading: &Reading) -> Figure {
        Figure {
            amount: reading.amount,
            sources: vec![Source {
                month: reading.month,
                version: reading.version,
            }],
        }
    }

    fn combine(self, other: Figure, amount: i64) -> Figure {
        let mut sources = self.sources;
        sources.extend(other.sources);
        sources.sort_unstable();
        sources.dedup();
        Figure { amount, sources }
    }

    fn plus(self, other: Figure) -> Figure {
        let amount = self.amount.saturating_add(other.amount);
        self.combine(other, amount)
    }

    fn minus(self, other: Figure) -> Figure {
        let amount = self.amount.saturating_sub(other.amount);
        self.combine(other, amount)
    }

    /// Whether this figure used `month` (at any version).
    pub fn uses(&self, month: Month) -> bool {
        self.sources.iter().any(|s| s.month == month)
    }
}

/// What a figure is taken over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The month alone (当月).
    Month,
    /// January to the month (1-N月累计).
    YearToDate,
}

/// A figure beside the same figure a year before, and the growth between them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub current: Option<Figure>,
    pub previous: Option<Figure>,
    pub growth: Growth,
}

/// A reading that cannot join the others.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RevisionError {
    #[error("{month} already has a version {version}")]
    DuplicateVersion { month: Month, version: u32 },
    #[error("versions are numbered from 1")]
    VersionZero,
}

/// Every version recorded of one indicator for one street.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revisions {
    reporting: Reporting,
    /// Each month's versions, in version order.
    readings: BTreeMap<Month, Vec<Reading>>,
}

impl Revisions {
    pub fn new(reporting: Reporting) -> Revisions {
        Revisions {
            reporting,
            readings: BTreeMap::new(),
        }
    }

    /// Revisions from stored readings, in any order.
    pub fn from_readings(
        reporting: Reporting,
        readings: impl IntoIterator<Item = Reading>,
    ) -> Result<Revisions, RevisionError> {
        let mut revisions = Revisions::new(reporting);
        for reading in readings {
            revisions.insert(reading)?;
        }
        Ok(revisions)
    }

    pub fn reporting(&self) -> Reporting {
        self.reporting
    }

    /// Adds a stored reading.
    pub fn insert(&mut self, reading: Reading) -> Result<(), RevisionError> {
        if reading.version == 0 {
            return Err(RevisionError::VersionZero);
        }
        let versions = self.readings.entry(reading.month).or_default();
        match versions.binary_search_by_key(&reading.version, |r| r.version) {
            Ok(_) => Err(RevisionError::DuplicateVersion {
                month: reading.month,
                version: reading.version,
            }),
            Err(at) => {
                versions.insert(at, reading);
                Ok(())
            }
        }
    }

    /// Records a new value for `month`: its first version, or a correction one version past
    /// the latest.
    pub fn record(&mut self, month: Month, amount: i64) -> Reading {
        let versions = self.readings.entry(month).or_default();
        let version = versions.last().map_or(1, |r| r.version + 1);
        let reading = Reading {
            month,
            version,
            amount,
        };
        versions.push(reading);
        reading
    }

    /// The month's latest version.
    pub fn latest(&self, month: Month) -> Option<Reading> {
        self.readings.get(&month).and_then(|v| v.last()).copied()
    }

    /// Every version of the month, oldest first.
    pub fn history(&self, month: Month) -> &[Reading] {
        self.readings.get(&month).map_or(&[], Vec::as_slice)
    }

    /// The series of each month's latest version: what figures are computed from now.
    pub fn current(&self) -> Series {
        Series {
            reporting: self.reporting,
            readings: self
                .readings
                .iter()
                .filter_map(|(month, versions)| Some((*month, *versions.last()?)))
                .collect(),
        }
    }

    /// Whether every month `figure` used is still at the version it used.
    pub fn is_current(&self, figure: &Figure) -> bool {
        figure
            .sources
            .iter()
            .all(|s| self.latest(s.month).is_some_and(|r| r.version == s.version))
    }
}

/// One reading per month (the versions chosen), and the figures derived from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    reporting: Reporting,
    readings: BTreeMap<Month, Reading>,
}

impl Series {
    /// A series of the given readings (the last given for a month wins).
    pub fn from_readings(
        reporting: Reporting,
        readings: impl IntoIterator<Item = Reading>,
    ) -> Series {
        Series {
            reporting,
            readings: readings.into_iter().map(|r| (r.month, r)).collect(),
        }
    }

    fn reading(&self, month: Month) -> Option<Figure> {
        self.readings.get(&month).map(Figure::of)
    }

    /// The month's own value (当月数).
    pub fn monthly(&self, month: Month) -> Option<Figure> {
        match self.reporting {
            Reporting::Monthly => self.reading(month),
            Reporting::Cumulative => {
                let to_date = self.reading(month)?;
                match month.previous_in_year() {
                    None => Some(to_date),
                    Some(before) => Some(to_date.minus(self.reading(before)?)),
                }
            }
        }
    }

    /// January to the month (1-N月累计数).
    pub fn year_to_date(&self, month: Month) -> Option<Figure> {
        match self.reporting {
            Reporting::Cumulative => self.reading(month),
            Reporting::Monthly => month
                .year_to_date()
                .map(|m| self.reading(m))
                .reduce(|sum, next| Some(sum?.plus(next?)))
                .flatten(),
        }
    }

    pub fn figure(&self, month: Month, basis: Basis) -> Option<Figure> {
        match basis {
            Basis::Month => self.monthly(month),
            Basis::YearToDate => self.year_to_date(month),
        }
    }

    /// The figure against the same period a year before (同比).
    pub fn compare(&self, month: Month, basis: Basis) -> Comparison {
        let current = self.figure(month, basis);
        let previous = self.figure(month.a_year_before(), basis);
        Comparison {
            growth: growth(
                current.as_ref().map(|f| f.amount),
                previous.as_ref().map(|f| f.amount),
            ),
            current,
            previous,
        }
    }

    /// The year to date as a share of the year's plan `target` (完成年度计划).
    pub fn completion(&self, month: Month, target: i64) -> Option<Percent> {
        completion(self.year_to_date(month)?.amount, target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn month(year: i32, month: u32) -> Month {
        Month::new(year, month).expect("month")
    }

    fn series(reporting: Reporting, year: i32, amounts: &[Option<i64>]) -> Series {
        Series::from_readings(
            reporting,
            amounts.iter().zip(1..).filter_map(|(amount, m)| {
                Some(Reading {
                    month: month(year, m),
                    version: 1,
                    amount: (*amount)?,
                })
            }),
        )
    }

    #[test]
    fn the_year_to_date_and_the_month_from_either_reporting() {
        let monthly = series(Reporting::Monthly, 2017, &[Some(10), Some(20), Some(30)]);
        let to_date = monthly.year_to_date(month(2017, 3)).expect("all months");
        assert_eq!(to_date.amount, 60);
        assert_eq!(to_date.sources.len(), 3);
        let cumulative = series(Reporting::Cumulative, 2017, &[Some(10), Some(30), Some(60)]);
        let march = cumulative.monthly(month(2017, 3)).expect("two months");
        assert_eq!(march.amount, 30);
        assert_eq!(
            march.sources,
            [
                Source {
                    month: month(2017, 2),
                    version: 1
                },
                Source {
                    month: month(2017, 3),
                    version: 1
                }
            ]
        );
        assert_eq!(
            cumulative.monthly(month(2017, 1)).map(|f| f.amount),
            Some(10)
        );
    }

    #[test]
    fn a_missing_month_leaves_the_figures_that_need_it_missing() {
        let monthly = series(Reporting::Monthly, 2017, &[Some(10), None, Some(30)]);
        assert_eq!(
            monthly.year_to_date(month(2017, 1)).map(|f| f.amount),
            Some(10)
        );
        assert_eq!(monthly.year_to_date(month(2017, 3)), None);
        let cumulative = series(Reporting::Cumulative, 2017, &[Some(10), None, Some(60)]);
        assert_eq!(cumulative.monthly(month(2017, 3)), None);
        assert_eq!(
            cumulative.year_to_date(month(2017, 3)).map(|f| f.amount),
            Some(60)
        );
    }

    #[test]
    fn the_seed_figure_of_wangjiang() {
        // "1-9月，实现税收10.86亿元，同比增长57.97%": cumulative figures in fen.
        let mut revisions = Revisions::new(Reporting::Cumulative);
        revisions.record(month(2016, 9), 68_747_000_000);
        revisions.record(month(2017, 9), 108_600_000_000);
        let series = revisions.current();
        let comparison = series.compare(month(2017, 9), Basis::YearToDate);
        assert_eq!(
            comparison.growth,
            Growth::Rate(Percent::from_hundredths(5797))
        );
        assert_eq!(
            comparison.growth.text(crate::i18n::Lang::ZhCn),
            "同比增长57.97%"
        );
        assert_eq!(
            series.completion(month(2017, 9), 100_000_000_000),
            Some(Percent::from_hundredths(10860))
        );
    }

    #[test]
    fn a_correction_is_a_new_version_and_figures_say_which_they_used() {
        let mut revisions = Revisions::new(Reporting::Monthly);
        for m in 1..=3 {
            revisions.record(month(2017, m), 100);
        }
        let before = revisions
            .current()
            .year_to_date(month(2017, 3))
            .expect("figure");
        let correction = revisions.record(month(2017, 2), 150);
        assert_eq!(correction.version, 2);
        assert_eq!(revisions.history(month(2017, 2)).len(), 2);
        assert!(!revisions.is_current(&before));
        let after = revisions
            .current()
            .year_to_date(month(2017, 3))
            .expect("figure");
        assert_eq!((before.amount, after.amount), (300, 350));
        assert!(revisions.is_current(&after));
        assert!(after.sources.contains(&Source {
            month: month(2017, 2),
            version: 2
        }));
        let january = revisions
            .current()
            .year_to_date(month(2017, 1))
            .expect("figure");
        assert!(revisions.is_current(&january));
    }

    #[test]
    fn stored_readings_are_refused_twice_or_at_version_zero() {
        let reading = Reading {
            month: month(2017, 1),
            version: 1,
            amount: 5,
        };
        let twice = Revisions::from_readings(Reporting::Monthly, [reading, reading]);
        assert_eq!(
            twice,
            Err(RevisionError::DuplicateVersion {
                month: month(2017, 1),
                version: 1
            })
        );
        let zero = Reading {
            version: 0,
            ..reading
        };
        assert_eq!(
            Revisions::from_readings(Reporting::Monthly, [zero]),
            Err(RevisionError::VersionZero)
        );
        let out_of_order = Revisions::from_readings(
            Reporting::Monthly,
            [
                Reading {
                    version: 2,
                    amount: 7,
                    ..reading
                },
                reading,
            ],
        )
        .expect("any order");
        assert_eq!(
            out_of_order.latest(month(2017, 1)).map(|r| r.amount),
            Some(7)
        );
    }

    fn year_of_amounts() -> impl Strategy<Value = Vec<i64>> {
        proptest::collection::vec(-1_000_000_000_i64..100_000_000_000, 12)
    }

    /// The twelve figures of 2017 on `basis`.
    fn year_of(series: &Series, basis: Basis) -> Vec<Option<i64>> {
        (1..=12)
            .map(|m| series.figure(month(2017, m), basis).map(|f| f.amount))
            .collect()
    }

    /// Every figure a series gives for two years, keyed by what it is.
    fn all_figures(series: &Series) -> Vec<(String, Option<Figure>, Option<Growth>)> {
        let mut figures = Vec::new();
        for year in [2016, 2017] {
            for m in 1..=12 {
                let at = month(year, m);
                for basis in [Basis::Month, Basis::YearToDate] {
                    let comparison = series.compare(at, basis);
                    figures.push((format!("{at} {basis:?}"), comparison.current.clone(), None));
                    if year == 2017 {
                        let used: Vec<Source> = [&comparison.current, &comparison.previous]
                            .into_iter()
                            .flatten()
                            .flat_map(|f| f.sources.clone())
                            .collect();
                        figures.push((
                            format!("{at} {basis:?} growth"),
                            Some(Figure {
                                amount: 0,
                                sources: used,
                            }),
                            Some(comparison.growth),
                        ));
                    }
                }
            }
        }
        figures
    }

    proptest! {
        #[test]
        fn either_reporting_converts_to_the_other_and_back(
            cumulative in any::<bool>(),
            amounts in year_of_amounts(),
        ) {
            let (from, to, other_basis) = if cumulative {
                (Reporting::Cumulative, Reporting::Monthly, Basis::Month)
            } else {
                (Reporting::Monthly, Reporting::Cumulative, Basis::YearToDate)
            };
            let amounts: Vec<Option<i64>> = amounts.into_iter().map(Some).collect();
            let reported = series(from, 2017, &amounts);
            let converted = series(to, 2017, &year_of(&reported, other_basis));
            for basis in [Basis::Month, Basis::YearToDate] {
                prop_assert_eq!(year_of(&converted, basis), year_of(&reported, basis));
            }
        }

        #[test]
        fn a_corrected_month_changes_only_the_figures_that_use_it(
            cumulative in any::<bool>(),
            amounts in proptest::collection::vec(proptest::option::of(0_i64..1_000_000), 24),
            corrected in 0_usize..24,
            new_amount in 0_i64..1_000_000,
        ) {
            prop_assume!(amounts[corrected].is_some());
            let reporting = if cumulative { Reporting::Cumulative } else { Reporting::Monthly };
            let at = |index: usize| month(2016 + i32::try_from(index / 12).expect("small"), u32::try_from(index % 12 + 1).expect("small"));
            let mut revisions = Revisions::new(reporting);
            for (index, amount) in amounts.iter().enumerate() {
                if let Some(amount) = amount {
                    revisions.record(at(index), *amount);
                }
            }
            let before = all_figures(&revisions.current());
            let correction = revisions.record(at(corrected), new_amount);
            let after = all_figures(&revisions.current());
            for ((name, old, old_growth), (_, new, new_growth)) in before.iter().zip(&after) {
                let used = old.as_ref().is_some_and(|f| f.uses(correction.month));
                if used {
                    let figure = new.as_ref().expect("the same months are there");
                    prop_assert!(
                        figure.sources.contains(&Source { month: correction.month, version: correction.version }),
                        "{} does not use the correction", name
                    );
                    prop_assert!(revisions.is_current(figure), "{}", name);
                } else {
                    prop_assert_eq!(old, new, "{} changed without using {}", name, correction.month);
                    prop_assert_eq!(old_growth, new_growth, "{}", name);
                }
            }
        }
    }
}
