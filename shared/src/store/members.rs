//! Members of a tenant, and the user → tenant pointer every request starts from.

use super::names::NameChange;
use super::{keys, Item, Store, StoreError, Write};
use crate::domain::member::Member;
use crate::domain::{Role, TenantId, UserId};
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Put, TransactWriteItem};

impl Store {
    fn member_item(tenant: &TenantId, member: &Member) -> Result<Item, StoreError> {
        let mut item = Self::item(
            keys::tenant_pk(tenant),
            keys::member_sk(&member.user_id),
            "member",
            member,
        )?;
        item.insert(
            "role".to_owned(),
            AttributeValue::S(member.role.as_str().to_owned()),
        );
        Ok(item)
    }

    /// A transaction item that holds only while `owner` is still an owner of `tenant`.
    fn still_owner(
        &self,
        tenant: &TenantId,
        owner: &UserId,
    ) -> Result<TransactWriteItem, StoreError> {
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(keys::tenant_pk(tenant)))
            .key("sk", AttributeValue::S(keys::member_sk(owner)))
            .condition_expression("#role = :owner")
            .expression_attribute_names("#role", "role")
            .expression_attribute_values(
                ":owner",
                AttributeValue::S(Role::Owner.as_str().to_owned()),
            )
            .build()
            .map_err(|e| StoreError::Request(Box::new(e)))?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    /// The member item and the user's pointer to it: a user belongs to one tenant only.
    pub(super) fn member_puts(
        &self,
        tenant: &TenantId,
        member: &Member,
    ) -> Result<[Put; 2], StoreError> {
        let pointer = Self::item(
            keys::user_pk(&member.user_id),
            keys::tenant_pk(tenant),
            "membership",
            &tenant,
        )?;
        Ok([
            self.put(Self::member_item(tenant, member)?, Write::New)?,
            self.put(pointer, Write::New)?,
        ])
    }

    /// The tenant a user belongs to, read from our table (never from the client).
    pub async fn tenant_of_user(&self, user: &UserId) -> Result<Option<TenantId>, StoreError> {
        self.first(keys::user_pk(user), keys::TENANT_PREFIX, "membership", true)
            .await
    }

    pub async fn member(
        &self,
        tenant: &TenantId,
        user: &UserId,
    ) -> Result<Option<Member>, StoreError> {
        self.get(keys::tenant_pk(tenant), keys::member_sk(user), "member")
            .await
    }

    pub async fn members(&self, tenant: &TenantId) -> Result<Vec<Member>, StoreError> {
        let mut members = Vec::new();
        let mut start_after = None;
        loop {
            let page = self
                .query(
                    keys::tenant_pk(tenant),
                    keys::MEMBER_PREFIX,
                    "member",
                    true,
                    None,
                    start_after,
                )
                .await?;
            members.extend(page.records);
            match page.next_sk {
                Some(sk) => start_after = Some(sk),
                None => return Ok(members),
            }
        }
    }

    /// Fails with [`StoreError::ConditionFailed`] when the user already belongs to a tenant.
    pub async fn add_member(&self, tenant: &TenantId, member: &Member) -> Result<(), StoreError> {
        let items = self
            .member_puts(tenant, member)?
            .into_iter()
            .map(|put| TransactWriteItem::builder().put(put).build())
            .collect();
        self.transact(items).await?;
        self.change_names(
            tenant,
            NameChange::default().adding(member.email.person_name().as_deref()),
        )
        .await
    }

    /// Rewrites a member; [`StoreError::ConditionFailed`] if they were removed meanwhile, or if
    /// `keep_owner` (another owner, named when an owner is demoted) is no longer an owner.
    pub async fn save_member(
        &self,
        tenant: &TenantId,
        member: &Member,
        keep_owner: Option<&UserId>,
    ) -> Result<(), StoreError> {
        let put = self.put(Self::member_item(tenant, member)?, Write::Existing)?;
        match keep_owner {
            None => self.put_one(put).await,
            Some(owner) => {
                self.transact(vec![
                    TransactWriteItem::builder().put(put).build(),
                    self.still_owner(tenant, owner)?,
                ])
                .await
            }
        }
    }

    /// Removes a member (as the caller read them) and their pointer; with `keep_owner`, only while that
    /// other owner still is one.
    pub async fn remove_member(
        &self,
        tenant: &TenantId,
        member: &Member,
        keep_owner: Option<&UserId>,
    ) -> Result<(), StoreError> {
        let user = &member.user_id;
        let mut items = vec![
            self.delete(keys::tenant_pk(tenant), keys::member_sk(user))?,
            self.delete(keys::user_pk(user), keys::tenant_pk(tenant))?,
        ];
        if let Some(owner) = keep_owner {
            items.push(self.still_owner(tenant, owner)?);
        }
        let name = member.email.person_name();
        self.transact(items).await?;
        self.change_names(tenant, NameChange::default().removing(name.as_deref()))
            .await
    }
}
