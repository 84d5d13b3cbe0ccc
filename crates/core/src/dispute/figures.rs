//! The disputes' figures (DOMAIN.md sections 5 and 6) and their formulas: 受理数, 调处成功数,
//! 成功率 = 调处成功数 / 受理调解数, 标的总额, 履行率 = 履行条款数 / 已回访条款数, 民转刑数.
//!
//! Each dispute counts once, on the day it was registered (the cohort of what was taken), by
//! what it is now ([`Counts::of`]). A change adds the difference between the dispute after and
//! before it, so the rollups equal a recount of the disputes, and every rate's numerator is a
//! part of its denominator: no rate passes 100%.

use std::ops::{Add, AddAssign, Sub};

use serde::{Deserialize, Serialize};

use super::{Dispute, DisputeState, Performance, Risk};
use crate::evaluation::Rate;

/// What disputes add to the figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// 受理数
    pub taken: i64,
    /// 调处成功数: an agreement reached, written or oral.
    pub settled: i64,
    /// 调解不成
    pub failed: i64,
    /// 标的总额 (fen)
    pub amount_fen: i64,
    /// Terms of agreements followed up (done, late or broken).
    pub terms_followed: i64,
    /// … of which performed (done or late).
    pub terms_performed: i64,
    /// 民转刑
    pub criminal: i64,
    /// High risk now.
    pub high_risk: i64,
}

impl Counts {
    /// What one dispute adds, as it stands.
    pub fn of(dispute: &Dispute) -> Counts {
        let terms = dispute.agreement.iter().flat_map(|a| a.terms.iter());
        let (mut followed, mut performed) = (0, 0);
        for term in terms {
            if let Some((performance, _)) = term.performed {
                followed += 1;
                if performance != Performance::Broken {
                    performed += 1;
                }
            }
        }
        Counts {
            taken: 1,
            settled: i64::from(dispute.settled()),
            failed: i64::from(dispute.state == DisputeState::Failed),
            amount_fen: dispute.registration.amount.fen(),
            terms_followed: followed,
            terms_performed: performed,
            criminal: i64::from(dispute.criminal),
            high_risk: i64::from(dispute.risk == Risk::High),
        }
    }

    /// What a change adds: the dispute after it less the dispute before it (none for the
    /// registration).
    pub fn delta(before: Option<&Dispute>, after: &Dispute) -> Counts {
        Counts::of(after) - before.map(Counts::of).unwrap_or_default()
    }

    /// 成功率 = 调处成功数 / 受理数
    pub fn success_rate(&self) -> Rate {
        rate(self.settled, self.taken)
    }

    /// 履行率 = 履行条款数 / 已回访条款数
    pub fn performance_rate(&self) -> Rate {
        rate(self.terms_performed, self.terms_followed)
    }

    pub fn is_zero(&self) -> bool {
        *self == Counts::default()
    }
}

fn rate(numerator: i64, denominator: i64) -> Rate {
    Rate {
        numerator: u64::try_from(numerator).unwrap_or(0),
        denominator: u64::try_from(denominator).unwrap_or(0),
    }
}

macro_rules! each_count {
    ($a:ident $op:tt $b:ident) => {
        Counts {
            taken: $a.taken $op $b.taken,
            settled: $a.settled $op $b.settled,
            failed: $a.failed $op $b.failed,
            amount_fen: $a.amount_fen $op $b.amount_fen,
            terms_followed: $a.terms_followed $op $b.terms_followed,
            terms_performed: $a.terms_performed $op $b.terms_performed,
            criminal: $a.criminal $op $b.criminal,
            high_risk: $a.high_risk $op $b.high_risk,
        }
    };
}

impl Add for Counts {
    type Output = Counts;
    fn add(self, other: Counts) -> Counts {
        each_count!(self + other)
    }
}

impl Sub for Counts {
    type Output = Counts;
    fn sub(self, other: Counts) -> Counts {
        each_count!(self - other)
    }
}

impl AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        *self = *self + other;
    }
}

impl std::iter::Sum for Counts {
    fn sum<I: Iterator<Item = Counts>>(iter: I) -> Counts {
        iter.fold(Counts::default(), Add::add)
    }
}
