//! How fast the Stripe webhook answers: N signed `customer.subscription.updated` events, each newer than
//! the last, posted one after another to the local gateway as Stripe would (so each is verified, parsed,
//! mapped to its tenant, applied with a conditional write, audited and recorded), then the same N again
//! (each a duplicate). Stripe waits up to 10 s for an answer.
//!
//! `cargo bench -p confide-tests --bench stripe_webhook` (run `make test` once first so the emulator is
//! in `.venv`). `CONFIDE_BENCH_EVENTS` sets N (default 200).

use confide_tests::stripe_events::{
    deliver, new_id, now, subscribe_customer, subscription_event, SubscriptionState,
};
use confide_tests::{
    report_latencies, sign_up, stripe_signature, with_billing, BUSINESS_PRICE, STARTER_PRICE,
};
use serde_json::Value;
use std::time::{Duration, Instant};

async fn timed(event: &Value) -> (Duration, Value) {
    let body = event.to_string();
    let signature = stripe_signature(&body, now());
    let started = Instant::now();
    let (status, reply) = deliver(&body, Some(signature)).await;
    let took = started.elapsed();
    assert_eq!(status, 200, "{reply}");
    (took, reply)
}

#[tokio::main]
async fn main() {
    let events: i64 = std::env::var("CONFIDE_BENCH_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    with_billing();
    let owner = sign_up("Bench Billing Bakery").await;
    let customer = subscribe_customer(&owner).await;
    let subscription = new_id("sub");
    let start = now() - events - 100;
    let all: Vec<Value> = (0..events + 5)
        .map(|i| {
            subscription_event(
                &new_id("evt"),
                "customer.subscription.updated",
                start + i,
                &SubscriptionState {
                    customer: &customer,
                    subscription: &subscription,
                    status: "active",
                    price: if i % 2 == 0 {
                        STARTER_PRICE
                    } else {
                        BUSINESS_PRICE
                    },
                },
            )
        })
        .collect();
    let mut applied = Vec::new();
    for (i, event) in all.iter().enumerate() {
        let (took, reply) = timed(event).await;
        assert_eq!(reply["outcome"], "applied", "event {i}");
        if i >= 5 {
            applied.push(took); // the first five warm caches and connections
        }
    }
    let mut duplicates = Vec::new();
    for event in &all[5..] {
        let (took, reply) = timed(event).await;
        assert_eq!(reply["outcome"], "duplicate");
        duplicates.push(took);
    }
    println!("Stripe webhook, {events} events through the local gateway, emulator on loopback");
    report_latencies("new state applied", applied);
    report_latencies("duplicate delivery", duplicates);
}
