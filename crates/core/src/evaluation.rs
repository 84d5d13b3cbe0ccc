//! Performance evaluation (绩效评价, DOMAIN.md section 5): the counts an evaluated object
//! (a region, a department, a grid worker) gathers over a period, the rates computed from them,
//! the composite score and its grade. Pure arithmetic: where the counts come from (rollups kept
//! with every case change) is the store's business.
//!
//! A rate with nothing in its denominator is *not applicable*, never 0% or 100%. Counts add up,
//! so a street's counts are the sum of its communities' and a quarter's the sum of its months';
//! rates are always computed from summed counts, never averaged.

use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};

/// What one object did over one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// 受理数: reports taken.
    pub accepted: u64,
    /// 立案数
    pub filed: u64,
    /// 派遣数
    pub dispatched: u64,
    /// 应结案数: cases due to be closed in the period (the denominator of closure).
    pub due: u64,
    /// 结案数
    pub closed: u64,
    /// 按期结案数
    pub closed_on_time: u64,
    /// 返工数
    pub reworked: u64,
    /// 应处置数
    pub handling_due: u64,
    /// 按期处置数
    pub handled_on_time: u64,
    /// 延期数
    pub extended: u64,
    /// 挂账数
    pub parked: u64,
    /// 作废数
    pub voided: u64,
    /// 督办数
    pub supervised: u64,
    /// Steps that ran past their deadline.
    pub overdue: u64,
    /// 回访数
    pub rated: u64,
    /// 满意
    pub satisfied: u64,
    /// 基本满意
    pub fairly_satisfied: u64,
}

impl Add for Counts {
    type Output = Counts;

    fn add(mut self, other: Counts) -> Counts {
        self += other;
        self
    }
}

impl AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.accepted += other.accepted;
        self.filed += other.filed;
        self.dispatched += other.dispatched;
        self.due += other.due;
        self.closed += other.closed;
        self.closed_on_time += other.closed_on_time;
        self.reworked += other.reworked;
        self.handling_due += other.handling_due;
        self.handled_on_time += other.handled_on_time;
        self.extended += other.extended;
        self.parked += other.parked;
        self.voided += other.voided;
        self.supervised += other.supervised;
        self.overdue += other.overdue;
        self.rated += other.rated;
        self.satisfied += other.satisfied;
        self.fairly_satisfied += other.fairly_satisfied;
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
    /// 返工率 = 返工数 / 应结案数 (or / 立案数, by configuration)
    Rework,
    /// 按期处置率 = 按期处置数 / 应处置数
    OnTimeHandling,
    /// 延期率 = 延期数 / 应处置数
    Extension,
    /// 满意率 = (满意 + 基本满意) / 回访数 (or 满意 only, by configuration)
    Satisfaction,
}

impl Indicator {
    pub const ALL: [Indicator; 8] = [
        Indicator::Filing,
        Indicator::Dispatch,
        Indicator::Closure,
        Indicator::OnTimeClosure,
        Indicator::Rework,
        Indicator::OnTimeHandling,
        Indicator::Extension,
        Indicator::Satisfaction,
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
        }
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
        }
    }

    /// The indicator computed from `counts` under `rules`.
    pub fn rate(self, counts: &Counts, rules: &Rules) -> Rate {
        let (numerator, denominator) = match self {
            Indicator::Filing => (counts.filed, counts.accepted),
            Indicator::Dispatch => (counts.dispatched, counts.filed),
            Indicator::Closure => (counts.closed, counts.due),
            Indicator::OnTimeClosure => (counts.closed_on_time, counts.due),
            Indicator::Rework => (
                counts.reworked,
                match rules.rework_base {
                    ReworkBase::Due => counts.due,
                    ReworkBase::Filed => counts.filed,
                },
            ),
            Indicator::OnTimeHandling => (counts.handled_on_time, counts.handling_due),
            Indicator::Extension => (counts.extended, counts.handling_due),
            Indicator::Satisfaction => (
                if rules.fairly_satisfied_counts {
                    counts.satisfied + counts.fairly_satisfied
                } else {
                    counts.satisfied
                },
                counts.rated,
            ),
        };
        Rate {
            numerator,
            denominator,
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
