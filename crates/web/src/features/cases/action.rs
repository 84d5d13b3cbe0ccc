//! A case action as it arrives, parsed once at the edge into the store's [`Command`].
//!
//! The JSON API's body is an [`ActionBody`] as it stands; a page's form is read into the same
//! fields, each in its own type (a radio's `yes` becomes `true`, a typed longitude a number),
//! by `From<&FormData>`. Either becomes a `Command` through one `TryFrom`, which checks what
//! each action needs. Nothing is turned back into text on the way.

use jiedao_core::CategoryId;
use jiedao_core::calendar::{TimeLimit, TimeUnit};
use jiedao_core::case::{ActionKind, Satisfaction};
use jiedao_core::category::Urgency;
use jiedao_store::Refusal;
use jiedao_store::cases::{Command, DepartmentKey};
use serde::Deserialize;

use crate::upload::FormData;

/// What an action takes; each action reads the fields its page form has.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    pub note: Option<String>,
    pub reason: Option<String>,
    /// The department (dispatch, redispatch): its id, its code or its name
    /// (`GET /api/v1/departments` lists them).
    pub department: Option<String>,
    /// A leaf category's id (file).
    pub category: Option<String>,
    /// `normal`, `urgent` or `critical` (file).
    pub urgency: Option<String>,
    /// What the grid worker found (verify).
    pub found: Option<bool>,
    /// Whether the on-site check passed (check).
    pub passed: Option<bool>,
    /// Whether an extension is granted (decide_extension).
    pub approve: Option<bool>,
    /// An extension's length and unit (`work_days`, `work_hours`…).
    pub amount: Option<String>,
    pub unit: Option<String>,
    /// `satisfied`, `basic` or `unsatisfied` (follow_up).
    pub satisfaction: Option<String>,
    /// The number of the case to merge into (merge).
    pub into: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub address: Option<String>,
}

impl From<&FormData> for ActionBody {
    fn from(form: &FormData) -> ActionBody {
        let yes = |name: &str| form.optional(name).map(|v| v == "yes");
        ActionBody {
            note: form.optional("note"),
            reason: form.optional("reason"),
            department: form.optional("department"),
            category: form.optional("category"),
            urgency: form.optional("urgency"),
            found: yes("found"),
            passed: yes("passed"),
            approve: yes("approve"),
            amount: form.optional("amount"),
            unit: form.optional("unit"),
            satisfaction: form.optional("satisfaction"),
            into: form.optional("into"),
            lon: form.number("lon"),
            lat: form.number("lat"),
            address: form.optional("address"),
        }
    }
}

/// One action on a case with what was sent for it.
#[derive(Debug)]
pub struct ActionRequest {
    pub kind: ActionKind,
    pub body: ActionBody,
}

/// A text as sent, trimmed; absent reads as empty.
fn text(value: &Option<String>) -> String {
    value
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned()
}

/// An id that must be sent and read as one; `what` names the field in the refusal.
fn id(value: &Option<String>, what: &'static str) -> Result<uuid::Uuid, Refusal> {
    text(value)
        .parse()
        .map_err(|_| Refusal::EmptyField { field: what })
}

/// The department named, which the store finds by id, code or name; only a blank is refused
/// here.
fn department(value: &Option<String>) -> Result<DepartmentKey, Refusal> {
    Some(text(value))
        .filter(|key| !key.is_empty())
        .map(DepartmentKey)
        .ok_or(Refusal::EmptyField {
            field: "field.department",
        })
}

impl TryFrom<ActionRequest> for Command {
    type Error = Refusal;

    fn try_from(request: ActionRequest) -> Result<Command, Refusal> {
        let ActionRequest { kind, body } = request;
        let note = text(&body.note);
        let reason = text(&body.reason);
        let point = |v: Option<f64>| v.filter(|v| v.is_finite()).ok_or(Refusal::BadPoint);
        Ok(match kind {
            ActionKind::RequestVerification => Command::RequestVerification { note },
            ActionKind::Verify => Command::Verify {
                found: body.found.unwrap_or(false),
                note,
            },
            ActionKind::Locate => Command::Locate {
                lon: point(body.lon)?,
                lat: point(body.lat)?,
                address: Some(text(&body.address)).filter(|a| !a.is_empty()),
            },
            ActionKind::File => Command::File {
                category: match text(&body.category).as_str() {
                    "" => None,
                    _ => Some(CategoryId::from_uuid(id(&body.category, "field.category")?)),
                },
                urgency: Urgency::parse(&text(&body.urgency)),
                note,
            },
            ActionKind::Void => Command::Void { reason },
            ActionKind::Dispatch => Command::Dispatch {
                department: department(&body.department)?,
                note,
            },
            ActionKind::Redispatch => Command::Redispatch {
                department: department(&body.department)?,
                reason,
            },
            ActionKind::Accept => Command::Accept,
            ActionKind::Return => Command::Return { reason },
            ActionKind::RequestExtension => {
                let unit = TimeUnit::parse(&text(&body.unit)).unwrap_or(TimeUnit::WorkDays);
                Command::RequestExtension {
                    extra: TimeLimit::from_text(unit, &text(&body.amount))
                        .ok_or(Refusal::BadLimit)?,
                    reason,
                }
            }
            ActionKind::DecideExtension => Command::DecideExtension {
                approve: body.approve.unwrap_or(false),
                note,
            },
            ActionKind::Park => Command::Park { reason },
            ActionKind::Resume => Command::Resume { note },
            ActionKind::ReportDone => Command::ReportDone { note },
            ActionKind::Check => Command::Check {
                passed: body.passed.unwrap_or(false),
                note,
            },
            ActionKind::Close => Command::Close { note },
            ActionKind::FollowUp => Command::FollowUp {
                satisfaction: Satisfaction::parse(&text(&body.satisfaction)).ok_or(
                    Refusal::EmptyField {
                        field: "field.satisfaction",
                    },
                )?,
                note,
            },
            ActionKind::Reopen => Command::Reopen { reason },
            ActionKind::Supervise => Command::Supervise { reason },
            ActionKind::Merge => Command::Merge {
                into_number: text(&body.into),
            },
            ActionKind::Report
            | ActionKind::MergedIn
            | ActionKind::StepOverdue
            | ActionKind::DeadlinesSet => return Err(Refusal::NotAllowed),
        })
    }
}
