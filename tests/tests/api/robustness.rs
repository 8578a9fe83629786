//! Regression tests for what a probe of every route with a hostile client's input found:
//! each request here once answered 500, dropped the connection, echoed megabytes, or was accepted.

use confide_tests::{logged, sign_up, stack, Client, Reply};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The most of a client's value an answer may quote (40 characters), plus the message around it.
const MAX_ERROR_BYTES: usize = 1024;

fn marker(what: &str) -> String {
    format!("{what}{}", uuid::Uuid::new_v4().simple())
}

/// A 4xx JSON error, short, that does not quote `secret` at length (41 characters of it would be
/// more than any message may quote).
fn assert_short_error(what: &str, status: u16, text: &str, secret: &str) {
    assert!((400..500).contains(&status), "{what}: status {status}");
    assert!(
        text.len() <= MAX_ERROR_BYTES,
        "{what}: {} bytes answered",
        text.len()
    );
    let body: Value = serde_json::from_str(text).unwrap_or_else(|_| panic!("{what}: {text}"));
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{what}: {text}");
    let prefix: String = secret.chars().take(41).collect();
    assert!(
        secret.chars().count() <= 40 || !text.contains(&prefix),
        "{what} echoes the value: {text}"
    );
}

/// No log line holds `needle`, and none is longer than a few kilobytes.
fn assert_logs_clean(needle: &str) {
    for line in logged() {
        assert!(
            !line.contains(needle),
            "a log line holds client input: {line:.300}"
        );
        assert!(line.len() < 4096, "a log line of {} bytes", line.len());
    }
}

/// An unknown login session answered `500 internal` on the two public challenge routes,
/// and the error log line carried the session the client sent.
#[tokio::test]
async fn an_unknown_login_session_answers_400_and_is_never_logged() {
    let owner = sign_up("Session Probe Co").await;
    let tag = marker("session");
    let sessions = [
        "bogus".to_owned(),
        // Plausible, so it reaches Cognito (the emulator answers ResourceNotFound).
        format!("{tag}-{}", uuid::Uuid::new_v4()),
        tag.repeat(100_000 / tag.len()),
    ];
    for session in &sessions {
        let replies = [
            (
                "new-password",
                Client::anonymous()
                    .post(
                        "/v1/auth/new-password",
                        json!({ "email": owner.email, "session": session,
                                "new_password": "Correct-Horse-9-battery!" }),
                    )
                    .await,
            ),
            (
                "mfa challenge",
                Client::anonymous()
                    .post(
                        "/v1/auth/mfa",
                        json!({ "step": "challenge", "email": owner.email, "session": session,
                                "code": "123456" }),
                    )
                    .await,
            ),
        ];
        for (route, reply) in replies {
            assert_eq!(reply.status, 400, "{route}: {:?}", reply.body);
            assert_eq!(reply.error_code(), "invalid_session", "{route}");
            assert_short_error(route, reply.status, &reply.body.to_string(), session);
        }
    }
    assert_logs_clean(&tag);
}

/// `%a` followed by a multi-byte character panicked the local gateway and dropped the
/// connection. Sent over a raw socket, since an HTTP client would escape the `é` first.
#[tokio::test]
async fn the_gateway_answers_malformed_percent_escapes_in_a_query() {
    let address = stack().url.trim_start_matches("http://").to_owned();
    for target in [
        "/v1/health?cursor=%a\u{e9}",
        "/v1/health?cursor=%+1",
        "/v1/health?%=%",
        "/v1/health?cursor=%\u{e9}%",
    ] {
        let mut socket = tokio::net::TcpStream::connect(&address)
            .await
            .expect("gateway");
        let request =
            format!("GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
        socket
            .write_all(request.as_bytes())
            .await
            .expect("request sent");
        let mut answer = Vec::new();
        socket.read_to_end(&mut answer).await.expect("answer read");
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "{target}: {:.200}",
            answer
        );
    }
}

/// What was probed, by whom (`None`: no token), method, path, body, and the long value in it.
type EchoProbe<'a> = (
    &'a str,
    Option<&'a Client>,
    &'a str,
    &'a str,
    Value,
    &'a str,
);

/// Error messages quoted the offending key or value whole — 6 MB of it, unauthenticated.
#[tokio::test]
async fn an_error_quotes_at_most_a_short_prefix_of_what_was_sent() {
    let owner = sign_up("Echo Probe Co").await;
    let tag = marker("echo");
    let long = tag.repeat(100_000 / tag.len());
    let six_mb = "x".repeat(6 * 1024 * 1024 - 100);
    let cases: Vec<EchoProbe> = vec![
        (
            "unknown field",
            Some(&owner.api),
            "POST",
            "/v1/members",
            json!({ "email": "a@b.io", "role": "analyst", long.clone(): 1 }),
            &long,
        ),
        (
            "a string where a number belongs",
            Some(&owner.api),
            "PATCH",
            "/v1/tenant",
            json!({ "contact_retention_days": long }),
            &long,
        ),
        (
            "an unknown enum variant, unauthenticated",
            None,
            "POST",
            "/v1/auth/mfa",
            json!({ "step": six_mb }),
            &six_mb,
        ),
        (
            "an unknown provider name",
            Some(&owner.api),
            "PATCH",
            "/v1/tenant",
            json!({ "allowed_providers": [long] }),
            &long,
        ),
        (
            "an unknown key in analysis inputs",
            Some(&owner.api),
            "POST",
            "/v1/analyses",
            json!({ "kind": "swot", "inputs": { "goal": "Grow", long.clone(): 1 } }),
            &long,
        ),
        (
            "an unknown key in template inputs",
            Some(&owner.api),
            "POST",
            "/v1/analysis-templates",
            json!({ "name": "n", "kind": "swot", "inputs": { "goal": "Grow", long.clone(): 1 } }),
            &long,
        ),
        (
            "an unknown analysis kind",
            Some(&owner.api),
            "POST",
            "/v1/analyses",
            json!({ "kind": long, "inputs": {} }),
            &long,
        ),
    ];
    let anonymous = Client::anonymous();
    for (what, client, method, path, body, sent) in cases {
        let client = client.unwrap_or(&anonymous);
        let (status, text) = client
            .send_bytes(method, path, Some("application/json"), body.to_string())
            .await;
        assert_short_error(what, status, &text, sent);
    }
    assert_logs_clean(&tag);
    // Nothing was changed by any of them.
    let tenant = owner.api.get("/v1/tenant").await;
    assert_eq!(tenant.body["settings"]["allowed_providers"], Value::Null);
    assert_eq!(
        owner.api.get("/v1/members").await.body["members"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

fn assert_refused(what: &str, reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{what}: {:?}", reply.body);
    assert_eq!(reply.error_code(), code, "{what}: {:?}", reply.body);
}

/// A signed month, NUL bytes, bidirectional overrides and separators were accepted.
#[tokio::test]
async fn text_that_would_display_other_than_stored_is_refused() {
    let owner = sign_up("Small Probe Co").await;
    let api = &owner.api;
    assert_refused(
        "a month with a sign",
        &api.get("/v1/analysis-usage?month=2026-%2B1").await,
        400,
        "invalid_query",
    );
    assert_refused(
        "NUL in analysis inputs",
        &api.post(
            "/v1/analyses",
            json!({ "kind": "swot", "inputs": { "goal": "Grow\u{0}th" } }),
        )
        .await,
        400,
        "invalid_field",
    );
    assert_refused(
        "NUL in template inputs",
        &api.post(
            "/v1/analysis-templates",
            json!({ "name": "Plan", "kind": "swot", "inputs": { "goal": "Grow\u{0}th" } }),
        )
        .await,
        400,
        "invalid_field",
    );
    assert_refused(
        "NUL in an email",
        &Client::anonymous()
            .post(
                "/v1/signup",
                json!({ "company": "Nul Co", "email": "a\u{0}b@example.com", "password": "Correct-Horse-9!" }),
            )
            .await,
        400,
        "invalid_field",
    );
    for (field, value) in [
        ("name", "Bakery \u{202E}adA"),
        ("name", "Bakery \u{2066}Ada\u{2069}"),
        ("opening_hours", "Mon\u{2028}Tue"),
        ("location", "Main St\u{2029}1"),
    ] {
        let mut profile = json!({ "name": "Small Probe Co" });
        profile[field] = json!(value);
        let reply = api.put("/v1/tenant/profile", profile).await;
        assert_refused(&format!("{field}: {value:?}"), &reply, 400, "invalid_field");
        assert!(
            reply.body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(field)),
            "{:?}",
            reply.body
        );
    }
    assert_eq!(
        api.get("/v1/tenant/profile").await.body["name"],
        "Small Probe Co",
        "nothing was stored"
    );
}

/// `application/json; charset=utf-16` was read as UTF-8; other types as JSON.
#[tokio::test]
async fn a_body_that_is_not_json_in_utf8_answers_415() {
    let owner = sign_up("Charset Probe Co").await;
    let profile = json!({ "name": "Renamed Co" }).to_string();
    for content_type in [
        "application/json; charset=utf-16",
        "application/json; charset=iso-8859-1",
        "text/plain",
        "application/x-www-form-urlencoded",
    ] {
        let (status, text) = owner
            .api
            .send_bytes(
                "PUT",
                "/v1/tenant/profile",
                Some(content_type),
                profile.clone(),
            )
            .await;
        assert_eq!(status, 415, "{content_type}: {text}");
        assert!(
            text.contains("unsupported_media_type"),
            "{content_type}: {text}"
        );
    }
    assert_eq!(
        owner.api.get("/v1/tenant/profile").await.body["name"],
        "Charset Probe Co"
    );
    for content_type in [
        Some("application/json; charset=UTF-8"),
        Some("application/merge-patch+json"),
        None,
    ] {
        let (status, text) = owner
            .api
            .send_bytes("PUT", "/v1/tenant/profile", content_type, profile.clone())
            .await;
        assert_eq!(status, 200, "{content_type:?}: {text}");
    }
}

/// Trailing bytes after the JSON value are malformed JSON, not ignored.
#[tokio::test]
async fn trailing_bytes_after_a_json_body_are_refused() {
    let owner = sign_up("Trailing Probe Co").await;
    let (status, text) = owner
        .api
        .send_bytes(
            "PUT",
            "/v1/tenant/profile",
            Some("application/json"),
            r#"{"name":"A"} {"name":"B"}"#,
        )
        .await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("invalid_json"), "{text}");
}

/// The functions' answers and the gateway's own (authorizer refusals, unknown routes) carry the same
/// strict headers: no framing, no sniffing, no referrer, HSTS, a policy that allows nothing.
#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let anonymous = confide_tests::Client::anonymous();
    let cases = [
        ("GET", "/v1/health", None, 200),
        ("GET", "/v1/tenant", None, 401),
        (
            "POST",
            "/v1/auth/login",
            Some(serde_json::json!({ "email": "not an email", "password": "x" })),
            400,
        ),
        ("GET", "/v1/no-such-route", None, 404),
    ];
    for (method, path, body, expected) in cases {
        let (status, headers, text) = anonymous.exchange(method, path, &[], body).await;
        assert_eq!(status, expected, "{method} {path}: {text}");
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert!(
            header("strict-transport-security").starts_with("max-age="),
            "{path}"
        );
        let policy = header("content-security-policy");
        assert!(
            policy.contains("frame-ancestors 'none'") && !policy.contains("unsafe-inline"),
            "{path}: {policy}"
        );
    }
}
