//! A tenant's end customers: who they are, how to reach them, and what they agreed to.
//!
//! Email and phone are the contact's identity within a tenant (each unique there); the store keeps
//! them searchable only through keyed beacons (see [`crate::encryption::beacons`]).

use super::consent::{self, Channel, ConsentEntry, ConsentState, Purpose};
use super::phone::{DefaultCountry, PhoneE164};
use super::text::{check_text, quote};
use super::{ContactId, Email, InvalidField};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub const NAME_LIMIT: usize = 200;
pub const NOTES_LIMIT: usize = 5_000;
pub const TAGS_LIMIT: usize = 20;
pub const TAG_LIMIT: usize = 40;
pub const ATTRIBUTES_LIMIT: usize = 30;
pub const ATTRIBUTE_KEY_LIMIT: usize = 40;
pub const ATTRIBUTE_VALUE_LIMIT: usize = 500;

/// The current consent per channel and purpose, derived from the ledger (newest entry wins).
pub type ConsentSummary = BTreeMap<Channel, BTreeMap<Purpose, ConsentState>>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contact {
    pub id: ContactId,
    pub name: String,
    pub email: Option<Email>,
    pub phone: Option<PhoneE164>,
    pub tags: BTreeSet<String>,
    pub notes: String,
    pub attributes: BTreeMap<String, String>,
    /// Kept equal to `consent::current` of the contact's ledger: written with each ledger entry, so
    /// a campaign decides from the contact alone.
    #[schema(value_type = Object)]
    pub consent: ConsentSummary,
    pub created_at: String,
    pub updated_at: String,
}

impl Contact {
    pub fn consent_for(&self, channel: Channel, purpose: Purpose) -> ConsentState {
        self.consent
            .get(&channel)
            .and_then(|purposes| purposes.get(&purpose))
            .copied()
            .unwrap_or(ConsentState::None)
    }

    /// Adds a ledger entry to the summary (the entry is the newest one by construction).
    pub fn record_consent(&mut self, entry: &ConsentEntry) {
        let state = if entry.granted {
            ConsentState::Granted
        } else {
            ConsentState::Withdrawn
        };
        self.consent
            .entry(entry.channel)
            .or_default()
            .insert(entry.purpose, state);
    }

    /// Where this contact can be reached on `channel`, if anywhere.
    pub fn reachable_on(&self, channel: Channel) -> bool {
        match channel {
            Channel::Sms | Channel::Whatsapp => self.phone.is_some(),
            Channel::Email => self.email.is_some(),
        }
    }
}

/// A new contact as a client sends it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactDraft {
    #[serde(default)]
    #[schema(max_length = 200)]
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    /// E.164, or a national number read in the tenant's `default_country`.
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub notes: String,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// A partial change: fields left out stay; `email` or `phone` sent as `null` are removed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "super::tenant::present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::tenant::present")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub notes: Option<String>,
    pub attributes: Option<BTreeMap<String, String>>,
}

/// The checked fields of a contact (everything but its id, consent and times).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContactFields {
    pub name: String,
    pub email: Option<Email>,
    pub phone: Option<PhoneE164>,
    pub tags: BTreeSet<String>,
    pub notes: String,
    pub attributes: BTreeMap<String, String>,
}

impl ContactFields {
    pub fn parse(
        draft: ContactDraft,
        country: Option<DefaultCountry>,
    ) -> Result<Self, InvalidField> {
        let fields = Self {
            name: parse_name(&draft.name)?,
            email: parse_optional(draft.email.as_deref(), Email::parse)?,
            phone: parse_optional(draft.phone.as_deref(), |raw| PhoneE164::parse(raw, country))?,
            tags: parse_tags(&draft.tags)?,
            notes: parse_notes(&draft.notes)?,
            attributes: parse_attributes(draft.attributes)?,
        };
        fields.identifiable()
    }

    pub fn of(contact: &Contact) -> Self {
        Self {
            name: contact.name.clone(),
            email: contact.email.clone(),
            phone: contact.phone.clone(),
            tags: contact.tags.clone(),
            notes: contact.notes.clone(),
            attributes: contact.attributes.clone(),
        }
    }

    /// These fields with `patch` applied.
    pub fn patched(
        &self,
        patch: ContactPatch,
        country: Option<DefaultCountry>,
    ) -> Result<Self, InvalidField> {
        let fields = Self {
            name: match patch.name {
                Some(name) => parse_name(&name)?,
                None => self.name.clone(),
            },
            email: match patch.email {
                Some(email) => parse_optional(email.as_deref(), Email::parse)?,
                None => self.email.clone(),
            },
            phone: match patch.phone {
                Some(phone) => {
                    parse_optional(phone.as_deref(), |raw| PhoneE164::parse(raw, country))?
                }
                None => self.phone.clone(),
            },
            tags: match patch.tags {
                Some(tags) => parse_tags(&tags)?,
                None => self.tags.clone(),
            },
            notes: match patch.notes {
                Some(notes) => parse_notes(&notes)?,
                None => self.notes.clone(),
            },
            attributes: match patch.attributes {
                Some(attributes) => parse_attributes(attributes)?,
                None => self.attributes.clone(),
            },
        };
        fields.identifiable()
    }

    /// A contact nobody could tell apart or reach is refused.
    fn identifiable(self) -> Result<Self, InvalidField> {
        if self.name.is_empty() && self.email.is_none() && self.phone.is_none() {
            return Err(InvalidField::new(
                "name",
                "a contact needs a name, an email or a phone",
            ));
        }
        Ok(self)
    }

    pub fn into_contact(self, id: ContactId, now: &str) -> Contact {
        Contact {
            id,
            name: self.name,
            email: self.email,
            phone: self.phone,
            tags: self.tags,
            notes: self.notes,
            attributes: self.attributes,
            consent: consent::current(&[]),
            created_at: now.to_owned(),
            updated_at: now.to_owned(),
        }
    }

    /// `contact` with these fields, its id, consent and creation kept.
    pub fn apply_to(self, contact: &Contact, now: &str) -> Contact {
        Contact {
            updated_at: now.to_owned(),
            ..self.into_contact(contact.id.clone(), &contact.created_at)
        }
        .with_consent(contact.consent.clone())
    }
}

impl Contact {
    fn with_consent(mut self, consent: ConsentSummary) -> Self {
        self.consent = consent;
        self
    }
}

/// An empty or blank optional value counts as absent (spreadsheets leave cells empty).
fn parse_optional<T>(
    raw: Option<&str>,
    parse: impl Fn(&str) -> Result<T, InvalidField>,
) -> Result<Option<T>, InvalidField> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => parse(value).map(Some),
    }
}

fn bounded(
    field: &'static str,
    value: &str,
    limit: usize,
    multiline: bool,
) -> Result<(), InvalidField> {
    if value.chars().count() > limit {
        return Err(InvalidField::new(
            field,
            format!("must be at most {limit} characters"),
        ));
    }
    check_text(field, value, multiline)
}

fn parse_name(raw: &str) -> Result<String, InvalidField> {
    let name = raw.trim();
    bounded("name", name, NAME_LIMIT, false)?;
    Ok(name.to_owned())
}

fn parse_notes(raw: &str) -> Result<String, InvalidField> {
    bounded("notes", raw, NOTES_LIMIT, true)?;
    Ok(raw.to_owned())
}

/// Tags are trimmed and lower-cased, so `VIP` and ` vip` are one tag.
pub fn parse_tag(raw: &str) -> Result<String, InvalidField> {
    let tag = raw.trim().to_lowercase();
    if tag.is_empty() {
        return Err(InvalidField::new("tags", "a tag cannot be empty"));
    }
    bounded("tags", &tag, TAG_LIMIT, false)?;
    Ok(tag)
}

fn parse_tags(raw: &[String]) -> Result<BTreeSet<String>, InvalidField> {
    let tags = raw
        .iter()
        .map(|tag| parse_tag(tag))
        .collect::<Result<BTreeSet<_>, _>>()?;
    if tags.len() > TAGS_LIMIT {
        return Err(InvalidField::new(
            "tags",
            format!("at most {TAGS_LIMIT} tags"),
        ));
    }
    Ok(tags)
}

fn parse_attributes(
    raw: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, InvalidField> {
    if raw.len() > ATTRIBUTES_LIMIT {
        return Err(InvalidField::new(
            "attributes",
            format!("at most {ATTRIBUTES_LIMIT} attributes"),
        ));
    }
    for (key, value) in &raw {
        let key_ok = (1..=ATTRIBUTE_KEY_LIMIT).contains(&key.len())
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !key_ok {
            return Err(InvalidField::new(
                "attributes",
                format!(
                    "{} is not an attribute name (a-z, 0-9, _; at most {ATTRIBUTE_KEY_LIMIT})",
                    quote(key)
                ),
            ));
        }
        bounded("attributes", value, ATTRIBUTE_VALUE_LIMIT, false)?;
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(name: &str, email: Option<&str>, phone: Option<&str>) -> ContactDraft {
        ContactDraft {
            name: name.into(),
            email: email.map(Into::into),
            phone: phone.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn national_numbers_are_read_in_the_tenant_country() {
        let de = DefaultCountry::parse("de").ok();
        let fields = ContactFields::parse(draft("Ada", None, Some("030 1234567")), de).unwrap();
        assert_eq!(fields.phone.unwrap().as_str(), "+49301234567");
        let err = ContactFields::parse(draft("Ada", None, Some("030 1234567")), None).unwrap_err();
        assert_eq!(err.field, "phone");
    }

    #[test]
    fn an_invalid_email_names_the_field_and_blank_cells_are_absent() {
        let err = ContactFields::parse(draft("Ada", Some("not-an-email"), None), None).unwrap_err();
        assert_eq!(err.field, "email");
        let fields = ContactFields::parse(draft("Ada", Some("  "), Some("")), None).unwrap();
        assert_eq!((fields.email, fields.phone), (None, None));
    }

    #[test]
    fn a_contact_needs_something_to_know_it_by() {
        assert!(ContactFields::parse(draft(" ", None, None), None).is_err());
        assert!(ContactFields::parse(draft("", Some("a@b.co"), None), None).is_ok());
    }

    #[test]
    fn tags_are_normalised_and_bounded() {
        let mut d = draft("Ada", None, None);
        d.tags = vec!["VIP".into(), " vip ".into(), "Berlin".into()];
        let tags = ContactFields::parse(d.clone(), None).unwrap().tags;
        assert_eq!(tags.into_iter().collect::<Vec<_>>(), ["berlin", "vip"]);
        d.tags = (0..=TAGS_LIMIT).map(|i| format!("t{i}")).collect();
        assert_eq!(ContactFields::parse(d, None).unwrap_err().field, "tags");
    }

    #[test]
    fn attribute_names_are_plain() {
        let mut d = draft("Ada", None, None);
        d.attributes = BTreeMap::from([("loyalty_tier".into(), "gold".into())]);
        assert!(ContactFields::parse(d.clone(), None).is_ok());
        d.attributes = BTreeMap::from([("Loyalty Tier".into(), "gold".into())]);
        assert_eq!(
            ContactFields::parse(d, None).unwrap_err().field,
            "attributes"
        );
    }

    #[test]
    fn a_patch_removes_with_null_and_keeps_what_it_leaves_out() {
        let fields = ContactFields::parse(
            draft("Ada", Some("ada@example.com"), Some("+14155550100")),
            None,
        )
        .unwrap();
        let patch: ContactPatch =
            serde_json::from_str(r#"{"email": null, "name": "Ada L."}"#).unwrap();
        let patched = fields.patched(patch, None).unwrap();
        assert_eq!(patched.email, None);
        assert_eq!(patched.name, "Ada L.");
        assert_eq!(patched.phone, fields.phone);
    }
}
