//! Offline base layers (底图): a GeoJSON FeatureCollection of roads, buildings, water or 部件
//! points that an office uploads to draw under its grids when no tile server is reachable.
//! Checked here (every feature drawn, every position on Earth, bounded) and summed up; the
//! file itself is kept as uploaded.

use geojson::{GeoJson, Geometry, GeometryValue, Position};
use jiedao_core::i18n::{Lang, Localized};

/// The most features one layer may hold: a street's roads and buildings are thousands, and the
/// whole layer is drawn in the browser.
pub const MAX_FEATURES: usize = 50_000;

/// What a checked layer holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerSummary {
    pub features: usize,
    /// West, south, east, north.
    pub bounds: [f64; 4],
}

/// Why a file cannot be a base layer. Features are numbered from 1, as people count them.
#[derive(Debug, Clone, PartialEq)]
pub enum LayerProblem {
    NotGeoJson { detail: String },
    NotFeatureCollection,
    NoFeatures,
    TooManyFeatures { found: usize },
    MissingGeometry { feature: usize },
    BadPosition { feature: usize },
}

impl Localized for LayerProblem {
    fn message_key(&self) -> &'static str {
        match self {
            LayerProblem::NotGeoJson { .. } => "geo.not_geojson",
            LayerProblem::NotFeatureCollection => "geo.not_feature_collection",
            LayerProblem::NoFeatures => "base_layer.no_features",
            LayerProblem::TooManyFeatures { .. } => "base_layer.too_many_features",
            LayerProblem::MissingGeometry { .. } => "base_layer.missing_geometry",
            LayerProblem::BadPosition { .. } => "base_layer.bad_position",
        }
    }

    fn message_args(&self, _lang: Lang) -> Vec<(&'static str, String)> {
        match self {
            LayerProblem::NotGeoJson { detail } => vec![("detail", detail.clone())],
            LayerProblem::NotFeatureCollection | LayerProblem::NoFeatures => vec![],
            LayerProblem::TooManyFeatures { found } => vec![
                ("found", found.to_string()),
                ("max", MAX_FEATURES.to_string()),
            ],
            LayerProblem::MissingGeometry { feature } | LayerProblem::BadPosition { feature } => {
                vec![("feature", feature.to_string())]
            }
        }
    }
}

/// Checks `text` as a base layer.
pub fn check(text: &str) -> Result<LayerSummary, LayerProblem> {
    let collection = match text.parse::<GeoJson>() {
        Ok(GeoJson::FeatureCollection(collection)) => collection,
        Ok(_) => return Err(LayerProblem::NotFeatureCollection),
        Err(error) => {
            return Err(LayerProblem::NotGeoJson {
                detail: error.to_string(),
            });
        }
    };
    let features = collection.features.len();
    if features == 0 {
        return Err(LayerProblem::NoFeatures);
    }
    if features > MAX_FEATURES {
        return Err(LayerProblem::TooManyFeatures { found: features });
    }
    let mut bounds = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for (index, feature) in collection.features.iter().enumerate() {
        let number = index + 1;
        let geometry = feature
            .geometry
            .as_ref()
            .ok_or(LayerProblem::MissingGeometry { feature: number })?;
        let mut positions = Vec::new();
        collect(geometry, &mut positions);
        if positions.is_empty() {
            return Err(LayerProblem::MissingGeometry { feature: number });
        }
        for position in positions {
            let (Some(&lon), Some(&lat)) =
                (position.as_slice().first(), position.as_slice().get(1))
            else {
                return Err(LayerProblem::BadPosition { feature: number });
            };
            if !crate::on_earth(lon, lat) {
                return Err(LayerProblem::BadPosition { feature: number });
            }
            let [west, south, east, north] = &mut bounds;
            *west = west.min(lon);
            *south = south.min(lat);
            *east = east.max(lon);
            *north = north.max(lat);
        }
    }
    Ok(LayerSummary { features, bounds })
}

/// Every position of a geometry, collections included.
fn collect<'a>(geometry: &'a Geometry, into: &mut Vec<&'a Position>) {
    match &geometry.value {
        GeometryValue::Point { coordinates } => into.push(coordinates),
        GeometryValue::MultiPoint { coordinates } | GeometryValue::LineString { coordinates } => {
            into.extend(coordinates);
        }
        GeometryValue::MultiLineString { coordinates } | GeometryValue::Polygon { coordinates } => {
            into.extend(coordinates.iter().flatten());
        }
        GeometryValue::MultiPolygon { coordinates } => {
            into.extend(coordinates.iter().flatten().flatten());
        }
        GeometryValue::GeometryCollection { geometries } => {
            for inner in geometries {
                collect(inner, into);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layer_of_roads_and_points_is_summed_up() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"name":"湖滨路"},"geometry":{"type":"LineString","coordinates":[[120.1,30.2],[120.2,30.3]]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[120.15,30.1]}}]}"#;
        let summary = check(text).expect("a layer");
        assert_eq!(summary.features, 2);
        assert_eq!(summary.bounds, [120.1, 30.1, 120.2, 30.3]);
    }

    #[test]
    fn files_that_cannot_be_drawn_are_refused_with_the_feature() {
        assert!(matches!(
            check("not json"),
            Err(LayerProblem::NotGeoJson { .. })
        ));
        assert_eq!(
            check(r#"{"type":"Point","coordinates":[1,2]}"#),
            Err(LayerProblem::NotFeatureCollection)
        );
        assert_eq!(
            check(r#"{"type":"FeatureCollection","features":[]}"#),
            Err(LayerProblem::NoFeatures)
        );
        let off = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[200,2]}}]}"#;
        assert_eq!(check(off), Err(LayerProblem::BadPosition { feature: 2 }));
        let bare = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":null}]}"#;
        assert_eq!(
            check(bare),
            Err(LayerProblem::MissingGeometry { feature: 1 })
        );
    }
}
