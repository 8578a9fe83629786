//! Conversations and campaigns as the API shows them.

use crate::domain::campaign::{Audience, Campaign, CampaignCounts, CampaignStatus};
use crate::domain::consent::Channel;
use crate::domain::conversation::{Conversation, Message};
use crate::domain::{CampaignId, ContactId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `GET /v1/conversations/{id}`: the conversation and its messages in order, decrypted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationDetail {
    #[serde(flatten)]
    pub conversation: Conversation,
    pub messages: Vec<Message>,
}

/// `PATCH /v1/conversations/{id}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversationChange {
    /// `open`, `pending` or `closed`.
    pub status: Option<String>,
    /// A member's user id; `null` unassigns.
    #[serde(default, deserialize_with = "crate::domain::tenant::present")]
    #[schema(value_type = Option<String>)]
    pub assignee: Option<Option<UserId>>,
}

/// `POST /v1/conversations/{id}/messages`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    /// At most 1,600 characters.
    pub body: String,
}

/// `POST /v1/campaigns`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCampaign {
    pub channel: Channel,
    /// Email only (required there).
    #[serde(default)]
    pub subject: Option<String>,
    pub body: String,
    pub audience: Audience,
}

/// `POST /v1/campaigns/audience`: whom a campaign on `channel` to `audience` would reach.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AudienceQuery {
    pub channel: Channel,
    pub audience: Audience,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignAccepted {
    pub id: CampaignId,
    pub status: CampaignStatus,
}

/// A campaign with how far it got.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignView {
    #[serde(flatten)]
    pub campaign: Campaign,
    pub status: CampaignStatus,
    pub counts: CampaignCounts,
}

/// Filters of `GET /v1/conversations`, parsed.
#[derive(Debug, Clone, Default)]
pub struct ConversationFilter {
    pub status: Option<crate::domain::conversation::ConversationStatus>,
    pub channel: Option<Channel>,
    pub assignee: Option<UserId>,
    pub contact_id: Option<ContactId>,
}
