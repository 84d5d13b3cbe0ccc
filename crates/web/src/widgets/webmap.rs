//! Maps people can read: what a page hands Leaflet (`/static/map.js`, with the npm packages
//! `build.rs` embeds) to draw. The page carries it as JSON in a `<script type="application/json"
//! id="map-data">` block (data, not code, so the no-inline-script policy holds) beside the
//! server-drawn SVG of [`super::map`], which stays as the picture without script and in print.
//!
//! The base map is the deployment's tile server when one is configured ([`TileConfig`]: XYZ
//! or a WMTS GetTile address with `{z}/{x}/{y}`), and otherwise, or when its tiles do not load,
//! the base layers the office uploaded (`jiedao_store::base_layers`), served from this server.

use jiedao_store::base_layers::BaseLayer;
use serde::Serialize;
use serde_json::{Value, json};

use super::map::{Area, Pin};
use crate::tr::Tr;

/// An online base map set by the deployment (`[map]` in the config file, `JIEDAO_MAP_*`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TileConfig {
    /// Tile address with `{z}`, `{x}`, `{y}` (and `{s}` for a subdomain). A WMTS KVP address
    /// may say `{TileMatrix}`, `{TileCol}`, `{TileRow}` instead.
    pub url: String,
    /// The letters or digits `{s}` takes, e.g. `01234567` for 天地图's t0…t7.
    pub subdomains: String,
    /// Who the tiles are from, shown in the map's corner (required by most providers).
    pub attribution: String,
    /// A second, transparent layer of place names drawn over the first (天地图's `cva`).
    pub labels: Option<String>,
    pub max_zoom: u8,
}

impl TileConfig {
    /// `url` in Leaflet's `{z}/{x}/{y}` terms.
    fn leaflet(url: &str) -> String {
        url.replace("{TileMatrix}", "{z}")
            .replace("{TileCol}", "{x}")
            .replace("{TileRow}", "{y}")
    }

    /// The origins images come from, for the content security policy: the subdomain's label
    /// (`t{s}.tianditu.gov.cn`) becomes `*`.
    pub fn origins(&self) -> Vec<String> {
        std::iter::once(&self.url)
            .chain(self.labels.as_ref())
            .filter_map(|url| {
                let (scheme, rest) = url.split_once("://")?;
                let host = rest.split(['/', '?']).next()?;
                let host = match host.split_once('.') {
                    Some((first, rest)) if first.contains('{') => format!("*.{rest}"),
                    _ => host.to_owned(),
                };
                (!host.contains(['{', '}', ' ', ';', '\''])).then(|| format!("{scheme}://{host}"))
            })
            .collect()
    }
}

/// What a map shows besides its base.
pub enum Mode {
    /// Cases as pins that open them; grids that open their lists.
    Cases {
        pins: Vec<Pin>,
        heat: bool,
        search: Option<String>,
    },
    /// A place to tap (report forms): the chosen point, which grid it is in, or that it is in
    /// none. Fills the inputs `#lon` and `#lat`.
    Pick,
    /// One place (a followed case).
    Place { lon: f64, lat: f64 },
}

/// A map as a page embeds it (`webmap.html`, with `map_head.html` in the page's head).
pub struct Embedded {
    /// `pick`, `place` or empty: sets the map's height.
    pub class: &'static str,
    /// The server's SVG drawing: the map without script, and in print.
    pub drawing: String,
    /// What map.js draws from ([`data`]).
    pub data: String,
}

/// The map for a page: the base layers from the store, the grids `viewer` may see, drawn
/// for `mode` (none for a reader who may not see the tree); `None` when there is nothing to
/// draw (no tiles, base layers or grids).
pub async fn embed(
    app: &crate::AppState,
    viewer: super::map::Viewer,
    mode: Mode,
    drawing: impl FnOnce(&[Area]) -> Option<String>,
    tr: Tr,
) -> Result<Option<Embedded>, crate::failure::Failure> {
    let areas = match app.areas.get(&app.store, viewer).await {
        Err(jiedao_store::StoreError::Refused(_)) => std::sync::Arc::default(),
        areas => areas?,
    };
    let base = app.store.read(jiedao_store::base_layers::list).await?;
    let tiles = app.config.tiles.as_ref();
    if areas.is_empty() && base.is_empty() && tiles.is_none() {
        return Ok(None);
    }
    let class = match mode {
        Mode::Cases { .. } => "",
        Mode::Pick => "pick",
        Mode::Place { .. } => "place",
    };
    Ok(Some(Embedded {
        class,
        drawing: drawing(&areas).unwrap_or_default(),
        data: data(tiles, &base, &areas, mode, tr),
    }))
}

/// The JSON a map page carries, `<` escaped so the block cannot be closed from inside.
pub fn data(
    tiles: Option<&TileConfig>,
    base: &[BaseLayer],
    areas: &[Area],
    mode: Mode,
    tr: Tr,
) -> String {
    let tiles = tiles.map(|t| {
        json!({
            "url": TileConfig::leaflet(&t.url),
            "labels": t.labels.as_deref().map(TileConfig::leaflet),
            "subdomains": t.subdomains,
            "attribution": t.attribution,
            "maxZoom": t.max_zoom,
        })
    });
    let base: Vec<Value> = base
        .iter()
        .map(|layer| {
            json!({
                "url": format!("/map/base/{}", layer.id),
                "name": layer.name,
                "kind": layer.kind,
                "bounds": layer.bounds,
            })
        })
        .collect();
    let features: Vec<Value> = areas
        .iter()
        .map(|area| {
            let geometry: Value = serde_json::from_str(&jiedao_geo::shape_to_geojson(&area.shape))
                .unwrap_or(Value::Null);
            json!({
                "type": "Feature",
                "properties": { "kind": area.class, "name": area.title, "href": area.href },
                "geometry": geometry,
            })
        })
        .collect();
    let mut data = json!({
        "tiles": tiles,
        "base": base,
        "areas": { "type": "FeatureCollection", "features": features },
        "text": {
            "areas": tr.t("map.layer_areas"),
            "pins": tr.t("map.layer_pins"),
            "heat": tr.t("map.layer_heat"),
            "tiles": tr.t("map.layer_tiles"),
            "search": tr.t("map.search"),
            "searchLabel": tr.t("map.search_label"),
            "searchNone": tr.t("map.search_none"),
            "offline": tr.t("map.offline"),
            "outside": tr.t("map.outside"),
            "inside": tr.t("map.inside"),
            "place": tr.t("map.place"),
            "cluster": tr.t("map.cluster"),
        },
    });
    let extra = match mode {
        Mode::Cases { pins, heat, search } => json!({
            "mode": "cases",
            "heat": heat,
            "search": search,
            "pins": pins.iter().map(|pin| json!({
                "lon": pin.lon, "lat": pin.lat, "class": pin.class,
                "href": pin.href, "title": pin.title,
            })).collect::<Vec<_>>(),
        }),
        Mode::Pick => json!({ "mode": "pick" }),
        Mode::Place { lon, lat } => json!({ "mode": "place", "place": [lon, lat] }),
    };
    if let (Value::Object(data), Value::Object(extra)) = (&mut data, extra) {
        data.extend(extra);
    }
    data.to_string().replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tianditu_s_subdomains_become_one_wildcard_origin() {
        let tiles = TileConfig {
            url: "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&LAYER=vec&TILEMATRIXSET=w&TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}&tk=KEY".into(),
            subdomains: "01234567".into(),
            attribution: "天地图".into(),
            labels: Some("http://tiles.office.lan/cva/{z}/{x}/{y}.png".into()),
            max_zoom: 18,
        };
        assert_eq!(
            tiles.origins(),
            ["https://*.tianditu.gov.cn", "http://tiles.office.lan"]
        );
        assert!(TileConfig::leaflet(&tiles.url).contains("TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"));
    }
}
