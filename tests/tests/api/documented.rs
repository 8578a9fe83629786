//! A few real answers of every function, checked against the OpenAPI document the web app's client
//! is generated from: the status must be documented for the route, and the body must match the
//! schema documented for that status. Schemathesis explores the same document with generated
//! requests; these are the answers a person's ordinary use produces, successes first.

use confide_shared::api::openapi::document;
use confide_tests::messaging::connect;
use confide_tests::{invite, Client, Reply};
use serde_json::{json, Value};

/// Checks `reply` to `method route` (the route as the document names it, `{id}` and all).
fn assert_documented(method: &str, route: &str, reply: &Reply) {
    let document = document();
    let operation = &document["paths"][route][method.to_lowercase()];
    assert!(operation.is_object(), "{method} {route} is not documented");
    let response = &operation["responses"][reply.status.to_string()];
    assert!(
        response.is_object(),
        "{method} {route} answered {} which the document does not list: {:?}",
        reply.status,
        reply.body
    );
    let Some(schema) = response["content"]["application/json"]["schema"].as_object() else {
        assert_eq!(
            reply.body,
            Value::Null,
            "{method} {route} {}: documented without a body",
            reply.status
        );
        return;
    };
    // The schema refers into the document's components: validate with the document as its root.
    let mut root = json!({ "components": document["components"] });
    for (key, value) in schema {
        root[key] = value.clone();
    }
    let validator = jsonschema::validator_for(&root).expect("the document's schema compiles");
    let problems: Vec<String> = validator
        .iter_errors(&reply.body)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        problems.is_empty(),
        "{method} {route} {}: the body does not match the document: {problems:?}\n{}",
        reply.status,
        reply.body
    );
}

async fn check(
    client: &Client,
    method: &str,
    path: &str,
    route: &str,
    body: Option<Value>,
) -> Reply {
    let reply = match method {
        "GET" => client.get(path).await,
        "DELETE" => client.delete(path).await,
        "POST" => client.post(path, body.unwrap_or(json!({}))).await,
        "PUT" => client.put(path, body.unwrap_or(json!({}))).await,
        "PATCH" => client.patch(path, body.unwrap_or(json!({}))).await,
        other => panic!("no such method {other}"),
    };
    assert_documented(method, route, &reply);
    reply
}

#[tokio::test]
async fn every_function_answers_as_the_document_says() {
    let anonymous = Client::anonymous();
    // health
    check(&anonymous, "GET", "/v1/health", "/v1/health", None).await;
    // identity: a wrong password is a documented 401 too
    let bad_login = json!({ "email": "nobody@example.com", "password": "Wrong-Passw0rd!" });
    check(
        &anonymous,
        "POST",
        "/v1/auth/login",
        "/v1/auth/login",
        Some(bad_login),
    )
    .await;
    let tenant = connect("Documented Bakery").await;
    let owner = &tenant.owner;
    let api = &owner.api;

    // tenant
    check(api, "GET", "/v1/tenant", "/v1/tenant", None).await;
    check(
        api,
        "PATCH",
        "/v1/tenant",
        "/v1/tenant",
        Some(json!({ "default_country": "DE" })),
    )
    .await;
    check(api, "GET", "/v1/tenant/profile", "/v1/tenant/profile", None).await;
    let profile = json!({ "name": "Documented Bakery", "people": ["Ada Baker"] });
    check(
        api,
        "PUT",
        "/v1/tenant/profile",
        "/v1/tenant/profile",
        Some(profile),
    )
    .await;
    // members
    let analyst = invite(owner, "analyst").await;
    check(api, "GET", "/v1/members", "/v1/members", None).await;
    let member = format!("/v1/members/{}", analyst.user_id);
    let role = Some(json!({ "role": "viewer" }));
    check(api, "PATCH", &member, "/v1/members/{user_id}", role).await;
    // a role that may not: a documented 403
    check(&analyst.api, "GET", "/v1/audit", "/v1/audit", None).await;
    // audit
    check(api, "GET", "/v1/audit?limit=5", "/v1/audit", None).await;
    check(api, "GET", "/v1/audit/verify", "/v1/audit/verify", None).await;
    // analyses and templates
    check(api, "GET", "/v1/analysis-kinds", "/v1/analysis-kinds", None).await;
    let new = json!({ "kind": "swot", "inputs": { "goal": "Open a second shop" } });
    let created = check(api, "POST", "/v1/analyses", "/v1/analyses", Some(new)).await;
    let analysis = format!("/v1/analyses/{}", created.body["id"].as_str().unwrap());
    check(api, "GET", &analysis, "/v1/analyses/{id}", None).await;
    check(api, "GET", "/v1/analyses", "/v1/analyses", None).await;
    check(api, "GET", "/v1/analysis-usage", "/v1/analysis-usage", None).await;
    let draft = json!({ "name": "Second shop", "kind": "swot", "inputs": { "goal": "Open a second shop" } });
    check(
        api,
        "POST",
        "/v1/analysis-templates",
        "/v1/analysis-templates",
        Some(draft),
    )
    .await;
    check(
        api,
        "GET",
        "/v1/analysis-templates",
        "/v1/analysis-templates",
        None,
    )
    .await;
    // billing (this stack does not bill: the plan without billing, checkout 503)
    check(api, "GET", "/v1/billing", "/v1/billing", None).await;
    let checkout = Some(json!({ "plan": "starter" }));
    check(
        api,
        "POST",
        "/v1/billing/checkout",
        "/v1/billing/checkout",
        checkout,
    )
    .await;
    // contacts and consent
    let contact =
        json!({ "name": "Erika Mustermann", "email": "erika@example.com", "tags": ["regulars"] });
    let created = check(api, "POST", "/v1/contacts", "/v1/contacts", Some(contact)).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    check(
        api,
        "GET",
        "/v1/contacts?tag=regulars",
        "/v1/contacts",
        None,
    )
    .await;
    let consent = json!({ "channel": "email", "purpose": "marketing", "granted": true, "source": "web_form", "evidence": "signed up" });
    let consents = format!("/v1/contacts/{id}/consents");
    check(
        api,
        "POST",
        &consents,
        "/v1/contacts/{id}/consents",
        Some(consent),
    )
    .await;
    check(api, "GET", &consents, "/v1/contacts/{id}/consents", None).await;
    // channels
    check(
        api,
        "GET",
        "/v1/channels/twilio",
        "/v1/channels/twilio",
        None,
    )
    .await;
    check(api, "GET", "/v1/channels/email", "/v1/channels/email", None).await;
    // conversations and campaigns
    let caller = confide_tests::messaging::unique_number();
    let (status, _, _) = tenant.inbound(&caller, "Hello").await;
    assert_eq!(status, 200, "the inbound message opens a conversation");
    let listed = check(api, "GET", "/v1/conversations", "/v1/conversations", None).await;
    let from_caller = tenant
        .contact_by_phone(&caller)
        .await
        .expect("the caller became a contact");
    let opened = listed.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["contact_id"] == from_caller["id"])
        .and_then(|c| c["id"].as_str())
        .expect("the listing holds the caller's conversation")
        .to_owned();
    let conversation = format!("/v1/conversations/{opened}");
    check(api, "GET", &conversation, "/v1/conversations/{id}", None).await;
    let audience = json!({ "channel": "email", "audience": { "tags": ["regulars"] } });
    check(
        api,
        "POST",
        "/v1/campaigns/audience",
        "/v1/campaigns/audience",
        Some(audience),
    )
    .await;
    check(api, "GET", "/v1/campaigns", "/v1/campaigns", None).await;
    // unsubscribe: a link that was never signed
    check(
        &anonymous,
        "GET",
        "/v1/unsubscribe/not-a-token",
        "/v1/unsubscribe/{token}",
        None,
    )
    .await;
}
