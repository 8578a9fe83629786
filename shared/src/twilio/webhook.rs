//! What Twilio posts to our webhooks: a form (`application/x-www-form-urlencoded`), read into its
//! parameters once, bounded, before anything else looks at it; and the TwiML we answer with.

use crate::domain::message::DeliveryStatus;
use std::collections::BTreeMap;

/// Twilio's parameters fit easily: a 1,600-character body and a few dozen fields.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
pub const MAX_PARAMETERS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("the body is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
    #[error("the body has more than {MAX_PARAMETERS} parameters")]
    TooManyParameters,
    #[error("the body is not UTF-8 form data")]
    NotUtf8,
    #[error("a required parameter is missing: {0}")]
    Missing(&'static str),
    #[error("a parameter is malformed: {0}")]
    Malformed(&'static str),
}

/// The form's parameters in order, decoded. Repeated names stay repeated (the signature covers each).
pub fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>, FormError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(FormError::TooLarge);
    }
    std::str::from_utf8(body).map_err(|_| FormError::NotUtf8)?;
    let mut params = Vec::new();
    for (name, value) in form_urlencoded::parse(body) {
        if params.len() == MAX_PARAMETERS {
            return Err(FormError::TooManyParameters);
        }
        // Percent-decoding may yield invalid UTF-8, which `parse` replaces: refuse rather than guess.
        if name.contains('\u{fffd}') || value.contains('\u{fffd}') {
            return Err(FormError::NotUtf8);
        }
        params.push((name.into_owned(), value.into_owned()));
    }
    Ok(params)
}

fn lookup(params: &[(String, String)]) -> BTreeMap<&str, &str> {
    params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Twilio SIDs: two letters and 32 hexadecimal digits (`SM…`, `MM…`, `AC…`).
fn sid(value: Option<&&str>, name: &'static str) -> Result<String, FormError> {
    let value = value.ok_or(FormError::Missing(name))?;
    let ok = value.len() == 34
        && value[..2].bytes().all(|b| b.is_ascii_uppercase())
        && value[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok((*value).to_owned())
    } else {
        Err(FormError::Malformed(name))
    }
}

/// An inbound message (SMS or WhatsApp).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    pub message_sid: String,
    pub account_sid: String,
    /// E.164, or `whatsapp:+E164`.
    pub from: String,
    pub to: String,
    pub body: String,
    pub opt_out_type: Option<String>,
}

impl Inbound {
    pub fn from_params(params: &[(String, String)]) -> Result<Self, FormError> {
        let p = lookup(params);
        let text = |name: &'static str| {
            p.get(name)
                .map(|v| (*v).to_owned())
                .ok_or(FormError::Missing(name))
        };
        let body = p.get("Body").map(|v| (*v).to_owned()).unwrap_or_default();
        if body.chars().count() > 1_600 {
            return Err(FormError::Malformed("Body"));
        }
        Ok(Self {
            message_sid: sid(p.get("MessageSid"), "MessageSid")?,
            account_sid: sid(p.get("AccountSid"), "AccountSid")?,
            from: text("From")?,
            to: text("To")?,
            body,
            opt_out_type: p.get("OptOutType").map(|v| (*v).to_owned()),
        })
    }
}

/// A status callback for an outbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCallback {
    pub message_sid: String,
    pub account_sid: String,
    /// `None` for statuses that say nothing about delivery.
    pub status: Option<DeliveryStatus>,
    pub error_code: Option<String>,
}

impl StatusCallback {
    pub fn from_params(params: &[(String, String)]) -> Result<Self, FormError> {
        let p = lookup(params);
        let status = p
            .get("MessageStatus")
            .or(p.get("SmsStatus"))
            .ok_or(FormError::Missing("MessageStatus"))?;
        let error_code = match p.get("ErrorCode").map(|c| c.trim()) {
            None | Some("") | Some("0") => None,
            Some(code) if code.len() <= 10 && code.bytes().all(|b| b.is_ascii_digit()) => {
                Some(code.to_owned())
            }
            Some(_) => return Err(FormError::Malformed("ErrorCode")),
        };
        Ok(Self {
            message_sid: sid(p.get("MessageSid").or(p.get("SmsSid")), "MessageSid")?,
            account_sid: sid(p.get("AccountSid"), "AccountSid")?,
            status: DeliveryStatus::parse(status),
            error_code,
        })
    }
}

/// Twilio's error code for a message to a recipient who replied STOP.
pub const UNSUBSCRIBED_RECIPIENT: &str = "21610";

/// The empty answer: nothing to send back.
pub const EMPTY_TWIML: &str = "<Response/>";

/// An answer sending `text` back to the sender.
pub fn reply_twiml(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c => escaped.push(c),
        }
    }
    format!("<Response><Message>{escaped}</Message></Response>")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SM: &str = "SM0123456789abcdef0123456789abcdef";
    const AC: &str = "AC0123456789abcdef0123456789abcdef";

    #[test]
    fn a_form_is_decoded_in_order_and_bounded() {
        let params = parse_form(b"Body=Hello+there%21&From=%2B14155550100&Body=again").unwrap();
        assert_eq!(params[0], ("Body".into(), "Hello there!".into()));
        assert_eq!(params[1].1, "+14155550100");
        assert_eq!(params.len(), 3);
        assert_eq!(
            parse_form(&vec![b'a'; MAX_BODY_BYTES + 1]),
            Err(FormError::TooLarge)
        );
        assert_eq!(parse_form(b"Body=%ff"), Err(FormError::NotUtf8));
        assert_eq!(parse_form(b"\xff"), Err(FormError::NotUtf8));
        let many = (0..=MAX_PARAMETERS)
            .map(|i| format!("p{i}=1"))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(
            parse_form(many.as_bytes()),
            Err(FormError::TooManyParameters)
        );
    }

    #[test]
    fn an_inbound_message_needs_its_sids_and_numbers() {
        let form = format!("MessageSid={SM}&AccountSid={AC}&From=%2B14155550100&To=%2B14155550199&Body=STOP&OptOutType=STOP");
        let inbound = Inbound::from_params(&parse_form(form.as_bytes()).unwrap()).unwrap();
        assert_eq!(inbound.body, "STOP");
        assert_eq!(inbound.opt_out_type.as_deref(), Some("STOP"));
        let missing = Inbound::from_params(&parse_form(b"Body=x").unwrap());
        assert_eq!(missing, Err(FormError::Missing("MessageSid")));
        let forged = format!("MessageSid=SM%23x&AccountSid={AC}&From=a&To=b");
        assert_eq!(
            Inbound::from_params(&parse_form(forged.as_bytes()).unwrap()),
            Err(FormError::Malformed("MessageSid"))
        );
    }

    #[test]
    fn a_status_callback_carries_the_status_and_error_code() {
        let form =
            format!("MessageSid={SM}&AccountSid={AC}&MessageStatus=undelivered&ErrorCode=21610");
        let callback = StatusCallback::from_params(&parse_form(form.as_bytes()).unwrap()).unwrap();
        assert_eq!(callback.status, Some(DeliveryStatus::Undelivered));
        assert_eq!(callback.error_code.as_deref(), Some(UNSUBSCRIBED_RECIPIENT));
        let odd = format!("MessageSid={SM}&AccountSid={AC}&MessageStatus=receiving");
        assert_eq!(
            StatusCallback::from_params(&parse_form(odd.as_bytes()).unwrap())
                .unwrap()
                .status,
            None
        );
    }

    #[test]
    fn twiml_replies_are_escaped() {
        assert_eq!(
            reply_twiml("Tom & Jerry <3"),
            "<Response><Message>Tom &amp; Jerry &lt;3</Message></Response>"
        );
    }
}
