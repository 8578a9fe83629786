//! Stripe events as the webhook endpoint receives them.
//!
//! The `Stripe-Signature` header (`t=<unix>,v1=<hex>[,v1=<hex>…]`, each `v1` an HMAC-SHA256 with the
//! endpoint's signing secret over `"{t}.{raw body}"`) is checked over the raw body before anything is
//! parsed: any matching `v1` is accepted (Stripe signs with both secrets during a roll), each compared in
//! constant time, and the timestamp must lie within 300 s of now on either side, so a captured request
//! cannot be replayed. Only then is the body read — only the fields Confide acts on, into the small types
//! below: the Stripe crates' `Event` reads every object type Stripe may send, which made it most of the
//! webhook function's binary. An event rendered for another API version than the pinned one is refused
//! rather than half-understood.

use crate::domain::billing::{Plan, Subscription, SubscriptionStatus};
use crate::domain::text::{clip_message, quote};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use std::collections::HashMap;

/// How far a signature's timestamp may lie from now, either way.
const TOLERANCE_SECONDS: i64 = 300;

/// The API version Confide's Stripe requests and events are rendered in; the webhook endpoint must be
/// created with it.
pub fn api_version() -> &'static str {
    super::API_VERSION
}

/// Why a delivery was refused; each answers 400 and changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("the Stripe-Signature header is missing")]
    MissingSignature,
    #[error("no signature matches the body, or the header is malformed")]
    BadSignature,
    #[error("the signature's timestamp is more than 300 s from now")]
    Stale,
    #[error("the body is not a Stripe event: {0}")]
    NotAnEvent(String),
    #[error("the event is rendered for API version {found}; this endpoint reads {expected}")]
    ApiVersion {
        found: String,
        expected: &'static str,
    },
}

/// The event types Confide acts on; every other type is acknowledged and ignored.
pub const HANDLED_TYPES: [&str; 7] = [
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.trial_will_end",
    "invoice.paid",
    "invoice.payment_failed",
];

/// A verified event of a type Confide acts on, as far as Confide reads it.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub type_: String,
    /// When Stripe created the event (unix seconds): orders a subscription's states.
    pub created: i64,
    object: EventObject,
}

#[derive(Debug, Clone)]
enum EventObject {
    CheckoutSession(CheckoutSession),
    Subscription(StripeSubscription),
    Invoice(Invoice),
}

/// The envelope every event shares.
#[derive(Deserialize)]
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    type_: String,
    created: i64,
    api_version: Option<String>,
    data: EnvelopeData,
}

#[derive(Deserialize)]
struct EnvelopeData {
    object: serde_json::Value,
}

/// A related object: its id, or the object itself when the request expanded it.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Expandable {
    Id(String),
    Object { id: String },
}

impl Expandable {
    fn id(&self) -> &str {
        match self {
            Expandable::Id(id) | Expandable::Object { id } => id,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct CheckoutSession {
    #[allow(dead_code)] // required: an object without one is no Checkout Session
    id: String,
    customer: Option<Expandable>,
    client_reference_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct StripeSubscription {
    id: String,
    customer: Expandable,
    status: String,
    created: i64,
    items: SubscriptionItems,
}

#[derive(Debug, Clone, Deserialize)]
struct SubscriptionItems {
    data: Vec<SubscriptionItem>,
}

#[derive(Debug, Clone, Deserialize)]
struct SubscriptionItem {
    price: Price,
    current_period_start: i64,
    current_period_end: i64,
}

#[derive(Debug, Clone, Deserialize)]
struct Price {
    id: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Invoice {
    #[allow(dead_code)] // required: an object without one is no invoice
    id: String,
    customer: Option<Expandable>,
}

/// The event in `body` if `header` signs it with `secret` at `now` (unix seconds). `None`: signed, but
/// of a type Confide does not act on; it is acknowledged rather than refused, so Stripe does not retry
/// it for days and then disable the endpoint.
pub fn verified_event(
    header: Option<&str>,
    body: &[u8],
    secret: &str,
    now: i64,
) -> Result<Option<Event>, Rejection> {
    let header = header.ok_or(Rejection::MissingSignature)?;
    // A body that is not UTF-8 cannot carry a valid signature of a JSON event.
    let body = std::str::from_utf8(body).map_err(|_| Rejection::BadSignature)?;
    verify_signature(header, body, secret, now)?;
    // Only reached once the signature matched.
    let not_an_event = |e: serde_json::Error| Rejection::NotAnEvent(clip_message(&e.to_string()));
    let envelope = match serde_json::from_str::<Envelope>(body) {
        Ok(envelope) => envelope,
        Err(e) => {
            let kind = serde_json::from_str::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v["type"].as_str().map(str::to_owned));
            return match kind {
                Some(kind) if !HANDLED_TYPES.contains(&kind.as_str()) => Ok(None),
                _ => Err(not_an_event(e)),
            };
        }
    };
    match &envelope.api_version {
        // Quoted, not copied: the body is signed, but its size is the sender's choice.
        Some(version) if version != api_version() => {
            return Err(Rejection::ApiVersion {
                found: quote(version),
                expected: api_version(),
            })
        }
        _ => {}
    }
    let object = envelope.data.object;
    let object = match envelope.type_.as_str() {
        "checkout.session.completed" => serde_json::from_value(object)
            .map(EventObject::CheckoutSession)
            .map_err(not_an_event)?,
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted"
        | "customer.subscription.trial_will_end" => serde_json::from_value(object)
            .map(EventObject::Subscription)
            .map_err(not_an_event)?,
        "invoice.paid" | "invoice.payment_failed" => serde_json::from_value(object)
            .map(EventObject::Invoice)
            .map_err(not_an_event)?,
        _ => return Ok(None),
    };
    Ok(Some(Event {
        id: envelope.id,
        type_: envelope.type_,
        created: envelope.created,
        object,
    }))
}

/// Checks `Stripe-Signature` over the raw body: a `t` and at least one `v1` that matches, then the
/// timestamp's distance from now. Other schemes (`v0`) are ignored.
fn verify_signature(header: &str, body: &str, secret: &str, now: i64) -> Result<(), Rejection> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for pair in header.split(',') {
        match pair.trim().split_once('=') {
            Some(("t", value)) => {
                timestamp = Some(value.parse::<i64>().map_err(|_| Rejection::BadSignature)?)
            }
            Some(("v1", value)) => signatures.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(Rejection::BadSignature)?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| Rejection::BadSignature)?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let matches = signatures.iter().any(|signature| {
        hex::decode(signature).is_ok_and(|bytes| mac.clone().verify_slice(&bytes).is_ok())
    });
    if !matches {
        return Err(Rejection::BadSignature);
    }
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(Rejection::Stale);
    }
    Ok(())
}

/// What Confide does with an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A Checkout Session we created finished: names the tenant it was created for.
    CheckoutCompleted {
        client_reference_id: Option<String>,
    },
    /// A subscription's new state.
    SubscriptionChanged(Subscription),
    InvoicePaid,
    PaymentFailed,
    TrialEnding,
    /// Anything else: acknowledged and ignored.
    Other,
}

/// The Stripe customer an event is about, and what it means for us. No card data is read: the types
/// above have no field for payment methods or cards.
pub fn notice_of(event: &Event, prices: &HashMap<String, Plan>) -> (Option<String>, Notice) {
    let customer_of = |c: &Option<Expandable>| c.as_ref().map(|c| c.id().to_owned());
    match (&event.object, event.type_.as_str()) {
        (EventObject::CheckoutSession(session), _) => (
            customer_of(&session.customer),
            Notice::CheckoutCompleted {
                client_reference_id: session.client_reference_id.clone(),
            },
        ),
        (EventObject::Subscription(subscription), "customer.subscription.trial_will_end") => (
            Some(subscription.customer.id().to_owned()),
            Notice::TrialEnding,
        ),
        (EventObject::Subscription(subscription), _) => (
            Some(subscription.customer.id().to_owned()),
            Notice::SubscriptionChanged(subscription_of(subscription, prices, event.created)),
        ),
        (EventObject::Invoice(invoice), "invoice.paid") => {
            (customer_of(&invoice.customer), Notice::InvoicePaid)
        }
        (EventObject::Invoice(invoice), _) => {
            (customer_of(&invoice.customer), Notice::PaymentFailed)
        }
    }
}

/// Our record of a subscription. Its plan comes from the first item's price (an unknown price grants
/// nothing beyond free); the period is the item's, where Stripe's current API versions keep it.
fn subscription_of(
    subscription: &StripeSubscription,
    prices: &HashMap<String, Plan>,
    as_of: i64,
) -> Subscription {
    let item = subscription.items.data.first();
    Subscription {
        stripe_subscription_id: subscription.id.clone(),
        plan: item
            .and_then(|item| prices.get(item.price.id.as_str()).copied())
            .unwrap_or(Plan::Free),
        status: status_of(&subscription.status),
        current_period_start: item.map(|item| item.current_period_start),
        current_period_end: item.map(|item| item.current_period_end),
        created: subscription.created,
        as_of,
    }
}

fn status_of(status: &str) -> SubscriptionStatus {
    match status {
        "incomplete" => SubscriptionStatus::Incomplete,
        "incomplete_expired" => SubscriptionStatus::IncompleteExpired,
        "trialing" => SubscriptionStatus::Trialing,
        "active" => SubscriptionStatus::Active,
        "past_due" => SubscriptionStatus::PastDue,
        "unpaid" => SubscriptionStatus::Unpaid,
        "paused" => SubscriptionStatus::Paused,
        "canceled" => SubscriptionStatus::Canceled,
        // A status newer than this code grants nothing until it is understood.
        _ => SubscriptionStatus::Incomplete,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET: &str = "whsec_test_secret";
    const T: i64 = 1_492_774_577;
    /// From Stripe's documentation of the scheme (REFERENCE.md), not from this code: the signature of
    /// `{"id":"evt_test"}` at `T` with `SECRET`.
    const VECTOR_BODY: &str = r#"{"id":"evt_test"}"#;
    const VECTOR_V1: &str = "22f7d74836ddad3284a2b80853dd2fe731655c1bfddcff3c3666a500cf3abd80";

    /// The signature as an independent HMAC over `t.payload` computes it.
    fn sign(secret: &str, t: i64, body: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{body}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/../events/stripe/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn check(header: &str, body: &str, secret: &str, now: i64) -> Result<Event, Rejection> {
        verified_event(Some(header), body.as_bytes(), secret, now)
            .map(|event| event.expect("a handled type"))
    }

    #[test]
    fn the_documented_vector_passes_the_signature_check() {
        assert_eq!(
            sign(SECRET, T, VECTOR_BODY),
            VECTOR_V1,
            "the test's HMAC agrees"
        );
        // The signature is accepted; the body is then refused only because it is no whole event.
        let header = format!("t={T},v1={VECTOR_V1}");
        assert!(matches!(
            verified_event(Some(&header), VECTOR_BODY.as_bytes(), SECRET, T + 10),
            Err(Rejection::NotAnEvent(_))
        ));
        assert_eq!(
            check(&header, VECTOR_BODY, "whsec_other", T).unwrap_err(),
            Rejection::BadSignature
        );
    }

    #[test]
    fn a_signed_event_is_read() {
        let body = fixture("invoice-paid");
        let header = format!("t={T},v1={}", sign(SECRET, T, &body));
        let event = check(&header, &body, SECRET, T).expect("verified");
        assert_eq!(event.type_.as_str(), "invoice.paid");
        assert_eq!(notice_of(&event, &HashMap::new()).1, Notice::InvoicePaid);
    }

    #[test]
    fn any_of_several_v1_may_match_and_v0_is_ignored() {
        let body = fixture("invoice-paid");
        let good = sign(SECRET, T, &body);
        let old = sign("whsec_old", T, &body);
        for header in [
            format!("t={T},v1={old},v1={good},v0=deadbeef"),
            format!("t={T},v1={good},v1={old}"),
        ] {
            assert!(check(&header, &body, SECRET, T).is_ok(), "{header}");
        }
        let only_v0 = format!("t={T},v0={good}");
        assert_eq!(
            check(&only_v0, &body, SECRET, T).unwrap_err(),
            Rejection::BadSignature
        );
    }

    #[test]
    fn old_and_future_timestamps_are_refused() {
        let body = fixture("invoice-paid");
        let header = format!("t={T},v1={}", sign(SECRET, T, &body));
        assert!(check(&header, &body, SECRET, T + 300).is_ok());
        assert!(check(&header, &body, SECRET, T - 300).is_ok());
        assert_eq!(
            check(&header, &body, SECRET, T + 301).unwrap_err(),
            Rejection::Stale
        );
        assert_eq!(
            check(&header, &body, SECRET, T - 301).unwrap_err(),
            Rejection::Stale
        );
    }

    #[test]
    fn wrong_secret_altered_body_and_bad_headers_are_refused() {
        let body = fixture("invoice-paid");
        let v1 = sign(SECRET, T, &body);
        let header = format!("t={T},v1={v1}");
        assert_eq!(
            check(&header, &body, "whsec_other", T).unwrap_err(),
            Rejection::BadSignature
        );
        // One byte changed: an amount's digit, so the body is still a valid event.
        let altered = body.replacen("\"amount_paid\": 0", "\"amount_paid\": 1", 1);
        assert_ne!(altered, body, "the fixture has the field the test alters");
        assert_eq!(
            check(&header, &altered, SECRET, T).unwrap_err(),
            Rejection::BadSignature
        );
        assert_eq!(
            verified_event(None, body.as_bytes(), SECRET, T).unwrap_err(),
            Rejection::MissingSignature
        );
        for bad in [
            String::new(),
            "t=abc,v1=00".to_owned(),
            format!("v1={v1}"),
            format!("t={T}"),
            format!("t={T},v1=zz"),
            format!("t={T},v1={}", &v1[..10]),
        ] {
            assert!(check(&bad, &body, SECRET, T).is_err(), "{bad:?}");
        }
        let not_utf8 = [b"{\"id\":\"".as_slice(), &[0xff, 0xfe], b"\"}"].concat();
        assert_eq!(
            verified_event(Some(&header), &not_utf8, SECRET, T).unwrap_err(),
            Rejection::BadSignature
        );
    }

    #[test]
    fn a_signed_but_unreadable_event_is_refused_only_if_confide_acts_on_its_type() {
        let unreadable = |kind: &str| {
            let body =
                json!({ "id": "evt_1", "object": "event", "type": kind, "data": { "object": {} } })
                    .to_string();
            let header = format!("t={T},v1={}", sign(SECRET, T, &body));
            verified_event(Some(&header), body.as_bytes(), SECRET, T)
        };
        assert!(matches!(unreadable("customer.tax_id.created"), Ok(None)));
        assert!(matches!(
            unreadable("invoice.paid"),
            Err(Rejection::NotAnEvent(_))
        ));
    }

    #[test]
    fn an_event_of_another_api_version_is_refused() {
        let body = fixture("invoice-paid").replacen(api_version(), "2024-06-20", 1);
        let header = format!("t={T},v1={}", sign(SECRET, T, &body));
        assert!(matches!(
            check(&header, &body, SECRET, T),
            Err(Rejection::ApiVersion { .. })
        ));
    }

    /// A signed event with a 6 MB `api_version` made a 6 MB answer and log line.
    #[test]
    fn a_huge_api_version_is_quoted_short() {
        let huge = "v".repeat(6 * 1024 * 1024);
        let body = fixture("invoice-paid").replacen(api_version(), &huge, 1);
        let header = format!("t={T},v1={}", sign(SECRET, T, &body));
        let rejection = check(&header, &body, SECRET, T).unwrap_err();
        assert!(matches!(rejection, Rejection::ApiVersion { .. }));
        let shown = rejection.to_string();
        assert!(shown.len() < 200, "{} bytes", shown.len());
        assert!(
            shown.contains(&format!("\"{}\"…", "v".repeat(40))),
            "{shown}"
        );
    }

    /// The fixtures in `events/stripe/` are Stripe's own example objects in events of the pinned API
    /// version; each handled type reads as the webhook expects.
    #[test]
    fn every_handled_event_fixture_reads() {
        let prices = HashMap::from([("price_starter_example".to_owned(), Plan::Starter)]);
        let read = |name: &str| {
            let body = fixture(name);
            let header = format!("t={T},v1={}", sign(SECRET, T, &body));
            check(&header, &body, SECRET, T).unwrap_or_else(|e| panic!("{name}: {e}"))
        };
        for (name, status) in [
            (
                "customer-subscription-created",
                SubscriptionStatus::Trialing,
            ),
            ("customer-subscription-updated", SubscriptionStatus::Active),
            (
                "customer-subscription-deleted",
                SubscriptionStatus::Canceled,
            ),
        ] {
            let event = read(name);
            let (customer, notice) = notice_of(&event, &prices);
            assert!(customer.is_some_and(|c| c.starts_with("cus_")), "{name}");
            let Notice::SubscriptionChanged(subscription) = notice else {
                panic!("{name}: {notice:?}");
            };
            assert_eq!(subscription.status, status, "{name}");
            assert_eq!(subscription.plan, Plan::Starter);
            assert_eq!(subscription.current_period_end, Some(1_798_228_400));
            assert_eq!(subscription.as_of, event.created);
            let (_, unpriced) = notice_of(&event, &HashMap::new());
            let Notice::SubscriptionChanged(unpriced) = unpriced else {
                panic!("{name}");
            };
            assert_eq!(
                unpriced.plan,
                Plan::Free,
                "an unknown price grants nothing beyond free"
            );
        }
        let (customer, notice) = notice_of(&read("checkout-session-completed"), &prices);
        assert!(customer.is_some());
        assert_eq!(
            notice,
            Notice::CheckoutCompleted {
                client_reference_id: Some("6a1f0c2e9b8d4e7fa1b2c3d4e5f60718".into())
            }
        );
        for (name, expected) in [
            ("invoice-paid", Notice::InvoicePaid),
            ("invoice-payment-failed", Notice::PaymentFailed),
            ("customer-subscription-trial-will-end", Notice::TrialEnding),
        ] {
            let (customer, notice) = notice_of(&read(name), &prices);
            assert!(customer.is_some(), "{name} names its customer");
            assert_eq!(notice, expected);
        }
    }
}
