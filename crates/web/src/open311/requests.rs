//! Service requests: `POST requests` (form or multipart with a photo, `api_key` required),
//! `GET requests` with every filter of the spec and the paging and update-time extensions,
//! `GET requests/{id}`, `GET tokens/{token}`, the servicerequestupdates feed, and the public
//! copy of a request's photo.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use jiedao_core::case::{ActionKind, CaseState};
use jiedao_core::question;
use jiedao_core::{AttachmentId, CaseId};
use jiedao_core::{RefusalKind, i18n};
use jiedao_store::cases::history::{self, EventActor, EventRecord};
use jiedao_store::cases::public::{self, MAX_PAGE, PublicCase, PublicQuery};
use jiedao_store::cases::read::mask_phone;
use jiedao_store::cases::{Answers, Face, NewReport, Purpose, Reporter, Sent, Upload, Variant};

use super::reply::{Format, Open311Error, Reply, Value};
use super::{BASE, Call, datetime, jurisdiction, parse_datetime, public_categories};
use crate::AppState;

/// The largest form without files.
const FORM_LIMIT: usize = 1024 * 1024;
/// Days a request list covers when no dates are given (the spec's default).
const DEFAULT_DAYS: i64 = 90;
/// The longest `media_url` kept.
const MAX_MEDIA_URL: usize = 500;

/// The name/value pairs of a query string, in order, repeats kept.
pub fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default()
}

/// The first value of a parameter that is not blank: an empty `api_key=` in a form does not
/// hide the key given in the query string.
fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .find(|v| !v.is_empty())
}

/// A list parameter, given comma-separated, several times, or both (the spec allows
/// `service_code` and `status` more than once): each item trimmed, blanks dropped.
fn items<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

fn bad(call: &Call, format: Format, key: &str, name: &str) -> Open311Error {
    Open311Error::new(
        RefusalKind::Malformed,
        format,
        i18n::format(call.lang, key, &[("name", name.to_owned())]),
    )
}

/// Text as the public may read it: every phone and ID number masked however it was typed
/// (spaces, dashes, dots, full-width digits, a country code), then any run of seven or more
/// digits left (a local number without its area code) masked too.
fn masked(text: &str) -> String {
    digit_runs_masked(&jiedao_core::registry::redact::mask_personal_numbers(text))
}

/// Where the public is told a case lies: rounded to 0.001° (about 100 m), so a report made
/// at someone's door does not point at the door.
fn rounded(degrees: f64) -> f64 {
    (degrees * 1000.0).round() / 1000.0
}

/// Replaces each run of seven or more digits with its masked form.
fn digit_runs_masked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.chars().count() >= 7 {
            out.push_str(&mask_phone(digits));
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

fn status(state: CaseState) -> &'static str {
    if state.is_open() { "open" } else { "closed" }
}

/// One request as GeoReport v2 writes it; with `notes`, the extension's history.
fn record(app: &AppState, call: &Call, found: &PublicCase, notes: Option<Value>) -> Value {
    let case = &found.case;
    let catalog = app.store.catalog();
    let entry = case.category.as_ref().and_then(|k| catalog.get(k.id));
    let media_url = found
        .photo
        .map(|id| format!("{}{BASE}/media/{id}", call.origin))
        .or_else(|| found.media_url.clone());
    let coordinate = |v: Option<f64>| v.map_or(Value::Nothing, |v| Value::Number(rounded(v)));
    let mut fields = vec![
        ("service_request_id", Value::text(&case.number)),
        ("status", Value::text(status(case.state))),
        (
            "status_notes",
            Value::text(i18n::text(call.lang, case.state.label_key())),
        ),
        (
            "service_name",
            Value::maybe(entry.map(|e| e.name_in(call.lang).to_owned())),
        ),
        ("service_code", Value::maybe(entry.map(|e| e.code.clone()))),
        ("description", Value::text(masked(&case.description))),
        (
            "agency_responsible",
            Value::maybe(case.department.as_ref().map(|d| d.name.clone())),
        ),
        ("service_notice", Value::Nothing),
        (
            "requested_datetime",
            Value::text(datetime(case.reported_at)),
        ),
        ("updated_datetime", Value::text(datetime(case.updated_at))),
        (
            "expected_datetime",
            Value::maybe(
                case.case_timer
                    .as_ref()
                    .filter(|_| case.state.is_open())
                    .and_then(|t| t.deadline)
                    .map(datetime),
            ),
        ),
        (
            "address",
            Value::maybe(case.location.address.as_deref().map(masked)),
        ),
        ("address_id", Value::Nothing),
        ("zipcode", Value::Nothing),
        ("lat", coordinate(case.location.lat)),
        ("long", coordinate(case.location.lon)),
        ("media_url", Value::maybe(media_url)),
    ];
    if let Some(notes) = notes {
        let answers = entry.map_or_else(Vec::new, |e| {
            question::describe(&e.settings.questions, &found.answers, call.lang)
        });
        fields.push((
            "extended_attributes",
            Value::Record(vec![
                ("notes", notes),
                (
                    "answers",
                    Value::List("answer", answers.into_iter().map(Value::Text).collect()),
                ),
            ]),
        ));
    }
    Value::Record(fields)
}

/// The case's history as notes: what was done and when, never by whom.
fn notes(records: &[EventRecord], call: &Call) -> Value {
    Value::List(
        "note",
        records
            .iter()
            .map(|r| {
                Value::Record(vec![
                    ("datetime", Value::text(datetime(r.at))),
                    ("status", Value::text(status(r.to_state))),
                    (
                        "description",
                        Value::text(i18n::text(call.lang, r.change.kind().label_key())),
                    ),
                ])
            })
            .collect(),
    )
}

/// The requests as a list; with `extended`, each with its history, read in one go.
async fn records(
    app: &AppState,
    call: &Call,
    format: Format,
    found: Vec<PublicCase>,
    extended: bool,
) -> Result<Value, Open311Error> {
    let histories: Vec<Option<Vec<EventRecord>>> = if extended {
        let ids: Vec<CaseId> = found.iter().map(|c| c.case.id).collect();
        app.store
            .read(move |conn| {
                ids.iter()
                    .map(|id| history::load(conn, *id).map(Some))
                    .collect()
            })
            .await
            .map_err(|e| call.fault(format, e))?
    } else {
        vec![None; found.len()]
    };
    let items = found
        .iter()
        .zip(histories)
        .map(|(case, history)| record(app, call, case, history.map(|h| notes(&h, call))))
        .collect();
    Ok(Value::List("request", items))
}

fn when(
    call: &Call,
    format: Format,
    pairs: &[(String, String)],
    name: &str,
) -> Result<Option<chrono::DateTime<Utc>>, Open311Error> {
    first(pairs, name)
        .map(|text| {
            parse_datetime(text).ok_or_else(|| bad(call, format, "open311.bad_datetime", name))
        })
        .transpose()
}

/// `page` (from 1) and `page_size` (1 to 1000, all of it by default; more is read as 1000,
/// as other servers do) as limit and offset.
fn paging(
    call: &Call,
    format: Format,
    pairs: &[(String, String)],
) -> Result<(i64, i64), Open311Error> {
    let number = |name: &str, default: i64| -> Result<i64, Open311Error> {
        match first(pairs, name) {
            None => Ok(default),
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| bad(call, format, "open311.bad_number", name)),
        }
    };
    let size = number("page_size", MAX_PAGE)?.min(MAX_PAGE);
    let page = number("page", 1)?;
    if page > 1_000_000 {
        return Err(bad(call, format, "open311.bad_number", "page"));
    }
    Ok((size, (page - 1) * size))
}

fn extended(pairs: &[(String, String)]) -> bool {
    first(pairs, "extensions").is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// `GET requests.{json|xml}`.
pub async fn list(
    app: &AppState,
    call: &Call,
    format: Format,
    pairs: &[(String, String)],
) -> Result<Response, Open311Error> {
    let street = jurisdiction(app, call, format, first(pairs, "jurisdiction_id")).await?;
    let catalog = app.store.catalog();
    let mut query = PublicQuery {
        street: street.map(|s| s.0),
        ..PublicQuery::default()
    };
    let numbers = items(pairs, "service_request_id");
    if numbers.is_empty() {
        for code in items(pairs, "service_code") {
            let entry = catalog
                .by_code(code)
                .filter(|e| e.is_leaf && e.settings.public)
                .ok_or_else(|| bad(call, format, "open311.unknown_service", code))?;
            query.categories.push(entry.id);
        }
        query.reported_from = when(call, format, pairs, "start_date")?;
        query.reported_to = when(call, format, pairs, "end_date")?;
        query.updated_from = when(call, format, pairs, "updated_after")?;
        query.updated_to = when(call, format, pairs, "updated_before")?;
        if query.reported_from.is_none() && query.reported_to.is_none() {
            query.reported_from = Some(app.store.now() - Duration::days(DEFAULT_DAYS));
        }
        let statuses = items(pairs, "status");
        for wanted in &statuses {
            if !matches!(*wanted, "open" | "closed") {
                return Err(bad(call, format, "open311.bad_status", wanted));
            }
        }
        let open = statuses.contains(&"open");
        let closed = statuses.contains(&"closed");
        query.open = (open != closed).then_some(open);
    } else {
        // The spec: a list of ids overrides every other filter.
        query.numbers = numbers.iter().map(|n| (*n).to_owned()).collect();
    }
    (query.limit, query.offset) = paging(call, format, pairs)?;
    let public = public_categories(app);
    let found = app
        .store
        .read(move |conn| public::requests(conn, &query, &public))
        .await
        .map_err(|e| call.fault(format, e))?;
    let body = records(app, call, format, found, extended(pairs)).await?;
    Ok(Reply::ok(format, "service_requests", body).into_response())
}

/// `GET requests/{id}.{json|xml}`: a list of one, as the spec writes it.
pub async fn one(
    State(app): State<AppState>,
    call: Call,
    Path(file): Path<String>,
    query: axum::extract::RawQuery,
) -> Result<Response, Open311Error> {
    let Some((id, format)) = Format::split(&file) else {
        return Err(call.error(RefusalKind::NotFound, Format::Json, "open311.no_such_path"));
    };
    call.limit(&app, format, None)?;
    let pairs = query_pairs(query.0.as_deref());
    let street = jurisdiction(&app, &call, format, first(&pairs, "jurisdiction_id")).await?;
    let (key, public) = (id.to_owned(), public_categories(&app));
    let found = app
        .store
        .read(move |conn| public::request(conn, &key, &public))
        .await
        .map_err(|e| call.fault(format, e))?
        .filter(|c| street.as_ref().is_none_or(|s| s.0 == c.case.street))
        .ok_or_else(|| call.error(RefusalKind::NotFound, format, "open311.no_request"))?;
    let body = records(&app, &call, format, vec![found], extended(&pairs)).await?;
    Ok(Reply::ok(format, "service_requests", body).into_response())
}

/// `GET tokens/{token}.{json|xml}`: the request a token stands for. Requests are numbered
/// when taken, so a token (the case's id) always has its number.
pub async fn token(
    State(app): State<AppState>,
    call: Call,
    Path(file): Path<String>,
) -> Result<Response, Open311Error> {
    let Some((token, format)) = Format::split(&file) else {
        return Err(call.error(RefusalKind::NotFound, Format::Json, "open311.no_such_path"));
    };
    call.limit(&app, format, None)?;
    // A token is a case id; a case number is not a token.
    if token.parse::<CaseId>().is_err() {
        return Err(call.error(RefusalKind::NotFound, format, "open311.no_request"));
    }
    let (key, public) = (token.to_owned(), public_categories(&app));
    let found = app
        .store
        .read(move |conn| public::request(conn, &key, &public))
        .await
        .map_err(|e| call.fault(format, e))?
        .ok_or_else(|| call.error(RefusalKind::NotFound, format, "open311.no_request"))?;
    Ok(Reply::ok(
        format,
        "service_requests",
        Value::List(
            "request",
            vec![Value::Record(vec![
                ("service_request_id", Value::text(&found.case.number)),
                ("token", Value::text(token)),
            ])],
        ),
    )
    .into_response())
}

/// `GET servicerequestupdates.{json|xml}`: every change of a public case between
/// `start_date` (by default a day ago) and `end_date` (by default now), oldest first.
pub async fn updates(
    app: &AppState,
    call: &Call,
    format: Format,
    pairs: &[(String, String)],
) -> Result<Response, Open311Error> {
    let street = jurisdiction(app, call, format, first(pairs, "jurisdiction_id")).await?;
    let now = app.store.now();
    let from = when(call, format, pairs, "start_date")?.unwrap_or(now - Duration::days(1));
    let to = when(call, format, pairs, "end_date")?.unwrap_or(now);
    let (limit, offset) = paging(call, format, pairs)?;
    let public = public_categories(app);
    let found = app
        .store
        .read(move |conn| {
            public::updates(conn, street.map(|s| s.0), from, to, &public, limit, offset)
        })
        .await
        .map_err(|e| call.fault(format, e))?;
    let items = found
        .iter()
        .map(|update| {
            let action = ActionKind::parse(&update.action).map_or(update.action.as_str(), |kind| {
                i18n::text(call.lang, kind.label_key())
            });
            Value::Record(vec![
                (
                    "update_id",
                    Value::text(format!("{}-{}", update.case_number, update.seq)),
                ),
                ("service_request_id", Value::text(&update.case_number)),
                ("status", Value::text(status(update.state))),
                ("updated_datetime", Value::text(datetime(update.at))),
                ("description", Value::text(action)),
                ("media_url", Value::Nothing),
            ])
        })
        .collect();
    Ok(Reply::ok(
        format,
        "service_request_updates",
        Value::List("request_update", items),
    )
    .into_response())
}

/// The public copy of a request's report photo.
pub async fn media(
    State(app): State<AppState>,
    call: Call,
    Path(id): Path<String>,
) -> Result<Response, Open311Error> {
    call.limit(&app, Format::Json, None)?;
    let missing = || call.error(RefusalKind::NotFound, Format::Json, "open311.no_request");
    let id: AttachmentId = id.parse().map_err(|_| missing())?;
    let public = public_categories(&app);
    let attachment = app
        .store
        .read(move |conn| {
            let Some(attachment) = jiedao_store::ledger::attachments::get(conn, id)? else {
                return Ok(None);
            };
            let case = public::request(conn, &attachment.record_id.to_string(), &public)?;
            Ok(case
                .filter(|c| c.photo == Some(attachment.id))
                .map(|_| attachment))
        })
        .await
        .map_err(|e| call.fault(Format::Json, e))?
        .ok_or_else(missing)?;
    let path = app.store.files().path(attachment.id, Variant::Public);
    let bytes = tokio::fs::read(&path).await.map_err(|_| missing())?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg")], bytes).into_response())
}

/// A POSTed form's fields (repeats kept) and files.
struct Posted {
    pairs: Vec<(String, String)>,
    files: Vec<Upload>,
}

async fn read_form(
    app: &AppState,
    call: &Call,
    format: Format,
    request: Request,
) -> Result<Posted, Open311Error> {
    let unreadable = || call.error(RefusalKind::Malformed, format, "error.bad_form");
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut query = query_pairs(request.uri().query());
    let keepable = |pairs: &[(String, String)]| {
        pairs
            .iter()
            .all(|(k, v)| jiedao_core::limits::storable(k) && jiedao_core::limits::storable(v))
    };
    if !multipart {
        let bytes = axum::body::to_bytes(request.into_body(), FORM_LIMIT)
            .await
            .map_err(|_| unreadable())?;
        let mut pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| unreadable())?;
        pairs.append(&mut query);
        if !keepable(&pairs) {
            return Err(unreadable());
        }
        return Ok(Posted {
            pairs,
            files: Vec::new(),
        });
    }
    let form = crate::upload::read(
        Multipart::from_request(request, app)
            .await
            .map_err(|_| unreadable())?,
    )
    .await
    .map_err(|_| unreadable())?;
    let files = form.uploads("media", Purpose::Report);
    let mut pairs = form.pairs;
    pairs.append(&mut query);
    if !keepable(&pairs) {
        return Err(unreadable());
    }
    Ok(Posted { pairs, files })
}

/// The answers sent as `attribute[code]=value` or `attribute[code][]=value`.
fn answers_sent(pairs: &[(String, String)]) -> BTreeMap<String, Vec<String>> {
    let mut given: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in pairs {
        let Some(rest) = name.strip_prefix("attribute[") else {
            continue;
        };
        let code = rest
            .strip_suffix("][]")
            .or_else(|| rest.strip_suffix(']'))
            .unwrap_or(rest);
        given
            .entry(code.to_owned())
            .or_default()
            .push(value.clone());
    }
    given
}

/// `POST requests.{json|xml}`: a client application reports a problem.
pub async fn create(
    State(app): State<AppState>,
    call: Call,
    Path(file): Path<String>,
    request: Request,
) -> Result<Response, Open311Error> {
    let Some(("requests", format)) = Format::split(&file) else {
        return Err(call.error(RefusalKind::NotFound, Format::Json, "open311.no_such_path"));
    };
    let posted = read_form(&app, &call, format, request).await?;
    let pairs = &posted.pairs;
    let api_key = first(pairs, "api_key");
    // Counted after the key is checked: against the client it proves, else the address.
    let client = match call.client(&app, format, api_key).await {
        Ok(client) => {
            call.limit(&app, format, Some(&client.id.to_string()))?;
            client
        }
        Err(refused) => {
            call.limit(&app, format, None)?;
            return Err(refused);
        }
    };
    let asked = jurisdiction(&app, &call, format, first(pairs, "jurisdiction_id")).await?;
    if asked.is_some_and(|(street, _)| street != client.street_id) {
        return Err(call.error(
            RefusalKind::NotPermitted,
            format,
            "open311.wrong_jurisdiction",
        ));
    }
    let code = first(pairs, "service_code")
        .ok_or_else(|| bad(&call, format, "open311.missing", "service_code"))?;
    let catalog = app.store.catalog();
    let entry = catalog
        .by_code(code)
        .filter(|e| e.is_leaf && e.active && e.settings.public)
        .ok_or_else(|| call.error(RefusalKind::NotFound, format, "open311.no_service"))?;
    let coordinate = |name: &str| -> Result<Option<f64>, Open311Error> {
        first(pairs, name)
            .map(|text| {
                text.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| bad(&call, format, "open311.bad_number", name))
            })
            .transpose()
    };
    let point = coordinate("lat")?.zip(coordinate("long")?);
    let address = first(pairs, "address_string").or(first(pairs, "address_id"));
    if point.is_none() && address.is_none() {
        return Err(bad(
            &call,
            format,
            "open311.missing",
            "lat/long, address_string",
        ));
    }
    let media_url = first(pairs, "media_url")
        .map(|url| {
            let fits = (url.starts_with("https://") || url.starts_with("http://"))
                && url.len() <= MAX_MEDIA_URL
                && !url.chars().any(char::is_whitespace);
            fits.then(|| url.to_owned())
                .ok_or_else(|| bad(&call, format, "open311.bad_url", "media_url"))
        })
        .transpose()?;
    let name = [first(pairs, "last_name"), first(pairs, "first_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("");
    let description = first(pairs, "description").map_or_else(|| entry.name.clone(), str::to_owned);
    let new = NewReport {
        channel: client.channel,
        category: Some(entry.id),
        urgency: None,
        description,
        lon: point.map(|(_, lon)| lon),
        lat: point.map(|(lat, _)| lat),
        address: address.map(str::to_owned),
        street: Some((client.street_id, client.street_path.clone())),
        external_ref: None,
        reporter: Reporter {
            name: Some(name).filter(|n| !n.is_empty()),
            phone: first(pairs, "phone").map(str::to_owned),
            ..Reporter::default()
        },
        idempotency: None,
        public_only: true,
        submission: Sent {
            answers: Answers::Given(answers_sent(pairs)),
            media_url,
        },
        face: Face::Client,
    };
    let actor = EventActor {
        user_id: None,
        name: format!("client:{}", client.name),
        role: None,
        ip: Some(call.ip.clone()),
    };
    let stored = crate::upload::store_files(&app, posted.files)
        .await
        .map_err(|e| call.fault(format, e))?;
    let receipt = app
        .store
        .report(new, actor, stored)
        .await
        .map_err(|e| call.fault(format, e))?;
    let notice = i18n::format(
        call.lang,
        "open311.receipt",
        &[("number", receipt.number.clone())],
    );
    Ok(Reply {
        status: StatusCode::CREATED,
        format,
        root: "service_requests",
        body: Value::List(
            "request",
            vec![Value::Record(vec![
                ("service_request_id", Value::text(&receipt.number)),
                ("token", Value::text(receipt.id.to_string())),
                ("service_notice", Value::text(notice)),
                ("account_id", Value::Nothing),
            ])],
        ),
    }
    .into_response())
}
