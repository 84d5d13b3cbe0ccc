//! What each recorded change of a petition adds to the figures (信访统计), and the figures'
//! formulas. The store writes a change's tally into its rollups in the change's transaction and
//! folds every history through the same function to rebuild them, so "rollup = rebuild" is a
//! test. Counts fall on the day of what they count: volume, channels, classes, repeats and flags
//! on the day the petition was received; conclusions and 积案 on the day they happened.
//!
//! Formulas: 件数 = petitions received; 同比 = (this period − the same period last year) / the
//! same period last year; 重信重访率 = repeat petitions / 件数; 按期办结率 = concluded within
//! every period / concluded; 积案 open = marked − cleared.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::machine::Change;
use super::{Channel, Class, Flag, Level, Petition};

/// One counted thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Measure {
    /// 件数
    Volume,
    ByChannel(Channel),
    ByClass(Class),
    /// 重信重访
    Repeat,
    Flagged(Flag),
    /// 办结 (终结)
    Concluded,
    /// 按期办结
    ConcludedOnTime,
    /// 积案 marked, by level (`None`: the street's own)
    BacklogMarked(Option<Level>),
    /// 积案清零, by level
    BacklogCleared(Option<Level>),
}

impl Measure {
    /// The measure as stored: `volume`, `channel.letter`, `backlog_cleared.national`…
    pub fn code(self) -> String {
        let level = |level: Option<Level>| level.map_or("street", Level::as_str);
        match self {
            Measure::Volume => "volume".into(),
            Measure::ByChannel(channel) => format!("channel.{}", channel.as_str()),
            Measure::ByClass(class) => format!("class.{}", class.as_str()),
            Measure::Repeat => "repeat".into(),
            Measure::Flagged(flag) => format!("flag.{}", flag.as_str()),
            Measure::Concluded => "concluded".into(),
            Measure::ConcludedOnTime => "concluded_on_time".into(),
            Measure::BacklogMarked(l) => format!("backlog_marked.{}", level(l)),
            Measure::BacklogCleared(l) => format!("backlog_cleared.{}", level(l)),
        }
    }
}

/// One count: a measure, on the day of `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub measure: Measure,
    pub at: DateTime<Utc>,
}

/// What the change that left `after` as it stands, made at `at`, adds to the figures.
pub fn tally(after: &Petition, change: &Change, at: DateTime<Utc>) -> Vec<Tally> {
    let count = |measure| Tally { measure, at };
    match change {
        Change::Register { registration, .. } => {
            let mut counts = vec![
                count(Measure::Volume),
                count(Measure::ByChannel(registration.channel)),
                count(Measure::ByClass(registration.class)),
            ];
            if registration.repeat_of.is_some() {
                counts.push(count(Measure::Repeat));
            }
            counts.extend(
                registration
                    .flags
                    .iter()
                    .map(|flag| count(Measure::Flagged(*flag))),
            );
            counts
        }
        Change::Conclude { .. } | Change::AnswerReexamination { .. } => {
            let mut counts = vec![count(Measure::Concluded)];
            if after.on_time {
                counts.push(count(Measure::ConcludedOnTime));
            }
            counts
        }
        // A repeat counts with the petition's own cohort: the day it was received.
        Change::ConfirmRepeat { .. } => vec![Tally {
            measure: Measure::Repeat,
            at: after.received_at,
        }],
        Change::MarkBacklog { level, .. } => vec![count(Measure::BacklogMarked(*level))],
        Change::ClearBacklog { .. } => {
            let level = after.backlog.as_ref().and_then(|b| b.level);
            vec![count(Measure::BacklogCleared(level))]
        }
        _ => Vec::new(),
    }
}

/// The change against the same period last year, in hundredths of a per cent (−41.97% is
/// −4197), rounded half away from zero; `None` when last year had nothing.
pub fn year_on_year(this: i64, last: i64) -> Option<i64> {
    if last <= 0 {
        return None;
    }
    let numerator = (this - last) * 10_000;
    let half = last / 2;
    Some(if numerator >= 0 {
        (numerator + half) / last
    } else {
        (numerator - half) / last
    })
}

/// A share in hundredths of a per cent; `None` of nothing.
pub fn rate(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part * 10_000 + whole / 2) / whole)
}

/// Hundredths of a per cent as people read them: `-41.97%`.
pub fn percent_text(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let whole = hundredths.unsigned_abs();
    format!("{sign}{}.{:02}%", whole / 100, whole % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_reports_figures_come_out_as_they_were_published() {
        // "信访件同比下降41.97%" (古荡 2023): 193 last year, 112 this year.
        assert_eq!(year_on_year(112, 193), Some(-4197));
        assert_eq!(percent_text(-4197), "-41.97%");
        // "同比下降55%" (望江 2017): 11 trips to Beijing, 6 fewer.
        assert_eq!(year_on_year(5, 11).map(|bp| (bp - 50) / 100), Some(-55));
        assert_eq!(year_on_year(3, 0), None);
        assert_eq!(rate(1, 3), Some(3333));
        assert_eq!(percent_text(5), "0.05%");
    }

    proptest! {
        #[test]
        fn year_on_year_has_the_sign_of_the_change_and_undoes_itself(this in 0_i64..100_000, last in 1_i64..100_000) {
            let change = year_on_year(this, last).expect("last year had some");
            match this.cmp(&last) {
                std::cmp::Ordering::Greater => prop_assert!(change >= 0),
                std::cmp::Ordering::Less => prop_assert!(change <= 0),
                std::cmp::Ordering::Equal => prop_assert_eq!(change, 0),
            }
            // Within half a hundredth of a per cent of the exact share.
            let exact = (this - last) as f64 * 10_000.0 / last as f64;
            prop_assert!((change as f64 - exact).abs() <= 0.5 + 1e-9);
            prop_assert!(change >= -10_000);
        }

        #[test]
        fn a_rate_of_a_part_stays_within_a_hundred_per_cent(part in 0_i64..10_000, extra in 0_i64..10_000) {
            let share = rate(part, part + extra + 1).expect("some");
            prop_assert!((0..=10_000).contains(&share));
        }
    }
}
