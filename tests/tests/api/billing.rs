use confide_tests::{invite, sign_up, PLAN};
use serde_json::json;

/// Without Stripe, every tenant runs on the deployment's plan and sees its usage against it.
#[tokio::test]
async fn the_billing_overview_shows_the_plan_and_usage_to_owners_only() {
    let owner = sign_up("Overview Bakery").await;
    let analyst = invite(&owner, "analyst").await;
    let overview = owner.api.get("/v1/billing").await;
    assert_eq!(overview.status, 200, "{:?}", overview.body);
    assert_eq!(overview.body["configured"], false);
    assert_eq!(overview.body["plan"], PLAN.as_str());
    assert_eq!(overview.body["status"], json!(null));
    assert_eq!(overview.body["limits"]["seats"], PLAN.limits().seats);
    assert_eq!(overview.body["usage"]["seats"], 2, "owner and analyst");
    assert_eq!(overview.body["usage"]["analyses_per_month"], 0);
    assert_eq!(analyst.api.get("/v1/billing").await.status, 403);
}

/// A deployment without a webhook secret refuses Stripe's calls rather than accepting unsigned ones.
#[tokio::test]
async fn without_a_webhook_secret_the_webhook_is_unavailable() {
    let reply = confide_tests::Client::anonymous()
        .send_raw("POST", "/webhooks/stripe", Some("{}".into()))
        .await;
    assert_eq!(reply.status, 503, "{:?}", reply.body);
    assert_eq!(reply.error_code(), "billing_not_configured");
}
