//! Performance evaluation (绩效评价, DOMAIN.md section 5): the counts an evaluated object
//! (a region, a department, a grid worker) gathers over a period, the rates computed from them,
//! the composite score and its grade. Pure arithmetic: where the counts come from (rollups kept
//! with every case change) is the store's business.
//!
//! A rate with nothing in its denominator is *not applicable*, never 0% or 100%. Counts add up,
//! so a street's counts are the sum of its communities' and a quarter's the sum of its months';
//! rates are always computed from summed counts, never averaged.

pub mod period;
pub mod tally;

pub use period::{Period, PeriodKind};

use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};

/// Declares [`Counts`] once: its fields, their order (the rollup's columns) and their sum.
macro_rules! counts {
    ($($(#[doc = $doc:literal])* $field:ident,)*) => {
        /// What one object did over one period.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct Counts {
            $($(#[doc = $doc])* pub $field: u64,)*
        }

        impl Counts {
            /// The field names, in order: the rollup table's count columns.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// The locale key of each count's name (`count.<field>`), in the same order.
            pub const LABEL_KEYS: &'static [&'static str] =
                &[$(concat!("count.", stringify!($field))),*];

            /// The values in [`Counts::FIELDS`] order.
            pub fn values(&self) -> Vec<u64> {
                vec![$(self.$field),*]
            }

            /// The count called `field`, 0 for a name that is none.
            pub fn get(&self, field: &str) -> u64 {
                match field {
                    $(stringify!($field) => self.$field,)*
                    _ => 0,
                }
            }

            /// Counts from values in [`Counts::FIELDS`] order (missing ones are 0).
            pub fn from_values(values: &[u64]) -> Counts {
                let mut values = values.iter().copied();
                Counts { $($field: values.next().unwrap_or(0),)* }
            }
        }

        impl AddAssign for Counts {
            fn add_assign(&mut self, other: Counts) {
                $(self.$field += other.$field;)*
            }
        }
    };
}

counts! {
    /// 受理数: reports taken.
    accepted,
    /// 立案数
    filed,
    /// 派遣数
    dispatched,
    /// 应结案数: cases due to be closed in the period (the denominator of closure).
    due,
    /// 结案数
    closed,
    /// 按期结案数
    closed_on_time,
    /// 返工数
    reworked,
    /// 应处置数
    handling_due,
    /// 按期处置数
    handled_on_time,
    /// 延期数
    extended,
    /// 挂账数
    parked,
    /// 作废数
    voided,
    /// 督办数
    supervised,
    /// Steps that ran past their deadline.
    overdue,
    /// 回访数
    rated,
    /// 满意
    satisfied,
    /// 基本满意
    fairly_satisfied,
    /// 网格员上报数
    reported,
    /// 有效上报数: grid workers' reports that were filed.
    valid_reported,
    /// 应核实数 (verifications done)
    verified,
    /// 按时核实数
    verified_on_time,
    /// 应核查数 (checks done)
    checked,
    /// 按时核查数
    checked_on_time,
    /// 返工案件数: cases sent back at least once, counted by the cohort of reports (the
    /// numerator of 返工率 taken over 立案数).
    reworked_cases,
}

impl Add for Counts {
    type Output = Counts;

    fn add(mut self, other: Counts) -> Counts {
        self += other;
        self
    }
}

impl std::iter::Sum for Counts {
    fn sum<I: Iterator<Item = Counts>>(iter: I) -> Counts {
        iter.fold(Counts::default(), Add::add)
    }
}

/// A rate as its two counts, so the figure can show what it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rate {
    pub numerator: u64,
    pub denominator: u64,
}

impl Rate {
    /// Per cent, or `None` when the denominator is empty (not applicable).
    pub fn percent(self) -> Option<f64> {
        #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        (self.denominator > 0).then(|| self.numerator as f64 * 100.0 / self.denominator as f64)
    }

    /// "96.72%", as the reports write it, or "—".
    pub fn text(self) -> String {
        self.percent()
            .map_or_else(|| "—".to_owned(), |p| format!("{p:.2}%"))
    }
}

/// The indicators of DOMAIN.md section 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Indicator {
    /// 立案率 = 立案数 / 受理数
    Filing,
    /// 派遣率 = 派遣数 / 立案数
    Dispatch,
    /// 结案率 = 结案数 / 应结案数
    Closure,
    /// 按期结案率 = 按期结案数 / 应结案数
    OnTimeClosure,
    /// 返工率 = 返工数 / 应结案数 (or 返工案件数 / 立案数, by configuration)
    Rework,
    /// 按期处置率 = 按期处置数 / 应处置数
    OnTimeHandling,
    /// 延期率 = 延期数 / 应处置数
    Extension,
    /// 满意率 = (满意 + 基本满意) / 回访数 (or 满意 only, by configuration)
    Satisfaction,
    /// 有效上报率 = 有效上报数 / 上报数 (grid workers)
    ValidReports,
    /// 按时核实率 = 按时核实数 / 核实数
    OnTimeVerification,
    /// 按时核查率 = 按时核查数 / 核查数
    OnTimeCheck,
}

impl Indicator {
    pub const ALL: [Indicator; 11] = [
        Indicator::Filing,
        Indicator::Dispatch,
        Indicator::Closure,
        Indicator::OnTimeClosure,
        Indicator::Rework,
        Indicator::OnTimeHandling,
        Indicator::Extension,
        Indicator::Satisfaction,
        Indicator::ValidReports,
        Indicator::OnTimeVerification,
        Indicator::OnTimeCheck,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::Filing => "filing",
            Indicator::Dispatch => "dispatch",
            Indicator::Closure => "closure",
            Indicator::OnTimeClosure => "on_time_closure",
            Indicator::Rework => "rework",
            Indicator::OnTimeHandling => "on_time_handling",
            Indicator::Extension => "extension",
            Indicator::Satisfaction => "satisfaction",
            Indicator::ValidReports => "valid_reports",
            Indicator::OnTimeVerification => "on_time_verification",
            Indicator::OnTimeCheck => "on_time_check",
        }
    }

    pub fn parse(text: &str) -> Option<Indicator> {
        Indicator::ALL.into_iter().find(|i| i.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Indicator::Filing => "indicator.filing",
            Indicator::Dispatch => "indicator.dispatch",
            Indicator::Closure => "indicator.closure",
            Indicator::OnTimeClosure => "indicator.on_time_closure",
            Indicator::Rework => "indicator.rework",
            Indicator::OnTimeHandling => "indicator.on_time_handling",
            Indicator::Extension => "indicator.extension",
            Indicator::Satisfaction => "indicator.satisfaction",
            Indicator::ValidReports => "indicator.valid_reports",
            Indicator::OnTimeVerification => "indicator.on_time_verification",
            Indicator::OnTimeCheck => "indicator.on_time_check",
        }
    }

    /// The formula under `rules`: the counts summed above the line, and the count below it
    /// (names from [`Counts::FIELDS`]).
    pub fn terms(self, rules: &Rules) -> (&'static [&'static str], &'static str) {
        match self {
            Indicator::Filing => (&["filed"], "accepted"),
            Indicator::Dispatch => (&["dispatched"], "filed"),
            Indicator::Closure => (&["closed"], "due"),
            Indicator::OnTimeClosure => (&["closed_on_time"], "due"),
            Indicator::Rework => match rules.rework_base {
                ReworkBase::Due => (&["reworked"], "due"),
                ReworkBase::Filed => (&["reworked_cases"], "filed"),
            },
            Indicator::OnTimeHandling => (&["handled_on_time"], "handling_due"),
            Indicator::Extension => (&["extended"], "handling_due"),
            Indicator::Satisfaction if rules.fairly_satisfied_counts => {
                (&["satisfied", "fairly_satisfied"], "rated")
            }
            Indicator::Satisfaction => (&["satisfied"], "rated"),
            Indicator::ValidReports => (&["valid_reported"], "reported"),
            Indicator::OnTimeVerification => (&["verified_on_time"], "verified"),
            Indicator::OnTimeCheck => (&["checked_on_time"], "checked"),
        }
    }

    /// The indicator computed from `counts` under `rules`.
    pub fn rate(self, counts: &Counts, rules: &Rules) -> Rate {
        let (above, below) = self.terms(rules);
        Rate {
            numerator: above.iter().map(|field| counts.get(field)).sum(),
            denominator: counts.get(below),
        }
    }
}

/// What the rework rate is taken over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReworkBase {
    Due,
    Filed,
}

/// A grade (等次) from a composite score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
    E,
}

/// The configurable parts of evaluation, with DOMAIN.md's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    pub fairly_satisfied_counts: bool,
    pub rework_base: ReworkBase,
    /// Composite weights: closure, on-time handling, (1 - rework), volume.
    pub weights: [f64; 4],
    /// Lowest scores of A, B, C, D; below D is E.
    pub bands: [f64; 4],
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            fairly_satisfied_counts: true,
            rework_base: ReworkBase::Due,
            weights: [30.0, 30.0, 30.0, 10.0],
            bands: [90.0, 75.0, 60.0, 40.0],
        }
    }
}

impl Rules {
    /// The composite score (department example of DOMAIN.md): closure, on-time handling and
    /// the complement of rework weighted, plus `volume` (0 to 1: the object's share of the
    /// busiest object's volume) times its weight. `None` when nothing was due to be closed or
    /// handled: there is nothing to score.
    pub fn composite(&self, counts: &Counts, volume: f64) -> Option<f64> {
        let closure = Indicator::Closure.rate(counts, self).percent()?;
        let handling = Indicator::OnTimeHandling.rate(counts, self).percent()?;
        let rework = Indicator::Rework
            .rate(counts, self)
            .percent()
            .unwrap_or(0.0);
        let [w_closure, w_handling, w_rework, w_volume] = self.weights;
        Some(
            (closure * w_closure + handling * w_handling + (100.0 - rework.min(100.0)) * w_rework)
                / 100.0
                + volume.clamp(0.0, 1.0) * w_volume,
        )
    }

    pub fn grade(&self, score: f64) -> Grade {
        let [a, b, c, d] = self.bands;
        match score {
            s if s >= a => Grade::A,
            s if s >= b => Grade::B,
            s if s >= c => Grade::C,
            s if s >= d => Grade::D,
            _ => Grade::E,
        }
    }
}

/// One evaluated object with its score, grade and place.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked<K> {
    pub key: K,
    pub counts: Counts,
    /// `None` when nothing was due: the object is listed, unranked.
    pub score: Option<f64>,
    pub grade: Option<Grade>,
    /// 1 for the best; objects with equal scores (to two decimals) share a place.
    pub rank: Option<usize>,
}

impl Rules {
    /// Scores, grades and ranks `objects`, best first, the unscored last. The volume part of
    /// the score is each object's 结案数 as a share of the busiest object's.
    pub fn rank<K>(&self, objects: Vec<(K, Counts)>) -> Vec<Ranked<K>> {
        let busiest = objects.iter().map(|(_, c)| c.closed).max().unwrap_or(0);
        let mut ranked: Vec<Ranked<K>> = objects
            .into_iter()
            .map(|(key, counts)| {
                #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
                let volume = if busiest == 0 {
                    0.0
                } else {
                    counts.closed as f64 / busiest as f64
                };
                let score = self.composite(&counts, volume).map(hundredths);
                Ranked {
                    key,
                    counts,
                    score,
                    grade: score.map(|s| self.grade(s)),
                    rank: None,
                }
            })
            .collect();
        ranked.sort_by(|a, b| match (a.score, b.score) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        // The scored come first; they share places by competition ranking.
        let scores: Vec<f64> = ranked.iter().map_while(|r| r.score).collect();
        for (object, place) in ranked.iter_mut().zip(crate::rank::places(&scores)) {
            object.rank = Some(place);
        }
        ranked
    }
}

/// A score as published: rounded to two decimals.
fn hundredths(score: f64) -> f64 {
    (score * 100.0).round() / 100.0
}

/// 红黑榜: the best ranked objects (红榜) and the worst (黑榜, worst first), `n` of each, or
/// half of the scored each (rounded down) when fewer than `2n` are scored, so no object is on
/// both. Tied objects share a list or neither is listed: an object is on the red list when
/// fewer than `each` objects score better than it and none of its equals is on the black
/// list, and the other way round (so a list may hold more than `each` when the last place is
/// shared, or fewer when a shared place straddles the line). Only scored objects appear.
pub fn red_and_black<K>(ranked: &[Ranked<K>], n: usize) -> (Vec<&Ranked<K>>, Vec<&Ranked<K>>) {
    let scored: Vec<(&Ranked<K>, f64)> = ranked
        .iter()
        .filter_map(|r| r.score.map(|s| (r, s)))
        .collect();
    let each = lists_take(n, scored.len());
    let better = |score: f64| scored.iter().filter(|(_, s)| *s > score).count();
    let worse = |score: f64| scored.iter().filter(|(_, s)| *s < score).count();
    let on_red = |score: f64| better(score) < each;
    let on_black = |score: f64| worse(score) < each;
    let red = scored
        .iter()
        .filter(|(_, s)| on_red(*s) && !on_black(*s))
        .map(|(r, _)| *r)
        .collect();
    let mut black: Vec<(&Ranked<K>, f64)> = scored
        .iter()
        .filter(|(_, s)| on_black(*s) && !on_red(*s))
        .copied()
        .collect();
    black.sort_by(|a, b| a.1.total_cmp(&b.1));
    (red, black.into_iter().map(|(r, _)| r).collect())
}

/// How many places each of the red and black lists takes among `scored` objects: `n`, or half
/// of them (rounded down) when fewer than `2n` are scored.
pub fn lists_take(n: usize, scored: usize) -> usize {
    n.min(scored / 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn counts() -> impl Strategy<Value = Counts> {
        (0_u64..500, 0_u64..500, 0_u64..500, 0_u64..500).prop_flat_map(
            |(accepted, due, handling_due, rated)| {
                (
                    0..=accepted,
                    0..=due,
                    0..=handling_due,
                    0..=rated,
                    Just((accepted, due, handling_due, rated)),
                )
                    .prop_flat_map(|(filed, closed, handled, satisfied, totals)| {
                        (
                            Just((filed, closed, handled, satisfied, totals)),
                            0..=filed,
                            0..=closed,
                            0..=closed,
                            0..=handled,
                            0..=(totals.3 - satisfied),
                        )
                    })
                    .prop_map(
                        |(
                            (
                                filed,
                                closed,
                                handled,
                                satisfied,
                                (accepted, due, handling_due, rated),
                            ),
                            dispatched,
                            on_time,
                            reworked,
                            extended,
                            fairly,
                        )| Counts {
                            accepted,
                            filed,
                            dispatched,
                            due,
                            closed,
                            closed_on_time: on_time,
                            reworked,
                            handling_due,
                            handled_on_time: handled,
                            extended,
                            rated,
                            satisfied,
                            fairly_satisfied: fairly,
                            ..Counts::default()
                        },
                    )
            },
        )
    }

    #[test]
    fn the_reports_figures_come_out_to_two_decimals() {
        let counts = Counts {
            rated: 3_049,
            satisfied: 2_800,
            fairly_satisfied: 149,
            ..Counts::default()
        };
        let rules = Rules::default();
        assert_eq!(
            Indicator::Satisfaction.rate(&counts, &rules).text(),
            "96.72%"
        );
        let strict = Rules {
            fairly_satisfied_counts: false,
            ..Rules::default()
        };
        assert_eq!(
            Indicator::Satisfaction.rate(&counts, &strict).text(),
            "91.83%"
        );
    }

    #[test]
    fn empty_periods_are_not_applicable_not_zero_or_full() {
        let rules = Rules::default();
        for indicator in Indicator::ALL {
            let rate = indicator.rate(&Counts::default(), &rules);
            assert_eq!(rate.percent(), None, "{indicator:?}");
            assert_eq!(rate.text(), "—");
        }
        assert_eq!(rules.composite(&Counts::default(), 1.0), None);
    }

    #[test]
    fn every_formula_names_real_counts() {
        for rules in [
            Rules::default(),
            Rules {
                fairly_satisfied_counts: false,
                rework_base: ReworkBase::Filed,
                ..Rules::default()
            },
        ] {
            for indicator in Indicator::ALL {
                let (above, below) = indicator.terms(&rules);
                for name in above.iter().chain([&below]) {
                    assert!(Counts::FIELDS.contains(name), "{indicator:?}: {name}");
                }
            }
        }
        let counts = Counts {
            filed: 10,
            due: 4,
            reworked: 2,
            reworked_cases: 2,
            ..Counts::default()
        };
        let by_filed = Rules {
            rework_base: ReworkBase::Filed,
            ..Rules::default()
        };
        assert_eq!(
            Indicator::Rework.rate(&counts, &Rules::default()).text(),
            "50.00%"
        );
        assert_eq!(Indicator::Rework.rate(&counts, &by_filed).text(), "20.00%");
    }

    #[test]
    fn a_department_example_scores_and_ranks() {
        let rules = Rules::default();
        let good = Counts {
            due: 100,
            closed: 98,
            handling_due: 100,
            handled_on_time: 95,
            reworked: 2,
            ..Counts::default()
        };
        let poor = Counts {
            due: 50,
            closed: 30,
            handling_due: 50,
            handled_on_time: 20,
            reworked: 10,
            ..Counts::default()
        };
        // 98×0.3 + 95×0.3 + 98×0.3 + 10 (the busiest) = 97.30; 60×0.3 + 40×0.3 + 80×0.3 +
        // 30/98×10 = 57.06.
        let ranked = rules.rank(vec![
            ("poor", poor),
            ("idle", Counts::default()),
            ("good", good),
        ]);
        let places: Vec<_> = ranked
            .iter()
            .map(|r| (r.key, r.score, r.grade, r.rank))
            .collect();
        assert_eq!(
            places,
            vec![
                ("good", Some(97.3), Some(Grade::A), Some(1)),
                ("poor", Some(57.06), Some(Grade::D), Some(2)),
                ("idle", None, None, None),
            ]
        );
        let (red, black) = red_and_black(&ranked, 3);
        assert_eq!((red[0].key, black[0].key), ("good", "poor"));
    }

    #[test]
    fn tied_units_share_a_list_or_neither_is_listed() {
        let scored = |key: &'static str, score: f64| Ranked {
            key,
            counts: Counts::default(),
            score: Some(score),
            grade: None,
            rank: None,
        };
        let keys =
            |list: Vec<&Ranked<&'static str>>| list.iter().map(|r| r.key).collect::<Vec<_>>();
        // Two tied at the top of four: both red (two places each side).
        let ranked = [
            scored("a", 90.0),
            scored("b", 90.0),
            scored("c", 80.0),
            scored("d", 70.0),
        ];
        let (red, black) = red_and_black(&ranked, 3);
        assert_eq!((keys(red), keys(black)), (vec!["a", "b"], vec!["d", "c"]));
        // A tie straddling the line between the lists: neither list takes it.
        let ranked = [
            scored("a", 90.0),
            scored("b", 80.0),
            scored("c", 80.0),
            scored("d", 70.0),
        ];
        let (red, black) = red_and_black(&ranked, 3);
        assert_eq!((keys(red), keys(black)), (vec!["a"], vec!["d"]));
        // Seven ranked, a shared third place: the red list holds four.
        let ranked = [
            scored("a", 99.0),
            scored("b", 98.0),
            scored("c", 97.0),
            scored("d", 97.0),
            scored("e", 60.0),
            scored("f", 50.0),
            scored("g", 40.0),
        ];
        let (red, black) = red_and_black(&ranked, 3);
        assert_eq!(
            (keys(red), keys(black)),
            (vec!["a", "b", "c", "d"], vec!["g", "f", "e"])
        );
        // All tied: nobody is better or worse, so nobody is listed.
        let ranked = [scored("a", 80.0), scored("b", 80.0)];
        let (red, black) = red_and_black(&ranked, 3);
        assert!(red.is_empty() && black.is_empty());
        assert_eq!(lists_take(3, 5), 2);
        assert_eq!(lists_take(3, 9), 3);
    }

    #[test]
    fn grades_follow_the_bands() {
        let rules = Rules::default();
        assert_eq!(rules.grade(95.0), Grade::A);
        assert_eq!(rules.grade(90.0), Grade::A);
        assert_eq!(rules.grade(89.99), Grade::B);
        assert_eq!(rules.grade(60.0), Grade::C);
        assert_eq!(rules.grade(40.0), Grade::D);
        assert_eq!(rules.grade(39.9), Grade::E);
    }

    proptest! {
        #[test]
        fn rates_lie_between_nought_and_a_hundred_when_they_apply(counts in counts()) {
            let rules = Rules::default();
            for indicator in Indicator::ALL {
                let rate = indicator.rate(&counts, &rules);
                match rate.percent() {
                    Some(p) => prop_assert!((0.0..=100.0).contains(&p), "{indicator:?} {p}"),
                    None => prop_assert_eq!(rate.denominator, 0),
                }
            }
        }

        #[test]
        fn summed_counts_give_the_pooled_rate_not_the_average(a in counts(), b in counts()) {
            let rules = Rules::default();
            let total = a + b;
            for indicator in Indicator::ALL {
                let (ra, rb, rt) = (
                    indicator.rate(&a, &rules),
                    indicator.rate(&b, &rules),
                    indicator.rate(&total, &rules),
                );
                prop_assert_eq!(rt.numerator, ra.numerator + rb.numerator);
                prop_assert_eq!(rt.denominator, ra.denominator + rb.denominator);
            }
            prop_assert_eq!([a, b].into_iter().sum::<Counts>(), total);
        }

        #[test]
        fn rankings_run_best_first_and_the_lists_never_meet(
            objects in proptest::collection::vec(counts(), 0..12),
        ) {
            let rules = Rules::default();
            let ranked = rules.rank(objects.into_iter().enumerate().collect());
            let scores: Vec<f64> = ranked.iter().filter_map(|r| r.score).collect();
            prop_assert!(scores.windows(2).all(|w| w[0] >= w[1]));
            let scored = scores.len();
            prop_assert!(ranked[..scored].iter().all(|r| r.rank.is_some()));
            prop_assert!(ranked[scored..].iter().all(|r| r.rank.is_none() && r.grade.is_none()));
            for pair in ranked[..scored].windows(2) {
                prop_assert_eq!(pair[0].rank == pair[1].rank, pair[0].score == pair[1].score);
            }
            let (red, black) = red_and_black(&ranked, 3);
            let each = lists_take(3, scored);
            for r in &red {
                prop_assert!(black.iter().all(|b| b.key != r.key));
            }
            // Tied objects share a list or neither is listed.
            let listed = |list: &[&Ranked<usize>], score: Option<f64>| {
                list.iter().filter(|r| r.score == score).count()
            };
            for object in &ranked[..scored] {
                let equals = ranked.iter().filter(|r| r.score == object.score).count();
                let (on_red, on_black) = (listed(&red, object.score), listed(&black, object.score));
                prop_assert!(on_red == 0 || on_red == equals);
                prop_assert!(on_black == 0 || on_black == equals);
            }
            // Each list holds the best (worst) places only, and never more than `each` places
            // unless the last one is shared.
            for r in &red {
                let better = ranked[..scored].iter().filter(|o| o.score > r.score).count();
                prop_assert!(better < each);
            }
            for b in &black {
                let worse = ranked[..scored].iter().filter(|o| o.score < b.score).count();
                prop_assert!(worse < each);
            }
            prop_assert!(black.windows(2).all(|w| w[0].score <= w[1].score));
        }

        #[test]
        fn composite_scores_stay_within_a_hundred_and_grade_monotonically(
            counts in counts(),
            volume in 0.0_f64..=1.0,
            other in 0.0_f64..=100.0,
        ) {
            let rules = Rules::default();
            if let Some(score) = rules.composite(&counts, volume) {
                prop_assert!((0.0..=100.0 + 1e-9).contains(&score), "{score}");
                let (high, low) = if score >= other { (score, other) } else { (other, score) };
                prop_assert!(rules.grade(high) <= rules.grade(low));
            }
        }
    }
}
