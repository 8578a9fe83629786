//! Tenant settings and the business profile.
//!
//! - `GET /v1/tenant`, `PATCH /v1/tenant` — retention, analytics opt-out; data region read-only;
//! - `GET /v1/tenant/profile`, `PUT /v1/tenant/profile` — what the business is and does.

use confide_shared::api::tenant::TenantView;
use confide_shared::auth::Caller;
use confide_shared::domain::audit::{AuditAction, AuditTarget};
use confide_shared::domain::tenant::{BusinessProfile, SettingsPatch, Tenant};
use confide_shared::domain::text::quote;
use confide_shared::domain::{InvalidField, Permission};
use confide_shared::http::{finish, json, json_body, unknown_route, HttpResponse, RequestInfo};
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
        "GET /v1/tenant" => get_tenant(app, info, &caller).await,
        "PATCH /v1/tenant" => patch_tenant(app, req, info, &caller).await,
        "GET /v1/tenant/profile" => get_profile(app, info, &caller).await,
        "PUT /v1/tenant/profile" => put_profile(app, req, info, &caller).await,
        _ => Err(unknown_route(info)),
    }
}

fn tenant_view(tenant: Tenant, caller: &Caller) -> TenantView {
    TenantView {
        id: tenant.id,
        company: tenant.company,
        data_region: tenant.data_region,
        settings: tenant.settings,
        created_at: tenant.created_at,
        your_role: caller.role,
        your_user_id: caller.user.clone(),
        your_permissions: caller.role.permissions(),
        assignable_roles: caller.role.assignable(),
    }
}

async fn get_tenant(
    app: &App,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::TenantRead)?;
    let tenant = app
        .store
        .tenant(&caller.tenant)
        .await?
        .ok_or(ApiError::NotFound)?;
    app.audit(caller, info, AuditAction::TenantRead, AuditTarget::Tenant)
        .await?;
    Ok(json(200, &tenant_view(tenant, caller)))
}

async fn patch_tenant(
    app: &App,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::TenantManage)?;
    let patch: SettingsPatch = json_body(req)?;
    let mut tenant = app
        .store
        .tenant(&caller.tenant)
        .await?
        .ok_or(ApiError::NotFound)?;
    tenant.settings = tenant.settings.apply(patch)?;
    let providers = &app.config.providers;
    if let Some(unknown) = tenant
        .settings
        .allowed_providers
        .iter()
        .flatten()
        .find(|name| !providers.is_known(name))
    {
        return Err(InvalidField::new(
            "allowed_providers",
            format!("{} is not a provider of this deployment", quote(unknown)),
        )
        .into());
    }
    app.store.save_tenant(&tenant).await?;
    app.audit(
        caller,
        info,
        AuditAction::TenantUpdated,
        AuditTarget::Tenant,
    )
    .await?;
    Ok(json(200, &tenant_view(tenant, caller)))
}

async fn get_profile(
    app: &App,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ProfileRead)?;
    let profile = app.store.profile(&caller.tenant).await?.unwrap_or_default();
    app.audit(caller, info, AuditAction::ProfileRead, AuditTarget::Profile)
        .await?;
    Ok(json(200, &profile))
}

async fn put_profile(
    app: &App,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ProfileWrite)?;
    let profile = BusinessProfile::parse(json_body(req)?)?;
    app.store.save_profile(&caller.tenant, &profile).await?;
    app.audit(
        caller,
        info,
        AuditAction::ProfileUpdated,
        AuditTarget::Profile,
    )
    .await?;
    Ok(json(200, &profile))
}
