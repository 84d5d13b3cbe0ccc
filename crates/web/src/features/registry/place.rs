//! A place's page: where it is, what lies in it, who lived in, owned, let or rented it over
//! time, the enterprises in an office building and its tax by year, the cases about it, and
//! the history of its record.

use axum::extract::{Path, State};
use axum::response::Response;
use jiedao_core::Capability;
use jiedao_core::money::Money;
use jiedao_core::registry::TaxBands;
use jiedao_store::registry::enterprises::{self, Enterprise, FindEnterprise};
use jiedao_store::registry::links::{self, LinkedCase};
use jiedao_store::registry::places::{self, Place, Stay};
use jiedao_store::registry::{self, Event, PLACES};

use super::person::{RecordPage, case_table, history_table, id_of, stay_table};
use crate::AppState;
use crate::context::Staff;
use crate::failure::Failure;
use crate::widgets::layout::{Chrome, render};
use crate::widgets::table::{Cell, Row, Table};

struct File {
    place: Place,
    children: Vec<Place>,
    stays: Vec<Stay>,
    cases: Vec<LinkedCase>,
    taxes: Vec<(i32, Money)>,
    enterprises: Vec<Enterprise>,
    history: Vec<Event>,
}

pub async fn page(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    me.require(Capability::ViewRegistry)?;
    let id = id_of(&id)?;
    let tr = me.ctx.tr();
    let principal = me.principal.clone();
    let file = app
        .store
        .read(move |conn| {
            let scope = principal.scope();
            let place = places::get(conn, &scope, id)?;
            Ok(File {
                children: places::children(conn, &scope, id)?,
                stays: places::stays_at(conn, id)?,
                cases: links::cases_naming(conn, &principal, id)?,
                taxes: places::taxes(conn, id)?,
                enterprises: enterprises::search(
                    conn,
                    &scope,
                    &FindEnterprise::Building(id),
                    500,
                    0,
                )?,
                history: registry::history_of(conn, &PLACES, id)?,
                place,
            })
        })
        .await?;
    let p = &file.place;
    let mut facts = vec![
        (
            tr.t("registry.kind"),
            tr.t(p.kind.label_key()).to_owned(),
            false,
        ),
        (tr.t("registry.address"), p.address.clone(), true),
        (
            tr.t("registry.rental"),
            tr.t(if p.rented {
                "registry.rented"
            } else {
                "registry.not_rented"
            })
            .to_owned(),
            false,
        ),
    ];
    if let (Some(lon), Some(lat)) = (p.lon, p.lat) {
        facts.push((tr.t("registry.point"), format!("{lon:.5}, {lat:.5}"), false));
    }
    if let Some(floors) = p.floors {
        facts.push((tr.t("registry.floors"), floors.to_string(), false));
    }
    if let Some(area) = p.area_m2 {
        facts.push((tr.t("registry.area"), format!("{area:.0}"), false));
    }
    let bands = TaxBands::default();
    let taxes = Table::new(
        vec![
            tr.t("registry.year"),
            tr.t("registry.tax"),
            tr.t("registry.band"),
        ],
        file.taxes
            .iter()
            .rev()
            .map(|(year, tax)| {
                Row::new(vec![
                    Cell::ui(year.to_string()),
                    Cell::ui(tax.text(tr.lang())),
                    Cell::ui(bands.band(*tax).map_or("", |b| tr.t(b.label_key()))),
                ])
            })
            .collect(),
        tr.t("registry.none"),
    );
    let children = Table::new(
        vec![tr.t("registry.address"), tr.t("registry.kind")],
        file.children
            .iter()
            .map(|c| {
                Row::new(vec![
                    Cell::user(c.address.clone()).link(format!("/registry/places/{}", c.id)),
                    Cell::ui(tr.t(c.kind.label_key())),
                ])
            })
            .collect(),
        tr.t("registry.none"),
    );
    let companies = Table::new(
        vec![
            tr.t("registry.enterprise_name"),
            tr.t("registry.credit_code"),
            tr.t("registry.floor"),
        ],
        file.enterprises
            .iter()
            .map(|e| {
                Row::new(vec![
                    Cell::user(e.name.clone()),
                    Cell::ui(e.credit_code.clone()),
                    Cell::ui(e.floor.map(|f| f.to_string()).unwrap_or_default()),
                ])
            })
            .collect(),
        tr.t("registry.none"),
    );
    let mut sections = vec![
        (tr.t("registry.inside"), children),
        (tr.t("registry.stays"), stay_table(tr, &file.stays, false)),
        (tr.t("registry.cases"), case_table(tr, &file.cases)),
    ];
    if p.commercial {
        sections.push((tr.t("registry.taxes"), taxes));
        sections.push((tr.t("registry.enterprises"), companies));
    }
    sections.push((
        tr.t("registry.history"),
        history_table(tr, &file.history, true),
    ));
    render(&RecordPage {
        chrome: Chrome::for_record(&me.ctx, p.address.clone()),
        back: "/registry/places",
        error: None,
        facts,
        revealed: false,
        reveal: None,
        sections,
        link: me
            .principal
            .role()
            .can(Capability::ManageRegistry)
            .then(|| format!("/registry/link/place/{id}")),
    })
}
