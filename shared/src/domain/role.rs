//! Roles and the permission table every route checks.

use super::InvalidField;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a member is to their tenant. Ordered from most to least powerful.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Analyst,
    Agent,
    Viewer,
}

/// Something a route does. Routes name the permission they need; only [`Role::allows`] decides.
/// What a role may do; the web app reads the caller's list to show what it may not as disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read tenant settings (retention, region).
    TenantRead,
    /// Change tenant settings.
    TenantManage,
    /// Read the business profile.
    ProfileRead,
    /// Change the business profile.
    ProfileWrite,
    /// See who the members are.
    MembersRead,
    /// Invite, re-role and remove members.
    MembersManage,
    /// Read and verify the audit log.
    AuditRead,
    /// Subscriptions and payment portal.
    BillingManage,
    /// Read AI analyses and their reports.
    AnalysesRead,
    /// Create, retry and delete AI analyses and saved forms.
    AnalysesWrite,
    /// Read end-customer contacts and conversations.
    ContactsRead,
    /// Create, change and erase contacts; answer conversations; send campaigns.
    ContactsWrite,
    /// Connect, change and remove messaging channels (Twilio, SendGrid) and their credentials.
    ChannelsManage,
}

impl Permission {
    pub const ALL: [Permission; 13] = [
        Permission::TenantRead,
        Permission::TenantManage,
        Permission::ProfileRead,
        Permission::ProfileWrite,
        Permission::MembersRead,
        Permission::MembersManage,
        Permission::AuditRead,
        Permission::BillingManage,
        Permission::AnalysesRead,
        Permission::AnalysesWrite,
        Permission::ContactsRead,
        Permission::ContactsWrite,
        Permission::ChannelsManage,
    ];
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Admin,
        Role::Analyst,
        Role::Agent,
        Role::Viewer,
    ];

    /// The permission table. Owners and admins differ only in what they may do to owners, which
    /// [`Role::may_assign`] and [`Role::may_manage`] decide.
    /// Every permission this role has.
    pub fn permissions(self) -> Vec<Permission> {
        Permission::ALL
            .into_iter()
            .filter(|permission| self.allows(*permission))
            .collect()
    }

    /// The roles this role may give a member (and so the members it may manage).
    pub fn assignable(self) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|target| self.may_assign(*target))
            .collect()
    }

    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Owner | Role::Admin => true,
            Role::Analyst => matches!(
                permission,
                TenantRead
                    | ProfileRead
                    | MembersRead
                    | AnalysesRead
                    | AnalysesWrite
                    | ContactsRead
            ),
            Role::Agent => matches!(
                permission,
                TenantRead | ProfileRead | MembersRead | ContactsRead | ContactsWrite
            ),
            Role::Viewer => matches!(
                permission,
                TenantRead | ProfileRead | AnalysesRead | ContactsRead
            ),
        }
    }

    /// Whether a member with this role may give `target` to someone: only owners make owners.
    pub fn may_assign(self, target: Role) -> bool {
        self.allows(Permission::MembersManage) && (target != Role::Owner || self == Role::Owner)
    }

    /// Whether a member with this role may change or remove a member who has `current`.
    pub fn may_manage(self, current: Role) -> bool {
        self.may_assign(current)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Agent => "agent",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, InvalidField> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == raw)
            .ok_or_else(|| {
                InvalidField::new(
                    "role",
                    "must be one of owner, admin, analyst, agent, viewer",
                )
            })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Permission::*;
    use super::*;

    /// The whole table, written out once more by hand so that a change to it is a deliberate act.
    #[test]
    fn permission_table_matches_the_documented_matrix() {
        let all = [
            TenantRead,
            TenantManage,
            ProfileRead,
            ProfileWrite,
            MembersRead,
            MembersManage,
            AuditRead,
            BillingManage,
            AnalysesRead,
            AnalysesWrite,
            ContactsRead,
            ContactsWrite,
            ChannelsManage,
        ];
        let expected: [(Role, &[Permission]); 5] = [
            (Role::Owner, &all),
            (Role::Admin, &all),
            (
                Role::Analyst,
                &[
                    TenantRead,
                    ProfileRead,
                    MembersRead,
                    AnalysesRead,
                    AnalysesWrite,
                    ContactsRead,
                ],
            ),
            (
                Role::Agent,
                &[
                    TenantRead,
                    ProfileRead,
                    MembersRead,
                    ContactsRead,
                    ContactsWrite,
                ],
            ),
            (
                Role::Viewer,
                &[TenantRead, ProfileRead, AnalysesRead, ContactsRead],
            ),
        ];
        for (role, granted) in expected {
            assert_eq!(role.permissions(), granted.to_vec(), "{role}");
            for permission in all {
                assert_eq!(
                    role.allows(permission),
                    granted.contains(&permission),
                    "{role} and {permission:?}"
                );
            }
        }
    }

    #[test]
    fn only_owners_make_or_unmake_owners() {
        assert!(Role::Owner.may_assign(Role::Owner));
        assert!(!Role::Admin.may_assign(Role::Owner));
        assert!(!Role::Admin.may_manage(Role::Owner));
        assert!(Role::Admin.may_assign(Role::Admin));
        assert!(!Role::Analyst.may_assign(Role::Viewer));
        assert_eq!(Role::Owner.assignable(), Role::ALL.to_vec());
        assert_eq!(Role::Admin.assignable(), Role::ALL[1..].to_vec());
        assert!(Role::Agent.assignable().is_empty());
    }

    #[test]
    fn roles_parse_from_their_names_only() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::parse("Owner").is_err());
        assert!(Role::parse("root").is_err());
    }
}
