//! Tokens signed with the emulator's own Cognito key, to show that the gateway checks more than the
//! signature: issuer, audience and expiry. moto ships that private key in its package.

use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::{BigUint, RsaPrivateKey};
use serde_json::Value;
use std::io::Read;
use std::path::PathBuf;

fn moto_private_jwk() -> Value {
    let moto = std::env::var("CONFIDE_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/moto_server")
        });
    let venv = moto
        .parent()
        .and_then(|bin| bin.parent())
        .expect("venv")
        .to_owned();
    let lib = std::fs::read_dir(venv.join("lib"))
        .expect("venv lib")
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with("python"))
        .expect("python lib dir")
        .path();
    let path = lib.join("site-packages/moto/cognitoidp/resources/jwks-private.json.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("moto private JWKS"))
        .read_to_string(&mut text)
        .expect("gzip");
    serde_json::from_str(&text).expect("a private JWK")
}

fn big(jwk: &Value, name: &str) -> BigUint {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(jwk[name].as_str().expect("component"))
        .expect("base64url");
    BigUint::from_bytes_be(&bytes)
}

/// Signs `claims` with the emulator's Cognito key (kid as the emulator sets it).
pub fn sign_as_emulator(claims: &Value) -> String {
    let jwk = moto_private_jwk();
    let key = RsaPrivateKey::from_components(
        big(&jwk, "n"),
        big(&jwk, "e"),
        big(&jwk, "d"),
        // The emulator's JWK carries n, e and d only; the primes are recovered from them.
        vec![],
    )
    .expect("rsa key");
    let der = key.to_pkcs1_der().expect("der");
    let mut header = Header::new(Algorithm::RS256);
    header.kid = jwk["kid"].as_str().map(str::to_owned);
    encode(&header, claims, &EncodingKey::from_rsa_der(der.as_bytes())).expect("signed")
}

/// The same claims with no signature at all (`alg: none`).
pub fn unsigned(claims: &Value) -> String {
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.",
        b64(&serde_json::json!({ "alg": "none", "typ": "JWT" })),
        b64(claims)
    )
}
