//! The tenant's plan and its Stripe subscription, for owners and admins.
//!
//! - `GET /v1/billing` — plan, subscription status and period, this month's usage against the plan's
//!   limits, and whether this deployment bills through Stripe.
//! - `POST /v1/billing/checkout` `{plan}` — the URL of a Stripe Checkout Session for that plan. The
//!   tenant's Stripe customer is created on the first checkout and reused ever after.
//! - `POST /v1/billing/portal` — the URL of a Stripe Billing Portal session (change plan, cards,
//!   invoices, cancel), for a tenant that has been to Checkout.
//!
//! Without a Stripe API key (the local default) the last two answer 503 `billing_not_configured`.

use confide_shared::api::billing::{
    BillingPeriod, BillingUsage, BillingView, CheckoutRequest as CheckoutBody, Redirect,
};
use confide_shared::auth::Caller;
use confide_shared::clock::now_rfc3339;
use confide_shared::config::BillingSettings;
use confide_shared::domain::audit::{AuditAction, AuditTarget};
use confide_shared::domain::billing::{effective_plan, Plan};
use confide_shared::domain::Permission;
use confide_shared::http::{finish, json, json_body, unknown_route, HttpResponse, RequestInfo};
use confide_shared::store::StoreError;
use confide_shared::stripe::api::{CheckoutRequest, StripeApi};
use confide_shared::{ApiError, App};
use lambda_http::Request;
use std::sync::Arc;

/// The function's state: the app, and the Stripe client where this deployment bills its tenants.
pub struct Billing {
    pub app: Arc<App>,
    pub stripe: confide_shared::stripe::Connection,
}

/// What this function keeps between requests, built once at cold start by its `main.rs` and by the
/// local stack, so both run the same wiring.
pub fn connect(app: Arc<App>) -> Billing {
    Billing {
        stripe: confide_shared::stripe::Connection::new(&app.config, app.ssm.clone()),
        app,
    }
}

pub async fn handle(billing: &Billing, req: Request) -> HttpResponse {
    let info = RequestInfo::of(&req);
    finish(route(billing, &req, &info).await, &info)
}

async fn route(
    billing: &Billing,
    req: &Request,
    info: &RequestInfo,
) -> Result<HttpResponse, ApiError> {
    let caller = billing.app.caller(info).await?;
    caller.require(Permission::BillingManage)?;
    match info.route.as_str() {
        "GET /v1/billing" => overview(&billing.app, info, &caller).await,
        "POST /v1/billing/checkout" => checkout(billing, req, info, &caller).await,
        "POST /v1/billing/portal" => portal(billing, info, &caller).await,
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
        app.store
            .subscription(&caller.tenant)
            .await?
            .map(|s| s.record)
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
    app.audit(caller, info, AuditAction::BillingRead, AuditTarget::Billing)
        .await?;
    Ok(json(
        200,
        &BillingView {
            configured,
            plan,
            status: subscription.as_ref().map(|s| s.status),
            current_period: subscription.as_ref().map(|s| BillingPeriod {
                start: s.current_period_start,
                end: s.current_period_end,
            }),
            month,
            limits,
            usage: BillingUsage {
                seats: seats as u64,
                analyses_per_month: usage.analyses,
                ai_tokens_per_month: usage.input_tokens + usage.output_tokens,
            },
        },
    ))
}

/// The Stripe client and this deployment's billing settings, or 503 where it does not bill.
async fn stripe(billing: &Billing) -> Result<(&StripeApi, &BillingSettings), ApiError> {
    let api = billing.stripe.api().await.map_err(ApiError::unexpected)?;
    match (api, &billing.app.config.billing) {
        (Some(stripe), Some(settings)) => Ok((stripe, settings)),
        _ => Err(ApiError::Unavailable {
            code: "billing_not_configured",
            message: "this deployment does not bill through Stripe".into(),
        }),
    }
}

fn stripe_failed(error: confide_shared::error::BoxError) -> ApiError {
    ApiError::Upstream {
        service: "Stripe",
        source: error,
    }
}

async fn checkout(
    billing: &Billing,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    let (stripe, settings) = stripe(billing).await?;
    let app = &billing.app;
    let body: CheckoutBody = json_body(req)?;
    let plan = Plan::parse(&body.plan)?;
    let price = settings.price_of(plan).ok_or_else(|| {
        ApiError::bad_request(
            "plan_not_for_sale",
            format!("the {} plan cannot be bought here", plan.as_str()),
        )
    })?;
    // A second Checkout would start a second subscription; plan changes go through the portal.
    if let Some(current) = app.store.subscription(&caller.tenant).await? {
        if current.record.status.grants_plan() {
            return Err(ApiError::conflict(
                "already_subscribed",
                "this tenant already has a subscription; change it in the billing portal",
            ));
        }
    }
    let customer = customer_of(app, stripe, info, caller).await?;
    let success_url = format!("{}?checkout=success", settings.return_url);
    let cancel_url = format!("{}?checkout=canceled", settings.return_url);
    let url = stripe
        .checkout_session(CheckoutRequest {
            customer: &customer,
            tenant: &caller.tenant,
            price,
            success_url: &success_url,
            cancel_url: &cancel_url,
        })
        .await
        .map_err(stripe_failed)?;
    app.audit(
        caller,
        info,
        AuditAction::BillingCheckoutStarted,
        AuditTarget::Plan(plan),
    )
    .await?;
    Ok(json(201, &Redirect { url }))
}

/// The tenant's Stripe customer, created on first use. Stripe's idempotency key makes concurrent
/// first checkouts get one customer, and our conditional link keeps whichever was stored first.
async fn customer_of(
    app: &App,
    stripe: &StripeApi,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<String, ApiError> {
    if let Some(customer) = app.store.stripe_customer_of(&caller.tenant).await? {
        return Ok(customer);
    }
    let created = stripe
        .create_customer(&caller.tenant)
        .await
        .map_err(stripe_failed)?;
    match app
        .store
        .link_stripe_customer(&created, &caller.tenant)
        .await
    {
        Ok(()) => {
            app.audit(
                caller,
                info,
                AuditAction::BillingCustomerLinked,
                AuditTarget::BillingCustomer,
            )
            .await?;
            Ok(created)
        }
        Err(StoreError::ConditionFailed) => app
            .store
            .stripe_customer_of(&caller.tenant)
            .await?
            .ok_or_else(|| ApiError::unexpected("the Stripe customer belongs to another tenant")),
        Err(e) => Err(e.into()),
    }
}

async fn portal(
    billing: &Billing,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    let (stripe, settings) = stripe(billing).await?;
    let app = &billing.app;
    let customer = app
        .store
        .stripe_customer_of(&caller.tenant)
        .await?
        .ok_or_else(|| {
            ApiError::conflict(
                "no_billing_account",
                "this tenant has not subscribed yet; start with checkout",
            )
        })?;
    let url = stripe
        .portal_session(&customer, &settings.return_url)
        .await
        .map_err(stripe_failed)?;
    app.audit(
        caller,
        info,
        AuditAction::BillingPortalOpened,
        AuditTarget::BillingPortal,
    )
    .await?;
    Ok(json(201, &Redirect { url }))
}
