//! The record of processing and the subprocessors, generated from the registry of personal data.

use confide_tests::{invite, sign_up, Client};
use serde_json::json;

#[tokio::test]
async fn anyone_may_read_who_receives_personal_data_on_this_deployment() {
    let reply = Client::anonymous().get("/v1/privacy/subprocessors").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let names: Vec<&str> = reply
        .body
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names[0], "Amazon Web Services");
    assert!(
        names.contains(&"Twilio") && names.contains(&"Twilio SendGrid"),
        "{names:?}"
    );
    assert!(
        names.iter().all(|n| !n.contains("offline")),
        "the offline provider runs inside the worker: {names:?}"
    );
    assert!(reply.body[0]["location"].as_str().unwrap().contains("EU"));
}

#[tokio::test]
async fn the_record_of_processing_follows_the_registry_and_the_tenants_settings() {
    let owner = sign_up("Bäckerei <Probe> & Söhne").await;
    let patch = owner
        .api
        .patch("/v1/tenant", json!({ "conversation_retention_days": 90 }))
        .await;
    assert_eq!(patch.status, 200, "{:?}", patch.body);

    let record = owner.api.get("/v1/privacy/processing").await;
    assert_eq!(record.status, 200, "{:?}", record.body);
    assert_eq!(record.body["controller"], "Bäckerei <Probe> & Söhne");
    assert_eq!(record.body["processor"], "Confide");
    let categories = record.body["categories"].as_array().expect("categories");
    let category = |kind: &str| {
        categories
            .iter()
            .find(|c| c["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} category in {categories:?}"))
    };
    assert_eq!(category("contact")["subjects"], json!(["contact"]));
    assert!(category("contact")["fields"]
        .as_array()
        .unwrap()
        .contains(&json!("email")));
    assert!(
        category("message")["retention"]
            .as_str()
            .unwrap()
            .starts_with("90 days"),
        "the tenant's own setting: {}",
        category("message")["retention"]
    );
    assert!(
        categories.iter().all(|c| c["kind"] != "usage"),
        "counters hold nothing personal"
    );
    assert_eq!(
        record.body["recipients"][0]["name"], "Amazon Web Services",
        "the same recipients as the public list"
    );

    let (status, page) = owner
        .api
        .send_bytes(
            "GET",
            "/v1/privacy/processing?format=html",
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.starts_with("<!doctype html>"), "{page}");
    assert!(
        page.contains("Bäckerei &lt;Probe&gt; &amp; Söhne") && !page.contains("<Probe>"),
        "the company name is escaped: {page}"
    );
    assert!(page.contains("90 days after the conversation"));

    let wrong = owner.api.get("/v1/privacy/processing?format=xml").await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.error_code(), "invalid_field", "{:?}", wrong.body);
    let agent = invite(&owner, "agent").await;
    assert_eq!(agent.api.get("/v1/privacy/processing").await.status, 403);
    assert_eq!(
        Client::anonymous()
            .get("/v1/privacy/processing")
            .await
            .status,
        401
    );
}
