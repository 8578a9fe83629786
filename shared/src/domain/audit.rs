//! The audit log's hash chain.
//!
//! Each tenant's entries are numbered 1, 2, 3, … and each holds the hash of its predecessor, so an
//! entry that is altered, removed or inserted breaks every link after it. Entries carry ids only
//! (actor, target, request id), never names, emails or content.

use super::billing::{Plan, SubscriptionStatus};
use super::{AnalysisId, CampaignId, ContactId, ConversationId, TemplateId, UserId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// The hash that the first entry of every chain points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, as recorded. The names are stable: they are filters in `GET /v1/audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum AuditAction {
    #[serde(rename = "tenant.created")]
    TenantCreated,
    #[serde(rename = "auth.login")]
    Login,
    #[serde(rename = "auth.mfa_enabled")]
    MfaEnabled,
    #[serde(rename = "auth.logout")]
    Logout,
    #[serde(rename = "tenant.read")]
    TenantRead,
    #[serde(rename = "tenant.updated")]
    TenantUpdated,
    #[serde(rename = "profile.read")]
    ProfileRead,
    #[serde(rename = "profile.updated")]
    ProfileUpdated,
    #[serde(rename = "members.listed")]
    MembersListed,
    #[serde(rename = "member.invited")]
    MemberInvited,
    #[serde(rename = "member.role_changed")]
    MemberRoleChanged,
    #[serde(rename = "member.removed")]
    MemberRemoved,
    #[serde(rename = "audit.read")]
    AuditRead,
    #[serde(rename = "audit.verified")]
    AuditVerified,
    #[serde(rename = "analysis.created")]
    AnalysisCreated,
    #[serde(rename = "analyses.listed")]
    AnalysesListed,
    #[serde(rename = "analysis.read")]
    AnalysisRead,
    #[serde(rename = "analysis.retried")]
    AnalysisRetried,
    #[serde(rename = "analysis.deleted")]
    AnalysisDeleted,
    #[serde(rename = "analysis.report_downloaded")]
    AnalysisReportDownloaded,
    /// The worker sent the (pseudonymised) request to a GenAI provider; the target names the provider.
    #[serde(rename = "analysis.sent_to_provider")]
    AnalysisSentToProvider,
    #[serde(rename = "analysis_template.created")]
    TemplateCreated,
    #[serde(rename = "analysis_templates.listed")]
    TemplatesListed,
    #[serde(rename = "analysis_template.read")]
    TemplateRead,
    #[serde(rename = "analysis_template.updated")]
    TemplateUpdated,
    #[serde(rename = "analysis_template.deleted")]
    TemplateDeleted,
    #[serde(rename = "billing.read")]
    BillingRead,
    #[serde(rename = "billing.customer_linked")]
    BillingCustomerLinked,
    #[serde(rename = "billing.checkout_started")]
    BillingCheckoutStarted,
    #[serde(rename = "billing.checkout_completed")]
    BillingCheckoutCompleted,
    #[serde(rename = "billing.portal_opened")]
    BillingPortalOpened,
    #[serde(rename = "billing.subscription_changed")]
    BillingSubscriptionChanged,
    #[serde(rename = "billing.invoice_paid")]
    BillingInvoicePaid,
    #[serde(rename = "billing.payment_failed")]
    BillingPaymentFailed,
    #[serde(rename = "billing.trial_ending")]
    BillingTrialEnding,
    #[serde(rename = "contact.created")]
    ContactCreated,
    #[serde(rename = "contacts.listed")]
    ContactsListed,
    /// An exact lookup by email or phone (the target says which field, never the value).
    #[serde(rename = "contacts.looked_up")]
    ContactsLookedUp,
    #[serde(rename = "contact.read")]
    ContactRead,
    #[serde(rename = "contact.updated")]
    ContactUpdated,
    #[serde(rename = "contact.deleted")]
    ContactDeleted,
    #[serde(rename = "contacts.imported")]
    ContactsImported,
    #[serde(rename = "consent.recorded")]
    ConsentRecorded,
    #[serde(rename = "consents.read")]
    ConsentsRead,
    #[serde(rename = "channel.configured")]
    ChannelConfigured,
    #[serde(rename = "channel.removed")]
    ChannelRemoved,
    /// A message came in from a contact (target: the conversation).
    #[serde(rename = "message.received")]
    MessageReceived,
    /// A member queued a reply (target: the conversation).
    #[serde(rename = "message.queued")]
    MessageQueued,
    /// The worker handed a message to Twilio or SendGrid (target: the conversation).
    #[serde(rename = "message.sent_to_provider")]
    MessageSentToProvider,
    #[serde(rename = "conversations.listed")]
    ConversationsListed,
    #[serde(rename = "conversation.read")]
    ConversationRead,
    #[serde(rename = "conversation.updated")]
    ConversationUpdated,
    #[serde(rename = "campaign.created")]
    CampaignCreated,
    #[serde(rename = "campaigns.listed")]
    CampaignsListed,
    #[serde(rename = "campaign.read")]
    CampaignRead,
    /// A campaign's audience was counted before sending (its contacts were read to learn consent).
    #[serde(rename = "campaign.audience_counted")]
    CampaignAudienceCounted,
}

impl AuditAction {
    pub fn parse(raw: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(raw.to_owned())).ok()
    }
}

/// What set the action off: a member's request, or Confide on its own in answer to a provider's
/// webhook, a queue message or a schedule. Entries written before sources were recorded read as `api`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditSource {
    #[default]
    Api,
    Webhook,
    Worker,
    Schedule,
}

impl AuditSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Webhook => "webhook",
            Self::Worker => "worker",
            Self::Schedule => "schedule",
        }
    }
}

/// What an action was done to, written as a path of ids (`contact/<id>`, `analysis/<id>`). One type
/// names every target, so each is spelled one way and an entry never holds more than ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditTarget {
    Tenant,
    Profile,
    Session,
    Audit,
    Members,
    Member(UserId),
    Billing,
    BillingCustomer,
    BillingPortal,
    Checkout,
    Invoice,
    Subscription,
    /// A subscription that changed to `plan` in `status`.
    SubscriptionChange {
        plan: Plan,
        status: SubscriptionStatus,
    },
    Plan(Plan),
    Analyses,
    Analysis(AnalysisId),
    /// An analysis's prompt, as sent to the named provider.
    AnalysisProvider {
        analysis: AnalysisId,
        provider: String,
    },
    AnalysisTemplates,
    AnalysisTemplate(TemplateId),
    TwilioChannel,
    EmailChannel,
    Contacts,
    /// A lookup of contacts by the named field (`email`, `phone`); the value looked up is not kept.
    ContactLookup(&'static str),
    ContactImport,
    Contact(ContactId),
    Conversations,
    Conversation(ConversationId),
    Campaigns,
    Campaign(CampaignId),
}

impl fmt::Display for AuditTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tenant => f.write_str("tenant"),
            Self::Profile => f.write_str("profile"),
            Self::Session => f.write_str("session"),
            Self::Audit => f.write_str("audit"),
            Self::Members => f.write_str("members"),
            Self::Member(id) => write!(f, "member/{id}"),
            Self::Billing => f.write_str("billing"),
            Self::BillingCustomer => f.write_str("customer"),
            Self::BillingPortal => f.write_str("portal"),
            Self::Checkout => f.write_str("checkout"),
            Self::Invoice => f.write_str("invoice"),
            Self::Subscription => f.write_str("subscription"),
            Self::SubscriptionChange { plan, status } => {
                write!(f, "subscription/{}/{}", plan.as_str(), status.as_str())
            }
            Self::Plan(plan) => write!(f, "plan/{}", plan.as_str()),
            Self::Analyses => f.write_str("analyses"),
            Self::Analysis(id) => write!(f, "analysis/{id}"),
            Self::AnalysisProvider { analysis, provider } => {
                write!(f, "analysis/{analysis}/provider/{provider}")
            }
            Self::AnalysisTemplates => f.write_str("analysis-templates"),
            Self::AnalysisTemplate(id) => write!(f, "analysis-template/{id}"),
            Self::TwilioChannel => f.write_str("channel/twilio"),
            Self::EmailChannel => f.write_str("channel/email"),
            Self::Contacts => f.write_str("contacts"),
            Self::ContactLookup(field) => write!(f, "contacts?{field}"),
            Self::ContactImport => f.write_str("contacts/import"),
            Self::Contact(id) => write!(f, "contact/{id}"),
            Self::Conversations => f.write_str("conversations"),
            Self::Conversation(id) => write!(f, "conversation/{id}"),
            Self::Campaigns => f.write_str("campaigns"),
            Self::Campaign(id) => write!(f, "campaign/{id}"),
        }
    }
}

/// What an entry says, before it is placed in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEvent {
    /// The user id who acted, or `system`.
    pub actor: String,
    pub action: AuditAction,
    /// What was acted on, as a path of ids: `tenant`, `profile`, `member/<user id>`.
    pub target: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub source_ip: String,
    /// API Gateway's request id for `api` and `webhook`, the SQS message id for `worker`, the
    /// schedule's event id for `schedule`.
    pub request_id: String,
    #[serde(default)]
    pub source: AuditSource,
}

/// An entry in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub seq: u64,
    #[serde(flatten)]
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// Places `event` after `previous` (or first in the chain).
    pub fn chain(previous: Option<&AuditEntry>, event: AuditEvent) -> Self {
        let (seq, prev_hash) = match previous {
            Some(p) => (p.seq + 1, p.hash.clone()),
            None => (1, GENESIS_HASH.to_owned()),
        };
        let hash = entry_hash(seq, &prev_hash, &event);
        Self {
            seq,
            event,
            prev_hash,
            hash,
        }
    }
}

/// SHA-256 over a fixed, unambiguous encoding: every field length-prefixed, in a fixed order.
fn entry_hash(seq: u64, prev_hash: &str, event: &AuditEvent) -> String {
    let action = serde_json::to_value(event.action)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(seq.to_be_bytes());
    for field in [
        prev_hash,
        &event.actor,
        &action,
        &event.target,
        &event.at,
        &event.source_ip,
        &event.request_id,
    ] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    // Hashed only where it is not `api`, so entries chained before sources were recorded verify as
    // they did; an entry whose source is changed to `api` no longer matches its hash.
    if event.source != AuditSource::Api {
        let source = event.source.as_str();
        hasher.update((source.len() as u64).to_be_bytes());
        hasher.update(source.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// The first link that does not hold, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BrokenLink {
    pub seq: u64,
    #[schema(value_type = String)]
    pub reason: &'static str,
}

/// Walks a chain in order, one entry at a time, so a long log can be verified page by page.
#[derive(Debug, Default)]
pub struct ChainVerifier {
    previous: Option<(u64, String)>,
    checked: u64,
}

impl ChainVerifier {
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// Checks the next entry; the first failure is final for the walk.
    pub fn check(&mut self, entry: &AuditEntry) -> Result<(), BrokenLink> {
        let (expected_seq, expected_prev) = match &self.previous {
            Some((seq, hash)) => (seq + 1, hash.as_str()),
            None => (1, GENESIS_HASH),
        };
        let broken = |reason| BrokenLink {
            seq: expected_seq,
            reason,
        };
        if entry.seq != expected_seq {
            return Err(broken("entry missing: sequence number skipped"));
        }
        if entry.prev_hash != expected_prev {
            return Err(broken("link to the previous entry does not match"));
        }
        if entry.hash != entry_hash(entry.seq, &entry.prev_hash, &entry.event) {
            return Err(broken("entry content does not match its hash"));
        }
        self.previous = Some((entry.seq, entry.hash.clone()));
        self.checked += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_paths_of_ids() {
        let contact = ContactId::parse("c-1").unwrap();
        assert_eq!(AuditTarget::Contact(contact).to_string(), "contact/c-1");
        let change = AuditTarget::SubscriptionChange {
            plan: Plan::Business,
            status: SubscriptionStatus::PastDue,
        };
        assert_eq!(change.to_string(), "subscription/business/past_due");
        assert_eq!(
            AuditTarget::ContactLookup("email").to_string(),
            "contacts?email"
        );
    }

    fn event(n: u32) -> AuditEvent {
        AuditEvent {
            actor: format!("user-{n}"),
            action: AuditAction::ProfileRead,
            target: "profile".into(),
            at: format!("2026-11-24T10:00:{n:02}Z"),
            source_ip: "192.0.2.1".into(),
            request_id: format!("req-{n}"),
            source: AuditSource::Api,
        }
    }

    fn chain_of(len: u32) -> Vec<AuditEntry> {
        let mut entries: Vec<AuditEntry> = Vec::new();
        for n in 0..len {
            let next = AuditEntry::chain(entries.last(), event(n));
            entries.push(next);
        }
        entries
    }

    fn verify(entries: &[AuditEntry]) -> Result<u64, BrokenLink> {
        let mut verifier = ChainVerifier::default();
        for e in entries {
            verifier.check(e)?;
        }
        Ok(verifier.checked())
    }

    #[test]
    fn an_untouched_chain_verifies_completely() {
        let entries = chain_of(5);
        assert_eq!(entries[0].prev_hash, GENESIS_HASH);
        assert_eq!(entries[3].prev_hash, entries[2].hash);
        assert_eq!(verify(&entries), Ok(5));
    }

    #[test]
    fn an_altered_field_is_caught_at_its_entry() {
        let mut entries = chain_of(5);
        entries[2].event.actor = "someone-else".into();
        assert_eq!(
            verify(&entries),
            Err(BrokenLink {
                seq: 3,
                reason: "entry content does not match its hash"
            })
        );
    }

    #[test]
    fn a_removed_entry_is_caught_where_the_gap_is() {
        let mut entries = chain_of(5);
        entries.remove(1);
        assert_eq!(verify(&entries).unwrap_err().seq, 2);
    }

    #[test]
    fn a_rehashed_forgery_still_breaks_the_next_link() {
        let mut entries = chain_of(4);
        let mut forged = event(9);
        forged.action = AuditAction::MemberRemoved;
        entries[1] = AuditEntry::chain(Some(&entries[0]), forged);
        assert_eq!(
            verify(&entries),
            Err(BrokenLink {
                seq: 3,
                reason: "link to the previous entry does not match"
            })
        );
    }

    #[test]
    fn field_boundaries_are_part_of_the_hash() {
        let mut a = event(1);
        let mut b = event(1);
        a.actor = "ab".into();
        a.target = "c".into();
        b.actor = "a".into();
        b.target = "bc".into();
        assert_ne!(
            entry_hash(1, GENESIS_HASH, &a),
            entry_hash(1, GENESIS_HASH, &b)
        );
    }

    /// An entry stored before sources were recorded has no `source`: it reads as `api` and verifies.
    #[test]
    fn entries_from_before_sources_still_verify_and_a_changed_source_does_not() {
        let mut entries = chain_of(3);
        let mut stored = serde_json::to_value(&entries[1]).unwrap();
        stored.as_object_mut().unwrap().remove("source");
        entries[1] = serde_json::from_value(stored).unwrap();
        assert_eq!(verify(&entries), Ok(3));

        let mut from_worker = event(7);
        from_worker.source = AuditSource::Worker;
        let mut worker_chain = vec![AuditEntry::chain(None, from_worker)];
        assert_eq!(verify(&worker_chain), Ok(1));
        worker_chain[0].event.source = AuditSource::Api;
        assert_eq!(verify(&worker_chain).unwrap_err().seq, 1);
    }

    #[test]
    fn actions_round_trip_through_their_names() {
        assert_eq!(
            AuditAction::parse("member.removed"),
            Some(AuditAction::MemberRemoved)
        );
        assert_eq!(AuditAction::parse("nope"), None);
    }
}
