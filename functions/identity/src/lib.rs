//! Sign-up and sessions.
//!
//! Public: `POST /v1/signup`, `POST /v1/auth/login`, `POST /v1/auth/new-password`, `POST /v1/auth/mfa`,
//! `POST /v1/auth/refresh`. Authenticated: `POST /v1/auth/logout` (global sign-out).

use base64::Engine;
use confide_shared::api::identity::{
    LoginRequest, MfaAnswer, MfaEnabled, MfaRequest, MfaState, NewPasswordRequest, RefreshRequest,
    SignupCreated, SignupRequest, TotpSetup,
};
use confide_shared::app::Actor;
use confide_shared::clock::{now_rfc3339, now_unix};
use confide_shared::domain::audit::{AuditAction, AuditTarget};
use confide_shared::domain::credentials::{LoginSession, Password, RefreshToken, TotpCode};
use confide_shared::domain::member::Member;
use confide_shared::domain::tenant::{parse_company, BusinessProfile, Tenant, TenantSettings};
use confide_shared::domain::{Email, Role, TenantId, UserId};
use confide_shared::http::{
    cookie, finish, json, json_body, no_content, unknown_route, with_refresh_cookie, HttpResponse,
    RequestInfo, REFRESH_COOKIE,
};
use confide_shared::identity::{temporary_password, ChallengeAnswer, IdentityError, LoginOutcome};
use confide_shared::store::members::MembershipPointer;
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
    match info.route.as_str() {
        "POST /v1/signup" => signup(app, req, info).await,
        "POST /v1/auth/login" => login(app, req, info).await,
        "POST /v1/auth/new-password" => new_password(app, req, info).await,
        "POST /v1/auth/mfa" => mfa(app, req, info).await,
        "POST /v1/auth/refresh" => refresh(app, req).await,
        "POST /v1/auth/logout" => logout(app, info).await,
        _ => Err(unknown_route(info)),
    }
}

/// Creates the owner's Cognito user, the tenant's branch key, then the tenant with its owner. A failure
/// after the user exists removes the user again, so the same sign-up can simply be retried.
async fn signup(app: &App, req: &Request, info: &RequestInfo) -> Result<HttpResponse, ApiError> {
    let body: SignupRequest = json_body(req)?;
    let company = parse_company(&body.company)?;
    let email = Email::parse(&body.email)?;
    let password = Password::parse("password", &body.password)?;
    let user_id = app
        .identity
        .create_user(&email, Some(&password), &temporary_password(), false)
        .await?;
    let tenant = Tenant {
        id: TenantId::generate(),
        company: company.clone(),
        data_region: app.config.data_region,
        settings: TenantSettings::default(),
        created_at: now_rfc3339(),
    };
    let owner = Member {
        user_id: user_id.clone(),
        email,
        role: Role::Owner,
        joined_at: tenant.created_at.clone(),
        tokens_not_before: 0,
    };
    let profile = BusinessProfile {
        name: company,
        ..Default::default()
    };
    let created = async {
        app.tenant_keys
            .create(&tenant.id)
            .await
            .map_err(ApiError::Unexpected)?;
        app.store.create_tenant(&tenant, &profile, &owner).await?;
        Ok::<_, ApiError>(())
    }
    .await;
    if let Err(e) = created {
        let _ = app.identity.delete_user(&user_id).await;
        return Err(e);
    }
    app.audit(
        Actor::user(&tenant.id, &user_id),
        info,
        AuditAction::TenantCreated,
        AuditTarget::Tenant,
    )
    .await?;
    tracing::info!(tenant = %tenant.id, "tenant created");
    Ok(json(
        201,
        &SignupCreated {
            tenant_id: tenant.id,
            user_id,
        },
    ))
}

async fn login(app: &App, req: &Request, info: &RequestInfo) -> Result<HttpResponse, ApiError> {
    let body: LoginRequest = json_body(req)?;
    let email = Email::parse(&body.email)?;
    let password = Password::parse("password", &body.password)?;
    let outcome = app.identity.login(&email, &password).await?;
    answer_login(app, info, outcome).await
}

/// The first login of an invited member, who must replace their temporary password.
async fn new_password(
    app: &App,
    req: &Request,
    info: &RequestInfo,
) -> Result<HttpResponse, ApiError> {
    let body: NewPasswordRequest = json_body(req)?;
    let email = Email::parse(&body.email)?;
    let session = login_session(&body.session)?;
    let new_password = Password::parse("new_password", &body.new_password)?;
    let outcome = app
        .identity
        .respond(
            &email,
            &session,
            ChallengeAnswer::NewPassword(&new_password),
        )
        .await?;
    answer_login(app, info, outcome).await
}

async fn mfa(app: &App, req: &Request, info: &RequestInfo) -> Result<HttpResponse, ApiError> {
    match json_body::<MfaRequest>(req)? {
        MfaRequest::Setup => {
            let secret = app.identity.start_totp_setup(bearer(req)?).await?;
            let otpauth_uri = format!("otpauth://totp/Confide?secret={secret}&issuer=Confide");
            Ok(json(
                200,
                &MfaAnswer::Setup(TotpSetup {
                    secret,
                    otpauth_uri,
                }),
            ))
        }
        MfaRequest::Verify { code } => {
            let token = bearer(req)?;
            let code = TotpCode::parse(&code)?;
            app.identity.finish_totp_setup(token, &code).await?;
            if let Some(user) = unverified_subject(token) {
                audit_for_user(app, &user, info, AuditAction::MfaEnabled).await?;
            }
            Ok(json(
                200,
                &MfaAnswer::Enabled(MfaEnabled {
                    mfa: MfaState::Enabled,
                }),
            ))
        }
        MfaRequest::Challenge {
            email,
            session,
            code,
        } => {
            let email = Email::parse(&email)?;
            let session = login_session(&session)?;
            let code = TotpCode::parse(&code)?;
            let outcome = app
                .identity
                .respond(&email, &session, ChallengeAnswer::TotpCode(&code))
                .await?;
            answer_login(app, info, outcome).await
        }
    }
}

/// New tokens for the refresh token in the body (API clients) or in the cookie (browsers).
async fn refresh(app: &App, req: &Request) -> Result<HttpResponse, ApiError> {
    let body: RefreshRequest = json_body(req)?;
    let raw = body
        .refresh_token
        .or_else(|| cookie(req, REFRESH_COOKIE))
        .ok_or(ApiError::Unauthenticated)?;
    let token = RefreshToken::parse(&raw).ok_or(ApiError::Unauthenticated)?;
    let outcome = app.identity.refresh(&token).await?;
    Ok(json(200, &outcome))
}

/// Revokes the user's refresh tokens in Cognito and refuses, in our own check, every access token
/// issued until now (API Gateway does not check revocation of access tokens).
async fn logout(app: &App, info: &RequestInfo) -> Result<HttpResponse, ApiError> {
    let caller = app.caller(info).await?;
    let mut member = app
        .store
        .member(&caller.tenant, &caller.user)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    app.identity.sign_out_everywhere(&member.email).await?;
    // Token times have one-second resolution: refuse this whole second too.
    member.tokens_not_before = now_unix() + 1;
    app.store.save_member(&caller.tenant, &member, None).await?;
    app.audit(&caller, info, AuditAction::Logout, AuditTarget::Session)
        .await?;
    Ok(with_refresh_cookie(no_content(), None))
}

/// Records a successful login in the user's tenant before handing out the tokens.
async fn answer_login(
    app: &App,
    info: &RequestInfo,
    outcome: LoginOutcome,
) -> Result<HttpResponse, ApiError> {
    if let LoginOutcome::Authenticated(tokens) = &outcome {
        let (user, issued_at) = unverified_subject_and_issued_at(&tokens.access_token)
            .ok_or_else(|| ApiError::unexpected("Cognito token has no subject or issue time"))?;
        let tenant = admit_new_login(app, &user, issued_at).await?;
        app.audit(
            Actor::user(&tenant, &user),
            info,
            AuditAction::Login,
            AuditTarget::Session,
        )
        .await?;
        if let Some(refresh) = &tokens.refresh_token {
            // Browsers keep it in an HttpOnly cookie; API clients read it from the body.
            return Ok(with_refresh_cookie(json(200, &outcome), Some(refresh)));
        }
    }
    Ok(json(200, &outcome))
}

/// A logout refuses every token issued up to the end of its second (token times have one-second
/// resolution), so a login in that same second would get a token already refused. The login proves
/// the password (and second step): its token is admitted by moving the refusal back to its issue
/// time. What that re-admits is only tokens issued in that second before the logout. Answers the
/// user's tenant.
async fn admit_new_login(app: &App, user: &UserId, issued_at: i64) -> Result<TenantId, ApiError> {
    let pointer = app
        .store
        .membership_of_user(user)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let tenant = pointer.tenant().clone();
    if let MembershipPointer::Membership(membership) = &pointer {
        if issued_at >= membership.tokens_not_before {
            return Ok(tenant);
        }
    }
    let mut member = app
        .store
        .member(&tenant, user)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    if issued_at < member.tokens_not_before {
        member.tokens_not_before = issued_at;
        app.store.save_member(&tenant, &member, None).await?;
    }
    Ok(tenant)
}

async fn audit_for_user(
    app: &App,
    user: &UserId,
    info: &RequestInfo,
    action: AuditAction,
) -> Result<(), ApiError> {
    let membership = app
        .store
        .membership_of_user(user)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    app.audit(
        Actor::user(membership.tenant(), user),
        info,
        action,
        AuditTarget::Session,
    )
    .await
}

/// A session that cannot be one Cognito issued is answered like one Cognito no longer knows.
fn login_session(raw: &str) -> Result<LoginSession, ApiError> {
    LoginSession::parse(raw).ok_or_else(|| IdentityError::InvalidSession.into())
}

fn bearer(req: &Request) -> Result<&str, ApiError> {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthenticated)
}

/// The `sub` of a token Cognito has just issued to us, or that Cognito itself checks in the same call.
/// Never used to authorise anything: only to name the actor of an audit entry.
fn unverified_subject(token: &str) -> Option<UserId> {
    unverified_subject_and_issued_at(token).map(|(user, _)| user)
}

fn unverified_subject_and_issued_at(token: &str) -> Option<(UserId, i64)> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    Some((
        UserId::parse(claims.get("sub")?.as_str()?).ok()?,
        claims.get("iat")?.as_i64()?,
    ))
}
