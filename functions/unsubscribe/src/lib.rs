//! Unsubscribing from a tenant's marketing email, by the signed per-recipient link in it (public):
//!
//! - `POST /v1/unsubscribe/{token}` — the withdrawal: RFC 8058 one-click (mail clients post
//!   `List-Unsubscribe=One-Click`) or the confirmation page's button;
//! - `GET /v1/unsubscribe/{token}` — the page a person reaches from the link in the email's text: a
//!   button that posts. A GET never changes anything (mail scanners open links).
//!
//! A forged or altered token changes nothing and answers 404, exactly like a token for a contact that
//! was erased.

use confide_shared::api::contacts::Unsubscribed;
use confide_shared::domain::consent::{Channel, ConsentSource, Purpose};
use confide_shared::http::{finish, html, json, unknown_route, HttpResponse, RequestInfo};
use confide_shared::inbox;
use confide_shared::secrets::Secret;
use confide_shared::{ApiError, App};
use lambda_http::Request;
use std::sync::Arc;

pub struct Unsubscribe {
    pub app: Arc<App>,
    /// The key unsubscribe tokens are signed with (SSM, read by the first request).
    pub key: Secret,
}

/// The signing key's bytes; a failed read is a 500 that the next request tries again.
async fn signing_key(state: &Unsubscribe) -> Result<&[u8], ApiError> {
    Ok(state
        .key
        .get()
        .await
        .map_err(ApiError::unexpected)?
        .as_bytes())
}

/// What this function keeps between requests, built once at cold start by its `main.rs` and by the
/// local stack, so both run the same wiring.
pub fn connect(app: Arc<App>) -> Unsubscribe {
    Unsubscribe {
        key: Secret::new(
            app.ssm.clone(),
            &app.config.messaging.unsubscribe_secret_parameter,
        ),
        app,
    }
}

pub async fn handle(state: &Unsubscribe, req: Request) -> HttpResponse {
    let info = RequestInfo::of(&req);
    finish(route(state, &info).await, &info)
}

async fn route(state: &Unsubscribe, info: &RequestInfo) -> Result<HttpResponse, ApiError> {
    match info.route.as_str() {
        "POST /v1/unsubscribe/{token}" => unsubscribe(state, info).await,
        "GET /v1/unsubscribe/{token}" => confirmation_page(state, info).await,
        _ => Err(unknown_route(info)),
    }
}

/// The page behind the email's text link: one button that posts to the same URL. Only our own text and
/// the verified ids' URL (ids are `[A-Za-z0-9_-]`) go into it.
async fn confirmation_page(
    state: &Unsubscribe,
    info: &RequestInfo,
) -> Result<HttpResponse, ApiError> {
    let token = info.path_param("token")?;
    let key = signing_key(state).await?;
    let (tenant, contact) =
        confide_shared::unsubscribe::verify(key, token).ok_or(ApiError::NotFound)?;
    let action = confide_shared::unsubscribe::token(key, &tenant, &contact);
    Ok(html(
        200,
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width\"><title>Unsubscribe</title></head>\
             <body><h1>Unsubscribe from these emails?</h1>\
             <p>You will receive no more marketing email from this sender.</p>\
             <form method=\"post\" action=\"/v1/unsubscribe/{action}\">\
             <button type=\"submit\">Unsubscribe</button></form></body></html>"
        ),
    ))
}

async fn unsubscribe(state: &Unsubscribe, info: &RequestInfo) -> Result<HttpResponse, ApiError> {
    let token = info.path_param("token")?;
    let (tenant, contact) = confide_shared::unsubscribe::verify(signing_key(state).await?, token)
        .ok_or(ApiError::NotFound)?;
    let known = inbox::record_opt(
        &state.app,
        info,
        &tenant,
        &contact,
        Channel::Email,
        &[Purpose::Marketing],
        false,
        ConsentSource::Unsubscribe,
        "unsubscribe link in a marketing email",
    )
    .await?;
    if !known {
        return Err(ApiError::NotFound);
    }
    Ok(json(200, &Unsubscribed { unsubscribed: true }))
}
