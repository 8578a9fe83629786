use super::InvalidField;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An email address, trimmed and lower-cased so that one person has one spelling.
///
/// The check is deliberately modest (one `@`, a dot in the domain, no spaces): Cognito is the
/// authority on deliverability; this only keeps obvious garbage out.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, format = Email)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, InvalidField> {
        let value = raw.trim().to_lowercase();
        let invalid = || InvalidField::new("email", "is not a valid email address");
        let unprintable = super::text::text_rule(&value, false).is_some()
            || value.chars().any(char::is_whitespace);
        if value.len() > 254 || unprintable {
            return Err(invalid());
        }
        let (local, domain) = value.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@');
        if local.is_empty() || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name a personal address spells — `ada.lovelace@…` or `ada_lovelace@…` → "ada lovelace" —
    /// for the name dictionary. `None` unless its local part is two or more words of letters, so that
    /// `info@`, `owner@` or `jdoe1@` give nothing.
    pub fn person_name(&self) -> Option<String> {
        let local = self.0.split('@').next()?;
        let local = local.split('+').next()?;
        let words: Vec<&str> = local.split(['.', '_', '-']).collect();
        let all_names = words
            .iter()
            .all(|w| w.chars().count() >= 2 && w.chars().all(char::is_alphabetic));
        (words.len() >= 2 && all_names).then(|| words.join(" "))
    }
}

impl TryFrom<String> for Email {
    type Error = InvalidField;
    fn try_from(raw: String) -> Result<Self, InvalidField> {
        Self::parse(&raw)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

/// Never print an address into a log line by accident.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Email(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_obvious_garbage_is_refused() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@x.io",
            "a@b@c.io",
            "ada\0@example.com",
            "ada@exa\u{202E}mple.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn debug_output_does_not_reveal_the_address() {
        let email = Email::parse("ada@example.com").unwrap();
        assert!(!format!("{email:?}").contains("ada"));
    }
}
