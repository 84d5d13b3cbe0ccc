//! Why an inspection or an action on a hazard was refused, written for the person who tried;
//! each refusal has its kind, which sets the status on every face.

use thiserror::Error;

use super::HazardState;
use super::machine::ActionKind;
use crate::i18n::{self, Lang, Localized};
use crate::refusal::RefusalKind;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InspectionRefusal {
    #[error("{action:?} is not for this role")]
    NotPermitted { action: ActionKind },
    #[error("{action:?} on a hazard outside reach")]
    OutOfReach { action: ActionKind },
    #[error("{action:?} is not possible in state {state:?}")]
    WrongState {
        action: ActionKind,
        state: HazardState,
    },
    /// A required field (a locale key naming it) is empty.
    #[error("{field} is required")]
    Required { field: &'static str },
    #[error("item {item} is not answered, or answered twice")]
    Unanswered { item: String },
    #[error("no item {item} on this checklist")]
    UnknownItem { item: String },
    #[error("the answer to {item} is not of its kind")]
    WrongAnswer { item: String },
    #[error("{item} failed and needs a photo")]
    PhotoRequired { item: String },
    #[error("a checklist needs items and place kinds")]
    EmptyTemplate,
    #[error("checklist item {item} does not read")]
    BadTemplate { item: String },
    #[error("a deadline of {days} days is outside 1 to 90")]
    DaysOutOfRange { days: u32 },
    #[error("a major hazard's order stops work or calls for outside help")]
    MajorNeedsStop,
    #[error("the hazard is not past its deadline")]
    NotOverdue,
    #[error("the hazard was already escalated that far")]
    AlreadyEscalated,
}

impl InspectionRefusal {
    pub fn kind(&self) -> RefusalKind {
        use InspectionRefusal::*;
        match self {
            NotPermitted { .. } | OutOfReach { .. } => RefusalKind::NotPermitted,
            WrongState { .. } | NotOverdue | AlreadyEscalated => RefusalKind::Conflict,
            Required { .. }
            | Unanswered { .. }
            | UnknownItem { .. }
            | WrongAnswer { .. }
            | PhotoRequired { .. }
            | EmptyTemplate
            | BadTemplate { .. }
            | DaysOutOfRange { .. }
            | MajorNeedsStop => RefusalKind::Invalid,
        }
    }
}

impl Localized for InspectionRefusal {
    fn message_key(&self) -> &'static str {
        use InspectionRefusal::*;
        match self {
            NotPermitted { .. } => "inspection_refusal.not_permitted",
            OutOfReach { .. } => "inspection_refusal.out_of_reach",
            WrongState { .. } => "inspection_refusal.wrong_state",
            Required { .. } => "inspection_refusal.required",
            Unanswered { .. } => "inspection_refusal.unanswered",
            UnknownItem { .. } => "inspection_refusal.unknown_item",
            WrongAnswer { .. } => "inspection_refusal.wrong_answer",
            PhotoRequired { .. } => "inspection_refusal.photo_required",
            EmptyTemplate => "inspection_refusal.empty_template",
            BadTemplate { .. } => "inspection_refusal.bad_template",
            DaysOutOfRange { .. } => "inspection_refusal.days_out_of_range",
            MajorNeedsStop => "inspection_refusal.major_needs_stop",
            NotOverdue => "inspection_refusal.not_overdue",
            AlreadyEscalated => "inspection_refusal.already_escalated",
        }
    }

    fn message_args(&self, lang: Lang) -> Vec<(&'static str, String)> {
        use InspectionRefusal::*;
        let name = |key: &str| i18n::text(lang, key).to_owned();
        match self {
            NotPermitted { action } | OutOfReach { action } => {
                vec![("action", name(action.label_key()))]
            }
            WrongState { action, state } => vec![
                ("action", name(action.label_key())),
                ("state", name(state.label_key())),
            ],
            Required { field } => vec![("field", name(field))],
            Unanswered { item }
            | UnknownItem { item }
            | WrongAnswer { item }
            | PhotoRequired { item }
            | BadTemplate { item } => vec![("item", item.clone())],
            DaysOutOfRange { days } => vec![("days", days.to_string())],
            EmptyTemplate | MajorNeedsStop | NotOverdue | AlreadyEscalated => vec![],
        }
    }
}
