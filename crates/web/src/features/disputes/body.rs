//! A dispute's registration and actions as they arrive, parsed once at the edge: the JSON
//! API's bodies as they stand, a page's form read into the same bodies
//! (`from_form`), and either turned into the store's and the rules' types through one
//! `TryFrom`. Nothing is turned back into text on the way.

use std::collections::HashMap;

use chrono::NaiveDate;
use jiedao_core::dispute::machine::NewTerm;
use jiedao_core::dispute::{
    Action, ActionKind, DisputeRefusal, Mediator, MediatorKind, PartyKind, PartyRole, Performance,
    Risk, Session, Source,
};
use jiedao_core::money::{Money, Scale};
use jiedao_core::registry::DocumentKind;
use jiedao_store::Refusal;
use jiedao_store::disputes::{NewDispute, NewParty};
use jiedao_store::registry::persons::NewPerson;
use serde::Deserialize;
use uuid::Uuid;

/// Terms a page's form offers rows for.
pub const FORM_TERMS: usize = 3;

fn required(field: &'static str) -> Refusal {
    Refusal::Dispute(DisputeRefusal::Required { field })
}

fn day(text: Option<&str>, field: &'static str) -> Result<NaiveDate, Refusal> {
    text.and_then(|t| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok())
        .ok_or_else(|| required(field))
}

fn text(value: Option<String>) -> String {
    value.unwrap_or_default()
}

/// A mediator as sent.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediatorBody {
    pub name: String,
    /// `staff`, `volunteer` (老娘舅) or `lawyer`.
    pub kind: String,
}

/// An agreed term as sent.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermBody {
    pub text: String,
    /// The manner of performance (履行方式).
    pub manner: String,
    /// The deadline of performance (履行期限), `YYYY-MM-DD`.
    pub due: String,
}

/// An action on a dispute: `action` names it; each action reads the fields it needs.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// `assign`, `session`, `extend`, `agree`, `fail`, `refer`, `withdraw`,
    /// `apply_confirmation`, `rule_confirmation`, `perform`, `set_risk` or `escalate`.
    pub action: String,
    /// The committee (assign).
    pub committee: Option<String>,
    pub mediators: Option<Vec<MediatorBody>>,
    /// A day, `YYYY-MM-DD` (session, apply_confirmation, perform).
    pub on: Option<String>,
    pub place: Option<String>,
    pub present: Option<String>,
    pub record: Option<String>,
    pub proposal: Option<String>,
    /// Days more (extend).
    pub days: Option<u32>,
    pub reason: Option<String>,
    /// A written agreement (调解协议书) or an oral one (agree).
    pub written: Option<bool>,
    pub effective_on: Option<String>,
    pub responsibilities: Option<String>,
    pub terms: Option<Vec<TermBody>>,
    /// Where it was referred or escalated to.
    pub to: Option<String>,
    pub court: Option<String>,
    /// The court's ruling (rule_confirmation).
    pub valid: Option<bool>,
    /// The term followed up, counted from 1 (perform).
    pub term: Option<usize>,
    /// `done`, `late` or `broken` (perform).
    pub performance: Option<String>,
    /// `low`, `medium` or `high` (set_risk).
    pub risk: Option<String>,
    /// A petition's number to link (escalate).
    pub petition: Option<String>,
    /// It turned into a criminal case (民转刑, escalate).
    pub criminal: Option<bool>,
}

impl ActionBody {
    /// A page's form: the same fields; mediators one per line with one kind, terms in rows.
    pub fn from_form(form: &HashMap<String, String>) -> ActionBody {
        let get = |name: &str| {
            form.get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let yes = |name: &str| get(name).map(|v| v == "yes");
        let kind = get("mediator_kind").unwrap_or_else(|| "staff".into());
        let mediators = get("mediators").map(|lines| {
            lines
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|name| MediatorBody {
                    name: name.to_owned(),
                    kind: kind.clone(),
                })
                .collect()
        });
        let terms: Vec<TermBody> = (1..=FORM_TERMS)
            .filter_map(|i| {
                let text = get(&format!("term{i}_text"))?;
                Some(TermBody {
                    text,
                    manner: get(&format!("term{i}_manner")).unwrap_or_default(),
                    due: get(&format!("term{i}_due")).unwrap_or_default(),
                })
            })
            .collect();
        ActionBody {
            action: get("action").unwrap_or_default(),
            committee: get("committee"),
            mediators,
            on: get("on"),
            place: get("place"),
            present: get("present"),
            record: get("record"),
            proposal: get("proposal"),
            days: get("days").and_then(|d| d.parse().ok()),
            reason: get("reason"),
            written: yes("written"),
            effective_on: get("effective_on"),
            responsibilities: get("responsibilities"),
            terms: (!terms.is_empty()).then_some(terms),
            to: get("to"),
            court: get("court"),
            valid: yes("valid"),
            term: get("term").and_then(|t| t.parse().ok()),
            performance: get("performance"),
            risk: get("risk"),
            petition: get("petition"),
            criminal: yes("criminal"),
        }
    }
}

impl TryFrom<ActionBody> for Action {
    type Error = Refusal;

    fn try_from(body: ActionBody) -> Result<Action, Refusal> {
        let kind = ActionKind::parse(&body.action)
            .filter(|k| *k != ActionKind::Register)
            .ok_or_else(|| required("dispute.action"))?;
        Ok(match kind {
            ActionKind::Assign => Action::Assign {
                committee: text(body.committee),
                mediators: body
                    .mediators
                    .unwrap_or_default()
                    .into_iter()
                    .map(|m| {
                        Ok(Mediator {
                            kind: MediatorKind::parse(&m.kind)
                                .ok_or_else(|| required("dispute.mediator_kind"))?,
                            name: m.name,
                        })
                    })
                    .collect::<Result<_, Refusal>>()?,
            },
            ActionKind::Session => Action::Session(Session {
                on: day(body.on.as_deref(), "dispute.on")?,
                place: text(body.place),
                present: text(body.present),
                record: text(body.record),
                proposal: text(body.proposal),
            }),
            ActionKind::Extend => Action::Extend {
                days: body.days.ok_or_else(|| required("dispute.days"))?,
                reason: text(body.reason),
            },
            ActionKind::Agree => Action::Agree {
                written: body.written.unwrap_or(false),
                effective_on: day(body.effective_on.as_deref(), "dispute.effective_on")?,
                responsibilities: text(body.responsibilities),
                terms: body
                    .terms
                    .unwrap_or_default()
                    .into_iter()
                    .map(|t| {
                        Ok(NewTerm {
                            due: day(Some(&t.due), "dispute.due")?,
                            text: t.text,
                            manner: t.manner,
                        })
                    })
                    .collect::<Result<_, Refusal>>()?,
            },
            ActionKind::Fail => Action::Fail {
                reason: text(body.reason),
            },
            ActionKind::Refer => Action::Refer { to: text(body.to) },
            ActionKind::Withdraw => Action::Withdraw {
                reason: text(body.reason),
            },
            ActionKind::ApplyConfirmation => Action::ApplyConfirmation {
                on: day(body.on.as_deref(), "dispute.on")?,
                court: text(body.court),
            },
            ActionKind::RuleConfirmation => Action::RuleConfirmation {
                valid: body.valid.unwrap_or(false),
            },
            ActionKind::Perform => Action::Perform {
                term: body
                    .term
                    .and_then(|t| t.checked_sub(1))
                    .ok_or_else(|| required("dispute.term"))?,
                performance: body
                    .performance
                    .as_deref()
                    .and_then(Performance::parse)
                    .ok_or_else(|| required("dispute.performance"))?,
                on: day(body.on.as_deref(), "dispute.on")?,
            },
            ActionKind::SetRisk => Action::SetRisk {
                risk: body
                    .risk
                    .as_deref()
                    .and_then(Risk::parse)
                    .ok_or_else(|| required("dispute.risk"))?,
                reason: text(body.reason),
            },
            ActionKind::Escalate => Action::Escalate {
                to: text(body.to),
                petition: body.petition,
                criminal: body.criminal.unwrap_or(false),
            },
            ActionKind::Register => return Err(required("dispute.action")),
        })
    }
}

/// A party as sent: one in the registry (`id`), or a person to add (`name` and `document`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyBody {
    /// `applicant`, `respondent` or `third_party`.
    pub role: String,
    /// `person` (the default) or `enterprise`, for `id`.
    pub kind: Option<String>,
    /// A registry person's or enterprise's id.
    pub id: Option<String>,
    pub name: Option<String>,
    /// A resident ID number, for a person added on the spot.
    pub document: Option<String>,
    pub phone: Option<String>,
}

/// A dispute to register (调解登记).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    /// The community (or grid), by code or name.
    pub place: String,
    /// `walk_in`, `phone`, `case`, `hotline`, `police`, `court`, `screening` or `own_accord`.
    pub source: String,
    /// The case's or work order's number it came from.
    pub from: Option<String>,
    /// The type's code (`GET /api/v1/disputes/kinds`).
    pub kind: String,
    pub facts: String,
    pub points: String,
    /// The amount at stake (调解标的): `5000`, `1.2万`…, in yuan when no unit is written.
    pub amount: Option<String>,
    /// `low` (the default), `medium` or `high`.
    pub risk: Option<String>,
    pub parties: Vec<PartyBody>,
}

impl RegisterBody {
    /// A page's form: an applicant and a respondent, each found by id or added.
    pub fn from_form(form: &HashMap<String, String>) -> RegisterBody {
        let get = |name: &str| {
            form.get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let party = |role: &str| PartyBody {
            role: role.to_owned(),
            kind: None,
            id: get(&format!("{role}_id")),
            name: get(&format!("{role}_name")),
            document: get(&format!("{role}_document")),
            phone: get(&format!("{role}_phone")),
        };
        RegisterBody {
            place: get("place").unwrap_or_default(),
            source: get("source").unwrap_or_default(),
            from: get("from"),
            kind: get("kind").unwrap_or_default(),
            facts: get("facts").unwrap_or_default(),
            points: get("points").unwrap_or_default(),
            amount: get("amount"),
            risk: get("risk"),
            parties: vec![party("applicant"), party("respondent")],
        }
    }
}

impl TryFrom<RegisterBody> for NewDispute {
    type Error = Refusal;

    fn try_from(body: RegisterBody) -> Result<NewDispute, Refusal> {
        let community = body.place.clone();
        let parties = body
            .parties
            .into_iter()
            .map(|p| {
                let role = PartyRole::parse(&p.role).ok_or_else(|| required("dispute.role"))?;
                if let Some(id) = p.id {
                    let kind = p
                        .kind
                        .as_deref()
                        .map_or(Some(PartyKind::Person), PartyKind::parse)
                        .ok_or_else(|| required("dispute.party_kind"))?;
                    let id: Uuid = id.trim().parse().map_err(|_| Refusal::NotFound {
                        what: "noun.person",
                        key: id.clone(),
                    })?;
                    return Ok(NewParty::Existing { role, kind, id });
                }
                Ok(NewParty::New {
                    role,
                    person: Box::new(NewPerson {
                        name: p.name.unwrap_or_default(),
                        document_kind: DocumentKind::ResidentId,
                        document: p.document.unwrap_or_default(),
                        phone: p.phone,
                        house: None,
                        community: Some(community.clone()),
                        household: None,
                        moved_in: None,
                    }),
                })
            })
            .collect::<Result<Vec<_>, Refusal>>()?;
        let amount = match body.amount.as_deref().map(str::trim) {
            None | Some("") => Money::ZERO,
            Some(text) => Money::parse(text, Scale::One).map_err(|_| required("dispute.amount"))?,
        };
        Ok(NewDispute {
            place: body.place,
            source: Source::parse(&body.source).ok_or_else(|| required("dispute.source"))?,
            from: body.from,
            kind: body.kind,
            facts: body.facts,
            points: body.points,
            amount,
            risk: match body.risk.as_deref() {
                None => Risk::Low,
                Some(text) => Risk::parse(text).ok_or_else(|| required("dispute.risk"))?,
            },
            parties,
        })
    }
}
