//! Charts drawn on the server as SVG: no script, no external library, readable without
//! JavaScript and printable. Every bar is a link to the cases it counts, with a `<title>` that
//! says the figure in words. Colours come from the stylesheet (`.series-0`, `.series-1`).

use std::fmt::Write;

use jiedao_reports::xml::escape;

/// One bar group: a label under it, a value per series, where its cases are listed.
pub struct Group {
    pub label: String,
    pub values: Vec<i64>,
    pub hrefs: Vec<String>,
    /// A tooltip per value ("11月22日 受理 17件").
    pub titles: Vec<String>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 36.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 10.0;

/// A round top for the axis: 1, 2 or 5 times a power of ten, at least `max`.
fn axis_top(max: i64) -> i64 {
    let mut step = 1;
    loop {
        for factor in [1, 2, 5] {
            if step * factor >= max.max(1) {
                return step * factor;
            }
        }
        step *= 10;
    }
}

/// How many series the groups have (at least one) and the round top of their axis.
fn extent(groups: &[Group]) -> (usize, i64) {
    let series = groups
        .iter()
        .map(|g| g.values.len())
        .max()
        .unwrap_or(1)
        .max(1);
    let largest = groups.iter().flat_map(|g| g.values.iter().copied()).max();
    (series, axis_top(largest.unwrap_or(0)))
}

/// The opening `<svg>` of a chart `height` units tall.
fn open(height: f64, caption: &str) -> String {
    format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height:.0}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        escape(caption)
    )
}

#[expect(clippy::cast_precision_loss, reason = "chart coordinates")]
fn f(value: i64) -> f64 {
    value as f64
}

/// Vertical bars, one group per label and one bar per series within it. `label_every` thins
/// the labels under the axis (every 5th day of a month, say).
pub fn columns(groups: &[Group], label_every: usize, caption: &str) -> String {
    let (series, top) = extent(groups);
    let plot_height = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT) / f(i64::try_from(groups.len().max(1)).unwrap_or(1));
    let bar = (slot * 0.8) / f(i64::try_from(series).unwrap_or(1));
    let mut svg = open(HEIGHT, caption);
    for tick in [0, top / 2, top] {
        let y = TOP + plot_height - plot_height * f(tick) / f(top);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" y1="{y:.1}" x2="{WIDTH}" y2="{y:.1}"/><text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{tick}</text>"#,
            LEFT - 4.0,
            y + 4.0
        );
    }
    for (index, group) in groups.iter().enumerate() {
        let x0 = LEFT + slot * f(i64::try_from(index).unwrap_or(0)) + slot * 0.1;
        for (s, value) in group.values.iter().enumerate() {
            let h = plot_height * f(*value) / f(top);
            let x = x0 + bar * f(i64::try_from(s).unwrap_or(0));
            let y = TOP + plot_height - h;
            let href = group.hrefs.get(s).map_or("", String::as_str);
            let title = group.titles.get(s).map_or("", String::as_str);
            let _ = write!(
                svg,
                r#"<a href="{}"><rect class="series-{s}" x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}"><title>{}</title></rect></a>"#,
                escape(href),
                (bar - 1.0).max(1.0),
                escape(title)
            );
        }
        if label_every > 0 && index % label_every == 0 {
            let _ = write!(
                svg,
                r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x0 + slot * 0.4,
                HEIGHT - 8.0,
                escape(&group.label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars, one row per group (communities, departments), a bar per series stacked
/// beside the name.
pub fn rows(groups: &[Group], caption: &str) -> String {
    const ROW: f64 = 26.0;
    const NAME: f64 = 150.0;
    let (series, top) = extent(groups);
    let height = ROW * f(i64::try_from(groups.len()).unwrap_or(0)) + 8.0;
    let span = WIDTH - NAME - 40.0;
    let bar = (ROW - 6.0) / f(i64::try_from(series).unwrap_or(1));
    let mut svg = open(height, caption);
    for (index, group) in groups.iter().enumerate() {
        let y0 = 4.0 + ROW * f(i64::try_from(index).unwrap_or(0));
        let _ = write!(
            svg,
            r#"<text class="label" x="{:.1}" y="{:.1}" text-anchor="end" data-user>{}</text>"#,
            NAME - 6.0,
            y0 + ROW / 2.0 + 4.0,
            escape(&group.label)
        );
        for (s, value) in group.values.iter().enumerate() {
            let w = span * f(*value) / f(top);
            let y = y0 + 2.0 + bar * f(i64::try_from(s).unwrap_or(0));
            let href = group.hrefs.get(s).map_or("", String::as_str);
            let title = group.titles.get(s).map_or("", String::as_str);
            let _ = write!(
                svg,
                r#"<a href="{}"><rect class="series-{s}" x="{NAME}" y="{y:.1}" width="{w:.1}" height="{:.1}"><title data-user>{}</title></rect><text class="value" x="{:.1}" y="{:.1}">{value}</text></a>"#,
                escape(href),
                (bar - 1.0).max(1.0),
                escape(title),
                NAME + w + 4.0,
                y + bar - 2.0
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(label: &str, values: &[i64]) -> Group {
        Group {
            label: label.into(),
            values: values.to_vec(),
            hrefs: values.iter().map(|v| format!("/cases?n={v}")).collect(),
            titles: values.iter().map(|v| format!("<{v}>")).collect(),
        }
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(axis_top(0), 1);
        assert_eq!(axis_top(7), 10);
        assert_eq!(axis_top(11), 20);
        assert_eq!(axis_top(200), 200);
        assert_eq!(axis_top(201), 500);
    }

    #[test]
    fn bars_link_to_their_cases_and_scale_to_the_largest() {
        let svg = columns(
            &[group("1日", &[10, 5]), group("2日", &[20, 0])],
            1,
            "受理与结案",
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect").count(), 4);
        assert!(svg.contains(r#"href="/cases?n=10""#));
        // The tallest bar (20 of an axis topped at 20) fills the plot: 220 - 10 - 28.
        assert!(svg.contains(r#"height="182.0""#), "{svg}");
        assert!(svg.contains("&lt;20&gt;"), "titles are escaped");
        let rows = rows(&[group("西溪社区", &[3, 1])], "按社区");
        assert!(rows.contains("西溪社区") && rows.contains(">3</text>"));
    }
}
