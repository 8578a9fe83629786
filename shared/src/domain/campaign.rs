//! Campaigns: one promotional message to many contacts, each reached only with marketing consent.

use super::consent::Channel;
use super::consent::{ConsentState, Purpose};
use super::contact::{parse_tag, Contact};
use super::conversation::{Message, MessageStatus};
use super::{CampaignId, ContactId, ConversationId, InvalidField, MessageId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// At most this many contacts named one by one.
pub const CONTACT_IDS_LIMIT: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Audience {
    /// Contacts carrying any of these tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeSet<String>>,
    /// These contacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_ids: Option<Vec<ContactId>>,
}

impl Audience {
    pub fn parse(self) -> Result<Self, InvalidField> {
        match (&self.tags, &self.contact_ids) {
            (Some(tags), None) if !tags.is_empty() && tags.len() <= 20 => Ok(Self {
                tags: Some(tags.iter().map(|t| parse_tag(t)).collect::<Result<_, _>>()?),
                contact_ids: None,
            }),
            (None, Some(ids)) if !ids.is_empty() && ids.len() <= CONTACT_IDS_LIMIT => {
                let unique: BTreeSet<_> = ids.iter().cloned().collect();
                Ok(Self { tags: None, contact_ids: Some(unique.into_iter().collect()) })
            }
            _ => Err(InvalidField::new(
                "audience",
                format!("must be {{tags: [1 to 20 tags]}} or {{contact_ids: [1 to {CONTACT_IDS_LIMIT} ids]}}"),
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CampaignStatus {
    /// Accepted; the audience is being read, or messages queued for it are not sent yet.
    Sending,
    /// Every targeted contact was sent to, failed or skipped.
    Sent,
}

impl CampaignStatus {
    /// Sent once the whole audience has been read (`fanned_out`) and every contact it targeted has
    /// an outcome. The fan-out ends before the sends it queued: a campaign whose audience is read
    /// but whose messages still wait in the queue is still sending (and a page showing it keeps
    /// asking).
    pub fn of(fanned_out: bool, counts: &CampaignCounts) -> Self {
        let outcomes = counts.sent + counts.failed + counts.skipped.total();
        if fanned_out && outcomes >= counts.targeted {
            Self::Sent
        } else {
            Self::Sending
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Campaign {
    pub id: CampaignId,
    pub channel: Channel,
    pub subject: Option<String>,
    pub body: String,
    pub audience: Audience,
    pub created_by: UserId,
    pub created_at: String,
}

/// Why a targeted contact got no message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// No marketing consent on record for the channel.
    NoConsent,
    /// Marketing consent for the channel withdrawn (STOP, unsubscribe, 21610, …).
    OptedOut,
    /// No phone or email to send to.
    Invalid,
    /// The plan's messages for the month were used up.
    PlanLimit,
}

impl SkipReason {
    pub const ALL: [SkipReason; 4] = [
        Self::NoConsent,
        Self::OptedOut,
        Self::Invalid,
        Self::PlanLimit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoConsent => "no_consent",
            Self::OptedOut => "opted_out",
            Self::Invalid => "invalid",
            Self::PlanLimit => "plan_limit",
        }
    }
}

/// Whether a campaign on `channel` may message `contact`: `None` yes, else why not.
pub fn eligibility(contact: &Contact, channel: Channel) -> Option<SkipReason> {
    if !contact.reachable_on(channel) {
        return Some(SkipReason::Invalid);
    }
    match contact.consent_for(channel, Purpose::Marketing) {
        ConsentState::Granted => None,
        ConsentState::Withdrawn => Some(SkipReason::OptedOut),
        ConsentState::None => Some(SkipReason::NoConsent),
    }
}

/// Who an audience would reach on a channel, counted before sending with the rule the campaign
/// itself applies ([`eligibility`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AudienceCount {
    /// Contacts in the audience (each once, whatever tags it carries).
    pub contacts: u64,
    /// Those with marketing consent for the channel: whom the campaign would message.
    pub consented: u64,
    pub no_consent: u64,
    pub opted_out: u64,
    /// No phone or email for the channel.
    pub unreachable: u64,
}

impl AudienceCount {
    pub fn of<'a>(contacts: impl IntoIterator<Item = &'a Contact>, channel: Channel) -> Self {
        let mut count = Self::default();
        for contact in contacts {
            count.contacts += 1;
            match eligibility(contact, channel) {
                None => count.consented += 1,
                Some(SkipReason::NoConsent) => count.no_consent += 1,
                Some(SkipReason::OptedOut) => count.opted_out += 1,
                Some(SkipReason::Invalid | SkipReason::PlanLimit) => count.unreachable += 1,
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::consent::{ConsentEntry, ConsentSource};
    use crate::domain::contact::{ContactDraft, ContactFields};

    fn contact(phone: Option<&str>) -> Contact {
        let draft = ContactDraft {
            name: "Ada".into(),
            phone: phone.map(Into::into),
            ..Default::default()
        };
        ContactFields::parse(draft, None)
            .unwrap()
            .into_contact(ContactId::generate(), "t")
    }

    fn consent(granted: bool) -> ConsentEntry {
        ConsentEntry {
            channel: Channel::Sms,
            purpose: Purpose::Marketing,
            granted,
            source: ConsentSource::Keyword,
            evidence: "x".into(),
            recorded_by: "system".into(),
            at: "t".into(),
        }
    }

    #[test]
    fn only_contacts_with_marketing_consent_on_the_channel_are_messaged() {
        let mut ada = contact(Some("+14155550100"));
        assert_eq!(eligibility(&ada, Channel::Sms), Some(SkipReason::NoConsent));
        ada.record_consent(&consent(true));
        assert_eq!(eligibility(&ada, Channel::Sms), None);
        assert_eq!(
            eligibility(&ada, Channel::Whatsapp),
            Some(SkipReason::NoConsent)
        );
        assert_eq!(eligibility(&ada, Channel::Email), Some(SkipReason::Invalid));
        ada.record_consent(&consent(false));
        assert_eq!(eligibility(&ada, Channel::Sms), Some(SkipReason::OptedOut));
        assert_eq!(
            eligibility(&contact(None), Channel::Sms),
            Some(SkipReason::Invalid)
        );
    }

    #[test]
    fn an_audience_is_counted_by_the_rule_the_campaign_applies() {
        let mut granted = contact(Some("+14155550100"));
        granted.record_consent(&consent(true));
        let mut withdrawn = contact(Some("+14155550101"));
        withdrawn.record_consent(&consent(false));
        let silent = contact(Some("+14155550102"));
        let no_phone = contact(None);
        let all = [granted, withdrawn, silent, no_phone];
        assert_eq!(
            AudienceCount::of(&all, Channel::Sms),
            AudienceCount {
                contacts: 4,
                consented: 1,
                no_consent: 1,
                opted_out: 1,
                unreachable: 1,
            }
        );
        assert_eq!(AudienceCount::of(&all, Channel::Email).unreachable, 4);
    }

    #[test]
    fn an_audience_is_tags_or_ids_not_both_nor_neither() {
        let tags = Audience {
            tags: Some(["VIP".to_owned()].into()),
            contact_ids: None,
        }
        .parse()
        .unwrap();
        assert_eq!(tags.tags.unwrap().into_iter().collect::<Vec<_>>(), ["vip"]);
        assert!(Audience {
            tags: None,
            contact_ids: None
        }
        .parse()
        .is_err());
        assert!(Audience {
            tags: Some(BTreeSet::new()),
            contact_ids: None
        }
        .parse()
        .is_err());
        let both = Audience {
            tags: Some(["a".to_owned()].into()),
            contact_ids: Some(vec![ContactId::generate()]),
        };
        assert!(both.parse().is_err());
    }
}

/// How far a campaign got, counted as it goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CampaignCounts {
    /// Contacts in the audience that the fan-out has read.
    pub targeted: u64,
    /// Messages handed to the provider.
    pub sent: u64,
    pub delivered: u64,
    /// Refused by the provider, undelivered or failed.
    pub failed: u64,
    pub skipped: SkippedCounts,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SkippedCounts {
    pub no_consent: u64,
    pub opted_out: u64,
    pub invalid: u64,
    pub plan_limit: u64,
}

impl SkippedCounts {
    pub fn total(&self) -> u64 {
        self.no_consent + self.opted_out + self.invalid + self.plan_limit
    }
}

/// A counter of [`CampaignCounts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignCount {
    Targeted,
    Sent,
    Delivered,
    Failed,
    Skipped(SkipReason),
}

impl CampaignCount {
    pub const ALL: [CampaignCount; 8] = [
        Self::Targeted,
        Self::Sent,
        Self::Delivered,
        Self::Failed,
        Self::Skipped(SkipReason::NoConsent),
        Self::Skipped(SkipReason::OptedOut),
        Self::Skipped(SkipReason::Invalid),
        Self::Skipped(SkipReason::PlanLimit),
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Targeted => "targeted",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Skipped(SkipReason::NoConsent) => "skipped_no_consent",
            Self::Skipped(SkipReason::OptedOut) => "skipped_opted_out",
            Self::Skipped(SkipReason::Invalid) => "skipped_invalid",
            Self::Skipped(SkipReason::PlanLimit) => "skipped_plan_limit",
        }
    }

    pub fn add_to(self, counts: &mut CampaignCounts, n: u64) {
        let slot = match self {
            Self::Targeted => &mut counts.targeted,
            Self::Sent => &mut counts.sent,
            Self::Delivered => &mut counts.delivered,
            Self::Failed => &mut counts.failed,
            Self::Skipped(SkipReason::NoConsent) => &mut counts.skipped.no_consent,
            Self::Skipped(SkipReason::OptedOut) => &mut counts.skipped.opted_out,
            Self::Skipped(SkipReason::Invalid) => &mut counts.skipped.invalid,
            Self::Skipped(SkipReason::PlanLimit) => &mut counts.skipped.plan_limit,
        };
        *slot += n;
    }
}

/// What the fan-out did for one contact of a campaign, kept on the contact's claim, so a page read
/// again (its job redelivered after a failure) goes on where it stopped: a skip is final, a message
/// is queued again (its send job does nothing once the message has left `pending`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case", deny_unknown_fields)]
pub enum TargetOutcome {
    Skipped {
        reason: SkipReason,
    },
    Messaged {
        conversation_id: ConversationId,
        message_id: MessageId,
    },
}

/// What a campaign message's change from `before` to `after` adds to its campaign's counts, so the
/// store writes the count in the same transaction as the change: the send's outcome once (sent, or
/// failed when the provider refused), then a delivery outcome once, when a status first settles.
pub fn count_for_change(before: &Message, after: &Message) -> Option<CampaignCount> {
    use super::message::DeliveryStatus::{Delivered, Failed, Read, Undelivered};
    after.campaign_id.as_ref()?;
    let settled = |status: MessageStatus| match status {
        MessageStatus::Delivery(Delivered | Read) => Some(CampaignCount::Delivered),
        MessageStatus::Delivery(Failed | Undelivered) => Some(CampaignCount::Failed),
        _ => None,
    };
    let dispatching =
        |m: &Message| m.status == MessageStatus::Dispatching && m.error_code.is_none();
    if dispatching(before) && !dispatching(after) {
        // An unknown outcome (still dispatching, with an error code) counts as sent: the provider
        // may well have it.
        return Some(match after.status {
            MessageStatus::Delivery(Failed) => CampaignCount::Failed,
            _ => CampaignCount::Sent,
        });
    }
    match (settled(before.status), settled(after.status)) {
        (None, Some(count)) => Some(count),
        _ => None,
    }
}

#[cfg(test)]
mod counting_tests {
    use super::*;

    #[test]
    fn a_campaign_is_sent_when_its_audience_is_read_and_every_contact_has_an_outcome() {
        let mut counts = CampaignCounts {
            targeted: 2,
            ..CampaignCounts::default()
        };
        counts.skipped.no_consent = 1;
        assert_eq!(
            CampaignStatus::of(true, &counts),
            CampaignStatus::Sending,
            "read, but one message still waits in the queue"
        );
        counts.sent = 1;
        assert_eq!(CampaignStatus::of(false, &counts), CampaignStatus::Sending);
        assert_eq!(CampaignStatus::of(true, &counts), CampaignStatus::Sent);
        counts.sent = 0;
        counts.failed = 1;
        assert_eq!(CampaignStatus::of(true, &counts), CampaignStatus::Sent);
    }
    use crate::domain::conversation::Direction;
    use crate::domain::message::DeliveryStatus;

    fn message(status: MessageStatus, error: Option<&str>) -> Message {
        Message {
            id: MessageId::generate(),
            conversation_id: ConversationId::generate(),
            contact_id: ContactId::generate(),
            direction: Direction::Outbound,
            channel: Channel::Sms,
            body: "b".into(),
            subject: None,
            status,
            at: "t".into(),
            error_code: error.map(Into::into),
            provider_id: None,
            sent_by: None,
            campaign_id: Some(CampaignId::generate()),
            marketing: true,
        }
    }

    #[test]
    fn each_step_of_a_campaign_message_counts_once() {
        use DeliveryStatus::*;
        let pending = message(MessageStatus::Pending, None);
        let dispatching = message(MessageStatus::Dispatching, None);
        let at = |s| message(MessageStatus::Delivery(s), None);
        let cases = [
            (&pending, &dispatching, None, "the claim"),
            (
                &dispatching,
                &at(Queued),
                Some(CampaignCount::Sent),
                "accepted",
            ),
            (
                &dispatching,
                &at(Failed),
                Some(CampaignCount::Failed),
                "refused",
            ),
            (
                &dispatching,
                &message(MessageStatus::Dispatching, Some("outcome_unknown")),
                Some(CampaignCount::Sent),
                "unknown",
            ),
            (&at(Queued), &at(Sent), None, "moving on"),
            (
                &at(Sent),
                &at(Delivered),
                Some(CampaignCount::Delivered),
                "delivered",
            ),
            (
                &at(Sent),
                &at(Undelivered),
                Some(CampaignCount::Failed),
                "undelivered",
            ),
            (&at(Delivered), &at(Read), None, "settled already"),
        ];
        for (before, after, count, what) in cases {
            assert_eq!(count_for_change(before, after), count, "{what}");
        }
        let mut reply = at(Sent);
        reply.campaign_id = None;
        let mut delivered = reply.clone();
        delivered.status = MessageStatus::Delivery(Delivered);
        assert_eq!(
            count_for_change(&reply, &delivered),
            None,
            "not a campaign's"
        );
    }
}
