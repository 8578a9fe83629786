//! A tenant, its settings and its business profile.

use super::{InvalidField, TenantId};
use serde::{Deserialize, Serialize};

/// Where a tenant's data lives; fixed by the deployment, shown read-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// How long personal data is kept before it is deleted automatically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSettings {
    pub conversation_retention_days: u32,
    pub contact_retention_days: u32,
    pub analytics_opt_out: bool,
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            conversation_retention_days: 365,
            contact_retention_days: 730,
            analytics_opt_out: false,
        }
    }
}

/// Retention is bounded: at least a day (so nothing vanishes mid-conversation), at most ten years.
pub const RETENTION_DAYS: std::ops::RangeInclusive<u32> = 1..=3650;

/// A partial change of settings, as sent by `PATCH /v1/tenant`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    pub conversation_retention_days: Option<u32>,
    pub contact_retention_days: Option<u32>,
    pub analytics_opt_out: Option<bool>,
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
        })
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

/// Company names as given at sign-up: trimmed, 1–200 characters, no control characters.
pub fn parse_company(raw: &str) -> Result<String, InvalidField> {
    bounded_text("company", raw, 1, 200)
}

fn bounded_text(
    field: &'static str,
    raw: &str,
    min: usize,
    max: usize,
) -> Result<String, InvalidField> {
    let value = raw.trim();
    let len = value.chars().count();
    if len < min || len > max {
        return Err(InvalidField::new(
            field,
            format!("must be between {min} and {max} characters"),
        ));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(InvalidField::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.to_owned())
}

/// One question and its answer, used by the AI assistant to answer end customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faq {
    pub question: String,
    pub answer: String,
}

/// The tenant's description of its business; input to analyses and to the assistant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
}

pub const MAX_FAQS: usize = 100;
pub const MAX_PRODUCTS: usize = 100;

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
        let website_url = match raw.website_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => Some(parse_website(url)?),
        };
        Ok(Self {
            name: bounded_text("name", &raw.name, 1, 200)?,
            location: bounded_text("location", &raw.location, 0, 500)?,
            business_type: bounded_text("business_type", &raw.business_type, 0, 200)?,
            products_services: raw
                .products_services
                .iter()
                .map(|p| bounded_text("products_services", p, 1, 500))
                .collect::<Result<_, _>>()?,
            website_url,
            opening_hours: bounded_text("opening_hours", &raw.opening_hours, 0, 1000)?,
            faqs: raw
                .faqs
                .iter()
                .map(|faq| {
                    Ok(Faq {
                        question: bounded_text("faqs.question", &faq.question, 1, 1000)?,
                        answer: bounded_text("faqs.answer", &faq.answer, 1, 5000)?,
                    })
                })
                .collect::<Result<_, InvalidField>>()?,
        })
    }
}

fn parse_website(url: &str) -> Result<String, InvalidField> {
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
}
