//! The HTTP edge shared by every API function: what a request carries (route, ids, claims), JSON in
//! and out, and the one place where an [`ApiError`] becomes a response.

use crate::error::{cause_chain, ApiError};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, RequestPayloadExt, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;

pub type HttpResponse = Response<Body>;

/// What API Gateway tells us about a request, besides its body.
#[derive(Debug, Clone, Default)]
pub struct RequestInfo {
    /// `METHOD /path/{param}` as declared in template.yaml.
    pub route: String,
    pub request_id: String,
    pub source_ip: String,
    /// JWT claims checked by the authorizer (absent on public routes).
    pub claims: HashMap<String, String>,
    pub path: HashMap<String, String>,
    pub query: HashMap<String, String>,
}

impl RequestInfo {
    pub fn of(req: &Request) -> Self {
        let mut info = RequestInfo::default();
        if let RequestContext::ApiGatewayV2(ctx) = req.request_context() {
            info.route = ctx.route_key.unwrap_or_default();
            info.request_id = ctx.request_id.unwrap_or_default();
            info.source_ip = ctx.http.source_ip.unwrap_or_default();
            if let Some(jwt) = ctx.authorizer.and_then(|a| a.jwt) {
                info.claims = jwt.claims;
            }
        }
        info.path = req
            .path_parameters()
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        info.query = req
            .query_string_parameters()
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        info
    }

    pub fn path_param(&self, name: &'static str) -> Result<&str, ApiError> {
        self.path.get(name).map(String::as_str).ok_or_else(|| {
            ApiError::bad_request("missing_parameter", format!("{name} is required"))
        })
    }
}

/// Parses a JSON body into `T`, answering 400 with serde's explanation when it does not fit.
pub fn json_body<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    let bytes: &[u8] = req.body().as_ref();
    if bytes.is_empty() {
        return Err(ApiError::bad_request(
            "missing_body",
            "a JSON body is required",
        ));
    }
    match req.payload::<T>() {
        Ok(Some(value)) => Ok(value),
        // lambda_http ignores bodies without a JSON content type; accept them as JSON anyway.
        Ok(None) => serde_json::from_slice(bytes).map_err(invalid_json),
        Err(e) => Err(ApiError::bad_request("invalid_json", e.to_string())),
    }
}

fn invalid_json(e: serde_json::Error) -> ApiError {
    ApiError::bad_request("invalid_json", e.to_string())
}

pub fn json<T: Serialize>(status: u16, value: &T) -> HttpResponse {
    match serde_json::to_vec(value) {
        Ok(body) => Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .header("cache-control", "no-store")
            .body(Body::from(body))
            .unwrap_or_default(),
        Err(e) => error_response(ApiError::unexpected(e), &RequestInfo::default()),
    }
}

/// A file to download: `body` with its type, offered under `filename` (ASCII: our own ids only).
pub fn download(content_type: &str, filename: &str, body: String) -> HttpResponse {
    Response::builder()
        .status(200)
        .header("content-type", content_type)
        .header(
            "content-disposition",
            format!("attachment; filename=\"{filename}\""),
        )
        .header("cache-control", "no-store")
        .header("x-content-type-options", "nosniff")
        .body(Body::Text(body))
        .unwrap_or_default()
}

pub fn no_content() -> HttpResponse {
    Response::builder()
        .status(204)
        .body(Body::Empty)
        .unwrap_or_default()
}

/// `{"error":{"code","message"}}`; unexpected errors are logged with their causes and request id.
pub fn error_response(error: ApiError, info: &RequestInfo) -> HttpResponse {
    if let ApiError::Unexpected(cause) | ApiError::Upstream { source: cause, .. } = &error {
        tracing::error!(
            route = %info.route,
            request_id = %info.request_id,
            error = %cause_chain(cause.as_ref()),
            "request failed"
        );
    }
    let mut body = serde_json::json!({
        "error": { "code": error.code(), "message": error.public_message() }
    });
    if let ApiError::PlanLimit(reached) = &error {
        body["error"]["limit"] = serde_json::json!({
            "metered": reached.metered, "limit": reached.limit, "used": reached.used,
        });
    }
    let mut response = json(error.status().as_u16(), &body);
    if matches!(error, ApiError::Unauthenticated) {
        response
            .headers_mut()
            .insert("www-authenticate", http::HeaderValue::from_static("Bearer"));
    }
    response
}

/// Runs a route and turns its error, if any, into the response.
pub fn finish(result: Result<HttpResponse, ApiError>, info: &RequestInfo) -> HttpResponse {
    result.unwrap_or_else(|e| error_response(e, info))
}

pub fn unknown_route(info: &RequestInfo) -> ApiError {
    tracing::warn!(route = %info.route, "route not handled by this function");
    ApiError::NotFound
}
