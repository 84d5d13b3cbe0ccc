//! Reporting a case by staff (窗口受理: the hotline, a leader's order, the media...) and by grid
//! workers in the street (网格员上报: a phone form with photos and the phone's position).

use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiedao_core::case::Channel;
use jiedao_core::category::Urgency;
use jiedao_core::{Capability, ClientId};
use jiedao_store::cases::{Face, NewReport, Purpose, Reporter, Who};
use jiedao_store::{StoreError, org};

use super::act::category_choices;
use super::report_form::{
    FormValues, ReportPage, pick_map, question_sets, read_answers, read_common,
};
use crate::AppState;
use crate::context::{SignedIn, Staff};
use crate::failure::Failure;
use crate::upload::{self};
use crate::widgets::choice::Choice;
use crate::widgets::layout::{Chrome, Refused, render_form};
use crate::widgets::map::Viewer;

fn staff_channels(tr: crate::tr::Tr, selected: &str) -> Vec<Choice> {
    [
        Channel::Hotline,
        Channel::Staff,
        Channel::Leader,
        Channel::Media,
        Channel::Police,
        Channel::Enterprise,
    ]
    .iter()
    .map(|c| Choice {
        value: c.as_str().into(),
        label: tr.t(c.label_key()).into(),
        selected: c.as_str() == selected,
    })
    .collect()
}

/// The street a member of staff works in, for reports without a point.
async fn street_of_user(
    app: &AppState,
    me: &SignedIn,
) -> Result<Option<(jiedao_core::OrgUnitId, jiedao_core::OrgPath)>, Failure> {
    let Some(path) = me.principal.org_path().cloned() else {
        return Ok(None);
    };
    let street = app
        .store
        .read(move |conn| org::street_of(conn, &path))
        .await?;
    Ok(street.map(|s| (s.id, s.path)))
}

async fn page(
    app: &AppState,
    me: &SignedIn,
    staff: bool,
    values: FormValues,
    channel: &str,
    error: Option<Refused>,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let (title, action, hint) = if staff {
        ("intake.staff_title", "/cases/new", "intake.staff_hint")
    } else {
        ("intake.grid_title", "/report/grid", "intake.grid_hint")
    };
    let refused = error.as_ref().map(|e| e.kind);
    render_form(
        &ReportPage {
            chrome: Chrome::new(&me.ctx, tr.t(title)),
            action: action.to_owned(),
            error,
            categories: category_choices(&app.store.catalog(), tr, None, false),
            channels: if staff {
                staff_channels(tr, channel)
            } else {
                Vec::new()
            },
            urgencies: if staff {
                Urgency::ALL
                    .iter()
                    .map(|u| Choice {
                        value: u.as_str().into(),
                        label: tr.t(u.label_key()).into(),
                        selected: false,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            communities: Vec::new(),
            values,
            ask_reporter: staff,
            ask_anonymity: false,
            hint: tr.t(hint),
            pick_map: pick_map(app, Viewer::Scope(me.principal.scope()), tr).await?,
            questions: question_sets(&app.store.catalog(), tr, false),
            queue: (!staff).then(|| tr.t("intake.grid_title")),
            nearby: false,
        },
        refused,
    )
}

pub async fn staff_form(
    State(app): State<AppState>,
    Staff(me): Staff,
) -> Result<Response, Failure> {
    me.require(Capability::TakeReports)?;
    page(&app, &me, true, FormValues::default(), "hotline", None).await
}

pub async fn grid_form(State(app): State<AppState>, Staff(me): Staff) -> Result<Response, Failure> {
    me.require(Capability::ReportInGrid)?;
    page(&app, &me, false, FormValues::default(), "", None).await
}

async fn submit(
    app: AppState,
    me: SignedIn,
    staff: bool,
    multipart: Multipart,
) -> Result<Response, Failure> {
    let form = upload::read(multipart).await?;
    let channel = if staff {
        Channel::parse(&form.text("channel")).unwrap_or(Channel::Staff)
    } else {
        Channel::GridWorker
    };
    let (category, description, lon, lat, address) = read_common(&form);
    let new = NewReport {
        channel,
        category,
        urgency: Urgency::parse(&form.text("urgency")),
        description,
        lon,
        lat,
        address,
        street: street_of_user(&app, &me).await?,
        external_ref: form.optional("external_ref"),
        reporter: if staff {
            Reporter {
                name: form.optional("name"),
                phone: form.optional("phone"),
                ..Reporter::default()
            }
        } else {
            Reporter {
                user_id: me.principal.user_id(),
                name: Some(me.principal.display_name().to_owned()),
                ..Reporter::default()
            }
        },
        // The key the page's script gave the form: a grid worker's report sent again from
        // the phone's queue is the same case. A person's account stands for the client
        // (ids are UUIDs: no account shares one with an intake client).
        idempotency: form
            .optional("intake_key")
            .filter(|key| !staff && jiedao_core::limits::INTAKE_KEY.fits(key))
            .zip(me.principal.user_id())
            .map(|(key, user)| (ClientId::from_uuid(user.uuid()), key)),
        public_only: false,
        submission: read_answers(&form, &app.store.catalog(), category),
        face: Face::Person,
    };
    let who = Who::User(me.principal.clone());
    let attempt = async {
        let files = upload::store_files(&app, form.uploads("photos", Purpose::Report)).await?;
        app.store
            .report(new, who.event_actor(me.ctx.ip.clone()), files)
            .await
    };
    match attempt.await {
        Ok(receipt) => Ok(Redirect::to(&format!("/cases/{}", receipt.id)).into_response()),
        Err(StoreError::Refused(refusal)) => {
            page(
                &app,
                &me,
                staff,
                FormValues::from(&form),
                channel.as_str(),
                Some(Refused::of(&refusal, me.ctx.lang)),
            )
            .await
        }
        Err(fault) => Err(fault.into()),
    }
}

pub async fn staff_submit(
    State(app): State<AppState>,
    Staff(me): Staff,
    multipart: Multipart,
) -> Result<Response, Failure> {
    me.require(Capability::TakeReports)?;
    submit(app, me, true, multipart).await
}

pub async fn grid_submit(
    State(app): State<AppState>,
    Staff(me): Staff,
    multipart: Multipart,
) -> Result<Response, Failure> {
    me.require(Capability::ReportInGrid)?;
    submit(app, me, false, multipart).await
}
