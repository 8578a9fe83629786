use super::{Email, Role, UserId};
use serde::{Deserialize, Serialize};

/// A person's membership of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: UserId,
    pub email: Email,
    pub role: Role,
    pub joined_at: String,
    /// Tokens issued before this Unix time are refused (set by logout), even while still valid.
    #[serde(default)]
    pub tokens_not_before: i64,
}
