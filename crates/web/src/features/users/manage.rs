//! What an administrator does to one user (账号管理): unlock after the login back-off, reset the
//! password, disable or enable, change the role. Each is a form on the user's page, each is
//! refused by the store to every other role and audited there; none applies to one's own
//! account (the store refuses it, and the page does not offer it).

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiedao_core::{Capability, RefusalKind, Role};
use jiedao_store::departments::Department;
use jiedao_store::users::{self, UserView};
use jiedao_store::{Refusal, StoreError};
use serde::Deserialize;

use crate::AppState;
use crate::context::Staff;
use crate::failure::Failure;
use crate::tr::Tr;
use crate::widgets::choice::Choice;
use crate::widgets::layout::Refused;

/// The steps, each named in the address it posts to and in the `done` it returns with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Unlock,
    Password,
    Disable,
    Enable,
    Role,
}

impl Step {
    const ALL: [Step; 5] = [
        Step::Unlock,
        Step::Password,
        Step::Disable,
        Step::Enable,
        Step::Role,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Step::Unlock => "unlock",
            Step::Password => "password",
            Step::Disable => "disable",
            Step::Enable => "enable",
            Step::Role => "role",
        }
    }

    fn done_key(self) -> &'static str {
        match self {
            Step::Unlock => "users.done_unlock",
            Step::Password => "users.done_password",
            Step::Disable => "users.done_disable",
            Step::Enable => "users.done_enable",
            Step::Role => "users.done_role",
        }
    }
}

/// The user page's query: which step was just done.
#[derive(Debug, Default, Deserialize)]
pub struct Shown {
    #[serde(default)]
    done: Option<Step>,
}

impl Shown {
    /// What the page says was done, in the reader's language.
    pub fn done(&self, tr: Tr) -> Option<String> {
        self.done.map(|step| tr.t(step.done_key()).to_owned())
    }
}

/// What the last step did, or why it was refused.
pub enum Outcome {
    Done(Option<String>),
    Refused(Refused),
}

impl Outcome {
    pub fn refused_kind(&self) -> Option<RefusalKind> {
        match self {
            Outcome::Done(_) => None,
            Outcome::Refused(refused) => Some(refused.kind),
        }
    }
}

/// The administrator's forms on a user's page.
pub struct Manage {
    pub username: String,
    pub locked: bool,
    pub active: bool,
    pub roles: Vec<Choice>,
    pub departments: Vec<Choice>,
    pub done: Option<String>,
    pub error: Option<Refused>,
}

impl Manage {
    pub fn new(
        tr: Tr,
        user: &UserView,
        departments: &[Department],
        now: chrono::DateTime<chrono::Utc>,
        outcome: Outcome,
    ) -> Manage {
        let (done, error) = match outcome {
            Outcome::Done(done) => (done, None),
            Outcome::Refused(refused) => (None, Some(refused)),
        };
        Manage {
            username: user.username.clone(),
            locked: user.locked_until.is_some_and(|until| until > now),
            active: user.active,
            roles: Role::ALL
                .iter()
                .map(|role| Choice {
                    value: role.as_str().into(),
                    label: tr.t(role.label_key()).into(),
                    selected: *role == user.role,
                })
                .collect(),
            departments: departments
                .iter()
                .filter(|department| department.street_id == user.org_unit_id)
                .map(|department| Choice {
                    value: department.name.clone(),
                    label: department.name.clone(),
                    selected: user.department_id == Some(department.id),
                })
                .collect(),
            done,
            error,
        }
    }
}

/// The fields of every step's form; each step reads its own.
#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    department: String,
}

/// `POST /users/{username}/{step}`: does the step, then shows the user's page again (a
/// redirect after success, the page with the refusal otherwise).
pub async fn act(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path((username, step)): Path<(String, String)>,
    Form(form): Form<StepForm>,
) -> Result<Response, Failure> {
    if !me.principal.role().can(Capability::ManageUsers) {
        return Err(Refusal::NotAllowed.into());
    }
    let step = Step::ALL
        .into_iter()
        .find(|s| s.as_str() == step)
        .ok_or(Failure::NotFound)?;
    let (scope, actor, at) = (me.scope(), me.actor(), app.store.now());
    let who = username.clone();
    let result = match step {
        Step::Password => {
            app.store
                .set_password(&scope, actor, &username, &form.password)
                .await
        }
        Step::Role => match Role::parse(&form.role) {
            Ok(role) => {
                app.store
                    .write(move |conn| {
                        let department = Some(form.department.as_str());
                        users::set_role(conn, &scope, &actor, at, &who, role, department)
                    })
                    .await
            }
            Err(_) => {
                let refused =
                    Refused::new(RefusalKind::Invalid, me.ctx.tr().t("users.choose_role"));
                return super::pages::user_page(&app, &me, &username, Outcome::Refused(refused))
                    .await;
            }
        },
        Step::Unlock => {
            app.store
                .write(move |conn| users::unlock(conn, &scope, &actor, at, &who))
                .await
        }
        Step::Disable | Step::Enable => {
            let active = step == Step::Enable;
            app.store
                .write(move |conn| users::set_active(conn, &scope, &actor, at, &who, active))
                .await
        }
    };
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/users/{username}?done={}", step.as_str())).into_response())
        }
        // Out of role or out of reach: the error page, as for any other refused request.
        Err(StoreError::Refused(
            refusal @ (Refusal::NotAllowed | Refusal::OutOfScope | Refusal::NotFound { .. }),
        )) => Err(refusal.into()),
        Err(StoreError::Refused(refusal)) => {
            let refused = Refused::of(&refusal, me.ctx.lang);
            super::pages::user_page(&app, &me, &username, Outcome::Refused(refused)).await
        }
        Err(fault) => Err(fault.into()),
    }
}
