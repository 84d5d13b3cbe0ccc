//! Why an action on a petition was refused, written for the person who tried.

use chrono::{DateTime, Utc};
use thiserror::Error;

use super::PetitionState;
use super::machine::ActionKind;
use crate::clock::CHINA;
use crate::i18n::{self, Lang, Localized};
use crate::refusal::RefusalKind;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PetitionRefusal {
    /// The role may never do this to a petition.
    #[error("{action:?} is not for this role")]
    NotPermitted { action: ActionKind },
    /// The role may, but not to this petition: outside reach or another office's.
    #[error("{action:?} on a petition outside reach")]
    OutOfReach { action: ActionKind },
    #[error("{action:?} is not possible in state {state:?}")]
    WrongState {
        action: ActionKind,
        state: PetitionState,
    },
    /// A required field (a locale key naming it) is empty.
    #[error("{field} is required")]
    Required { field: &'static str },
    /// 条例 art. 20 (浙江 art. 15): a group visit elects at most so many representatives.
    #[error("at most {most} representatives")]
    TooManyRepresentatives { most: u32, article: u32 },
    /// A level is given only for a matter sent down from above.
    #[error("a level without a transfer or assignment")]
    LevelWithoutTransfer,
    /// Only a matter sent down from above can be objected to.
    #[error("the petition was not sent down")]
    NotSentDown,
    /// 条例 art. 23 ¶3: an objection comes within 5 working days.
    #[error("the objection period ended at {until}")]
    ObjectionTooLate { until: DateTime<Utc> },
    /// The extensions together would pass the rulebook's maximum.
    #[error("extensions of at most {most} days ({used} used)")]
    ExtensionTooLong { most: u32, used: u32, article: u32 },
    /// The petitioner's window for 复查 or 复核 has closed.
    #[error("the review window closed at {until}")]
    WindowClosed { until: DateTime<Utc> },
    /// 终结 waits until the petitioner's window has passed.
    #[error("the review window is open until {until}")]
    WindowStillOpen { until: DateTime<Utc> },
    #[error("already a long-unresolved matter")]
    AlreadyBacklog,
    #[error("not past its period, reopened or sent down")]
    NotBacklogYet,
    #[error("not an uncleared long-unresolved matter")]
    NotBacklog,
    #[error("already confirmed as a repeat petition")]
    AlreadyRepeat,
    /// The earlier petition is not the same petitioner's, or was never the street's to handle.
    #[error("not a repeat of that petition")]
    NotARepeat,
}

impl PetitionRefusal {
    pub fn kind(&self) -> RefusalKind {
        use PetitionRefusal::*;
        match self {
            NotPermitted { .. } | OutOfReach { .. } => RefusalKind::NotPermitted,
            Required { .. }
            | TooManyRepresentatives { .. }
            | LevelWithoutTransfer
            | ExtensionTooLong { .. } => RefusalKind::Invalid,
            WrongState { .. }
            | NotSentDown
            | ObjectionTooLate { .. }
            | WindowClosed { .. }
            | WindowStillOpen { .. }
            | AlreadyBacklog
            | NotBacklogYet
            | NotBacklog
            | AlreadyRepeat => RefusalKind::Conflict,
            NotARepeat => RefusalKind::Invalid,
        }
    }
}

fn day(at: &DateTime<Utc>) -> String {
    at.with_timezone(&CHINA)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

impl Localized for PetitionRefusal {
    fn message_key(&self) -> &'static str {
        use PetitionRefusal::*;
        match self {
            NotPermitted { .. } => "petition_refusal.not_permitted",
            OutOfReach { .. } => "petition_refusal.out_of_reach",
            WrongState { .. } => "petition_refusal.wrong_state",
            Required { .. } => "petition_refusal.required",
            TooManyRepresentatives { .. } => "petition_refusal.too_many_representatives",
            LevelWithoutTransfer => "petition_refusal.level_without_transfer",
            NotSentDown => "petition_refusal.not_sent_down",
            ObjectionTooLate { .. } => "petition_refusal.objection_too_late",
            ExtensionTooLong { .. } => "petition_refusal.extension_too_long",
            WindowClosed { .. } => "petition_refusal.window_closed",
            WindowStillOpen { .. } => "petition_refusal.window_still_open",
            AlreadyBacklog => "petition_refusal.already_backlog",
            NotBacklogYet => "petition_refusal.not_backlog_yet",
            NotBacklog => "petition_refusal.not_backlog",
            AlreadyRepeat => "petition_refusal.already_repeat",
            NotARepeat => "petition_refusal.not_a_repeat",
        }
    }

    fn message_args(&self, lang: Lang) -> Vec<(&'static str, String)> {
        use PetitionRefusal::*;
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
            TooManyRepresentatives { most, article } => {
                vec![("most", most.to_string()), ("article", article.to_string())]
            }
            ObjectionTooLate { until } | WindowClosed { until } | WindowStillOpen { until } => {
                vec![("until", day(until))]
            }
            ExtensionTooLong {
                most,
                used,
                article,
            } => vec![
                ("most", most.to_string()),
                ("used", used.to_string()),
                ("article", article.to_string()),
            ],
            LevelWithoutTransfer | NotSentDown | AlreadyBacklog | NotBacklogYet | NotBacklog
            | AlreadyRepeat | NotARepeat => vec![],
        }
    }
}
