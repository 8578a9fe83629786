//! The tenant and its settings; the business profile is [`crate::domain::tenant::BusinessProfile`].

use crate::domain::tenant::{DataRegion, TenantSettings};
use crate::domain::{Role, TenantId};
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
}
