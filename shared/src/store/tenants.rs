//! Tenants and their business profiles.

use super::names::NameChange;
use super::{keys, Store, StoreError, Write};
use crate::domain::member::Member;
use crate::domain::tenant::{BusinessProfile, Tenant};
use crate::domain::TenantId;
use aws_sdk_dynamodb::types::TransactWriteItem;

impl Store {
    /// Creates a tenant with its profile and first owner in one transaction.
    pub async fn create_tenant(
        &self,
        tenant: &Tenant,
        profile: &BusinessProfile,
        owner: &Member,
    ) -> Result<(), StoreError> {
        let pk = keys::tenant_pk(&tenant.id);
        let mut items = vec![
            self.put(
                Self::item(pk.clone(), keys::TENANT_SK.into(), "tenant", tenant)?,
                Write::New,
            )?,
            self.put(
                Self::item(pk, keys::PROFILE_SK.into(), "profile", profile)?,
                Write::New,
            )?,
        ];
        items.extend(self.member_puts(&tenant.id, owner)?);
        self.transact(
            items
                .into_iter()
                .map(|put| TransactWriteItem::builder().put(put).build())
                .collect(),
        )
        .await?;
        self.change_names(
            &tenant.id,
            NameChange::default().adding(owner.email.person_name().as_deref()),
        )
        .await
    }

    pub async fn tenant(&self, id: &TenantId) -> Result<Option<Tenant>, StoreError> {
        self.get(keys::tenant_pk(id), keys::TENANT_SK.into(), "tenant")
            .await
    }

    pub async fn save_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        let item = Self::item(
            keys::tenant_pk(&tenant.id),
            keys::TENANT_SK.into(),
            "tenant",
            tenant,
        )?;
        self.put_one(self.put(item, Write::Existing)?).await
    }

    pub async fn profile(&self, id: &TenantId) -> Result<Option<BusinessProfile>, StoreError> {
        self.get(keys::tenant_pk(id), keys::PROFILE_SK.into(), "profile")
            .await
    }

    pub async fn save_profile(
        &self,
        id: &TenantId,
        profile: &BusinessProfile,
    ) -> Result<(), StoreError> {
        let item = Self::item(
            keys::tenant_pk(id),
            keys::PROFILE_SK.into(),
            "profile",
            profile,
        )?;
        self.put_one(self.put(item, Write::Replace)?).await
    }
}
