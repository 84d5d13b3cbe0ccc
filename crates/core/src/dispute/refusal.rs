//! Why an action on a dispute was refused, written for the person who tried; each refusal has
//! its kind, which sets the status on every face.

use chrono::NaiveDate;
use thiserror::Error;

use super::DisputeState;
use super::machine::ActionKind;
use crate::i18n::{self, Lang, Localized};
use crate::refusal::RefusalKind;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DisputeRefusal {
    #[error("{action:?} is not for this role")]
    NotPermitted { action: ActionKind },
    #[error("{action:?} on a dispute outside reach")]
    OutOfReach { action: ActionKind },
    #[error("{action:?} is not possible in state {state:?}")]
    WrongState {
        action: ActionKind,
        state: DisputeState,
    },
    /// A required field (a locale key naming it) is empty.
    #[error("{field} is required")]
    Required { field: &'static str },
    #[error("a dispute needs an applicant and a respondent")]
    PartiesMissing,
    #[error("a party is named twice")]
    PartyTwice,
    #[error("the amount at stake cannot be negative")]
    NegativeAmount,
    #[error("{day} is before the registration or after today")]
    DayOutOfRange { day: NaiveDate },
    #[error("there is no agreement")]
    NoAgreement,
    #[error("an oral agreement cannot be confirmed by a court")]
    OralAgreement,
    #[error("confirmation was already applied for")]
    AlreadyApplied,
    #[error("{day} is outside the 30 days to apply for court confirmation")]
    OutsideWindow { day: NaiveDate },
    #[error("no application for confirmation is waiting")]
    NoApplication,
    #[error("the agreement has no term {term}")]
    NoSuchTerm { term: usize },
    #[error("term {term} was already followed up")]
    TermSettled { term: usize },
    #[error("unknown dispute type {code}")]
    UnknownKind { code: String },
}

impl DisputeRefusal {
    pub fn kind(&self) -> RefusalKind {
        match self {
            DisputeRefusal::NotPermitted { .. } | DisputeRefusal::OutOfReach { .. } => {
                RefusalKind::NotPermitted
            }
            DisputeRefusal::WrongState { .. }
            | DisputeRefusal::AlreadyApplied
            | DisputeRefusal::NoApplication
            | DisputeRefusal::TermSettled { .. }
            | DisputeRefusal::NoAgreement => RefusalKind::Conflict,
            DisputeRefusal::Required { .. }
            | DisputeRefusal::PartiesMissing
            | DisputeRefusal::PartyTwice
            | DisputeRefusal::NegativeAmount
            | DisputeRefusal::DayOutOfRange { .. }
            | DisputeRefusal::OralAgreement
            | DisputeRefusal::OutsideWindow { .. }
            | DisputeRefusal::NoSuchTerm { .. }
            | DisputeRefusal::UnknownKind { .. } => RefusalKind::Invalid,
        }
    }
}

impl Localized for DisputeRefusal {
    fn message_key(&self) -> &'static str {
        match self {
            DisputeRefusal::NotPermitted { .. } => "dispute_refusal.not_permitted",
            DisputeRefusal::OutOfReach { .. } => "dispute_refusal.out_of_reach",
            DisputeRefusal::WrongState { .. } => "dispute_refusal.wrong_state",
            DisputeRefusal::Required { .. } => "dispute_refusal.required",
            DisputeRefusal::PartiesMissing => "dispute_refusal.parties_missing",
            DisputeRefusal::PartyTwice => "dispute_refusal.party_twice",
            DisputeRefusal::NegativeAmount => "dispute_refusal.negative_amount",
            DisputeRefusal::DayOutOfRange { .. } => "dispute_refusal.day_out_of_range",
            DisputeRefusal::NoAgreement => "dispute_refusal.no_agreement",
            DisputeRefusal::OralAgreement => "dispute_refusal.oral_agreement",
            DisputeRefusal::AlreadyApplied => "dispute_refusal.already_applied",
            DisputeRefusal::OutsideWindow { .. } => "dispute_refusal.outside_window",
            DisputeRefusal::NoApplication => "dispute_refusal.no_application",
            DisputeRefusal::NoSuchTerm { .. } => "dispute_refusal.no_such_term",
            DisputeRefusal::TermSettled { .. } => "dispute_refusal.term_settled",
            DisputeRefusal::UnknownKind { .. } => "dispute_refusal.unknown_kind",
        }
    }

    fn message_args(&self, lang: Lang) -> Vec<(&'static str, String)> {
        let name = |key: &str| i18n::text(lang, key).to_owned();
        match self {
            DisputeRefusal::NotPermitted { action } | DisputeRefusal::OutOfReach { action } => {
                vec![("action", name(action.label_key()))]
            }
            DisputeRefusal::WrongState { action, state } => vec![
                ("action", name(action.label_key())),
                ("state", name(state.label_key())),
            ],
            DisputeRefusal::Required { field } => vec![("field", name(field))],
            DisputeRefusal::DayOutOfRange { day } | DisputeRefusal::OutsideWindow { day } => {
                vec![("day", day.to_string())]
            }
            DisputeRefusal::NoSuchTerm { term } | DisputeRefusal::TermSettled { term } => {
                vec![("term", term.to_string())]
            }
            DisputeRefusal::UnknownKind { code } => vec![("code", code.clone())],
            DisputeRefusal::PartiesMissing
            | DisputeRefusal::PartyTwice
            | DisputeRefusal::NegativeAmount
            | DisputeRefusal::NoAgreement
            | DisputeRefusal::OralAgreement
            | DisputeRefusal::AlreadyApplied
            | DisputeRefusal::NoApplication => vec![],
        }
    }
}
