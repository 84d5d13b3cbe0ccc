//! The 调解协议书 as a Word file, produced from the record with every element 人民调解法
//! art. 29 lists: the parties and their particulars (一); the main facts, the disputed points
//! and each party's responsibility (二); the agreed terms with the manner and deadline of
//! performance (三); and the lines for the parties' signatures, seals or fingerprints, the
//! mediator's signature and the committee's seal, with the day it took effect. Only a written
//! agreement has one (an oral agreement is recorded, art. 28).

use axum::extract::{Path, State};
use axum::response::Response;
use jiedao_core::Capability;
use jiedao_reports::docx::{Block, docx};
use jiedao_store::Refusal;

use super::list::id_of;
use super::record::detail;
use crate::AppState;
use crate::context::Staff;
use crate::download::{Kind, attachment};
use crate::failure::Failure;

pub async fn agreement(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    me.require(Capability::ViewDisputes)?;
    let tr = me.ctx.tr();
    let detail = detail(&app, &me, id_of(&id)?).await?;
    let d = &detail.dispute;
    let not_there = || {
        Failure::Refused(Refusal::NotFound {
            what: "noun.agreement",
            key: detail.number.clone(),
        })
    };
    let agreement = d
        .agreement
        .as_ref()
        .filter(|a| a.written)
        .ok_or_else(not_there)?;
    let committee = d.committee.clone().unwrap_or_else(|| detail.place.clone());
    let mut blocks = vec![
        Block::Issuer(committee.clone()),
        Block::Number(detail.number.clone()),
        Block::Title(tr.t("dispute.document").to_owned()),
        Block::Heading(tr.t("dispute.doc_parties").to_owned()),
    ];
    for party in &detail.parties {
        let particulars = party
            .particulars
            .iter()
            .map(|(k, v)| {
                let value = match (k.as_str(), v.as_str()) {
                    ("sex", "male") => tr.t("sex.male").to_owned(),
                    ("sex", "female") => tr.t("sex.female").to_owned(),
                    _ => v.clone(),
                };
                format!("{}{}", tr.t(&format!("dispute.particular_{k}")), value)
            })
            .collect::<Vec<_>>()
            .join("，");
        blocks.push(Block::Paragraph(format!(
            "{}：{}，{}",
            tr.t(party.role.label_key()),
            party.name,
            particulars
        )));
    }
    blocks.extend([
        Block::Heading(tr.t("dispute.doc_facts").to_owned()),
        Block::Paragraph(d.registration.facts.clone()),
        Block::Heading(tr.t("dispute.doc_points").to_owned()),
        Block::Paragraph(d.registration.points.clone()),
        Block::Heading(tr.t("dispute.doc_responsibilities").to_owned()),
        Block::Paragraph(agreement.responsibilities.clone()),
        Block::Heading(tr.t("dispute.doc_terms").to_owned()),
        Block::Table {
            header: vec![
                tr.t("dispute.n").to_owned(),
                tr.t("dispute.term").to_owned(),
                tr.t("dispute.manner").to_owned(),
                tr.t("dispute.due").to_owned(),
            ],
            rows: agreement
                .terms
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    vec![
                        (i + 1).to_string(),
                        t.text.clone(),
                        t.manner.clone(),
                        t.due.to_string(),
                    ]
                })
                .collect(),
        },
        Block::Paragraph(tr.f(
            "dispute.doc_copies",
            &[("n", (detail.parties.len() + 1).to_string())],
        )),
        Block::Heading(tr.t("dispute.doc_signatures").to_owned()),
    ]);
    for party in &detail.parties {
        blocks.push(Block::Paragraph(format!(
            "{}（{}）：{}",
            tr.t(party.role.label_key()),
            tr.t("dispute.doc_sign"),
            party.name
        )));
    }
    let mediators = d
        .mediators
        .iter()
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join("、");
    blocks.extend([
        Block::Paragraph(format!(
            "{}：{mediators}",
            tr.t("dispute.doc_mediator_sign")
        )),
        Block::Paragraph(format!("{}（{}）", committee, tr.t("dispute.doc_seal"))),
        Block::Date(tr.f(
            "dispute.doc_effective",
            &[("day", agreement.effective_on.to_string())],
        )),
    ]);
    let bytes = docx(&blocks).map_err(|error| {
        tracing::error!(%error, "writing the agreement");
        Failure::Internal
    })?;
    Ok(attachment(bytes, Kind::Docx, "agreement", &detail.number))
}
