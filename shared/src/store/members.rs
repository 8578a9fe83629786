//! Members of a tenant, and the user → tenant pointer every request starts from.

use super::names::NameChange;
use super::{keys, Item, Store, StoreError, Write};
use crate::domain::member::Member;
use crate::domain::personal_data::ItemKind;
use crate::domain::{Role, TenantId, UserId};
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Put, TransactWriteItem};
use serde::{Deserialize, Serialize};

/// What the user → tenant pointer holds: enough to identify a caller in one read (tenant, role and
/// the logout time before which tokens are refused). Kept equal to the member item by every write of
/// a member, in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub tenant: TenantId,
    pub role: Role,
    pub tokens_not_before: i64,
}

/// A pointer as stored: with the membership, or (written before the membership was kept on it) the
/// tenant id alone, whose role must then be read from the member item.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum MembershipPointer {
    Membership(Membership),
    Tenant(TenantId),
}

impl MembershipPointer {
    pub fn tenant(&self) -> &TenantId {
        match self {
            Self::Membership(membership) => &membership.tenant,
            Self::Tenant(tenant) => tenant,
        }
    }
}

impl Store {
    fn member_item(tenant: &TenantId, member: &Member) -> Result<Item, StoreError> {
        let mut item = Self::item(
            keys::tenant_pk(tenant),
            keys::member_sk(&member.user_id),
            ItemKind::Member,
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

    fn pointer_item(tenant: &TenantId, member: &Member) -> Result<Item, StoreError> {
        Self::item(
            keys::user_pk(&member.user_id),
            keys::tenant_pk(tenant),
            ItemKind::Membership,
            &Membership {
                tenant: tenant.clone(),
                role: member.role,
                tokens_not_before: member.tokens_not_before,
            },
        )
    }

    /// The member item and the user's pointer to it: a user belongs to one tenant only.
    pub(super) fn member_puts(
        &self,
        tenant: &TenantId,
        member: &Member,
    ) -> Result<[Put; 2], StoreError> {
        Ok([
            self.put(Self::member_item(tenant, member)?, Write::New)?,
            self.put(Self::pointer_item(tenant, member)?, Write::New)?,
        ])
    }

    /// The membership a user holds, read from our table (never from the client): one query.
    pub async fn membership_of_user(
        &self,
        user: &UserId,
    ) -> Result<Option<MembershipPointer>, StoreError> {
        self.first(
            keys::user_pk(user),
            keys::TENANT_PREFIX,
            ItemKind::Membership,
            true,
        )
        .await
    }

    pub async fn member(
        &self,
        tenant: &TenantId,
        user: &UserId,
    ) -> Result<Option<Member>, StoreError> {
        self.get(
            keys::tenant_pk(tenant),
            keys::member_sk(user),
            ItemKind::Member,
        )
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
                    ItemKind::Member,
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
        let mut items = vec![
            TransactWriteItem::builder()
                .put(self.put(Self::member_item(tenant, member)?, Write::Existing)?)
                .build(),
            TransactWriteItem::builder()
                .put(self.put(Self::pointer_item(tenant, member)?, Write::Existing)?)
                .build(),
        ];
        if let Some(owner) = keep_owner {
            items.push(self.still_owner(tenant, owner)?);
        }
        self.transact(items).await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pointer_is_read_with_its_membership_or_as_the_tenant_id_it_used_to_be() {
        let tenant = TenantId::generate();
        let full = serde_json::to_string(&Membership {
            tenant: tenant.clone(),
            role: Role::Analyst,
            tokens_not_before: 1_795_550_400,
        })
        .unwrap();
        match serde_json::from_str::<MembershipPointer>(&full).unwrap() {
            MembershipPointer::Membership(m) => {
                assert_eq!(
                    (m.role, m.tokens_not_before),
                    (Role::Analyst, 1_795_550_400)
                );
            }
            other => panic!("read as {other:?}"),
        }
        let old = serde_json::to_string(&tenant).unwrap();
        let pointer = serde_json::from_str::<MembershipPointer>(&old).unwrap();
        assert!(matches!(pointer, MembershipPointer::Tenant(_)));
        assert_eq!(pointer.tenant(), &tenant);
    }
}
