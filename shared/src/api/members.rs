//! Members of a tenant.

use crate::domain::{Email, Role, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    pub user_id: UserId,
    pub email: Email,
    pub role: Role,
    pub joined_at: String,
    /// Only where the deployment does not email invitations (the local stack): the inviter passes
    /// it on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporary_password: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberList {
    pub members: Vec<MemberView>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(value_type = Role)]
    pub role: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    #[schema(value_type = Role)]
    pub role: String,
}
