use confide_tests::{sign_up, Client};
use serde_json::json;

/// method, path, body, expected status, expected error code, why the request is bad.
type Case = (
    &'static str,
    &'static str,
    Option<&'static str>,
    u16,
    &'static str,
    &'static str,
);

/// Table-driven: each bad request answers 4xx with a JSON error naming the problem.
#[tokio::test]
async fn bad_input_gets_a_clear_4xx_json_error() {
    let owner = sign_up("Bad Input Co").await;
    let cases: Vec<Case> = vec![
        (
            "POST",
            "/v1/signup",
            Some("{not json"),
            400,
            "invalid_json",
            "malformed JSON",
        ),
        ("POST", "/v1/signup", None, 400, "missing_body", "no body"),
        (
            "POST",
            "/v1/signup",
            Some(r#"{"company":"x","email":"nope","password":"Aa1!aaaaaaaa"}"#),
            400,
            "invalid_field",
            "bad email",
        ),
        (
            "POST",
            "/v1/signup",
            Some(r#"{"company":"","email":"a@b.io","password":"Aa1!aaaaaaaa"}"#),
            400,
            "invalid_field",
            "empty company",
        ),
        (
            "POST",
            "/v1/auth/login",
            Some(r#"{"email":"a@b.io"}"#),
            400,
            "invalid_json",
            "missing password",
        ),
        (
            "PUT",
            "/v1/tenant/profile",
            Some(r#"{"name":"x","website_url":"javascript:alert(1)"}"#),
            400,
            "invalid_field",
            "bad URL",
        ),
        (
            "PUT",
            "/v1/tenant/profile",
            Some(r#"{"name":"x","unknown":1}"#),
            400,
            "invalid_json",
            "unknown field",
        ),
        (
            "POST",
            "/v1/members",
            Some(r#"{"email":"a@b.io","role":"root"}"#),
            400,
            "invalid_field",
            "unknown role",
        ),
        (
            "GET",
            "/v1/audit?limit=0",
            None,
            400,
            "invalid_query",
            "limit out of range",
        ),
        (
            "GET",
            "/v1/audit?from=yesterday",
            None,
            400,
            "invalid_query",
            "bad time",
        ),
        (
            "GET",
            "/v1/audit?action=nope",
            None,
            400,
            "invalid_query",
            "unknown action",
        ),
        (
            "GET",
            "/v1/nothing-here",
            None,
            404,
            "not_found",
            "unknown route",
        ),
    ];
    for (method, path, body, status, code, why) in cases {
        let reply = owner
            .api
            .send_raw(method, path, body.map(str::to_owned))
            .await;
        assert_eq!(reply.status, status, "{why}: {:?}", reply.body);
        assert_eq!(reply.error_code(), code, "{why}");
        assert!(
            reply.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{why}"
        );
    }
    // Nothing was lost: the profile is still the one sign-up wrote.
    assert_eq!(
        owner.api.get("/v1/tenant/profile").await.body["name"],
        "Bad Input Co"
    );
}

#[tokio::test]
async fn a_login_with_an_unknown_email_is_401_not_404() {
    let reply = Client::anonymous()
        .post(
            "/v1/auth/login",
            json!({ "email": "nobody-here@example.com", "password": "Whatever-12!" }),
        )
        .await;
    assert_eq!(reply.status, 401);
}

/// A form can put the message beside the field at fault: `invalid_field` names it.
#[tokio::test]
async fn an_invalid_field_error_names_the_field() {
    let client = Client::anonymous();
    let cases = [
        (
            json!({ "company": "x", "email": "nope", "password": "Aa1!aaaaaaaa" }),
            "email",
        ),
        (
            json!({ "company": "", "email": "a@b.io", "password": "Aa1!aaaaaaaa" }),
            "company",
        ),
    ];
    for (body, field) in cases {
        let reply = client.post("/v1/signup", body).await;
        assert_eq!(reply.status, 400, "{:?}", reply.body);
        assert_eq!(reply.body["error"]["code"], "invalid_field");
        assert_eq!(reply.body["error"]["field"], field, "{:?}", reply.body);
    }
    // Other errors carry no field.
    let malformed = client
        .post("/v1/auth/login", json!({ "email": "a@b.io" }))
        .await;
    assert_eq!(malformed.body["error"]["code"], "invalid_json");
    assert!(malformed.body["error"].get("field").is_none());
}
