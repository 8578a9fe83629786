//! Sending through Twilio's REST Messages API with the tenant's own account.

use crate::domain::channel::{Sender, TwilioChannel};
use crate::outbound::Outbound;
use std::time::Duration;

pub const DEFAULT_API_BASE: &str = "https://api.twilio.com";
/// A send that takes longer is abandoned (and not retried: its outcome is unknown).
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct TwilioApi {
    outbound: Outbound,
    base: String,
}

/// What Twilio answered to an accepted message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Accepted {
    pub sid: String,
    pub status: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Twilio refused the message (HTTP 4xx with its error code, e.g. 21610).
    #[error("Twilio refused the message with error {code}")]
    Refused { code: String },
    /// No channel sender for this kind of message.
    #[error("the channel has no sender for this message")]
    NoSender,
    /// The outcome is unknown: a timeout, a connection failure or a 5xx.
    #[error("Twilio could not be reached or failed")]
    Unknown(#[source] crate::error::BoxError),
}

#[derive(serde::Deserialize)]
struct TwilioError {
    code: Option<u64>,
}

impl TwilioApi {
    pub fn new(outbound: Outbound, base: impl Into<String>) -> Self {
        Self {
            outbound,
            base: base.into().trim_end_matches('/').to_owned(),
        }
    }

    /// Sends `body` to `to` (E.164, or `whatsapp:+E164`), asking for status callbacks at `status_url`.
    pub async fn send(
        &self,
        channel: &TwilioChannel,
        to: &str,
        body: &str,
        status_url: &str,
    ) -> Result<Accepted, SendError> {
        let whatsapp = to.starts_with("whatsapp:");
        let sender = channel.sender(whatsapp).ok_or(SendError::NoSender)?;
        let mut form = vec![("To", to), ("Body", body), ("StatusCallback", status_url)];
        match &sender {
            Sender::From(from) => form.push(("From", from)),
            Sender::MessagingService(sid) => form.push(("MessagingServiceSid", sid)),
        }
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.base, channel.account_sid
        );
        let (user, password) = channel.credentials();
        let response = self
            .outbound
            .client()
            .post(url)
            .basic_auth(user, Some(password))
            .form(&form)
            .timeout(SEND_TIMEOUT)
            .send()
            .await
            .map_err(|e| SendError::Unknown(Box::new(e)))?;
        let status = response.status();
        if status.is_success() {
            return response
                .json::<Accepted>()
                .await
                .map_err(|e| SendError::Unknown(Box::new(e)));
        }
        if status.is_client_error() {
            let code = response
                .json::<TwilioError>()
                .await
                .ok()
                .and_then(|e| e.code)
                .map_or_else(|| format!("http_{}", status.as_u16()), |c| c.to_string());
            return Err(SendError::Refused { code });
        }
        Err(SendError::Unknown(
            format!("Twilio answered {status}").into(),
        ))
    }
}
