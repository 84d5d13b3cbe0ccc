//! Finding the grid of a point (落格): an R-tree of grid envelopes, then exact point-in-polygon.

use geo::{BoundingRect, Intersects, MultiPolygon, Point};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

/// An index of grid shapes keyed by `K` (a code or an id).
#[derive(Debug)]
pub struct GridIndex<K> {
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    grids: Vec<(K, MultiPolygon<f64>)>,
}

impl<K: Ord> GridIndex<K> {
    pub fn new(grids: Vec<(K, MultiPolygon<f64>)>) -> Self {
        let entries = grids
            .iter()
            .enumerate()
            .filter_map(|(index, (_, shape))| {
                let rect = shape.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners(
                        [rect.min().x, rect.min().y],
                        [rect.max().x, rect.max().y],
                    ),
                    index,
                ))
            })
            .collect();
        GridIndex {
            tree: RTree::bulk_load(entries),
            grids,
        }
    }

    /// The grid holding the point (longitude, latitude), or `None` when it lies in no grid.
    /// A point on a border shared by two grids goes to the one with the smaller key, so the same
    /// point always lands in the same grid.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<&K> {
        let point = Point::new(lon, lat);
        self.tree
            .locate_all_at_point(&[lon, lat])
            .filter_map(|entry| self.grids.get(entry.data))
            .filter(|(_, shape)| shape.intersects(&point))
            .map(|(key, _)| key)
            .min()
    }

    pub fn len(&self) -> usize {
        self.grids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.grids.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Rect, coord};
    use proptest::prelude::*;

    fn cell(x: f64, y: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![
            Rect::new(coord! { x: x, y: y }, coord! { x: x + 1.0, y: y + 1.0 }).to_polygon(),
        ])
    }

    fn checkerboard() -> GridIndex<(u32, u32)> {
        let mut grids = Vec::new();
        for i in 0..10 {
            for j in 0..10 {
                grids.push(((i, j), cell(f64::from(i), f64::from(j))));
            }
        }
        GridIndex::new(grids)
    }

    #[test]
    fn a_point_outside_every_grid_is_in_none() {
        let index = checkerboard();
        assert_eq!(index.locate(-0.5, 3.0), None);
        assert_eq!(index.locate(10.5, 10.5), None);
    }

    #[test]
    fn a_point_on_a_shared_border_goes_to_the_smaller_key() {
        let index = checkerboard();
        assert_eq!(index.locate(3.0, 4.5), Some(&(2, 4)));
    }

    proptest! {
        #[test]
        fn interior_points_land_in_their_cell(x in 0.0f64..10.0, y in 0.0f64..10.0) {
            prop_assume!(x.fract() > 1e-9 && y.fract() > 1e-9);
            let index = checkerboard();
            let expected = (x.floor() as u32, y.floor() as u32);
            prop_assert_eq!(index.locate(x, y), Some(&expected));
        }
    }
}
