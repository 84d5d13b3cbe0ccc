//! Reading boundaries (边界) from a GeoJSON FeatureCollection.
//!
//! Each feature is one unit of the organisation tree: `properties.code` (a region or grid code)
//! and `properties.name`, with a Polygon or MultiPolygon in WGS84/CGCS2000 longitude/latitude.
//! Units above the grids may come with a null geometry (created without a boundary). Rings are
//! checked on the raw positions, before any library closes them silently.

use std::collections::HashMap;

use geo::{Coord, GeodesicArea, LineString, MultiPolygon, Polygon};
use geojson::{Feature, GeoJson, GeometryValue, PolygonType};
use jiedao_core::{GridCodeFormat, OrgCode};

use crate::problem::Problem;
use crate::validity::{self, TooIntricate};

/// How many positions a boundary file may hold. Each position costs work in every check (and
/// bytes on every map drawn from it); a grid drawn by hand has hundreds, a street's surveyed
/// boundary tens of thousands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VertexLimits {
    pub ring: usize,
    pub feature: usize,
    pub file: usize,
}

impl VertexLimits {
    pub const DEFAULT: VertexLimits = VertexLimits {
        ring: 250_000,
        feature: 500_000,
        file: 1_000_000,
    };
}

fn geometry_polygons(feature: &Feature) -> Vec<&PolygonType> {
    match feature.geometry.as_ref().map(|g| &g.value) {
        Some(GeometryValue::Polygon { coordinates }) => vec![coordinates],
        Some(GeometryValue::MultiPolygon { coordinates }) => coordinates.iter().collect(),
        _ => Vec::new(),
    }
}

fn positions(polygons: &[&PolygonType]) -> usize {
    polygons
        .iter()
        .flat_map(|rings| rings.iter())
        .map(Vec::len)
        .sum()
}

/// The vertex limits one feature's polygons pass, if any.
fn check_detail(
    code: &str,
    polygons: &[&PolygonType],
    limits: &VertexLimits,
    problems: &mut Vec<Problem>,
) {
    let found = positions(polygons);
    if found > limits.feature {
        problems.push(Problem::FeatureTooDetailed {
            code: code.to_owned(),
            found,
            max: limits.feature,
        });
        return;
    }
    let rings = polygons.iter().flat_map(|rings| rings.iter().enumerate());
    for (ring, positions) in rings {
        if positions.len() > limits.ring {
            problems.push(Problem::RingTooDetailed {
                code: code.to_owned(),
                ring,
                found: positions.len(),
                max: limits.ring,
            });
        }
    }
}

/// One unit read from a file: its code, its name and, if drawn, its shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    pub code: OrgCode,
    pub name: String,
    pub shape: Option<MultiPolygon<f64>>,
}

impl Boundary {
    /// The shape's area on the ellipsoid, in square metres (0 when there is no shape).
    pub fn area_m2(&self) -> f64 {
        self.shape
            .as_ref()
            .map_or(0.0, |shape| shape.geodesic_area_unsigned())
    }
}

/// The shape as a GeoJSON geometry text, for storage and for maps.
pub fn shape_to_geojson(shape: &MultiPolygon<f64>) -> String {
    let polygons: Vec<PolygonType> = shape
        .0
        .iter()
        .map(|polygon| {
            std::iter::once(polygon.exterior())
                .chain(polygon.interiors())
                .map(|ring| ring.0.iter().map(|c| vec![c.x, c.y].into()).collect())
                .collect()
        })
        .collect();
    geojson::Geometry::new(GeometryValue::MultiPolygon {
        coordinates: polygons,
    })
    .to_string()
}

/// Reads a stored shape back (as written by [`shape_to_geojson`]).
pub fn shape_from_geojson(text: &str) -> Option<MultiPolygon<f64>> {
    let geometry: geojson::Geometry = text.parse().ok()?;
    match geometry.value {
        GeometryValue::MultiPolygon { coordinates } => {
            Some(MultiPolygon(coordinates.iter().map(to_polygon).collect()))
        }
        GeometryValue::Polygon { coordinates } => {
            Some(MultiPolygon(vec![to_polygon(&coordinates)]))
        }
        _ => None,
    }
}

fn to_polygon(rings: &PolygonType) -> Polygon<f64> {
    let mut lines = rings.iter().map(|ring| {
        LineString(
            ring.iter()
                .map(|p| Coord {
                    x: p.as_slice().first().copied().unwrap_or(f64::NAN),
                    y: p.as_slice().get(1).copied().unwrap_or(f64::NAN),
                })
                .collect(),
        )
    });
    let exterior = lines.next().unwrap_or_else(|| LineString(Vec::new()));
    Polygon::new(exterior, lines.collect())
}

/// Checks the raw rings of one polygon: enough positions, closed, finite, on the globe.
fn check_rings(code: &str, rings: &PolygonType, problems: &mut Vec<Problem>) {
    for (ring_index, ring) in rings.iter().enumerate() {
        if ring.len() < 4 {
            problems.push(Problem::TooFewPositions {
                code: code.to_owned(),
                ring: ring_index,
                found: ring.len(),
            });
            continue;
        }
        for (position_index, position) in ring.iter().enumerate() {
            let values = position.as_slice();
            let lon_lat = match values {
                [lon, lat, ..] if values.iter().all(|v| v.is_finite()) => Some((*lon, *lat)),
                _ => None,
            };
            let Some((lon, lat)) = lon_lat else {
                problems.push(Problem::BadPosition {
                    code: code.to_owned(),
                    ring: ring_index,
                    position: position_index,
                });
                return;
            };
            if !crate::on_earth(lon, lat) {
                problems.push(Problem::CoordinateOutOfRange {
                    code: code.to_owned(),
                    lon,
                    lat,
                });
                return;
            }
        }
        let corner = |position: Option<&geojson::Position>| {
            position.map(|p| (p.as_slice().first().copied(), p.as_slice().get(1).copied()))
        };
        if corner(ring.first()) != corner(ring.last()) {
            problems.push(Problem::RingNotClosed {
                code: code.to_owned(),
                ring: ring_index,
            });
        }
    }
}

/// Runs the OGC validity rules on a polygon that passed the raw checks.
fn check_validity(code: &str, polygon: &Polygon<f64>, problems: &mut Vec<Problem>) {
    use geo::algorithm::validation::{InvalidPolygon, RingRole};
    let ring_number = |role: &RingRole| match role {
        RingRole::Exterior => 0,
        RingRole::Interior(index) => index + 1,
    };
    let errors = match validity::validation_errors(polygon) {
        Ok(errors) => errors,
        Err(TooIntricate(role)) => {
            problems.push(Problem::TooIntricate {
                code: code.to_owned(),
                ring: ring_number(&role),
            });
            return;
        }
    };
    for error in errors {
        problems.push(match &error {
            InvalidPolygon::SelfIntersection(role) => Problem::SelfIntersection {
                code: code.to_owned(),
                ring: ring_number(role),
            },
            other => Problem::InvalidPolygon {
                code: code.to_owned(),
                detail: other.to_string(),
            },
        });
    }
}

fn text_property(feature: &Feature, name: &str) -> Option<String> {
    match feature.property(name)? {
        serde_json::Value::String(text) => Some(text.trim().to_owned()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
    .filter(|text| !text.is_empty())
}

/// Reads every feature of a file within [`VertexLimits::DEFAULT`]. Returns the boundaries that
/// read cleanly and every problem found; the caller loads nothing unless the problem list is
/// empty.
pub fn read_boundaries(text: &str, format: &GridCodeFormat) -> (Vec<Boundary>, Vec<Problem>) {
    read_boundaries_within(text, format, &VertexLimits::DEFAULT)
}

/// [`read_boundaries`] within other limits.
pub fn read_boundaries_within(
    text: &str,
    format: &GridCodeFormat,
    limits: &VertexLimits,
) -> (Vec<Boundary>, Vec<Problem>) {
    let mut problems = Vec::new();
    let collection = match text.parse::<GeoJson>() {
        Ok(GeoJson::FeatureCollection(collection)) => collection,
        Ok(_) => return (Vec::new(), vec![Problem::NotFeatureCollection]),
        Err(error) => {
            return (
                Vec::new(),
                vec![Problem::NotGeoJson {
                    detail: error.to_string(),
                }],
            );
        }
    };
    let found: usize = collection
        .features
        .iter()
        .map(|feature| positions(&geometry_polygons(feature)))
        .sum();
    if found > limits.file {
        return (
            Vec::new(),
            vec![Problem::FileTooDetailed {
                found,
                max: limits.file,
            }],
        );
    }
    let mut boundaries = Vec::new();
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (index, feature) in collection.features.iter().enumerate() {
        let number = index + 1;
        let Some(code_text) = text_property(feature, "code") else {
            problems.push(Problem::MissingProperty {
                feature: number,
                property: "code",
            });
            continue;
        };
        let Some(name) = text_property(feature, "name") else {
            problems.push(Problem::MissingProperty {
                feature: number,
                property: "name",
            });
            continue;
        };
        let code = match OrgCode::parse(&code_text, format) {
            Ok(code) => code,
            Err(error) => {
                problems.push(Problem::BadCode {
                    feature: number,
                    code: code_text,
                    error,
                });
                continue;
            }
        };
        if let Some(first) = first_seen.insert(code_text.clone(), number) {
            problems.push(Problem::DuplicateCode {
                code: code_text,
                first,
                second: number,
            });
            continue;
        }
        let polygons: Vec<&PolygonType> = match feature.geometry.as_ref().map(|g| &g.value) {
            None if code.kind().is_grid() => {
                problems.push(Problem::MissingGeometry {
                    feature: number,
                    code: code_text,
                });
                continue;
            }
            None => Vec::new(),
            Some(GeometryValue::Polygon { coordinates }) => vec![coordinates],
            Some(GeometryValue::MultiPolygon { coordinates }) => coordinates.iter().collect(),
            Some(other) => {
                problems.push(Problem::NotAPolygon {
                    feature: number,
                    code: code_text,
                    found: other.type_name().to_owned(),
                });
                continue;
            }
        };
        let before = problems.len();
        check_detail(&code_text, &polygons, limits, &mut problems);
        if problems.len() > before {
            continue;
        }
        for rings in &polygons {
            check_rings(&code_text, rings, &mut problems);
        }
        if problems.len() > before {
            continue;
        }
        let shape = if feature.geometry.is_some() {
            let converted: Vec<Polygon<f64>> = polygons.iter().map(|p| to_polygon(p)).collect();
            for polygon in &converted {
                check_validity(&code_text, polygon, &mut problems);
            }
            if problems.len() > before {
                continue;
            }
            Some(MultiPolygon(converted))
        } else {
            None
        };
        boundaries.push(Boundary { code, name, shape });
    }
    (boundaries, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Any text uploaded as a boundary file gives boundaries or problems, never a panic;
        /// text that is not a FeatureCollection gives no boundary at all.
        #[test]
        fn any_text_reads_to_boundaries_or_problems(text in ".{0,400}") {
            let (boundaries, problems) = read_boundaries(&text, &GridCodeFormat::default());
            if !text.contains("FeatureCollection") {
                proptest::prop_assert!(boundaries.is_empty());
                proptest::prop_assert!(!problems.is_empty());
            }
        }

        /// Features with wild coordinates and codes are refused one by one, never panic.
        #[test]
        fn wild_features_are_problems(code in "[0-9A-Za-z]{0,20}", x in proptest::num::f64::ANY, y in proptest::num::f64::ANY) {
            let geometry = format!(r#"{{"type":"Polygon","coordinates":[[[{x},{y}],[{y},{x}],[{x},{x}],[{x},{y}]]]}}"#);
            let text = format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, feature(&code, &geometry));
            let _ = read_boundaries(&text, &GridCodeFormat::default());
        }
    }

    fn feature(code: &str, geometry: &str) -> String {
        format!(
            r#"{{"type":"Feature","properties":{{"code":"{code}","name":"测试"}},"geometry":{geometry}}}"#
        )
    }

    fn collection(features: &[String]) -> String {
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        )
    }

    const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[120.1,30.2],[120.11,30.2],[120.11,30.21],[120.1,30.21],[120.1,30.2]]]}"#;

    fn read(text: &str) -> (Vec<Boundary>, Vec<Problem>) {
        read_boundaries(text, &GridCodeFormat::default())
    }

    #[test]
    fn a_clean_square_reads_with_its_area() {
        let (boundaries, problems) = read(&collection(&[feature("330106008001001", SQUARE)]));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(boundaries.len(), 1);
        let area = boundaries[0].area_m2();
        // 0.01° x 0.01° at 30°N is about 1.07 km x 1.11 km.
        assert!((1_000_000.0..1_300_000.0).contains(&area), "area {area}");
    }

    #[test]
    fn an_open_ring_is_reported_not_closed_for_us() {
        let open = r#"{"type":"Polygon","coordinates":[[[120.1,30.2],[120.11,30.2],[120.11,30.21],[120.1,30.21]]]}"#;
        let (boundaries, problems) = read(&collection(&[feature("330106008001001", open)]));
        assert!(boundaries.is_empty());
        assert_eq!(
            problems,
            vec![Problem::RingNotClosed {
                code: "330106008001001".into(),
                ring: 0
            }]
        );
    }

    #[test]
    fn a_bow_tie_is_a_self_intersection() {
        let bow_tie = r#"{"type":"Polygon","coordinates":[[[120.1,30.2],[120.11,30.21],[120.11,30.2],[120.1,30.21],[120.1,30.2]]]}"#;
        let (_, problems) = read(&collection(&[feature("330106008001001", bow_tie)]));
        assert_eq!(
            problems,
            vec![Problem::SelfIntersection {
                code: "330106008001001".into(),
                ring: 0
            }]
        );
    }

    #[test]
    fn bad_codes_lines_and_duplicates_are_all_reported() {
        let line = r#"{"type":"LineString","coordinates":[[120.1,30.2],[120.2,30.3]]}"#;
        let text = collection(&[
            feature("33010600800a001", SQUARE),
            feature("330106008001002", line),
            feature("330106008001003", SQUARE),
            feature("330106008001003", SQUARE),
            feature("330106008001004", "null"),
        ]);
        let (boundaries, problems) = read(&text);
        assert_eq!(boundaries.len(), 1);
        assert!(matches!(problems[0], Problem::BadCode { feature: 1, .. }));
        assert!(
            matches!(&problems[1], Problem::NotAPolygon { feature: 2, found, .. } if found == "LineString")
        );
        assert_eq!(
            problems[2],
            Problem::DuplicateCode {
                code: "330106008001003".into(),
                first: 3,
                second: 4
            }
        );
        assert_eq!(
            problems[3],
            Problem::MissingGeometry {
                feature: 5,
                code: "330106008001004".into()
            }
        );
    }

    #[test]
    fn a_community_may_come_without_a_shape() {
        let (boundaries, problems) = read(&collection(&[feature("330106008001", "null")]));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(boundaries[0].shape, None);
    }

    #[test]
    fn coordinates_off_the_globe_and_non_json_are_refused() {
        let far = r#"{"type":"Polygon","coordinates":[[[200.1,30.2],[120.11,30.2],[120.11,30.21],[200.1,30.2]]]}"#;
        let (_, problems) = read(&collection(&[feature("330106008001001", far)]));
        assert!(matches!(
            problems[0],
            Problem::CoordinateOutOfRange { lon, .. } if lon == 200.1
        ));
        let (_, problems) = read("{not json");
        assert!(matches!(problems[0], Problem::NotGeoJson { .. }));
        let (_, problems) = read(SQUARE);
        assert_eq!(problems, vec![Problem::NotFeatureCollection]);
    }

    #[test]
    fn shapes_survive_a_round_trip_through_storage_text() {
        let (boundaries, _) = read(&collection(&[feature("330106008001001", SQUARE)]));
        let shape = boundaries[0].shape.clone().expect("shape");
        assert_eq!(shape_from_geojson(&shape_to_geojson(&shape)), Some(shape));
    }

    #[test]
    fn files_features_and_rings_past_the_vertex_limits_are_refused_unchecked() {
        let ring = crate::testing::many_sided_ring(120.105, 30.205, 0.004, 100);
        let limits = VertexLimits {
            ring: 100,
            feature: 150,
            file: 250,
        };
        let read = |features: &[String]| {
            read_boundaries_within(&collection(features), &GridCodeFormat::default(), &limits)
        };
        let one = crate::testing::feature("330106008001001", "网格", &ring);
        let (boundaries, problems) = read(std::slice::from_ref(&one));
        assert!(boundaries.is_empty());
        assert_eq!(
            problems,
            [Problem::RingTooDetailed {
                code: "330106008001001".into(),
                ring: 0,
                found: 101,
                max: 100
            }]
        );
        let two_rings = feature(
            "330106008001002",
            &format!(
                r#"{{"type":"MultiPolygon","coordinates":[[{}],[{}]]}}"#,
                positions_of(&ring[..90]),
                positions_of(&ring[..90])
            ),
        );
        let (_, problems) = read(&[two_rings]);
        assert_eq!(
            problems,
            [Problem::FeatureTooDetailed {
                code: "330106008001002".into(),
                found: 182,
                max: 150
            }]
        );
        let (boundaries, problems) = read(&[one.clone(), one.clone(), one]);
        assert!(boundaries.is_empty());
        assert_eq!(
            problems,
            [Problem::FileTooDetailed {
                found: 303,
                max: 250
            }]
        );
        let message = jiedao_core::Localized::localize(&problems[0], jiedao_core::i18n::Lang::ZhCn);
        assert!(
            message.contains("303") && message.contains("250"),
            "{message}"
        );
    }

    fn positions_of(ring: &[[f64; 2]]) -> String {
        let mut closed = ring.to_vec();
        closed.extend(ring.first().copied());
        let texts: Vec<String> = closed.iter().map(|[x, y]| format!("[{x},{y}]")).collect();
        format!("[{}]", texts.join(","))
    }
}
