//! The figures' formulas (排查整治统计): rounds, turn-outs (出动人次), places checked by kind,
//! hazards found, rectified, struck off and overdue, the rectification rate; and the removal
//! campaigns' quantities (拆违, 清理积水…) against their targets. The store counts; these add and
//! divide, so every figure has one formula.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::PlaceKind;
use crate::coded::coded;

/// Counts over some inspections and hazards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// 排查次数: campaign rounds held.
    pub rounds: u64,
    /// 出动人次: the people out on each inspection, summed.
    pub turnouts: u64,
    /// 检查场所: inspections by the kind of place.
    pub checked: BTreeMap<PlaceKind, u64>,
    pub found: u64,
    pub found_major: u64,
    /// Put right: a recheck passed.
    pub rectified: u64,
    /// 销号
    pub struck_off: u64,
    /// Open past the deadline.
    pub overdue: u64,
}

impl Tally {
    /// Adds another tally's counts.
    pub fn add(&mut self, other: &Tally) {
        self.rounds += other.rounds;
        self.turnouts += other.turnouts;
        for (kind, count) in &other.checked {
            *self.checked.entry(*kind).or_default() += count;
        }
        self.found += other.found;
        self.found_major += other.found_major;
        self.rectified += other.rectified;
        self.struck_off += other.struck_off;
        self.overdue += other.overdue;
    }

    /// Places checked of every kind.
    pub fn checked_total(&self) -> u64 {
        self.checked.values().sum()
    }

    /// 整改率 = rectified ÷ found, in per mille rounded half up; `None` with nothing found.
    pub fn rectification_per_mille(&self) -> Option<u64> {
        per_mille(self.rectified, self.found)
    }
}

/// `part ÷ whole` in per mille, rounded half up; `None` when `whole` is zero.
pub fn per_mille(part: u64, whole: u64) -> Option<u64> {
    (whole > 0).then(|| (part * 2000 + whole) / (2 * whole))
}

coded!(
    /// The unit a removal's quantity is counted in.
    Unit, "inspection.Unit_" {
        /// 处
        Spots = "spots",
        /// 平方米
        SquareMetres = "square_metres",
        /// 吨
        Tonnes = "tonnes",
        /// 家
        Shops = "shops",
    }
);

/// A removal campaign's results per unit, against its targets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removals {
    pub done: BTreeMap<Unit, u64>,
}

impl Removals {
    pub fn record(&mut self, unit: Unit, quantity: u64) {
        *self.done.entry(unit).or_default() += quantity;
    }

    /// How much of `target` in `unit` is done, in per mille (over 1000 when exceeded).
    pub fn completion_per_mille(&self, unit: Unit, target: u64) -> Option<u64> {
        per_mille(self.done.get(&unit).copied().unwrap_or(0), target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_seeds_rates_come_out_as_reported() {
        // 90天超额完成全年拆违任务的150%以上: 553 spots against a target of 368.
        let mut removals = Removals::default();
        removals.record(Unit::Spots, 500);
        removals.record(Unit::Spots, 53);
        assert_eq!(removals.completion_per_mille(Unit::Spots, 368), Some(1503));
        assert_eq!(removals.completion_per_mille(Unit::Tonnes, 0), None);
        let tally = Tally {
            found: 3,
            rectified: 2,
            ..Tally::default()
        };
        assert_eq!(tally.rectification_per_mille(), Some(667));
    }

    fn any_tally() -> impl Strategy<Value = Tally> {
        (0_u64..100, 0_u64..2000, 0_u64..3000, 0_u64..900, 0_u64..500).prop_map(
            |(rounds, turnouts, rental, shops, found)| Tally {
                rounds,
                turnouts,
                checked: [
                    (PlaceKind::RentalHouse, rental),
                    (PlaceKind::StreetShop, shops),
                ]
                .into_iter()
                .collect(),
                found,
                found_major: found / 10,
                rectified: found * 9 / 10,
                struck_off: found * 8 / 10,
                overdue: found / 20,
            },
        )
    }

    proptest! {
        /// Tallies add in any order; the rate stays within 0‰ to 1000‰ when no more is
        /// rectified than found, and is exact to half a per mille.
        #[test]
        fn tallies_add_and_rates_bound(a in any_tally(), b in any_tally(), c in any_tally()) {
            let mut left = a.clone();
            left.add(&b);
            left.add(&c);
            let mut right = c.clone();
            right.add(&a);
            right.add(&b);
            prop_assert_eq!(&left, &right);
            prop_assert_eq!(left.checked_total(), a.checked_total() + b.checked_total() + c.checked_total());
            if let Some(rate) = left.rectification_per_mille() {
                prop_assert!(rate <= 1000);
                let exact = left.rectified as f64 * 1000.0 / left.found as f64;
                prop_assert!((rate as f64 - exact).abs() <= 0.5 + 1e-9);
            } else {
                prop_assert_eq!(left.found, 0);
            }
        }
    }
}
