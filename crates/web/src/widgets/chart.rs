//! Charts drawn on the server: no script, no external library, readable without JavaScript and
//! printable. Rankings are bars ([`bars`]), trends are lines ([`lines`]). Only the marks are
//! SVG, stretched to the width they are given; every word and number is HTML text beside
//! them, so the stylesheet's sizes hold on a phone as on a wall (an SVG scaled to a phone's
//! width shrank its labels to 6 px). Every bar and day is a link to the cases it counts, with
//! a title that says the figure in words. Colours come from the stylesheet (`.series-0`,
//! `.series-1`).

use std::fmt::Write;

use jiedao_reports::xml::escape;

/// One label's figures: a value per series, how each is written, where its cases are listed,
/// and a tooltip per value ("11月22日 受理 17件").
pub struct Group {
    pub label: String,
    pub values: Vec<f64>,
    pub shown: Vec<String>,
    pub hrefs: Vec<String>,
    pub titles: Vec<String>,
}

impl Group {
    /// A group of counts, each written as it is.
    pub fn counts(label: String, counts: &[i64], hrefs: Vec<String>, titles: Vec<String>) -> Group {
        Group {
            label,
            values: counts.iter().map(|&n| f(n)).collect(),
            shown: counts.iter().map(i64::to_string).collect(),
            hrefs,
            titles,
        }
    }

    fn part(&self, series: usize) -> (&str, &str) {
        (
            self.hrefs.get(series).map_or("", String::as_str),
            self.titles.get(series).map_or("", String::as_str),
        )
    }
}

/// A round top for the axis: 1, 2 or 5 times a power of ten, at least `max`.
fn axis_top(max: f64) -> f64 {
    let mut step = 1.0;
    loop {
        for factor in [1.0, 2.0, 5.0] {
            if step * factor >= max.max(1.0) {
                return step * factor;
            }
        }
        step *= 10.0;
    }
}

/// The round top of the groups' axis.
fn top(groups: &[Group]) -> f64 {
    axis_top(
        groups
            .iter()
            .flat_map(|g| g.values.iter().copied())
            .fold(0.0, f64::max),
    )
}

#[expect(clippy::cast_precision_loss, reason = "chart coordinates")]
fn f(value: i64) -> f64 {
    value as f64
}

/// Horizontal bars, one row per group (communities, departments, a ranking's places), a bar
/// per series under the name, its figure written after it.
pub fn bars(groups: &[Group], caption: &str) -> String {
    let top = top(groups);
    let mut html = format!(
        r#"<div class="bars" role="list" aria-label="{}">"#,
        escape(caption)
    );
    for group in groups {
        let _ = write!(
            html,
            r#"<div class="bar-row" role="listitem"><span class="bar-label" data-user>{}</span><span class="bar-cells">"#,
            escape(&group.label)
        );
        for (s, value) in group.values.iter().enumerate() {
            let (href, title) = group.part(s);
            // A figure with no list of its own (a score) is not a link.
            let (open, close) = if href.is_empty() {
                (r#"<span class="bar-cell""#.to_owned(), "</span>")
            } else {
                (
                    format!(r#"<a class="bar-cell" href="{}""#, escape(href)),
                    "</a>",
                )
            };
            let _ = write!(
                html,
                r#"{open} title="{}"><svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"><rect class="series-{s}" width="{:.1}" height="10"/></svg><span class="bar-value">{}</span>{close}"#,
                escape(title),
                100.0 * value.max(0.0) / top,
                escape(group.shown.get(s).map_or("", String::as_str)),
            );
        }
        html.push_str("</span></div>");
    }
    html.push_str("</div>");
    html
}

/// Lines over days (or any run of labels), one per series; each day is a link to its cases.
/// Every `label_every`-th label is written under the plot, and the axis's top beside it.
pub fn lines(groups: &[Group], label_every: usize, caption: &str) -> String {
    const HEIGHT: f64 = 100.0;
    let top = top(groups);
    let width = f(i64::try_from(groups.len().max(1)).unwrap_or(1));
    let series = groups.iter().map(|g| g.values.len()).max().unwrap_or(0);
    let mut html = format!(
        r#"<figure class="trend"><div class="trend-plot"><span class="trend-top">{top}</span><svg viewBox="0 0 {width} {HEIGHT}" preserveAspectRatio="none" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        escape(caption)
    );
    for y in [0.0, HEIGHT / 2.0, HEIGHT] {
        let _ = write!(
            html,
            r#"<line class="grid" x1="0" y1="{y}" x2="{width}" y2="{y}" vector-effect="non-scaling-stroke"/>"#
        );
    }
    for (index, group) in groups.iter().enumerate() {
        let x = f(i64::try_from(index).unwrap_or(0));
        let title: Vec<&str> = (0..group.values.len()).map(|s| group.part(s).1).collect();
        let _ = write!(
            html,
            r#"<a href="{}"><rect class="hit" x="{x}" y="0" width="1" height="{HEIGHT}"><title>{}</title></rect></a>"#,
            escape(group.part(0).0),
            escape(&title.join("; "))
        );
    }
    for s in 0..series {
        let points: Vec<String> = groups
            .iter()
            .enumerate()
            .filter_map(|(index, group)| {
                let value = group.values.get(s)?;
                let x = f(i64::try_from(index).ok()?) + 0.5;
                Some(format!("{x:.1},{:.1}", HEIGHT - HEIGHT * value / top))
            })
            .collect();
        let _ = write!(
            html,
            r#"<polyline class="line series-{s}" points="{}" vector-effect="non-scaling-stroke"/>"#,
            points.join(" ")
        );
    }
    html.push_str(r#"</svg></div><figcaption class="trend-axis">"#);
    for (index, group) in groups.iter().enumerate() {
        if label_every > 0 && index % label_every == 0 {
            let _ = write!(html, "<span>{}</span>", escape(&group.label));
        }
    }
    html.push_str("</figcaption></figure>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(label: &str, values: &[i64]) -> Group {
        Group::counts(
            label.into(),
            values,
            values.iter().map(|v| format!("/cases?n={v}")).collect(),
            values.iter().map(|v| format!("<{v}>")).collect(),
        )
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(axis_top(0.0), 1.0);
        assert_eq!(axis_top(7.0), 10.0);
        assert_eq!(axis_top(11.0), 20.0);
        assert_eq!(axis_top(87.5), 100.0);
        assert_eq!(axis_top(200.0), 200.0);
        assert_eq!(axis_top(201.0), 500.0);
    }

    #[test]
    fn bars_link_to_their_cases_and_scale_to_the_largest() {
        let html = bars(
            &[group("西溪社区", &[10, 5]), group("<东>", &[20, 0])],
            "按社区",
        );
        assert_eq!(html.matches("<rect").count(), 4);
        assert!(html.contains(r#"href="/cases?n=10""#));
        // The longest bar (20 of an axis topped at 20) fills its track; 5 fills a quarter.
        assert!(html.contains(r#"width="100.0""#), "{html}");
        assert!(html.contains(r#"width="25.0""#), "{html}");
        assert!(
            html.contains("&lt;东&gt;") && html.contains("&lt;20&gt;"),
            "escaped"
        );
        assert!(
            html.contains(r#"<span class="bar-value">5</span>"#),
            "figures are HTML text, sized by the stylesheet"
        );
        assert!(!html.contains("<text"), "no text inside the drawing");
    }

    #[test]
    fn lines_pass_through_each_day_and_label_every_nth() {
        let days: Vec<Group> = (0..10)
            .map(|d| group(&format!("{d}日"), &[d, 10 - d]))
            .collect();
        let html = lines(&days, 5, "受理与结案");
        assert_eq!(html.matches("<polyline").count(), 2);
        // Day 0 of series 0 is at the bottom, day 0 of series 1 at the top (10 of 10).
        assert!(html.contains(r#"points="0.5,100.0 1.5,90.0"#), "{html}");
        assert!(html.contains(r#"points="0.5,0.0 1.5,10.0"#), "{html}");
        assert_eq!(html.matches(r#"<a href="/cases?n="#).count(), 10);
        assert!(html.contains("<span>0日</span><span>5日</span></figcaption>"));
        assert!(!html.contains("<text"), "labels are HTML text");
    }
}
