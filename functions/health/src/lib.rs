//! What anyone may read without a token, and which touches no data:
//!
//! - `GET /v1/health` — answers while the function can run at all;
//! - `GET /v1/openapi.json` — the API's OpenAPI 3.1 document, made once per cold start.

use confide_shared::api::openapi::document;
use confide_shared::api::Health;
use confide_shared::http::{finish, json, unknown_route, HttpResponse, RequestInfo};
use lambda_http::Request;
use std::sync::LazyLock;

static DOCUMENT: LazyLock<serde_json::Value> = LazyLock::new(document);

pub async fn handle(req: Request) -> HttpResponse {
    let info = RequestInfo::of(&req);
    let answer = match info.route.as_str() {
        "GET /v1/health" => Ok(json(
            200,
            &Health {
                status: "ok".into(),
                service: "confide".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
        )),
        "GET /v1/openapi.json" => Ok(json(200, &*DOCUMENT)),
        _ => Err(unknown_route(&info)),
    };
    finish(answer, &info)
}
