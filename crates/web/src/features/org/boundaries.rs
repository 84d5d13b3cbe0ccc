//! Uploading grid boundaries (导入网格边界): an administrator sends a GeoJSON file and sees
//! either what was loaded or every problem found, each with the feature and code it concerns;
//! a file with any problem loads nothing.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Response;
use jiedao_core::i18n::Localized;
use jiedao_core::{Capability, RefusalKind};
use jiedao_store::{Refusal, StoreError};

use crate::AppState;
use crate::context::{SignedIn, Staff};
use crate::failure::Failure;
use crate::upload;
use crate::widgets::layout::{Chrome, Refused, render_form};

#[derive(Template)]
#[template(path = "org/boundaries.html")]
struct BoundariesPage {
    chrome: Chrome,
    csrf: String,
    /// What was loaded, when it was.
    loaded: Option<String>,
    /// Why nothing was loaded, when it was not.
    problems: Vec<String>,
    error: Option<Refused>,
}

fn page(
    me: &SignedIn,
    loaded: Option<String>,
    problems: Vec<String>,
    error: Option<Refused>,
) -> Result<Response, Failure> {
    let refused = error
        .as_ref()
        .map(|e| e.kind)
        .or_else(|| (!problems.is_empty()).then_some(RefusalKind::Invalid));
    render_form(
        &BoundariesPage {
            chrome: Chrome::new(&me.ctx, me.ctx.tr().t("boundaries.title")),
            csrf: me.ctx.csrf_token.clone(),
            loaded,
            problems,
            error,
        },
        refused,
    )
}

pub async fn form(Staff(me): Staff) -> Result<Response, Failure> {
    me.require(Capability::ManageOrg)?;
    page(&me, None, Vec::new(), None)
}

pub async fn submit(
    State(app): State<AppState>,
    Staff(me): Staff,
    multipart: Multipart,
) -> Result<Response, Failure> {
    me.require(Capability::ManageOrg)?;
    let tr = me.ctx.tr();
    let form = upload::read(multipart).await?;
    let Some(bytes) = form.file("file") else {
        return page(
            &me,
            None,
            Vec::new(),
            Some(Refused::new(
                RefusalKind::Invalid,
                tr.t("boundaries.no_file"),
            )),
        );
    };
    let Ok(text) = String::from_utf8(bytes.to_vec()) else {
        return page(
            &me,
            None,
            Vec::new(),
            Some(Refused::new(
                RefusalKind::Invalid,
                tr.t("boundaries.not_text"),
            )),
        );
    };
    let scope = me.principal.scope();
    match app
        .store
        .import_boundaries(&scope, me.principal.actor(me.ctx.ip.clone()), text)
        .await
    {
        Ok(summary) => {
            let loaded = tr.f(
                "boundaries.loaded",
                &[
                    ("created", summary.created.len().to_string()),
                    ("updated", summary.updated.len().to_string()),
                    ("area", format!("{:.2}", summary.area_m2 / 1_000_000.0)),
                ],
            );
            page(&me, Some(loaded), Vec::new(), None)
        }
        Err(StoreError::Refused(Refusal::Boundaries(problems))) => page(
            &me,
            None,
            problems.iter().map(|p| p.localize(me.ctx.lang)).collect(),
            None,
        ),
        Err(StoreError::Refused(refusal)) => page(
            &me,
            None,
            Vec::new(),
            Some(Refused::of(&refusal, me.ctx.lang)),
        ),
        Err(fault) => Err(fault.into()),
    }
}
