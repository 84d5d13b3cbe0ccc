//! A person's page: their file across domains (一人一档): who they are (masked), their tags
//! (重点人员 only for roles that may see it), where they lived and rented over time, the cases
//! that name them, and the history of their record. A role that needs the whole ID number and
//! phone reveals them with a button; each reveal is written to the audit log.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiedao_core::Capability;
use jiedao_store::StoreError;
use jiedao_store::registry::links::{self, LinkedCase};
use jiedao_store::registry::persons::{self, PersonRow, Revealed, Tag};
use jiedao_store::registry::places::{self, Occupation, Stay};
use jiedao_store::registry::{self, Event, PERSONS};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::context::{SignedIn, Staff};
use crate::failure::Failure;
use crate::tr::Tr;
use crate::widgets::layout::{Chrome, Refused, render_form};
use crate::widgets::present::time;
use crate::widgets::table::{Cell, Row, Table};

/// A person's or a place's page.
#[derive(Template)]
#[template(path = "registry/record.html")]
pub(super) struct RecordPage {
    pub chrome: Chrome,
    pub back: &'static str,
    pub error: Option<Refused>,
    pub facts: Vec<(&'static str, String, bool)>,
    pub revealed: bool,
    pub reveal: Option<String>,
    pub sections: Vec<(&'static str, Table)>,
    pub link: Option<String>,
}

pub(super) fn id_of(text: &str) -> Result<Uuid, Failure> {
    text.parse().map_err(|_| {
        Failure::Refused(jiedao_store::Refusal::NotFound {
            what: "noun.person",
            key: text.to_owned(),
        })
    })
}

/// Everything a person's page shows.
struct File {
    person: PersonRow,
    tags: Vec<Tag>,
    stays: Vec<Stay>,
    cases: Vec<LinkedCase>,
    history: Vec<Event>,
}

async fn file(app: &AppState, me: &SignedIn, id: Uuid) -> Result<File, Failure> {
    let (principal, today) = (me.principal.clone(), app.store.now().date_naive());
    Ok(app
        .store
        .read(move |conn| {
            let scope = principal.scope();
            let person = persons::get(conn, &scope, id, today)?;
            Ok(File {
                tags: persons::tags(conn, &scope, id)?,
                stays: places::stays_of(conn, id)?,
                cases: links::cases_naming(conn, &principal, id)?,
                history: registry::history_of(conn, &PERSONS, id)?,
                person,
            })
        })
        .await?)
}

pub(super) fn stay_table(tr: Tr, stays: &[Stay], by_place: bool) -> Table {
    let rows = stays
        .iter()
        .map(|s| {
            let role = Occupation::parse(&s.role).map_or("", |r| tr.t(r.label_key()));
            Row::new(vec![
                if by_place {
                    Cell::user(s.address.clone()).link(format!("/registry/places/{}", s.place_id))
                } else {
                    Cell::user(s.person_name.clone())
                        .link(format!("/registry/persons/{}", s.person_id))
                },
                Cell::ui(role),
                Cell::ui(s.from.to_string()),
                Cell::ui(s.to.map(|d| d.to_string()).unwrap_or_default()),
            ])
        })
        .collect();
    Table::new(
        vec![
            tr.t(if by_place {
                "registry.address"
            } else {
                "registry.name"
            }),
            tr.t("registry.role"),
            tr.t("registry.from"),
            tr.t("registry.to"),
        ],
        rows,
        tr.t("registry.none"),
    )
}

pub(super) fn case_table(tr: Tr, cases: &[LinkedCase]) -> Table {
    let rows = cases
        .iter()
        .map(|c| {
            Row::new(vec![
                Cell::ui(c.number.clone()).link(format!("/cases/{}", c.id)),
                Cell::ui(time(c.reported_at)),
                Cell::user(c.description.clone()),
            ])
        })
        .collect();
    Table::new(
        vec![
            tr.t("case.number"),
            tr.t("registry.reported_at"),
            tr.t("registry.description"),
        ],
        rows,
        tr.t("registry.no_cases"),
    )
}

pub(super) fn history_table(tr: Tr, history: &[Event], may_see_key: bool) -> Table {
    let rows = history
        .iter()
        .rev()
        .filter(|e| {
            // A restricted tag's entry is not shown to those who may not see the tag.
            may_see_key
                || !matches!(&e.change, registry::Change::Tagged { tag, .. }
                    if persons::tag_kind(tag).is_ok_and(|k| k.restricted))
        })
        .map(|e| {
            Row::new(vec![
                Cell::ui(time(e.at)),
                Cell::user(e.actor.name.clone()),
                Cell::ui(
                    tr.t(&format!(
                        "registry.action_{}",
                        jiedao_core::ledger::RecordChange::action(&e.change)
                    ))
                    .to_owned(),
                ),
            ])
        })
        .collect();
    Table::new(
        vec![
            tr.t("registry.at"),
            tr.t("registry.by"),
            tr.t("registry.change"),
        ],
        rows,
        tr.t("registry.none"),
    )
}

async fn show(
    app: &AppState,
    me: &SignedIn,
    id: Uuid,
    revealed: Option<Revealed>,
    error: Option<Refused>,
) -> Result<Response, Failure> {
    me.require(Capability::ViewRegistry)?;
    let tr = me.ctx.tr();
    let file = file(app, me, id).await?;
    let p = &file.person;
    let kind = jiedao_core::registry::DocumentKind::parse(&p.document_kind)
        .map_or("", |k| tr.t(k.label_key()));
    let (document, phone) = match &revealed {
        Some(whole) => (whole.document.clone(), whole.phone.clone()),
        None => (p.document.clone(), p.phone.clone()),
    };
    let facts = vec![
        (tr.t("registry.document_kind"), kind.to_owned(), false),
        (tr.t("registry.document"), document, false),
        (tr.t("registry.phone"), phone.unwrap_or_default(), false),
        (
            tr.t("registry.sex"),
            tr.t(super::lists::sex_key(p.sex.as_deref())).to_owned(),
            false,
        ),
        (
            tr.t("registry.birth_date"),
            p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            false,
        ),
        (
            tr.t("registry.address"),
            p.address.clone().unwrap_or_default(),
            true,
        ),
        (
            tr.t("registry.household"),
            p.household.clone().unwrap_or_default(),
            true,
        ),
    ];
    let kinds = persons::tag_kinds();
    let tag_rows = file
        .tags
        .iter()
        .map(|t| {
            let name = kinds
                .iter()
                .find(|k| k.code == t.kind)
                .map_or(t.kind.clone(), |k| k.name(tr.lang()).to_owned());
            let source = jiedao_core::registry::TagSource::parse(&t.source)
                .map_or("", |s| tr.t(s.label_key()));
            Row::new(vec![
                Cell::user(name),
                Cell::ui(source),
                Cell::ui(t.first.to_string()),
                Cell::ui(t.last.map(|d| d.to_string()).unwrap_or_default()),
            ])
        })
        .collect();
    let tags = Table::new(
        vec![
            tr.t("registry.tag"),
            tr.t("registry.source"),
            tr.t("registry.from"),
            tr.t("registry.to"),
        ],
        tag_rows,
        tr.t("registry.none"),
    );
    let role = me.principal.role();
    let sections = vec![
        (tr.t("registry.tags"), tags),
        (tr.t("registry.stays"), stay_table(tr, &file.stays, true)),
        (tr.t("registry.cases"), case_table(tr, &file.cases)),
        (
            tr.t("registry.history"),
            history_table(tr, &file.history, role.can(Capability::ViewKeyPersons)),
        ),
    ];
    let refused = error.as_ref().map(|e| e.kind);
    render_form(
        &RecordPage {
            chrome: Chrome::for_record(&me.ctx, p.name.clone()),
            back: "/registry",
            error,
            facts,
            revealed: revealed.is_some(),
            reveal: (revealed.is_none() && role.can(Capability::RevealPersonalData))
                .then(|| format!("/registry/persons/{id}/reveal")),
            sections,
            link: role
                .can(Capability::ManageRegistry)
                .then(|| format!("/registry/link/person/{id}")),
        },
        refused,
    )
}

pub async fn page(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    show(&app, &me, id_of(&id)?, None, None).await
}

/// Shows the whole ID number and phone once, and writes the view to the audit log.
pub async fn reveal(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = id_of(&id)?;
    let (principal, at, ip) = (me.principal.clone(), app.store.now(), me.ctx.ip.clone());
    let whole = app
        .store
        .write(move |conn| persons::reveal(conn, &principal, id, at, ip.clone()))
        .await?;
    show(&app, &me, id, Some(whole), None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    case: String,
}

/// Names a record in a case (by the case's number).
pub async fn link(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path((kind, id)): Path<(String, String)>,
    Form(form): Form<LinkForm>,
) -> Result<Response, Failure> {
    me.require(Capability::ManageRegistry)?;
    let id = id_of(&id)?;
    let (principal, at, ip) = (me.principal.clone(), app.store.now(), me.ctx.ip.clone());
    let record_kind = kind.clone();
    let written = app
        .store
        .write(move |conn| {
            links::link_by_number(
                conn,
                &principal,
                at,
                ip.clone(),
                &form.case,
                &record_kind,
                id,
            )
        })
        .await;
    let back = if kind == "person" {
        format!("/registry/persons/{id}")
    } else {
        format!("/registry/places/{id}")
    };
    match written {
        Ok(()) => Ok(Redirect::to(&back).into_response()),
        Err(StoreError::Refused(refusal)) if kind == "person" => {
            show(
                &app,
                &me,
                id,
                None,
                Some(Refused::of(&refusal, me.ctx.lang)),
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}
