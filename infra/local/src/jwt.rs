//! What API Gateway's JWT authorizer checks, done locally: an RS256 signature by a key of the pool's
//! JWKS, the issuer, the audience (`aud` or, for access tokens, `client_id`) and the expiry. The claims
//! reach the handler as API Gateway passes them: every value a string.

use anyhow::{Context, Result};
use confide_shared::domain::text::clip_message;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use std::collections::{BTreeMap, HashMap};
use tokio::sync::RwLock;

pub struct JwtAuthorizer {
    issuer: String,
    audiences: Vec<String>,
    jwks_url: String,
    http: reqwest::Client,
    keys: RwLock<HashMap<String, DecodingKey>>,
}

/// Why a token was refused. The gateway answers 401 whatever the reason; tests look at the reason.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    Missing,
    Malformed,
    UnknownKey,
    BadSignatureOrClaims(String),
    WrongAudience,
}

impl JwtAuthorizer {
    pub async fn new(issuer: String, audiences: Vec<String>, jwks_url: String) -> Result<Self> {
        let authorizer = Self {
            issuer,
            audiences,
            jwks_url,
            http: reqwest::Client::new(),
            keys: RwLock::new(HashMap::new()),
        };
        authorizer.refresh_keys().await?;
        Ok(authorizer)
    }

    async fn refresh_keys(&self) -> Result<()> {
        let set: JwkSet = self
            .http
            .get(&self.jwks_url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .with_context(|| format!("fetching JWKS from {}", self.jwks_url))?
            .json()
            .await
            .context("JWKS is not valid JSON")?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            if let (Some(kid), Ok(key)) = (jwk.common.key_id.clone(), DecodingKey::from_jwk(jwk)) {
                keys.insert(kid, key);
            }
        }
        *self.keys.write().await = keys;
        Ok(())
    }

    /// Checks the `Authorization` header's token and returns its claims.
    pub async fn verify(
        &self,
        authorization: Option<&str>,
    ) -> Result<BTreeMap<String, String>, Refusal> {
        let raw = authorization.ok_or(Refusal::Missing)?.trim();
        let token = raw.strip_prefix("Bearer ").unwrap_or(raw).trim();
        let header = decode_header(token).map_err(|_| Refusal::Malformed)?;
        if header.alg != Algorithm::RS256 {
            return Err(Refusal::Malformed);
        }
        let kid = header.kid.ok_or(Refusal::UnknownKey)?;
        if !self.keys.read().await.contains_key(&kid) {
            // Keys rotate: look once more before refusing.
            let _ = self.refresh_keys().await;
        }
        let keys = self.keys.read().await;
        let key = keys.get(&kid).ok_or(Refusal::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iss"]);
        validation.validate_aud = false;
        validation.leeway = 5;
        let data = decode::<serde_json::Map<String, serde_json::Value>>(token, key, &validation)
            .map_err(|e| Refusal::BadSignatureOrClaims(clip_message(&e.to_string())))?;
        let claims = data.claims;
        let audience_ok = ["aud", "client_id"]
            .iter()
            .any(|name| match claims.get(*name) {
                Some(serde_json::Value::String(v)) => self.audiences.contains(v),
                Some(serde_json::Value::Array(vs)) => vs.iter().any(|v| {
                    v.as_str()
                        .is_some_and(|v| self.audiences.iter().any(|a| a == v))
                }),
                _ => false,
            });
        if !audience_ok {
            return Err(Refusal::WrongAudience);
        }
        Ok(claims
            .into_iter()
            .map(|(name, value)| (name, claim_text(&value)))
            .collect())
    }
}

/// API Gateway passes strings as they are, numbers as text and arrays as `[a b]`.
fn claim_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => format!(
            "[{}]",
            items.iter().map(claim_text).collect::<Vec<_>>().join(" ")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    /// An authorizer that knows no key, and whose JWKS address refuses connections at once.
    fn without_keys() -> JwtAuthorizer {
        JwtAuthorizer {
            issuer: "https://cognito-idp.eu-west-1.amazonaws.com/pool".into(),
            audiences: vec!["client".into()],
            jwks_url: "http://127.0.0.1:9/jwks.json".into(),
            http: reqwest::Client::new(),
            keys: RwLock::new(HashMap::new()),
        }
    }

    // Fuzz target: `cargo test` runs it as a property test; `make fuzz` under libFuzzer.

    /// Any `Authorization` header — raw bytes, or a token whose header and payload are the fuzzer's —
    /// is refused without a panic (no key is known, so none may pass).
    #[test]
    fn any_authorization_header_is_refused_cleanly() {
        // A panic fails the target; nothing is used after one.
        let authorizer = std::panic::AssertUnwindSafe(without_keys());
        let runtime = std::panic::AssertUnwindSafe(
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime"),
        );
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        bolero::check!()
            .with_type::<(String, String, Vec<u8>, Vec<u8>)>()
            .for_each(|(raw, kid, payload, signature)| {
                let header = serde_json::json!({ "alg": "RS256", "kid": kid }).to_string();
                let token = format!(
                    "Bearer {}.{}.{}",
                    b64(header.as_bytes()),
                    b64(payload),
                    b64(signature)
                );
                for header in [raw.as_str(), token.as_str()] {
                    let refused = runtime.block_on(authorizer.verify(Some(header)));
                    assert!(refused.is_err(), "{header:.80} passed without a key");
                }
            });
    }
}
