//! Members of a tenant.
//!
//! - `GET /v1/members` — who belongs to the tenant, with their roles;
//! - `POST /v1/members` — invite: creates the Cognito user with a temporary password;
//! - `PATCH /v1/members/{user_id}` — change a role; `DELETE /v1/members/{user_id}` — remove.
//!
//! Only owners make, change or remove owners, and the last owner can be neither demoted nor removed.

use confide_shared::api::members::{InviteRequest, MemberList, MemberView, RoleChange};
use confide_shared::auth::Caller;
use confide_shared::clock::now_rfc3339;
use confide_shared::config::InviteDelivery;
use confide_shared::domain::audit::{AuditAction, AuditTarget};
use confide_shared::domain::billing::Metered;
use confide_shared::domain::member::Member;
use confide_shared::domain::{Email, Permission, Role, UserId};
use confide_shared::http::{
    finish, json, json_body, no_content, unknown_route, HttpResponse, RequestInfo,
};
use confide_shared::identity::temporary_password;
use confide_shared::store::StoreError;
use confide_shared::{ApiError, App};
use lambda_http::Request;
use std::sync::Arc;

/// What this function keeps between requests, built once at cold start by its `main.rs` and by the
/// local stack, so both run the same wiring.
pub fn connect(app: Arc<App>) -> Arc<App> {
    app
}

pub async fn handle(app: &App, req: Request) -> HttpResponse {
    let info = RequestInfo::of(&req);
    finish(route(app, &req, &info).await, &info)
}

async fn route(app: &App, req: &Request, info: &RequestInfo) -> Result<HttpResponse, ApiError> {
    let caller = app.caller(info).await?;
    match info.route.as_str() {
        "GET /v1/members" => list(app, info, &caller).await,
        "POST /v1/members" => invite(app, req, info, &caller).await,
        "PATCH /v1/members/{user_id}" => change_role(app, req, info, &caller).await,
        "DELETE /v1/members/{user_id}" => remove(app, info, &caller).await,
        _ => Err(unknown_route(info)),
    }
}

fn member_view(member: &Member) -> MemberView {
    MemberView {
        user_id: member.user_id.clone(),
        email: member.email.clone(),
        role: member.role,
        joined_at: member.joined_at.clone(),
        temporary_password: None,
    }
}

async fn list(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::MembersRead)?;
    let members = app.store.members(&caller.tenant).await?;
    app.audit(
        caller,
        info,
        AuditAction::MembersListed,
        AuditTarget::Members,
    )
    .await?;
    let members = members.iter().map(member_view).collect();
    Ok(json(200, &MemberList { members }))
}

async fn invite(
    app: &App,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::MembersManage)?;
    let body: InviteRequest = json_body(req)?;
    let email = Email::parse(&body.email)?;
    let role = Role::parse(&body.role)?;
    if !caller.role.may_assign(role) {
        return Err(ApiError::Forbidden {
            message: "only owners may make owners",
        });
    }
    // Seats are checked before anyone is created. Two invitations at the same moment can both pass:
    // members are few and admins deliberate, so this is not worth a counter of its own.
    let seats = app.store.members(&caller.tenant).await?.len() as u64;
    app.limits(&caller.tenant)
        .await?
        .admit(Metered::Seats, seats, 1)?;
    let password = temporary_password();
    let email_it = app.config.invites == InviteDelivery::CognitoEmail;
    let user_id = app
        .identity
        .create_user(&email, None, &password, email_it)
        .await?;
    let member = Member {
        user_id: user_id.clone(),
        email,
        role,
        joined_at: now_rfc3339(),
        tokens_not_before: 0,
    };
    if let Err(e) = app.store.add_member(&caller.tenant, &member).await {
        let _ = app.identity.delete_user(&user_id).await;
        return Err(match e {
            StoreError::ConditionFailed => {
                ApiError::conflict("already_member", "this person already belongs to a tenant")
            }
            other => other.into(),
        });
    }
    app.audit(
        caller,
        info,
        AuditAction::MemberInvited,
        AuditTarget::Member(user_id.clone()),
    )
    .await?;
    let mut view = member_view(&member);
    if !email_it {
        // Local stack only: no email goes out, so the inviter passes the password on.
        view.temporary_password = Some(password);
    }
    Ok(json(201, &view))
}

/// The member named in the path, in the caller's tenant; another tenant's id is simply not found.
async fn target_member(app: &App, info: &RequestInfo, caller: &Caller) -> Result<Member, ApiError> {
    let user: UserId = info.path_id("user_id")?;
    app.store
        .member(&caller.tenant, &user)
        .await?
        .ok_or(ApiError::NotFound)
}

/// When `target` is an owner about to lose that role: another owner who must still be one when the
/// change is written (the store checks it in the same transaction, so two owners cannot demote each
/// other at once). `None` when `target` is no owner.
async fn another_owner(
    app: &App,
    caller: &Caller,
    target: &Member,
) -> Result<Option<UserId>, ApiError> {
    if target.role != Role::Owner {
        return Ok(None);
    }
    app.store
        .members(&caller.tenant)
        .await?
        .into_iter()
        .find(|m| m.role == Role::Owner && m.user_id != target.user_id)
        .map(|m| Some(m.user_id))
        .ok_or_else(last_owner)
}

fn last_owner() -> ApiError {
    ApiError::conflict("last_owner", "a tenant must keep at least one owner")
}

async fn change_role(
    app: &App,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::MembersManage)?;
    let role = Role::parse(&json_body::<RoleChange>(req)?.role)?;
    let mut member = target_member(app, info, caller).await?;
    if !caller.role.may_manage(member.role) || !caller.role.may_assign(role) {
        return Err(ApiError::Forbidden {
            message: "only owners may make or change owners",
        });
    }
    let keep_owner = match role {
        Role::Owner => None,
        _ => another_owner(app, caller, &member).await?,
    };
    member.role = role;
    app.store
        .save_member(&caller.tenant, &member, keep_owner.as_ref())
        .await
        .map_err(|e| match e {
            // The other owner lost that role meanwhile (or this member was removed): nothing was written.
            StoreError::ConditionFailed if keep_owner.is_some() => last_owner(),
            StoreError::ConditionFailed => ApiError::NotFound,
            other => other.into(),
        })?;
    app.audit(
        caller,
        info,
        AuditAction::MemberRoleChanged,
        AuditTarget::Member(member.user_id.clone()),
    )
    .await?;
    Ok(json(200, &member_view(&member)))
}

async fn remove(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::MembersManage)?;
    let member = target_member(app, info, caller).await?;
    if !caller.role.may_manage(member.role) {
        return Err(ApiError::Forbidden {
            message: "only owners may remove owners",
        });
    }
    let keep_owner = another_owner(app, caller, &member).await?;
    // Our table first: from this write on, every request with their token is refused.
    app.store
        .remove_member(&caller.tenant, &member, keep_owner.as_ref())
        .await
        .map_err(|e| match e {
            StoreError::ConditionFailed => last_owner(),
            other => other.into(),
        })?;
    app.identity.sign_out_everywhere(&member.email).await?;
    app.identity.delete_user(&member.user_id).await?;
    app.audit(
        caller,
        info,
        AuditAction::MemberRemoved,
        AuditTarget::Member(member.user_id.clone()),
    )
    .await?;
    Ok(no_content())
}
