//! The registry's lists: persons (masked) searched by name prefix, address, the whole ID
//! number, the whole phone, or a tag; places by address; office buildings with a year's tax
//! and band; enterprises by name prefix or credit code; components by class. Persons export
//! to .xlsx with the reader's headers, still masked.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use jiedao_core::registry::DocumentKind;
use jiedao_core::registry::TaxBands;
use jiedao_core::{Capability, Lang};
use jiedao_reports::workbook::{self, Value};
use jiedao_store::StoreError;
use jiedao_store::registry::components;
use jiedao_store::registry::enterprises::{self, FindEnterprise};
use jiedao_store::registry::persons::{self, Find, NewPerson, PersonRow};
use jiedao_store::registry::places::{self, PlaceQuery};
use serde::Deserialize;

use crate::AppState;
use crate::context::{SignedIn, Staff};
use crate::failure::Failure;
use crate::tr::Tr;
use crate::widgets::choice::Choice;
use crate::widgets::layout::{Chrome, Refused, render, render_form};
use crate::widgets::table::{Cell, Row, Table};

/// Rows a page shows.
const PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "registry/lists.html")]
struct ListPage {
    chrome: Chrome,
    tabs: Vec<(&'static str, &'static str, bool)>,
    action: &'static str,
    choices: Vec<Choice>,
    search_label: &'static str,
    q: String,
    summary: Option<String>,
    error: Option<Refused>,
    /// The form adding a person, for those who keep the registry.
    add_person: bool,
    document_kinds: Vec<Choice>,
    table: Table,
    export: Option<String>,
    more: Option<String>,
}

/// A list's search.
#[derive(Debug, Default, Deserialize)]
pub struct Search {
    #[serde(default)]
    by: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: i64,
    #[serde(default)]
    year: Option<i32>,
}

fn tabs(tr: Tr, here: &str) -> Vec<(&'static str, &'static str, bool)> {
    [
        ("/registry", "registry.persons"),
        ("/registry/places", "registry.places"),
        ("/registry/buildings", "registry.buildings"),
        ("/registry/enterprises", "registry.enterprises"),
        ("/registry/components", "registry.components"),
        ("/registry/import", "registry.import"),
    ]
    .into_iter()
    .map(|(href, key)| (href, tr.t(key), href == here))
    .collect()
}

fn page(
    me: &SignedIn,
    here: &'static str,
    title: &'static str,
    search: &Search,
    choices: Vec<Choice>,
    table: Table,
    more: bool,
) -> Result<Response, Failure> {
    page_with(me, here, title, search, choices, table, more, None)
}

#[expect(clippy::too_many_arguments, reason = "the parts of a list page")]
fn page_with(
    me: &SignedIn,
    here: &'static str,
    title: &'static str,
    search: &Search,
    choices: Vec<Choice>,
    table: Table,
    more: bool,
    error: Option<Refused>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let args = |page: i64| {
        format!(
            "by={}&q={}&page={page}",
            crate::download::percent(&search.by),
            crate::download::percent(&search.q)
        )
    };
    let add_person = here == "/registry" && me.principal.role().can(Capability::ManageRegistry);
    let refused = error.as_ref().map(|e| e.kind);
    render_form(
        &ListPage {
            chrome: Chrome::new(&me.ctx, tr.t(title)),
            tabs: tabs(tr, here),
            action: here,
            choices,
            search_label: tr.t("registry.query"),
            q: search.q.clone(),
            summary: None,
            error,
            add_person,
            document_kinds: DocumentKind::ALL
                .iter()
                .map(|k| {
                    Choice::new(
                        k.as_str(),
                        tr.t(k.label_key()),
                        *k == DocumentKind::ResidentId,
                    )
                })
                .collect(),
            table,
            export: (here == "/registry").then(|| format!("/registry/export.xlsx?{}", args(0))),
            more: more.then(|| format!("{here}?{}", args(search.page + 1))),
        },
        refused,
    )
}

/// What the persons list's `by` and `q` ask for.
fn find(search: &Search) -> Find {
    let q = search.q.trim().to_owned();
    if q.is_empty() {
        return Find::All;
    }
    match search.by.as_str() {
        "document" => Find::Document(q),
        "phone" => Find::Phone(q),
        "address" => Find::Address(q),
        "tag" => Find::Tag(q),
        _ => Find::NamePrefix(q),
    }
}

fn tag_names(tr: Tr, codes: &[String]) -> String {
    let kinds = persons::tag_kinds();
    codes
        .iter()
        .map(|code| {
            kinds
                .iter()
                .find(|k| &k.code == code)
                .map_or(code.clone(), |k| k.name(tr.lang()).to_owned())
        })
        .collect::<Vec<_>>()
        .join("、")
}

pub(super) fn sex_key(sex: Option<&str>) -> &'static str {
    match sex {
        Some("male") => "sex.male",
        Some("female") => "sex.female",
        _ => "registry.unknown",
    }
}

const PERSON_HEADS: [&str; 7] = [
    "registry.name",
    "registry.document",
    "registry.phone",
    "registry.sex",
    "registry.birth_date",
    "registry.address",
    "registry.tags",
];

fn person_rows(tr: Tr, rows: Vec<PersonRow>) -> Vec<Row> {
    rows.into_iter()
        .map(|p| {
            Row::new(vec![
                Cell::user(p.name.clone()).link(format!("/registry/persons/{}", p.id)),
                Cell::ui(p.document),
                Cell::ui(p.phone.unwrap_or_default()),
                Cell::ui(tr.t(sex_key(p.sex.as_deref()))),
                Cell::ui(p.birth_date.map(|d| d.to_string()).unwrap_or_default()),
                Cell::user(p.address.unwrap_or_default()),
                Cell::user(tag_names(tr, &p.tags)),
            ])
        })
        .collect()
}

async fn search_persons(
    app: &AppState,
    me: &SignedIn,
    search: &Search,
    limit: i64,
) -> Result<Vec<PersonRow>, Failure> {
    let (scope, what, today) = (me.scope(), find(search), app.store.now().date_naive());
    let offset = search.page.max(0) * PAGE;
    Ok(app
        .store
        .read(move |conn| persons::search(conn, &scope, &what, today, limit, offset))
        .await?)
}

pub async fn persons(
    State(app): State<AppState>,
    Staff(me): Staff,
    Query(search): Query<Search>,
) -> Result<Response, Failure> {
    persons_page(&app, &me, &search, None).await
}

/// A person as the form enters them.
#[derive(Debug, Default, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    document_kind: String,
    #[serde(default)]
    document: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    community: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    household: String,
}

/// Adds a person from the form, and shows their page.
pub async fn add_person(
    State(app): State<AppState>,
    Staff(me): Staff,
    Form(form): Form<PersonForm>,
) -> Result<Response, Failure> {
    me.require(Capability::ManageRegistry)?;
    let filled = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    let new = NewPerson {
        name: form.name.clone(),
        document_kind: DocumentKind::parse(&form.document_kind).unwrap_or(DocumentKind::ResidentId),
        document: form.document.clone(),
        phone: filled(&form.phone),
        house: None,
        community: filled(&form.community),
        household: filled(&form.household),
        moved_in: None,
    };
    let (principal, at, ip) = (me.principal.clone(), app.store.now(), me.ctx.ip.clone());
    let address = filled(&form.address);
    let added = app
        .store
        .write(move |conn| {
            let mut new = new.clone();
            if let Some(address) = &address {
                new.house = Some(places::find_address(conn, &principal.scope(), address)?);
            }
            persons::add(conn, &principal, at, ip.clone(), &new)
        })
        .await;
    match added {
        Ok(id) => Ok(Redirect::to(&format!("/registry/persons/{id}")).into_response()),
        Err(StoreError::Refused(refusal)) => {
            let error = Refused::of(&refusal, me.ctx.lang);
            persons_page(&app, &me, &Search::default(), Some(error)).await
        }
        Err(fault) => Err(fault.into()),
    }
}

async fn persons_page(
    app: &AppState,
    me: &SignedIn,
    search: &Search,
    error: Option<Refused>,
) -> Result<Response, Failure> {
    me.require(Capability::ViewRegistry)?;
    let tr = me.ctx.tr();
    let found = search_persons(app, me, search, PAGE + 1).await?;
    let more = found.len() > usize::try_from(PAGE).unwrap_or(0);
    let rows = person_rows(tr, found.into_iter().take(50).collect());
    let by = [
        ("name", "registry.by_name"),
        ("address", "registry.by_address"),
        ("document", "registry.by_document"),
        ("phone", "registry.by_phone"),
        ("tag", "registry.by_tag"),
    ];
    let choices = by
        .into_iter()
        .map(|(value, key)| Choice::new(value, tr.t(key), search.by == value))
        .collect();
    let table = Table::new(
        PERSON_HEADS.into_iter().map(|k| tr.t(k)).collect(),
        rows,
        tr.t("registry.none"),
    );
    page_with(
        me,
        "/registry",
        "registry.title",
        search,
        choices,
        table,
        more,
        error,
    )
}

/// The persons list as .xlsx (masked, as the page shows it; at most 5,000 rows).
pub async fn export(
    State(app): State<AppState>,
    Staff(me): Staff,
    Query(search): Query<Search>,
) -> Result<Response, Failure> {
    me.require(Capability::ViewRegistry)?;
    let tr = me.ctx.tr();
    let search = Search { page: 0, ..search };
    let found = search_persons(&app, &me, &search, 500).await?;
    let headers: Vec<String> = PERSON_HEADS
        .into_iter()
        .map(|k| tr.t(k).to_owned())
        .collect();
    let text = |v: Option<String>| v.map_or(Value::Empty, Value::Text);
    let rows: Vec<Vec<Value>> = found
        .into_iter()
        .map(|p| {
            vec![
                Value::Text(p.name),
                Value::Text(p.document),
                text(p.phone),
                Value::Text(tr.t(sex_key(p.sex.as_deref())).to_owned()),
                text(p.birth_date.map(|d| d.to_string())),
                text(p.address),
                Value::Text(tag_names(tr, &p.tags)),
            ]
        })
        .collect();
    let sheet = tr.t("registry.persons");
    let bytes = workbook::xlsx(sheet, &headers, &rows).map_err(|error| {
        tracing::error!(%error, "writing the workbook");
        Failure::Internal
    })?;
    Ok(crate::download::attachment(
        bytes,
        crate::download::Kind::Xlsx,
        "persons",
        sheet,
    ))
}

pub async fn places(
    State(app): State<AppState>,
    Staff(me): Staff,
    Query(search): Query<Search>,
) -> Result<Response, Failure> {
    me.require(Capability::ViewRegistry)?;
    let tr = me.ctx.tr();
    let query = PlaceQuery {
        address: Some(search.q.clone()),
        rented: (search.by == "rented").then_some(true),
        limit: PAGE + 1,
        offset: search.page.max(0) * PAGE,
        ..PlaceQuery::default()
    };
    let scope = me.scope();
    let found = app
        .store
        .read(move |conn| places::search(conn, &scope, &query))
        .await?;
    let more = found.len() > usize::try_from(PAGE).unwrap_or(0);
    let rows = found
        .into_iter()
        .take(50)
        .map(|p| {
            Row::new(vec![
                Cell::user(p.address.clone()).link(format!("/registry/places/{}", p.id)),
                Cell::ui(tr.t(p.kind.label_key())),
                Cell::ui(if p.rented {
                    tr.t("registry.rented")
                } else {
                    ""
                }),
            ])
        })
        .collect();
    let choices = vec![
        Choice::new("all", tr.t("registry.all_places"), search.by != "rented"),
        Choice::new(
            "rented",
            tr.t("registry.rented_only"),
            search.by == "rented",
        ),
    ];
    let table = Table::new(
        vec![
            tr.t("registry.address"),
            tr.t("registry.kind"),
            tr.t("registry.rental"),
        ],
        rows,
        tr.t("registry.none"),
    );
    page(
        &me,
        "/registry/places",
        "registry.places",
        &search,
        choices,
        table,
        more,
    )
}

pub async fn buildings(
    State(app): State<AppState>,
    Staff(me): Staff,
    Query(search): Query<Search>,
) -> Result<Response, Failure> {
    me.require(Capability::ViewRegistry)?;
    let tr = me.ctx.tr();
    let year = search
        .year
        .unwrap_or_else(|| app.store.now().date_naive().year() - 1);
    let scope = me.scope();
    let bands = TaxBands::default();
    let (found, moved) = app
        .store
        .read(move |conn| {
            Ok((
                places::buildings(conn, &scope, year, &bands)?,
                enterprises::moves(conn, &scope, year)?,
            ))
        })
        .await?;
    let counts = TaxBands::default().count(found.iter().map(|b| b.tax));
    let rows = found
        .into_iter()
        .filter(|b| search.q.trim().is_empty() || b.name.contains(search.q.trim()))
        .map(|b| {
            Row::new(vec![
                Cell::user(b.name).link(format!("/registry/places/{}", b.id)),
                Cell::ui(b.floors.map(|f| f.to_string()).unwrap_or_default()),
                Cell::ui(b.area_m2.map(|a| format!("{a:.0}")).unwrap_or_default()),
                Cell::ui(b.enterprises.to_string()),
                Cell::ui(b.tax.text(tr.lang())),
                Cell::ui(b.band.map_or("", |band| tr.t(band.label_key()))),
            ])
        })
        .collect();
    let table = Table::new(
        vec![
            tr.t("registry.building_name"),
            tr.t("registry.floors"),
            tr.t("registry.area"),
            tr.t("registry.enterprises"),
            tr.t("registry.tax"),
            tr.t("registry.band"),
        ],
        rows,
        tr.t("registry.none"),
    );
    let mut response_page = ListPage {
        chrome: Chrome::new(&me.ctx, tr.t("registry.buildings")),
        tabs: tabs(tr, "/registry/buildings"),
        action: "/registry/buildings",
        choices: Vec::new(),
        search_label: tr.t("registry.query"),
        q: search.q.clone(),
        summary: None,
        error: None,
        add_person: false,
        document_kinds: Vec::new(),
        table,
        export: None,
        more: None,
    };
    response_page.summary = Some(tr.f(
        "registry.bands_summary",
        &[
            ("year", year.to_string()),
            ("hundred", counts.hundred_million.to_string()),
            ("ten", counts.ten_million.to_string()),
            ("moved_in", moved.moved_in.to_string()),
            ("moved_out", moved.moved_out.to_string()),
            ("net", moved.net_tax().text(tr.lang())),
        ],
    ));
    render(&response_page)
}

pub async fn enterprises(
    State(app): State<AppState>,
    Staff(me): Staff,
    Query(search): Query<Search>,
) -> Result<Response, Failure> {
    me.require(Capability::ViewRegistry)?;
    let tr = me.ctx.tr();
    let q = search.q.trim().to_owned();
    let find = match search.by.as_str() {
        _ if q.is_empty() => FindEnterprise::All,
        "code" => FindEnterprise::CreditCode(q),
        _ => FindEnterprise::NamePrefix(q),
    };
    let (scope, offset) = (me.scope(), search.page.max(0) * PAGE);
    let found = app
        .store
        .read(move |conn| enterprises::search(conn, &scope, &find, PAGE + 1, offset))
        .await?;
    let more = found.len() > usize::try_from(PAGE).unwrap_or(0);
    let lang = tr.lang();
    let rows = found
        .into_iter()
        .take(50)
        .map(|e| {
            Row::new(vec![
                Cell::user(e.name),
                Cell::ui(e.credit_code),
                Cell::ui(industry_name(&e.industry, lang)),
                Cell::ui(e.capital.text(lang)),
                Cell::user(e.building.unwrap_or_default()),
                Cell::ui(e.moved_in.map(|d| d.to_string()).unwrap_or_default()),
                Cell::ui(e.moved_out.map(|d| d.to_string()).unwrap_or_default()),
            ])
        })
        .collect();
    let choices = vec![
        Choice::new("name", tr.t("registry.by_name"), search.by != "code"),
        Choice::new("code", tr.t("registry.by_credit_code"), search.by == "code"),
    ];
    let table = Table::new(
        vec![
            tr.t("registry.enterprise_name"),
            tr.t("registry.credit_code"),
            tr.t("registry.industry"),
            tr.t("registry.capital"),
            tr.t("registry.building_name"),
            tr.t("registry.moved_in"),
            tr.t("registry.moved_out"),
        ],
        rows,
        tr.t("registry.none"),
    );
    page(
        &me,
        "/registry/enterprises",
        "registry.enterprises",
        &search,
        choices,
        table,
        more,
    )
}

fn industry_name(code: &str, lang: Lang) -> String {
    jiedao_core::registry::Industry::parse(code)
        .map(|i| format!("{} {}", i.code(), i.name(lang)))
        .unwrap_or_else(|_| code.to_owned())
}

pub async fn components(
    State(app): State<AppState>,
    Staff(me): Staff,
    Query(search): Query<Search>,
) -> Result<Response, Failure> {
    me.require(Capability::ViewRegistry)?;
    let tr = me.ctx.tr();
    let (scope, class, offset) = (me.scope(), search.q.clone(), search.page.max(0) * PAGE);
    let found = app
        .store
        .read(move |conn| components::search(conn, &scope, Some(&class), PAGE + 1, offset))
        .await?;
    let more = found.len() > usize::try_from(PAGE).unwrap_or(0);
    let rows = found
        .into_iter()
        .take(50)
        .map(|c| {
            Row::new(vec![
                Cell::ui(c.class_code),
                Cell::user(c.class_name),
                Cell::user(c.name),
                Cell::ui(format!("{:.5}, {:.5}", c.lon, c.lat)),
                Cell::user(c.owner),
                Cell::user(c.maintainer),
            ])
        })
        .collect();
    let table = Table::new(
        vec![
            tr.t("registry.class_code"),
            tr.t("registry.class"),
            tr.t("registry.name"),
            tr.t("registry.point"),
            tr.t("registry.owner"),
            tr.t("registry.maintainer"),
        ],
        rows,
        tr.t("registry.none"),
    );
    page(
        &me,
        "/registry/components",
        "registry.components",
        &search,
        Vec::new(),
        table,
        more,
    )
}
