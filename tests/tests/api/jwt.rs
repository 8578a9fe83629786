use confide_tests::tokens::{sign_as_emulator, unsigned};
use confide_tests::{sign_up, stack, Client};
use serde_json::{json, Value};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn claims(user: &str) -> Value {
    let s = stack();
    json!({
        "iss": format!("https://cognito-idp.{}.amazonaws.com/{}", s.region, s.user_pool_id),
        "sub": user,
        "client_id": s.client_id,
        "token_use": "access",
        "iat": now(),
        "exp": now() + 600,
        "username": user,
    })
}

/// `token`'s header and claims with `other`'s signature.
fn with_signature_of(token: &str, other: &str) -> String {
    let (signed_part, _) = token.rsplit_once('.').unwrap();
    let (_, signature) = other.rsplit_once('.').unwrap();
    format!("{signed_part}.{signature}")
}

async fn status_with(token: &str) -> u16 {
    Client::with_token(token).get("/v1/tenant").await.status
}

/// The signer is right (a well-formed token passes), so each refusal below is about one claim.
#[tokio::test]
async fn the_authorizer_checks_signature_issuer_audience_and_expiry() {
    let owner = sign_up("Jwt Co").await;
    let good = claims(&owner.user_id);
    assert_eq!(
        status_with(&sign_as_emulator(&good)).await,
        200,
        "control: a proper token passes"
    );

    let mut expired = good.clone();
    expired["iat"] = json!(now() - 7200);
    expired["exp"] = json!(now() - 3600);
    let mut wrong_issuer = good.clone();
    wrong_issuer["iss"] =
        json!("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_someoneelse");
    let mut wrong_audience = good.clone();
    wrong_audience["client_id"] = json!("another-client");
    let mut id_token = good.clone();
    id_token["token_use"] = json!("id");
    id_token["aud"] = id_token["client_id"].take();

    let cases = [
        ("expired", sign_as_emulator(&expired)),
        ("wrong issuer", sign_as_emulator(&wrong_issuer)),
        ("wrong audience", sign_as_emulator(&wrong_audience)),
        ("unsigned", unsigned(&good)),
        (
            "signature of another token",
            with_signature_of(&sign_as_emulator(&good), &sign_as_emulator(&wrong_issuer)),
        ),
        ("garbage", "not-a-jwt".to_owned()),
        (
            "id token instead of access token",
            sign_as_emulator(&id_token),
        ),
    ];
    for (why, token) in cases {
        assert_eq!(status_with(&token).await, 401, "{why}");
    }
    assert_eq!(
        Client::anonymous().get("/v1/tenant").await.status,
        401,
        "no token"
    );
}
