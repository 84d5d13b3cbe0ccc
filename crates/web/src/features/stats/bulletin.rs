//! The bulletin (通报, `/stats/bulletin`): a unit's summary, indicators and rankings for a
//! period, as a page, an Excel workbook and a Word document drawn from the same tables, so
//! the three always carry the same figures. The Word document is a 公文 (GB/T 9704-2012): the
//! issuing unit, a 文号 ("明湖街道通〔2026〕12号": the period's year, and its month, quarter or 1
//! as the number), the title, the body, and the date it was drawn up.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Datelike;
use jiedao_core::clock::business_date;
use jiedao_core::evaluation::{Period, PeriodKind};
use jiedao_reports::docx::{Block, docx};
use jiedao_reports::workbook::{self, Sheet, Value};

use super::figures::{StatsQuery, counts_table, indicators_table, own, summary};
use super::page::{Read, Section, period_notes, rankings, read, rules_text};
use crate::AppState;
use crate::context::Staff;
use crate::download::{Kind, attachment};
use crate::failure::Failure;
use crate::widgets::layout::{Chrome, render};
use crate::widgets::table::{Cell, Table};

/// Everything the bulletin says, in order.
pub struct Bulletin {
    /// The issuing unit (发文机关).
    pub issuer: String,
    /// The document's number (发文字号).
    pub number: String,
    pub title: String,
    /// The date it was drawn up (成文日期), in words.
    pub date: String,
    /// What is said of the period (still running, moved back, empty).
    pub notes: Vec<String>,
    pub summary: String,
    pub rules: String,
    pub sections: Vec<Section>,
    /// The file name, without its extension.
    pub file: String,
}

async fn bulletin(app: &AppState, me: &Staff, query: &StatsQuery) -> Result<Bulletin, Failure> {
    let tr = me.0.ctx.tr();
    let found = read(app, &me.0.principal, query).await?;
    let notes = period_notes(tr, &found);
    let Read {
        evaluation, rules, ..
    } = found;
    let period = evaluation.period.to_string();
    let first = evaluation.period.first;
    let seq = match evaluation.period.kind {
        PeriodKind::Month => first.month(),
        PeriodKind::Quarter => first.month0() / 3 + 1,
        PeriodKind::Day | PeriodKind::Year | PeriodKind::Days => 1,
    };
    let number = tr.f(
        "stats.bulletin_number",
        &[
            ("unit", evaluation.unit.name.clone()),
            ("year", first.year().to_string()),
            ("seq", seq.to_string()),
        ],
    );
    let date = Period::day(business_date(app.store.now())).words(tr.lang());
    let title = tr.f(
        "stats.bulletin_title",
        &[
            ("unit", evaluation.unit.name.clone()),
            ("period", evaluation.period.words(tr.lang())),
        ],
    );
    let own = own(&evaluation);
    let mut sections = vec![
        Section {
            heading: tr.t("stats.indicators").to_owned(),
            note: None,
            chart: None,
            table: indicators_table(tr, &evaluation, &rules, &own, None),
        },
        Section {
            heading: tr.t("stats.counts").to_owned(),
            note: None,
            chart: None,
            table: counts_table(tr, &evaluation, &own, None),
        },
    ];
    sections.extend(rankings(tr, &evaluation, &rules, &period, None));
    sections.extend(
        crate::features::disputes::figures::bulletin_section(
            app,
            &me.0,
            evaluation.period,
            evaluation.unit.path.as_str(),
        )
        .await?,
    );
    Ok(Bulletin {
        issuer: evaluation.unit.name.clone(),
        number,
        date,
        file: title.clone(),
        notes,
        summary: summary(tr, &evaluation, &rules),
        rules: rules_text(tr, &rules),
        title,
        sections,
    })
}

#[derive(Template)]
#[template(path = "stats/bulletin.html")]
struct BulletinPage {
    chrome: Chrome,
    bulletin: Bulletin,
    xlsx: String,
    docx: String,
}

pub async fn show(
    State(app): State<AppState>,
    me: Staff,
    Query(query): Query<StatsQuery>,
) -> Result<Response, Failure> {
    let bulletin = bulletin(&app, &me, &query).await?;
    let args = format!(
        "unit={}&period={}",
        query.unit().unwrap_or(""),
        query.period.as_deref().unwrap_or("")
    );
    render(&BulletinPage {
        chrome: Chrome::for_record(&me.0.ctx, bulletin.title.clone()),
        xlsx: format!("/stats/bulletin.xlsx?{args}"),
        docx: format!("/stats/bulletin.docx?{args}"),
        bulletin,
    })
}

fn texts(table: &Table) -> (Vec<String>, Vec<Vec<String>>) {
    (
        table.head.iter().map(|h| (*h).to_owned()).collect(),
        table
            .rows
            .iter()
            .map(|row| row.cells.iter().map(|c| c.text.clone()).collect())
            .collect(),
    )
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(heading: &str) -> String {
    heading
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect()
}

pub async fn xlsx(
    State(app): State<AppState>,
    me: Staff,
    Query(query): Query<StatsQuery>,
) -> Result<Response, Failure> {
    let bulletin = bulletin(&app, &me, &query).await?;
    let tables: Vec<(String, Vec<String>, Vec<Vec<Value>>)> = bulletin
        .sections
        .iter()
        .map(|section| {
            let head = section.table.head.iter().map(|h| (*h).to_owned()).collect();
            let rows = section
                .table
                .rows
                .iter()
                .map(|row| row.cells.iter().map(Cell::sheet_value).collect())
                .collect();
            (sheet_name(&section.heading), head, rows)
        })
        .collect();
    let sheets: Vec<Sheet<'_>> = tables
        .iter()
        .map(|(name, headers, rows)| Sheet {
            name,
            title: Some(&bulletin.title),
            headers,
            rows,
        })
        .collect();
    let bytes = workbook::workbook(&sheets).map_err(|error| {
        tracing::error!(%error, "writing the bulletin workbook");
        Failure::Internal
    })?;
    Ok(attachment(bytes, Kind::Xlsx, "bulletin", &bulletin.file))
}

pub async fn word(
    State(app): State<AppState>,
    me: Staff,
    Query(query): Query<StatsQuery>,
) -> Result<Response, Failure> {
    let bulletin = bulletin(&app, &me, &query).await?;
    let mut blocks = vec![
        Block::Issuer(bulletin.issuer.clone()),
        Block::Number(bulletin.number.clone()),
        Block::Title(bulletin.title.clone()),
    ];
    blocks.extend(bulletin.notes.iter().cloned().map(Block::Paragraph));
    blocks.push(Block::Paragraph(bulletin.summary.clone()));
    blocks.push(Block::Paragraph(bulletin.rules.clone()));
    for section in &bulletin.sections {
        let (header, rows) = texts(&section.table);
        blocks.push(Block::Heading(section.heading.clone()));
        if let Some(note) = &section.note {
            blocks.push(Block::Paragraph(note.clone()));
        }
        blocks.push(Block::Table { header, rows });
    }
    blocks.push(Block::Date(bulletin.date.clone()));
    let bytes = docx(&blocks).map_err(|error| {
        tracing::error!(%error, "writing the bulletin document");
        Failure::Internal
    })?;
    Ok(attachment(bytes, Kind::Docx, "bulletin", &bulletin.file))
}
