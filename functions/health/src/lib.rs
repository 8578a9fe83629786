//! `GET /v1/health`: answers while the function can run at all. It reads nothing, so it can be
//! called without a token and reveals nothing.

use confide_shared::http::{json, HttpResponse};
use lambda_http::Request;

pub async fn handle(_req: Request) -> HttpResponse {
    json(
        200,
        &serde_json::json!({ "status": "ok", "service": "confide", "version": env!("CARGO_PKG_VERSION") }),
    )
}
