//! The disputes' list (矛盾纠纷台账) within the reader's reach, filtered by state, type, risk,
//! place, registration days and outcome (the figures page links here with exactly the
//! disputes a figure counts); the registration form (调解登记); the list as .xlsx with the
//! reader's headers.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use jiedao_core::dispute::{DisputeState, Risk, Source};
use jiedao_core::ledger::Light;
use jiedao_core::ledger::RecordState;
use jiedao_core::money::Money;
use jiedao_core::{Capability, Lang};
use jiedao_reports::workbook::{self, Value};
use jiedao_store::disputes::read::Kind;
use jiedao_store::disputes::{self, DisputeFilter, DisputeRow, NewDispute};
use jiedao_store::{Refusal, StoreError};
use serde::Deserialize;

use super::body::RegisterBody;
use crate::AppState;
use crate::context::{SignedIn, Staff};
use crate::failure::Failure;
use crate::tr::Tr;
use crate::widgets::choice::Choice;
use crate::widgets::layout::{Chrome, Refused, render_form};
use crate::widgets::present::time_opt;
use crate::widgets::table::{Cell, Row, Table};

/// Rows a page shows.
const PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "disputes/list.html")]
struct ListPage {
    chrome: Chrome,
    tabs: Vec<(&'static str, &'static str, bool)>,
    states: Vec<Choice>,
    kinds: Vec<Choice>,
    risks: Vec<Choice>,
    settled: Vec<Choice>,
    lights: Vec<Choice>,
    from: String,
    to: String,
    number: String,
    error: Option<Refused>,
    register: bool,
    sources: Vec<Choice>,
    table: Table,
    export: String,
    more: Option<String>,
}

/// The list's filters as a query string carries them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub settled: String,
    #[serde(default)]
    pub under: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub number: String,
    /// `red`, `yellow` or `green`: the running clock's light now.
    #[serde(default)]
    pub light: String,
    #[serde(default)]
    pub page: i64,
}

impl ListQuery {
    pub fn filter(&self, limit: i64, now: DateTime<Utc>) -> DisputeFilter {
        let filled = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        let date = |t: &str| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok();
        DisputeFilter {
            state: DisputeState::parse(self.state.trim()),
            kind: filled(&self.kind),
            risk: Risk::parse(&self.risk),
            under: filled(&self.under),
            from: date(&self.from),
            to: date(&self.to),
            settled: match self.settled.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            escalated: None,
            pending: false,
            light: Light::parse(self.light.trim()).map(|light| (light, now)),
            number: filled(&self.number),
            offset: self.page.max(0) * PAGE,
            limit,
        }
    }

    fn args(&self, page: i64) -> String {
        let p = crate::download::percent;
        format!(
            "state={}&kind={}&risk={}&settled={}&under={}&from={}&to={}&number={}&light={}&page={page}",
            p(&self.state),
            p(&self.kind),
            p(&self.risk),
            p(&self.settled),
            p(&self.under),
            p(&self.from),
            p(&self.to),
            p(&self.number),
            p(&self.light)
        )
    }
}

pub(super) fn tabs(tr: Tr, here: &str) -> Vec<(&'static str, &'static str, bool)> {
    [
        ("/disputes", "dispute.ledger"),
        ("/disputes/figures", "dispute.figures"),
        ("/disputes/import", "dispute.import"),
    ]
    .into_iter()
    .map(|(href, key)| (href, tr.t(key), href == here))
    .collect()
}

pub(crate) async fn kinds(app: &AppState) -> Result<Vec<Kind>, Failure> {
    Ok(app.store.read(disputes::read::kinds).await?)
}

pub(super) fn kind_name(kinds: &[Kind], code: &str, lang: Lang) -> String {
    kinds
        .iter()
        .find(|k| k.code == code)
        .map_or_else(|| code.to_owned(), |k| k.name(lang).to_owned())
}

fn choices<T: Copy + PartialEq>(
    tr: Tr,
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    selected: &str,
    any: bool,
) -> Vec<Choice> {
    let first = any.then(|| Choice::new("", tr.t("dispute.any"), selected.is_empty()));
    first
        .into_iter()
        .chain(
            all.iter()
                .map(|v| Choice::new(code(*v), tr.t(label(*v)), code(*v) == selected)),
        )
        .collect()
}

fn kind_choices(tr: Tr, kinds: &[Kind], selected: &str, any: bool) -> Vec<Choice> {
    let first = any.then(|| Choice::new("", tr.t("dispute.any"), selected.is_empty()));
    first
        .into_iter()
        .chain(kinds.iter().map(|k| {
            let name = if k.parent.is_some() {
                format!("— {}", k.name(tr.lang()))
            } else {
                k.name(tr.lang()).to_owned()
            };
            Choice::new(k.code.clone(), name, k.code == selected)
        }))
        .collect()
}

pub(super) const HEADS: [&str; 8] = [
    "dispute.number",
    "dispute.registered_on",
    "dispute.kind",
    "dispute.parties",
    "dispute.amount",
    "dispute.risk",
    "dispute.state",
    "dispute.deadline",
];

/// The disputes found, as the list and the leader's inbox show them.
pub(crate) fn table(tr: Tr, kinds: &[Kind], found: &[DisputeRow]) -> Table {
    Table::new(
        HEADS.into_iter().map(|k| tr.t(k)).collect(),
        rows(tr, kinds, found),
        tr.t("dispute.none"),
    )
}

fn rows(tr: Tr, kinds: &[Kind], found: &[DisputeRow]) -> Vec<Row> {
    found
        .iter()
        .map(|d| {
            let risk = Risk::parse(&d.risk).map_or("", |r| tr.t(r.label_key()));
            Row::new(vec![
                Cell::ui(d.number.clone()).link(format!("/disputes/{}", d.id)),
                Cell::ui(d.registered_on.to_string()),
                Cell::user(kind_name(kinds, &d.kind, tr.lang())),
                Cell::user(d.parties.join("、")),
                Cell::ui(Money::from_fen(d.amount_fen).text(tr.lang())),
                Cell::ui(risk).class(&format!("risk-{}", d.risk)),
                Cell::ui(tr.t(d.state.label_key())),
                Cell::ui(time_opt(d.deadline)),
            ])
        })
        .collect()
}

async fn found(
    app: &AppState,
    me: &SignedIn,
    filter: DisputeFilter,
) -> Result<(Vec<DisputeRow>, bool), Failure> {
    let scope = me.scope();
    Ok(app
        .store
        .read(move |conn| disputes::read::list(conn, &scope, &filter))
        .await?)
}

async fn show(
    app: &AppState,
    me: &SignedIn,
    query: &ListQuery,
    error: Option<Refused>,
) -> Result<Response, Failure> {
    me.require(Capability::ViewDisputes)?;
    let tr = me.ctx.tr();
    let kinds = kinds(app).await?;
    let (found, more) = found(app, me, query.filter(PAGE, app.store.now())).await?;
    let refused = error.as_ref().map(|e| e.kind);
    render_form(
        &ListPage {
            chrome: Chrome::new(&me.ctx, tr.t("dispute.title")),
            tabs: tabs(tr, "/disputes"),
            states: choices(
                tr,
                DisputeState::ALL,
                DisputeState::as_str,
                DisputeState::label_key,
                &query.state,
                true,
            ),
            kinds: kind_choices(tr, &kinds, &query.kind, true),
            risks: choices(
                tr,
                Risk::ALL,
                Risk::as_str,
                Risk::label_key,
                &query.risk,
                true,
            ),
            settled: [
                ("", "dispute.any"),
                ("yes", "dispute.settled_yes"),
                ("no", "dispute.settled_no"),
            ]
            .into_iter()
            .map(|(v, k)| Choice::new(v, tr.t(k), query.settled == v))
            .collect(),
            lights: std::iter::once(("", "dispute.any"))
                .chain(
                    [Light::Red, Light::Yellow, Light::Green].map(|l| (l.as_str(), l.label_key())),
                )
                .map(|(v, k)| Choice::new(v, tr.t(k), query.light == v))
                .collect(),
            from: query.from.clone(),
            to: query.to.clone(),
            number: query.number.clone(),
            error,
            register: me.principal.role().can(Capability::RegisterDisputes),
            sources: choices(
                tr,
                Source::ALL,
                Source::as_str,
                Source::label_key,
                "walk_in",
                false,
            ),
            table: table(tr, &kinds, &found),
            export: format!("/disputes/export.xlsx?{}", query.args(0)),
            more: more.then(|| format!("/disputes?{}", query.args(query.page + 1))),
        },
        refused,
    )
}

pub async fn page(
    State(app): State<AppState>,
    Staff(me): Staff,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    show(&app, &me, &query, None).await
}

/// Registers a dispute from the form and shows its page; a refusal shows the list again.
pub async fn register(
    State(app): State<AppState>,
    Staff(me): Staff,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, Failure> {
    me.require(Capability::RegisterDisputes)?;
    let registered = match NewDispute::try_from(RegisterBody::from_form(&form)) {
        Ok(new) => {
            app.store
                .register_dispute(me.principal.clone(), me.ctx.ip.clone(), new)
                .await
        }
        Err(refusal) => Err(StoreError::Refused(refusal)),
    };
    match registered {
        Ok((id, _)) => Ok(Redirect::to(&format!("/disputes/{id}")).into_response()),
        Err(StoreError::Refused(refusal)) => {
            let error = Refused::of(&refusal, me.ctx.lang);
            show(&app, &me, &ListQuery::default(), Some(error)).await
        }
        Err(fault) => Err(fault.into()),
    }
}

/// The list as .xlsx with the reader's headers (at most 5,000 rows).
pub async fn export(
    State(app): State<AppState>,
    Staff(me): Staff,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    me.require(Capability::ViewDisputes)?;
    let tr = me.ctx.tr();
    let kinds = kinds(&app).await?;
    let query = ListQuery { page: 0, ..query };
    let (found, _) = found(&app, &me, query.filter(5_000, app.store.now())).await?;
    let headers: Vec<String> = HEADS.into_iter().map(|k| tr.t(k).to_owned()).collect();
    let rows: Vec<Vec<Value>> = found
        .iter()
        .map(|d| {
            vec![
                Value::Text(d.number.clone()),
                Value::Text(d.registered_on.to_string()),
                Value::Text(kind_name(&kinds, &d.kind, tr.lang())),
                Value::Text(d.parties.join("、")),
                Value::Text(Money::from_fen(d.amount_fen).text(tr.lang())),
                Value::Text(
                    Risk::parse(&d.risk)
                        .map_or("", |r| tr.t(r.label_key()))
                        .to_owned(),
                ),
                Value::Text(tr.t(d.state.label_key()).to_owned()),
                Value::Text(time_opt(d.deadline)),
            ]
        })
        .collect();
    let sheet = tr.t("dispute.title");
    let bytes = workbook::xlsx(sheet, &headers, &rows).map_err(|error| {
        tracing::error!(%error, "writing the workbook");
        Failure::Internal
    })?;
    Ok(crate::download::attachment(
        bytes,
        crate::download::Kind::Xlsx,
        "disputes",
        sheet,
    ))
}

/// Refuses a dispute id that does not read, as if it were not there.
pub(super) fn id_of(text: &str) -> Result<uuid::Uuid, Failure> {
    text.parse().map_err(|_| {
        Failure::Refused(Refusal::NotFound {
            what: "noun.dispute",
            key: text.to_owned(),
        })
    })
}
