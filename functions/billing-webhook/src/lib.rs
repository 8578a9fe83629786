//! `POST /webhooks/stripe` (public): Stripe's events about customers, subscriptions and invoices.
//!
//! The signature is checked over the raw body before anything is parsed; anything unsigned answers 400
//! and changes nothing. Each event is applied once per tenant (its id is recorded), and a subscription
//! state never replaces a newer one (Stripe retries for days and delivers out of order). The customer is
//! mapped to its tenant through our own table. No card data is read or kept.

use confide_shared::app::{now_unix, Actor};
use confide_shared::domain::audit::AuditAction;
use confide_shared::domain::billing::{Plan, Subscription, SubscriptionStatus};
use confide_shared::domain::TenantId;
use confide_shared::http::{finish, json, unknown_route, HttpResponse, RequestInfo};
use confide_shared::store::StoreError;
use confide_shared::stripe::signature;
use confide_shared::{ApiError, App};
use lambda_http::Request;
use serde::Deserialize;
use serde_json::{json, Value};

/// How long an applied event id is remembered: Stripe retries for up to 3 days.
const EVENT_MEMORY_SECONDS: i64 = 30 * 24 * 3600;

pub async fn handle(app: &App, req: Request) -> HttpResponse {
    let info = RequestInfo::of(&req);
    finish(route(app, &req, &info).await, &info)
}

async fn route(app: &App, req: &Request, info: &RequestInfo) -> Result<HttpResponse, ApiError> {
    match info.route.as_str() {
        "POST /webhooks/stripe" => receive(app, req, info).await,
        _ => Err(unknown_route(info)),
    }
}

/// The envelope of every Stripe event; `data.object` is read per type.
#[derive(Debug, Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    created: i64,
    data: EventData,
}

#[derive(Debug, Deserialize)]
struct EventData {
    object: Value,
}

fn accepted(outcome: &str) -> HttpResponse {
    json(200, &json!({ "received": true, "outcome": outcome }))
}

async fn receive(app: &App, req: &Request, info: &RequestInfo) -> Result<HttpResponse, ApiError> {
    let billing = app
        .config
        .billing
        .as_ref()
        .ok_or_else(|| ApiError::Unavailable {
            code: "billing_not_configured",
            message: "billing is not configured on this deployment".into(),
        })?;
    let body: &[u8] = req.body().as_ref();
    let header = req
        .headers()
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    signature::verify(header, body, &billing.webhook_secret, now_unix())
        .map_err(|e| ApiError::bad_request("invalid_signature", e.to_string()))?;
    let event: Event = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request("invalid_event", e.to_string()))?;

    let customer = event.data.object["customer"].as_str().unwrap_or_default();
    let tenant = match event.kind.as_str() {
        "checkout.session.completed" => link_customer(app, &event, customer).await?,
        _ => app.store.tenant_of_stripe_customer(customer).await?,
    };
    let Some(tenant) = tenant else {
        tracing::warn!(event = %event.id, kind = %event.kind, "Stripe event for a customer of no tenant");
        return Ok(accepted("ignored"));
    };
    if app.store.stripe_event_seen(&tenant, &event.id).await? {
        return Ok(accepted("duplicate"));
    }
    let system = Actor::system(&tenant);
    let event_info = RequestInfo {
        request_id: event.id.clone(),
        source_ip: info.source_ip.clone(),
        ..RequestInfo::default()
    };
    let outcome = match event.kind.as_str() {
        "checkout.session.completed" => "linked",
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted" => {
            let incoming = subscription_of(&event, &billing.prices)?;
            let stored = app.store.subscription(&tenant).await?;
            if stored.as_ref().is_none_or(|s| s.superseded_by(&incoming)) {
                app.store.save_subscription(&tenant, &incoming).await?;
                app.audit(
                    system,
                    &event_info,
                    AuditAction::BillingSubscriptionChanged,
                    format!(
                        "subscription/{}/{}",
                        incoming.plan.as_str(),
                        status_name(incoming.status)
                    ),
                )
                .await?;
                "applied"
            } else {
                "stale"
            }
        }
        kind @ ("invoice.paid"
        | "invoice.payment_failed"
        | "customer.subscription.trial_will_end") => {
            let action = match kind {
                "invoice.paid" => AuditAction::BillingInvoicePaid,
                "invoice.payment_failed" => AuditAction::BillingPaymentFailed,
                _ => AuditAction::BillingTrialEnding,
            };
            app.audit(system, &event_info, action, "subscription")
                .await?;
            "recorded"
        }
        _ => "ignored",
    };
    let forget_after = now_unix() + EVENT_MEMORY_SECONDS;
    match app
        .store
        .record_stripe_event(&tenant, &event.id, forget_after)
        .await
    {
        Ok(()) | Err(StoreError::ConditionFailed) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(accepted(outcome))
}

/// `checkout.session.completed` names the tenant we created the session for (`client_reference_id`);
/// its customer is linked to that tenant once, and never moved to another.
async fn link_customer(
    app: &App,
    event: &Event,
    customer: &str,
) -> Result<Option<TenantId>, ApiError> {
    let Some(reference) = event.data.object["client_reference_id"].as_str() else {
        return Ok(None);
    };
    let Ok(tenant) = TenantId::parse(reference) else {
        return Ok(None);
    };
    if customer.is_empty() || app.store.tenant(&tenant).await?.is_none() {
        return Ok(None);
    }
    match app.store.tenant_of_stripe_customer(customer).await? {
        Some(linked) if linked == tenant => {}
        Some(_) => {
            tracing::warn!(event = %event.id, "Stripe customer already belongs to another tenant");
            return Ok(None);
        }
        None => match app.store.link_stripe_customer(customer, &tenant).await {
            Ok(()) | Err(StoreError::ConditionFailed) => {}
            Err(e) => return Err(e.into()),
        },
    }
    Ok(Some(tenant))
}

fn status_name(status: SubscriptionStatus) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The subscription in a `customer.subscription.*` event. Its plan comes from the first item's price
/// (an unknown price grants nothing beyond free); periods are read from the item, where Stripe's current
/// API versions keep them, or from the subscription in older ones.
fn subscription_of(
    event: &Event,
    prices: &std::collections::HashMap<String, Plan>,
) -> Result<Subscription, ApiError> {
    let object = &event.data.object;
    let invalid =
        |what: &str| ApiError::bad_request("invalid_event", format!("subscription {what}"));
    let item = &object["items"]["data"][0];
    let period = |name: &str| item[name].as_i64().or_else(|| object[name].as_i64());
    Ok(Subscription {
        stripe_subscription_id: object["id"]
            .as_str()
            .ok_or_else(|| invalid("has no id"))?
            .to_owned(),
        plan: item["price"]["id"]
            .as_str()
            .and_then(|price| prices.get(price).copied())
            .unwrap_or(Plan::Free),
        status: serde_json::from_value(object["status"].clone())
            .map_err(|_| invalid("has an unknown status"))?,
        current_period_start: period("current_period_start"),
        current_period_end: period("current_period_end"),
        created: object["created"]
            .as_i64()
            .ok_or_else(|| invalid("has no created time"))?,
        as_of: event.created,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn fixture(name: &str) -> Event {
        let path = format!(
            "{}/../../events/stripe/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The fixtures in `events/stripe/` are Stripe's own example objects in events of the pinned API
    /// version; each handled type reads as the webhook expects.
    #[test]
    fn every_handled_event_fixture_reads() {
        let prices = HashMap::from([("price_starter_example".to_owned(), Plan::Starter)]);
        for (name, kind, status) in [
            (
                "customer-subscription-created",
                "customer.subscription.created",
                SubscriptionStatus::Trialing,
            ),
            (
                "customer-subscription-updated",
                "customer.subscription.updated",
                SubscriptionStatus::Active,
            ),
            (
                "customer-subscription-deleted",
                "customer.subscription.deleted",
                SubscriptionStatus::Canceled,
            ),
        ] {
            let event = fixture(name);
            assert_eq!(event.kind, kind);
            let subscription = subscription_of(&event, &prices).unwrap();
            assert_eq!(subscription.status, status, "{name}");
            assert_eq!(subscription.plan, Plan::Starter);
            assert_eq!(subscription.current_period_end, Some(1_798_228_400));
            assert_eq!(subscription.as_of, event.created);
        }
        let checkout = fixture("checkout-session-completed");
        assert_eq!(
            checkout.data.object["client_reference_id"],
            "6a1f0c2e9b8d4e7fa1b2c3d4e5f60718"
        );
        for name in [
            "invoice-paid",
            "invoice-payment-failed",
            "customer-subscription-trial-will-end",
        ] {
            let event = fixture(name);
            assert!(
                event.data.object["customer"].is_string(),
                "{name} names its customer"
            );
        }
        let unknown_price = HashMap::new();
        let free =
            subscription_of(&fixture("customer-subscription-updated"), &unknown_price).unwrap();
        assert_eq!(
            free.plan,
            Plan::Free,
            "an unknown price grants nothing beyond free"
        );
    }
}
