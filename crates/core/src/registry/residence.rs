//! The periods of residence registration for migrants (流动人口居住登记), after
//! 浙江省流动人口居住登记条例 (2016): when a registration is due, when a change must be
//! declared, from when a 浙江省居住证 may be applied for, and whether a permit is in force on a
//! day given its yearly endorsements (签注). Pure date arithmetic; the 流动人口 tag's period is
//! the registration's.

use chrono::{Days, Months, NaiveDate};
use serde::Serialize;

/// 第十二条第三款: living with close relatives who hold a local 户口 needs no registration for
/// up to 30 days.
pub const RELATIVES_EXEMPT_DAYS: u64 = 30;

/// 第十三条 and 第十九条第三款: a change of address or workplace is declared within 10 days.
pub const CHANGE_WITHIN_DAYS: u64 = 10;

/// 第十六条: a 居住证 may be applied for after living here half a year, counted from the day
/// the residence registration was declared.
pub const PERMIT_AFTER_MONTHS: u32 = 6;

/// 第十九条第二款: the endorsement is made in the month before each anniversary of issue.
pub const ENDORSEMENT_WINDOW_MONTHS: u32 = 1;

/// The last day a change that happened on `changed` may be declared (第十三条).
pub fn change_deadline(changed: NaiveDate) -> Option<NaiveDate> {
    changed.checked_add_days(Days::new(CHANGE_WITHIN_DAYS))
}

/// Whether someone who came to live with close relatives on `arrived` must have declared a
/// registration by `day` (第十二条第三款: only stays over 30 days need one).
pub fn relatives_stay_needs_registration(arrived: NaiveDate, day: NaiveDate) -> bool {
    arrived
        .checked_add_days(Days::new(RELATIVES_EXEMPT_DAYS))
        .is_some_and(|limit| day > limit)
}

/// The first day someone registered on `registered` may apply for a 居住证 (第十六条;
/// investors and recruited talent the county names are exempt, which is the caller's to say).
pub fn permit_eligible_from(registered: NaiveDate) -> Option<NaiveDate> {
    registered.checked_add_months(Months::new(PERMIT_AFTER_MONTHS))
}

/// What a 浙江省居住证 is on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum PermitStatus {
    /// Not yet issued on that day.
    NotIssued,
    /// In force; the next endorsement is due in the window ending before `next_anniversary`.
    InForce {
        next_anniversary: NaiveDate,
        /// Continuous residence counts from this day (the issue, or the last late endorsement).
        counted_from: NaiveDate,
    },
    /// 证件使用功能中止 since `since` (an anniversary passed unendorsed), until endorsed late.
    Suspended { since: NaiveDate },
}

impl PermitStatus {
    pub fn label_key(self) -> &'static str {
        match self {
            PermitStatus::NotIssued => "residence.not_issued",
            PermitStatus::InForce { .. } => "residence.in_force",
            PermitStatus::Suspended { .. } => "residence.suspended",
        }
    }
}

/// A 浙江省居住证: its issue date and the days it was endorsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResidencePermit {
    pub issued: NaiveDate,
    pub endorsements: Vec<NaiveDate>,
}

impl ResidencePermit {
    /// The `n`th anniversary of issue (n from 1).
    pub fn anniversary(&self, n: u32) -> Option<NaiveDate> {
        self.issued
            .checked_add_months(Months::new(n.checked_mul(12)?))
    }

    /// The days an endorsement for the `n`th anniversary is on time: the month before it.
    pub fn endorsement_window(&self, n: u32) -> Option<(NaiveDate, NaiveDate)> {
        let anniversary = self.anniversary(n)?;
        let opens = anniversary.checked_sub_months(Months::new(ENDORSEMENT_WINDOW_MONTHS))?;
        Some((opens, anniversary.pred_opt()?))
    }

    /// The permit on `day` (第十九条第二款): each anniversary needs an endorsement made from
    /// its window's opening on; one not made by the anniversary suspends the permit until it
    /// is made, and residence then counts afresh from that late endorsement.
    pub fn status_on(&self, day: NaiveDate) -> PermitStatus {
        if day < self.issued {
            return PermitStatus::NotIssued;
        }
        let mut counted_from = self.issued;
        let mut n = 1;
        loop {
            let (Some(anniversary), Some((opens, _))) =
                (self.anniversary(n), self.endorsement_window(n))
            else {
                return PermitStatus::Suspended { since: day };
            };
            if day < anniversary {
                return PermitStatus::InForce {
                    next_anniversary: anniversary,
                    counted_from,
                };
            }
            let endorsed = self
                .endorsements
                .iter()
                .filter(|e| **e >= opens && **e <= day)
                .min();
            match endorsed {
                Some(on) if *on < anniversary => {}
                Some(late) => counted_from = *late,
                None => return PermitStatus::Suspended { since: anniversary },
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_periods_of_registration() {
        assert_eq!(change_deadline(day("2025-03-25")), Some(day("2025-04-04")));
        assert!(!relatives_stay_needs_registration(
            day("2025-03-01"),
            day("2025-03-31")
        ));
        assert!(relatives_stay_needs_registration(
            day("2025-03-01"),
            day("2025-04-01")
        ));
        assert_eq!(
            permit_eligible_from(day("2025-08-31")),
            Some(day("2026-02-28"))
        );
    }

    #[test]
    fn an_endorsement_in_the_month_before_each_anniversary_keeps_the_permit() {
        let permit = ResidencePermit {
            issued: day("2023-05-10"),
            endorsements: vec![day("2024-04-20"), day("2025-05-09")],
        };
        assert_eq!(
            permit.endorsement_window(1),
            Some((day("2024-04-10"), day("2024-05-09")))
        );
        assert_eq!(permit.status_on(day("2023-05-09")), PermitStatus::NotIssued);
        assert_eq!(
            permit.status_on(day("2025-12-01")),
            PermitStatus::InForce {
                next_anniversary: day("2026-05-10"),
                counted_from: day("2023-05-10")
            }
        );
        assert_eq!(
            permit.status_on(day("2026-05-10")),
            PermitStatus::Suspended {
                since: day("2026-05-10")
            }
        );
    }

    #[test]
    fn a_late_endorsement_restores_the_permit_and_restarts_the_count() {
        let permit = ResidencePermit {
            issued: day("2023-05-10"),
            endorsements: vec![day("2024-03-01"), day("2024-06-15")],
        };
        // 2024-03-01 came before the window opened, so it does not count.
        assert_eq!(
            permit.status_on(day("2024-06-14")),
            PermitStatus::Suspended {
                since: day("2024-05-10")
            }
        );
        assert_eq!(
            permit.status_on(day("2024-06-15")),
            PermitStatus::InForce {
                next_anniversary: day("2025-05-10"),
                counted_from: day("2024-06-15")
            }
        );
    }
}
