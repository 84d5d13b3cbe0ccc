//! What a form or a JSON body says, parsed once into the store's commands: a registration
//! into a [`NewPetition`], an action into the rules' [`Action`]. A page's form is all text
//! ([`RegisterForm`], [`ActionForm`]) and becomes the API's typed body first.

use jiedao_core::petition::{
    Action, ActionKind, Channel, Class, Evaluation, Flag, LegalRoute, Level, Outcome, ProfileCode,
};
use jiedao_store::Refusal;
use jiedao_store::petitions::NewPetition;
use serde::Deserialize;
use uuid::Uuid;

/// A petition to register.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    /// `letter`, `visit`, `phone`, `online`, `mailbox`, `transfer`, `assignment`.
    pub channel: String,
    /// `suggestion`, `accusation`, `claim`.
    pub class: String,
    pub matter: String,
    /// The petitioner's id in the registry.
    pub petitioner: String,
    /// How many came together (default 1).
    pub group_size: Option<u32>,
    /// How many representatives spoke for a group visit.
    pub representatives: Option<u32>,
    /// For a transfer or assignment: `national`, `provincial`, `city`, `district`.
    pub from_level: Option<String>,
    /// `national_2022` (default) or `zhejiang_2016`.
    pub profile: Option<String>,
    /// `beijing`, `province`, `group`, `irregular`.
    #[serde(default)]
    pub flags: Vec<String>,
    /// For an accusation: the usernames of the staff it names.
    #[serde(default)]
    pub accused: Vec<String>,
}

fn required(field: &'static str) -> Refusal {
    Refusal::EmptyField { field }
}

fn code<T>(
    text: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    field: &'static str,
) -> Result<Option<T>, Refusal> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => parse(text).map(Some).ok_or_else(|| required(field)),
    }
}

fn id(text: Option<&str>, field: &'static str) -> Result<Option<Uuid>, Refusal> {
    code(text, |t| t.parse().ok(), field)
}

impl TryFrom<RegisterBody> for NewPetition {
    type Error = Refusal;

    fn try_from(body: RegisterBody) -> Result<NewPetition, Refusal> {
        let flags = body
            .flags
            .iter()
            .map(|f| Flag::parse(f.trim()).ok_or_else(|| required("petition_field.flags")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(NewPetition {
            channel: code(
                Some(&body.channel),
                Channel::parse,
                "petition_field.channel",
            )?
            .ok_or_else(|| required("petition_field.channel"))?,
            class: code(Some(&body.class), Class::parse, "petition_field.class")?
                .ok_or_else(|| required("petition_field.class"))?,
            matter: body.matter,
            petitioner: id(Some(&body.petitioner), "petition_field.petitioner")?
                .ok_or_else(|| required("petition_field.petitioner"))?,
            group_size: body.group_size.unwrap_or(1),
            representatives: body.representatives.unwrap_or(1),
            from_level: code(
                body.from_level.as_deref(),
                Level::parse,
                "petition_field.from_level",
            )?,
            accused: body.accused,
            flags,
            profile: code(
                body.profile.as_deref(),
                ProfileCode::parse,
                "petition_field.profile",
            )?
            .unwrap_or(ProfileCode::National2022),
        })
    }
}

/// The registration form: all text, one flag, the accused as a comma-separated list.
#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub class: String,
    #[serde(default)]
    pub matter: String,
    #[serde(default)]
    pub petitioner: String,
    #[serde(default)]
    pub group_size: String,
    #[serde(default)]
    pub representatives: String,
    #[serde(default)]
    pub from_level: String,
    #[serde(default)]
    pub profile: String,
    #[serde(default)]
    pub flag: String,
    #[serde(default)]
    pub accused: String,
}

fn number(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

impl From<RegisterForm> for RegisterBody {
    fn from(form: RegisterForm) -> RegisterBody {
        let some = |text: String| Some(text).filter(|t| !t.trim().is_empty());
        RegisterBody {
            group_size: number(&form.group_size),
            representatives: number(&form.representatives),
            from_level: some(form.from_level),
            profile: some(form.profile),
            flags: some(form.flag).into_iter().collect(),
            accused: form
                .accused
                .split([',', '，', ' '])
                .filter(|u| !u.is_empty())
                .map(str::to_owned)
                .collect(),
            channel: form.channel,
            class: form.class,
            matter: form.matter,
            petitioner: form.petitioner,
        }
    }
}

/// An action on a petition: its code and the fields it takes.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// `accept`, `decline`, `legal_track`, `forward`, `object`, `note`, `extend`, `answer`,
    /// `evaluate`, `request_review`, `answer_review`, `request_reexamination`,
    /// `answer_reexamination`, `conclude`, `mark_backlog`, `clear_backlog`, `confirm_repeat`.
    pub action: String,
    /// `accept`: the id of the office or community that handles it.
    pub department: Option<String>,
    /// `note`, `answer`, `answer_review`, `answer_reexamination`: the text.
    pub text: Option<String>,
    /// `decline`, `object`, `extend`: the reason; other actions: a note.
    pub reason: Option<String>,
    /// `legal_track`: `litigation`, `arbitration`, `administrative_review`, `other_procedure`.
    pub route: Option<String>,
    /// `legal_track`: the notice to the petitioner.
    pub notice: Option<String>,
    /// `forward`: the body it goes to.
    pub to: Option<String>,
    /// `extend`: days.
    pub days: Option<u32>,
    /// Answers: `supported`, `partly_supported`, `not_supported`, `explained`.
    pub outcome: Option<String>,
    /// `evaluate`: `satisfied`, `basically_satisfied`, `dissatisfied`.
    pub evaluation: Option<String>,
    /// `mark_backlog`: the leader in charge (包案), by id, and the plan.
    pub leader: Option<String>,
    pub plan: Option<String>,
    /// `confirm_repeat`: the earlier petition's id.
    pub of: Option<String>,
}

impl TryFrom<ActionBody> for Action {
    type Error = Refusal;

    fn try_from(body: ActionBody) -> Result<Action, Refusal> {
        let kind = ActionKind::parse(body.action.trim())
            .filter(|k| *k != ActionKind::Register)
            .ok_or_else(|| required("petition_field.action"))?;
        let text = |field: Option<String>| field.unwrap_or_default();
        let outcome = || {
            code(
                body.outcome.as_deref(),
                Outcome::parse,
                "petition_field.outcome",
            )?
            .ok_or_else(|| required("petition_field.outcome"))
        };
        let note = text(body.reason.clone());
        Ok(match kind {
            ActionKind::Accept => Action::Accept {
                department: id(body.department.as_deref(), "petition_field.department")?
                    .map(jiedao_core::DepartmentId::from_uuid)
                    .ok_or_else(|| required("petition_field.department"))?,
                note,
            },
            ActionKind::Decline => Action::Decline { reason: note },
            ActionKind::SeparateToLegalTrack => Action::SeparateToLegalTrack {
                route: code(
                    body.route.as_deref(),
                    LegalRoute::parse,
                    "petition_field.route",
                )?
                .ok_or_else(|| required("petition_field.route"))?,
                notice: text(body.notice),
            },
            ActionKind::Forward => Action::Forward {
                to: text(body.to),
                note,
            },
            ActionKind::Object => Action::Object { reason: note },
            ActionKind::Note => Action::Note {
                text: text(body.text),
            },
            ActionKind::Extend => Action::Extend {
                days: body.days.ok_or_else(|| required("petition_field.days"))?,
                reason: note,
            },
            ActionKind::Answer => Action::Answer {
                outcome: outcome()?,
                text: text(body.text),
            },
            ActionKind::Evaluate => Action::Evaluate {
                evaluation: code(
                    body.evaluation.as_deref(),
                    Evaluation::parse,
                    "petition_field.evaluation",
                )?
                .ok_or_else(|| required("petition_field.evaluation"))?,
            },
            ActionKind::RequestReview => Action::RequestReview { note },
            ActionKind::AnswerReview => Action::AnswerReview {
                outcome: outcome()?,
                text: text(body.text),
            },
            ActionKind::RequestReexamination => Action::RequestReexamination { note },
            ActionKind::AnswerReexamination => Action::AnswerReexamination {
                outcome: outcome()?,
                text: text(body.text),
            },
            ActionKind::Conclude => Action::Conclude { note },
            ActionKind::MarkBacklog => Action::MarkBacklog {
                leader: id(body.leader.as_deref(), "petition_field.leader")?
                    .map(jiedao_core::UserId::from_uuid)
                    .ok_or_else(|| required("petition_field.leader"))?,
                plan: text(body.plan),
            },
            ActionKind::ClearBacklog => Action::ClearBacklog { note },
            ActionKind::ConfirmRepeat => Action::ConfirmRepeat {
                of: id(body.of.as_deref(), "petition_field.of")?
                    .ok_or_else(|| required("petition_field.of"))?,
            },
            ActionKind::Register => return Err(required("petition_field.action")),
        })
    }
}

/// An action's form: all text.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub route: String,
    #[serde(default)]
    pub notice: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub days: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub evaluation: String,
    #[serde(default)]
    pub leader: String,
    #[serde(default)]
    pub plan: String,
    #[serde(default)]
    pub of: String,
}

impl From<ActionForm> for ActionBody {
    fn from(form: ActionForm) -> ActionBody {
        let some = |text: String| Some(text).filter(|t| !t.trim().is_empty());
        ActionBody {
            days: number(&form.days),
            action: form.action,
            department: some(form.department),
            text: some(form.text),
            reason: some(form.reason),
            route: some(form.route),
            notice: some(form.notice),
            to: some(form.to),
            outcome: some(form.outcome),
            evaluation: some(form.evaluation),
            leader: some(form.leader),
            plan: some(form.plan),
            of: some(form.of),
        }
    }
}
