//! Each role's home page (工作台): what the role works on, from real data.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use jiedao_core::{Capability, OrgKind, Role};
use jiedao_store::{departments, org, users};

use crate::AppState;
use crate::context::SignedIn;
use crate::failure::Failure;
use crate::widgets::layout::{Chrome, render};
use crate::widgets::present::area_text;
use crate::widgets::table::{Cell, Row, Table};

/// A number with what it counts and where to see the things counted.
pub struct Figure {
    pub value: usize,
    pub label: &'static str,
    pub href: String,
}

pub struct UnitCard {
    pub kind: &'static str,
    pub name: String,
    pub code: String,
    pub area: Option<String>,
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "home/home.html")]
struct HomePage {
    chrome: Chrome,
    greeting: (&'static str, &'static str),
    name: String,
    unit: Option<UnitCard>,
    department: Option<(String, String)>,
    figures: Vec<Figure>,
    table_title: &'static str,
    table: Option<Table>,
}

fn title_key(role: Role) -> &'static str {
    match role {
        Role::Resident => "home.title_resident",
        Role::GridWorker => "home.title_grid_worker",
        Role::IntakeOperator | Role::ShiftLead | Role::Dispatcher => "home.title_command",
        Role::DepartmentHandler => "home.title_department",
        Role::CommunityStaff => "home.title_community",
        Role::Leader => "home.title_leader",
        Role::Administrator => "home.title_admin",
    }
}

pub async fn page(State(app): State<AppState>, me: SignedIn) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let role = me.principal.role();
    let scope = me.scope();
    let own_id = me.principal.user_id().ok_or(Failure::Internal)?;
    let own_department = me.principal.department();
    let data = app
        .store
        .read(move |conn| {
            let own = users::get(conn, &scope, own_id)?;
            let units = if role.can(Capability::ViewOrg) {
                org::list(conn, &scope, None)?
            } else {
                Vec::new()
            };
            let people = if role.can(Capability::ViewUsers) {
                users::list(conn, &scope)?
            } else {
                Vec::new()
            };
            let departments = if role.can(Capability::ViewOrg) {
                departments::list(conn, &scope)?
            } else {
                Vec::new()
            };
            Ok((own, units, people, departments))
        })
        .await?;
    let (own, units, people, departments) = data;

    let own_unit = units.iter().find(|u| u.id == own.org_unit_id);
    let unit = Some(UnitCard {
        kind: tr.t(own.org_kind.label_key()),
        name: own.org_name.clone(),
        code: own.org_code.clone(),
        area: own_unit.and_then(|u| area_text(tr, u.area_m2)),
        href: own_unit.map(|u| format!("/org/{}", u.code)),
    });
    let department = own_department.and_then(|id| {
        departments
            .iter()
            .find(|d| d.id == id)
            .map(|d| (d.name.clone(), d.platforms.join("、")))
    });

    let mut figures = Vec::new();
    if role.can(Capability::ViewOrg) {
        for (kind, label) in [
            (OrgKind::Community, "home.count_communities"),
            (OrgKind::Grid, "home.count_grids"),
        ] {
            let value = units.iter().filter(|u| u.kind == kind).count();
            // A grid worker's reach holds no community: show only what the reach holds.
            if value > 0 {
                figures.push(Figure {
                    value,
                    label: tr.t(label),
                    href: format!("/org?kind={}", kind.as_str()),
                });
            }
        }
        figures.push(Figure {
            value: departments.len(),
            label: tr.t("home.count_departments"),
            href: "/org".into(),
        });
    }
    if role.can(Capability::ViewUsers) {
        figures.push(Figure {
            value: people.len(),
            label: tr.t("home.count_users"),
            href: "/users".into(),
        });
    }

    // Community staff and grid workers work on grids; leaders and the centre see communities.
    let (table_title, table_head, rows): (&'static str, Vec<&'static str>, Vec<Row>) = match role {
        Role::CommunityStaff | Role::GridWorker => (
            tr.t("home.my_grids"),
            vec![
                tr.t("unit.code"),
                tr.t("unit.name"),
                tr.t("unit.area"),
                tr.t("home.grid_workers"),
            ],
            units
                .iter()
                .filter(|u| u.kind == OrgKind::Grid)
                .map(|grid| {
                    Row::new(vec![
                        Cell::ui(grid.code.clone()).link(format!("/org/{}", grid.code)),
                        Cell::user(grid.name.clone()),
                        Cell::ui(area_text(tr, grid.area_m2).unwrap_or_default()),
                        Cell::user(
                            people
                                .iter()
                                .filter(|p| p.role == Role::GridWorker && p.org_unit_id == grid.id)
                                .map(|p| p.display_name.clone())
                                .collect::<Vec<_>>()
                                .join("、"),
                        ),
                    ])
                })
                .collect(),
        ),
        Role::Resident => (tr.t("home.my_grids"), Vec::new(), Vec::new()),
        _ => (
            tr.t("home.communities"),
            vec![
                tr.t("unit.code"),
                tr.t("unit.name"),
                tr.t("unit.area"),
                tr.t("home.count_grids"),
            ],
            units
                .iter()
                .filter(|u| u.kind == OrgKind::Community)
                .map(|community| {
                    Row::new(vec![
                        Cell::ui(community.code.clone()).link(format!("/org/{}", community.code)),
                        Cell::user(community.name.clone()),
                        Cell::ui(area_text(tr, community.area_m2).unwrap_or_default()),
                        Cell::ui(
                            units
                                .iter()
                                .filter(|u| {
                                    u.kind == OrgKind::Grid && u.parent_id == Some(community.id)
                                })
                                .count()
                                .to_string(),
                        ),
                    ])
                })
                .collect(),
        ),
    };

    render(&HomePage {
        chrome: Chrome::new(&me.ctx, tr.t(title_key(role))),
        greeting: tr.around("home.greeting", "name"),
        name: own.display_name.clone(),
        unit,
        department,
        figures,
        table_title,
        table: (!table_head.is_empty())
            .then(|| Table::new(table_head, rows, tr.t("home.no_units"))),
    })
}
