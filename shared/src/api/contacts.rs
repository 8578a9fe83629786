//! Contacts and their consent ledger; the contact itself is [`crate::domain::contact::Contact`].

use crate::domain::consent::{Channel, ConsentEntry, ConsentSource, Purpose};
use crate::domain::contact::ConsentSummary;
use crate::domain::contact_import::RejectedRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /v1/contacts/import`: what happened to each row.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ImportReport {
    pub created: u64,
    pub updated: u64,
    /// Rows whose contact already held exactly these values (a file imported twice).
    pub unchanged: u64,
    pub rejected: u64,
    /// Each rejected row with its line number in the file (the header is line 1) and the reason.
    pub rejected_rows: Vec<RejectedRow>,
}

/// `POST /v1/contacts/{id}/consents`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    pub channel: Channel,
    pub purpose: Purpose,
    pub granted: bool,
    /// How the contact gave or withdrew it. `keyword` and `unsubscribe` are recorded by Confide
    /// itself, from messages and unsubscribe links.
    pub source: ConsentSource,
    /// What proves it: the form's wording, the call's reference, … (at most 500 characters).
    #[schema(max_length = 500)]
    pub evidence: String,
}

/// `GET /v1/contacts/{id}/consents`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsentLedger {
    /// The newest entry's state per channel and purpose: `granted`, `withdrawn` or `none`.
    #[schema(value_type = Object)]
    pub current: ConsentSummary,
    /// Every entry, oldest first.
    pub history: Vec<ConsentEntry>,
}

/// `POST /v1/unsubscribe/{token}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Unsubscribed {
    pub unsubscribed: bool,
}
