use confide_tests::{invite, sign_up};
use serde_json::json;

fn profile() -> serde_json::Value {
    json!({
        "name": "Bakery Ada",
        "location": "12 Mill Lane, Bristol",
        "business_type": "bakery",
        "products_services": ["sourdough", "wedding cakes"],
        "website_url": "https://bakery-ada.example",
        "opening_hours": "Tue-Sat 7-15",
        "faqs": [{ "question": "Do you deliver?", "answer": "Within 5 km, free over 30 GBP." }],
        "people": ["Ada Baker"]
    })
}

#[tokio::test]
async fn the_profile_round_trips() {
    let owner = sign_up("Bakery Ada").await;
    let initial = owner.api.get("/v1/tenant/profile").await;
    assert_eq!(initial.status, 200);
    assert_eq!(initial.body["name"], "Bakery Ada", "sign-up seeds the name");

    let put = owner.api.put("/v1/tenant/profile", profile()).await;
    assert_eq!(put.status, 200, "{:?}", put.body);
    let got = owner.api.get("/v1/tenant/profile").await;
    assert_eq!(got.body, profile());
}

#[tokio::test]
async fn a_viewer_can_read_but_not_change_the_profile() {
    let owner = sign_up("Viewer Co").await;
    let viewer = invite(&owner, "viewer").await;
    assert_eq!(viewer.api.get("/v1/tenant/profile").await.status, 200);
    let put = viewer.api.put("/v1/tenant/profile", profile()).await;
    assert_eq!(put.status, 403);
    assert_eq!(put.error_code(), "forbidden");
    let unchanged = owner.api.get("/v1/tenant/profile").await;
    assert_eq!(unchanged.body["faqs"], json!([]), "nothing was written");
}

#[tokio::test]
async fn settings_patch_changes_retention_and_keeps_the_region_read_only() {
    let owner = sign_up("Settings Co").await;
    let reply = owner
        .api
        .patch(
            "/v1/tenant",
            json!({ "contact_retention_days": 90, "analytics_opt_out": true }),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["settings"]["contact_retention_days"], 90);
    assert_eq!(reply.body["settings"]["conversation_retention_days"], 365);
    assert_eq!(reply.body["settings"]["analytics_opt_out"], true);

    let region = owner
        .api
        .patch("/v1/tenant", json!({ "data_region": "us" }))
        .await;
    assert_eq!(region.status, 400);
    let out_of_range = owner
        .api
        .patch("/v1/tenant", json!({ "contact_retention_days": 0 }))
        .await;
    assert_eq!(out_of_range.status, 400);
    assert!(out_of_range.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("contact_retention_days"));
    assert_eq!(owner.api.get("/v1/tenant").await.body["data_region"], "eu");
}

#[tokio::test]
async fn an_analyst_cannot_change_settings() {
    let owner = sign_up("Analyst Co").await;
    let analyst = invite(&owner, "analyst").await;
    let reply = analyst
        .api
        .patch("/v1/tenant", json!({ "analytics_opt_out": true }))
        .await;
    assert_eq!(reply.status, 403);
}
