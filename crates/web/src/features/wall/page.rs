//! The wall's page and its live part: read once per change for the viewer's scope, the same
//! figures as the dashboard's ([`super::super::cases::dashboard`]).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use jiedao_core::case::Channel;
use jiedao_core::clock::CHINA;
use jiedao_core::{Capability, CategoryId};
use jiedao_store::cases::dashboard;
use jiedao_store::cases::wall::{self, AlertKind};
use jiedao_store::categories::Catalog;
use jiedao_store::{Principal, Refusal};

use crate::AppState;
use crate::context::Staff;
use crate::failure::Failure;
use crate::features::cases::dashboard::{Headline, day_groups, headlines, unit_groups};
use crate::tr::Tr;
use crate::widgets::chart::{self, Group};
use crate::widgets::layout::{Chrome, render};
use crate::widgets::live;

/// The days the trend covers: the dashboard's window, so its figures are the dashboard's.
const DAYS: u64 = 30;
/// The categories the wall names; the rest are one bar.
const CATEGORIES: usize = 8;

/// One case on the alert roll, as the wall shows it.
pub struct AlertLine {
    /// `new`, `red` or `supervised`: the line's colour.
    pub kind: &'static str,
    pub label: &'static str,
    pub number: String,
    pub href: String,
    pub at: String,
    pub what: String,
}

/// What the wall shows, read again after every change.
pub struct WallView {
    pub updated: String,
    pub headlines: Vec<Headline>,
    /// Today's intake by channel and by category; none before the day's first case.
    pub channels: Option<String>,
    pub categories: Option<String>,
    pub trend: String,
    pub units: Option<String>,
    pub legend: [&'static str; 2],
    pub unit_legend: [&'static str; 2],
    pub alerts: Vec<AlertLine>,
}

#[derive(Template)]
#[template(path = "wall/wall.html")]
struct WallPage {
    chrome: Chrome,
    tr: Tr,
    view: WallView,
    /// The open cases on the live map, for readers who may see them on a map.
    webmap: Option<crate::widgets::webmap::Embedded>,
}

/// The live part alone, as each event carries it.
#[derive(Template)]
#[template(path = "wall/live.html")]
struct WallLive {
    tr: Tr,
    view: WallView,
}

fn category_label(catalog: &Catalog, tr: Tr, id: Option<CategoryId>) -> String {
    id.and_then(|id| catalog.get(id)).map_or_else(
        || tr.t("case.no_category").to_owned(),
        |e| e.name_in(tr.lang()).to_owned(),
    )
}

/// Today's counts as bars, linked to today's cases of each.
fn today_bars<K>(
    counts: &[(K, i64)],
    today: &str,
    caption: &str,
    label: impl Fn(&K) -> (String, String),
) -> Option<String> {
    let groups: Vec<Group> = counts
        .iter()
        .map(|(key, n)| {
            let (name, filter) = label(key);
            Group::counts(
                name.clone(),
                &[*n],
                vec![format!("/cases?from={today}&to={today}{filter}")],
                vec![format!("{name} {n}")],
            )
        })
        .collect();
    (!groups.is_empty()).then(|| chart::bars(&groups, caption))
}

/// Reads the wall for `principal`.
async fn read(app: &AppState, principal: &Principal, tr: Tr) -> Result<WallView, Failure> {
    let now = app.store.now();
    let catalog = app.store.catalog();
    let who = principal.clone();
    let (board, today) = app
        .store
        .read(move |conn| {
            let board = dashboard::dashboard(conn, &who, now, DAYS)?;
            let today = wall::today(conn, &who, now)?;
            Ok((board, today))
        })
        .await?;
    let day = board.today.to_string();
    let mut by_category = today.by_category.clone();
    if by_category.len() > CATEGORIES {
        let rest: i64 = by_category.drain(CATEGORIES..).map(|(_, n)| n).sum();
        by_category.push((None, rest));
    }
    let alerts = today
        .alerts
        .iter()
        .map(|alert| {
            let (kind, label) = match alert.kind {
                AlertKind::New => ("new", tr.t("wall.alert_new")),
                AlertKind::Red => ("red", tr.t("wall.alert_red")),
                AlertKind::Supervised => ("supervised", tr.t("wall.alert_supervised")),
            };
            AlertLine {
                kind,
                label,
                number: alert.number.clone(),
                href: format!("/cases/{}", alert.id),
                at: alert
                    .at
                    .map(|at| at.with_timezone(&CHINA).format("%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                what: format!(
                    "{} {}",
                    category_label(&catalog, tr, alert.category),
                    alert.address.clone().unwrap_or_default()
                ),
            }
        })
        .collect();
    Ok(WallView {
        updated: now.with_timezone(&CHINA).format("%H:%M:%S").to_string(),
        headlines: headlines(&board, None, tr),
        channels: today_bars(&today.by_channel, &day, tr.t("wall.by_channel"), |c| {
            let label = Channel::parse(c).map_or(c.clone(), |c| tr.t(c.label_key()).to_owned());
            (label, format!("&channel={c}"))
        }),
        categories: today_bars(&by_category, &day, tr.t("wall.by_category"), |id| {
            let code = id
                .and_then(|id| catalog.get(id))
                .map(|e| format!("&category={}", e.code))
                .unwrap_or_default();
            (category_label(&catalog, tr, *id), code)
        }),
        trend: chart::lines(&day_groups(&board, tr), 7, tr.t("dashboard.by_day")),
        units: (!board.by_unit.is_empty())
            .then(|| chart::bars(&unit_groups(&board, tr), tr.t("dashboard.by_unit"))),
        legend: [tr.t("dashboard.series_reported"), tr.t("dashboard.closed")],
        unit_legend: [tr.t("dashboard.open"), tr.t("dashboard.overdue")],
        alerts,
    })
}

/// `GET /wall`: the whole screen, as of now.
pub async fn show(State(app): State<AppState>, Staff(me): Staff) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let view = read(&app, &me.principal, tr).await?;
    let open = jiedao_store::cases::CaseFilter {
        open_only: true,
        ..Default::default()
    };
    let webmap = if me.principal.role().can(Capability::ViewOrg) {
        crate::features::cases::map::pins_map(&app, &me.principal, open, tr)
            .await?
            .0
    } else {
        None
    };
    render(&WallPage {
        chrome: Chrome::new(&me.ctx, tr.t("wall.title")),
        tr,
        view,
        webmap,
    })
}

/// `GET /wall/events`: the live part again after every change, for as long as the screen
/// stays (bounded by [`live`]).
pub async fn events(State(app): State<AppState>, Staff(me): Staff) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    // Refused here, before a stream is opened, when the role may not see the cases.
    if !me.principal.role().can(Capability::ViewCases) {
        return Err(Refusal::NotAllowed.into());
    }
    live::page_events(&app, &me, move |app, principal| async move {
        let view = read(&app, &principal, tr).await?;
        Ok(WallLive { tr, view }.render()?)
    })
}
