//! An analysis result and the reports made from it: self-contained HTML (charts as inline SVG, no
//! scripts, nothing fetched), Markdown, JSON and CSV (key figures and chart series).
//!
//! Every text of a result comes from a model, so it is treated as untrusted: escaped in HTML (raw HTML in
//! the Markdown bodies is shown as text), and guarded against formula injection in CSV.

use crate::charts::{escape, render_svg, Chart};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Section {
    pub heading: String,
    /// Markdown.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KeyFigure {
    pub label: String,
    pub value: f64,
    pub unit: String,
}

/// What a provider answers, in the shape of [`crate::domain::analysis::result_schema`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AnalysisResult {
    pub title: String,
    pub summary: String,
    pub sections: Vec<Section>,
    pub key_figures: Vec<KeyFigure>,
    pub charts: Vec<Chart>,
}

impl AnalysisResult {
    /// Reads a provider's structured answer; the error says what does not fit.
    /// The answer holds restored personal data, so the error names the path, never a value.
    pub fn from_answer(answer: serde_json::Value) -> Result<Self, String> {
        crate::shape::from_value("the answer", answer)
            .map_err(|e| format!("{e} (the result schema)"))
    }

    /// The charts as SVG, in order.
    pub fn render_charts(&self) -> Vec<String> {
        self.charts.iter().map(render_svg).collect()
    }
}

/// A report's file format, as `?format=` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Html,
    #[serde(rename = "md")]
    Markdown,
    Json,
    Csv,
}

impl Format {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "html" => Some(Self::Html),
            "md" | "markdown" => Some(Self::Markdown),
            "json" => Some(Self::Json),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Html => "text/html; charset=utf-8",
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Json => "application/json",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::Markdown => "md",
            Self::Json => "json",
            Self::Csv => "csv",
        }
    }
}

/// What a report says about the analysis besides its result.
#[derive(Debug, Clone, Serialize)]
pub struct ReportMeta {
    pub analysis_id: String,
    pub kind: String,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub provider: Option<String>,
    pub model: Option<String>,
}

/// A rendered download.
#[derive(Debug, Clone)]
pub struct Report {
    pub content_type: &'static str,
    pub filename: String,
    pub body: String,
}

/// Renders `result` as `format`; `chart_svgs` are the stored renderings of its charts, in order.
pub fn render(
    format: Format,
    meta: &ReportMeta,
    result: &AnalysisResult,
    chart_svgs: &[String],
) -> Report {
    let body = match format {
        Format::Html => html(meta, result, chart_svgs),
        Format::Markdown => markdown(meta, result),
        Format::Json => serde_json::json!({ "analysis": meta, "result": result }).to_string(),
        Format::Csv => csv(result),
    };
    Report {
        content_type: format.content_type(),
        filename: format!("analysis-{}.{}", meta.analysis_id, format.extension()),
        body,
    }
}

fn provenance(meta: &ReportMeta) -> String {
    format!(
        "{} · analysis {} · created {}{}",
        meta.kind,
        meta.analysis_id,
        meta.created_at,
        match (&meta.provider, &meta.model) {
            (Some(p), Some(m)) => format!(" · {p} ({m})"),
            _ => String::new(),
        }
    )
}

/// Markdown to HTML with raw HTML shown as text, so a model cannot inject markup or scripts.
fn markdown_to_html(text: &str) -> String {
    use pulldown_cmark::{html::push_html, Event, Options, Parser};
    let events = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(
        |event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            other => other,
        },
    );
    let mut out = String::new();
    push_html(&mut out, events);
    out
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// The HTML report's only style sheet. The web app shows the report in a sandboxed frame that inherits
/// the app's CSP, which admits this exact text by its hash ([`report_style_source`]) and no other
/// inline style.
const REPORT_STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;\
padding:0 1rem;line-height:1.5;color:#111}table{border-collapse:collapse}td,th{border:1px solid #ccc;\
padding:.25rem .5rem;text-align:left}figure{margin:1.5rem 0}svg{max-width:100%;height:auto}\
.meta{color:#555;font-size:.9rem}";

/// The CSP source that allows [`REPORT_STYLE`]: `'sha256-…'`.
pub fn report_style_source() -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(REPORT_STYLE.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn html(meta: &ReportMeta, result: &AnalysisResult, chart_svgs: &[String]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
<style>{REPORT_STYLE}</style></head><body>\
<h1>{title}</h1><p class=\"meta\">{meta}</p><p>{summary}</p>",
        title = escape(&result.title),
        meta = escape(&provenance(meta)),
        summary = escape(&result.summary),
    );
    for section in &result.sections {
        let _ = write!(
            out,
            "<section><h2>{}</h2>{}</section>",
            escape(&section.heading),
            markdown_to_html(&section.body)
        );
    }
    if !result.key_figures.is_empty() {
        out.push_str("<h2>Key figures</h2><table><thead><tr><th>Figure</th><th>Value</th><th>Unit</th></tr></thead><tbody>");
        for figure in &result.key_figures {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&figure.label),
                number(figure.value),
                escape(&figure.unit)
            );
        }
        out.push_str("</tbody></table>");
    }
    if !chart_svgs.is_empty() {
        out.push_str("<h2>Charts</h2>");
        for svg in chart_svgs {
            let _ = write!(out, "<figure>{svg}</figure>");
        }
    }
    out.push_str("</body></html>");
    out
}

/// Markdown text of a model is kept; only line-leading structure of titles is normalised.
fn markdown(meta: &ReportMeta, result: &AnalysisResult) -> String {
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let mut out = format!(
        "# {}\n\n_{}_\n\n{}\n",
        result.title.replace('\n', " "),
        provenance(meta),
        result.summary
    );
    for section in &result.sections {
        let _ = write!(
            out,
            "\n## {}\n\n{}\n",
            section.heading.replace('\n', " "),
            section.body
        );
    }
    if !result.key_figures.is_empty() {
        out.push_str("\n## Key figures\n\n| Figure | Value | Unit |\n| --- | --- | --- |\n");
        for figure in &result.key_figures {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell(&figure.label),
                number(figure.value),
                cell(&figure.unit)
            );
        }
    }
    for chart in &result.charts {
        let _ = write!(out, "\n## {}\n\n| |", cell(&chart.title));
        for series in &chart.series {
            let _ = write!(out, " {} |", cell(&series.name));
        }
        out.push_str("\n| --- |");
        out.push_str(&" --- |".repeat(chart.series.len()));
        out.push('\n');
        for (i, label) in chart.labels.iter().enumerate() {
            let _ = write!(out, "| {} |", cell(label));
            for series in &chart.series {
                let value = series
                    .values
                    .get(i)
                    .copied()
                    .map(number)
                    .unwrap_or_default();
                let _ = write!(out, " {value} |");
            }
            out.push('\n');
        }
    }
    out
}

/// One CSV field: quoted, quotes doubled, and a leading `=`, `+`, `-`, `@` (or tab/CR) defused so a
/// spreadsheet does not run it as a formula.
fn csv_field(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", defused.replace('"', "\"\""))
}

fn csv(result: &AnalysisResult) -> String {
    let mut out = String::from("type,chart,label,series,value,unit\r\n");
    for figure in &result.key_figures {
        let _ = write!(
            out,
            "key_figure,,{},,{},{}\r\n",
            csv_field(&figure.label),
            number(figure.value),
            csv_field(&figure.unit)
        );
    }
    for chart in &result.charts {
        for series in &chart.series {
            for (label, value) in chart.labels.iter().zip(&series.values) {
                let _ = write!(
                    out,
                    "chart_point,{},{},{},{},\r\n",
                    csv_field(&chart.title),
                    csv_field(label),
                    csv_field(&series.name),
                    number(*value)
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::{ChartType, Series};

    fn result() -> AnalysisResult {
        AnalysisResult {
            title: "SWOT <for> Bakery".into(),
            summary: "Good & steady.".into(),
            sections: vec![Section {
                heading: "Strengths".into(),
                body: "- **Bread**\n- <script>alert(1)</script>".into(),
            }],
            key_figures: vec![KeyFigure {
                label: "=HYPERLINK(\"x\")".into(),
                value: 42.0,
                unit: "%".into(),
            }],
            charts: vec![Chart {
                chart_type: ChartType::Bar,
                title: "Sales, \"weekly\"".into(),
                labels: vec!["Mon".into(), "Tue".into()],
                series: vec![Series {
                    name: "2026".into(),
                    values: vec![3.5, 4.0],
                }],
            }],
        }
    }

    fn meta() -> ReportMeta {
        ReportMeta {
            analysis_id: "a1".into(),
            kind: "SWOT analysis".into(),
            created_at: "2026-11-26T10:00:00Z".into(),
            finished_at: None,
            provider: Some("openai".into()),
            model: Some("gpt-4.1-mini".into()),
        }
    }

    #[test]
    fn html_is_self_contained_with_inline_charts_and_no_markup_from_the_model() {
        let result = result();
        let report = render(Format::Html, &meta(), &result, &result.render_charts());
        let html = &report.body;
        assert_eq!(report.content_type, "text/html; charset=utf-8");
        assert_eq!(report.filename, "analysis-a1.html");
        assert!(html.contains("<h1>SWOT &lt;for&gt; Bakery</h1>"), "{html}");
        assert!(html.contains("<strong>Bread</strong>"), "markdown rendered");
        assert!(
            !html.contains("<script>"),
            "raw HTML from the model is text"
        );
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("<figure><svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(
            !html.contains("src=") && !html.contains("href=\"http"),
            "nothing fetched"
        );
        roxmltree::Document::parse(
            &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap() + 6],
        )
        .expect("inline SVG is well-formed");
    }

    /// The hash the web app's CSP carries is the hash of the one `<style>` the report has, and no
    /// element carries a `style` attribute (a hash does not admit those).
    #[test]
    fn the_reports_only_style_is_the_one_the_app_policy_admits_by_hash() {
        use base64::Engine;
        use sha2::Digest;
        let result = result();
        let html = render(Format::Html, &meta(), &result, &result.render_charts()).body;
        assert_eq!(html.matches("<style>").count(), 1);
        let style = &html[html.find("<style>").unwrap() + 7..html.find("</style>").unwrap()];
        let hash = base64::engine::general_purpose::STANDARD
            .encode(sha2::Sha256::digest(style.as_bytes()));
        assert_eq!(report_style_source(), format!("'sha256-{hash}'"));
        assert!(!html.contains("style=\""), "{html}");
    }

    #[test]
    fn csv_holds_key_figures_and_series_and_defuses_formulas() {
        let report = render(Format::Csv, &meta(), &result(), &[]);
        assert_eq!(
            report.body,
            "type,chart,label,series,value,unit\r\n\
             key_figure,,\"'=HYPERLINK(\"\"x\"\")\",,42,\"%\"\r\n\
             chart_point,\"Sales, \"\"weekly\"\"\",\"Mon\",\"2026\",3.5,\r\n\
             chart_point,\"Sales, \"\"weekly\"\"\",\"Tue\",\"2026\",4,\r\n"
        );
    }

    #[test]
    fn markdown_and_json_carry_the_result() {
        let md = render(Format::Markdown, &meta(), &result(), &[]).body;
        assert!(md.starts_with("# SWOT <for> Bakery\n"), "{md}");
        assert!(
            md.contains("| | 2026 |\n| --- | --- |\n| Mon | 3.5 |\n| Tue | 4 |"),
            "{md}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(Format::Json, &meta(), &result(), &[]).body).unwrap();
        assert_eq!(json["analysis"]["provider"], "openai");
        assert_eq!(
            AnalysisResult::from_answer(json["result"].clone()).unwrap(),
            result()
        );
    }

    #[test]
    fn answers_that_miss_fields_are_refused() {
        let error = AnalysisResult::from_answer(serde_json::json!({ "title": "x" })).unwrap_err();
        assert!(error.contains("summary"), "{error}");
    }
}
