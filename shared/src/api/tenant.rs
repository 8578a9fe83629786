//! The tenant and its settings; the business profile is [`crate::domain::tenant::BusinessProfile`].

use crate::domain::tenant::{DataRegion, TenantSettings};
use crate::domain::{Permission, Role, TenantId, UserId};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TenantView {
    pub id: TenantId,
    pub company: String,
    pub data_region: DataRegion,
    pub settings: TenantSettings,
    pub created_at: String,
    /// The caller's own role in this tenant.
    pub your_role: Role,
    pub your_user_id: UserId,
    /// What the caller's role allows; the API enforces the same list.
    pub your_permissions: Vec<Permission>,
    /// The roles the caller may give members (and so the members whose role they may change).
    pub assignable_roles: Vec<Role>,
}
