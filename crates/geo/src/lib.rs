//! Grid geography: reading and checking boundary files (GeoJSON), and locating a point to its
//! grid. Pure computation; loading into the database is the store's job.

pub mod base_layer;
pub mod boundary;
pub mod check;
pub mod index;
pub mod problem;
pub mod simplify;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod validity;

pub use boundary::{
    Boundary, VertexLimits, read_boundaries, read_boundaries_within, shape_from_geojson,
    shape_to_geojson,
};
pub use check::{DEFAULT_TOLERANCE_M2, Existing, check_set};
pub use geo;
pub use geo::MultiPolygon;
pub use index::GridIndex;
pub use problem::Problem;

/// Whether a longitude and latitude (WGS84/CGCS2000 degrees) name a point on Earth: each within
/// its range, which also turns away NaN and the infinities.
pub fn on_earth(lon: f64, lat: f64) -> bool {
    (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)
}
