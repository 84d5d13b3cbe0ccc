//! Why an action on a case was refused, written for the person who tried.

use thiserror::Error;

use super::CaseState;
use super::machine::ActionKind;
use crate::i18n::{self, Lang, Localized};
use crate::refusal::RefusalKind;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CaseRefusal {
    /// The role may never do this to a case.
    #[error("{action:?} is not for this role")]
    NotPermitted { action: ActionKind },
    /// The role may, but not to this case: outside the user's area, another department's, or
    /// someone else's report.
    #[error("{action:?} on a case outside reach")]
    OutOfReach { action: ActionKind },
    #[error("{action:?} is not possible in state {state:?}")]
    WrongState {
        action: ActionKind,
        state: CaseState,
    },
    /// A required field (a locale key naming it) is empty.
    #[error("{field} is required")]
    Required { field: &'static str },
    #[error("a photo is required")]
    PhotoRequired,
    #[error("an extension request is already waiting")]
    ExtensionPending,
    #[error("there is no extension request to decide")]
    NoExtensionRequest,
    #[error("only a leaf category can be chosen")]
    NotALeafCategory,
    #[error("a case cannot be merged into itself")]
    MergeIntoItself,
    #[error("case {number} is not open")]
    MergeTargetNotOpen { number: String },
}

impl CaseRefusal {
    pub fn kind(&self) -> RefusalKind {
        match self {
            CaseRefusal::NotPermitted { .. } | CaseRefusal::OutOfReach { .. } => {
                RefusalKind::NotPermitted
            }
            CaseRefusal::Required { .. }
            | CaseRefusal::PhotoRequired
            | CaseRefusal::NotALeafCategory
            | CaseRefusal::MergeIntoItself => RefusalKind::Invalid,
            CaseRefusal::WrongState { .. }
            | CaseRefusal::ExtensionPending
            | CaseRefusal::NoExtensionRequest
            | CaseRefusal::MergeTargetNotOpen { .. } => RefusalKind::Conflict,
        }
    }
}

impl Localized for CaseRefusal {
    fn message_key(&self) -> &'static str {
        match self {
            CaseRefusal::NotPermitted { .. } => "case_refusal.not_permitted",
            CaseRefusal::OutOfReach { .. } => "case_refusal.out_of_reach",
            CaseRefusal::WrongState { .. } => "case_refusal.wrong_state",
            CaseRefusal::Required { .. } => "case_refusal.required",
            CaseRefusal::PhotoRequired => "case_refusal.photo_required",
            CaseRefusal::ExtensionPending => "case_refusal.extension_pending",
            CaseRefusal::NoExtensionRequest => "case_refusal.no_extension_request",
            CaseRefusal::NotALeafCategory => "case_refusal.not_a_leaf_category",
            CaseRefusal::MergeIntoItself => "case_refusal.merge_into_itself",
            CaseRefusal::MergeTargetNotOpen { .. } => "case_refusal.merge_target_not_open",
        }
    }

    fn message_args(&self, lang: Lang) -> Vec<(&'static str, String)> {
        let name = |key: &str| i18n::text(lang, key).to_owned();
        match self {
            CaseRefusal::NotPermitted { action } | CaseRefusal::OutOfReach { action } => {
                vec![("action", name(action.label_key()))]
            }
            CaseRefusal::WrongState { action, state } => vec![
                ("action", name(action.label_key())),
                ("state", name(state.label_key())),
            ],
            CaseRefusal::Required { field } => vec![("field", name(field))],
            CaseRefusal::MergeTargetNotOpen { number } => vec![("number", number.clone())],
            CaseRefusal::PhotoRequired
            | CaseRefusal::ExtensionPending
            | CaseRefusal::NoExtensionRequest
            | CaseRefusal::NotALeafCategory
            | CaseRefusal::MergeIntoItself => vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_may_act_what_was_sent_and_what_state_the_case_is_in_are_different_kinds() {
        let action = ActionKind::Dispatch;
        assert_eq!(
            CaseRefusal::NotPermitted { action }.kind(),
            RefusalKind::NotPermitted
        );
        assert_eq!(
            CaseRefusal::OutOfReach { action }.kind(),
            RefusalKind::NotPermitted
        );
        assert_eq!(CaseRefusal::PhotoRequired.kind(), RefusalKind::Invalid);
        assert_eq!(
            CaseRefusal::WrongState {
                action,
                state: CaseState::Reported
            }
            .kind(),
            RefusalKind::Conflict
        );
    }
}
