//! Messaging channels a tenant connects: its own Twilio account (SMS and WhatsApp) and its own
//! SendGrid key (email). Secrets are write-only: they are stored encrypted and never answered.

use super::phone::PhoneE164;
use super::text::{check_text, quote};
use super::{ChannelId, Email, InvalidField};
use serde::{Deserialize, Serialize};
use std::fmt;

pub const HELP_TEXT_LIMIT: usize = 320;
pub const SENDERS_LIMIT: usize = 20;

/// A secret as stored: never printed, never serialised into an answer.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The tenant's Twilio account as Confide uses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwilioChannel {
    pub id: ChannelId,
    pub account_sid: String,
    pub auth_token: Secret,
    /// An API key pair, used for sending instead of the auth token when set.
    pub api_key: Option<(String, Secret)>,
    pub messaging_service_sid: Option<String>,
    pub phone_numbers: Vec<PhoneE164>,
    /// `whatsapp:+E164` senders.
    pub whatsapp_senders: Vec<String>,
    pub help_text: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// `PUT /v1/channels/twilio`. Secrets may be left out when the channel exists: they are kept.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwilioChannelDraft {
    /// `AC` and 32 hexadecimal digits.
    pub account_sid: String,
    /// Write-only; required when the channel is first connected.
    #[serde(default)]
    pub auth_token: Option<String>,
    /// `SK` and 32 hexadecimal digits; with `api_key_secret`, sends use the key pair.
    #[serde(default)]
    pub api_key_sid: Option<String>,
    /// Write-only.
    #[serde(default)]
    pub api_key_secret: Option<String>,
    /// `MG` and 32 hexadecimal digits; sends go through the service instead of a `From` number.
    #[serde(default)]
    pub messaging_service_sid: Option<String>,
    /// The tenant's SMS numbers in E.164.
    #[serde(default)]
    pub phone_numbers: Vec<String>,
    /// `whatsapp:+E164` senders.
    #[serde(default)]
    pub whatsapp_senders: Vec<String>,
    /// Answered to HELP and INFO (at most 320 characters).
    #[serde(default)]
    pub help_text: Option<String>,
}

fn sid(field: &'static str, prefix: &str, raw: &str) -> Result<String, InvalidField> {
    let raw = raw.trim();
    let ok = raw.len() == 34
        && raw.starts_with(prefix)
        && raw[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(InvalidField::new(
            field,
            format!("must be {prefix} followed by 32 hexadecimal digits"),
        ))
    }
}

fn secret(field: &'static str, raw: &str) -> Result<Secret, InvalidField> {
    let raw = raw.trim();
    let ok = (16..=200).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(Secret(raw.to_owned()))
    } else {
        Err(InvalidField::new(
            field,
            "must be 16 to 200 printable characters",
        ))
    }
}

/// `whatsapp:+E164`, as Twilio spells WhatsApp senders and recipients.
pub fn whatsapp_address(raw: &str) -> Result<String, InvalidField> {
    let invalid = || {
        InvalidField::new(
            "whatsapp_senders",
            format!("{} is not whatsapp:+E164", quote(raw)),
        )
    };
    let number = raw.trim().strip_prefix("whatsapp:").ok_or_else(invalid)?;
    let phone = PhoneE164::parse(number, None).map_err(|_| invalid())?;
    Ok(format!("whatsapp:{}", phone.as_str()))
}

impl TwilioChannelDraft {
    /// The channel this draft describes; `current` supplies the id, creation time and any secret
    /// left out.
    pub fn parse(
        self,
        current: Option<&TwilioChannel>,
        now: &str,
    ) -> Result<TwilioChannel, InvalidField> {
        let account_sid = sid("account_sid", "AC", &self.account_sid)?;
        let same_account = current.is_some_and(|c| c.account_sid == account_sid);
        let auth_token = match (&self.auth_token, current) {
            (Some(token), _) => secret("auth_token", token)?,
            (None, Some(c)) if same_account => c.auth_token.clone(),
            (None, _) => {
                return Err(InvalidField::new(
                    "auth_token",
                    "is required for a new account",
                ))
            }
        };
        let api_key = match (&self.api_key_sid, &self.api_key_secret) {
            (None, None) => None,
            (Some(key), Some(value)) => Some((
                sid("api_key_sid", "SK", key)?,
                secret("api_key_secret", value)?,
            )),
            (Some(key), None) => {
                let key = sid("api_key_sid", "SK", key)?;
                let kept = current
                    .and_then(|c| c.api_key.as_ref())
                    .filter(|(held, _)| *held == key && same_account)
                    .map(|(_, value)| value.clone())
                    .ok_or_else(|| {
                        InvalidField::new("api_key_secret", "is required with a new api_key_sid")
                    })?;
                Some((key, kept))
            }
            (None, Some(_)) => {
                return Err(InvalidField::new(
                    "api_key_sid",
                    "is required with api_key_secret",
                ))
            }
        };
        let messaging_service_sid = self
            .messaging_service_sid
            .as_deref()
            .map(|raw| sid("messaging_service_sid", "MG", raw))
            .transpose()?;
        if self.phone_numbers.len() > SENDERS_LIMIT || self.whatsapp_senders.len() > SENDERS_LIMIT {
            return Err(InvalidField::new(
                "phone_numbers",
                format!("at most {SENDERS_LIMIT} senders of each kind"),
            ));
        }
        let phone_numbers = self
            .phone_numbers
            .iter()
            .map(|raw| {
                PhoneE164::parse(raw, None).map_err(|_| {
                    InvalidField::new(
                        "phone_numbers",
                        format!("{} is not an E.164 number", quote(raw)),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let whatsapp_senders = self
            .whatsapp_senders
            .iter()
            .map(|raw| whatsapp_address(raw))
            .collect::<Result<Vec<_>, _>>()?;
        if phone_numbers.is_empty()
            && whatsapp_senders.is_empty()
            && messaging_service_sid.is_none()
        {
            return Err(InvalidField::new(
                "phone_numbers",
                "name at least one number, WhatsApp sender or messaging service",
            ));
        }
        let help_text = match self.help_text.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => {
                check_text("help_text", text, false)?;
                if text.chars().count() > HELP_TEXT_LIMIT {
                    return Err(InvalidField::new(
                        "help_text",
                        format!("must be at most {HELP_TEXT_LIMIT} characters"),
                    ));
                }
                Some(text.to_owned())
            }
        };
        Ok(TwilioChannel {
            id: current.map_or_else(ChannelId::generate, |c| c.id.clone()),
            account_sid,
            auth_token,
            api_key,
            messaging_service_sid,
            phone_numbers,
            whatsapp_senders,
            help_text,
            created_at: current.map_or_else(|| now.to_owned(), |c| c.created_at.clone()),
            updated_at: now.to_owned(),
        })
    }
}

impl TwilioChannel {
    /// The sender for a message on `whatsapp` or SMS: the messaging service, else the first number.
    pub fn sender(&self, whatsapp: bool) -> Option<Sender> {
        if let Some(service) = &self.messaging_service_sid {
            return Some(Sender::MessagingService(service.clone()));
        }
        if whatsapp {
            self.whatsapp_senders.first().cloned().map(Sender::From)
        } else {
            self.phone_numbers
                .first()
                .map(|p| Sender::From(p.as_str().to_owned()))
        }
    }

    /// HTTP Basic credentials for Twilio's REST API: the API key pair if set, else SID and token.
    pub fn credentials(&self) -> (&str, &str) {
        match &self.api_key {
            Some((key, secret)) => (key, secret.expose()),
            None => (&self.account_sid, self.auth_token.expose()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    From(String),
    MessagingService(String),
}

/// The tenant's SendGrid sender.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailChannel {
    pub from_email: Email,
    pub from_name: String,
    pub sendgrid_api_key: Secret,
    pub created_at: String,
    pub updated_at: String,
}

/// `PUT /v1/channels/email`; the key may be left out to keep the stored one.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChannelDraft {
    pub from_email: String,
    #[serde(default)]
    pub from_name: String,
    /// Write-only; required when the channel is first connected.
    #[serde(default)]
    pub sendgrid_api_key: Option<String>,
}

impl EmailChannelDraft {
    pub fn parse(
        self,
        current: Option<&EmailChannel>,
        now: &str,
    ) -> Result<EmailChannel, InvalidField> {
        let from_email = Email::parse(&self.from_email)
            .map_err(|e| InvalidField::new("from_email", e.message))?;
        let from_name = self.from_name.trim().to_owned();
        check_text("from_name", &from_name, false)?;
        if from_name.chars().count() > 100 {
            return Err(InvalidField::new(
                "from_name",
                "must be at most 100 characters",
            ));
        }
        let sendgrid_api_key = match (&self.sendgrid_api_key, current) {
            (Some(key), _) => secret("sendgrid_api_key", key)?,
            (None, Some(c)) => c.sendgrid_api_key.clone(),
            (None, None) => {
                return Err(InvalidField::new(
                    "sendgrid_api_key",
                    "is required for a new channel",
                ))
            }
        };
        Ok(EmailChannel {
            from_email,
            from_name,
            sendgrid_api_key,
            created_at: current.map_or_else(|| now.to_owned(), |c| c.created_at.clone()),
            updated_at: now.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SID: &str = "AC0123456789abcdef0123456789abcdef";
    const TOKEN: &str = "feedfacefeedfacefeedfacefeedface";

    fn draft() -> TwilioChannelDraft {
        TwilioChannelDraft {
            account_sid: SID.into(),
            auth_token: Some(TOKEN.into()),
            api_key_sid: None,
            api_key_secret: None,
            messaging_service_sid: None,
            phone_numbers: vec!["+14155550100".into()],
            whatsapp_senders: vec!["whatsapp:+14155550101".into()],
            help_text: Some("Reply STOP to stop.".into()),
        }
    }

    #[test]
    fn a_channel_keeps_its_id_and_secrets_across_updates() {
        let first = draft().parse(None, "t1").unwrap();
        let mut again = draft();
        again.auth_token = None;
        let second = again.parse(Some(&first), "t2").unwrap();
        assert_eq!(second.id, first.id);
        assert_eq!(second.auth_token, first.auth_token);
        assert_eq!(second.created_at, "t1");
        let mut other_account = draft();
        other_account.account_sid = "AC1123456789abcdef0123456789abcdef".into();
        other_account.auth_token = None;
        assert_eq!(
            other_account.parse(Some(&first), "t3").unwrap_err().field,
            "auth_token"
        );
    }

    #[test]
    fn sids_senders_and_secrets_are_checked() {
        let mut bad = draft();
        bad.account_sid = "AC123".into();
        assert_eq!(bad.parse(None, "t").unwrap_err().field, "account_sid");
        let mut bad = draft();
        bad.whatsapp_senders = vec!["+14155550101".into()];
        assert_eq!(bad.parse(None, "t").unwrap_err().field, "whatsapp_senders");
        let mut bad = draft();
        bad.phone_numbers.clear();
        bad.whatsapp_senders.clear();
        assert_eq!(bad.parse(None, "t").unwrap_err().field, "phone_numbers");
        let mut bad = draft();
        bad.api_key_secret = Some(TOKEN.into());
        assert_eq!(bad.parse(None, "t").unwrap_err().field, "api_key_sid");
    }

    #[test]
    fn the_api_key_pair_is_preferred_for_sending() {
        let mut with_key = draft();
        with_key.api_key_sid = Some("SK0123456789abcdef0123456789abcdef".into());
        with_key.api_key_secret = Some("fedcba9876543210fedcba9876543210".into());
        let channel = with_key.parse(None, "t").unwrap();
        assert_eq!(
            channel.credentials().0,
            "SK0123456789abcdef0123456789abcdef"
        );
        let plain = draft().parse(None, "t").unwrap();
        assert_eq!(plain.credentials(), (SID, TOKEN));
        assert_eq!(
            plain.sender(true),
            Some(Sender::From("whatsapp:+14155550101".into()))
        );
        assert!(!format!("{plain:?}").contains(TOKEN), "secrets never print");
    }
}
