//! `POST /webhooks/stripe` (public): Stripe's events about customers, subscriptions and invoices.
//!
//! The signature is checked over the raw body before anything is parsed; anything unsigned answers 400
//! and changes nothing. Each event is applied once per tenant (its id is recorded), and a subscription
//! state never replaces a newer one (Stripe retries for days and delivers out of order). The customer is
//! mapped to its tenant through our own table: only customers Confide created at Checkout are known.
//! No card data is read or kept. Everything here is a handful of table reads and writes, well inside
//! Stripe's timeout, so nothing is deferred to a queue.

use confide_shared::api::billing::{WebhookOutcome, WebhookReceipt};
use confide_shared::app::Actor;
use confide_shared::clock::now_unix;
use confide_shared::domain::audit::{AuditAction, AuditTarget};
use confide_shared::domain::billing::Subscription;
use confide_shared::domain::TenantId;
use confide_shared::http::{finish, json, unknown_route, HttpResponse, RequestInfo};
use confide_shared::metrics;
use confide_shared::store::StoreError;
use confide_shared::stripe::webhook::{notice_of, verified_event, Notice, Rejection};
use confide_shared::stripe::WebhookSecret;
use confide_shared::{ApiError, App};
use lambda_http::Request;
use std::sync::Arc;

/// How long an applied event id is remembered: Stripe retries for up to 3 days.
const EVENT_MEMORY_SECONDS: i64 = 30 * 24 * 3600;

/// The function's state: the app, and the endpoint's signing secret where Stripe is configured.
pub struct Receiver {
    pub app: Arc<App>,
    pub secret: WebhookSecret,
}

/// What this function keeps between requests, built once at cold start by its `main.rs` and by the
/// local stack, so both run the same wiring.
pub fn connect(app: Arc<App>) -> Receiver {
    Receiver {
        secret: WebhookSecret::new(&app.config, app.ssm.clone()),
        app,
    }
}

pub async fn handle(receiver: &Receiver, req: Request) -> HttpResponse {
    let info = RequestInfo::of(&req);
    finish(route(receiver, &req, &info).await, &info)
}

async fn route(
    receiver: &Receiver,
    req: &Request,
    info: &RequestInfo,
) -> Result<HttpResponse, ApiError> {
    match info.route.as_str() {
        "POST /webhooks/stripe" => receive(receiver, req, info).await,
        _ => Err(unknown_route(info)),
    }
}

fn accepted(outcome: WebhookOutcome) -> HttpResponse {
    metrics::webhook_event("stripe", outcome.as_str());
    json(
        200,
        &WebhookReceipt {
            received: true,
            outcome,
        },
    )
}

fn refused(rejection: Rejection) -> ApiError {
    metrics::webhook_event("stripe", "rejected");
    let code = match rejection {
        Rejection::MissingSignature | Rejection::BadSignature | Rejection::Stale => {
            "invalid_signature"
        }
        Rejection::NotAnEvent(_) => "invalid_event",
        Rejection::ApiVersion { .. } => "unsupported_api_version",
    };
    if matches!(rejection, Rejection::ApiVersion { .. }) {
        // The endpoint in Stripe's dashboard is set to another version: operators must see this.
        tracing::error!(error = %rejection, "Stripe webhook endpoint has the wrong API version");
    }
    ApiError::bad_request(code, rejection.to_string())
}

async fn receive(
    receiver: &Receiver,
    req: &Request,
    info: &RequestInfo,
) -> Result<HttpResponse, ApiError> {
    let app = &receiver.app;
    let secret = receiver.secret.get().await.map_err(ApiError::unexpected)?;
    let (Some(secret), Some(billing)) = (secret, &app.config.billing) else {
        return Err(ApiError::Unavailable {
            code: "billing_not_configured",
            message: "billing is not configured on this deployment".into(),
        });
    };
    let header = req
        .headers()
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let Some(event) =
        verified_event(header, req.body().as_ref(), secret, now_unix()).map_err(refused)?
    else {
        return Ok(accepted(WebhookOutcome::Ignored));
    };
    let event_id = event.id.as_str().to_owned();
    let (customer, notice) = notice_of(&event, &billing.prices);
    if notice == Notice::Other {
        return Ok(accepted(WebhookOutcome::Ignored));
    }
    let Some(tenant) = tenant_of(app, customer.as_deref(), &notice).await? else {
        tracing::warn!(event = %event_id, kind = %event.type_.as_str(), "Stripe event for a customer of no tenant");
        return Ok(accepted(WebhookOutcome::Ignored));
    };
    if app.store.stripe_event_seen(&tenant, &event_id).await? {
        return Ok(accepted(WebhookOutcome::Duplicate));
    }
    let system = Actor::system(&tenant);
    // Its entries name Stripe's event id, which finds the event in Stripe's dashboard.
    let event_info = RequestInfo {
        request_id: event_id.clone(),
        ..info.clone()
    };
    let outcome = match notice {
        Notice::SubscriptionChanged(incoming) => {
            if apply_subscription(app, &tenant, &incoming).await? {
                app.audit(
                    system,
                    &event_info,
                    AuditAction::BillingSubscriptionChanged,
                    AuditTarget::SubscriptionChange {
                        plan: incoming.plan,
                        status: incoming.status,
                    },
                )
                .await?;
                WebhookOutcome::Applied
            } else {
                WebhookOutcome::Stale
            }
        }
        Notice::CheckoutCompleted { .. }
        | Notice::InvoicePaid
        | Notice::PaymentFailed
        | Notice::TrialEnding => {
            let (action, target) = match notice {
                Notice::CheckoutCompleted { .. } => {
                    (AuditAction::BillingCheckoutCompleted, AuditTarget::Checkout)
                }
                Notice::InvoicePaid => (AuditAction::BillingInvoicePaid, AuditTarget::Invoice),
                Notice::PaymentFailed => (AuditAction::BillingPaymentFailed, AuditTarget::Invoice),
                _ => (AuditAction::BillingTrialEnding, AuditTarget::Subscription),
            };
            app.audit(system, &event_info, action, target).await?;
            WebhookOutcome::Recorded
        }
        Notice::Other => WebhookOutcome::Ignored,
    };
    let forget_after = now_unix() + EVENT_MEMORY_SECONDS;
    match app
        .store
        .record_stripe_event(&tenant, &event_id, forget_after)
        .await
    {
        Ok(()) | Err(StoreError::ConditionFailed) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(accepted(outcome))
}

/// The tenant of the event's customer, from our table: Confide created that customer at Checkout and
/// linked it then. A completed Checkout must also name that same tenant as its reference.
async fn tenant_of(
    app: &App,
    customer: Option<&str>,
    notice: &Notice,
) -> Result<Option<TenantId>, ApiError> {
    let Some(customer) = customer else {
        return Ok(None);
    };
    let tenant = app.store.tenant_of_stripe_customer(customer).await?;
    if let (
        Some(tenant),
        Notice::CheckoutCompleted {
            client_reference_id,
        },
    ) = (&tenant, notice)
    {
        if client_reference_id.as_deref() != Some(tenant.to_string().as_str()) {
            tracing::warn!("Checkout Session's reference is not its customer's tenant");
            return Ok(None);
        }
    }
    Ok(tenant)
}

/// Stores `incoming` unless the stored state is newer. The write is conditional on what was read, so
/// of deliveries racing each other the newest state still wins. Every lost race means another state
/// was stored, and each stored state is newer than the last, so a delivery loses only as often as
/// there are newer states in flight; the bound is generous.
async fn apply_subscription(
    app: &App,
    tenant: &TenantId,
    incoming: &Subscription,
) -> Result<bool, ApiError> {
    for _ in 0..16 {
        let stored = app.store.subscription(tenant).await?;
        if stored
            .as_ref()
            .is_some_and(|s| !s.record.superseded_by(incoming))
        {
            return Ok(false);
        }
        match app
            .store
            .replace_subscription(tenant, stored.as_ref(), incoming)
            .await
        {
            Ok(()) => return Ok(true),
            Err(StoreError::ConditionFailed) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::unexpected(
        "the subscription kept changing while an event was applied",
    ))
}
