//! `POST /v1/unsubscribe/{token}` (public): one-click unsubscribe from a tenant's marketing email
//! (RFC 8058: mail clients post `List-Unsubscribe=One-Click`; the web app's unsubscribe page posts
//! nothing). The token is signed per recipient; a forged or altered one changes nothing and answers
//! 404, exactly like a token for a contact that was erased.

use confide_shared::api::contacts::Unsubscribed;
use confide_shared::domain::consent::{Channel, ConsentSource, Purpose};
use confide_shared::http::{finish, json, unknown_route, HttpResponse, RequestInfo};
use confide_shared::inbox;
use confide_shared::{ApiError, App};
use lambda_http::Request;
use std::sync::Arc;

pub struct Unsubscribe {
    pub app: Arc<App>,
    /// The key unsubscribe tokens are signed with (SSM, read at cold start).
    pub key: Vec<u8>,
}

pub async fn handle(state: &Unsubscribe, req: Request) -> HttpResponse {
    let info = RequestInfo::of(&req);
    finish(route(state, &info).await, &info)
}

async fn route(state: &Unsubscribe, info: &RequestInfo) -> Result<HttpResponse, ApiError> {
    match info.route.as_str() {
        "POST /v1/unsubscribe/{token}" => unsubscribe(state, info).await,
        _ => Err(unknown_route(info)),
    }
}

async fn unsubscribe(state: &Unsubscribe, info: &RequestInfo) -> Result<HttpResponse, ApiError> {
    let token = info.path_param("token")?;
    let (tenant, contact) =
        confide_shared::unsubscribe::verify(&state.key, token).ok_or(ApiError::NotFound)?;
    let known = inbox::record_opt(
        &state.app,
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
