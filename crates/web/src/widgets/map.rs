//! Maps drawn on the server as SVG from the grids' own polygons: no tile server, no script.
//! Pages draw them inside the live map (`webmap`), which takes their place when scripts run;
//! they remain what is seen with scripts off and what is printed.
//! Longitude and latitude are projected equirectangularly around the area's middle latitude
//! (at street scale, a few kilometres, the distortion is far below a line's width). Each area
//! links to its cases, each pin to its case.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};

use jiedao_geo::MultiPolygon;
use jiedao_reports::xml::escape;

/// A drawn area: a community (outlined) or a grid (filled, clickable).
pub struct Area {
    pub shape: MultiPolygon<f64>,
    pub class: &'static str,
    pub href: String,
    pub title: String,
}

/// A case on the map.
#[derive(Clone)]
pub struct Pin {
    pub lon: f64,
    pub lat: f64,
    pub class: String,
    pub href: String,
    pub title: String,
}

const WIDTH: f64 = 800.0;
const MARGIN: f64 = 10.0;

/// Longitude/latitude to SVG coordinates over a bounding box.
struct Projection {
    min_lon: f64,
    max_lat: f64,
    x_scale: f64,
    scale: f64,
    height: f64,
}

impl Projection {
    fn fit(areas: &[Area]) -> Option<Projection> {
        let points = areas
            .iter()
            .flat_map(|a| a.shape.0.iter())
            .flat_map(|p| p.exterior().0.iter());
        let (mut min_lon, mut max_lon) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut min_lat, mut max_lat) = (f64::INFINITY, f64::NEG_INFINITY);
        for point in points {
            min_lon = min_lon.min(point.x);
            max_lon = max_lon.max(point.x);
            min_lat = min_lat.min(point.y);
            max_lat = max_lat.max(point.y);
        }
        if !(min_lon < max_lon && min_lat < max_lat) {
            return None;
        }
        let x_scale = ((min_lat + max_lat) / 2.0).to_radians().cos();
        let scale = (WIDTH - 2.0 * MARGIN) / ((max_lon - min_lon) * x_scale);
        let height = (max_lat - min_lat) * scale + 2.0 * MARGIN;
        Some(Projection {
            min_lon,
            max_lat,
            x_scale,
            scale,
            height,
        })
    }

    fn point(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            MARGIN + (lon - self.min_lon) * self.x_scale * self.scale,
            MARGIN + (self.max_lat - lat) * self.scale,
        )
    }

    fn path(&self, shape: &MultiPolygon<f64>) -> String {
        let mut d = String::new();
        for polygon in &shape.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                for (index, c) in ring.0.iter().enumerate() {
                    let (x, y) = self.point(c.x, c.y);
                    let _ = write!(d, "{}{x:.1},{y:.1}", if index == 0 { "M" } else { "L" });
                }
                d.push('Z');
            }
        }
        d
    }
}

/// Areas from stored units and their GeoJSON shapes: grids filled and linked to their cases,
/// communities outlined on top.
fn areas(units: Vec<(jiedao_store::org::OrgUnit, String)>) -> Vec<Area> {
    let mut areas: Vec<Area> = units
        .into_iter()
        .filter_map(|(unit, shape)| {
            Some(Area {
                // Detail under a metre is far below a pixel and only adds bytes to every page.
                shape: jiedao_geo::simplify::for_drawing(
                    &jiedao_geo::shape_from_geojson(&shape)?,
                    1e-5,
                ),
                class: if unit.kind == jiedao_core::OrgKind::Grid {
                    "grid"
                } else {
                    "community"
                },
                href: format!("/cases?within={}", unit.code),
                title: format!("{} {}", unit.code, unit.name),
            })
        })
        .collect();
    areas.sort_by_key(|a| a.class == "community");
    areas
}

/// The map, or `None` when no area has a boundary to draw.
pub fn draw(areas: &[Area], pins: &[Pin], caption: &str) -> Option<String> {
    let projection = Projection::fit(areas)?;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="map" viewBox="0 0 {WIDTH} {:.0}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        projection.height,
        escape(caption)
    );
    for area in areas {
        let _ = write!(
            svg,
            r#"<a href="{}"><path class="{}" d="{}"><title data-user>{}</title></path></a>"#,
            escape(&area.href),
            area.class,
            projection.path(&area.shape),
            escape(&area.title)
        );
    }
    for pin in pins {
        let (x, y) = projection.point(pin.lon, pin.lat);
        let _ = write!(
            svg,
            r#"<a href="{}"><circle class="{}" cx="{x:.1}" cy="{y:.1}" r="5"><title data-user>{}</title></circle></a>"#,
            escape(&pin.href),
            escape(&pin.class),
            escape(&pin.title)
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// Drawn areas by reach, parsed once and kept until the boundaries change. Reading and
/// parsing every grid's GeoJSON on each request would put the whole map's cost on the report
/// form, the page residents open most.
#[derive(Default)]
pub struct AreaCache(Mutex<HashMap<String, Drawn>>);

/// Areas as drawn at one boundaries version.
type Drawn = (u64, Arc<Vec<Area>>);

/// Whose map to draw.
pub enum Viewer {
    /// A signed-in reader: the communities and grids their scope reaches.
    Scope(jiedao_store::Scope),
    /// Anyone: the public map of every community and grid (`org::public_map`).
    Public,
}

impl AreaCache {
    /// The communities and grids `viewer` may see, from the cache while the boundaries stand.
    pub async fn get(
        &self,
        store: &jiedao_store::Store,
        viewer: Viewer,
    ) -> Result<Arc<Vec<Area>>, jiedao_store::StoreError> {
        let key = match &viewer {
            Viewer::Scope(scope) => scope.path_range().0,
            Viewer::Public => "public".to_owned(),
        };
        let version = store.boundaries_version();
        let cached = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&key)
            .filter(|(seen, _)| *seen == version)
            .map(|(_, areas)| Arc::clone(areas));
        if let Some(areas) = cached {
            return Ok(areas);
        }
        let units = store
            .read(move |conn| match &viewer {
                Viewer::Scope(scope) => jiedao_store::org::drawn(
                    conn,
                    scope,
                    &[jiedao_core::OrgKind::Community, jiedao_core::OrgKind::Grid],
                ),
                Viewer::Public => jiedao_store::org::public_map(conn),
            })
            .await?;
        let drawn = Arc::new(areas(units));
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(key, (version, Arc::clone(&drawn)));
        Ok(drawn)
    }
}

/// The grids a report form's map shows without script (a picture: tapping a place takes
/// the live map, `map.js`).
pub fn picker(areas: &[Area], caption: &str) -> Option<String> {
    let projection = Projection::fit(areas)?;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="map pick" viewBox="0 0 {WIDTH} {:.0}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        projection.height,
        escape(caption),
    );
    for area in areas {
        let _ = write!(
            svg,
            r#"<path class="{}" d="{}"><title data-user>{}</title></path>"#,
            area.class,
            projection.path(&area.shape),
            escape(&area.title)
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiedao_geo::geo::{LineString, Polygon};

    fn square(lon: f64, lat: f64, size: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![Polygon::new(
            LineString::from(vec![
                (lon, lat),
                (lon + size, lat),
                (lon + size, lat + size),
                (lon, lat + size),
                (lon, lat),
            ]),
            vec![],
        )])
    }

    #[test]
    fn areas_fill_the_width_north_up_and_pins_land_inside() {
        let areas = vec![Area {
            shape: square(120.10, 30.25, 0.01),
            class: "grid",
            href: "/cases?within=A1".into(),
            title: "A1 <网格>".into(),
        }];
        let pins = vec![Pin {
            lon: 120.105,
            lat: 30.255,
            class: "pin light-red".into(),
            href: "/cases/1".into(),
            title: "20261122-00001".into(),
        }];
        let svg = draw(&areas, &pins, "地图").expect("drawn");
        // The south-west corner at the left margin, low down; the north-east corner at the far
        // margin, at the top.
        assert!(svg.contains("M10.0,913.0"), "{svg}");
        assert!(svg.contains("L790.0,10.0"), "{svg}");
        assert!(
            svg.contains(r#"cx="400.0""#),
            "the pin is in the middle: {svg}"
        );
        assert!(svg.contains("A1 &lt;网格&gt;"));
        assert!(
            draw(&[], &pins, "地图").is_none(),
            "nothing to draw, no map"
        );
    }
}
