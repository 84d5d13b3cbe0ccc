//! The base layers page (底图): the layers uploaded, a form to upload one (a GeoJSON file,
//! a name and a kind; checked whole, refused with the reason) and a button to delete each.
//! Changes answer with a redirect, so reloading sends nothing twice. Each layer's GeoJSON is
//! public, as the grids' map is: it is what residents' report forms draw.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use jiedao_core::{Capability, RefusalKind};
use jiedao_store::StoreError;
use jiedao_store::base_layers::{self, BaseLayer, LayerKind, MAX_MB, NewLayer};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::context::{SignedIn, Staff};
use crate::failure::Failure;
use crate::upload;
use crate::widgets::choice::Choice;
use crate::widgets::layout::{Chrome, Refused, render_form};

#[derive(Template)]
#[template(path = "maps/layers.html")]
struct LayersPage {
    chrome: Chrome,
    csrf: String,
    hint: String,
    tiles: String,
    layers: Vec<Row>,
    kinds: Vec<Choice>,
    notice: Option<String>,
    error: Option<Refused>,
    name: String,
}

/// A layer as the page lists it.
struct Row {
    id: Uuid,
    name: String,
    kind: String,
    features: i64,
    size: String,
    uploaded: String,
}

/// What the last change did (after its redirect).
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    added: Option<i64>,
    removed: Option<String>,
}

async fn show(
    app: &AppState,
    me: &SignedIn,
    notice: Option<String>,
    error: Option<Refused>,
    name: String,
) -> Result<Response, Failure> {
    let tr = me.ctx.tr();
    let layers = app.store.read(base_layers::list).await?;
    let rows = layers
        .into_iter()
        .map(|layer: BaseLayer| Row {
            id: layer.id,
            name: layer.name,
            kind: tr.t(layer.kind.label_key()).to_owned(),
            features: layer.features,
            size: format!("{:.1} KB", layer.bytes as f64 / 1024.0),
            uploaded: format!(
                "{} · {}",
                layer
                    .uploaded_at
                    .with_timezone(&jiedao_core::clock::CHINA)
                    .format("%Y-%m-%d %H:%M"),
                layer.uploaded_by
            ),
        })
        .collect();
    let tiles = match &app.config.tiles {
        Some(tiles) => tr.f("base_layer.tiles", &[("url", tiles.origins().join(" "))]),
        None => tr.t("base_layer.no_tiles").to_owned(),
    };
    let refused = error.as_ref().map(|e| e.kind);
    render_form(
        &LayersPage {
            chrome: Chrome::new(&me.ctx, tr.t("base_layer.title")),
            csrf: me.ctx.csrf_token.clone(),
            hint: tr.f("base_layer.hint", &[("max", MAX_MB.to_string())]),
            tiles,
            layers: rows,
            kinds: LayerKind::ALL
                .iter()
                .map(|kind| Choice::new(kind.as_str(), tr.t(kind.label_key()), false))
                .collect(),
            notice,
            error,
            name,
        },
        refused,
    )
}

pub async fn page(
    State(app): State<AppState>,
    Staff(me): Staff,
    Query(done): Query<Done>,
) -> Result<Response, Failure> {
    me.require(Capability::ManageOrg)?;
    let tr = me.ctx.tr();
    let notice = match (done.added, done.removed) {
        (Some(features), _) => {
            Some(tr.f("base_layer.added", &[("features", features.to_string())]))
        }
        (None, Some(_)) => Some(tr.t("base_layer.removed").to_owned()),
        (None, None) => None,
    };
    show(&app, &me, notice, None, String::new()).await
}

pub async fn upload(
    State(app): State<AppState>,
    Staff(me): Staff,
    multipart: Multipart,
) -> Result<Response, Failure> {
    me.require(Capability::ManageOrg)?;
    let tr = me.ctx.tr();
    let form = upload::read(multipart).await?;
    let name = form.text("name");
    let refuse = |key: &str| Some(Refused::new(RefusalKind::Invalid, tr.t(key)));
    let Some(bytes) = form.file("file") else {
        return show(&app, &me, None, refuse("base_layer.no_file"), name).await;
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return show(&app, &me, None, refuse("base_layer.not_text"), name).await;
    };
    let layer = NewLayer {
        name: name.clone(),
        kind: LayerKind::parse(&form.text("kind")).unwrap_or(LayerKind::Other),
        text: text.into(),
    };
    let added = app
        .store
        .add_base_layer(&me.scope(), me.principal.actor(me.ctx.ip.clone()), layer)
        .await;
    match added {
        Ok(id) => {
            let features = app
                .store
                .read(base_layers::list)
                .await?
                .into_iter()
                .find(|layer| layer.id == id)
                .map_or(0, |layer| layer.features);
            Ok(Redirect::to(&format!("/map/layers?added={features}")).into_response())
        }
        Err(StoreError::Refused(refusal)) => {
            let refused = Refused::of(&refusal, me.ctx.lang);
            show(&app, &me, None, Some(refused), name).await
        }
        Err(fault) => Err(fault.into()),
    }
}

pub async fn remove(
    State(app): State<AppState>,
    Staff(me): Staff,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    me.require(Capability::ManageOrg)?;
    let id: Uuid = id.parse().map_err(|_| Failure::NotFound)?;
    let (scope, actor, at) = (
        me.scope(),
        me.principal.actor(me.ctx.ip.clone()),
        app.store.now(),
    );
    app.store
        .write(move |conn| base_layers::remove(conn, &scope, &actor, at, id))
        .await?;
    Ok(Redirect::to("/map/layers?removed=1").into_response())
}

/// A layer's GeoJSON. A layer is never rewritten (a new upload is a new layer), so browsers
/// may keep it a day.
pub async fn geojson(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id: Uuid = id.parse().map_err(|_| Failure::NotFound)?;
    let text = app
        .store
        .read(move |conn| base_layers::geojson(conn, id))
        .await?;
    let headers = [
        (header::CONTENT_TYPE, "application/geo+json"),
        (header::CACHE_CONTROL, "public, max-age=86400"),
    ];
    Ok((headers, text).into_response())
}
