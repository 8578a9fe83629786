//! Phone numbers, kept in E.164 (`+4930123456`) so that one number has one spelling, is
//! unique per tenant, and matches what Twilio sends as `From`.

use super::text::quote;
use super::InvalidField;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A valid phone number in E.164.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, pattern = r"^\+[1-9][0-9]{6,14}$")]
pub struct PhoneE164(String);

/// A country whose national numbers a tenant's contacts use (ISO 3166 alpha-2, e.g. `DE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultCountry(phonenumber::country::Id);

impl DefaultCountry {
    pub fn parse(raw: &str) -> Result<Self, InvalidField> {
        raw.trim()
            .to_ascii_uppercase()
            .parse::<phonenumber::country::Id>()
            .map(Self)
            .map_err(|_| {
                InvalidField::new(
                    "default_country",
                    format!("{} is not an ISO 3166 alpha-2 country code", quote(raw)),
                )
            })
    }
}

impl PhoneE164 {
    /// `raw` in international form (`+49 30 123456`, `0049…`), or national form (`030 123456`) read
    /// in `country`. Letters, and numbers no carrier could route, are refused.
    pub fn parse(raw: &str, country: Option<DefaultCountry>) -> Result<Self, InvalidField> {
        let invalid = || InvalidField::new("phone", "is not a valid phone number");
        let raw = raw.trim();
        let plausible = (3..=32).contains(&raw.len())
            && raw
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().\u{a0}/".contains(c));
        if !plausible {
            return Err(invalid());
        }
        let number = phonenumber::parse(country.map(|c| c.0), raw).map_err(|_| invalid())?;
        if !phonenumber::is_valid(&number) {
            return Err(invalid());
        }
        let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
        Ok(Self(e164))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PhoneE164 {
    type Error = InvalidField;
    /// Stored numbers are already E.164.
    fn try_from(raw: String) -> Result<Self, InvalidField> {
        Self::parse(&raw, None)
    }
}

impl From<PhoneE164> for String {
    fn from(phone: PhoneE164) -> String {
        phone.0
    }
}

/// Never print a number into a log line by accident.
impl fmt::Debug for PhoneE164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PhoneE164(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn de() -> Option<DefaultCountry> {
        Some(DefaultCountry::parse("de").unwrap())
    }

    #[test]
    fn numbers_are_normalised_to_e164() {
        for (raw, country, e164) in [
            ("+49 30 901820", None, "+4930901820"),
            ("030 901820", de(), "+4930901820"),
            ("0049 (30) 90-18-20", de(), "+4930901820"),
            ("+1 (415) 867-5309", None, "+14158675309"),
            (
                "(415) 867-5309",
                Some(DefaultCountry::parse("US").unwrap()),
                "+14158675309",
            ),
            ("+44 20 7946 0958", de(), "+442079460958"),
        ] {
            assert_eq!(
                PhoneE164::parse(raw, country).map(|p| p.0),
                Ok(e164.to_owned()),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn what_no_carrier_could_route_is_refused_naming_the_field() {
        for (raw, country) in [
            ("030 901820", None),
            ("+49 1", None),
            ("call me", de()),
            ("+49 30 901820 ext 5", None),
            ("", de()),
            ("+999 123456789", None),
            ("+49\u{0}30901820", None),
        ] {
            let error = PhoneE164::parse(raw, country).unwrap_err();
            assert_eq!(error.field, "phone", "{raw:?}");
        }
        assert!(DefaultCountry::parse("Germany").is_err());
        assert!(DefaultCountry::parse("XX").is_err());
    }

    #[test]
    fn a_number_never_prints() {
        let phone = PhoneE164::parse("+4930901820", None).unwrap();
        assert!(!format!("{phone:?}").contains("4930"));
    }
}
