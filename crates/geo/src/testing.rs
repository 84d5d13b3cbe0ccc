//! Generated boundaries for tests (this crate's and the store's): detailed enough to show what a
//! check costs, made on the spot rather than kept as files.

use std::fmt::Write;

/// The positions of a ring of `vertices` corners around (lon, lat), `radius` degrees out,
/// closed (so `vertices + 1` positions).
pub fn many_sided_ring(lon: f64, lat: f64, radius: f64, vertices: usize) -> Vec<[f64; 2]> {
    let step = std::f64::consts::TAU / f64::from(u32::try_from(vertices).unwrap_or(u32::MAX));
    let mut ring: Vec<[f64; 2]> = (0..u32::try_from(vertices).unwrap_or(u32::MAX))
        .map(|at| {
            let angle = step * f64::from(at);
            [lon + radius * angle.cos(), lat + radius * angle.sin()]
        })
        .collect();
    if let Some(first) = ring.first().copied() {
        ring.push(first);
    }
    ring
}

/// A GeoJSON feature for unit `code` whose boundary is the one ring `ring`.
pub fn feature(code: &str, name: &str, ring: &[[f64; 2]]) -> String {
    let mut positions = String::with_capacity(ring.len() * 40);
    for (at, [lon, lat]) in ring.iter().enumerate() {
        let comma = if at == 0 { "" } else { "," };
        let _ = write!(positions, "{comma}[{lon},{lat}]");
    }
    format!(
        r#"{{"type":"Feature","properties":{{"code":"{code}","name":"{name}"}},"geometry":{{"type":"Polygon","coordinates":[[{positions}]]}}}}"#
    )
}
