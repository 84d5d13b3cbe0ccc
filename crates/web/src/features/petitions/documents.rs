//! The documents the rules expect, made from the record as Word files (GB/T 9704 layout, the
//! shared writer): the 受理告知书 once accepted (条例 art. 23 ¶2), the 不予受理告知书 when declined
//! or sent to a legal procedure (访诉分离, art. 22/31), and the 信访处理意见书 with the request,
//! the opinion and its basis, and the way to 复查 (art. 32, 35). Only petition staff, who may see
//! who the petitioner is, make them.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Datelike, Utc};
use jiedao_core::Capability;
use jiedao_core::clock::CHINA;
use jiedao_core::petition::{Change, PetitionState};
use jiedao_reports::docx::{Block, docx};
use jiedao_store::Refusal;
use jiedao_store::petitions::PetitionDetail;

use crate::AppState;
use crate::context::Staff;
use crate::download::{Kind, attachment};
use crate::failure::Failure;
use crate::tr::Tr;

fn day(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&CHINA);
    format!("{}年{}月{}日", local.year(), local.month(), local.day())
}

/// The documents petition `detail` has now (their kinds).
pub fn available(detail: &PetitionDetail) -> Vec<&'static str> {
    let has = |f: fn(&Change) -> bool| detail.history.iter().any(|e| f(&e.change));
    let mut kinds = Vec::new();
    if has(|c| matches!(c, Change::Accept { .. })) {
        kinds.push("accept_notice");
    }
    if matches!(
        detail.petition.state,
        PetitionState::Declined | PetitionState::LegalTrack
    ) {
        kinds.push("decline_notice");
    }
    if detail.petition.outcome.is_some() {
        kinds.push("answer");
    }
    kinds
}

/// The blocks of one document.
fn blocks(tr: Tr, detail: &PetitionDetail, kind: &str, today: DateTime<Utc>) -> Option<Vec<Block>> {
    let p = &detail.petition;
    let profile = p.profile();
    let law = |basis: jiedao_core::petition::profile::Basis| {
        format!("{}第{}条", tr.t(basis.law), basis.article)
    };
    let name = detail.petitioner.as_ref()?.name.clone();
    let common = [
        ("name", name),
        ("received", day(p.received_at)),
        (
            "channel",
            tr.t(p.registration.channel.label_key()).to_owned(),
        ),
        ("matter", p.registration.matter.clone()),
    ];
    let body = |key: &str, extra: Vec<(&'static str, String)>| {
        let mut args = common.to_vec();
        args.extend(extra);
        Block::Paragraph(tr.f(key, &args))
    };
    let mut blocks = vec![
        Block::Issuer(detail.street_name.clone()),
        Block::Number(format!("{} {}", tr.t("petition_doc.number"), p.number)),
    ];
    match kind {
        "accept_notice" => {
            let accepted = detail.history.iter().find_map(|e| match &e.change {
                Change::Accept { timer, .. } => {
                    Some((e.at, timer.as_ref().and_then(|t| t.deadline)))
                }
                _ => None,
            })?;
            blocks.push(Block::Title(tr.t("petition_doc.accept_title").to_owned()));
            blocks.push(body(
                "petition_doc.accept_body",
                vec![
                    ("accepted", day(accepted.0)),
                    ("department", detail.department.clone().unwrap_or_default()),
                    ("days", profile.handle.limit.amount.to_string()),
                    ("basis", law(profile.handle.basis)),
                    (
                        "deadline",
                        accepted
                            .1
                            .map(|d| day(d - chrono::Duration::days(1)))
                            .unwrap_or_default(),
                    ),
                ],
            ));
        }
        "decline_notice" => {
            let (reason, basis) = detail.history.iter().rev().find_map(|e| match &e.change {
                Change::Decline { reason, .. } => Some((reason.clone(), law(profile.decide.basis))),
                Change::SeparateToLegalTrack { route, notice, .. } => Some((
                    format!("{}：{notice}", tr.t(route.label_key())),
                    tr.t("petition_doc.legal_basis").to_owned(),
                )),
                _ => None,
            })?;
            blocks.push(Block::Title(tr.t("petition_doc.decline_title").to_owned()));
            blocks.push(body(
                "petition_doc.decline_body",
                vec![("reason", reason), ("basis", basis)],
            ));
        }
        "answer" => {
            let text = detail.history.iter().rev().find_map(|e| match &e.change {
                Change::Answer { text, .. }
                | Change::AnswerReview { text, .. }
                | Change::AnswerReexamination { text, .. } => Some(text.clone()),
                _ => None,
            })?;
            blocks.push(Block::Title(tr.t("petition_doc.answer_title").to_owned()));
            blocks.push(body("petition_doc.answer_intro", Vec::new()));
            blocks.push(Block::Heading(tr.t("petition_doc.request").to_owned()));
            blocks.push(Block::Paragraph(p.registration.matter.clone()));
            blocks.push(Block::Heading(tr.t("petition_doc.opinion").to_owned()));
            blocks.push(Block::Paragraph(format!(
                "{}。{text}",
                p.outcome.map_or("", |o| tr.t(o.label_key()))
            )));
            blocks.push(Block::Heading(tr.t("petition_doc.basis").to_owned()));
            blocks.push(Block::Paragraph(tr.f(
                "petition_doc.basis_text",
                &[("law", tr.t("petition_law.national_2022").to_owned())],
            )));
            if p.state != PetitionState::Concluded {
                blocks.push(Block::Paragraph(tr.f(
                    "petition_doc.review_route",
                    &[
                        ("days", profile.review_request.limit.amount.to_string()),
                        ("basis", law(profile.review_request.basis)),
                    ],
                )));
            }
        }
        _ => return None,
    }
    blocks.push(Block::Date(day(today)));
    Some(blocks)
}

/// `/petitions/{id}/documents/{kind}`: one document as a Word file.
pub async fn download(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path((id, kind)): Path<(String, String)>,
) -> Result<Response, Failure> {
    me.require(Capability::HandlePetitions)?;
    let tr = me.ctx.tr();
    let not_found = || {
        Failure::Refused(Refusal::NotFound {
            what: "noun.document",
            key: kind.clone(),
        })
    };
    let id = id.parse().map_err(|_| not_found())?;
    let detail = app.store.petition(&me.scope(), id).await?;
    if !available(&detail).contains(&kind.as_str()) {
        return Err(not_found());
    }
    let blocks = blocks(tr, &detail, &kind, app.store.now()).ok_or_else(not_found)?;
    let bytes = docx(&blocks).map_err(|error| {
        tracing::error!(%error, "writing a petition document");
        Failure::Internal
    })?;
    let title = tr.t(&format!("petition_doc.{kind}_file")).to_owned();
    Ok(attachment(
        bytes,
        Kind::Docx,
        kind.as_str(),
        &format!("{title}-{}", detail.petition.number),
    ))
}
