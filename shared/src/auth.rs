//! Who is calling. The JWT authorizer has checked the token; here we turn its claims into a member of
//! a tenant by reading our own table on every request, so a removed member or a logged-out token is
//! refused at once even while the token itself is still valid.

use crate::domain::{Permission, Role, TenantId, UserId};
use crate::error::ApiError;
use crate::store::members::{Membership, MembershipPointer};
use crate::store::Store;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: TenantId,
    pub user: UserId,
    pub role: Role,
}

impl Caller {
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.role.allows(permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                message: "your role does not allow this",
            })
        }
    }
}

/// The claims a request needs: an access token (not an id token) with a subject and issue time.
fn subject_and_issued_at(claims: &HashMap<String, String>) -> Option<(UserId, i64)> {
    if claims.get("token_use").map(String::as_str) != Some("access") {
        return None;
    }
    let user = UserId::parse(claims.get("sub")?).ok()?;
    let issued_at = claims.get("iat")?.parse().ok()?;
    Some((user, issued_at))
}

pub async fn resolve_caller(
    store: &Store,
    claims: &HashMap<String, String>,
) -> Result<Caller, ApiError> {
    let (user, issued_at) = subject_and_issued_at(claims).ok_or(ApiError::Unauthenticated)?;
    let membership = match store
        .membership_of_user(&user)
        .await?
        .ok_or(ApiError::Unauthenticated)?
    {
        MembershipPointer::Membership(membership) => membership,
        // A pointer from before it held the membership: the member item says.
        MembershipPointer::Tenant(tenant) => {
            let member = store
                .member(&tenant, &user)
                .await?
                .ok_or(ApiError::Unauthenticated)?;
            Membership {
                tenant,
                role: member.role,
                tokens_not_before: member.tokens_not_before,
            }
        }
    };
    if issued_at < membership.tokens_not_before {
        return Err(ApiError::Unauthenticated);
    }
    Ok(Caller {
        tenant: membership.tenant,
        user,
        role: membership.role,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn only_access_tokens_with_subject_and_issue_time_identify_a_user() {
        let good = claims(&[
            ("token_use", "access"),
            ("sub", "u-1"),
            ("iat", "1700000000"),
        ]);
        assert_eq!(
            subject_and_issued_at(&good),
            Some((UserId::parse("u-1").unwrap(), 1_700_000_000))
        );
        let id_token = claims(&[("token_use", "id"), ("sub", "u-1"), ("iat", "1700000000")]);
        assert_eq!(subject_and_issued_at(&id_token), None);
        let no_iat = claims(&[("token_use", "access"), ("sub", "u-1")]);
        assert_eq!(subject_and_issued_at(&no_iat), None);
        let bad_sub = claims(&[("token_use", "access"), ("sub", "T#x"), ("iat", "1")]);
        assert_eq!(subject_and_issued_at(&bad_sub), None);
    }
}
