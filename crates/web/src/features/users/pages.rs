//! Users (用户管理): the list within one's scope, one user's details, and creating users.
//! What an administrator does to one user is in [`super::manage`].

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use jiedao_core::clock::CHINA;
use jiedao_core::{Capability, RefusalKind, Role};
use jiedao_store::users::{self, NewUser, UserView};
use jiedao_store::{departments, org, personal};
use serde::Deserialize;

use crate::AppState;
use crate::context::{SignedIn, Staff};
use crate::failure::Failure;
use crate::tr::Tr;
use crate::widgets::choice::Choice;
use crate::widgets::layout::{Chrome, Refused, render_form};
use crate::widgets::table::{Cell, Row, Table};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    org_code: String,
    #[serde(default)]
    department: String,
}

pub struct CreateForm {
    values: UserForm,
    roles: Vec<Choice>,
    units: Vec<Choice>,
    departments: Vec<Choice>,
    error: Option<Refused>,
}

#[derive(Template)]
#[template(path = "users/users.html")]
struct UsersPage {
    chrome: Chrome,
    table: Table,
    create: Option<CreateForm>,
}

fn status_text(tr: Tr, user: &UserView, now: chrono::DateTime<chrono::Utc>) -> String {
    match user.locked_until.filter(|until| *until > now) {
        Some(until) => tr.f(
            "users.locked_until",
            &[(
                "until",
                until.with_timezone(&CHINA).format("%H:%M").to_string(),
            )],
        ),
        None if user.active => tr.t("users.active").to_owned(),
        None => tr.t("users.inactive").to_owned(),
    }
}

fn users_table(tr: Tr, users: &[UserView], now: chrono::DateTime<chrono::Utc>) -> Table {
    let rows = users
        .iter()
        .map(|user| {
            Row::new(vec![
                Cell::ui(user.username.clone()).link(format!("/users/{}", user.username)),
                Cell::user(user.display_name.clone()),
                Cell::ui(tr.t(user.role.label_key())),
                Cell::user(user.org_name.clone()),
                Cell::user(user.department_name.clone().unwrap_or_default()),
                Cell::ui(status_text(tr, user, now)),
            ])
        })
        .collect();
    Table::new(
        vec![
            tr.t("field.username_label"),
            tr.t("field.display_name_label"),
            tr.t("users.role"),
            tr.t("users.unit"),
            tr.t("users.department"),
            tr.t("users.status"),
        ],
        rows,
        tr.t("users.none"),
    )
}

/// Builds the list page, with the creation form for those who may create users.
async fn list_page(
    app: &AppState,
    me: &SignedIn,
    values: UserForm,
    error: Option<Refused>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let refused = error.as_ref().map(|e| e.kind);
    let scope = me.scope();
    let manage = me.principal.role().can(Capability::ManageUsers);
    let (people, units, departments) = app
        .store
        .read(move |conn| {
            let people = users::list(conn, &scope)?;
            let (units, departments) = if manage {
                (
                    org::list(conn, &scope, None)?,
                    departments::list(conn, &scope)?,
                )
            } else {
                (Vec::new(), Vec::new())
            };
            Ok((people, units, departments))
        })
        .await?;
    let create = manage.then(|| CreateForm {
        roles: Role::ALL
            .iter()
            .map(|role| Choice {
                value: role.as_str().into(),
                label: tr.t(role.label_key()).into(),
                selected: values.role == role.as_str(),
            })
            .collect(),
        units: units
            .iter()
            .map(|unit| Choice {
                value: unit.code.clone(),
                label: format!(
                    "{} {} ({})",
                    unit.code,
                    unit.name,
                    tr.t(unit.kind.label_key())
                ),
                selected: values.org_code == unit.code,
            })
            .collect(),
        departments: departments
            .iter()
            .map(|department| Choice {
                value: department.name.clone(),
                label: department.name.clone(),
                selected: values.department == department.name,
            })
            .collect(),
        values,
        error,
    });
    render_form(
        &UsersPage {
            chrome: Chrome::new(&me.ctx, tr.t("users.title")),
            table: users_table(tr, &people, app.store.now()),
            create,
        },
        refused,
    )
}

pub async fn list(State(app): State<AppState>, Staff(me): Staff) -> Result<Response, Failure> {
    list_page(&app, &me, UserForm::default(), None).await
}

#[derive(Debug, Deserialize)]
pub struct CreateUserForm {
    #[serde(flatten)]
    user: UserForm,
    #[serde(default)]
    password: String,
}

pub async fn create(
    State(app): State<AppState>,
    Staff(me): Staff,
    Form(form): Form<CreateUserForm>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let values = form.user.clone();
    let Ok(role) = Role::parse(&form.user.role) else {
        let refused = Refused::new(RefusalKind::Invalid, tr.t("users.choose_role"));
        return list_page(&app, &me, values, Some(refused)).await;
    };
    let new = NewUser {
        username: form.user.username.clone(),
        display_name: form.user.display_name.clone(),
        role,
        org_code: form.user.org_code.clone(),
        department: Some(form.user.department.clone()).filter(|d| !d.trim().is_empty()),
        password: form.password,
    };
    match app.store.create_user(&me.scope(), me.actor(), new).await {
        Ok(_) => {
            let username = users::normalize_username(&form.user.username).unwrap_or_default();
            Ok(Redirect::to(&format!("/users/{username}")).into_response())
        }
        Err(jiedao_store::StoreError::Refused(refusal)) => {
            if matches!(refusal, jiedao_store::Refusal::NotAllowed) {
                return Err(refusal.into());
            }
            list_page(&app, &me, values, Some(Refused::of(&refusal, me.ctx.lang))).await
        }
        Err(fault) => Err(fault.into()),
    }
}

#[derive(Template)]
#[template(path = "users/user.html")]
struct UserPage {
    chrome: Chrome,
    user: UserView,
    role: &'static str,
    kind: &'static str,
    status: String,
    created: String,
    /// A resident on their own page: offered their data and its erasure.
    own_data: bool,
    /// For administrators: unlock, reset the password, disable or enable, change the role.
    manage: Option<super::manage::Manage>,
}

/// One user's details: one's own, or within reach for roles that see users.
pub async fn show(
    State(app): State<AppState>,
    me: SignedIn,
    Path(username): Path<String>,
    Query(shown): Query<super::manage::Shown>,
) -> Result<Response, Failure> {
    let done = shown.done(me.ctx.tr());
    user_page(&app, &me, &username, super::manage::Outcome::Done(done)).await
}

/// The page of the user named `username`, with what the last administrative step did or why
/// it was refused.
pub async fn user_page(
    app: &AppState,
    me: &SignedIn,
    username: &str,
    outcome: super::manage::Outcome,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let scope = me.scope();
    let manages = me.principal.role().can(Capability::ManageUsers);
    let username = username.to_owned();
    let (user, departments) = app
        .store
        .read(move |conn| {
            let user = users::get_by_username(conn, &scope, &username)?;
            let departments = if manages {
                departments::list(conn, &scope)?
            } else {
                Vec::new()
            };
            Ok((user, departments))
        })
        .await?;
    let refused = outcome.refused_kind();
    let manage = (manages && me.principal.user_id() != Some(user.id))
        .then(|| super::manage::Manage::new(tr, &user, &departments, app.store.now(), outcome));
    render_form(
        &UserPage {
            chrome: Chrome::for_record(&me.ctx, user.display_name.clone()),
            role: tr.t(user.role.label_key()),
            kind: tr.t(user.org_kind.label_key()),
            status: status_text(tr, &user, app.store.now()),
            created: user
                .created_at
                .with_timezone(&CHINA)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            own_data: user.role.can(Capability::TakeOutOwnData)
                && me.principal.user_id() == Some(user.id),
            manage,
            user,
        },
        refused,
    )
}

/// Everything held about the signed-in resident, as a JSON download (the export is logged).
pub async fn my_data(State(app): State<AppState>, me: SignedIn) -> Result<Response, Failure> {
    let (principal, at, ip) = (me.principal.clone(), app.store.now(), me.ctx.ip.clone());
    let data = app
        .store
        .write(move |conn| personal::export(conn, &principal, at, ip.clone()))
        .await?;
    let body = serde_json::to_vec_pretty(&data).map_err(|_| Failure::Internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"jiedao-my-data.json\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// Erases the signed-in resident's personal data when they confirm with their password; the
/// cases they reported stay, anonymous. Signs them out.
pub async fn erase_me(
    State(app): State<AppState>,
    me: SignedIn,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Result<Response, Failure> {
    let password = form.get("password").cloned().unwrap_or_default();
    let (principal, at, ip) = (me.principal.clone(), app.store.now(), me.ctx.ip.clone());
    app.store
        .write(move |conn| personal::erase(conn, &principal, &password, at, ip.clone()))
        .await?;
    Ok(Redirect::to("/login").into_response())
}

/// One's own details (我的信息).
pub async fn me(State(app): State<AppState>, me: SignedIn) -> Result<Response, Failure> {
    let username = me.principal.username().to_owned();
    user_page(&app, &me, &username, super::manage::Outcome::Done(None)).await
}
