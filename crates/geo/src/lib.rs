//! Grid geography: reading and checking boundary files (GeoJSON), and locating a point to its
//! grid. Pure computation; loading into the database is the store's job.

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
