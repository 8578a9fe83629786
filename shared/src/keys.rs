//! The single-table key layout. Every item of a tenant lives under partition `T#<tenant id>`; the only
//! other items are membership pointers `U#<user id>` / `T#<tenant id>`, so every item's key names its
//! tenant and the encryption layer can pick the tenant's branch key from the key alone.

use crate::domain::consent::Channel;
use crate::domain::{
    AnalysisId, CampaignId, ChannelId, ConsentEntryId, ContactId, ConversationId, MessageId,
    TemplateId, TenantId, UserId,
};

pub const TENANT_PREFIX: &str = "T#";
pub const USER_PREFIX: &str = "U#";

pub fn tenant_pk(tenant: &TenantId) -> String {
    format!("{TENANT_PREFIX}{tenant}")
}

pub fn user_pk(user: &UserId) -> String {
    format!("{USER_PREFIX}{user}")
}

pub const TENANT_SK: &str = "TENANT";
pub const PROFILE_SK: &str = "PROFILE";
pub const MEMBER_PREFIX: &str = "M#";
pub const AUDIT_PREFIX: &str = "A#";
pub const ANALYSIS_PREFIX: &str = "AN#";
pub const TEMPLATE_PREFIX: &str = "AT#";
pub const USAGE_PREFIX: &str = "USAGE#";
pub const SUBSCRIPTION_SK: &str = "SUBSCRIPTION";
pub const STRIPE_EVENT_PREFIX: &str = "SE#";
pub const CONTACT_PREFIX: &str = "CT#";
/// A tenant's channel settings: `CHANNEL#twilio`, `CHANNEL#email`.
pub const CHANNEL_PREFIX: &str = "CHANNEL#";
/// Partition of the pointer from a Twilio channel id (in webhook URLs) to its tenant (sort key
/// `T#<tenant id>`).
pub const CHANNEL_POINTER_PREFIX: &str = "CH#";
pub const CONVERSATION_PREFIX: &str = "CV#";
/// A conversation's messages: `MS#<conversation id>#<message id>`.
pub const MESSAGE_PREFIX: &str = "MS#";
/// The open conversation of a contact on a channel: `OC#<contact id>#<channel>`.
pub const OPEN_CONVERSATION_PREFIX: &str = "OC#";
/// A provider's message id (Twilio `MessageSid`) → our message: `PM#<provider id>`.
pub const PROVIDER_MESSAGE_PREFIX: &str = "PM#";
pub const CAMPAIGN_PREFIX: &str = "CA#";
pub const CAMPAIGN_TARGET_PREFIX: &str = "CAT#";
/// A contact's consent ledger: `CN#<contact id>#<entry id>`.
pub const CONSENT_PREFIX: &str = "CN#";
/// The tenant's contact counter (plan limit).
/// Shards of the tenant's name dictionary ([`super::names`]).
pub const NAMES_PREFIX: &str = "NAMES#";

pub fn names_sk(shard: u64) -> String {
    format!("{NAMES_PREFIX}{shard:02}")
}

pub const CONTACT_COUNT_SK: &str = "CONTACT_COUNT";
/// The tenant's Stripe customer id.
pub const STRIPE_CUSTOMER_SK: &str = "STRIPE_CUSTOMER";
/// Partition of the pointer from a Stripe customer to its tenant (sort key `T#<tenant id>`).
pub const STRIPE_CUSTOMER_PREFIX: &str = "SC#";

pub fn stripe_event_sk(event_id: &str) -> String {
    format!("{STRIPE_EVENT_PREFIX}{event_id}")
}

pub fn stripe_customer_pk(customer_id: &str) -> String {
    format!("{STRIPE_CUSTOMER_PREFIX}{customer_id}")
}

pub fn analysis_sk(id: &AnalysisId) -> String {
    format!("{ANALYSIS_PREFIX}{id}")
}

pub fn template_sk(id: &TemplateId) -> String {
    format!("{TEMPLATE_PREFIX}{id}")
}

/// `month` is `YYYY-MM`.
pub fn usage_sk(month: &str) -> String {
    format!("{USAGE_PREFIX}{month}")
}

pub fn contact_sk(id: &ContactId) -> String {
    format!("{CONTACT_PREFIX}{id}")
}

/// The prefix of one contact's ledger entries.
pub fn consent_prefix(contact: &ContactId) -> String {
    format!("{CONSENT_PREFIX}{contact}#")
}

pub fn consent_sk(contact: &ContactId, entry: &ConsentEntryId) -> String {
    format!("{}{entry}", consent_prefix(contact))
}

pub fn channel_sk(kind: &str) -> String {
    format!("{CHANNEL_PREFIX}{kind}")
}

pub fn channel_pointer_pk(id: &ChannelId) -> String {
    format!("{CHANNEL_POINTER_PREFIX}{id}")
}

pub fn conversation_sk(id: &ConversationId) -> String {
    format!("{CONVERSATION_PREFIX}{id}")
}

pub fn messages_prefix(conversation: &ConversationId) -> String {
    format!("{MESSAGE_PREFIX}{conversation}#")
}

pub fn message_sk(conversation: &ConversationId, message: &MessageId) -> String {
    format!("{}{message}", messages_prefix(conversation))
}

pub fn open_conversation_sk(contact: &ContactId, channel: Channel) -> String {
    format!("{OPEN_CONVERSATION_PREFIX}{contact}#{}", channel.as_str())
}

/// Provider ids are Twilio SIDs (`SM…`, `MM…`) or SendGrid ids: letters, digits, `-`, `_`, `.`.
pub fn provider_message_sk(provider_id: &str) -> String {
    format!("{PROVIDER_MESSAGE_PREFIX}{provider_id}")
}

pub fn campaign_sk(id: &CampaignId) -> String {
    format!("{CAMPAIGN_PREFIX}{id}")
}

/// A contact a campaign was sent to: `CAT#<campaign id>#<contact id>`, outside the `CA#` range
/// that lists campaigns.
pub fn campaign_target_sk(campaign: &CampaignId, contact: &ContactId) -> String {
    format!("{CAMPAIGN_TARGET_PREFIX}{campaign}#{contact}")
}

pub fn member_sk(user: &UserId) -> String {
    format!("{MEMBER_PREFIX}{user}")
}

/// Zero-padded so that the sort order of keys is the order of the chain.
pub fn audit_sk(seq: u64) -> String {
    format!("{AUDIT_PREFIX}{seq:020}")
}

/// The tenant an item belongs to, from its primary key.
pub fn tenant_of_key(pk: &str, sk: &str) -> Option<TenantId> {
    [pk, sk]
        .into_iter()
        .find_map(|k| k.strip_prefix(TENANT_PREFIX))
        .and_then(|raw| TenantId::parse(raw).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_key_names_its_tenant() {
        let tenant = TenantId::parse("t1").unwrap();
        let user = UserId::parse("u1").unwrap();
        assert_eq!(
            tenant_of_key(&tenant_pk(&tenant), PROFILE_SK),
            Some(tenant.clone())
        );
        assert_eq!(
            tenant_of_key(&user_pk(&user), &tenant_pk(&tenant)),
            Some(tenant)
        );
        assert_eq!(tenant_of_key("U#u1", "X"), None);
    }

    #[test]
    fn audit_keys_sort_in_chain_order() {
        assert!(audit_sk(9) < audit_sk(10));
        assert!(audit_sk(99_999) < audit_sk(100_000));
    }
}
