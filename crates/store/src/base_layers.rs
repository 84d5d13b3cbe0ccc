//! Offline base layers (底图) in the database: GeoJSON an office uploads (roads, buildings,
//! water, 部件 points) to draw under its grids when no tile server is reachable. Uploading and
//! removing take `ManageOrg` and are audited; the layers themselves are public reference data
//! (a street's roads), read by anyone's map. The file is checked by `jiedao_geo::base_layer`
//! outside the writer and kept as uploaded.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jiedao_core::Capability;
use jiedao_geo::base_layer::{self, LayerSummary};
use serde::Serialize;
use uuid::Uuid;

use crate::db::{Conn, Row};
use crate::error::StoreError;
use crate::refusal::Refusal;
use crate::scope::{Actor, Scope};
use crate::{Store, audit, blocking};

/// The largest layer file, in megabytes: every map page that draws it downloads it.
pub const MAX_MB: usize = 8;

/// What a layer shows, which sets how it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LayerKind {
    Roads,
    Buildings,
    Water,
    /// 部件: manhole covers, lamps, bins…
    Components,
    Other,
}

impl LayerKind {
    pub const ALL: [LayerKind; 5] = [
        LayerKind::Roads,
        LayerKind::Buildings,
        LayerKind::Water,
        LayerKind::Components,
        LayerKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LayerKind::Roads => "roads",
            LayerKind::Buildings => "buildings",
            LayerKind::Water => "water",
            LayerKind::Components => "components",
            LayerKind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<LayerKind> {
        LayerKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The locale key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            LayerKind::Roads => "base_layer.kind_roads",
            LayerKind::Buildings => "base_layer.kind_buildings",
            LayerKind::Water => "base_layer.kind_water",
            LayerKind::Components => "base_layer.kind_components",
            LayerKind::Other => "base_layer.kind_other",
        }
    }
}

/// A stored layer, without its file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaseLayer {
    pub id: Uuid,
    pub name: String,
    pub kind: LayerKind,
    pub features: i64,
    pub bytes: i64,
    /// West, south, east, north.
    pub bounds: [f64; 4],
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    /// The unit whose administrators may remove it.
    pub org_path: String,
}

const SELECT_LAYER: &str = "SELECT id, name, kind, features, bytes, min_lon, min_lat, max_lon,
     max_lat, uploaded_by, uploaded_at, org_path FROM base_layer";

fn read_layer(row: &Row<'_>) -> Result<BaseLayer, StoreError> {
    let kind: String = row.get(2)?;
    Ok(BaseLayer {
        id: row.get(0)?,
        name: row.get(1)?,
        kind: LayerKind::parse(&kind).unwrap_or(LayerKind::Other),
        features: row.get(3)?,
        bytes: row.get(4)?,
        bounds: [row.get(5)?, row.get(6)?, row.get(7)?, row.get(8)?],
        uploaded_by: row.get(9)?,
        uploaded_at: row.get(10)?,
        org_path: row.get(11)?,
    })
}

/// A layer to add.
#[derive(Debug, Clone)]
pub struct NewLayer {
    pub name: String,
    pub kind: LayerKind,
    /// The GeoJSON FeatureCollection.
    pub text: Arc<str>,
}

/// Every layer, in the order they are drawn (water under roads under buildings under points),
/// then oldest first.
pub fn list(conn: &mut Conn) -> Result<Vec<BaseLayer>, StoreError> {
    let mut layers = conn.query(
        &format!("{SELECT_LAYER} ORDER BY uploaded_at, id"),
        &[],
        read_layer,
    )?;
    layers.sort_by_key(|layer| match layer.kind {
        LayerKind::Water => 0,
        LayerKind::Other => 1,
        LayerKind::Roads => 2,
        LayerKind::Buildings => 3,
        LayerKind::Components => 4,
    });
    Ok(layers)
}

/// A layer's GeoJSON, as uploaded.
pub fn geojson(conn: &mut Conn, id: Uuid) -> Result<String, StoreError> {
    conn.query_opt(
        "SELECT geojson FROM base_layer WHERE id = $1",
        &[&id],
        |row| row.get(0),
    )?
    .ok_or_else(|| {
        Refusal::NotFound {
            what: "noun.base_layer",
            key: id.to_string(),
        }
        .into()
    })
}

/// Stores a checked layer, audited.
fn insert(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    layer: &NewLayer,
    summary: &LayerSummary,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let org_path = scope.path_range().0;
    let features = i64::try_from(summary.features).unwrap_or(i64::MAX);
    let bytes = i64::try_from(layer.text.len()).unwrap_or(i64::MAX);
    let [west, south, east, north] = summary.bounds;
    let text: &str = &layer.text;
    conn.execute(
        "INSERT INTO base_layer (id, org_path, name, kind, features, bytes, min_lon, min_lat,
         max_lon, max_lat, geojson, uploaded_by, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        &[
            &id,
            &org_path,
            &layer.name,
            &layer.kind.as_str(),
            &features,
            &bytes,
            &west,
            &south,
            &east,
            &north,
            &text,
            &actor.name,
            &at,
        ],
    )?;
    audit::record(
        conn,
        actor,
        at,
        "base_layer.add",
        &format!("base_layer:{id}"),
        &serde_json::json!({
            "name": layer.name,
            "kind": layer.kind.as_str(),
            "features": features,
            "bytes": bytes,
        }),
    )?;
    Ok(id)
}

/// Removes a layer uploaded within the scope's reach, audited.
pub fn remove(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    id: Uuid,
) -> Result<(), StoreError> {
    scope.require(Capability::ManageOrg)?;
    let layer = conn
        .query_opt(&format!("{SELECT_LAYER} WHERE id = $1"), &[&id], read_layer)?
        .ok_or_else(|| Refusal::NotFound {
            what: "noun.base_layer",
            key: id.to_string(),
        })?;
    let (low, high) = scope.path_range();
    if !(low.as_str() <= layer.org_path.as_str() && layer.org_path.as_str() < high.as_str()) {
        return Err(Refusal::OutOfScope.into());
    }
    conn.execute("DELETE FROM base_layer WHERE id = $1", &[&id])?;
    audit::record(
        conn,
        actor,
        at,
        "base_layer.remove",
        &format!("base_layer:{id}"),
        &serde_json::json!({ "name": layer.name, "kind": layer.kind.as_str() }),
    )?;
    Ok(())
}

impl Store {
    /// Checks a layer file (off the writer) and stores it. Refused without `ManageOrg`, with
    /// no name, past [`MAX_MB`], or when the file is not a drawable FeatureCollection.
    pub async fn add_base_layer(
        &self,
        scope: &Scope,
        actor: Actor,
        layer: NewLayer,
    ) -> Result<Uuid, StoreError> {
        scope.require(Capability::ManageOrg)?;
        let name = layer.name.trim().to_owned();
        if name.is_empty() {
            return Err(Refusal::EmptyField {
                field: "field.name",
            }
            .into());
        }
        Refusal::check_length(&name, jiedao_core::limits::NAME)?;
        if layer.text.len() > MAX_MB * 1024 * 1024 {
            return Err(Refusal::FileTooLarge { max_mb: MAX_MB }.into());
        }
        let text = Arc::clone(&layer.text);
        let summary = blocking(move || base_layer::check(&text))
            .await?
            .map_err(Refusal::BaseLayer)?;
        let layer = NewLayer { name, ..layer };
        let (scope, at) = (scope.clone(), self.now());
        self.write(move |conn| insert(conn, &scope, &actor, at, &layer, &summary))
            .await
    }
}
