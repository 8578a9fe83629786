//! AWS calls per request on a warm instance: the stack runs behind a counting proxy
//! (`CONFIDE_COUNT_AWS_CALLS`), and each route below is asked N times in a row with nothing else
//! running, so every call the proxy sees belongs to those requests. Prints calls per request by
//! service and operation. A bench, not a test: the goal (at most 3 DynamoDB calls for a simple
//! audited read) is shown, not asserted.
//!
//! `cargo bench -p confide-tests --bench aws_calls` (after `make test` has installed the emulator).

use confide_tests::{sign_up, stack, Client};
use serde_json::json;

const REQUESTS: u64 = 20;

#[tokio::main]
async fn main() {
    // SAFETY: set before anything reads the environment on another thread (the stack starts below).
    unsafe { std::env::set_var("CONFIDE_COUNT_AWS_CALLS", "1") };
    let owner = sign_up("Counting Bakery").await;
    let api = &owner.api;
    let contact = api
        .post(
            "/v1/contacts",
            json!({ "name": "Ada Counter", "email": "ada.counter@example.com" }),
        )
        .await;
    assert_eq!(contact.status, 201, "{:?}", contact.body);
    let contact_id = contact.body["id"].as_str().expect("id").to_owned();
    let proxy = stack().aws_calls.clone().expect("the counting proxy");

    let routes: Vec<(&str, String)> = vec![
        ("GET /v1/tenant (audited read)", "/v1/tenant".into()),
        (
            "GET /v1/tenant/profile (audited read)",
            "/v1/tenant/profile".into(),
        ),
        (
            "GET /v1/contacts/{id} (audited read)",
            format!("/v1/contacts/{contact_id}"),
        ),
        ("GET /v1/health (public)", "/v1/health".into()),
    ];
    println!("AWS calls per request, warm instance, {REQUESTS} requests each:");
    for (name, path) in routes {
        let client: &Client = api;
        client.get(&path).await; // warm: branch keys and caches
        proxy.take();
        for _ in 0..REQUESTS {
            let reply = client.get(&path).await;
            assert_eq!(reply.status, 200, "{path}: {:?}", reply.body);
        }
        let counts = proxy.take();
        let total: u64 = counts.values().sum();
        let dynamodb: u64 = counts
            .iter()
            .filter(|(op, _)| op.starts_with("dynamodb "))
            .map(|(_, n)| n)
            .sum();
        println!(
            "  {name}: {:.1} in all, {:.1} DynamoDB",
            total as f64 / REQUESTS as f64,
            dynamodb as f64 / REQUESTS as f64
        );
        for (operation, n) in counts {
            println!("      {operation}: {:.2}", n as f64 / REQUESTS as f64);
        }
    }
}
