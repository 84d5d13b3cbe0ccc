//! Boundaries made lighter for drawing: a surveyed boundary may have hundreds of thousands of
//! positions, and a map a few hundred pixels wide shows none of that detail, only its bytes
//! (the public report page grew from 34 KB to 2 MB). Checks and storage keep the full shape.

use geo::{MultiPolygon, SimplifyVw};

/// `shape` without the detail smaller than about `tolerance` (in the shape's own units, degrees
/// here): Visvalingam–Whyatt, which drops first the corners whose triangle with their
/// neighbours is smallest, at a cost of n log n whatever the shape.
pub fn for_drawing(shape: &MultiPolygon<f64>, tolerance: f64) -> MultiPolygon<f64> {
    shape.simplify_vw(tolerance * tolerance)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, CoordsIter, LineString, Polygon};

    fn ring_shape(ring: &[[f64; 2]]) -> MultiPolygon<f64> {
        let coords = ring.iter().map(|[x, y]| geo::Coord { x: *x, y: *y });
        MultiPolygon(vec![Polygon::new(LineString(coords.collect()), vec![])])
    }

    #[test]
    fn a_detailed_ring_keeps_its_outline_with_a_fraction_of_its_positions() {
        let ring = crate::testing::many_sided_ring(120.0, 30.0, 0.004, 200_000);
        let shape = ring_shape(&ring);
        // Half a pixel of a street map 800 pixels across 0.01°.
        let drawn = for_drawing(&shape, 0.01 / 1600.0);
        let kept = drawn.coords_count();
        assert!(kept < 1_000, "{kept} positions kept");
        let change = (drawn.unsigned_area() - shape.unsigned_area()).abs() / shape.unsigned_area();
        assert!(change < 0.01, "area changed by {change}");
    }

    #[test]
    fn plain_squares_are_drawn_as_they_are() {
        let square = ring_shape(&[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]);
        assert_eq!(for_drawing(&square, 0.01), square);
    }
}
