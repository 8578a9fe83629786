//! What Confide does with personal data, generated from the registry of personal data.
//!
//! - `GET /v1/privacy/subprocessors` — public: who receives personal data on this deployment;
//! - `GET /v1/privacy/processing` — owner/admin: the tenant's record of processing activities (GDPR
//!   art. 30) as JSON, or with `?format=html` as a page to print.

use confide_shared::api::privacy::RecordFormat;
use confide_shared::auth::Caller;
use confide_shared::charts::escape;
use confide_shared::domain::personal_data::{record_of_processing, RecordOfProcessing};
use confide_shared::domain::Permission;
use confide_shared::http::{finish, html, json, unknown_route, HttpResponse, RequestInfo};
use confide_shared::{ApiError, App};
use lambda_http::Request;
use std::sync::Arc;

/// What this function keeps between requests, built once at cold start by its `main.rs` and by the
/// local stack, so both run the same wiring.
pub fn connect(app: Arc<App>) -> Arc<App> {
    app
}

pub async fn handle(app: &App, req: Request) -> HttpResponse {
    let info = RequestInfo::of(&req);
    finish(route(app, &info).await, &info)
}

async fn route(app: &App, info: &RequestInfo) -> Result<HttpResponse, ApiError> {
    match info.route.as_str() {
        "GET /v1/privacy/subprocessors" => Ok(json(200, &app.config.subprocessors())),
        "GET /v1/privacy/processing" => {
            let caller = app.caller(info).await?;
            processing(app, info, &caller).await
        }
        _ => Err(unknown_route(info)),
    }
}

async fn processing(
    app: &App,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::TenantManage)?;
    let format = RecordFormat::parse(info.query.get("format").map(String::as_str))?;
    let tenant = app
        .store
        .tenant(&caller.tenant)
        .await?
        .ok_or(ApiError::NotFound)?;
    let record = record_of_processing(
        &tenant.company,
        tenant.data_region,
        &tenant.settings,
        app.config.subprocessors(),
    );
    Ok(match format {
        RecordFormat::Json => json(200, &record),
        RecordFormat::Html => html(200, page(&record)),
    })
}

/// The record as a page to print: headings and tables, every value escaped.
fn page(record: &RecordOfProcessing) -> String {
    let mut out = format!(
        concat!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
            "<title>Record of processing — {controller}</title></head><body>",
            "<h1>Record of processing activities</h1>",
            "<p>Controller: {controller}. Processor: {processor}. Data stored in the {region} region.</p>",
            "<h2>Categories of personal data</h2><table><thead><tr><th>Kind</th><th>Purpose</th>",
            "<th>Whose</th><th>Fields</th><th>Kept</th></tr></thead><tbody>"
        ),
        controller = escape(&record.controller),
        processor = escape(&record.processor),
        region = record.data_region.label(),
    );
    for c in &record.categories {
        let subjects: Vec<String> = c
            .subjects
            .iter()
            .map(|s| format!("{s:?}").to_lowercase())
            .collect();
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&c.kind),
            escape(&c.purpose),
            escape(&subjects.join(", ")),
            escape(&c.fields.join(", ")),
            escape(&c.retention)
        ));
    }
    out.push_str("</tbody></table><h2>Recipients</h2><table><thead><tr><th>Who</th><th>For</th><th>Where</th><th>When</th></tr></thead><tbody>");
    for r in &record.recipients {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.name),
            escape(&r.purpose),
            escape(&r.location),
            escape(&r.when)
        ));
    }
    out.push_str("</tbody></table><h2>Measures</h2><ul>");
    for m in &record.measures {
        out.push_str(&format!("<li>{}</li>", escape(m)));
    }
    out.push_str("</ul></body></html>");
    out
}
