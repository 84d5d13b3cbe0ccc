//! Acting on a case from its page: the form each available action shows, and turning a
//! submitted form into a store [`Command`]. Every action form is `multipart/form-data` (some
//! carry photos), so its CSRF token travels in the query string.

use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiedao_core::calendar::TimeUnit;
use jiedao_core::case::{ActionKind, Case, Satisfaction};
use jiedao_core::category::Urgency;
use jiedao_core::{CaseId, CategoryId, Lang};
use jiedao_store::cases::{Command, Purpose, Who};
use jiedao_store::categories::Catalog;
use jiedao_store::departments::Department;
use jiedao_store::{Refusal, StoreError};

use super::action::{ActionBody, ActionRequest};
use super::detail;
use crate::AppState;
use crate::context::SignedIn;
use crate::failure::Failure;
use crate::tr::Tr;
use crate::upload::{self};
use crate::widgets::choice::Choice;
use crate::widgets::layout::Refused;

/// One input of an action form.
pub struct Field {
    /// text, area, select, radio, files, number
    pub kind: &'static str,
    pub name: &'static str,
    pub label: &'static str,
    pub required: bool,
    pub options: Vec<Choice>,
    /// The options are user data (names people typed).
    pub user_options: bool,
}

impl Field {
    fn new(kind: &'static str, name: &'static str, label: &'static str, required: bool) -> Field {
        Field {
            kind,
            name,
            label,
            required,
            options: Vec::new(),
            user_options: false,
        }
    }

    fn with_options(mut self, options: Vec<Choice>, user: bool) -> Field {
        self.options = options;
        self.user_options = user;
        self
    }
}

/// The form of one action on a case page.
pub struct ActionForm {
    pub kind: &'static str,
    pub label: &'static str,
    pub fields: Vec<Field>,
    /// Actions that end or void something are drawn in red.
    pub danger: bool,
}

fn yes_no(tr: Tr, yes_key: &str, no_key: &str) -> Vec<Choice> {
    vec![
        Choice::new("yes", tr.t(yes_key), true),
        Choice::new("no", tr.t(no_key), false),
    ]
}

/// Leaf categories grouped by class, named in the reader's language.
pub fn category_choices(
    catalog: &Catalog,
    tr: Tr,
    selected: Option<CategoryId>,
    public_only: bool,
) -> Vec<Choice> {
    catalog
        .leaves(public_only)
        .map(|entry| {
            let class = entry
                .parent
                .and_then(|p| catalog.get(p))
                .map(|p| p.name_in(tr.lang()).to_owned())
                .unwrap_or_default();
            Choice::new(
                entry.id.to_string(),
                format!("{} · {} ({})", class, entry.name_in(tr.lang()), entry.code),
                Some(entry.id) == selected,
            )
        })
        .collect()
}

fn department_choices(departments: &[Department], default: Option<&str>) -> Vec<Choice> {
    departments
        .iter()
        .map(|d| Choice::new(d.id.to_string(), &d.name, Some(d.name.as_str()) == default))
        .collect()
}

/// A required choice with nothing the case implies starts on an empty "choose…" option, so
/// the browser does not pick the list's first entry (another community's department, an
/// arbitrary category) for whoever does not look.
fn blank_unless_chosen(choices: Vec<Choice>, tr: Tr) -> Vec<Choice> {
    if choices.iter().any(|c| c.selected) {
        return choices;
    }
    std::iter::once(Choice::new("", tr.t("form.choose"), true))
        .chain(choices)
        .collect()
}

/// The form of `kind` for this case.
pub fn form(
    kind: ActionKind,
    case: &Case,
    catalog: &Catalog,
    departments: &[Department],
    tr: Tr,
) -> ActionForm {
    let note = || Field::new("area", "note", tr.t("form.note"), false);
    let reason = || Field::new("area", "reason", tr.t("form.reason"), true);
    let photos = |required| Field::new("files", "photos", tr.t("form.photos"), required);
    let default_department = case
        .category
        .as_ref()
        .and_then(|c| catalog.get(c.id))
        .and_then(|e| match &e.settings.department {
            jiedao_core::category::DefaultDepartment::Named(name) => Some(name.clone()),
            jiedao_core::category::DefaultDepartment::Community => None,
        });
    let fields = match kind {
        ActionKind::Verify => vec![
            Field::new("radio", "found", tr.t("form.found"), true)
                .with_options(yes_no(tr, "form.found_yes", "form.found_no"), false),
            Field::new("area", "note", tr.t("form.note"), true),
        ],
        ActionKind::Locate => vec![
            Field::new("number", "lon", tr.t("form.lon"), true),
            Field::new("number", "lat", tr.t("form.lat"), true),
            Field::new("text", "address", tr.t("form.address"), false),
        ],
        ActionKind::File => vec![
            Field::new("select", "category", tr.t("form.category"), true).with_options(
                blank_unless_chosen(
                    category_choices(catalog, tr, case.category.as_ref().map(|c| c.id), false),
                    tr,
                ),
                false,
            ),
            Field::new("select", "urgency", tr.t("form.urgency"), true).with_options(
                Urgency::ALL
                    .iter()
                    .map(|u| Choice::new(u.as_str(), tr.t(u.label_key()), *u == case.urgency))
                    .collect(),
                false,
            ),
            note(),
        ],
        ActionKind::Dispatch => vec![
            Field::new("select", "department", tr.t("form.department"), true).with_options(
                blank_unless_chosen(
                    department_choices(departments, default_department.as_deref()),
                    tr,
                ),
                true,
            ),
            note(),
        ],
        ActionKind::Redispatch => vec![
            Field::new("select", "department", tr.t("form.department"), true).with_options(
                blank_unless_chosen(department_choices(departments, None), tr),
                true,
            ),
            reason(),
        ],
        ActionKind::Void
        | ActionKind::Return
        | ActionKind::Park
        | ActionKind::Reopen
        | ActionKind::Supervise => {
            vec![reason()]
        }
        ActionKind::RequestExtension => vec![
            Field::new("number", "amount", tr.t("form.amount"), true),
            Field::new("select", "unit", tr.t("form.unit"), true).with_options(
                TimeUnit::ALL
                    .iter()
                    .map(|u| Choice::new(u.as_str(), tr.t(u.label_key()), *u == TimeUnit::WorkDays))
                    .collect(),
                false,
            ),
            reason(),
        ],
        ActionKind::DecideExtension => vec![
            Field::new("radio", "approve", tr.t("form.decision"), true)
                .with_options(yes_no(tr, "form.approve", "form.refuse"), false),
            note(),
        ],
        ActionKind::ReportDone => vec![
            Field::new("area", "note", tr.t("form.note"), true),
            photos(true),
        ],
        ActionKind::Check => vec![
            Field::new("radio", "passed", tr.t("form.check_result"), true)
                .with_options(yes_no(tr, "form.passed", "form.failed"), false),
            note(),
            photos(false),
        ],
        ActionKind::FollowUp => vec![
            Field::new("radio", "satisfaction", tr.t("form.satisfaction"), true).with_options(
                Satisfaction::ALL
                    .iter()
                    .map(|s| {
                        Choice::new(
                            s.as_str(),
                            tr.t(s.label_key()),
                            *s == Satisfaction::Satisfied,
                        )
                    })
                    .collect(),
                false,
            ),
            note(),
        ],
        ActionKind::Merge => vec![Field::new("text", "into", tr.t("form.merge_into"), true)],
        ActionKind::Accept => vec![],
        _ => vec![note()],
    };
    ActionForm {
        kind: kind.as_str(),
        label: tr.t(kind.label_key()),
        fields,
        danger: matches!(
            kind,
            ActionKind::Void | ActionKind::Return | ActionKind::Merge
        ),
    }
}

/// The command centre's one-screen form: file (category, urgency) and dispatch (department)
/// at once. Its kind is [`FILE_AND_DISPATCH`].
pub fn file_and_dispatch_form(
    case: &Case,
    catalog: &Catalog,
    departments: &[Department],
    tr: Tr,
) -> ActionForm {
    let filing = form(ActionKind::File, case, catalog, departments, tr);
    let dispatching = form(ActionKind::Dispatch, case, catalog, departments, tr);
    let fields = filing
        .fields
        .into_iter()
        .filter(|f| f.name != "note")
        .chain(dispatching.fields)
        .collect();
    ActionForm {
        kind: FILE_AND_DISPATCH,
        label: tr.t("action.file_and_dispatch"),
        fields,
        danger: false,
    }
}

/// The address segment of the combined file-and-dispatch form.
pub const FILE_AND_DISPATCH: &str = "file_and_dispatch";

/// The purpose of photos sent with an action.
pub fn purpose_of(kind: ActionKind) -> Purpose {
    match kind {
        ActionKind::ReportDone => Purpose::After,
        ActionKind::Check | ActionKind::Verify => Purpose::Check,
        _ => Purpose::Other,
    }
}

/// `POST /cases/{id}/act/{action}`
pub async fn submit(
    State(app): State<AppState>,
    me: SignedIn,
    Path((id, action)): Path<(CaseId, String)>,
    multipart: Multipart,
) -> Result<Response, Failure> {
    // The combined form files and dispatches as one change: both or neither.
    let kinds = if action == FILE_AND_DISPATCH {
        vec![ActionKind::File, ActionKind::Dispatch]
    } else {
        vec![ActionKind::parse(&action).ok_or(Failure::NotFound)?]
    };
    let form = upload::read(multipart).await?;
    let lang: Lang = me.ctx.lang;
    let attempt = async {
        let body = ActionBody::from(&form);
        let commands = kinds
            .iter()
            .map(|kind| {
                Command::try_from(ActionRequest {
                    kind: *kind,
                    body: body.clone(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let last = kinds.last().copied().unwrap_or(ActionKind::File);
        let files = upload::store_files(&app, form.uploads("photos", purpose_of(last))).await?;
        app.store
            .act_all(
                Who::User(me.principal.clone()),
                me.ctx.ip.clone(),
                id,
                commands,
                files,
            )
            .await
    };
    match attempt.await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        // A case that is not there, or not the reader's to see, has no page to come back to.
        Err(StoreError::Refused(refusal @ (Refusal::NotFound { .. } | Refusal::OutOfScope))) => {
            Err(refusal.into())
        }
        Err(StoreError::Refused(refusal)) => {
            detail::page(&app, &me, id, Some(Refused::of(&refusal, lang))).await
        }
        Err(fault) => Err(fault.into()),
    }
}
