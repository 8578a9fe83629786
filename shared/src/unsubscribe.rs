//! Unsubscribe links: `<tenant id>.<contact id>.<signature>`, the signature an HMAC-SHA256 of the two
//! ids under the deployment's unsubscribe key. Only ids travel in the link; a forged or altered link
//! fails verification and changes nothing.

use crate::domain::{ContactId, TenantId};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], tenant: &TenantId, contact: &ContactId) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key");
    mac.update(b"confide-unsubscribe-v1\0");
    mac.update(tenant.as_str().as_bytes());
    mac.update(b"\0");
    mac.update(contact.as_str().as_bytes());
    mac
}

pub fn token(key: &[u8], tenant: &TenantId, contact: &ContactId) -> String {
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(mac(key, tenant, contact).finalize().into_bytes());
    format!("{tenant}.{contact}.{signature}")
}

/// The tenant and contact a genuine token names; `None` for anything else (compared in constant time).
pub fn verify(key: &[u8], token: &str) -> Option<(TenantId, ContactId)> {
    if token.len() > 300 {
        return None;
    }
    let mut parts = token.split('.');
    let (tenant, contact, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let tenant = TenantId::parse(tenant).ok()?;
    let contact = ContactId::parse(contact).ok()?;
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(signature)
        .ok()?;
    mac(key, &tenant, &contact).verify_slice(&signature).ok()?;
    Some((tenant, contact))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_and_any_change_breaks_it() {
        let (tenant, contact) = (
            TenantId::parse("t1").unwrap(),
            ContactId::parse("c1").unwrap(),
        );
        let good = token(b"key", &tenant, &contact);
        assert_eq!(
            verify(b"key", &good),
            Some((tenant.clone(), contact.clone()))
        );
        assert_eq!(verify(b"other key", &good), None);
        let other_contact = good.replacen(".c1.", ".c2.", 1);
        assert_eq!(verify(b"key", &other_contact), None);
        let mut flipped = good.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(verify(b"key", &String::from_utf8(flipped).unwrap()), None);
        assert_eq!(verify(b"key", "t1.c1"), None);
        assert_eq!(verify(b"key", &format!("{good}.x")), None);
    }
}
