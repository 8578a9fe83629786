//! Conversations with contacts, one per contact and channel at a time, and their messages.

use super::consent::Channel;
use super::message::DeliveryStatus;
use super::text::check_text;
use super::{CampaignId, ContactId, ConversationId, InvalidField, MessageId, UserId};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// An SMS may be up to 1,600 characters (Twilio splits it); so is a reply here.
pub const BODY_LIMIT: usize = 1_600;
/// WhatsApp's customer-service window: free-form replies only this long after the contact last wrote.
pub const WHATSAPP_WINDOW_SECONDS: i64 = 24 * 60 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConversationStatus {
    Open,
    Pending,
    Closed,
}

impl ConversationStatus {
    pub fn parse(raw: &str) -> Result<Self, InvalidField> {
        serde_json::from_value(serde_json::Value::String(raw.to_owned()))
            .map_err(|_| InvalidField::new("status", "must be open, pending or closed"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Inbound,
    Outbound,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Conversation {
    pub id: ConversationId,
    pub contact_id: ContactId,
    pub channel: Channel,
    pub status: ConversationStatus,
    pub assignee: Option<UserId>,
    /// Whether the contact wrote first: then replies are service messages, needing no marketing consent.
    pub started_by_contact: bool,
    pub last_inbound_at: Option<String>,
    pub last_activity_at: String,
    pub created_at: String,
}

impl Conversation {
    pub fn new(
        contact_id: ContactId,
        channel: Channel,
        started_by_contact: bool,
        now: &str,
    ) -> Self {
        Self {
            id: ConversationId::generate(),
            contact_id,
            channel,
            status: ConversationStatus::Open,
            assignee: None,
            started_by_contact,
            last_inbound_at: None,
            last_activity_at: now.to_owned(),
            created_at: now.to_owned(),
        }
    }

    /// Whether a free-form WhatsApp message may go out at `now`: only within 24 hours of the contact's
    /// last message. Other channels have no window.
    pub fn within_whatsapp_window(&self, now: OffsetDateTime) -> bool {
        if self.channel != Channel::Whatsapp {
            return true;
        }
        self.last_inbound_at
            .as_deref()
            .and_then(|at| OffsetDateTime::parse(at, &Rfc3339).ok())
            .is_some_and(|last| (now - last).whole_seconds() <= WHATSAPP_WINDOW_SECONDS)
    }
}

/// Where a message stands: inbound messages are `received`; outbound ones move through delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    Received,
    /// Stored and queued for the worker; not yet handed to the provider.
    Pending,
    /// The worker recorded its intent and called the provider. A message still here later had an
    /// unknown outcome (`error_code` `outcome_unknown`) and is never sent again.
    Dispatching,
    #[serde(untagged)]
    Delivery(DeliveryStatus),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub contact_id: ContactId,
    pub direction: Direction,
    pub channel: Channel,
    pub body: String,
    /// Email only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub status: MessageStatus,
    pub at: String,
    /// The provider's error code when delivery failed (Twilio's `ErrorCode`, e.g. 21610).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The provider's id for the message (Twilio's `MessageSid`, SendGrid's `X-Message-Id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// Who wrote an outbound message: a member's id, or `campaign`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<CampaignId>,
    /// Marketing (a campaign) or a service reply; decides which consent it needs.
    #[serde(default)]
    pub marketing: bool,
}

/// A message body a member or campaign writes: not empty, at most [`BODY_LIMIT`], no control text.
pub fn parse_body(raw: &str) -> Result<String, InvalidField> {
    let body = raw.trim();
    if body.is_empty() {
        return Err(InvalidField::new("body", "cannot be empty"));
    }
    if body.chars().count() > BODY_LIMIT {
        return Err(InvalidField::new(
            "body",
            format!("must be at most {BODY_LIMIT} characters"),
        ));
    }
    check_text("body", body, true)?;
    Ok(body.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whatsapp(last_inbound: Option<&str>) -> Conversation {
        let mut c = Conversation::new(
            ContactId::parse("c1").unwrap(),
            Channel::Whatsapp,
            true,
            "2026-11-01T00:00:00Z",
        );
        c.last_inbound_at = last_inbound.map(Into::into);
        c
    }

    #[test]
    fn whatsapp_replies_are_free_only_within_a_day_of_the_last_inbound_message() {
        let now = OffsetDateTime::parse("2026-11-02T10:00:00Z", &Rfc3339).unwrap();
        assert!(whatsapp(Some("2026-11-01T10:00:00Z")).within_whatsapp_window(now));
        assert!(!whatsapp(Some("2026-11-01T09:59:59Z")).within_whatsapp_window(now));
        assert!(
            !whatsapp(None).within_whatsapp_window(now),
            "the contact never wrote"
        );
        let mut sms = whatsapp(None);
        sms.channel = Channel::Sms;
        assert!(sms.within_whatsapp_window(now));
    }

    #[test]
    fn statuses_serialise_flat() {
        let s = |status| serde_json::to_value(status).unwrap();
        assert_eq!(s(MessageStatus::Received), "received");
        assert_eq!(
            s(MessageStatus::Delivery(DeliveryStatus::Delivered)),
            "delivered"
        );
        let back: MessageStatus = serde_json::from_str("\"failed\"").unwrap();
        assert_eq!(back, MessageStatus::Delivery(DeliveryStatus::Failed));
    }

    #[test]
    fn bodies_are_bounded_and_clean() {
        assert!(parse_body("  ").is_err());
        assert!(parse_body(&"x".repeat(BODY_LIMIT + 1)).is_err());
        assert_eq!(parse_body(" Hello\nthere ").unwrap(), "Hello\nthere");
    }
}
