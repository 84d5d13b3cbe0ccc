//! Expropriation (征迁): the steps each household or enterprise of a parcel (地块) passes, the
//! legal periods of the Zhejiang rules (浙江省国有土地上房屋征收与补偿条例, 2020) that run on
//! the ledger's timers, when a parcel is cleared (清零), and the signing-rate curve drawn day by
//! day against the project's goals ("启动当天完成签约50%、一周完成签约80%、一月完成签约90%",
//! 望江 2017).

use chrono::NaiveDate;
use serde::Serialize;

use crate::calendar::TimeLimit;

use super::percent::Percent;

/// A household's or enterprise's step, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 入户调查 (调查登记, 浙江 art. 9).
    Survey,
    /// 评估 (浙江 art. 18-19).
    Assessment,
    /// 签约 (补偿协议, 浙江 art. 31).
    Signed,
    /// 腾空.
    Vacated,
    /// 拆除.
    Demolished,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Survey,
        Step::Assessment,
        Step::Signed,
        Step::Vacated,
        Step::Demolished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Survey => "survey",
            Step::Assessment => "assessment",
            Step::Signed => "signed",
            Step::Vacated => "vacated",
            Step::Demolished => "demolished",
        }
    }

    pub fn parse(text: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Step::Survey => "economy.step_survey",
            Step::Assessment => "economy.step_assessment",
            Step::Signed => "economy.step_signed",
            Step::Vacated => "economy.step_vacated",
            Step::Demolished => "economy.step_demolished",
        }
    }

    /// The step after this one.
    pub fn next(self) -> Option<Step> {
        Step::ALL.into_iter().find(|s| *s > self)
    }

    /// Whether the household has signed (or gone further): what the signing rate counts.
    pub fn has_signed(self) -> bool {
        self >= Step::Signed
    }
}

/// A unit (household or enterprise) moves one step at a time, never back: the step it may
/// move to from `from` (`None` for a unit not yet surveyed).
pub fn may_advance(from: Option<Step>, to: Step) -> bool {
    match from {
        None => to == Step::Survey,
        Some(from) => from.next() == Some(to),
    }
}

/// A parcel is cleared (清零) when it has units and every one is demolished.
pub fn is_cleared(steps: impl IntoIterator<Item = Option<Step>>) -> bool {
    let mut any = false;
    for step in steps {
        if step != Some(Step::Demolished) {
            return false;
        }
        any = true;
    }
    any
}

/// A period the law sets on the way to and through the agreements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalPeriod {
    /// 征收补偿方案征求意见 not less than 30 days (浙江 art. 11; 国务院条例 art. 10).
    PlanComments,
    /// 征收决定公告 within 7 days of the decision (浙江 art. 14).
    DecisionNotice,
    /// 评估机构 chosen by negotiation within 10 days of the notice, else by vote or lot
    /// (浙江 art. 18).
    AppraiserChoice,
    /// 复核评估 applied for within 10 days of receiving the report (浙江 art. 19 para. 1).
    ReviewAppraisal,
    /// 专家委员会鉴定 applied for within 10 days of the review's result (浙江 art. 19 para. 2).
    ExpertAppraisal,
    /// Views on the 补偿决定方案 and a choice of compensation within 15 days of its service
    /// (浙江 art. 32 para. 2).
    DecisionPlanViews,
}

impl LegalPeriod {
    pub const ALL: [LegalPeriod; 6] = [
        LegalPeriod::PlanComments,
        LegalPeriod::DecisionNotice,
        LegalPeriod::AppraiserChoice,
        LegalPeriod::ReviewAppraisal,
        LegalPeriod::ExpertAppraisal,
        LegalPeriod::DecisionPlanViews,
    ];

    /// The period: legal days, their last day moved off days off.
    pub fn limit(self) -> TimeLimit {
        TimeLimit::legal_days(match self {
            LegalPeriod::PlanComments => 30,
            LegalPeriod::DecisionNotice => 7,
            LegalPeriod::AppraiserChoice
            | LegalPeriod::ReviewAppraisal
            | LegalPeriod::ExpertAppraisal => 10,
            LegalPeriod::DecisionPlanViews => 15,
        })
    }

    /// A minimum (the comments must stay open at least this long) rather than a limit.
    pub fn is_minimum(self) -> bool {
        self == LegalPeriod::PlanComments
    }

    /// The article it comes from, as cited.
    pub fn article(self) -> &'static str {
        match self {
            LegalPeriod::PlanComments => "浙江省国有土地上房屋征收与补偿条例 第十一条",
            LegalPeriod::DecisionNotice => "浙江省国有土地上房屋征收与补偿条例 第十四条",
            LegalPeriod::AppraiserChoice => "浙江省国有土地上房屋征收与补偿条例 第十八条",
            LegalPeriod::ReviewAppraisal => "浙江省国有土地上房屋征收与补偿条例 第十九条第一款",
            LegalPeriod::ExpertAppraisal => "浙江省国有土地上房屋征收与补偿条例 第十九条第二款",
            LegalPeriod::DecisionPlanViews => "浙江省国有土地上房屋征收与补偿条例 第三十二条第二款",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            LegalPeriod::PlanComments => "economy.period_plan_comments",
            LegalPeriod::DecisionNotice => "economy.period_decision_notice",
            LegalPeriod::AppraiserChoice => "economy.period_appraiser_choice",
            LegalPeriod::ReviewAppraisal => "economy.period_review_appraisal",
            LegalPeriod::ExpertAppraisal => "economy.period_expert_appraisal",
            LegalPeriod::DecisionPlanViews => "economy.period_decision_plan_views",
        }
    }
}

/// A signing goal: `share` signed by the end of day `day` (day 1 is the day signing opens).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Goal {
    pub day: u32,
    pub share: Percent,
}

/// 望江 2017's goals: 50% on day one, 80% in a week, 90% in a month.
pub fn usual_goals() -> [Goal; 3] {
    [
        Goal {
            day: 1,
            share: Percent::from_hundredths(5_000),
        },
        Goal {
            day: 7,
            share: Percent::from_hundredths(8_000),
        },
        Goal {
            day: 30,
            share: Percent::from_hundredths(9_000),
        },
    ]
}

/// One day of the signing curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CurvePoint {
    /// 1 on the day signing opens.
    pub day: u32,
    pub date: NaiveDate,
    /// Units signed by the end of the day, all told.
    pub signed: u64,
    pub rate: Percent,
}

/// The signing curve from `opened` to `through`, day by day: `signed_on` holds the day each
/// signed unit signed (in any order), `total` the units of the project. Signatures before
/// `opened` count on day 1. Empty when `through` is before `opened`.
pub fn curve(
    opened: NaiveDate,
    through: NaiveDate,
    signed_on: &[NaiveDate],
    total: u64,
) -> Vec<CurvePoint> {
    let mut sorted: Vec<NaiveDate> = signed_on.to_vec();
    sorted.sort_unstable();
    let mut points = Vec::new();
    let mut counted = 0_usize;
    for (date, day) in opened
        .iter_days()
        .take_while(|d| *d <= through)
        .zip(1_u32..)
    {
        while sorted.get(counted).is_some_and(|d| *d <= date) {
            counted += 1;
        }
        let signed = u64::try_from(counted).unwrap_or(u64::MAX);
        points.push(CurvePoint {
            day,
            date,
            signed,
            rate: rate(signed, total),
        });
    }
    points
}

fn rate(part: u64, whole: u64) -> Percent {
    let part = i64::try_from(part).unwrap_or(i64::MAX);
    let whole = i64::try_from(whole).unwrap_or(i64::MAX);
    Percent::ratio(part, whole).unwrap_or(Percent::ZERO)
}

/// How a goal fared on the curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GoalOutcome {
    pub goal: Goal,
    /// The rate at the end of the goal's day; `None` when the curve has not reached it yet.
    pub reached: Option<Percent>,
    /// `Some(true)` met, `Some(false)` missed, `None` not yet due.
    pub met: Option<bool>,
}

/// Each goal against the curve.
pub fn against_goals(curve: &[CurvePoint], goals: &[Goal]) -> Vec<GoalOutcome> {
    goals
        .iter()
        .map(|goal| {
            let reached = curve.iter().find(|p| p.day == goal.day).map(|p| p.rate);
            GoalOutcome {
                goal: *goal,
                reached,
                met: reached.map(|r| r >= goal.share),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn units_move_one_step_at_a_time() {
        assert!(may_advance(None, Step::Survey));
        assert!(!may_advance(None, Step::Signed));
        assert!(may_advance(Some(Step::Assessment), Step::Signed));
        assert!(!may_advance(Some(Step::Survey), Step::Signed));
        assert!(!may_advance(Some(Step::Signed), Step::Assessment));
        assert!(!may_advance(Some(Step::Demolished), Step::Demolished));
        assert_eq!(Step::parse("vacated"), Some(Step::Vacated));
        assert!(Step::Vacated.has_signed() && !Step::Assessment.has_signed());
    }

    #[test]
    fn a_parcel_clears_when_every_unit_is_demolished() {
        assert!(is_cleared([Some(Step::Demolished), Some(Step::Demolished)]));
        assert!(!is_cleared([Some(Step::Demolished), Some(Step::Vacated)]));
        assert!(!is_cleared([Some(Step::Demolished), None]));
        assert!(!is_cleared([]));
    }

    #[test]
    fn the_zhejiang_periods() {
        assert_eq!(LegalPeriod::PlanComments.limit(), TimeLimit::legal_days(30));
        assert!(LegalPeriod::PlanComments.is_minimum());
        assert_eq!(
            LegalPeriod::ReviewAppraisal.limit(),
            TimeLimit::legal_days(10)
        );
        assert!(LegalPeriod::AppraiserChoice.article().ends_with("第十八条"));
        assert!(LegalPeriod::ALL.iter().filter(|p| p.is_minimum()).count() == 1);
    }

    #[test]
    fn the_curve_of_wangjiang_against_its_goals() {
        // 100 households: 55 sign on day one, 25 more by day 6, 8 more by day 20.
        let opened = day("2017-04-01");
        let mut signed = vec![opened; 55];
        signed.extend(vec![day("2017-04-06"); 25]);
        signed.extend(vec![day("2017-04-20"); 8]);
        let points = curve(opened, day("2017-05-10"), &signed, 100);
        assert_eq!(points.len(), 40);
        assert_eq!(points[0].signed, 55);
        assert_eq!(points[6].rate, Percent::from_hundredths(8_000));
        let outcomes = against_goals(&points, &usual_goals());
        let met: Vec<Option<bool>> = outcomes.iter().map(|o| o.met).collect();
        // 88% in a month misses 90%.
        assert_eq!(met, [Some(true), Some(true), Some(false)]);
        let early = against_goals(&points[..5], &usual_goals());
        assert_eq!(early[1].met, None);
    }

    proptest! {
        #[test]
        fn the_curve_rises_and_ends_at_the_count_signed(
            offsets in proptest::collection::vec(-3_i64..60, 0..200),
            extra in 0_u64..50,
            length in 0_i64..60,
        ) {
            let opened = day("2020-01-01");
            let through = opened + chrono::Duration::days(length);
            let signed: Vec<NaiveDate> =
                offsets.iter().map(|o| opened + chrono::Duration::days(*o)).collect();
            let total = u64::try_from(signed.len()).expect("small") + extra;
            let points = curve(opened, through, &signed, total);
            prop_assert_eq!(points.len(), usize::try_from(length + 1).expect("small"));
            for pair in points.windows(2) {
                prop_assert!(pair[0].signed <= pair[1].signed);
                prop_assert_eq!(pair[0].day + 1, pair[1].day);
            }
            let by_end = signed.iter().filter(|d| **d <= through).count();
            let last = points.last().expect("a day at least");
            prop_assert_eq!(last.signed, u64::try_from(by_end).expect("small"));
            prop_assert!(last.rate <= Percent::from_hundredths(10_000));
        }
    }
}
