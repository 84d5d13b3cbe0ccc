//! A place's three colours (三色预警) from its open hazards, and the 不放心单位 list. The rules and
//! each colour's response limit are configuration ([`ColourRules`]); the defaults: green with
//! nothing open, yellow with a general hazard open, red with a major one, an overdue one, a
//! general one open longer than a month, or three general ones at once.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Colour, Severity};

/// What the colour counts of one open hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenHazard {
    pub severity: Severity,
    pub found_on: NaiveDate,
    /// Past its rectification deadline.
    pub overdue: bool,
}

/// The colour rules, as configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColourRules {
    /// An open major hazard makes a place red.
    pub red_on_major: bool,
    /// An overdue hazard makes a place red.
    pub red_on_overdue: bool,
    /// This many open general hazards make a place red.
    pub red_at_general: u32,
    /// A general hazard open this many days makes a place red.
    pub red_after_days: u32,
    /// Days within which the street responds (re-inspects) to a place of each colour: yellow,
    /// red.
    pub respond_yellow_days: u32,
    pub respond_red_days: u32,
}

impl Default for ColourRules {
    fn default() -> ColourRules {
        ColourRules {
            red_on_major: true,
            red_on_overdue: true,
            red_at_general: 3,
            red_after_days: 30,
            respond_yellow_days: 15,
            respond_red_days: 3,
        }
    }
}

impl ColourRules {
    /// The colour of a place with `open` hazards on `today`.
    pub fn colour(&self, open: &[OpenHazard], today: NaiveDate) -> Colour {
        if open.is_empty() {
            return Colour::Green;
        }
        let general = open
            .iter()
            .filter(|h| h.severity == Severity::General)
            .count();
        let red = open.iter().any(|h| {
            (self.red_on_major && h.severity == Severity::Major)
                || (self.red_on_overdue && h.overdue)
                || (today - h.found_on).num_days() >= i64::from(self.red_after_days)
        }) || general >= self.red_at_general.max(1) as usize;
        if red { Colour::Red } else { Colour::Yellow }
    }

    /// The days within which a place of `colour` is to be responded to; none for green.
    pub fn response_days(&self, colour: Colour) -> Option<u32> {
        match colour {
            Colour::Green => None,
            Colour::Yellow => Some(self.respond_yellow_days),
            Colour::Red => Some(self.respond_red_days),
        }
    }
}

/// A 不放心单位 (a place the street is not easy about): one with an open major hazard. It is
/// taken off the list (摘牌) when every major hazard is struck off.
pub fn worrying(open: &[OpenHazard]) -> bool {
    open.iter().any(|h| h.severity == Severity::Major)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2017, 1, 1).expect("day") + chrono::Duration::days(n)
    }

    fn any_hazard() -> impl Strategy<Value = OpenHazard> {
        (any::<bool>(), 0_i64..60, any::<bool>()).prop_map(|(major, found, overdue)| OpenHazard {
            severity: if major {
                Severity::Major
            } else {
                Severity::General
            },
            found_on: day(found),
            overdue,
        })
    }

    #[test]
    fn the_default_rules_read_as_written() {
        let rules = ColourRules::default();
        let general = OpenHazard {
            severity: Severity::General,
            found_on: day(0),
            overdue: false,
        };
        assert_eq!(rules.colour(&[], day(0)), Colour::Green);
        assert_eq!(rules.colour(&[general], day(5)), Colour::Yellow);
        assert_eq!(
            rules.colour(&[general], day(30)),
            Colour::Red,
            "a month old"
        );
        assert_eq!(rules.colour(&[general; 3], day(1)), Colour::Red);
        let overdue = OpenHazard {
            overdue: true,
            ..general
        };
        assert_eq!(rules.colour(&[overdue], day(1)), Colour::Red);
        let major = OpenHazard {
            severity: Severity::Major,
            ..general
        };
        assert_eq!(rules.colour(&[major], day(1)), Colour::Red);
        assert!(worrying(&[general, major]));
        assert!(!worrying(&[general]));
        assert_eq!(rules.response_days(Colour::Red), Some(3));
        assert_eq!(rules.response_days(Colour::Green), None);
    }

    proptest! {
        /// Green exactly when nothing is open; another open hazard or a later day never makes a
        /// place greener; the order of hazards does not matter; an open major hazard is red
        /// and a 不放心单位.
        #[test]
        fn colours_only_darken(
            open in proptest::collection::vec(any_hazard(), 0..8),
            more in any_hazard(),
            today in 60_i64..120,
            later in 0_i64..60,
        ) {
            let rules = ColourRules::default();
            let colour = rules.colour(&open, day(today));
            prop_assert_eq!(colour == Colour::Green, open.is_empty());
            let mut bigger = open.clone();
            bigger.push(more);
            prop_assert!(rules.colour(&bigger, day(today)) >= colour);
            prop_assert!(rules.colour(&open, day(today + later)) >= colour);
            let mut reversed = open.clone();
            reversed.reverse();
            prop_assert_eq!(rules.colour(&reversed, day(today)), colour);
            if worrying(&open) {
                prop_assert_eq!(colour, Colour::Red);
            }
        }
    }
}
