//! The tenant's plan, for owners and admins.
//!
//! - `GET /v1/billing` — plan, subscription status and period, this month's usage against the plan's
//!   limits, and whether this deployment bills through Stripe.

use confide_shared::app::now_rfc3339;
use confide_shared::auth::Caller;
use confide_shared::domain::audit::AuditAction;
use confide_shared::domain::billing::effective_plan;
use confide_shared::domain::Permission;
use confide_shared::http::{finish, json, unknown_route, HttpResponse, RequestInfo};
use confide_shared::{ApiError, App};
use lambda_http::Request;
use serde_json::json;

pub async fn handle(app: &App, req: Request) -> HttpResponse {
    let info = RequestInfo::of(&req);
    finish(route(app, &info).await, &info)
}

async fn route(app: &App, info: &RequestInfo) -> Result<HttpResponse, ApiError> {
    let caller = app.caller(info).await?;
    caller.require(Permission::BillingManage)?;
    match info.route.as_str() {
        "GET /v1/billing" => overview(app, info, &caller).await,
        _ => Err(unknown_route(info)),
    }
}

async fn overview(
    app: &App,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    let configured = app.config.bills_tenants();
    let subscription = if configured {
        app.store.subscription(&caller.tenant).await?
    } else {
        None
    };
    let plan = if configured {
        effective_plan(subscription.as_ref())
    } else {
        app.config.plan_without_billing
    };
    let limits = app.limits(&caller.tenant).await?;
    let month = now_rfc3339()[..7].to_owned();
    let usage = app.store.usage(&caller.tenant, &month).await?;
    let seats = app.store.members(&caller.tenant).await?.len();
    app.audit(caller, info, AuditAction::BillingRead, "billing")
        .await?;
    Ok(json(
        200,
        &json!({
            "configured": configured,
            "plan": plan,
            "status": subscription.as_ref().map(|s| s.status),
            "current_period": subscription.as_ref().map(|s| json!({
                "start": s.current_period_start, "end": s.current_period_end,
            })),
            "month": month,
            "limits": limits,
            "usage": {
                "seats": seats,
                "analyses_per_month": usage.analyses,
                "ai_tokens_per_month": usage.input_tokens + usage.output_tokens,
            },
        }),
    ))
}
