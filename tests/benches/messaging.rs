//! Messaging speed on the local stack (emulator on loopback, Twilio stand-in), in this order because the
//! emulator's transactions slow down as its table grows (it copies the table per transaction item):
//!
//! 1. inbound webhook latency: N signed messages (`CONFIDE_BENCH_MESSAGES`, default 200) posted one by
//!    one as Twilio would, half from new numbers (a contact is created) and half from known ones;
//! 2. campaign fan-out: 500 imported contacts, the consenting half get a message, from acceptance until
//!    every message reached the Twilio stand-in, as messages per second;
//! 3. a 10,000-row contacts CSV imported through the gateway (`POST /v1/contacts/import`), then the same
//!    file again: wall time, against the function's 29 s timeout.
//!
//! `cargo bench -p confide-tests --bench messaging` (run `make test` once first so the emulator is in
//! `.venv`). `CONFIDE_BENCH_ROWS` changes the import's size.

use confide_tests::messaging::{connect, unique_number, wait_for_campaign_within, Connected};
use confide_tests::{report_latencies, CAMPAIGN_RATE};
use serde_json::json;
use std::time::{Duration, Instant};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    confide_tests::on_business_plan();
    let tenant = connect("Bench Messaging Bakery").await;
    inbound_latency(&tenant, env_number("CONFIDE_BENCH_MESSAGES", 200)).await;
    campaign_fan_out(&tenant, 500).await;
    import(&tenant, env_number("CONFIDE_BENCH_ROWS", 10_000)).await;
}

async fn inbound_latency(tenant: &Connected, messages: usize) {
    let known: Vec<String> = (0..5).map(|_| unique_number()).collect();
    for number in &known {
        tenant.inbound(number, "warm-up").await;
    }
    let mut new_numbers = Vec::new();
    let mut known_numbers = Vec::new();
    for i in 0..messages {
        let (from, into) = if i % 2 == 0 {
            (unique_number(), &mut new_numbers)
        } else {
            (known[i % known.len()].clone(), &mut known_numbers)
        };
        let started = Instant::now();
        let (status, _, _) = tenant.inbound(&from, "Is the shop open today?").await;
        into.push(started.elapsed());
        assert_eq!(status, 200);
    }
    println!("Inbound Twilio webhook, {messages} signed messages through the local gateway");
    report_latencies("from a new number (contact created)", new_numbers);
    report_latencies("from a known number", known_numbers);
}

/// `rows` contacts `+49151…` from `first`, every other one consenting to SMS marketing, with `tags`.
fn guests_csv(first: usize, rows: usize, tags: &str) -> String {
    let mut csv = String::from("name,email,phone,tags,sms_consent,consent_evidence\n");
    for i in first..first + rows {
        let consent = if i % 2 == 0 { "yes" } else { "" };
        csv.push_str(&format!(
            "Guest {i},guest{i}@bench.example,+49151{:08},{tags},{consent},bench sign-up sheet\n",
            20_000_000 + i,
        ));
    }
    csv
}

async fn campaign_fan_out(tenant: &Connected, contacts: usize) {
    let (status, text) = post_csv(tenant, guests_csv(900_000, contacts, "vip")).await;
    assert_eq!(status, 200, "{text}");
    let api = &tenant.owner.api;
    let started = Instant::now();
    let accepted = api
        .post(
            "/v1/campaigns",
            json!({ "channel": "sms", "body": "Bench night", "audience": { "tags": ["vip"] } }),
        )
        .await;
    assert_eq!(accepted.status, 202, "{:?}", accepted.body);
    let id = accepted.body["id"].as_str().unwrap().to_owned();
    let done = wait_for_campaign_within(api, &id, Duration::from_secs(1800)).await;
    let took = started.elapsed();
    let sent = done["counts"]["sent"].as_u64().unwrap_or(0);
    println!("Campaign fan-out to {contacts} tagged contacts, tenant rate {CAMPAIGN_RATE}/s");
    println!(
        "  {sent} sent, {} skipped without consent, in {:.1} s: {:.1} messages/s",
        done["counts"]["skipped"]["no_consent"],
        took.as_secs_f64(),
        sent as f64 / took.as_secs_f64()
    );
}

async fn import(tenant: &Connected, rows: usize) {
    let csv = guests_csv(0, rows, "bench");
    let started = Instant::now();
    let (status, text) = post_csv(tenant, csv.clone()).await;
    let took = started.elapsed();
    assert_eq!(status, 200, "{text}");
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    println!(
        "Contacts import, {rows} rows ({} KB), emulator on loopback",
        csv.len() / 1024
    );
    println!(
        "  first import: {:.1} s ({:.2} ms per row): created {}, rejected {}",
        took.as_secs_f64(),
        took.as_secs_f64() * 1000.0 / rows as f64,
        report["created"],
        report["rejected"]
    );
    assert_eq!(
        report["created"], rows as u64,
        "{}",
        report["rejected_rows"][0]
    );
    let started = Instant::now();
    let (status, text) = post_csv(tenant, csv).await;
    let again = started.elapsed();
    assert_eq!(status, 200, "{text}");
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    println!(
        "  same file again: {:.1} s: unchanged {}",
        again.as_secs_f64(),
        report["unchanged"]
    );
}

/// An import with a client that waits as long as it takes (the emulator is far slower than DynamoDB).
async fn post_csv(tenant: &Connected, csv: String) -> (u16, String) {
    let response = reqwest::Client::builder()
        .timeout(Duration::from_secs(1800))
        .build()
        .unwrap()
        .post(format!("{}/v1/contacts/import", confide_tests::stack().url))
        .bearer_auth(tenant.owner.access_token())
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("import answered");
    (
        response.status().as_u16(),
        response.text().await.unwrap_or_default(),
    )
}
