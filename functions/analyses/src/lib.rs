//! AI analyses and saved forms, for the browser.
//!
//! - `GET /v1/analysis-kinds` — the catalogue with each kind's form schema;
//! - `POST /v1/analyses`, `GET /v1/analyses?limit=&cursor=` (newest first), `GET|DELETE /v1/analyses/{id}`,
//!   `POST /v1/analyses/{id}/retry`, `GET /v1/analyses/{id}/report?format=html|md|json|csv`;
//! - `GET /v1/analysis-usage?month=YYYY-MM` — the tenant's GenAI tokens in a month;
//! - `GET|POST /v1/analysis-templates`, `GET|PUT|DELETE /v1/analysis-templates/{id}`.
//!
//! The work itself happens in the `analysis-worker` function; this one stores the request (encrypted),
//! enqueues its ids and reads back what the worker stored.

use confide_shared::api::analyses::{
    AnalysisAccepted, AnalysisDetail, AnalysisSummary, KindCatalogue, KindView, NewAnalysis,
    ProviderView, UsageView,
};
use confide_shared::api::Page;
use confide_shared::auth::Caller;
use confide_shared::clock::{now_rfc3339, now_unix};
use confide_shared::domain::analysis::{validate, AnalysisKind};
use confide_shared::domain::analysis_record::{Analysis, AnalysisStatus, NotRetryable};
use confide_shared::domain::analysis_template::{AnalysisTemplate, TemplateDraft};
use confide_shared::domain::audit::{AuditAction, AuditTarget};
use confide_shared::domain::billing::{LimitReached, Metered};
use confide_shared::domain::{AnalysisId, InvalidField, Permission, TemplateId};
use confide_shared::http::{
    download, finish, json, json_body, no_content, paging, unknown_route, HttpResponse, RequestInfo,
};
use confide_shared::jobs::JobMessage;
use confide_shared::metrics::Record;
use confide_shared::objects::{analysis_prefix, chart_key, result_key};
use confide_shared::reports::{self, AnalysisResult, Format, ReportMeta};
use confide_shared::store::{StoreError, Versioned};
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
    finish(route(app, &req, &info).await, &info)
}

async fn route(app: &App, req: &Request, info: &RequestInfo) -> Result<HttpResponse, ApiError> {
    let caller = app.caller(info).await?;
    match info.route.as_str() {
        "GET /v1/analysis-kinds" => kinds(app, &caller).await,
        "POST /v1/analyses" => create(app, req, info, &caller).await,
        "GET /v1/analyses" => list(app, info, &caller).await,
        "GET /v1/analyses/{id}" => get(app, info, &caller).await,
        "DELETE /v1/analyses/{id}" => delete(app, info, &caller).await,
        "POST /v1/analyses/{id}/retry" => retry(app, info, &caller).await,
        "GET /v1/analyses/{id}/report" => report(app, info, &caller).await,
        "GET /v1/analysis-usage" => usage(app, info, &caller).await,
        "GET /v1/analysis-templates" => list_templates(app, info, &caller).await,
        "POST /v1/analysis-templates" => create_template(app, req, info, &caller).await,
        "GET /v1/analysis-templates/{id}" => get_template(app, info, &caller).await,
        "PUT /v1/analysis-templates/{id}" => put_template(app, req, info, &caller).await,
        "DELETE /v1/analysis-templates/{id}" => delete_template(app, info, &caller).await,
        _ => Err(unknown_route(info)),
    }
}

// ---------------------------------------------------------------- request parts

fn analysis_id(info: &RequestInfo) -> Result<AnalysisId, ApiError> {
    info.path_id("id")
}

fn template_id(info: &RequestInfo) -> Result<TemplateId, ApiError> {
    info.path_id("id")
}

/// A write to an item that must exist: a failed condition means it is gone (or never was).
fn existing(write: Result<(), StoreError>) -> Result<(), ApiError> {
    match write {
        Err(StoreError::ConditionFailed) => Err(ApiError::NotFound),
        other => Ok(other?),
    }
}

// ---------------------------------------------------------------- analyses

async fn kinds(app: &App, caller: &Caller) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::AnalysesRead)?;
    let tenant = app
        .store
        .tenant(&caller.tenant)
        .await?
        .ok_or(ApiError::NotFound)?;
    let provider = app
        .config
        .providers
        .choose(
            tenant.data_region,
            tenant.settings.allowed_providers.as_deref(),
        )
        .ok()
        .map(|spec| ProviderView {
            name: spec.name.clone(),
            model: spec.model.clone(),
        });
    let kinds = AnalysisKind::ALL
        .iter()
        .map(|kind| KindView {
            kind: *kind,
            title: kind.title().to_owned(),
            description: kind.description().to_owned(),
            form_schema: kind.form_schema(),
        })
        .collect();
    Ok(json(200, &KindCatalogue { kinds, provider }))
}

async fn create(
    app: &App,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::AnalysesWrite)?;
    let body: NewAnalysis = json_body(req)?;
    let template = match &body.template_id {
        None => None,
        Some(raw) => {
            let id = TemplateId::parse(raw)?;
            Some(
                app.store
                    .template(&caller.tenant, &id)
                    .await?
                    .ok_or_else(|| {
                        ApiError::bad_request("unknown_template", "template_id: no such template")
                    })?,
            )
        }
    };
    let kind = match (&body.kind, &template) {
        (Some(raw), Some(t)) if AnalysisKind::parse(raw)? != t.kind => {
            return Err(InvalidField::new("kind", "differs from the template's kind").into())
        }
        (Some(raw), _) => AnalysisKind::parse(raw)?,
        (None, Some(t)) => t.kind,
        (None, None) => return Err(InvalidField::new("kind", "is required").into()),
    };
    let inputs = match (body.inputs, &template) {
        (Some(inputs), _) => inputs,
        (None, Some(t)) => t.inputs.clone(),
        (None, None) => return Err(InvalidField::new("inputs", "is required").into()),
    };
    validate(&kind.form_schema(), &inputs)?;
    let tenant = app
        .store
        .tenant(&caller.tenant)
        .await?
        .ok_or(ApiError::NotFound)?;
    // Refuse at once what the worker could not run: no provider this tenant may use.
    app.config
        .providers
        .choose(
            tenant.data_region,
            tenant.settings.allowed_providers.as_deref(),
        )
        .map_err(|e| ApiError::conflict("no_provider", e.to_string()))?;

    let month = admit_within_plan(app, caller).await?;

    let analysis = Analysis::new(
        kind,
        inputs,
        template.map(|t| t.id),
        caller.user.clone(),
        now_rfc3339(),
    );
    if let Err(e) = store_and_enqueue(app, caller, &analysis).await {
        // The submission failed as a whole: it does not count against the month either.
        if let Err(release) = app.store.release_analysis(&caller.tenant, &month).await {
            tracing::warn!(error = %release, "an analysis that failed to start is still counted");
        }
        return Err(e);
    }
    app.audit(
        caller,
        info,
        AuditAction::AnalysisCreated,
        AuditTarget::Analysis(analysis.id.clone()),
    )
    .await?;
    Record::new().count("AnalysesQueued", 1).emit();
    Ok(json(
        202,
        &AnalysisAccepted {
            id: analysis.id,
            status: analysis.status,
        },
    ))
}

async fn store_and_enqueue(
    app: &App,
    caller: &Caller,
    analysis: &Analysis,
) -> Result<(), ApiError> {
    app.store.create_analysis(&caller.tenant, analysis).await?;
    let job = JobMessage {
        tenant_id: caller.tenant.clone(),
        analysis_id: analysis.id.clone(),
    };
    if let Err(e) = app.jobs.enqueue(&job).await {
        // Without its message the job would wait forever: take the request back and say so.
        let _ = app
            .store
            .delete_analysis(&caller.tenant, &analysis.id)
            .await;
        return Err(ApiError::unexpected(e));
    }
    Ok(())
}

/// Refuses (402) a new analysis beyond the plan's analyses or AI tokens of the month, and otherwise
/// counts it, atomically, against the month it returns.
async fn admit_within_plan(app: &App, caller: &Caller) -> Result<String, ApiError> {
    let limits = app.limits(&caller.tenant).await?;
    let month = &now_rfc3339()[..7];
    let used = app.store.usage(&caller.tenant, month).await?;
    limits.admit(
        Metered::AiTokensPerMonth,
        used.input_tokens + used.output_tokens,
        1,
    )?;
    match app
        .store
        .admit_analysis(&caller.tenant, month, limits.analyses_per_month)
        .await?
    {
        None => Ok(month.to_owned()),
        Some(used) => Err(LimitReached {
            metered: Metered::AnalysesPerMonth,
            limit: limits.analyses_per_month,
            used,
        }
        .into()),
    }
}

async fn list(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::AnalysesRead)?;
    let (limit, after) = paging::<AnalysisId>(info)?;
    let page = app
        .store
        .analyses(&caller.tenant, limit, after.as_ref())
        .await?;
    app.audit(
        caller,
        info,
        AuditAction::AnalysesListed,
        AuditTarget::Analyses,
    )
    .await?;
    Ok(json(
        200,
        &Page {
            items: page.records.iter().map(AnalysisSummary::from).collect(),
            next_cursor: page.next.map(|id| id.to_string()),
        },
    ))
}

async fn load(
    app: &App,
    caller: &Caller,
    id: &AnalysisId,
) -> Result<Versioned<Analysis>, ApiError> {
    app.store
        .analysis(&caller.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The stored result of a succeeded analysis.
async fn stored_result(
    app: &App,
    caller: &Caller,
    analysis: &Analysis,
) -> Result<AnalysisResult, ApiError> {
    let bytes = app
        .objects
        .get(&caller.tenant, &result_key(&caller.tenant, &analysis.id))
        .await
        .map_err(ApiError::unexpected)?
        .ok_or_else(|| ApiError::unexpected("a succeeded analysis has no stored result"))?;
    confide_shared::shape::from_slice("analysis result", &bytes).map_err(ApiError::unexpected)
}

async fn get(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::AnalysesRead)?;
    let analysis = load(app, caller, &analysis_id(info)?).await?.record;
    let result = match analysis.status {
        AnalysisStatus::Succeeded => Some(stored_result(app, caller, &analysis).await?),
        _ => None,
    };
    app.audit(
        caller,
        info,
        AuditAction::AnalysisRead,
        AuditTarget::Analysis(analysis.id.clone()),
    )
    .await?;
    Ok(json(
        200,
        &AnalysisDetail {
            summary: AnalysisSummary::from(&analysis),
            inputs: analysis.inputs,
            result,
        },
    ))
}

async fn delete(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::AnalysesWrite)?;
    let id = analysis_id(info)?;
    existing(app.store.delete_analysis(&caller.tenant, &id).await)?;
    // The item goes first: a worker finishing meanwhile finds it gone and erases what it wrote.
    app.objects
        .erase_prefix(&caller.tenant, &analysis_prefix(&caller.tenant, &id))
        .await
        .map_err(ApiError::unexpected)?;
    app.audit(
        caller,
        info,
        AuditAction::AnalysisDeleted,
        AuditTarget::Analysis(id.clone()),
    )
    .await?;
    Ok(no_content())
}

async fn retry(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::AnalysesWrite)?;
    let current = load(app, caller, &analysis_id(info)?).await?;
    let next = current.record.retry(now_unix()).map_err(|e| match e {
        NotRetryable::Succeeded => {
            ApiError::conflict("not_retryable", "the analysis has already succeeded")
        }
        NotRetryable::InProgress => {
            ApiError::conflict("not_retryable", "the analysis is still queued or running")
        }
    })?;
    // The record first: a message that arrived before it would find the job still failed and be
    // acknowledged without running it.
    let saved = app
        .store
        .transition_analysis(&caller.tenant, &current, next)
        .await
        .map_err(|e| e.or_changed_meanwhile("the analysis"))?;
    let job = JobMessage {
        tenant_id: caller.tenant.clone(),
        analysis_id: saved.record.id.clone(),
    };
    if let Err(e) = app.jobs.enqueue(&job).await {
        // Put the record back as it was, so the user can retry again rather than wait forever.
        let _ = app
            .store
            .transition_analysis(&caller.tenant, &saved, current.record)
            .await;
        return Err(ApiError::unexpected(e));
    }
    app.audit(
        caller,
        info,
        AuditAction::AnalysisRetried,
        AuditTarget::Analysis(saved.record.id.clone()),
    )
    .await?;
    Ok(json(
        202,
        &AnalysisAccepted {
            id: saved.record.id,
            status: saved.record.status,
        },
    ))
}

async fn report(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::AnalysesRead)?;
    let format = match info.query.get("format") {
        None => Format::Html,
        Some(raw) => Format::parse(raw).ok_or_else(|| {
            ApiError::bad_request("invalid_query", "format must be html, md, json or csv")
        })?,
    };
    let analysis = load(app, caller, &analysis_id(info)?).await?.record;
    if analysis.status != AnalysisStatus::Succeeded {
        return Err(ApiError::conflict(
            "not_ready",
            format!(
                "the analysis is {}; a report exists once it has succeeded",
                analysis.status.as_str()
            ),
        ));
    }
    let result = stored_result(app, caller, &analysis).await?;
    let mut charts = Vec::new();
    if format == Format::Html {
        for n in 0..analysis.charts {
            let svg = app
                .objects
                .get(&caller.tenant, &chart_key(&caller.tenant, &analysis.id, n))
                .await
                .map_err(ApiError::unexpected)?
                .ok_or_else(|| ApiError::unexpected("a stored chart is missing"))?;
            charts.push(String::from_utf8(svg).map_err(ApiError::unexpected)?);
        }
    }
    let meta = ReportMeta {
        analysis_id: analysis.id.to_string(),
        kind: analysis.kind.title().to_owned(),
        created_at: analysis.created_at.clone(),
        finished_at: analysis.finished_at.clone(),
        provider: analysis.provider.clone(),
        model: analysis.model.clone(),
    };
    let rendered = reports::render(format, &meta, &result, &charts);
    app.audit(
        caller,
        info,
        AuditAction::AnalysisReportDownloaded,
        AuditTarget::Analysis(analysis.id.clone()),
    )
    .await?;
    Ok(download(
        rendered.content_type,
        &rendered.filename,
        rendered.body,
    ))
}

async fn usage(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::AnalysesRead)?;
    let month = match info.query.get("month") {
        Some(raw) => parse_month(raw).ok_or_else(|| {
            ApiError::bad_request("invalid_query", "month must look like 2026-11")
        })?,
        None => now_rfc3339()[..7].to_owned(),
    };
    let usage = app.store.usage(&caller.tenant, &month).await?;
    Ok(json(200, &UsageView { month, usage }))
}

fn parse_month(raw: &str) -> Option<String> {
    let (year, month) = raw.split_once('-')?;
    // Digits only: `u8::from_str` would also take a sign (`2026-+1`).
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let ok = digits(year, 4)
        && digits(month, 2)
        && month.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m));
    ok.then(|| raw.to_owned())
}

// ---------------------------------------------------------------- saved forms

async fn load_template(
    app: &App,
    caller: &Caller,
    id: &TemplateId,
) -> Result<AnalysisTemplate, ApiError> {
    app.store
        .template(&caller.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)
}

async fn list_templates(
    app: &App,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::AnalysesRead)?;
    let (limit, after) = paging::<TemplateId>(info)?;
    let page = app
        .store
        .templates(&caller.tenant, limit, after.as_ref())
        .await?;
    app.audit(
        caller,
        info,
        AuditAction::TemplatesListed,
        AuditTarget::AnalysisTemplates,
    )
    .await?;
    Ok(json(
        200,
        &Page {
            items: page.records,
            next_cursor: page.next.map(|id| id.to_string()),
        },
    ))
}

async fn create_template(
    app: &App,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::AnalysesWrite)?;
    let valid = json_body::<TemplateDraft>(req)?.parse()?;
    let template = AnalysisTemplate::new(valid, caller.user.clone(), now_rfc3339());
    app.store.create_template(&caller.tenant, &template).await?;
    app.audit(
        caller,
        info,
        AuditAction::TemplateCreated,
        AuditTarget::AnalysisTemplate(template.id.clone()),
    )
    .await?;
    Ok(json(201, &template))
}

async fn get_template(
    app: &App,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::AnalysesRead)?;
    let id = template_id(info)?;
    let template = load_template(app, caller, &id).await?;
    app.audit(
        caller,
        info,
        AuditAction::TemplateRead,
        AuditTarget::AnalysisTemplate(id.clone()),
    )
    .await?;
    Ok(json(200, &template))
}

async fn put_template(
    app: &App,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::AnalysesWrite)?;
    let id = template_id(info)?;
    let valid = json_body::<TemplateDraft>(req)?.parse()?;
    let current = load_template(app, caller, &id).await?;
    let template = current.replaced_by(valid, now_rfc3339());
    existing(app.store.save_template(&caller.tenant, &template).await)?;
    app.audit(
        caller,
        info,
        AuditAction::TemplateUpdated,
        AuditTarget::AnalysisTemplate(id.clone()),
    )
    .await?;
    Ok(json(200, &template))
}

async fn delete_template(
    app: &App,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::AnalysesWrite)?;
    let id = template_id(info)?;
    existing(app.store.delete_template(&caller.tenant, &id).await)?;
    app.audit(
        caller,
        info,
        AuditAction::TemplateDeleted,
        AuditTarget::AnalysisTemplate(id.clone()),
    )
    .await?;
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use super::parse_month;

    #[test]
    fn months_are_year_dash_month() {
        assert_eq!(parse_month("2026-11").as_deref(), Some("2026-11"));
        // "2026-+1": a hostile-input probe found it accepted, since `u8::from_str` takes a sign.
        for bad in [
            "2026-13", "2026-1", "26-11", "2026/11", "2026-00", "", "2026-+1", "+026-11",
        ] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
    }
}
