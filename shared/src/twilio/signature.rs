//! `X-Twilio-Signature`: Base64 of HMAC-SHA1, keyed with the account's auth token, over the URL Twilio
//! called followed by every POST parameter's name and value, sorted by name. Twilio's own validators also
//! accept the URL with its default port added or removed (a proxy may change it), and so does this.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

fn mac(auth_token: &str, url: &str, params: &[(String, String)]) -> HmacSha1 {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = HmacSha1::new_from_slice(auth_token.as_bytes()).expect("HMAC takes any key");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    mac
}

/// The signature Twilio sends for this request.
pub fn sign(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(mac(auth_token, url, params).finalize().into_bytes())
}

/// Whether `header` signs the request, compared in constant time.
pub fn is_valid(auth_token: &str, url: &str, params: &[(String, String)], header: &str) -> bool {
    let Ok(signature) = base64::engine::general_purpose::STANDARD.decode(header.trim()) else {
        return false;
    };
    url_variants(url).iter().any(|candidate| {
        mac(auth_token, candidate, params)
            .verify_slice(&signature)
            .is_ok()
    })
}

/// The URL as given, and with its default port added or removed.
fn url_variants(url: &str) -> Vec<String> {
    let mut variants = vec![url.to_owned()];
    let Some((scheme, rest)) = url.split_once("://") else {
        return variants;
    };
    let default_port = match scheme {
        "https" => "443",
        "http" => "80",
        _ => return variants,
    };
    let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(split);
    match authority.rsplit_once(':') {
        Some((host, port)) if port == default_port => {
            variants.push(format!("{scheme}://{host}{tail}"))
        }
        Some(_) => {}
        None => variants.push(format!("{scheme}://{authority}:{default_port}{tail}")),
    }
    variants
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    /// Twilio's documented example: a URL with a query string, form parameters in any order.
    #[test]
    fn the_documented_vector_passes() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let form = params(&[
            ("Digits", "1234"),
            ("To", "+18005551212"),
            ("From", "+14158675309"),
            ("Caller", "+14158675309"),
            ("CallSid", "CA1234567890ABCDE"),
        ]);
        assert_eq!(sign("12345", url, &form), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
        assert!(is_valid(
            "12345",
            url,
            &form,
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
        assert!(
            !is_valid("12346", url, &form, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
            "another token"
        );
        let mut altered = form.clone();
        altered[0].1 = "1235".into();
        assert!(!is_valid(
            "12345",
            url,
            &altered,
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
        assert!(!is_valid("12345", url, &form, "not base64!"));
    }

    /// A signature computed here independently (HMAC-SHA1 over the concatenation) for a URL with a port.
    #[test]
    fn a_url_with_its_default_port_matches_either_way() {
        let form = params(&[("Body", "STOP"), ("From", "+4915112345678")]);
        let with_port = "https://api.example.com:443/webhooks/twilio/ch1/messages?x=1";
        let without_port = "https://api.example.com/webhooks/twilio/ch1/messages?x=1";
        let mut independent = HmacSha1::new_from_slice(b"token").unwrap();
        independent.update(format!("{without_port}BodySTOPFrom+4915112345678").as_bytes());
        let header =
            base64::engine::general_purpose::STANDARD.encode(independent.finalize().into_bytes());
        assert!(is_valid("token", without_port, &form, &header));
        assert!(
            is_valid("token", with_port, &form, &header),
            "Twilio called without the port"
        );
        let local = "http://127.0.0.1:3000/webhooks/twilio/ch1/messages";
        assert_eq!(
            url_variants(local),
            vec![local.to_owned()],
            "a non-default port stays"
        );
    }
}
