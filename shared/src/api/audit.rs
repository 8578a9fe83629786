//! The audit log.

use crate::domain::audit::AuditEntry;
use serde::Serialize;
use utoipa::ToSchema;

/// Entries newest first; `next_cursor` (a sequence number) continues the listing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
}
