//! Campaigns: one promotional message to many contacts.
//!
//! - `POST /v1/campaigns` — `{channel, subject?, body, audience: {tags} | {contact_ids}}` → 202 `{id}`;
//!   the messaging worker reads the audience page by page and sends only where the contact's current
//!   marketing consent for the channel is granted, at the tenant's rate and within the month's messages;
//! - `POST /v1/campaigns/audience` — `{channel, audience}` → how many contacts the audience holds and
//!   how many of them a campaign would message (marketing consent for the channel), before sending;
//! - `GET /v1/campaigns`, `GET /v1/campaigns/{id}` — status and counts (targeted, sent, delivered,
//!   failed, skipped by reason).
//!
//! Owners, admins and agents send; everyone with contact access reads.

use confide_shared::api::conversations::{
    AudienceQuery, CampaignAccepted, CampaignView, NewCampaign,
};
use confide_shared::api::Page;
use confide_shared::auth::Caller;
use confide_shared::clock::now_rfc3339;
use confide_shared::domain::audit::{AuditAction, AuditTarget};
use confide_shared::domain::campaign::{AudienceCount, Campaign, CampaignStatus};
use confide_shared::domain::consent::Channel;
use confide_shared::domain::conversation::parse_body;
use confide_shared::domain::text::check_text;
use confide_shared::domain::{CampaignId, InvalidField, Permission};
use confide_shared::http::{
    finish, json, json_body, paging, unknown_route, HttpResponse, RequestInfo,
};
use confide_shared::messaging::MessagingJob;
use confide_shared::store::CampaignState;
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
        "POST /v1/campaigns" => create(app, req, info, &caller).await,
        "POST /v1/campaigns/audience" => count_audience(app, req, info, &caller).await,
        "GET /v1/campaigns" => list(app, info, &caller).await,
        "GET /v1/campaigns/{id}" => get(app, info, &caller).await,
        _ => Err(unknown_route(info)),
    }
}

fn view(state: CampaignState) -> CampaignView {
    CampaignView {
        campaign: state.campaign,
        status: state.status,
        counts: state.counts,
    }
}

fn parse_subject(
    channel: Channel,
    subject: Option<String>,
) -> Result<Option<String>, InvalidField> {
    match (channel, subject.as_deref().map(str::trim)) {
        (Channel::Email, Some(subject)) if !subject.is_empty() => {
            check_text("subject", subject, false)?;
            if subject.chars().count() > 200 {
                return Err(InvalidField::new(
                    "subject",
                    "must be at most 200 characters",
                ));
            }
            Ok(Some(subject.to_owned()))
        }
        (Channel::Email, _) => Err(InvalidField::new("subject", "is required for email")),
        (_, None) => Ok(None),
        (_, Some(_)) => Err(InvalidField::new("subject", "is for email only")),
    }
}

async fn create(
    app: &App,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ContactsWrite)?;
    let request: NewCampaign = json_body(req)?;
    let campaign = Campaign {
        id: CampaignId::generate(),
        channel: request.channel,
        subject: parse_subject(request.channel, request.subject)?,
        body: parse_body(&request.body)?,
        audience: request.audience.parse()?,
        created_by: caller.user.clone(),
        created_at: now_rfc3339(),
    };
    let configured = match campaign.channel {
        Channel::Email => app.store.email_channel(&caller.tenant).await?.is_some(),
        Channel::Sms | Channel::Whatsapp => {
            app.store.twilio_channel(&caller.tenant).await?.is_some()
        }
    };
    if !configured {
        return Err(ApiError::conflict(
            "channel_not_configured",
            "connect this channel before sending a campaign on it",
        ));
    }
    app.store.create_campaign(&caller.tenant, &campaign).await?;
    let job = MessagingJob::FanOut {
        tenant_id: caller.tenant.clone(),
        campaign_id: campaign.id.clone(),
        after: None,
        tag_index: 0,
    };
    app.messaging
        .enqueue(&job, 0)
        .await
        .map_err(ApiError::unexpected)?;
    app.audit(
        caller,
        info,
        AuditAction::CampaignCreated,
        AuditTarget::Campaign(campaign.id.clone()),
    )
    .await?;
    Ok(json(
        202,
        &CampaignAccepted {
            id: campaign.id,
            status: CampaignStatus::Sending,
        },
    ))
}

/// Reads the audience's contacts (decrypting them, hence the audit entry) to count consent; nothing
/// about any one contact is answered.
async fn count_audience(
    app: &App,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ContactsRead)?;
    let query: AudienceQuery = json_body(req)?;
    let audience = query.audience.parse()?;
    let contacts = app
        .store
        .audience_contacts(&caller.tenant, &audience)
        .await?;
    let count = AudienceCount::of(&contacts, query.channel);
    app.audit(
        caller,
        info,
        AuditAction::CampaignAudienceCounted,
        AuditTarget::Campaigns,
    )
    .await?;
    Ok(json(200, &count))
}

async fn list(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ContactsRead)?;
    let (limit, after) = paging::<CampaignId>(info)?;
    let page = app
        .store
        .campaigns(&caller.tenant, limit, after.as_ref())
        .await?;
    app.audit(
        caller,
        info,
        AuditAction::CampaignsListed,
        AuditTarget::Campaigns,
    )
    .await?;
    Ok(json(
        200,
        &Page {
            items: page.records.into_iter().map(view).collect::<Vec<_>>(),
            next_cursor: page.next.map(|id| id.to_string()),
        },
    ))
}

async fn get(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ContactsRead)?;
    let id: CampaignId = info.path_id("id")?;
    let state = app
        .store
        .campaign(&caller.tenant, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    app.audit(
        caller,
        info,
        AuditAction::CampaignRead,
        AuditTarget::Campaign(id.clone()),
    )
    .await?;
    Ok(json(200, &view(state)))
}
