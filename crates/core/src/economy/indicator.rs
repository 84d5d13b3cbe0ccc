//! Economic indicators (经济指标: 税收收入, 地方财政收入, 限上社零, 固定资产投资...) as
//! configuration (`data/indicators.toml`): each with its unit and whether its source reports
//! each month's own figure or the year to date. Values are integers in the unit's smallest
//! part (fen, cents, or whole counts), so no figure passes through a float.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::i18n::{self, Lang};
use crate::money::{self, Currency, MoneyError, Scale};

static SEEDED_INDICATORS: &str = include_str!("../../data/indicators.toml");

/// How the source reports an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reporting {
    /// 当月数: each month's own figure.
    Monthly,
    /// 累计数: the figure for 1-N月 of the year.
    Cumulative,
}

impl Reporting {
    pub fn label_key(self) -> &'static str {
        match self {
            Reporting::Monthly => "economy.reporting_monthly",
            Reporting::Cumulative => "economy.reporting_cumulative",
        }
    }
}

/// What an indicator counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Unit {
    /// 元, held in fen.
    Yuan,
    /// 美元, held in cents.
    UsDollar,
    /// Things counted whole, e.g. 家 (enterprises).
    Count { noun: String, noun_en: String },
}

impl Unit {
    /// An amount held in this unit's smallest part, as the reports write it.
    pub fn text(&self, amount: i64, lang: Lang) -> String {
        match self {
            Unit::Yuan => money::amount_text(amount, Currency::Cny, lang),
            Unit::UsDollar => money::amount_text(amount, Currency::Usd, lang),
            Unit::Count { noun, noun_en } => i18n::format(
                lang,
                "economy.count",
                &[
                    ("amount", amount.to_string()),
                    (
                        "noun",
                        match lang {
                            Lang::ZhCn => noun.clone(),
                            Lang::En => noun_en.clone(),
                        },
                    ),
                ],
            ),
        }
    }

    /// Reads a spreadsheet cell into this unit's smallest part; `bare` is the scale a cell
    /// without a written unit is in (the column header's 万元).
    pub fn parse(&self, text: &str, bare: Scale) -> Result<i64, MoneyError> {
        match self {
            Unit::Yuan | Unit::UsDollar => money::parse_minor(text, bare),
            Unit::Count { noun, .. } => {
                let number = text.trim().trim_end_matches(noun.as_str());
                let minor = money::parse_minor(number, Scale::One)?;
                if minor % 100 != 0 {
                    return Err(MoneyError::TooPrecise {
                        text: text.trim().to_owned(),
                    });
                }
                Ok(minor / 100)
            }
        }
    }
}

/// An indicator's definition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub unit: Unit,
    pub reporting: Reporting,
}

impl Indicator {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.name,
            Lang::En => &self.name_en,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("indicator data: {0}")]
pub struct IndicatorDataError(pub String);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    code: String,
    name: String,
    name_en: String,
    unit: String,
    noun: Option<String>,
    noun_en: Option<String>,
    reporting: Reporting,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    indicator: Vec<RawIndicator>,
}

/// Reads indicator definitions in the seed's format (a deployment's own file may replace it).
pub fn read_indicators(source: &str) -> Result<Vec<Indicator>, IndicatorDataError> {
    let file: RawFile =
        toml::from_str(source).map_err(|error| IndicatorDataError(error.message().to_owned()))?;
    let mut indicators: Vec<Indicator> = Vec::with_capacity(file.indicator.len());
    for raw in file.indicator {
        let bad = |what: &str| IndicatorDataError(format!("{}: {what}", raw.code));
        let unit = match (raw.unit.as_str(), raw.noun, raw.noun_en) {
            ("yuan", None, None) => Unit::Yuan,
            ("us_dollar", None, None) => Unit::UsDollar,
            ("count", Some(noun), Some(noun_en)) => Unit::Count { noun, noun_en },
            ("count", _, _) => return Err(bad("a count needs noun and noun_en")),
            (other, _, _) => {
                return Err(bad(&format!("unit {other:?} (or a noun it does not take)")));
            }
        };
        if indicators.iter().any(|i| i.code == raw.code) {
            return Err(bad("appears twice"));
        }
        indicators.push(Indicator {
            code: raw.code,
            name: raw.name,
            name_en: raw.name_en,
            unit,
            reporting: raw.reporting,
        });
    }
    Ok(indicators)
}

/// The seeded indicators.
pub fn seeded_indicators() -> Result<Vec<Indicator>, IndicatorDataError> {
    read_indicators(SEEDED_INDICATORS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indicator(code: &str) -> Indicator {
        seeded_indicators()
            .expect("seeded indicators")
            .into_iter()
            .find(|i| i.code == code)
            .expect(code)
    }

    #[test]
    fn the_seed_reads_with_its_units_and_reporting() {
        let tax = indicator("tax_revenue");
        assert_eq!(tax.unit, Unit::Yuan);
        assert_eq!(tax.reporting, Reporting::Cumulative);
        assert_eq!(tax.unit.text(108_600_000_000, Lang::ZhCn), "10.86亿元");
        let foreign = indicator("actual_foreign_capital");
        assert_eq!(foreign.unit.text(895_000_000, Lang::ZhCn), "895万美元");
        let entities = indicator("new_market_entities");
        assert_eq!(entities.reporting, Reporting::Monthly);
        assert_eq!(entities.unit.text(2810, Lang::ZhCn), "2810家");
        assert_eq!(entities.unit.text(2810, Lang::En), "2810 entities");
        assert_eq!(entities.name(Lang::En), "New market entities");
    }

    #[test]
    fn cells_are_read_in_the_unit() {
        assert_eq!(Unit::Yuan.parse("10.86", Scale::Yi), Ok(108_600_000_000));
        assert_eq!(
            Unit::UsDollar.parse("895万美元", Scale::One),
            Ok(895_000_000)
        );
        let entities = indicator("new_market_entities").unit;
        assert_eq!(entities.parse("2810家", Scale::One), Ok(2810));
        assert!(entities.parse("28.5", Scale::One).is_err());
    }

    #[test]
    fn bad_definitions_are_refused() {
        let count_without_noun = r#"[[indicator]]
code = "x"
name = "x"
name_en = "x"
unit = "count"
reporting = "monthly""#;
        assert!(read_indicators(count_without_noun).is_err());
        let twice = format!(
            "{0}\nnoun = \"个\"\nnoun_en = \"things\"\n{0}\nnoun = \"个\"\nnoun_en = \"things\"",
            count_without_noun
        );
        assert!(
            read_indicators(&twice)
                .expect_err("twice")
                .0
                .contains("twice")
        );
    }
}
