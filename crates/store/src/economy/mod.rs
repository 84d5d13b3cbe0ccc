//! The economy in the database (issue 23): each street's indicator readings per month with
//! every revision kept, annual plan targets, the figures `jiedao_core::economy` derives from
//! them (1-N月, growth, completion, and the district's ranking), and the import of the
//! statistics office's spreadsheets. Reading takes `ViewEconomy` and a street within reach;
//! recording and importing take `KeepEconomy` over the street, and are audited.

pub mod import;
pub mod indicators;

use jiedao_core::RefusalKind;
use jiedao_core::i18n::{Lang, Localized};
use jiedao_core::money::MoneyError;

/// Why the economy refused a reading.
#[derive(Debug, Clone, PartialEq)]
pub enum EconomyRefusal {
    /// Not one of the configured indicators.
    UnknownIndicator { code: String },
    /// Not a street of the tree (by name or code).
    UnknownStreet { text: String },
    /// Not a month (YYYY-MM).
    BadMonth { text: String },
    /// Not an amount in the indicator's unit.
    Amount(MoneyError),
}

impl EconomyRefusal {
    pub fn kind(&self) -> RefusalKind {
        RefusalKind::Invalid
    }
}

impl Localized for EconomyRefusal {
    fn message_key(&self) -> &'static str {
        match self {
            EconomyRefusal::UnknownIndicator { .. } => "economy_refusal.unknown_indicator",
            EconomyRefusal::UnknownStreet { .. } => "economy_refusal.unknown_street",
            EconomyRefusal::BadMonth { .. } => "economy_refusal.bad_month",
            EconomyRefusal::Amount(error) => error.message_key(),
        }
    }

    fn message_args(&self, lang: Lang) -> Vec<(&'static str, String)> {
        match self {
            EconomyRefusal::UnknownIndicator { code } => vec![("code", code.clone())],
            EconomyRefusal::UnknownStreet { text } | EconomyRefusal::BadMonth { text } => {
                vec![("text", text.clone())]
            }
            EconomyRefusal::Amount(error) => error.message_args(lang),
        }
    }
}

impl From<EconomyRefusal> for crate::refusal::Refusal {
    fn from(refusal: EconomyRefusal) -> Self {
        crate::refusal::Refusal::Economy(refusal)
    }
}

impl From<EconomyRefusal> for crate::error::StoreError {
    fn from(refusal: EconomyRefusal) -> Self {
        crate::error::StoreError::Refused(refusal.into())
    }
}
