//! Checks a set of boundaries together: every unit hangs under a known parent, every grid lies
//! inside its parent, and no two units of the same kind overlap. New boundaries are checked
//! against each other and against those already stored, as the tree will be after loading.

use std::collections::{HashMap, HashSet};

use geo::{BooleanOps, BoundingRect, GeodesicArea, MultiPolygon};
use jiedao_core::{GridCodeFormat, OrgKind};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::boundary::Boundary;
use crate::problem::Problem;

/// Areas below this many square metres are rounding, not overlap (shared borders give zero).
pub const DEFAULT_TOLERANCE_M2: f64 = 1.0;

/// What the checks compare against: the units already in the tree.
#[derive(Debug, Default)]
pub struct Existing<'a> {
    /// Codes of every unit of the organisation tree, drawn or not.
    pub codes: HashSet<String>,
    /// The stored boundaries that have a shape.
    pub boundaries: Vec<&'a Boundary>,
}

fn envelope(shape: &MultiPolygon<f64>) -> Option<AABB<[f64; 2]>> {
    let rect = shape.bounding_rect()?;
    Some(AABB::from_corners(
        [rect.min().x, rect.min().y],
        [rect.max().x, rect.max().y],
    ))
}

/// Units of these kinds must hang under a parent; a district or city may stand at the top.
fn needs_parent(kind: OrgKind) -> bool {
    matches!(
        kind,
        OrgKind::Street | OrgKind::Community | OrgKind::Grid | OrgKind::MicroGrid
    )
}

/// Runs every set-level check and returns what failed (empty when the set may be loaded).
pub fn check_set(
    incoming: &[Boundary],
    existing: &Existing<'_>,
    format: &GridCodeFormat,
    tolerance_m2: f64,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let incoming_codes: HashSet<&str> = incoming.iter().map(|b| b.code.as_str()).collect();
    // The tree as it will be: stored boundaries, replaced by incoming ones of the same code.
    let mut combined: HashMap<&str, &Boundary> = existing
        .boundaries
        .iter()
        .map(|b| (b.code.as_str(), *b))
        .collect();
    for boundary in incoming {
        combined.insert(boundary.code.as_str(), boundary);
    }

    for boundary in incoming {
        let Some(parent) = boundary.code.parent_code(format) else {
            continue;
        };
        let parent = parent.as_str();
        let parent_known = existing.codes.contains(parent) || incoming_codes.contains(parent);
        if needs_parent(boundary.code.kind()) && !parent_known {
            problems.push(Problem::ParentUnknown {
                code: boundary.code.to_string(),
                parent: parent.to_owned(),
            });
            continue;
        }
        let parent_shape = combined.get(parent).and_then(|p| p.shape.as_ref());
        if boundary.shape.is_some() && parent_shape.is_none() && boundary.code.kind().is_grid() {
            problems.push(Problem::ParentHasNoBoundary {
                code: boundary.code.to_string(),
                parent: parent.to_owned(),
            });
        }
    }

    // Containment: every drawn child inside its drawn parent, where either side is new.
    for child in combined.values() {
        let (Some(child_shape), Some(parent_code)) = (&child.shape, child.code.parent_code(format))
        else {
            continue;
        };
        let Some(parent) = combined.get(parent_code.as_str()) else {
            continue;
        };
        let Some(parent_shape) = &parent.shape else {
            continue;
        };
        let touched = incoming_codes.contains(child.code.as_str())
            || incoming_codes.contains(parent.code.as_str());
        if !touched {
            continue;
        }
        let outside = child_shape
            .difference(parent_shape)
            .geodesic_area_unsigned();
        if outside > tolerance_m2 {
            problems.push(Problem::NotInsideParent {
                code: child.code.to_string(),
                parent: parent.code.to_string(),
                outside_m2: outside,
            });
        }
    }

    problems.extend(overlaps(incoming, &combined, tolerance_m2));
    problems
}

/// Pairs of same-kind units that share area, where at least one of the pair is new.
fn overlaps(
    incoming: &[Boundary],
    combined: &HashMap<&str, &Boundary>,
    tolerance_m2: f64,
) -> Vec<Problem> {
    let drawn: Vec<(&Boundary, &MultiPolygon<f64>)> = combined
        .values()
        .filter_map(|b| b.shape.as_ref().map(|shape| (*b, shape)))
        .collect();
    let tree = RTree::bulk_load(
        drawn
            .iter()
            .enumerate()
            .filter_map(|(index, (_, shape))| {
                let aabb = envelope(shape)?;
                Some(GeomWithData::new(
                    Rectangle::from_corners(aabb.lower(), aabb.upper()),
                    index,
                ))
            })
            .collect(),
    );
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut problems = Vec::new();
    for boundary in incoming {
        let Some(shape) = &boundary.shape else {
            continue;
        };
        let Some(aabb) = envelope(shape) else {
            continue;
        };
        for candidate in tree.locate_in_envelope_intersecting(&aabb) {
            let Some(&(other, other_shape)) = drawn.get(candidate.data) else {
                continue;
            };
            if other.code == boundary.code || other.code.kind() != boundary.code.kind() {
                continue;
            }
            let (first, second) = if boundary.code < other.code {
                (boundary.code.to_string(), other.code.to_string())
            } else {
                (other.code.to_string(), boundary.code.to_string())
            };
            if !seen.insert((first.clone(), second.clone())) {
                continue;
            }
            let area = shape.intersection(other_shape).geodesic_area_unsigned();
            if area > tolerance_m2 {
                problems.push(Problem::Overlap {
                    first,
                    second,
                    area_m2: area,
                });
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::read_boundaries;

    fn square(code: &str, lon: f64, lat: f64, size: f64) -> String {
        format!(
            r#"{{"type":"Feature","properties":{{"code":"{code}","name":"单元{code}"}},"geometry":{{"type":"Polygon","coordinates":[[[{lon},{lat}],[{e},{lat}],[{e},{n}],[{lon},{n}],[{lon},{lat}]]]}}}}"#,
            e = lon + size,
            n = lat + size
        )
    }

    fn check(features: &[String], known: &[&str]) -> Vec<Problem> {
        let format = GridCodeFormat::default();
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        );
        let (boundaries, problems) = read_boundaries(&text, &format);
        assert!(problems.is_empty(), "{problems:?}");
        let existing = Existing {
            codes: known.iter().map(|c| (*c).to_owned()).collect(),
            boundaries: Vec::new(),
        };
        check_set(&boundaries, &existing, &format, DEFAULT_TOLERANCE_M2)
    }

    const STREET: &str = "330106008000";

    #[test]
    fn grids_side_by_side_inside_their_community_pass() {
        let problems = check(
            &[
                square("330106008001", 120.0, 30.0, 0.02),
                square("330106008001001", 120.0, 30.0, 0.01),
                square("330106008001002", 120.01, 30.0, 0.01),
            ],
            &[STREET],
        );
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn overlapping_grids_are_reported_with_the_shared_area() {
        let problems = check(
            &[
                square("330106008001", 120.0, 30.0, 0.02),
                square("330106008001001", 120.0, 30.0, 0.01),
                square("330106008001002", 120.005, 30.0, 0.01),
            ],
            &[STREET],
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        let Problem::Overlap {
            first,
            second,
            area_m2,
        } = &problems[0]
        else {
            panic!("expected an overlap, got {problems:?}");
        };
        assert_eq!(
            (first.as_str(), second.as_str()),
            ("330106008001001", "330106008001002")
        );
        // Half of a ~1.07 km x 1.11 km square.
        assert!((500_000.0..650_000.0).contains(area_m2), "{area_m2}");
    }

    #[test]
    fn a_grid_outside_its_community_is_reported_with_the_area_outside() {
        let problems = check(
            &[
                square("330106008001", 120.0, 30.0, 0.01),
                square("330106008001001", 120.005, 30.0, 0.01),
            ],
            &[STREET],
        );
        assert!(
            matches!(&problems[..], [Problem::NotInsideParent { code, outside_m2, .. }]
                if code == "330106008001001" && *outside_m2 > 400_000.0),
            "{problems:?}"
        );
    }

    #[test]
    fn a_grid_needs_a_known_and_drawn_community() {
        let problems = check(&[square("330106008002001", 120.0, 30.0, 0.01)], &[STREET]);
        assert_eq!(
            problems,
            vec![Problem::ParentUnknown {
                code: "330106008002001".into(),
                parent: "330106008002".into()
            }]
        );
        let problems = check(
            &[square("330106008002001", 120.0, 30.0, 0.01)],
            &[STREET, "330106008002"],
        );
        assert_eq!(
            problems,
            vec![Problem::ParentHasNoBoundary {
                code: "330106008002001".into(),
                parent: "330106008002".into()
            }]
        );
    }

    /// A community 0.02° square with one grid inside: a 200,000-vertex ring (8 MB of GeoJSON),
    /// as in the upload that held the writer for 207 s.
    fn detailed_file(ring: &[[f64; 2]]) -> String {
        format!(
            r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
            square("330106008001", 120.0, 30.0, 0.02),
            crate::testing::feature("330106008001001", "细网格", ring)
        )
    }

    fn read_and_check(text: &str) -> (Vec<Problem>, std::time::Duration) {
        let started = std::time::Instant::now();
        let format = GridCodeFormat::default();
        let (boundaries, mut problems) = read_boundaries(text, &format);
        let existing = Existing {
            codes: [STREET.to_owned()].into_iter().collect(),
            boundaries: Vec::new(),
        };
        if problems.is_empty() {
            problems = check_set(&boundaries, &existing, &format, DEFAULT_TOLERANCE_M2);
        }
        (problems, started.elapsed())
    }

    /// Generous for an unoptimised build on a shared 2-core machine; all pairs took hours here.
    const SECONDS: std::time::Duration = std::time::Duration::from_secs(30);

    #[test]
    fn a_200000_vertex_grid_is_checked_in_seconds() {
        let ring = crate::testing::many_sided_ring(120.01, 30.01, 0.004, 200_000);
        let text = detailed_file(&ring);
        assert!(text.len() > 7_000_000, "{}", text.len());
        let (problems, took) = read_and_check(&text);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(took < SECONDS, "{took:?}");
    }

    #[test]
    fn a_crossing_in_a_200000_vertex_grid_is_found_in_seconds() {
        let mut ring = crate::testing::many_sided_ring(120.01, 30.01, 0.004, 200_000);
        // Two neighbouring corners swapped: a tiny bow tie halfway round.
        ring.swap(100_000, 100_001);
        let (problems, took) = read_and_check(&detailed_file(&ring));
        assert_eq!(
            problems,
            [Problem::SelfIntersection {
                code: "330106008001001".into(),
                ring: 0
            }]
        );
        assert!(took < SECONDS, "{took:?}");
    }

    #[test]
    fn a_ring_too_crowded_to_sweep_is_refused_not_checked_for_minutes() {
        // A comb of 3,000 teeth: every tooth's edges overlap every other's in longitude, so a
        // sweep would test millions of pairs that never cross.
        let mut ring = vec![[120.0, 30.0]];
        for tooth in 0..3_000_u32 {
            let y = 30.0 + f64::from(tooth) * 2e-6;
            ring.extend([
                [120.001, y],
                [120.01, y],
                [120.01, y + 1e-6],
                [120.001, y + 1e-6],
            ]);
        }
        ring.extend([[120.0, 30.0 + 3_000.0 * 2e-6], [120.0, 30.0]]);
        let (problems, took) = read_and_check(&detailed_file(&ring));
        assert_eq!(
            problems,
            [Problem::TooIntricate {
                code: "330106008001001".into(),
                ring: 0
            }]
        );
        assert!(took < SECONDS, "{took:?}");
    }
}
