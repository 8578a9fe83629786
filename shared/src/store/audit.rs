//! The audit chain's entries.

use super::{keys, Page, Store, StoreError, Write};
use crate::domain::audit::AuditEntry;
use crate::domain::personal_data::ItemKind;
use crate::domain::TenantId;
use aws_sdk_dynamodb::types::Put;

impl Store {
    pub async fn last_audit_entry(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<AuditEntry>, StoreError> {
        self.first(
            keys::tenant_pk(tenant),
            keys::AUDIT_PREFIX,
            ItemKind::Audit,
            false,
        )
        .await
    }

    fn audit_put(
        &self,
        tenant: &TenantId,
        entry: &AuditEntry,
        write: Write,
    ) -> Result<Put, StoreError> {
        let item = Self::item(
            keys::tenant_pk(tenant),
            keys::audit_sk(entry.seq),
            ItemKind::Audit,
            entry,
        )?;
        self.put(item, write)
    }

    /// Writes the entry at its sequence number; [`StoreError::ConditionFailed`] if that number is taken.
    pub async fn insert_audit_entry(
        &self,
        tenant: &TenantId,
        entry: &AuditEntry,
    ) -> Result<(), StoreError> {
        self.put_one(self.audit_put(tenant, entry, Write::New)?)
            .await
    }

    /// Replaces an entry as it is. Only tests use it, to show that tampering is caught.
    #[doc(hidden)]
    pub async fn overwrite_audit_entry(
        &self,
        tenant: &TenantId,
        entry: &AuditEntry,
    ) -> Result<(), StoreError> {
        self.put_one(self.audit_put(tenant, entry, Write::Existing)?)
            .await
    }

    /// A page of entries; `after_seq` continues from a previous page in the same direction.
    pub async fn audit_entries(
        &self,
        tenant: &TenantId,
        newest_first: bool,
        after_seq: Option<u64>,
        limit: i32,
    ) -> Result<Page<AuditEntry, u64>, StoreError> {
        let page = self
            .query::<AuditEntry>(
                keys::tenant_pk(tenant),
                keys::AUDIT_PREFIX,
                ItemKind::Audit,
                !newest_first,
                Some(limit),
                after_seq.map(keys::audit_sk),
            )
            .await?;
        let next = page.next_sk.and(page.records.last().map(|entry| entry.seq));
        Ok(Page {
            records: page.records,
            next,
        })
    }
}
