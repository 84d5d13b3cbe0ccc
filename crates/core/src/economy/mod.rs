//! The economy's pure derivations (DOMAIN.md section 10, issue 23): indicator definitions,
//! values per street and month with their revisions kept, and what the reports derive from
//! them: the year to date (1-N月), year-on-year growth, plan completion, and rank among the
//! district's streets by value, growth and completion (ties share a place: [`crate::rank`]);
//! key projects' milestones and roll-ups ([`project`]) and expropriation's steps, legal periods
//! and signing curves ([`expropriation`]).
//!
//! Amounts are integers in the indicator's smallest unit (fen for yuan: [`crate::money`]),
//! percentages exact hundredths ([`Percent`]): no figure passes through a float, so a figure
//! recounted by hand equals the one shown.

pub mod expropriation;
pub mod growth;
pub mod indicator;
pub mod month;
pub mod percent;
pub mod project;
pub mod series;

pub use growth::{Growth, completion, completion_text, growth};
pub use indicator::{Indicator, Reporting, Unit, seeded_indicators};
pub use month::Month;
pub use percent::Percent;
pub use series::{Basis, Comparison, Figure, Reading, RevisionError, Revisions, Series, Source};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::{Placed, rank_descending};

    fn places<V>(ranked: Vec<Placed<&str, V>>) -> Vec<(&str, Option<usize>)> {
        ranked.into_iter().map(|p| (p.key, p.rank)).collect()
    }

    /// A district of streets, each with 1-9月 tax this year and last (cumulative, 万元) and a
    /// plan: ranked by value, growth and completion, ties sharing a place.
    #[test]
    fn streets_rank_by_value_growth_and_completion_with_ties() {
        let september = Month::new(2017, 9).expect("month");
        let streets = [
            ("望江", 108_600, 68_747, 100_000),
            ("清波", 54_300, 34_373, 50_000),
            ("湖滨", 108_600, 90_000, 120_000),
            ("小营", 20_000, 0, 40_000),
        ];
        let series: Vec<(&str, Series, i64)> = streets
            .iter()
            .map(|(name, now, before, plan)| {
                let mut revisions = Revisions::new(Reporting::Cumulative);
                revisions.record(september.a_year_before(), *before);
                revisions.record(september, *now);
                (*name, revisions.current(), *plan)
            })
            .collect();
        let by_value = rank_descending(
            series
                .iter()
                .map(|(name, s, _)| (*name, s.year_to_date(september).map(|f| f.amount))),
        );
        assert_eq!(
            places(by_value),
            [
                ("望江", Some(1)),
                ("湖滨", Some(1)),
                ("清波", Some(3)),
                ("小营", Some(4))
            ]
        );
        let by_growth =
            rank_descending(series.iter().map(|(name, s, _)| {
                (*name, s.compare(september, Basis::YearToDate).growth.rate())
            }));
        // 望江 and 清波 both grew 57.97%; 小营 grew from zero and has no rate to rank.
        assert_eq!(
            places(by_growth),
            [
                ("望江", Some(1)),
                ("清波", Some(1)),
                ("湖滨", Some(3)),
                ("小营", None)
            ]
        );
        let by_completion = rank_descending(
            series
                .iter()
                .map(|(name, s, plan)| (*name, s.completion(september, *plan))),
        );
        assert_eq!(
            places(by_completion),
            [
                ("望江", Some(1)),
                ("清波", Some(1)),
                ("湖滨", Some(3)),
                ("小营", Some(4))
            ]
        );
    }
}
