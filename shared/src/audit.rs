//! Appending to and verifying a tenant's audit chain in the store.

use crate::domain::audit::{AuditEntry, AuditEvent, BrokenLink, ChainVerifier};
use crate::domain::TenantId;
use crate::store::{Store, StoreError};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::OnceCell;

/// Concurrent appends race for the next sequence number; the loser reads the new head and tries again.
const MAX_APPEND_ATTEMPTS: u32 = 25;
const VERIFY_PAGE: i32 = 200;

/// The head of a tenant's chain as an instance knows it: set once read (by the first append, or
/// ahead of it by [`AuditHeads::read_ahead`]) and replaced by every entry the instance appends.
/// `None` inside a set cell: the chain was empty.
type Head = Arc<OnceCell<Option<AuditEntry>>>;

/// The chain heads of the tenants an instance (one [`crate::App`]) has appended for. A warm
/// instance appends after the head it knows without reading it first (one request instead of two);
/// if another instance appended meanwhile, the conditional write fails and the head is read again,
/// so the chain stays exact.
#[derive(Clone, Default)]
pub struct AuditHeads {
    heads: Arc<Mutex<HashMap<TenantId, Head>>>,
}

/// Tenants an instance remembers heads for; past it the memory starts over (a cost, never an error).
const KNOWN_HEADS_LIMIT: usize = 1_000;

impl AuditHeads {
    /// Starts reading the tenant's head unless this instance knows it or is reading it already.
    ///
    /// Every member request ends in an audit entry, and on an instance new to the tenant (a cold
    /// start) that entry first needs the head: read as soon as the caller is known, it arrives while
    /// the request does its own work instead of after it. [`append`] waits for a read in flight
    /// rather than starting a second one, and reads again itself if this one failed.
    pub fn read_ahead(&self, store: &Store, tenant: &TenantId) {
        let head = self.of(tenant);
        if head.initialized() {
            return;
        }
        let (store, tenant) = (store.clone(), tenant.clone());
        tokio::spawn(async move {
            // An error is append's to report: it finds the cell still empty and reads itself.
            let _ = head
                .get_or_try_init(|| store.last_audit_entry(&tenant))
                .await;
        });
    }

    /// The tenant's head cell, empty when the head is neither known nor being read.
    fn of(&self, tenant: &TenantId) -> Head {
        let mut heads = self.lock();
        if heads.len() >= KNOWN_HEADS_LIMIT && !heads.contains_key(tenant) {
            heads.clear();
        }
        heads.entry(tenant.clone()).or_default().clone()
    }

    fn remember(&self, tenant: &TenantId, entry: AuditEntry) {
        self.lock()
            .insert(tenant.clone(), Arc::new(OnceCell::from(Some(entry))));
    }

    fn forget(&self, tenant: &TenantId) {
        self.lock().remove(tenant);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TenantId, Head>> {
        self.heads
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Appends `event` as the next entry of the tenant's chain. The conditional write on the entry's
/// sequence number serialises appends: no two entries share a number and none is skipped.
pub async fn append(
    store: &Store,
    heads: &AuditHeads,
    tenant: &TenantId,
    event: AuditEvent,
) -> Result<AuditEntry, StoreError> {
    let known = heads.of(tenant);
    // Known before this append started: possibly overtaken by another instance since.
    let remembered = known.initialized();
    let mut head = known
        .get_or_try_init(|| store.last_audit_entry(tenant))
        .await?
        .clone();
    for attempt in 0..MAX_APPEND_ATTEMPTS {
        if attempt > 0 {
            head = store.last_audit_entry(tenant).await?;
        }
        let entry = AuditEntry::chain(head.as_ref(), event.clone());
        match store.insert_audit_entry(tenant, &entry).await {
            Ok(()) => {
                heads.remember(tenant, entry.clone());
                return Ok(entry);
            }
            Err(StoreError::ConditionFailed) => {
                heads.forget(tenant);
                if attempt > 0 || !remembered {
                    // A head read just now lost a race: back off before the next try.
                    let jitter = u64::from(uuid::Uuid::new_v4().as_bytes()[0] % 20);
                    tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt) + jitter))
                        .await;
                }
                // Else another instance appended since this one's last entry: read again at once.
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
        if page.next.is_none() || page.records.is_empty() {
            return Ok(report(&verifier, None));
        }
    }
}
