//! Conversations with contacts.
//!
//! - `GET /v1/conversations` — `?status=&channel=&assignee=&contact_id=&limit=&cursor=`, newest activity
//!   first;
//! - `GET /v1/conversations/{id}` — with its messages in order, decrypted;
//! - `PATCH /v1/conversations/{id}` — `{status, assignee}`;
//! - `POST /v1/conversations/{id}/messages` — `{body}`: a reply, stored and queued (202) for the
//!   messaging worker. Refused with 409 `opted_out` after a STOP, `no_consent` where consent is needed,
//!   `outside_whatsapp_window` more than 24 h after the contact's last WhatsApp message.
//!
//! Everyone with contact access reads; owners, admins and agents write.

use confide_shared::api::conversations::{
    ConversationChange, ConversationDetail, ConversationFilter, Reply,
};
use confide_shared::api::Page;
use confide_shared::auth::Caller;
use confide_shared::domain::audit::{AuditAction, AuditTarget};
use confide_shared::domain::consent::Channel;
use confide_shared::domain::conversation::{parse_body, Conversation, ConversationStatus};
use confide_shared::domain::{ContactId, ConversationId, InvalidField, Permission, UserId};
use confide_shared::http::{
    finish, invalid_cursor, json, json_body, raw_paging, unknown_route, HttpResponse, RequestInfo,
};
use confide_shared::inbox;
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
        "GET /v1/conversations" => list(app, info, &caller).await,
        "GET /v1/conversations/{id}" => get(app, info, &caller).await,
        "PATCH /v1/conversations/{id}" => change(app, req, info, &caller).await,
        "POST /v1/conversations/{id}/messages" => reply(app, req, info, &caller).await,
        _ => Err(unknown_route(info)),
    }
}

fn conversation_id(info: &RequestInfo) -> Result<ConversationId, ApiError> {
    info.path_id("id")
}

fn filter(info: &RequestInfo) -> Result<ConversationFilter, ApiError> {
    let query = |name: &str| info.query.get(name).map(String::as_str);
    Ok(ConversationFilter {
        status: query("status").map(ConversationStatus::parse).transpose()?,
        channel: query("channel").map(Channel::parse).transpose()?,
        assignee: query("assignee")
            .map(|a| {
                UserId::parse(a).map_err(|_| InvalidField::new("assignee", "is not a user id"))
            })
            .transpose()?,
        contact_id: query("contact_id")
            .map(|c| {
                ContactId::parse(c)
                    .map_err(|_| InvalidField::new("contact_id", "is not a contact id"))
            })
            .transpose()?,
    })
}

fn matches(filter: &ConversationFilter, c: &Conversation) -> bool {
    filter.status.is_none_or(|s| s == c.status)
        && filter.channel.is_none_or(|ch| ch == c.channel)
        && filter
            .assignee
            .as_ref()
            .is_none_or(|a| c.assignee.as_ref() == Some(a))
        && filter
            .contact_id
            .as_ref()
            .is_none_or(|id| *id == c.contact_id)
}

/// Conversations ordered by latest activity. A cursor is the last item's `<activity>|<id>`; the
/// listing reads the tenant's conversation records (small, ids and times) and pages them in memory.
async fn list(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ContactsRead)?;
    let filter = filter(info)?;
    let (limit, cursor) = raw_paging(info)?;
    let after = cursor
        .map(|c| {
            let (at, id) = c.split_once('|').ok_or_else(invalid_cursor)?;
            Ok::<_, ApiError>((
                at.to_owned(),
                ConversationId::parse(id).map_err(|_| invalid_cursor())?,
            ))
        })
        .transpose()?;
    let mut conversations: Vec<Conversation> = app
        .store
        .conversations(&caller.tenant)
        .await?
        .into_iter()
        .filter(|c| matches(&filter, c))
        .collect();
    conversations.sort_by(|a, b| (&b.last_activity_at, &b.id).cmp(&(&a.last_activity_at, &a.id)));
    let start = match &after {
        Some((at, id)) => conversations
            .iter()
            .position(|c| (&c.last_activity_at, &c.id) < (at, id))
            .unwrap_or(conversations.len()),
        None => 0,
    };
    let page: Vec<Conversation> = conversations
        .iter()
        .skip(start)
        .take(limit as usize)
        .cloned()
        .collect();
    let next_cursor = (start + page.len() < conversations.len())
        .then(|| {
            page.last()
                .map(|c| format!("{}|{}", c.last_activity_at, c.id))
        })
        .flatten();
    app.audit(
        caller,
        info,
        AuditAction::ConversationsListed,
        AuditTarget::Conversations,
    )
    .await?;
    Ok(json(
        200,
        &Page {
            items: page,
            next_cursor,
        },
    ))
}

async fn get(app: &App, info: &RequestInfo, caller: &Caller) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ContactsRead)?;
    let id = conversation_id(info)?;
    let conversation = app
        .store
        .conversation(&caller.tenant, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let messages = app.store.messages(&caller.tenant, &id).await?;
    app.audit(
        caller,
        info,
        AuditAction::ConversationRead,
        AuditTarget::Conversation(id.clone()),
    )
    .await?;
    Ok(json(
        200,
        &ConversationDetail {
            conversation: conversation.record,
            messages,
        },
    ))
}

async fn change(
    app: &App,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ContactsWrite)?;
    let id = conversation_id(info)?;
    let change: ConversationChange = json_body(req)?;
    let status = change
        .status
        .as_deref()
        .map(ConversationStatus::parse)
        .transpose()?;
    let current = app
        .store
        .conversation(&caller.tenant, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut next = current.record.clone();
    if let Some(status) = status {
        next.status = status;
    }
    if let Some(assignee) = change.assignee {
        if let Some(user) = &assignee {
            app.store
                .member(&caller.tenant, user)
                .await?
                .filter(|m| m.role.allows(Permission::ContactsWrite))
                .ok_or_else(|| {
                    InvalidField::new("assignee", "is not a member who may answer conversations")
                })?;
        }
        next.assignee = assignee;
    }
    let saved = app
        .store
        .save_conversation(&caller.tenant, &current, next)
        .await
        .map_err(|e| {
            e.or_changed_meanwhile(
                "the conversation (or the contact's other open conversation on this channel)",
            )
        })?;
    app.audit(
        caller,
        info,
        AuditAction::ConversationUpdated,
        AuditTarget::Conversation(id.clone()),
    )
    .await?;
    Ok(json(200, &saved.record))
}

async fn reply(
    app: &App,
    req: &Request,
    info: &RequestInfo,
    caller: &Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ContactsWrite)?;
    let id = conversation_id(info)?;
    let body = parse_body(&json_body::<Reply>(req)?.body)?;
    let conversation = app
        .store
        .conversation(&caller.tenant, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let contact = app
        .store
        .contact(&caller.tenant, &conversation.record.contact_id)
        .await?
        .ok_or_else(|| ApiError::conflict("contact_deleted", "the contact was erased"))?;
    if let Some(refused) = inbox::reply_refusal(
        &contact.record,
        &conversation.record,
        time::OffsetDateTime::now_utc(),
    ) {
        return Err(refused);
    }
    let message = inbox::queue_reply(
        app,
        &caller.tenant,
        &conversation,
        body,
        caller.user.as_str(),
    )
    .await?;
    app.audit(
        caller,
        info,
        AuditAction::MessageQueued,
        AuditTarget::Conversation(id.clone()),
    )
    .await?;
    Ok(json(202, &message))
}
