//! The one shape of the local stack's own refusals (no route, a bad token, an unknown page): the
//! API's `{"error":{"code","message"}}`, so the web app reads them as it reads the handlers'.

use axum::body::Body;
use axum::response::Response;
use http::StatusCode;

pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "error": { "code": code, "message": message } }).to_string();
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap_or_default()
}
