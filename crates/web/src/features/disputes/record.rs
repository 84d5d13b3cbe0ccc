//! One dispute's page: the registration, the parties (from the registry, with how often each
//! was involved before), the mediators, the session records (调解工作记录), the agreement with
//! its terms and their performance, the court-confirmation window, the history, and a form for
//! each action the reader may take now.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiedao_core::Capability;
use jiedao_core::dispute::machine::last_day;
use jiedao_core::dispute::{Action, ActionKind, MediatorKind, Performance, Risk, Source};
use jiedao_store::StoreError;
use jiedao_store::disputes::{self, DisputeDetail};
use uuid::Uuid;

use super::body::{ActionBody, FORM_TERMS};
use super::list::{id_of, kind_name, kinds};
use crate::AppState;
use crate::context::{SignedIn, Staff};
use crate::failure::Failure;
use crate::tr::Tr;
use crate::widgets::choice::Choice;
use crate::widgets::layout::{Chrome, Refused, render_form};
use crate::widgets::present::time;
use crate::widgets::table::{Cell, Row, Table};

/// One input of an action's form.
struct Field {
    name: String,
    label: String,
    /// `text`, `textarea`, `date`, `number` or `select`.
    input: &'static str,
    options: Vec<Choice>,
    value: String,
}

/// An action's form.
struct ActionForm {
    action: &'static str,
    label: &'static str,
    fields: Vec<Field>,
}

#[derive(Template)]
#[template(path = "disputes/record.html")]
struct RecordPage {
    chrome: Chrome,
    id: Uuid,
    error: Option<Refused>,
    facts: Vec<(&'static str, String, bool)>,
    sections: Vec<(&'static str, Table)>,
    forms: Vec<ActionForm>,
    document: Option<String>,
}

fn field(tr: Tr, name: &str, label: &'static str, input: &'static str) -> Field {
    Field {
        name: name.to_owned(),
        label: tr.t(label).to_owned(),
        input,
        options: Vec::new(),
        value: String::new(),
    }
}

fn select(tr: Tr, name: &str, label: &'static str, options: Vec<Choice>) -> Field {
    Field {
        options,
        ..field(tr, name, label, "select")
    }
}

fn yes_no(tr: Tr, yes_first: bool) -> Vec<Choice> {
    let (yes, no) = (
        Choice::new("yes", tr.t("dispute.yes"), yes_first),
        Choice::new("no", tr.t("dispute.no"), !yes_first),
    );
    if yes_first {
        vec![yes, no]
    } else {
        vec![no, yes]
    }
}

fn coded<T: Copy>(
    tr: Tr,
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice::new(code(*v), tr.t(label(*v)), false))
        .collect()
}

fn form_of(tr: Tr, kind: ActionKind, detail: &DisputeDetail, today: &str) -> ActionForm {
    let dated = |name: &str, label| Field {
        value: today.to_owned(),
        ..field(tr, name, label, "date")
    };
    let fields = match kind {
        ActionKind::Assign => vec![
            Field {
                value: format!("{}{}", detail.place, tr.t("dispute.committee_suffix")),
                ..field(tr, "committee", "dispute.committee", "text")
            },
            field(tr, "mediators", "dispute.mediators_lines", "textarea"),
            select(
                tr,
                "mediator_kind",
                "dispute.mediator_kind",
                coded(
                    tr,
                    MediatorKind::ALL,
                    MediatorKind::as_str,
                    MediatorKind::label_key,
                ),
            ),
        ],
        ActionKind::Session => vec![
            dated("on", "dispute.on"),
            field(tr, "place", "dispute.place_of_session", "text"),
            field(tr, "present", "dispute.present", "text"),
            field(tr, "record", "dispute.record", "textarea"),
            field(tr, "proposal", "dispute.proposal", "textarea"),
        ],
        ActionKind::Extend => vec![
            field(tr, "days", "dispute.days", "number"),
            field(tr, "reason", "dispute.reason", "text"),
        ],
        ActionKind::Agree => {
            let mut fields = vec![
                select(tr, "written", "dispute.written", yes_no(tr, true)),
                dated("effective_on", "dispute.effective_on"),
                field(
                    tr,
                    "responsibilities",
                    "dispute.responsibilities",
                    "textarea",
                ),
            ];
            for i in 1..=FORM_TERMS {
                fields.push(Field {
                    label: tr.f("dispute.term_n", &[("n", i.to_string())]),
                    ..field(tr, &format!("term{i}_text"), "dispute.term", "text")
                });
                fields.push(field(
                    tr,
                    &format!("term{i}_manner"),
                    "dispute.manner",
                    "text",
                ));
                fields.push(field(tr, &format!("term{i}_due"), "dispute.due", "date"));
            }
            fields
        }
        ActionKind::Fail | ActionKind::Withdraw => {
            vec![field(tr, "reason", "dispute.reason", "textarea")]
        }
        ActionKind::Refer => vec![field(tr, "to", "dispute.referred_to", "text")],
        ActionKind::ApplyConfirmation => vec![
            dated("on", "dispute.on"),
            field(tr, "court", "dispute.court", "text"),
        ],
        ActionKind::RuleConfirmation => {
            vec![select(tr, "valid", "dispute.valid", yes_no(tr, true))]
        }
        ActionKind::Perform => {
            let open_terms = detail
                .dispute
                .agreement
                .iter()
                .flat_map(|a| a.terms.iter().enumerate())
                .filter(|(_, t)| t.performed.is_none())
                .map(|(i, t)| {
                    Choice::new((i + 1).to_string(), format!("{}. {}", i + 1, t.text), false)
                })
                .collect();
            vec![
                select(tr, "term", "dispute.term", open_terms),
                select(
                    tr,
                    "performance",
                    "dispute.performance",
                    coded(
                        tr,
                        Performance::ALL,
                        Performance::as_str,
                        Performance::label_key,
                    ),
                ),
                dated("on", "dispute.on"),
            ]
        }
        ActionKind::SetRisk => vec![
            select(
                tr,
                "risk",
                "dispute.risk",
                coded(tr, Risk::ALL, Risk::as_str, Risk::label_key),
            ),
            field(tr, "reason", "dispute.reason", "text"),
        ],
        ActionKind::Escalate => vec![
            field(tr, "to", "dispute.escalated_to", "text"),
            field(tr, "petition", "dispute.petition", "text"),
            select(tr, "criminal", "dispute.criminal", yes_no(tr, false)),
        ],
        ActionKind::Register => Vec::new(),
    };
    ActionForm {
        action: kind.as_str(),
        label: tr.t(kind.label_key()),
        fields,
    }
}

pub(super) async fn detail(
    app: &AppState,
    me: &SignedIn,
    id: Uuid,
) -> Result<DisputeDetail, Failure> {
    me.require(Capability::ViewDisputes)?;
    let scope = me.scope();
    Ok(app
        .store
        .read(move |conn| disputes::read::get(conn, &scope, id))
        .await?)
}

fn parties_table(tr: Tr, detail: &DisputeDetail) -> Table {
    let rows = detail
        .parties
        .iter()
        .map(|p| {
            let particulars = p
                .particulars
                .iter()
                .map(|(k, v)| {
                    let value = match (k.as_str(), v.as_str()) {
                        ("sex", "male") => tr.t("sex.male").to_owned(),
                        ("sex", "female") => tr.t("sex.female").to_owned(),
                        _ => v.clone(),
                    };
                    format!("{} {}", tr.t(&format!("dispute.particular_{k}")), value)
                })
                .collect::<Vec<_>>()
                .join("；");
            let href = match p.kind {
                jiedao_core::dispute::PartyKind::Person => format!("/registry/persons/{}", p.id),
                jiedao_core::dispute::PartyKind::Enterprise => "/registry/enterprises".to_owned(),
            };
            Row::new(vec![
                Cell::ui(tr.t(p.role.label_key())),
                Cell::user(p.name.clone()).link(href),
                Cell::user(particulars),
                Cell::count(u64::try_from(p.involvement).unwrap_or(0)),
            ])
        })
        .collect();
    Table::new(
        vec![
            tr.t("dispute.role"),
            tr.t("dispute.party_name"),
            tr.t("dispute.particulars"),
            tr.t("dispute.involvement"),
        ],
        rows,
        tr.t("dispute.none"),
    )
}

fn sessions_table(tr: Tr, detail: &DisputeDetail) -> Table {
    let rows = detail
        .dispute
        .sessions
        .iter()
        .map(|s| {
            Row::new(vec![
                Cell::ui(s.on.to_string()),
                Cell::user(s.place.clone()),
                Cell::user(s.present.clone()),
                Cell::user(s.record.clone()),
                Cell::user(s.proposal.clone()),
            ])
        })
        .collect();
    Table::new(
        vec![
            tr.t("dispute.on"),
            tr.t("dispute.place_of_session"),
            tr.t("dispute.present"),
            tr.t("dispute.record"),
            tr.t("dispute.proposal"),
        ],
        rows,
        tr.t("dispute.none"),
    )
}

fn terms_table(tr: Tr, detail: &DisputeDetail) -> Table {
    let rows = detail
        .dispute
        .agreement
        .iter()
        .flat_map(|a| a.terms.iter().enumerate())
        .map(|(i, t)| {
            let (performance, on) = match t.performed {
                Some((p, on)) => (tr.t(p.label_key()), on.to_string()),
                None => (tr.t("dispute.pending"), String::new()),
            };
            Row::new(vec![
                Cell::count(u64::try_from(i + 1).unwrap_or(0)),
                Cell::user(t.text.clone()),
                Cell::user(t.manner.clone()),
                Cell::ui(t.due.to_string()),
                Cell::ui(performance),
                Cell::ui(on),
            ])
        })
        .collect();
    Table::new(
        vec![
            tr.t("dispute.n"),
            tr.t("dispute.term"),
            tr.t("dispute.manner"),
            tr.t("dispute.due"),
            tr.t("dispute.performance"),
            tr.t("dispute.on"),
        ],
        rows,
        tr.t("dispute.none"),
    )
}

fn history_table(tr: Tr, detail: &DisputeDetail) -> Table {
    let rows = detail
        .history
        .iter()
        .rev()
        .map(|e| {
            Row::new(vec![
                Cell::ui(time(e.at)),
                Cell::user(e.actor.name.clone()),
                Cell::ui(tr.t(e.change.kind().label_key())),
                Cell::ui(tr.t(e.to_state.label_key())),
            ])
        })
        .collect();
    Table::new(
        vec![
            tr.t("dispute.at"),
            tr.t("dispute.by"),
            tr.t("dispute.change"),
            tr.t("dispute.state"),
        ],
        rows,
        tr.t("dispute.none"),
    )
}

async fn show(
    app: &AppState,
    me: &SignedIn,
    id: Uuid,
    error: Option<Refused>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let detail = detail(app, me, id).await?;
    let kinds = kinds(app).await?;
    let (calendar, now) = (app.store.calendar(), app.store.now());
    let d = &detail.dispute;
    let r = &d.registration;
    let source = Source::label_key(r.source);
    let mut facts = vec![
        (tr.t("dispute.number"), detail.number.clone(), false),
        (
            tr.t("dispute.state"),
            tr.t(d.state.label_key()).to_owned(),
            false,
        ),
        (tr.t("dispute.place"), detail.place.clone(), true),
        (tr.t("dispute.registered_on"), time(d.registered_at), false),
        (tr.t("dispute.source"), tr.t(source).to_owned(), false),
        (
            tr.t("dispute.came_from"),
            r.from.clone().unwrap_or_default(),
            true,
        ),
        (
            tr.t("dispute.kind"),
            kind_name(&kinds, &r.kind, tr.lang()),
            true,
        ),
        (tr.t("dispute.facts"), r.facts.clone(), true),
        (tr.t("dispute.points"), r.points.clone(), true),
        (tr.t("dispute.amount"), r.amount.text(tr.lang()), false),
        (
            tr.t("dispute.risk"),
            tr.t(d.risk.label_key()).to_owned(),
            false,
        ),
        (
            tr.t("dispute.deadline"),
            format!(
                "{} ({})",
                d.deadline.deadline.map(time).unwrap_or_default(),
                tr.t(d.deadline.light(&calendar, now).label_key())
            ),
            false,
        ),
        (
            tr.t("dispute.committee"),
            d.committee.clone().unwrap_or_default(),
            true,
        ),
        (
            tr.t("dispute.mediators"),
            d.mediators
                .iter()
                .map(|m| format!("{}（{}）", m.name, tr.t(m.kind.label_key())))
                .collect::<Vec<_>>()
                .join("、"),
            true,
        ),
    ];
    if let Some(ending) = &d.ending {
        facts.push((tr.t("dispute.ending"), ending.clone(), true));
    }
    if d.escalated {
        facts.push((
            tr.t("dispute.escalated"),
            d.petition
                .clone()
                .unwrap_or_else(|| tr.t("dispute.yes").to_owned()),
            true,
        ));
    }
    if d.criminal {
        facts.push((
            tr.t("dispute.criminal"),
            tr.t("dispute.yes").to_owned(),
            false,
        ));
    }
    if let Some(a) = &d.agreement {
        facts.push((
            tr.t("dispute.agreement"),
            tr.t(if a.written {
                "dispute.written_yes"
            } else {
                "dispute.written_no"
            })
            .to_owned(),
            false,
        ));
        facts.push((
            tr.t("dispute.effective_on"),
            a.effective_on.to_string(),
            false,
        ));
        facts.push((
            tr.t("dispute.responsibilities"),
            a.responsibilities.clone(),
            true,
        ));
        facts.push((
            tr.t("dispute.window"),
            last_day(&a.confirmation_window).map_or_else(
                || tr.t("light.unknown").to_owned(),
                |last| tr.f("dispute.window_until", &[("day", last.to_string())]),
            ),
            false,
        ));
        if let Some(c) = &a.confirmation {
            let ruling = match c.valid {
                None => tr.t("dispute.pending"),
                Some(true) => tr.t("dispute.valid_yes"),
                Some(false) => tr.t("dispute.valid_no"),
            };
            facts.push((
                tr.t("dispute.confirmation"),
                format!("{} {} {}", c.applied_on, c.court, ruling),
                true,
            ));
        }
    }
    if !detail.intact {
        facts.push((
            tr.t("dispute.intact"),
            tr.t("dispute.broken_chain").to_owned(),
            false,
        ));
    }
    let today = jiedao_core::clock::business_date(now).to_string();
    let forms = detail
        .available
        .iter()
        .map(|k| form_of(tr, *k, &detail, &today))
        .collect();
    let sections = vec![
        (tr.t("dispute.parties"), parties_table(tr, &detail)),
        (tr.t("dispute.sessions"), sessions_table(tr, &detail)),
        (tr.t("dispute.terms"), terms_table(tr, &detail)),
        (tr.t("dispute.history"), history_table(tr, &detail)),
    ];
    let refused = error.as_ref().map(|e| e.kind);
    render_form(
        &RecordPage {
            chrome: Chrome::for_record(&me.ctx, detail.number.clone()),
            id,
            error,
            facts,
            sections,
            forms,
            document: d
                .agreement
                .as_ref()
                .filter(|a| a.written)
                .map(|_| format!("/disputes/{id}/agreement.docx")),
        },
        refused,
    )
}

pub async fn page(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    show(&app, &me, id_of(&id)?, None).await
}

/// Does the form's action and shows the dispute again; a refusal shows it with the reason.
pub async fn act(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, Failure> {
    me.require(Capability::MediateDisputes)?;
    let id = id_of(&id)?;
    let done = match Action::try_from(ActionBody::from_form(&form)) {
        Ok(action) => {
            app.store
                .act_on_dispute(me.principal.clone(), me.ctx.ip.clone(), id, action)
                .await
        }
        Err(refusal) => Err(StoreError::Refused(refusal)),
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/disputes/{id}")).into_response()),
        Err(StoreError::Refused(refusal)) => {
            show(&app, &me, id, Some(Refused::of(&refusal, me.ctx.lang))).await
        }
        Err(fault) => Err(fault.into()),
    }
}
