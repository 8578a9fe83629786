//! Email through Twilio SendGrid's v3 Mail Send API with the tenant's own key.

use crate::domain::channel::EmailChannel;
use crate::outbound::Outbound;
use serde_json::json;
use std::time::Duration;

pub const DEFAULT_API_BASE: &str = "https://api.sendgrid.com";
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct SendGridApi {
    outbound: Outbound,
    base: String,
}

/// One email: to whom, what, and for marketing email the recipient's own unsubscribe URL.
pub struct Email<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub unsubscribe_url: Option<&'a str>,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("SendGrid refused the email with HTTP {status}")]
    Refused { status: u16 },
    #[error("SendGrid could not be reached or failed")]
    Unknown(#[source] crate::error::BoxError),
}

impl SendGridApi {
    pub fn new(outbound: Outbound, base: impl Into<String>) -> Self {
        Self {
            outbound,
            base: base.into().trim_end_matches('/').to_owned(),
        }
    }

    /// The request body SendGrid receives. Marketing email carries RFC 8058 one-click unsubscribe
    /// headers and the link in its text.
    pub fn request_body(channel: &EmailChannel, email: &Email) -> serde_json::Value {
        let mut text = email.text.to_owned();
        let mut body = json!({
            "personalizations": [{ "to": [{ "email": email.to }] }],
            "from": { "email": channel.from_email.as_str(), "name": channel.from_name },
            "subject": email.subject,
        });
        if let Some(url) = email.unsubscribe_url {
            text.push_str(&format!("\n\n--\nUnsubscribe: {url}\n"));
            body["headers"] = json!({
                "List-Unsubscribe": format!("<{url}>"),
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            });
        }
        body["content"] = json!([{ "type": "text/plain", "value": text }]);
        body
    }

    /// Sends the email; SendGrid's message id on success.
    pub async fn send(
        &self,
        channel: &EmailChannel,
        email: &Email<'_>,
    ) -> Result<String, SendError> {
        let response = self
            .outbound
            .client()
            .post(format!("{}/v3/mail/send", self.base))
            .bearer_auth(channel.sendgrid_api_key.expose())
            .json(&Self::request_body(channel, email))
            .timeout(SEND_TIMEOUT)
            .send()
            .await
            .map_err(|e| SendError::Unknown(Box::new(e)))?;
        let status = response.status();
        if status.is_success() {
            let id = response
                .headers()
                .get("x-message-id")
                .and_then(|v| v.to_str().ok())
                .filter(|id| {
                    id.len() <= 100
                        && id
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                })
                .map(str::to_owned)
                .unwrap_or_default();
            return Ok(id);
        }
        if status.is_client_error() {
            return Err(SendError::Refused {
                status: status.as_u16(),
            });
        }
        Err(SendError::Unknown(
            format!("SendGrid answered {status}").into(),
        ))
    }
}
