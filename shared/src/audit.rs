//! Appending to and verifying a tenant's audit chain in the store.

use crate::domain::audit::{AuditEntry, AuditEvent, BrokenLink, ChainVerifier};
use crate::domain::TenantId;
use crate::store::{Store, StoreError};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

/// Concurrent appends race for the next sequence number; the loser reads the new head and tries again.
const MAX_APPEND_ATTEMPTS: u32 = 25;
const VERIFY_PAGE: i32 = 200;

/// The newest entry this process appended per tenant. A warm instance appends after it without
/// reading the head first (one request instead of two); if another instance appended meanwhile, the
/// conditional write fails and the head is read as before, so the chain stays exact.
static KNOWN_HEADS: LazyLock<Mutex<HashMap<TenantId, AuditEntry>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Tenants an instance remembers heads for; past it the memory starts over (a cost, never an error).
const KNOWN_HEADS_LIMIT: usize = 1_000;

fn known_head(tenant: &TenantId) -> Option<AuditEntry> {
    KNOWN_HEADS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(tenant)
        .cloned()
}

fn remember_head(tenant: &TenantId, entry: Option<AuditEntry>) {
    let mut heads = KNOWN_HEADS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match entry {
        Some(entry) => {
            if heads.len() >= KNOWN_HEADS_LIMIT && !heads.contains_key(tenant) {
                heads.clear();
            }
            heads.insert(tenant.clone(), entry);
        }
        None => {
            heads.remove(tenant);
        }
    }
}

/// Appends `event` as the next entry of the tenant's chain. The conditional write on the entry's
/// sequence number serialises appends: no two entries share a number and none is skipped.
pub async fn append(
    store: &Store,
    tenant: &TenantId,
    event: AuditEvent,
) -> Result<AuditEntry, StoreError> {
    let mut head = known_head(tenant);
    for attempt in 0..MAX_APPEND_ATTEMPTS {
        if head.is_none() || attempt > 0 {
            head = store.last_audit_entry(tenant).await?;
        }
        let entry = AuditEntry::chain(head.as_ref(), event.clone());
        match store.insert_audit_entry(tenant, &entry).await {
            Ok(()) => {
                remember_head(tenant, Some(entry.clone()));
                return Ok(entry);
            }
            Err(StoreError::ConditionFailed) if attempt == 0 && head.is_some() => {
                // Another instance appended since: read the head at once, no wait.
                remember_head(tenant, None);
            }
            Err(StoreError::ConditionFailed) => {
                let jitter = u64::from(uuid::Uuid::new_v4().as_bytes()[0] % 20);
                tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt) + jitter)).await;
            }
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Request(
        format!("audit append lost {MAX_APPEND_ATTEMPTS} races in a row").into(),
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerifyReport {
    pub valid: bool,
    pub entries_checked: u64,
    pub first_broken_link: Option<BrokenLink>,
}

/// Walks the whole chain from the first entry. An entry whose signature or encryption does not verify
/// (altered in the table by someone without the tenant's key) is reported as broken like any other.
pub async fn verify(store: &Store, tenant: &TenantId) -> Result<VerifyReport, StoreError> {
    let mut verifier = ChainVerifier::default();
    let mut after = None;
    let report = |verifier: &ChainVerifier, broken: Option<BrokenLink>| VerifyReport {
        valid: broken.is_none(),
        entries_checked: verifier.checked(),
        first_broken_link: broken,
    };
    loop {
        let page = match store.audit_entries(tenant, false, after, VERIFY_PAGE).await {
            Ok(page) => page,
            // One unreadable item fails its page; read one at a time to find which.
            Err(StoreError::Request(_)) | Err(StoreError::Corrupt { .. }) => {
                match store.audit_entries(tenant, false, after, 1).await {
                    Ok(page) => page,
                    Err(StoreError::ConditionFailed) => unreachable!("reads have no condition"),
                    Err(_) => {
                        let seq = after.unwrap_or(0) + 1;
                        let broken = BrokenLink {
                            seq,
                            reason: "entry cannot be decrypted or its signature does not verify",
                        };
                        return Ok(report(&verifier, Some(broken)));
                    }
                }
            }
            Err(e) => return Err(e),
        };
        for entry in &page.records {
            if let Err(broken) = verifier.check(entry) {
                return Ok(report(&verifier, Some(broken)));
            }
            after = Some(entry.seq);
        }
        if page.next_sk.is_none() || page.records.is_empty() {
            return Ok(report(&verifier, None));
        }
    }
}
