//! The OGC validity rules for one polygon, as `geo`'s `Validation` states them, at a cost that
//! grows with the rings' size rather than its square.
//!
//! `geo` tests every segment of a ring against every other for self-intersection (a
//! 200,000-vertex grid took 207 s inside the writer) and every hole against every other hole.
//! Here a ring's segments are swept from west to east and only segments whose extents meet are
//! tested, and only holes whose envelopes meet are related. The verdicts are `geo`'s own (the
//! same predicates on the same pairs, the same error values in the same order; a property test
//! compares the two). A sweep still has bad cases (many long segments side by side, overlapping
//! in longitude without crossing), so the pairs it looks at are counted against a budget, and a
//! ring past it is reported as too intricate to check rather than checked for minutes.

use geo::algorithm::validation::{CoordIndex, InvalidPolygon, RingRole};
use geo::coordinate_position::CoordPos;
use geo::dimensions::Dimensions;
use geo::{BoundingRect, Intersects, Line, LineString, Polygon, PreparedGeometry, Relate};
use geo::{HasDimensions, RemoveRepeatedPoints};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// Segment pairs a ring of `n` segments may have tested: enough for any drawn boundary (a few
/// neighbours per segment), far below the `n²` of a pathological one.
fn pair_budget(segments: usize) -> usize {
    segments.saturating_mul(64).saturating_add(1_000_000)
}

/// A ring whose self-intersection test would pass the pair budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TooIntricate(pub RingRole);

/// Whether two segments of a ring cross or touch other than where a ring's consecutive segments
/// meet (`geo`'s rule: pairs sharing a start and an end point are passed over).
fn cross(line: &Line<f64>, other: &Line<f64>) -> bool {
    line.intersects(other) && line.start != other.end && line.end != other.start
}

/// A segment's extent: (least x, greatest x, least y, greatest y).
type Extent = (f64, f64, f64, f64);

fn extent(line: &Line<f64>) -> Extent {
    (
        line.start.x.min(line.end.x),
        line.start.x.max(line.end.x),
        line.start.y.min(line.end.y),
        line.start.y.max(line.end.y),
    )
}

/// A sweep from west to east: segments sorted by their western end, each tested only against
/// the later ones that begin before it ends and share some of its latitudes.
fn has_self_intersection(ring: &LineString<f64>, role: RingRole) -> Result<bool, TooIntricate> {
    let mut lines: Vec<(Line<f64>, Extent)> =
        ring.lines().map(|line| (line, extent(&line))).collect();
    lines.sort_by(|a, b| a.1.0.total_cmp(&b.1.0));
    let mut budget = pair_budget(lines.len());
    for (index, (line, (_, east, south, north))) in lines.iter().enumerate() {
        for (other, (west, _, other_south, other_north)) in lines.iter().skip(index + 1) {
            if *west > *east {
                break;
            }
            budget = budget.checked_sub(1).ok_or(TooIntricate(role))?;
            if *other_south <= *north && *other_north >= *south && cross(line, other) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

fn envelope_of(ring: &LineString<f64>) -> Option<AABB<[f64; 2]>> {
    let rect = ring.bounding_rect()?;
    Some(AABB::from_corners(
        [rect.min().x, rect.min().y],
        [rect.max().x, rect.max().y],
    ))
}

/// Every rule `polygon` breaks, as `geo`'s `validation_errors` would list them.
pub fn validation_errors(polygon: &Polygon<f64>) -> Result<Vec<InvalidPolygon>, TooIntricate> {
    let mut errors = Vec::new();
    if polygon.is_empty() {
        return Ok(errors);
    }
    let rings = std::iter::once(polygon.exterior()).chain(polygon.interiors());
    for (index, ring) in rings.enumerate() {
        if ring.0.is_empty() {
            continue;
        }
        let role = if index == 0 {
            RingRole::Exterior
        } else {
            RingRole::Interior(index - 1)
        };
        if ring.remove_repeated_points().0.len() < 4 {
            errors.push(InvalidPolygon::TooFewPointsInRing(role));
        }
        if has_self_intersection(ring, role)? {
            errors.push(InvalidPolygon::SelfIntersection(role));
        }
        for (at, coord) in ring.0.iter().enumerate() {
            if !(coord.x.is_finite() && coord.y.is_finite()) {
                errors.push(InvalidPolygon::NonFiniteCoord(role, CoordIndex(at)));
            }
        }
    }
    if polygon.interiors().iter().all(|ring| ring.0.is_empty()) {
        return Ok(errors);
    }
    hole_errors(polygon, &mut errors);
    Ok(errors)
}

/// Holes inside the exterior, touching it and each other at points only. Holes whose envelopes
/// are apart cannot meet, so only pairs whose envelopes meet are related.
fn hole_errors(polygon: &Polygon<f64>, errors: &mut Vec<InvalidPolygon>) {
    let exterior = Polygon::new(polygon.exterior().clone(), vec![]);
    let prepared_exterior = PreparedGeometry::from(&exterior);
    // (number among the interiors, the hole as a polygon, its envelope)
    type Hole = (usize, Polygon<f64>, Option<AABB<[f64; 2]>>);
    let holes: Vec<Hole> = polygon
        .interiors()
        .iter()
        .enumerate()
        .filter(|(_, ring)| !ring.0.is_empty())
        .map(|(index, ring)| (index, Polygon::new(ring.clone(), vec![]), envelope_of(ring)))
        .collect();
    let tree = RTree::bulk_load(
        holes
            .iter()
            .enumerate()
            .filter_map(|(at, (_, _, envelope))| {
                let envelope = (*envelope)?;
                Some(GeomWithData::new(
                    Rectangle::from_corners(envelope.lower(), envelope.upper()),
                    at,
                ))
            })
            .collect(),
    );
    for (at, (index, hole, envelope)) in holes.iter().enumerate() {
        let role = RingRole::Interior(*index);
        let prepared_hole = PreparedGeometry::from(hole);
        let with_exterior = prepared_exterior.relate(&prepared_hole);
        if !with_exterior.is_contains() {
            errors.push(InvalidPolygon::InteriorRingNotContainedInExteriorRing(role));
        }
        if with_exterior.get(CoordPos::OnBoundary, CoordPos::OnBoundary)
            == Dimensions::OneDimensional
        {
            errors.push(InvalidPolygon::IntersectingRingsOnALine(
                RingRole::Exterior,
                role,
            ));
        }
        let Some(envelope) = envelope else {
            continue;
        };
        let mut later: Vec<usize> = tree
            .locate_in_envelope_intersecting(envelope)
            .map(|candidate| candidate.data)
            .filter(|other| *other > at)
            .collect();
        later.sort_unstable();
        for other in later {
            let Some((other_index, other_hole, _)) = holes.get(other) else {
                continue;
            };
            let other_role = RingRole::Interior(*other_index);
            let matrix = prepared_hole.relate(other_hole);
            if matrix.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional {
                errors.push(InvalidPolygon::IntersectingRingsOnAnArea(role, other_role));
            }
            if matrix.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional
            {
                errors.push(InvalidPolygon::IntersectingRingsOnALine(role, other_role));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Coord, Validation};
    use proptest::prelude::*;

    /// Small rings on a coarse lattice, so that crossings, shared vertices, repeated points,
    /// collinear overlaps and touching holes all come up often.
    fn ring() -> impl Strategy<Value = LineString<f64>> {
        proptest::collection::vec((0_i8..6, 0_i8..6), 0..9).prop_map(|points| {
            let mut coords: Vec<Coord<f64>> = points
                .into_iter()
                .map(|(x, y)| Coord {
                    x: f64::from(x),
                    y: f64::from(y),
                })
                .collect();
            if let Some(first) = coords.first().copied() {
                coords.push(first);
            }
            LineString(coords)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The same verdicts as `geo`'s own validation, error for error.
        #[test]
        fn verdicts_are_geos(exterior in ring(), holes in proptest::collection::vec(ring(), 0..4)) {
            let polygon = Polygon::new(exterior, holes);
            prop_assert_eq!(validation_errors(&polygon), Ok(polygon.validation_errors()));
        }
    }
}
