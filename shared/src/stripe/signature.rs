//! `Stripe-Signature` verification: `t=<unix>,v1=<hex>[,v1=<hex>…]`, each `v1` an HMAC-SHA256 with the
//! endpoint's signing secret over `"{t}.{raw body}"`. Any `v1` may match (during a secret roll Stripe signs
//! with both secrets); `v0` and unknown schemes are ignored; the timestamp must lie within the tolerance
//! on either side of now, so a captured request cannot be replayed later. Comparison is constant-time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's own default tolerance.
pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing")]
    Missing,
    #[error("the Stripe-Signature header is malformed")]
    Malformed,
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

/// Checks `header` for `body` with `secret` at `now` (unix seconds).
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &str,
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed)?;
        match key {
            "t" => {
                timestamp = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed)?,
                )
            }
            "v1" => candidates.push(hex::decode(value).map_err(|_| SignatureError::Malformed)?),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| SignatureError::Mismatch)?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    // `verify_slice` compares in constant time; a candidate of the wrong length simply fails.
    if candidates
        .iter()
        .any(|candidate| mac.clone().verify_slice(candidate).is_ok())
    {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_test"}"#;
    const T: i64 = 1_492_774_577;
    /// From Stripe's documentation of the scheme (REFERENCE.md), not from this code.
    const V1: &str = "22f7d74836ddad3284a2b80853dd2fe731655c1bfddcff3c3666a500cf3abd80";

    /// The signature as an independent HMAC over `t.payload` computes it.
    fn sign(secret: &str, t: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn the_documented_vector_verifies() {
        assert_eq!(
            sign(SECRET, T, BODY),
            V1,
            "the test's own HMAC agrees with the vector"
        );
        assert_eq!(
            verify(Some(&format!("t={T},v1={V1}")), BODY, SECRET, T + 10),
            Ok(())
        );
    }

    #[test]
    fn any_of_several_v1_may_match_and_v0_is_ignored() {
        let old = sign("whsec_old", T, BODY);
        let header = format!("t={T},v1={old},v1={V1},v0=deadbeef");
        assert_eq!(verify(Some(&header), BODY, SECRET, T), Ok(()));
        let header = format!("t={T},v1={V1},v1={old}");
        assert_eq!(
            verify(Some(&header), BODY, SECRET, T),
            Ok(()),
            "order does not matter"
        );
        let header = format!("t={T},v0={V1}");
        assert_eq!(
            verify(Some(&header), BODY, SECRET, T),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn old_and_future_timestamps_are_refused() {
        let header = format!("t={T},v1={V1}");
        assert_eq!(verify(Some(&header), BODY, SECRET, T + 300), Ok(()));
        assert_eq!(
            verify(Some(&header), BODY, SECRET, T + 301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(Some(&header), BODY, SECRET, T - 301),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn wrong_secret_altered_body_and_bad_headers_are_refused() {
        let header = format!("t={T},v1={V1}");
        assert_eq!(
            verify(Some(&header), BODY, "whsec_other", T),
            Err(SignatureError::Mismatch)
        );
        let mut altered = BODY.to_vec();
        altered[8] ^= 1;
        assert_eq!(
            verify(Some(&header), &altered, SECRET, T),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verify(None, BODY, SECRET, T), Err(SignatureError::Missing));
        for bad in [
            "",
            "t=abc,v1=00",
            "v1=00",
            &format!("t={T}"),
            &format!("t={T},v1=zz"),
        ] {
            assert!(verify(Some(bad), BODY, SECRET, T).is_err(), "{bad:?}");
        }
        let short = format!("t={T},v1={}", &V1[..10]);
        assert_eq!(
            verify(Some(&short), BODY, SECRET, T),
            Err(SignatureError::Mismatch)
        );
    }
}
