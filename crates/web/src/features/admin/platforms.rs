//! Platform sets (平台分组): the groupings of departments a province prescribes (Zhejiang's 2016
//! and 2021 sets are seeded). Administrators see every set with its platforms and, for the
//! active set, the departments on each; they switch the set a street works by. Each platform
//! shows its `SET:PLATFORM` code, as `jiedao department add --platform` takes it.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jiedao_core::Lang;
use jiedao_store::departments;
use serde::Deserialize;

use super::pages::require;
use crate::AppState;
use crate::context::Staff;
use crate::failure::Failure;
use crate::widgets::layout::{Chrome, render};
use crate::widgets::table::{Cell, Row, Table};

/// One set as shown: its name, whether it is active, its platforms.
struct SetView {
    code: String,
    name: String,
    active: bool,
    table: Table,
}

#[derive(Template)]
#[template(path = "admin/platforms.html")]
struct PlatformsPage {
    chrome: Chrome,
    sets: Vec<SetView>,
}

pub async fn list(State(app): State<AppState>, me: Staff) -> Result<Response, Failure> {
    require(&me)?;
    let tr = me.0.ctx.tr();
    let scope = me.0.scope();
    let (sets, all_departments) = app
        .store
        .read(move |conn| {
            Ok((
                departments::platform_sets(conn)?,
                departments::list(conn, &scope)?,
            ))
        })
        .await?;
    let english = me.0.ctx.lang == Lang::En;
    let sets = sets
        .into_iter()
        .map(|set| {
            let rows = set
                .platforms
                .iter()
                .map(|platform| {
                    let members: Vec<&str> = all_departments
                        .iter()
                        .filter(|d| set.active && d.platforms.contains(&platform.name))
                        .map(|d| d.name.as_str())
                        .collect();
                    Row::new(vec![
                        Cell::ui(format!("{}:{}", set.code, platform.code)).class("mono"),
                        Cell::ui(if english {
                            &platform.name_en
                        } else {
                            &platform.name
                        }),
                        Cell::user(members.join("、")),
                    ])
                })
                .collect();
            SetView {
                code: set.code,
                name: if english { set.name_en } else { set.name },
                active: set.active,
                table: Table::new(
                    vec![
                        tr.t("platforms.code"),
                        tr.t("platforms.platform"),
                        tr.t("platforms.departments"),
                    ],
                    rows,
                    tr.t("platforms.none"),
                ),
            }
        })
        .collect();
    render(&PlatformsPage {
        chrome: Chrome::new(&me.0.ctx, tr.t("platforms.title")),
        sets,
    })
}

#[derive(Debug, Deserialize)]
pub struct ActivateForm {
    code: String,
}

pub async fn activate(
    State(app): State<AppState>,
    me: Staff,
    Form(form): Form<ActivateForm>,
) -> Result<Response, Failure> {
    require(&me)?;
    let (scope, actor, at) = (me.0.scope(), me.0.actor(), app.store.now());
    app.store
        .write(move |conn| departments::activate_platform_set(conn, &scope, &actor, at, &form.code))
        .await?;
    Ok(Redirect::to("/admin/platforms").into_response())
}
