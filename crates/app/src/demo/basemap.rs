//! The demo street's base map (底图), generated so the demo map reads like a map with no
//! network: named roads along the lattice lines the grids are drawn on (grids in a real street
//! are bounded by roads too), buildings in every grid named by estate, the lake 明湖, and
//! street lamps (部件) at the crossings, named by their two roads so they can be searched.
//! Four layers, uploaded as an office would upload its own.

use jiedao_store::Store;
use jiedao_store::base_layers::{LayerKind, NewLayer};
use serde_json::{Value, json};

use super::{BLOCK_COLUMNS, BLOCK_ROWS, COLUMNS, COMMUNITIES, GRID_COLUMNS_PER_BLOCK};
use super::{GRID_ROWS_PER_BLOCK, ROWS, corner, edge};

/// Roads running north–south, west to east: one per lattice column line.
const AVENUES: [&str; COLUMNS + 1] = [
    "文澜路",
    "晓风路",
    "望湖路",
    "紫荆路",
    "听涛路",
    "博雅路",
    "清泉路",
    "鹤鸣路",
    "枫林路",
    "晴川路",
    "揽月路",
];
/// Roads running east–west, south to north: one per lattice row line.
const STREETS: [&str; ROWS + 1] = [
    "北山大道",
    "秋实街",
    "春华街",
    "湖滨大道",
    "锦绣街",
    "安澜街",
    "明湖大道",
];
/// The lattice cell holding the lake, and the lake's name.
const LAKE_CELL: (usize, usize) = (4, 1);
const LAKE: &str = "明湖";

fn collection(features: Vec<Value>) -> String {
    json!({ "type": "FeatureCollection", "features": features }).to_string()
}

fn position((lon, lat): (f64, f64)) -> Value {
    json!([(lon * 1e6).round() / 1e6, (lat * 1e6).round() / 1e6])
}

fn named(name: &str, geometry: Value) -> Value {
    json!({ "type": "Feature", "properties": { "name": name }, "geometry": geometry })
}

/// A road along lattice corners, following the same bent edges the grids follow.
fn road(corners: &[(usize, usize)]) -> Value {
    let mut points: Vec<Value> = corners
        .windows(2)
        .flat_map(|pair| match pair {
            [from, to] => edge(*from, *to),
            _ => Vec::new(),
        })
        .map(position)
        .collect();
    if let Some(&(i, j)) = corners.last() {
        points.push(position(corner(i, j)));
    }
    json!({ "type": "LineString", "coordinates": points })
}

fn roads() -> String {
    let mut features: Vec<Value> = AVENUES
        .iter()
        .enumerate()
        .map(|(i, name)| named(name, road(&(0..=ROWS).map(|j| (i, j)).collect::<Vec<_>>())))
        .collect();
    features.extend(STREETS.iter().enumerate().map(|(j, name)| {
        named(
            name,
            road(&(0..=COLUMNS).map(|i| (i, j)).collect::<Vec<_>>()),
        )
    }));
    collection(features)
}

/// The middle of lattice cell `(i, j)` and its size in degrees.
fn cell_middle(i: usize, j: usize) -> ((f64, f64), (f64, f64)) {
    let corners = [
        corner(i, j),
        corner(i + 1, j),
        corner(i + 1, j + 1),
        corner(i, j + 1),
    ];
    let lon = corners.iter().map(|c| c.0).sum::<f64>() / 4.0;
    let lat = corners.iter().map(|c| c.1).sum::<f64>() / 4.0;
    ((lon, lat), super::CELL)
}

fn rectangle((lon, lat): (f64, f64), (half_w, half_h): (f64, f64)) -> Value {
    let ring: Vec<Value> = [
        (-1.0, -1.0),
        (1.0, -1.0),
        (1.0, 1.0),
        (-1.0, 1.0),
        (-1.0, -1.0),
    ]
    .iter()
    .map(|(x, y)| position((lon + x * half_w, lat + y * half_h)))
    .collect();
    json!({ "type": "Polygon", "coordinates": [ring] })
}

/// Four buildings in each grid's cell, numbered through their community's estate (苑).
fn buildings() -> String {
    let mut features = Vec::new();
    let mut numbers = [0_usize; COMMUNITIES.len()];
    for j in 0..ROWS {
        for i in 0..COLUMNS {
            if (i, j) == LAKE_CELL {
                continue;
            }
            let community = (BLOCK_ROWS - 1 - j / GRID_ROWS_PER_BLOCK) * BLOCK_COLUMNS
                + i / GRID_COLUMNS_PER_BLOCK;
            let (Some(name), Some(number)) =
                (COMMUNITIES.get(community), numbers.get_mut(community))
            else {
                continue;
            };
            let estate = name.trim_end_matches("社区");
            let ((lon, lat), (w, h)) = cell_middle(i, j);
            for (dx, dy) in [(-0.18, 0.16), (0.18, 0.16), (-0.18, -0.16), (0.18, -0.16)] {
                *number += 1;
                features.push(named(
                    &format!("{estate}苑{number}幢"),
                    rectangle((lon + dx * w, lat + dy * h), (w * 0.11, h * 0.09)),
                ));
            }
        }
    }
    collection(features)
}

fn water() -> String {
    let ((lon, lat), (w, h)) = cell_middle(LAKE_CELL.0, LAKE_CELL.1);
    let ring: Vec<Value> = (0..=36)
        .map(|step| {
            let angle = f64::from(step % 36) * std::f64::consts::TAU / 36.0;
            let wobble = 1.0 + 0.08 * (angle * 3.0).sin();
            position((
                lon + angle.cos() * w * 0.32 * wobble,
                lat + angle.sin() * h * 0.26 * wobble,
            ))
        })
        .collect();
    collection(vec![named(
        LAKE,
        json!({ "type": "Polygon", "coordinates": [ring] }),
    )])
}

/// A street lamp at every crossing, named by its two roads.
fn lamps() -> String {
    let mut features = Vec::new();
    for (i, avenue) in AVENUES.iter().enumerate() {
        for (j, street) in STREETS.iter().enumerate() {
            features.push(named(
                &format!("{avenue}与{street}交叉口路灯"),
                json!({ "type": "Point", "coordinates": position(corner(i, j)) }),
            ));
        }
    }
    collection(features)
}

/// The layers with their names and kinds.
pub fn layers() -> Vec<NewLayer> {
    [
        ("明湖街道道路", LayerKind::Roads, roads()),
        ("明湖街道建筑", LayerKind::Buildings, buildings()),
        ("明湖街道水系", LayerKind::Water, water()),
        ("明湖街道路灯", LayerKind::Components, lamps()),
    ]
    .into_iter()
    .map(|(name, kind, text)| NewLayer {
        name: name.into(),
        kind,
        text: text.into(),
    })
    .collect()
}

/// Uploads the layers as the demo's system.
pub async fn create(store: &Store) -> anyhow::Result<()> {
    let system = jiedao_store::Principal::system("demo");
    for layer in layers() {
        store
            .add_base_layer(&system.scope(), system.actor(None), layer)
            .await
            .map_err(|error| anyhow::anyhow!("demo base map: {error:?}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layer_is_a_drawable_base_layer_with_named_features() {
        let layers = layers();
        assert_eq!(layers.len(), 4);
        for layer in &layers {
            let summary = jiedao_geo::base_layer::check(&layer.text).expect("drawable");
            assert!(summary.features > 0);
            // Within the demo street, north-west of West Lake.
            let [west, south, east, north] = summary.bounds;
            assert!(west > 120.07 && east < 120.14 && south > 30.27 && north < 30.32);
            assert!(layer.text.contains("\"name\":"));
        }
        assert!(layers[0].text.contains("湖滨大道"));
        assert!(layers[1].text.contains("青枫苑1幢"));
        assert!(layers[2].text.contains(LAKE));
    }
}
