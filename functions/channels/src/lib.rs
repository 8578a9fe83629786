//! The tenant's messaging channels (owners and admins).
//!
//! - `PUT|GET|DELETE /v1/channels/twilio` — its own Twilio account: SMS numbers, WhatsApp senders or a
//!   messaging service, the HELP answer; `GET` shows the two webhook URLs to paste into Twilio;
//! - `PUT|GET|DELETE /v1/channels/email` — its SendGrid sender.
//!
//! Secrets (auth token, API key secret, SendGrid key) are write-only: stored encrypted under the
//! tenant's key, never answered, kept when a `PUT` leaves them out.

use confide_shared::api::channels::{EmailChannelView, TwilioChannelView, WebhookUrls};
use confide_shared::auth::Caller;
use confide_shared::clock::now_rfc3339;
use confide_shared::domain::audit::{AuditAction, AuditTarget};
use confide_shared::domain::channel::{EmailChannelDraft, TwilioChannel, TwilioChannelDraft};
use confide_shared::domain::Permission;
use confide_shared::http::{
    finish, json, json_body, no_content, unknown_route, HttpResponse, RequestInfo,
};
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
    caller.require(Permission::ChannelsManage)?;
    match info.route.as_str() {
        "PUT /v1/channels/twilio" => put_twilio(app, req, info, &caller).await,
        "GET /v1/channels/twilio" => get_twilio(app, &caller).await,
        "DELETE /v1/channels/twilio" => delete_twilio(app, info, &caller).await,
        "PUT /v1/channels/email" => put_email(app, req, info, &caller).await,
        "GET /v1/channels/email" => get_email(app, &caller).await,
        "DELETE /v1/channels/email" => delete_email(app, info, &caller).await,
        _ => Err(unknown_route(info)),
    }
}

fn twilio_view(app: &App, channel: &TwilioChannel) -> TwilioChannelView {
    let (messages, status) = app.config.messaging.twilio_webhook_urls(&channel.id);
    TwilioChannelView::new(channel, WebhookUrls { messages, status })
}

async fn put_twilio(
    app: &App,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    let draft: TwilioChannelDraft = json_body(req)?;
    let current = app.store.twilio_channel(&caller.tenant).await?;
    let channel = draft.parse(current.as_ref(), &now_rfc3339())?;
    app.store
        .save_twilio_channel(&caller.tenant, &channel)
        .await?;
    app.audit(
        caller,
        info,
        AuditAction::ChannelConfigured,
        AuditTarget::TwilioChannel,
    )
    .await?;
    Ok(json(200, &twilio_view(app, &channel)))
}

async fn get_twilio(app: &App, caller: &Caller) -> Result<HttpResponse, ApiError> {
    let channel = app
        .store
        .twilio_channel(&caller.tenant)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(json(200, &twilio_view(app, &channel)))
}

async fn delete_twilio(
    app: &App,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    let channel = app
        .store
        .twilio_channel(&caller.tenant)
        .await?
        .ok_or(ApiError::NotFound)?;
    app.store
        .delete_twilio_channel(&caller.tenant, &channel.id)
        .await?;
    app.audit(
        caller,
        info,
        AuditAction::ChannelRemoved,
        AuditTarget::TwilioChannel,
    )
    .await?;
    Ok(no_content())
}

async fn put_email(
    app: &App,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    let draft: EmailChannelDraft = json_body(req)?;
    let current = app.store.email_channel(&caller.tenant).await?;
    let channel = draft.parse(current.as_ref(), &now_rfc3339())?;
    app.store
        .save_email_channel(&caller.tenant, &channel)
        .await?;
    app.audit(
        caller,
        info,
        AuditAction::ChannelConfigured,
        AuditTarget::EmailChannel,
    )
    .await?;
    Ok(json(200, &EmailChannelView::from(&channel)))
}

async fn get_email(app: &App, caller: &Caller) -> Result<HttpResponse, ApiError> {
    let channel = app
        .store
        .email_channel(&caller.tenant)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(json(200, &EmailChannelView::from(&channel)))
}

async fn delete_email(
    app: &App,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    match app.store.delete_email_channel(&caller.tenant).await {
        Err(StoreError::ConditionFailed) => return Err(ApiError::NotFound),
        other => other?,
    }
    app.audit(
        caller,
        info,
        AuditAction::ChannelRemoved,
        AuditTarget::EmailChannel,
    )
    .await?;
    Ok(no_content())
}
