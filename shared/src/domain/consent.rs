//! The consent ledger: what each contact agreed to, per channel and purpose, as an
//! append-only list of entries. The current state is the newest entry per channel and purpose; nothing
//! is ever edited or removed, so the history proves what was known when a message was sent.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// How a message reaches a contact.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Sms,
    Whatsapp,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Sms, Channel::Whatsapp, Channel::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Whatsapp => "whatsapp",
            Self::Email => "email",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, super::InvalidField> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == raw)
            .ok_or_else(|| super::InvalidField::new("channel", "must be sms, whatsapp or email"))
    }
}

/// What a message is for: marketing needs consent on record; service replies inside a conversation
/// the contact started do not.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    Marketing,
    Service,
}

/// Where an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentSource {
    Import,
    WebForm,
    /// STOP/START and their kin, sent by the contact.
    Keyword,
    Agent,
    /// An unsubscribe link, or a carrier's report that the recipient unsubscribed (Twilio 21610).
    Unsubscribe,
}

/// One entry of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsentEntry {
    pub channel: Channel,
    pub purpose: Purpose,
    pub granted: bool,
    pub source: ConsentSource,
    /// What shows the consent or its withdrawal: a form's text, the keyword received, …
    pub evidence: String,
    /// A user id, or `system`.
    pub recorded_by: String,
    /// RFC 3339, UTC.
    pub at: String,
}

/// A channel and purpose's state, from the newest entry about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConsentState {
    Granted,
    Withdrawn,
    /// Nothing on record: no marketing may be sent.
    None,
}

/// The current state of every channel and purpose, given the ledger in the order it was written.
/// Entries are compared by time first; two at the same second keep the order they were appended in.
/// (A time that does not parse counts as older than any that does.)
pub fn current(entries: &[ConsentEntry]) -> BTreeMap<Channel, BTreeMap<Purpose, ConsentState>> {
    type Newest = (Option<OffsetDateTime>, usize, bool);
    let mut newest: BTreeMap<(Channel, Purpose), Newest> = BTreeMap::new();
    for (position, entry) in entries.iter().enumerate() {
        let at = OffsetDateTime::parse(&entry.at, &Rfc3339).ok();
        let candidate = (at, position, entry.granted);
        newest
            .entry((entry.channel, entry.purpose))
            .and_modify(|held| {
                if (candidate.0, candidate.1) >= (held.0, held.1) {
                    *held = candidate;
                }
            })
            .or_insert(candidate);
    }
    let mut state = BTreeMap::new();
    for channel in [Channel::Sms, Channel::Whatsapp, Channel::Email] {
        let purposes = state.entry(channel).or_insert_with(BTreeMap::new);
        for purpose in [Purpose::Marketing, Purpose::Service] {
            let value = match newest.get(&(channel, purpose)) {
                Some((_, _, true)) => ConsentState::Granted,
                Some((_, _, false)) => ConsentState::Withdrawn,
                None => ConsentState::None,
            };
            purposes.insert(purpose, value);
        }
    }
    state
}

/// Whether a marketing message may go to a contact with this ledger over `channel`.
pub fn may_market(entries: &[ConsentEntry], channel: Channel) -> bool {
    current(entries)[&channel][&Purpose::Marketing] == ConsentState::Granted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(channel: Channel, granted: bool, at: &str) -> ConsentEntry {
        ConsentEntry {
            channel,
            purpose: Purpose::Marketing,
            granted,
            source: ConsentSource::WebForm,
            evidence: "newsletter box ticked".into(),
            recorded_by: "system".into(),
            at: at.into(),
        }
    }

    #[test]
    fn nothing_on_record_means_no_marketing() {
        let state = current(&[]);
        assert_eq!(
            state[&Channel::Sms][&Purpose::Marketing],
            ConsentState::None
        );
        assert!(!may_market(&[], Channel::Email));
    }

    #[test]
    fn the_newest_entry_per_channel_and_purpose_decides() {
        let ledger = [
            entry(Channel::Sms, true, "2026-11-01T10:00:00Z"),
            entry(Channel::Email, true, "2026-11-01T10:00:00Z"),
            entry(Channel::Sms, false, "2026-11-02T10:00:00Z"),
        ];
        assert!(!may_market(&ledger, Channel::Sms), "STOP came later");
        assert!(
            may_market(&ledger, Channel::Email),
            "email is another channel"
        );
        assert_eq!(
            current(&ledger)[&Channel::Whatsapp][&Purpose::Marketing],
            ConsentState::None
        );
    }

    #[test]
    fn time_decides_over_the_order_written_and_the_order_written_breaks_ties() {
        // An import of an older form written after a withdrawal does not revive consent.
        let late_import = [
            entry(Channel::Sms, false, "2026-11-05T10:00:00Z"),
            entry(Channel::Sms, true, "2026-11-01T10:00:00Z"),
        ];
        assert!(!may_market(&late_import, Channel::Sms));
        // START right after STOP in the same second: the later written wins.
        let same_second = [
            entry(Channel::Sms, false, "2026-11-05T10:00:00Z"),
            entry(Channel::Sms, true, "2026-11-05T10:00:00Z"),
        ];
        assert!(may_market(&same_second, Channel::Sms));
        // Times compare as times, not as text: a fraction of a second is later than none.
        let fractions = [
            entry(Channel::Email, true, "2026-11-05T10:00:00.5Z"),
            entry(Channel::Email, false, "2026-11-05T10:00:00Z"),
        ];
        assert!(may_market(&fractions, Channel::Email));
    }
}
