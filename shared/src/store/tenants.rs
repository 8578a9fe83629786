//! Tenants and their business profiles.

use super::names::NameChange;
use super::{keys, Store, StoreError, Write};
use crate::domain::member::Member;
use crate::domain::personal_data::ItemKind;
use crate::domain::tenant::{BusinessProfile, Tenant};
use crate::domain::TenantId;
use aws_sdk_dynamodb::types::TransactWriteItem;

/// A tenant as an analysis job needs it.
pub struct TenantForJob {
    pub tenant: Tenant,
    pub profile: BusinessProfile,
    /// Its contacts' and members' names ([`super::names`]).
    pub known_names: Vec<String>,
}

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
                Self::item(pk.clone(), keys::TENANT_SK.into(), ItemKind::Tenant, tenant)?,
                Write::New,
            )?,
            self.put(
                Self::item(pk, keys::PROFILE_SK.into(), ItemKind::Profile, profile)?,
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
        self.get(
            keys::tenant_pk(id),
            keys::TENANT_SK.into(),
            ItemKind::Tenant,
        )
        .await
    }

    pub async fn save_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        let item = Self::item(
            keys::tenant_pk(&tenant.id),
            keys::TENANT_SK.into(),
            ItemKind::Tenant,
            tenant,
        )?;
        self.put_one(self.put(item, Write::Existing)?).await
    }

    /// What an analysis job reads about its tenant — the tenant, its profile and its name dictionary —
    /// in one batch read. `None` if the tenant is gone.
    pub async fn tenant_for_job(&self, id: &TenantId) -> Result<Option<TenantForJob>, StoreError> {
        let pk = keys::tenant_pk(id);
        let mut wanted = vec![
            (pk.clone(), keys::TENANT_SK.to_owned()),
            (pk, keys::PROFILE_SK.to_owned()),
        ];
        wanted.extend(Self::name_shard_keys(id));
        let items = self.get_items(wanted).await?;
        let with_sk = |sk: &str| items.iter().find(|item| Self::sk_of(item) == sk);
        let Some(tenant) = with_sk(keys::TENANT_SK) else {
            return Ok(None);
        };
        Ok(Some(TenantForJob {
            tenant: Self::record(tenant, ItemKind::Tenant)?,
            profile: with_sk(keys::PROFILE_SK)
                .map(|item| Self::record(item, ItemKind::Profile))
                .transpose()?
                .unwrap_or_default(),
            known_names: Self::names_in(&items)?,
        }))
    }

    pub async fn profile(&self, id: &TenantId) -> Result<Option<BusinessProfile>, StoreError> {
        self.get(
            keys::tenant_pk(id),
            keys::PROFILE_SK.into(),
            ItemKind::Profile,
        )
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
            ItemKind::Profile,
            profile,
        )?;
        self.put_one(self.put(item, Write::Replace)?).await
    }
}
