//! Twilio's webhooks for a tenant's channel (public, signed).
//!
//! - `POST /webhooks/twilio/{channel}/messages` — an inbound SMS or WhatsApp message: stored in the
//!   contact's open conversation (the contact created if the number is new), opt-out and opt-in
//!   keywords recorded in the consent ledger, HELP answered with the channel's help text;
//! - `POST /webhooks/twilio/{channel}/status` — delivery status of an outbound message, which only
//!   ever moves forward; error 21610 (the recipient replied STOP) records a withdrawal.
//!
//! Before `X-Twilio-Signature` checks out, Confide reads only what checking it takes: the channel id
//! from the path, that channel's record (the tenant it belongs to and its auth token, which the
//! signature is made with) and the form's fields as the signature covers them. No contact or message
//! is read, nothing is stored or acted on: a missing or wrong signature is 403, and the only thing
//! logged is the channel id. The signature is checked against the auth token and the webhook URL
//! Confide gave the tenant. The answer is TwiML at once; Twilio waits at most 15 s.

use confide_shared::domain::channel::TwilioChannel;
use confide_shared::domain::consent::{Channel, ConsentSource};
use confide_shared::domain::conversation::MessageStatus;
use confide_shared::domain::message::{keyword, opt_out_type, Keyword};
use confide_shared::domain::phone::PhoneE164;
use confide_shared::domain::{ChannelId, TenantId};
use confide_shared::http::{finish, unknown_route, xml, HttpResponse, RequestInfo};
use confide_shared::inbox::{self, Received};
use confide_shared::metrics;
use confide_shared::store::StoreError;
use confide_shared::twilio::signature;
use confide_shared::twilio::webhook::{
    parse_form, reply_twiml, Inbound, StatusCallback, EMPTY_TWIML, UNSUBSCRIBED_RECIPIENT,
};
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
    let (tenant, channel, params) = verified(app, req, info).await.inspect_err(|_| {
        metrics::webhook_event("twilio", "rejected");
    })?;
    match info.route.as_str() {
        "POST /webhooks/twilio/{channel}/messages" => {
            metrics::webhook_event("twilio", "message");
            inbound(app, info, &tenant, &channel, &params).await
        }
        "POST /webhooks/twilio/{channel}/status" => {
            metrics::webhook_event("twilio", "status");
            status(app, info, &tenant, &channel, &params).await
        }
        _ => Err(unknown_route(info)),
    }
}

fn forbidden() -> ApiError {
    ApiError::Forbidden {
        message: "the request is not signed by this channel's Twilio account",
    }
}

/// The tenant, its channel and the form's parameters — only for a request Twilio signed with the
/// channel's auth token over the URL Confide gave for it.
async fn verified(
    app: &App,
    req: &Request,
    info: &RequestInfo,
) -> Result<(TenantId, TwilioChannel, Vec<(String, String)>), ApiError> {
    let raw_id = info.path_param("channel")?;
    let refuse = || {
        tracing::warn!(channel = %confide_shared::domain::text::clip(raw_id), "Twilio webhook refused: unknown channel or bad signature");
        forbidden()
    };
    let id = ChannelId::parse(raw_id).map_err(|_| refuse())?;
    let header = req
        .headers()
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(refuse)?;
    let tenant = app.store.tenant_of_channel(&id).await?.ok_or_else(refuse)?;
    let channel = app
        .store
        .twilio_channel(&tenant)
        .await?
        .filter(|c| c.id == id)
        .ok_or_else(refuse)?;
    let params = parse_form(req.body().as_ref()).map_err(|_| refuse())?;
    let (messages, status) = app.config.messaging.twilio_webhook_urls(&id);
    let mut url = if info.route.ends_with("/status") {
        status
    } else {
        messages
    };
    if let Some(query) = req.uri().query().filter(|q| !q.is_empty()) {
        url = format!("{url}?{query}");
    }
    if !signature::is_valid(channel.auth_token.expose(), &url, &params, header) {
        return Err(refuse());
    }
    Ok((tenant, channel, params))
}

/// `whatsapp:+E164` or `+E164`: the channel and the number.
fn sender(from: &str) -> Option<(Channel, PhoneE164)> {
    let (channel, number) = match from.strip_prefix("whatsapp:") {
        Some(number) => (Channel::Whatsapp, number),
        None => (Channel::Sms, from),
    };
    PhoneE164::parse(number, None)
        .ok()
        .map(|phone| (channel, phone))
}

async fn inbound(
    app: &App,
    info: &RequestInfo,
    tenant: &TenantId,
    channel: &TwilioChannel,
    params: &[(String, String)],
) -> Result<HttpResponse, ApiError> {
    let message = Inbound::from_params(params)
        .map_err(|e| ApiError::bad_request("invalid_webhook", e.to_string()))?;
    if message.account_sid != channel.account_sid {
        return Err(forbidden());
    }
    let Some((kind, phone)) = sender(&message.from) else {
        // Short codes and alphanumeric senders are not contacts; nothing to store.
        tracing::warn!("inbound message from a sender that is not a phone number; ignored");
        return Ok(xml(200, EMPTY_TWIML));
    };
    let contact = inbox::contact_for_phone(app, tenant, &phone).await?;
    let said = message
        .opt_out_type
        .as_deref()
        .and_then(opt_out_type)
        .or_else(|| keyword(&message.body));
    let received = inbox::receive(
        app,
        info,
        tenant,
        &contact.id,
        kind,
        &message.body,
        &message.message_sid,
    )
    .await?;
    if received == Received::Duplicate {
        return Ok(xml(200, EMPTY_TWIML));
    }
    match said {
        Some(Keyword::OptOut) | Some(Keyword::OptIn) => {
            let granted = said == Some(Keyword::OptIn);
            inbox::record_opt(
                app,
                info,
                tenant,
                &contact.id,
                kind,
                &inbox::ALL_PURPOSES,
                granted,
                ConsentSource::Keyword,
                message.body.trim(),
            )
            .await?;
            // Twilio answers STOP and START itself (its default opt-out handling).
            Ok(xml(200, EMPTY_TWIML))
        }
        Some(Keyword::Help) => Ok(xml(
            200,
            channel
                .help_text
                .as_deref()
                .map_or_else(|| EMPTY_TWIML.to_owned(), reply_twiml),
        )),
        None => Ok(xml(200, EMPTY_TWIML)),
    }
}

async fn status(
    app: &App,
    info: &RequestInfo,
    tenant: &TenantId,
    channel: &TwilioChannel,
    params: &[(String, String)],
) -> Result<HttpResponse, ApiError> {
    let callback = StatusCallback::from_params(params)
        .map_err(|e| ApiError::bad_request("invalid_webhook", e.to_string()))?;
    if callback.account_sid != channel.account_sid {
        return Err(forbidden());
    }
    for attempt in 1..=5 {
        let Some(current) = app
            .store
            .message_by_provider_id(tenant, &callback.message_sid)
            .await?
        else {
            tracing::warn!("status callback for a message Confide does not know; ignored");
            return Ok(xml(200, EMPTY_TWIML));
        };
        if attempt == 1 && callback.error_code.as_deref() == Some(UNSUBSCRIBED_RECIPIENT) {
            // Before the status is saved, and again when Twilio retries a callback that failed
            // after saving it: a withdrawal already on record is not written twice.
            inbox::record_opt(
                app,
                info,
                tenant,
                &current.record.contact_id,
                current.record.channel,
                &inbox::ALL_PURPOSES,
                false,
                ConsentSource::Keyword,
                "Twilio error 21610: the recipient replied STOP",
            )
            .await?;
        }
        let mut next = current.record.clone();
        if let (Some(reported), MessageStatus::Delivery(held)) =
            (callback.status, current.record.status)
        {
            next.status = MessageStatus::Delivery(held.advance(reported));
        }
        if callback.error_code.is_some() && next.error_code.is_none() {
            next.error_code = callback.error_code.clone();
        }
        if next == current.record {
            return Ok(xml(200, EMPTY_TWIML));
        }
        match app
            .store
            .save_message(tenant, &current, next.clone(), None)
            .await
        {
            Ok(_) => {
                inbox::record_delivery_metric(&current.record, &next);
                return Ok(xml(200, EMPTY_TWIML));
            }
            Err(StoreError::ConditionFailed) if attempt < 5 => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict(
        "changed_meanwhile",
        "the message changed meanwhile",
    ))
}
