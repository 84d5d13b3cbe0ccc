//! The tax figures of the registry's buildings and enterprises (楼宇经济): a building's band
//! by the tax its enterprises paid in a year (亿元楼 from 1亿元, 千万元楼 from 1000万元; the
//! thresholds are configuration), and the net tax of the enterprises that moved in over a year
//! less those that moved out ("迁入迁出企业净增税收规模3925万元").
//!
//! The bands are exclusive: a 亿元楼 is not also counted among the 千万元楼, as the reports
//! count them ("亿元楼4幢、千万元楼10幢").

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::i18n::Localized;
use crate::money::{Money, Scale};

/// A building's band for a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxBand {
    /// 千万元楼
    TenMillion,
    /// 亿元楼
    HundredMillion,
}

impl TaxBand {
    pub fn label_key(self) -> &'static str {
        match self {
            TaxBand::TenMillion => "building.band_ten_million",
            TaxBand::HundredMillion => "building.band_hundred_million",
        }
    }
}

/// The thresholds are not in order.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the 亿元楼 threshold must exceed the 千万元楼 threshold, which must exceed zero")]
pub struct TaxBandsError;

impl Localized for TaxBandsError {
    fn message_key(&self) -> &'static str {
        "building.bands_out_of_order"
    }
}

/// The band thresholds: yearly tax at or above which a building is in a band. Configuration
/// writes them as amounts people read ("1亿元", "1000万元").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawBands", into = "RawBands")]
pub struct TaxBands {
    hundred_million: Money,
    ten_million: Money,
}

#[derive(Serialize, Deserialize)]
struct RawBands {
    hundred_million: String,
    ten_million: String,
}

impl TryFrom<RawBands> for TaxBands {
    type Error = String;
    fn try_from(raw: RawBands) -> Result<TaxBands, String> {
        let read = |text: &str| Money::parse(text, Scale::One).map_err(|e| e.to_string());
        TaxBands::new(read(&raw.hundred_million)?, read(&raw.ten_million)?)
            .map_err(|e| e.to_string())
    }
}

impl From<TaxBands> for RawBands {
    fn from(bands: TaxBands) -> RawBands {
        RawBands {
            hundred_million: bands.hundred_million.to_string(),
            ten_million: bands.ten_million.to_string(),
        }
    }
}

impl Default for TaxBands {
    /// DOMAIN.md section 9: 1亿元 and 1000万元 a year.
    fn default() -> Self {
        TaxBands {
            hundred_million: Money::of(1, Scale::Yi).unwrap_or(Money::ZERO),
            ten_million: Money::of(1000, Scale::Wan).unwrap_or(Money::ZERO),
        }
    }
}

impl TaxBands {
    pub fn new(hundred_million: Money, ten_million: Money) -> Result<TaxBands, TaxBandsError> {
        if ten_million <= Money::ZERO || hundred_million <= ten_million {
            return Err(TaxBandsError);
        }
        Ok(TaxBands {
            hundred_million,
            ten_million,
        })
    }

    pub fn hundred_million(&self) -> Money {
        self.hundred_million
    }

    pub fn ten_million(&self) -> Money {
        self.ten_million
    }

    /// The band of a building that paid `tax` in a year, if it reaches one.
    pub fn band(&self, tax: Money) -> Option<TaxBand> {
        if tax >= self.hundred_million {
            Some(TaxBand::HundredMillion)
        } else if tax >= self.ten_million {
            Some(TaxBand::TenMillion)
        } else {
            None
        }
    }

    /// How many of the buildings whose yearly taxes are `taxes` are in each band.
    pub fn count(&self, taxes: impl IntoIterator<Item = Money>) -> BandCounts {
        let mut counts = BandCounts::default();
        for tax in taxes {
            match self.band(tax) {
                Some(TaxBand::HundredMillion) => counts.hundred_million += 1,
                Some(TaxBand::TenMillion) => counts.ten_million += 1,
                None => {}
            }
        }
        counts
    }
}

/// Buildings per band.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BandCounts {
    pub hundred_million: usize,
    pub ten_million: usize,
}

/// Whether an enterprise came or went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveDirection {
    /// 迁入
    In,
    /// 迁出
    Out,
}

/// An enterprise moving in or out, with the yearly tax that moved with it (税收规模). Which
/// year's tax stands for the move (the year of the move, or the last full year before it) is
/// the caller's rule; this module only adds them up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EnterpriseMove {
    pub direction: MoveDirection,
    pub on: NaiveDate,
    pub annual_tax: Money,
}

/// The moves of one year, summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NetMoved {
    pub moved_in: usize,
    pub moved_in_tax: Money,
    pub moved_out: usize,
    pub moved_out_tax: Money,
}

impl NetMoved {
    /// 净增税收规模: the tax moved in less the tax moved out (negative when more left).
    pub fn net_tax(&self) -> Money {
        self.moved_in_tax - self.moved_out_tax
    }

    /// 净增企业: enterprises moved in less those moved out.
    pub fn net_count(&self) -> i64 {
        i64::try_from(self.moved_in).unwrap_or(i64::MAX)
            - i64::try_from(self.moved_out).unwrap_or(i64::MAX)
    }
}

/// The moves dated in `year`, summed by direction.
pub fn net_moved(moves: &[EnterpriseMove], year: i32) -> NetMoved {
    let mut net = NetMoved::default();
    for change in moves.iter().filter(|m| m.on.year() == year) {
        match change.direction {
            MoveDirection::In => {
                net.moved_in += 1;
                net.moved_in_tax += change.annual_tax;
            }
            MoveDirection::Out => {
                net.moved_out += 1;
                net.moved_out_tax += change.annual_tax;
            }
        }
    }
    net
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use proptest::prelude::*;

    fn wan(amount: i64) -> Money {
        Money::of(amount, Scale::Wan).expect("in range")
    }

    #[test]
    fn bands_follow_the_domain_thresholds_and_do_not_overlap() {
        let bands = TaxBands::default();
        assert_eq!(bands.band(wan(10_000)), Some(TaxBand::HundredMillion));
        assert_eq!(bands.band(wan(9_999)), Some(TaxBand::TenMillion));
        assert_eq!(bands.band(wan(1_000)), Some(TaxBand::TenMillion));
        assert_eq!(bands.band(wan(999)), None);
        let taxes = [wan(12_000), wan(10_000), wan(3_000), wan(1_000), wan(50)];
        assert_eq!(
            bands.count(taxes),
            BandCounts {
                hundred_million: 2,
                ten_million: 2
            }
        );
    }

    #[test]
    fn thresholds_are_configuration_and_must_be_in_order() {
        let bands = TaxBands::new(wan(5_000), wan(500)).expect("in order");
        assert_eq!(bands.band(wan(600)), Some(TaxBand::TenMillion));
        assert_eq!(TaxBands::new(wan(500), wan(500)), Err(TaxBandsError));
        assert_eq!(TaxBands::new(wan(500), Money::ZERO), Err(TaxBandsError));
        let read: TaxBands =
            toml::from_str("hundred_million = \"1亿元\"\nten_million = \"1000万\"")
                .expect("configuration");
        assert_eq!(read, TaxBands::default());
        let written = toml::to_string(&read).expect("written");
        assert_eq!(
            toml::from_str::<TaxBands>(&written).expect("read back"),
            read
        );
        assert!(
            toml::from_str::<TaxBands>("hundred_million = \"1\"\nten_million = \"2\"").is_err()
        );
        assert!(
            toml::from_str::<TaxBands>("hundred_million = \"x\"\nten_million = \"2\"").is_err()
        );
    }

    #[test]
    fn the_net_tax_moved_is_in_less_out_within_the_year() {
        let on = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date");
        let moves = [
            EnterpriseMove {
                direction: MoveDirection::In,
                on: on("2017-03-01"),
                annual_tax: wan(4_000),
            },
            EnterpriseMove {
                direction: MoveDirection::In,
                on: on("2017-11-30"),
                annual_tax: wan(425),
            },
            EnterpriseMove {
                direction: MoveDirection::Out,
                on: on("2017-06-15"),
                annual_tax: wan(500),
            },
            EnterpriseMove {
                direction: MoveDirection::Out,
                on: on("2016-12-31"),
                annual_tax: wan(9_000),
            },
        ];
        let net = net_moved(&moves, 2017);
        assert_eq!((net.moved_in, net.moved_out), (2, 1));
        assert_eq!(net.net_tax(), wan(3_925));
        assert_eq!(net.net_tax().text(Lang::ZhCn), "3925万元");
        assert_eq!(net.net_count(), 1);
    }

    proptest! {
        #[test]
        fn each_building_is_in_at_most_one_band(taxes in proptest::collection::vec(0_i64..30_000, 0..40)) {
            let bands = TaxBands::default();
            let taxes: Vec<Money> = taxes.into_iter().map(wan).collect();
            let counts = bands.count(taxes.iter().copied());
            let reaching = taxes.iter().filter(|t| **t >= bands.ten_million()).count();
            prop_assert_eq!(counts.hundred_million + counts.ten_million, reaching);
        }
    }
}
