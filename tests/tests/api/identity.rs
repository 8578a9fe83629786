use confide_tests::{log_in, sign_up, Client, PASSWORD};
use serde_json::json;

/// Health is public and says nothing about any tenant.
#[tokio::test]
async fn health_answers_without_a_token() {
    let reply = Client::anonymous().get("/v1/health").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["status"], "ok");
}

#[tokio::test]
async fn sign_up_then_log_in_gives_tokens_valid_for_an_hour() {
    let owner = sign_up("Bakery Ada").await;
    assert_eq!(owner.tokens["expires_in"], 3600);
    assert!(owner.tokens["refresh_token"].is_string());
    let tenant = owner.api.get("/v1/tenant").await;
    assert_eq!(tenant.status, 200, "{:?}", tenant.body);
    assert_eq!(tenant.body["company"], "Bakery Ada");
    assert_eq!(tenant.body["your_role"], "owner");
    assert_eq!(tenant.body["data_region"], "eu");
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_401() {
    let owner = sign_up("Wrong Password Ltd").await;
    let reply = Client::anonymous()
        .post(
            "/v1/auth/login",
            json!({ "email": owner.email, "password": "Not-The-One-1!" }),
        )
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.error_code(), "unauthenticated");
}

#[tokio::test]
async fn the_same_email_cannot_sign_up_twice() {
    let owner = sign_up("First Co").await;
    let again = Client::anonymous()
        .post(
            "/v1/signup",
            json!({ "company": "Second Co", "email": owner.email, "password": PASSWORD }),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.error_code(), "email_taken");
}

#[tokio::test]
async fn a_weak_password_is_refused_and_the_sign_up_can_be_retried() {
    let email = confide_tests::unique_email("weak");
    let weak = Client::anonymous()
        .post(
            "/v1/signup",
            json!({ "company": "Weak Co", "email": email, "password": "short" }),
        )
        .await;
    assert_eq!(weak.status, 400, "{:?}", weak.body);
    assert_eq!(weak.error_code(), "weak_password");
    let retry = Client::anonymous()
        .post(
            "/v1/signup",
            json!({ "company": "Weak Co", "email": email, "password": PASSWORD }),
        )
        .await;
    assert_eq!(
        retry.status, 201,
        "no half-made account blocks the retry: {:?}",
        retry.body
    );
}

#[tokio::test]
async fn refresh_gives_a_new_access_token() {
    let owner = sign_up("Refresh Co").await;
    let reply = Client::anonymous()
        .post(
            "/v1/auth/refresh",
            json!({ "refresh_token": owner.tokens["refresh_token"] }),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let fresh = Client::with_token(reply.body["access_token"].as_str().unwrap());
    assert_eq!(fresh.get("/v1/tenant").await.status, 200);
}

/// Global sign-out: the refresh token stops working in Cognito, and the access token, still
/// cryptographically valid, is refused by our own not-before check.
#[tokio::test]
async fn logout_revokes_the_refresh_token_and_the_current_access_token() {
    let owner = sign_up("Logout Co").await;
    assert_eq!(
        owner.api.post("/v1/auth/logout", json!({})).await.status,
        204
    );
    assert_eq!(
        owner.api.get("/v1/tenant").await.status,
        401,
        "old access token"
    );
    let refresh = Client::anonymous()
        .post(
            "/v1/auth/refresh",
            json!({ "refresh_token": owner.tokens["refresh_token"] }),
        )
        .await;
    assert_eq!(refresh.status, 401, "old refresh token: {:?}", refresh.body);
    // A new login works at once, even in the logout's own second (token times are whole seconds).
    let tokens = log_in(&owner.email, PASSWORD).await;
    let again = Client::with_token(tokens["access_token"].as_str().unwrap());
    assert_eq!(again.get("/v1/tenant").await.status, 200);
}

/// The TOTP flow end to end. The emulator accepts any code (it does not check TOTP), so this proves
/// the flow and the challenge handling, not code verification, which only real Cognito does.
#[tokio::test]
async fn mfa_setup_makes_login_ask_for_a_totp_code() {
    let owner = sign_up("Mfa Co").await;
    let setup = owner
        .api
        .post("/v1/auth/mfa", json!({ "step": "setup" }))
        .await;
    assert_eq!(setup.status, 200, "{:?}", setup.body);
    assert!(setup.body["otpauth_uri"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/"));
    let verify = owner
        .api
        .post(
            "/v1/auth/mfa",
            json!({ "step": "verify", "code": "123456" }),
        )
        .await;
    assert_eq!(verify.status, 200, "{:?}", verify.body);

    let login = Client::anonymous()
        .post(
            "/v1/auth/login",
            json!({ "email": owner.email, "password": PASSWORD }),
        )
        .await;
    assert_eq!(login.body["status"], "challenge", "{:?}", login.body);
    assert_eq!(login.body["challenge"], "SOFTWARE_TOKEN_MFA");
    let answered = Client::anonymous()
        .post(
            "/v1/auth/mfa",
            json!({ "step": "challenge", "email": owner.email, "session": login.body["session"], "code": "123456" }),
        )
        .await;
    assert_eq!(answered.status, 200, "{:?}", answered.body);
    assert_eq!(answered.body["status"], "authenticated");
}

#[tokio::test]
async fn mfa_setup_without_a_token_is_refused() {
    let reply = Client::anonymous()
        .post("/v1/auth/mfa", json!({ "step": "setup" }))
        .await;
    assert_eq!(reply.status, 401);
}

/// A browser keeps its refresh token in a cookie no script can read, sent only to the session routes
/// and never cross-site; API clients keep using the body.
#[tokio::test]
async fn a_browser_keeps_its_refresh_token_in_a_strict_cookie_for_the_session_routes() {
    let owner = sign_up("Cookie Bakery").await;
    let (status, headers, text) = Client::anonymous()
        .exchange(
            "POST",
            "/v1/auth/login",
            &[],
            Some(json!({ "email": owner.email, "password": PASSWORD })),
        )
        .await;
    assert_eq!(status, 200, "{text}");
    let body: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let refresh = body["refresh_token"]
        .as_str()
        .expect("refresh token in the body");
    let cookie = headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a refresh cookie");
    assert!(
        cookie.starts_with(&format!("confide_refresh={refresh};")),
        "{cookie}"
    );
    for attribute in [
        "Path=/v1/auth",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Max-Age=86400",
    ] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }

    let sent = format!("confide_refresh={refresh}");
    let (status, _, text) = Client::anonymous()
        .exchange(
            "POST",
            "/v1/auth/refresh",
            &[("cookie", &sent)],
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "the cookie alone refreshes: {text}");
    let refreshed: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert!(refreshed["access_token"].is_string(), "{refreshed}");
    let (status, _, _) = Client::anonymous()
        .exchange("POST", "/v1/auth/refresh", &[], Some(json!({})))
        .await;
    assert_eq!(status, 401, "neither cookie nor body");

    let access = body["access_token"].as_str().expect("access token");
    let (status, headers, _) = Client::with_token(access)
        .exchange("POST", "/v1/auth/logout", &[], None)
        .await;
    assert_eq!(status, 204);
    let cleared = headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("logout clears the cookie");
    assert!(
        cleared.starts_with("confide_refresh=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
}
