//! What can be wrong with a boundary file, each problem written for the person who must fix it.

use jiedao_core::i18n::{self, Lang, Localized};
use jiedao_core::{CodeError, RefusalKind};

/// One problem found in a boundary file. Features are numbered from 1, as people count them.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// The file is not GeoJSON at all.
    NotGeoJson {
        detail: String,
    },
    /// The file is GeoJSON but not a FeatureCollection.
    NotFeatureCollection,
    MissingProperty {
        feature: usize,
        property: &'static str,
    },
    BadCode {
        feature: usize,
        code: String,
        error: CodeError,
    },
    DuplicateCode {
        code: String,
        first: usize,
        second: usize,
    },
    /// A grid must be drawn; only units above grids may come without a geometry.
    MissingGeometry {
        feature: usize,
        code: String,
    },
    NotAPolygon {
        feature: usize,
        code: String,
        found: String,
    },
    TooFewPositions {
        code: String,
        ring: usize,
        found: usize,
    },
    RingNotClosed {
        code: String,
        ring: usize,
    },
    BadPosition {
        code: String,
        ring: usize,
        position: usize,
    },
    CoordinateOutOfRange {
        code: String,
        lon: f64,
        lat: f64,
    },
    SelfIntersection {
        code: String,
        ring: usize,
    },
    /// The file holds more positions than may be checked at once.
    FileTooDetailed {
        found: usize,
        max: usize,
    },
    FeatureTooDetailed {
        code: String,
        found: usize,
        max: usize,
    },
    RingTooDetailed {
        code: String,
        ring: usize,
        found: usize,
        max: usize,
    },
    /// A ring whose segments crowd so that checking it for crossings would take too long.
    TooIntricate {
        code: String,
        ring: usize,
    },
    InvalidPolygon {
        code: String,
        detail: String,
    },
    /// The unit's parent is neither in the organisation tree nor in the file.
    ParentUnknown {
        code: String,
        parent: String,
    },
    /// A grid's parent has no boundary to be inside of.
    ParentHasNoBoundary {
        code: String,
        parent: String,
    },
    NotInsideParent {
        code: String,
        parent: String,
        outside_m2: f64,
    },
    Overlap {
        first: String,
        second: String,
        area_m2: f64,
    },
}

/// Ring numbers as people read them: 1 is the outer ring, 2.. are holes.
fn ring_label(lang: Lang, ring: usize) -> String {
    if ring == 0 {
        i18n::text(lang, "geo.ring_outer").to_owned()
    } else {
        i18n::format(lang, "geo.ring_hole", &[("number", ring.to_string())])
    }
}

fn square_metres(area: f64) -> String {
    format!("{area:.1}")
}

impl Problem {
    /// Every problem of a boundary file is in what was sent.
    pub fn kind(&self) -> RefusalKind {
        RefusalKind::Invalid
    }
}

impl Localized for Problem {
    fn message_key(&self) -> &'static str {
        match self {
            Problem::NotGeoJson { .. } => "geo.not_geojson",
            Problem::NotFeatureCollection => "geo.not_feature_collection",
            Problem::MissingProperty { .. } => "geo.missing_property",
            Problem::BadCode { .. } => "geo.bad_code",
            Problem::DuplicateCode { .. } => "geo.duplicate_code",
            Problem::MissingGeometry { .. } => "geo.missing_geometry",
            Problem::NotAPolygon { .. } => "geo.not_a_polygon",
            Problem::TooFewPositions { .. } => "geo.too_few_positions",
            Problem::RingNotClosed { .. } => "geo.ring_not_closed",
            Problem::BadPosition { .. } => "geo.bad_position",
            Problem::CoordinateOutOfRange { .. } => "geo.coordinate_out_of_range",
            Problem::SelfIntersection { .. } => "geo.self_intersection",
            Problem::FileTooDetailed { .. } => "geo.file_too_detailed",
            Problem::FeatureTooDetailed { .. } => "geo.feature_too_detailed",
            Problem::RingTooDetailed { .. } => "geo.ring_too_detailed",
            Problem::TooIntricate { .. } => "geo.too_intricate",
            Problem::InvalidPolygon { .. } => "geo.invalid_polygon",
            Problem::ParentUnknown { .. } => "geo.parent_unknown",
            Problem::ParentHasNoBoundary { .. } => "geo.parent_has_no_boundary",
            Problem::NotInsideParent { .. } => "geo.not_inside_parent",
            Problem::Overlap { .. } => "geo.overlap",
        }
    }

    fn message_args(&self, lang: Lang) -> Vec<(&'static str, String)> {
        match self {
            Problem::NotGeoJson { detail } => vec![("detail", detail.clone())],
            Problem::NotFeatureCollection => vec![],
            Problem::MissingProperty { feature, property } => vec![
                ("feature", feature.to_string()),
                ("property", (*property).to_owned()),
            ],
            Problem::BadCode {
                feature,
                code,
                error,
            } => vec![
                ("feature", feature.to_string()),
                ("code", code.clone()),
                ("reason", error.localize(lang)),
            ],
            Problem::DuplicateCode {
                code,
                first,
                second,
            } => vec![
                ("code", code.clone()),
                ("first", first.to_string()),
                ("second", second.to_string()),
            ],
            Problem::MissingGeometry { feature, code } => {
                vec![("feature", feature.to_string()), ("code", code.clone())]
            }
            Problem::NotAPolygon {
                feature,
                code,
                found,
            } => vec![
                ("feature", feature.to_string()),
                ("code", code.clone()),
                ("found", found.clone()),
            ],
            Problem::TooFewPositions { code, ring, found } => vec![
                ("code", code.clone()),
                ("ring", ring_label(lang, *ring)),
                ("found", found.to_string()),
            ],
            Problem::FileTooDetailed { found, max } => {
                vec![("found", found.to_string()), ("max", max.to_string())]
            }
            Problem::FeatureTooDetailed { code, found, max } => vec![
                ("code", code.clone()),
                ("found", found.to_string()),
                ("max", max.to_string()),
            ],
            Problem::RingTooDetailed {
                code,
                ring,
                found,
                max,
            } => vec![
                ("code", code.clone()),
                ("ring", ring_label(lang, *ring)),
                ("found", found.to_string()),
                ("max", max.to_string()),
            ],
            Problem::RingNotClosed { code, ring }
            | Problem::SelfIntersection { code, ring }
            | Problem::TooIntricate { code, ring } => {
                vec![("code", code.clone()), ("ring", ring_label(lang, *ring))]
            }
            Problem::BadPosition {
                code,
                ring,
                position,
            } => vec![
                ("code", code.clone()),
                ("ring", ring_label(lang, *ring)),
                ("position", (position + 1).to_string()),
            ],
            Problem::CoordinateOutOfRange { code, lon, lat } => vec![
                ("code", code.clone()),
                ("lon", lon.to_string()),
                ("lat", lat.to_string()),
            ],
            Problem::InvalidPolygon { code, detail } => {
                vec![("code", code.clone()), ("detail", detail.clone())]
            }
            Problem::ParentUnknown { code, parent }
            | Problem::ParentHasNoBoundary { code, parent } => {
                vec![("code", code.clone()), ("parent", parent.clone())]
            }
            Problem::NotInsideParent {
                code,
                parent,
                outside_m2,
            } => vec![
                ("code", code.clone()),
                ("parent", parent.clone()),
                ("area", square_metres(*outside_m2)),
            ],
            Problem::Overlap {
                first,
                second,
                area_m2,
            } => vec![
                ("first", first.clone()),
                ("second", second.clone()),
                ("area", square_metres(*area_m2)),
            ],
        }
    }
}
