//! The functions' CloudWatch metrics (EMF lines beside the logs): every request counted per route
//! with its latency, webhooks per source and outcome, analyses and provider calls — and never a
//! tenant, a person or a text among their dimensions.

use confide_tests::messaging::{connect, unique_number};
use confide_tests::{logged, stack, Reply};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn metric_lines() -> Vec<Value> {
    logged()
        .iter()
        .filter(|line| line.contains("\"CloudWatchMetrics\""))
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// The metric records whose dimensions equal `dimensions` and which carry `metric`.
fn records(dimensions: &[(&str, &str)], metric: &str) -> Vec<Value> {
    metric_lines()
        .into_iter()
        .filter(|line| {
            let declared = &line["_aws"]["CloudWatchMetrics"][0];
            let names: Vec<&str> = declared["Dimensions"][0]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            names.len() == dimensions.len()
                && dimensions.iter().all(|(name, value)| line[*name] == *value)
                && line.get(metric).is_some()
        })
        .collect()
}

async fn eventually(what: &str, check: impl Fn() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < Duration::from_secs(40), "{what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn requests_webhooks_and_analyses_are_measured_without_personal_data() {
    let tenant = connect("Metrics Bakery").await;
    let api = &tenant.owner.api;
    let person = "Henrietta Metricsworth";
    let phone = unique_number();
    let created: Reply = api
        .post(
            "/v1/contacts",
            json!({ "name": person, "phone": phone, "notes": "likes rye" }),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let bad = api.put("/v1/tenant/profile", json!({ "name": "" })).await;
    assert_eq!(bad.status, 400);
    tenant.inbound(&phone, "Is the rye bread ready?").await;
    let analysis = api
        .post(
            "/v1/analyses",
            json!({ "kind": "swot", "inputs": { "goal": "Open a second shop" } }),
        )
        .await;
    assert_eq!(analysis.status, 202, "{:?}", analysis.body);

    let created_route = records(&[("Route", "POST /v1/contacts")], "Requests");
    assert!(!created_route.is_empty(), "no metric for POST /v1/contacts");
    let sample = &created_route[0];
    assert_eq!(
        sample["_aws"]["CloudWatchMetrics"][0]["Namespace"],
        format!("Confide/{}", stack().config.stage)
    );
    assert!(
        sample["Latency"].as_f64().is_some_and(|ms| ms > 0.0),
        "{sample}"
    );
    assert!(
        records(&[("Route", "PUT /v1/tenant/profile")], "ClientErrors")
            .iter()
            .any(|r| r["ClientErrors"] == 1.0),
        "the 400 is counted as a client error"
    );
    assert!(!records(
        &[("Source", "twilio"), ("Outcome", "message")],
        "WebhookEvents"
    )
    .is_empty());
    assert!(!records(&[], "AnalysesQueued").is_empty());
    eventually("the analysis ends and is counted", || {
        !records(&[], "AnalysesSucceeded").is_empty() || !records(&[], "AnalysesFailed").is_empty()
    })
    .await;

    // Whatever this test sent, no metric line repeats it: no tenant, person, number or text.
    let tenant_id = api.get("/v1/tenant").await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for line in metric_lines() {
        let text = line.to_string();
        for secret in [
            person,
            &phone[1..],
            "likes rye",
            "rye bread",
            &tenant_id,
            "Metrics Bakery",
            &tenant.owner.email,
        ] {
            assert!(
                !text.contains(secret),
                "a metric line holds {secret:?}: {text}"
            );
        }
    }
}
