//! Domain types and rules. Nothing here knows about Lambda, HTTP or DynamoDB: raw input is parsed into
//! these types once, at the edge, and the rest of the code only ever sees valid values.

pub mod analysis;
pub mod analysis_record;
pub mod analysis_template;
pub mod audit;
pub mod billing;
pub mod campaign;
pub mod channel;
pub mod consent;
pub mod contact;
pub mod contact_import;
pub mod conversation;
pub mod credentials;
pub mod email;
pub mod ids;
pub mod member;
pub mod message;
pub mod personal_data;
pub mod phone;
pub mod role;
pub mod tenant;
pub mod text;

pub use email::Email;
pub use ids::{
    AnalysisId, CampaignId, ChannelId, ConsentEntryId, ContactId, ConversationId, Id, MessageId,
    TemplateId, TenantId, UserId,
};
pub use role::{Permission, Role};

/// A value that failed to parse, with the field it came from so the API can say which one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidField {
    pub field: &'static str,
    pub message: String,
}

impl InvalidField {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
