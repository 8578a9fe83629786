//! Stripe events as the tests and benches send them: built from the fixtures in `events/stripe/`
//! (Stripe's example objects in events of the pinned API version), signed with the test deployment's
//! secret and posted to the local stack's webhook.

use crate::{stack, stripe_signature, User};
use serde_json::{json, Value};

/// The API version Confide pins (`confide_shared::stripe::API_VERSION`), and every fixture carries.
pub const API_VERSION: &str = "2026-09-30.endive";

pub fn now() -> i64 {
    confide_shared::clock::now_unix()
}

/// Posts an event to the webhook as Stripe would: raw body, signature header.
pub async fn deliver(body: &str, signature: Option<String>) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/webhooks/stripe", stack().url))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("stripe-signature", signature);
    }
    let response = request.send().await.expect("webhook reachable");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub async fn deliver_signed(event: &Value) -> Value {
    let body = event.to_string();
    let (status, reply) = deliver(&body, Some(stripe_signature(&body, now()))).await;
    assert_eq!(status, 200, "{reply}");
    reply
}

/// A Stripe event from `events/stripe/` (Stripe's example objects, the pinned API version).
pub fn fixture(name: &str) -> Value {
    crate::repository_json(&format!("events/stripe/{name}.json"))
}

pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

pub fn checkout_completed(tenant: &str, customer: &str, created: i64) -> Value {
    let mut event = fixture("checkout-session-completed");
    event["id"] = json!(new_id("evt"));
    event["created"] = json!(created);
    let session = &mut event["data"]["object"];
    session["client_reference_id"] = json!(tenant);
    session["customer"] = json!(customer);
    event
}

pub struct SubscriptionState<'a> {
    pub customer: &'a str,
    pub subscription: &'a str,
    pub status: &'a str,
    pub price: &'a str,
}

pub fn subscription_event(id: &str, kind: &str, created: i64, state: &SubscriptionState) -> Value {
    let mut event = fixture(&format!(
        "customer-subscription-{}",
        kind.rsplit('.').next().unwrap_or_default()
    ));
    event["id"] = json!(id);
    event["type"] = json!(kind);
    event["created"] = json!(created);
    let object = &mut event["data"]["object"];
    object["id"] = json!(state.subscription);
    object["customer"] = json!(state.customer);
    object["status"] = json!(state.status);
    object["created"] = json!(1_795_000_000);
    let item = &mut object["items"]["data"][0];
    item["subscription"] = json!(state.subscription);
    item["price"]["id"] = json!(state.price);
    item["current_period_start"] = json!(1_795_000_000);
    item["current_period_end"] = json!(1_797_600_000);
    event
}

pub fn invoice_event(kind: &str, customer: &str, created: i64) -> Value {
    let mut event = fixture(&kind.replace(['.', '_'], "-"));
    event["id"] = json!(new_id("evt"));
    event["created"] = json!(created);
    event["data"]["object"]["customer"] = json!(customer);
    event
}

/// Opens Checkout for `plan` and returns the reply.
pub async fn checkout(user: &User, plan: &str) -> crate::Reply {
    user.api
        .post("/v1/billing/checkout", json!({ "plan": plan }))
        .await
}

/// Opens Checkout once and returns the Stripe customer the stand-in created for the tenant.
pub async fn subscribe_customer(owner: &User) -> String {
    let reply = checkout(owner, "starter").await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    let calls = stack().stripe.calls_with(&owner.tenant_id);
    let session = calls
        .iter()
        .rev()
        .find(|c| c.path == "/v1/checkout/sessions")
        .expect("a Checkout Session was created");
    session.field("customer").expect("customer").to_owned()
}
