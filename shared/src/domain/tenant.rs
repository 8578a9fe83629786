//! A tenant, its settings and its business profile.

use super::phone::DefaultCountry;
use super::text::{check_text, quote};
use super::{InvalidField, TenantId};
use serde::{Deserialize, Serialize};

/// Where a tenant's data lives; fixed by the deployment, shown read-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DataRegion {
    Eu,
    Us,
}

impl DataRegion {
    pub fn parse(raw: &str) -> Result<Self, InvalidField> {
        match raw {
            "eu" => Ok(Self::Eu),
            "us" => Ok(Self::Us),
            _ => Err(InvalidField::new("data_region", "must be eu or us")),
        }
    }

    /// How people name it: "EU", "US".
    pub fn label(self) -> &'static str {
        match self {
            Self::Eu => "EU",
            Self::Us => "US",
        }
    }
}

/// How long personal data is kept before it is deleted automatically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TenantSettings {
    pub conversation_retention_days: u32,
    pub contact_retention_days: u32,
    pub analytics_opt_out: bool,
    /// The GenAI providers this tenant's analyses may use, by name; `None` allows every provider the
    /// deployment offers (within the tenant's data region).
    #[serde(default)]
    pub allowed_providers: Option<Vec<String>>,
    /// ISO 3166 alpha-2 country whose national phone numbers contacts may be given in (`DE`); `None`
    /// accepts international numbers only.
    #[serde(default)]
    #[schema(pattern = "^[A-Z]{2}$")]
    pub default_country: Option<String>,
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            conversation_retention_days: 365,
            contact_retention_days: 730,
            analytics_opt_out: false,
            allowed_providers: None,
            default_country: None,
        }
    }
}

pub const MAX_ALLOWED_PROVIDERS: usize = 10;

/// Provider names as configured by the deployment: lowercase letters, digits, `-` and `_`.
pub fn parse_provider_names(raw: &[String]) -> Result<Vec<String>, InvalidField> {
    if raw.len() > MAX_ALLOWED_PROVIDERS {
        return Err(InvalidField::new(
            "allowed_providers",
            format!("at most {MAX_ALLOWED_PROVIDERS} entries"),
        ));
    }
    raw.iter()
        .map(|name| {
            let ok = (1..=40).contains(&name.len())
                && name.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                });
            if ok {
                Ok(name.clone())
            } else {
                Err(InvalidField::new(
                    "allowed_providers",
                    format!("{} is not a provider name", quote(name)),
                ))
            }
        })
        .collect()
}

/// Retention is bounded: at least a day (so nothing vanishes mid-conversation), at most ten years.
pub const RETENTION_DAYS: std::ops::RangeInclusive<u32> = 1..=3650;

/// A partial change of settings, as sent by `PATCH /v1/tenant`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    pub conversation_retention_days: Option<u32>,
    pub contact_retention_days: Option<u32>,
    pub analytics_opt_out: Option<bool>,
    /// A list replaces the allowed providers; `null` allows every provider again.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<String>>)]
    pub allowed_providers: Option<Option<Vec<String>>>,
    /// A country code sets it; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub default_country: Option<Option<String>>,
}

/// Tells a field sent as `null` (`Some(None)`) from one left out (`None`).
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

impl TenantSettings {
    pub fn apply(&self, patch: SettingsPatch) -> Result<Self, InvalidField> {
        let check = |field: &'static str, days: Option<u32>, current: u32| match days {
            Some(d) if !RETENTION_DAYS.contains(&d) => Err(InvalidField::new(
                field,
                format!(
                    "must be between {} and {} days",
                    RETENTION_DAYS.start(),
                    RETENTION_DAYS.end()
                ),
            )),
            Some(d) => Ok(d),
            None => Ok(current),
        };
        Ok(Self {
            conversation_retention_days: check(
                "conversation_retention_days",
                patch.conversation_retention_days,
                self.conversation_retention_days,
            )?,
            contact_retention_days: check(
                "contact_retention_days",
                patch.contact_retention_days,
                self.contact_retention_days,
            )?,
            analytics_opt_out: patch.analytics_opt_out.unwrap_or(self.analytics_opt_out),
            allowed_providers: match patch.allowed_providers {
                None => self.allowed_providers.clone(),
                Some(None) => None,
                Some(Some(names)) => Some(parse_provider_names(&names)?),
            },
            default_country: match patch.default_country {
                None => self.default_country.clone(),
                Some(None) => None,
                Some(Some(code)) => {
                    DefaultCountry::parse(&code)?;
                    Some(code.trim().to_ascii_uppercase())
                }
            },
        })
    }

    /// The country national phone numbers are read in.
    pub fn country(&self) -> Option<DefaultCountry> {
        self.default_country
            .as_deref()
            .and_then(|code| DefaultCountry::parse(code).ok())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: TenantId,
    pub company: String,
    pub data_region: DataRegion,
    pub settings: TenantSettings,
    pub created_at: String,
}

/// Company names as given at sign-up: trimmed, 1–200 characters, one line of plain text.
pub fn parse_company(raw: &str) -> Result<String, InvalidField> {
    bounded_text("company", raw, 1, 200, Lines::One)
}

/// Whether a text field may span several lines.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lines {
    One,
    Many,
}

fn bounded_text(
    field: &'static str,
    raw: &str,
    min: usize,
    max: usize,
    lines: Lines,
) -> Result<String, InvalidField> {
    let value = raw.trim();
    let len = value.chars().count();
    if len < min || len > max {
        return Err(InvalidField::new(
            field,
            format!("must be between {min} and {max} characters"),
        ));
    }
    check_text(field, value, lines == Lines::Many)?;
    Ok(value.to_owned())
}

/// One question and its answer, used by the AI assistant to answer end customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Faq {
    pub question: String,
    pub answer: String,
}

/// The tenant's description of its business; input to analyses and to the assistant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessProfile {
    pub name: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub business_type: String,
    #[serde(default)]
    pub products_services: Vec<String>,
    #[serde(default)]
    pub website_url: Option<String>,
    #[serde(default)]
    pub opening_hours: String,
    #[serde(default)]
    pub faqs: Vec<Faq>,
    /// Names of the owners and staff; never sent to an AI provider (replaced by placeholders).
    #[serde(default)]
    pub people: Vec<String>,
}

pub const MAX_FAQS: usize = 100;
/// A profile is stored as one encrypted item, and DynamoDB refuses items over 400 KB: each field's
/// own bound allows more than that in total, so the whole is bounded too.
pub const MAX_PROFILE_BYTES: usize = 128 * 1024;
pub const MAX_PRODUCTS: usize = 100;
pub const MAX_PEOPLE: usize = 100;

impl BusinessProfile {
    /// Checks and normalises a profile sent by a client; the error names the first bad field.
    pub fn parse(raw: BusinessProfile) -> Result<Self, InvalidField> {
        if raw.products_services.len() > MAX_PRODUCTS {
            return Err(InvalidField::new(
                "products_services",
                format!("at most {MAX_PRODUCTS} entries"),
            ));
        }
        if raw.faqs.len() > MAX_FAQS {
            return Err(InvalidField::new(
                "faqs",
                format!("at most {MAX_FAQS} entries"),
            ));
        }
        if raw.people.len() > MAX_PEOPLE {
            return Err(InvalidField::new(
                "people",
                format!("at most {MAX_PEOPLE} entries"),
            ));
        }
        let website_url = match raw.website_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => Some(parse_website(url)?),
        };
        let profile = Self {
            name: bounded_text("name", &raw.name, 1, 200, Lines::One)?,
            location: bounded_text("location", &raw.location, 0, 500, Lines::Many)?,
            business_type: bounded_text("business_type", &raw.business_type, 0, 200, Lines::One)?,
            products_services: raw
                .products_services
                .iter()
                .map(|p| bounded_text("products_services", p, 1, 500, Lines::Many))
                .collect::<Result<_, _>>()?,
            website_url,
            opening_hours: bounded_text("opening_hours", &raw.opening_hours, 0, 1000, Lines::Many)?,
            faqs: raw
                .faqs
                .iter()
                .map(|faq| {
                    Ok(Faq {
                        question: bounded_text(
                            "faqs.question",
                            &faq.question,
                            1,
                            1000,
                            Lines::Many,
                        )?,
                        answer: bounded_text("faqs.answer", &faq.answer, 1, 5000, Lines::Many)?,
                    })
                })
                .collect::<Result<_, InvalidField>>()?,
            people: raw
                .people
                .iter()
                .map(|p| bounded_text("people", p, 2, 100, Lines::One))
                .collect::<Result<_, _>>()?,
        };
        let size = serde_json::to_vec(&profile).map_or(usize::MAX, |bytes| bytes.len());
        if size > MAX_PROFILE_BYTES {
            return Err(InvalidField::new(
                "profile",
                format!("is {size} bytes in all; at most {MAX_PROFILE_BYTES} are kept"),
            ));
        }
        Ok(profile)
    }
}

fn parse_website(url: &str) -> Result<String, InvalidField> {
    check_text("website_url", url, false)?;
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| InvalidField::new("website_url", "must start with https:// or http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || url.len() > 2000 || url.chars().any(char::is_whitespace) {
        return Err(InvalidField::new("website_url", "is not a valid URL"));
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> BusinessProfile {
        BusinessProfile {
            name: " Bakery Ada ".into(),
            website_url: Some("https://ada.example".into()),
            faqs: vec![Faq {
                question: "Open on Sunday?".into(),
                answer: "No".into(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_profile_is_trimmed() {
        assert_eq!(
            BusinessProfile::parse(profile()).unwrap().name,
            "Bakery Ada"
        );
    }

    #[test]
    fn a_bad_profile_names_the_failing_field() {
        let cases = [
            (
                BusinessProfile {
                    name: "".into(),
                    ..profile()
                },
                "name",
            ),
            (
                BusinessProfile {
                    website_url: Some("ftp://x".into()),
                    ..profile()
                },
                "website_url",
            ),
            (
                BusinessProfile {
                    faqs: vec![Faq {
                        question: "".into(),
                        answer: "a".into(),
                    }],
                    ..profile()
                },
                "faqs.question",
            ),
        ];
        for (input, field) in cases {
            assert_eq!(BusinessProfile::parse(input).unwrap_err().field, field);
        }
    }

    #[test]
    fn a_profile_too_large_for_one_item_is_refused_whole() {
        let faq = Faq {
            question: "q".repeat(1000),
            answer: "a".repeat(5000),
        };
        let big = BusinessProfile {
            faqs: vec![faq; 30],
            ..profile()
        };
        assert_eq!(BusinessProfile::parse(big).unwrap_err().field, "profile");
    }

    /// Text that displays other than it is stored (bidi overrides, separators, NUL) is refused.
    #[test]
    fn profile_text_refuses_bidi_overrides_separators_and_nul() {
        for (bad, field) in [
            (
                BusinessProfile {
                    name: "Bakery \u{202E}adA".into(),
                    ..profile()
                },
                "name",
            ),
            (
                BusinessProfile {
                    opening_hours: "Mon\u{2028}Tue".into(),
                    ..profile()
                },
                "opening_hours",
            ),
            (
                BusinessProfile {
                    people: vec!["Ada\u{2066}x\u{2069}".into()],
                    ..profile()
                },
                "people",
            ),
            (
                BusinessProfile {
                    faqs: vec![Faq {
                        question: "Open?".into(),
                        answer: "Yes\0".into(),
                    }],
                    ..profile()
                },
                "faqs.answer",
            ),
            (
                BusinessProfile {
                    name: "Two\nlines".into(),
                    ..profile()
                },
                "name",
            ),
        ] {
            assert_eq!(BusinessProfile::parse(bad).unwrap_err().field, field);
        }
        let multiline = BusinessProfile {
            opening_hours: "Mon–Fri 8–18\nSat 9–12".into(),
            ..profile()
        };
        assert!(BusinessProfile::parse(multiline).is_ok());
    }

    #[test]
    fn settings_patch_keeps_unset_fields_and_bounds_retention() {
        let current = TenantSettings::default();
        let patched = current
            .apply(SettingsPatch {
                contact_retention_days: Some(30),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(patched.contact_retention_days, 30);
        assert_eq!(
            patched.conversation_retention_days,
            current.conversation_retention_days
        );
        let err = current
            .apply(SettingsPatch {
                conversation_retention_days: Some(0),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(err.field, "conversation_retention_days");
    }

    #[test]
    fn allowed_providers_are_replaced_by_a_list_and_reset_by_null() {
        let parse = |raw: &str| serde_json::from_str::<SettingsPatch>(raw).unwrap();
        let current = TenantSettings::default();
        let limited = current
            .apply(parse(r#"{"allowed_providers":["anthropic","eu-openai"]}"#))
            .unwrap();
        assert_eq!(
            limited.allowed_providers,
            Some(vec!["anthropic".to_owned(), "eu-openai".to_owned()])
        );
        let untouched = limited
            .apply(parse(r#"{"analytics_opt_out":true}"#))
            .unwrap();
        assert_eq!(untouched.allowed_providers, limited.allowed_providers);
        let reset = limited
            .apply(parse(r#"{"allowed_providers":null}"#))
            .unwrap();
        assert_eq!(reset.allowed_providers, None);
        let bad = current
            .apply(parse(r#"{"allowed_providers":["Open AI"]}"#))
            .unwrap_err();
        assert_eq!(bad.field, "allowed_providers");
    }
}
