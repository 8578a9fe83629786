//! Charts of an analysis result, rendered to self-contained SVG on the server, so reports
//! show them without scripts or third-party requests. Every text is XML-escaped: labels come from the
//! model's answer.

use serde::{Deserialize, Serialize};
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChartType {
    Bar,
    Line,
    Pie,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Chart {
    #[serde(rename = "type")]
    pub chart_type: ChartType,
    pub title: String,
    pub labels: Vec<String>,
    pub series: Vec<Series>,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 360.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 64.0;
const PALETTE: [&str; 6] = [
    "#2563eb", "#16a34a", "#ea580c", "#9333ea", "#0891b2", "#dc2626",
];

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Values the model may send that cannot be drawn (NaN, infinities) count as zero.
fn finite(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        0.0
    }
}

pub fn render_svg(chart: &Chart) -> String {
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{title}" font-family="sans-serif" font-size="12"><title>{title}</title><rect width="100%" height="100%" fill="white"/><text x="{x}" y="24" text-anchor="middle" font-size="16" font-weight="bold">{title}</text>"#,
        title = escape(&chart.title),
        x = WIDTH / 2.0,
    );
    match chart.chart_type {
        ChartType::Bar => bars(chart, &mut svg),
        ChartType::Line => lines(chart, &mut svg),
        ChartType::Pie => pie(chart, &mut svg),
    }
    legend(chart, &mut svg);
    svg.push_str("</svg>");
    svg
}

/// Aim for about four intervals on the value axis; accept up to six to keep the steps round.
const TARGET_TICKS: f64 = 4.0;
const MAX_TICKS: f64 = 6.0;

/// A step of 1, 2 or 5 times a power of ten, at least `raw`: axis labels people can read.
fn nice_step(raw: f64) -> f64 {
    let magnitude = 10_f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

/// The value axis: from, to and step, always including zero, ending on whole steps.
fn value_axis(chart: &Chart) -> (f64, f64, f64) {
    let values = chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied().map(finite));
    let (min, max) = values.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if (max - min).abs() < f64::EPSILON {
        return (min, min + TARGET_TICKS, 1.0);
    }
    let mut step = nice_step((max - min) / TARGET_TICKS);
    loop {
        let (lo, hi) = ((min / step).floor() * step, (max / step).ceil() * step);
        if ((hi - lo) / step).round() <= MAX_TICKS {
            return (lo, hi, step);
        }
        step = nice_step(step * 1.01);
    }
}

fn axes(chart: &Chart, svg: &mut String, (min, max, step): (f64, f64, f64)) {
    let ticks = ((max - min) / step).round() as u32;
    for tick in 0..=ticks {
        let value = min + step * f64::from(tick);
        let y = y_of(value, min, max);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="#e5e7eb"/><text x="{tx}" y="{ty:.1}" text-anchor="end">{label}</text>"##,
            x2 = WIDTH - RIGHT,
            tx = LEFT - 6.0,
            ty = y + 4.0,
            label = format_number(value),
        );
    }
    let slot = (WIDTH - LEFT - RIGHT) / chart.labels.len().max(1) as f64;
    for (i, label) in chart.labels.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text x="{x:.1}" y="{y}" text-anchor="middle">{label}</text>"#,
            x = LEFT + slot * (i as f64 + 0.5),
            y = HEIGHT - BOTTOM + 16.0,
            label = escape(label),
        );
    }
}

fn y_of(value: f64, min: f64, max: f64) -> f64 {
    TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - (finite(value) - min) / (max - min))
}

fn bars(chart: &Chart, svg: &mut String) {
    let axis = value_axis(chart);
    let (min, max, _) = axis;
    axes(chart, svg, axis);
    let slot = (WIDTH - LEFT - RIGHT) / chart.labels.len().max(1) as f64;
    let bar = slot * 0.8 / chart.series.len().max(1) as f64;
    let zero = y_of(0.0, min, max);
    for (s, series) in chart.series.iter().enumerate() {
        for (i, value) in series.values.iter().take(chart.labels.len()).enumerate() {
            let y = y_of(*value, min, max);
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{top:.1}" width="{bar:.1}" height="{h:.1}" fill="{color}"><title>{name}: {v}</title></rect>"#,
                x = LEFT + slot * i as f64 + slot * 0.1 + bar * s as f64,
                top = y.min(zero),
                h = (zero - y).abs(),
                color = PALETTE[s % PALETTE.len()],
                name = escape(&series.name),
                v = format_number(finite(*value)),
            );
        }
    }
}

fn lines(chart: &Chart, svg: &mut String) {
    let axis = value_axis(chart);
    let (min, max, _) = axis;
    axes(chart, svg, axis);
    let slot = (WIDTH - LEFT - RIGHT) / chart.labels.len().max(1) as f64;
    for (s, series) in chart.series.iter().enumerate() {
        let points: Vec<String> = series
            .values
            .iter()
            .take(chart.labels.len())
            .enumerate()
            .map(|(i, v)| {
                format!(
                    "{:.1},{:.1}",
                    LEFT + slot * (i as f64 + 0.5),
                    y_of(*v, min, max)
                )
            })
            .collect();
        let _ = write!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
            points.join(" "),
            PALETTE[s % PALETTE.len()]
        );
    }
}

fn pie(chart: &Chart, svg: &mut String) {
    let values: Vec<f64> = chart
        .series
        .first()
        .map(|s| s.values.iter().map(|v| finite(*v).max(0.0)).collect())
        .unwrap_or_default();
    let total: f64 = values.iter().sum();
    let (cx, cy, r) = (
        WIDTH / 2.0,
        TOP + (HEIGHT - TOP - BOTTOM) / 2.0 + 8.0,
        110.0,
    );
    if total <= 0.0 {
        let _ = write!(
            svg,
            r#"<text x="{cx}" y="{cy}" text-anchor="middle">no data</text>"#
        );
        return;
    }
    let mut angle = -std::f64::consts::FRAC_PI_2;
    for (i, value) in values.iter().enumerate() {
        let share = value / total;
        let color = PALETTE[i % PALETTE.len()];
        let label = escape(chart.labels.get(i).map(String::as_str).unwrap_or(""));
        if share >= 0.999_999 {
            let _ = write!(
                svg,
                r#"<circle cx="{cx}" cy="{cy}" r="{r}" fill="{color}"><title>{label}</title></circle>"#
            );
            break;
        }
        let end = angle + share * std::f64::consts::TAU;
        let (x1, y1) = (cx + r * angle.cos(), cy + r * angle.sin());
        let (x2, y2) = (cx + r * end.cos(), cy + r * end.sin());
        let large = if share > 0.5 { 1 } else { 0 };
        let _ = write!(
            svg,
            r#"<path d="M{cx},{cy} L{x1:.2},{y1:.2} A{r},{r} 0 {large} 1 {x2:.2},{y2:.2} Z" fill="{color}"><title>{label}: {pct:.1}%</title></path>"#,
            pct = share * 100.0,
        );
        angle = end;
    }
}

fn legend(chart: &Chart, svg: &mut String) {
    let names: Vec<&str> = match chart.chart_type {
        ChartType::Pie => chart.labels.iter().map(String::as_str).collect(),
        _ => chart.series.iter().map(|s| s.name.as_str()).collect(),
    };
    for (i, name) in names.iter().enumerate().take(8) {
        let x = LEFT + 120.0 * (i % 4) as f64;
        let y = HEIGHT - 28.0 + 14.0 * (i / 4) as f64;
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="{ry}" width="10" height="10" fill="{color}"/><text x="{tx}" y="{y}">{name}</text>"#,
            ry = y - 9.0,
            tx = x + 14.0,
            color = PALETTE[i % PALETTE.len()],
            name = escape(name),
        );
    }
}

fn format_number(value: f64) -> String {
    if value.fract().abs() < 1e-9 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(chart_type: ChartType) -> Chart {
        Chart {
            chart_type,
            title: "Sales <by> channel & \"month\"".into(),
            labels: vec!["Jan".into(), "Feb".into(), "Mär".into()],
            series: vec![
                Series {
                    name: "Shop".into(),
                    values: vec![120.0, 80.5, f64::NAN],
                },
                Series {
                    name: "Online".into(),
                    values: vec![-20.0, 40.0, 60.0],
                },
            ],
        }
    }

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("invalid SVG ({e}): {svg}"))
    }

    #[test]
    fn every_chart_type_renders_well_formed_svg_with_its_marks() {
        for (chart_type, mark, at_least) in [
            (ChartType::Bar, "rect", 6),
            (ChartType::Line, "polyline", 2),
            (ChartType::Pie, "path", 2),
        ] {
            let svg = render_svg(&chart(chart_type));
            let doc = parse(&svg);
            let root = doc.root_element();
            assert_eq!(root.tag_name().name(), "svg");
            assert_eq!(
                root.tag_name().namespace(),
                Some("http://www.w3.org/2000/svg")
            );
            let marks = doc.descendants().filter(|n| n.has_tag_name(mark)).count();
            assert!(marks >= at_least, "{chart_type:?}: {marks} <{mark}>");
        }
    }

    #[test]
    fn labels_from_the_model_are_escaped_not_injected() {
        let mut evil = chart(ChartType::Bar);
        evil.labels[0] = "<script>alert(1)</script>".into();
        let svg = render_svg(&evil);
        let doc = parse(&svg);
        assert!(doc.descendants().all(|n| !n.has_tag_name("script")));
        assert!(svg.contains("&lt;script&gt;"));
        let title = doc.descendants().find(|n| n.has_tag_name("title")).unwrap();
        assert_eq!(title.text(), Some("Sales <by> channel & \"month\""));
    }

    #[test]
    fn axis_ticks_are_round_numbers_that_cover_the_data() {
        let mut c = chart(ChartType::Bar);
        c.series = vec![Series {
            name: "s".into(),
            values: vec![-10.0, 160.0],
        }];
        assert_eq!(
            value_axis(&c),
            (-50.0, 200.0, 50.0),
            "steps of 50 from -50 to 200"
        );
        c.series = vec![Series {
            name: "s".into(),
            values: vec![0.0, 0.37],
        }];
        assert_eq!(value_axis(&c), (0.0, 0.4, 0.1));
        assert_eq!(nice_step(23.0), 50.0);
        assert_eq!(nice_step(0.013), 0.02);
    }

    #[test]
    fn degenerate_input_still_renders() {
        let empty = Chart {
            chart_type: ChartType::Pie,
            title: "Nothing".into(),
            labels: vec![],
            series: vec![],
        };
        assert!(parse(&render_svg(&empty))
            .descendants()
            .any(|n| n.text() == Some("no data")));
        let flat = Chart {
            chart_type: ChartType::Line,
            title: "Flat".into(),
            labels: vec!["a".into()],
            series: vec![Series {
                name: "s".into(),
                values: vec![0.0],
            }],
        };
        parse(&render_svg(&flat));
        let whole = Chart {
            chart_type: ChartType::Pie,
            title: "All".into(),
            labels: vec!["a".into()],
            series: vec![Series {
                name: "s".into(),
                values: vec![5.0],
            }],
        };
        assert!(parse(&render_svg(&whole))
            .descendants()
            .any(|n| n.has_tag_name("circle")));
    }
}
