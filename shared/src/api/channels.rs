//! Messaging channels as the API shows them: settings without secrets, and where to point Twilio.

use crate::domain::channel::{EmailChannel, TwilioChannel};
use crate::domain::{ChannelId, Email};
use serde::Serialize;
use utoipa::ToSchema;

/// The two URLs to paste into Twilio's console (phone number or messaging service settings).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookUrls {
    /// "A message comes in" (HTTP POST).
    pub messages: String,
    /// "Status callback URL" (HTTP POST); Confide also sends it with every message.
    pub status: String,
}

/// `GET /v1/channels/twilio`: the settings, never the auth token or API key secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TwilioChannelView {
    pub channel_id: ChannelId,
    pub account_sid: String,
    pub api_key_sid: Option<String>,
    pub messaging_service_sid: Option<String>,
    pub phone_numbers: Vec<String>,
    pub whatsapp_senders: Vec<String>,
    pub help_text: Option<String>,
    /// Whether an auth token is stored (it is never shown again).
    pub auth_token_set: bool,
    pub webhook_urls: WebhookUrls,
    pub updated_at: String,
}

impl TwilioChannelView {
    pub fn new(channel: &TwilioChannel, webhook_urls: WebhookUrls) -> Self {
        Self {
            channel_id: channel.id.clone(),
            account_sid: channel.account_sid.clone(),
            api_key_sid: channel.api_key.as_ref().map(|(sid, _)| sid.clone()),
            messaging_service_sid: channel.messaging_service_sid.clone(),
            phone_numbers: channel
                .phone_numbers
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            whatsapp_senders: channel.whatsapp_senders.clone(),
            help_text: channel.help_text.clone(),
            auth_token_set: true,
            webhook_urls,
            updated_at: channel.updated_at.clone(),
        }
    }
}

/// `GET /v1/channels/email`: the sender, never the SendGrid key.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmailChannelView {
    pub from_email: Email,
    pub from_name: String,
    pub sendgrid_api_key_set: bool,
    pub updated_at: String,
}

impl From<&EmailChannel> for EmailChannelView {
    fn from(channel: &EmailChannel) -> Self {
        Self {
            from_email: channel.from_email.clone(),
            from_name: channel.from_name.clone(),
            sendgrid_api_key_set: true,
            updated_at: channel.updated_at.clone(),
        }
    }
}
