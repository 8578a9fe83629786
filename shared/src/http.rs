//! The HTTP edge shared by every API function: what a request carries (route, ids, claims), JSON in
//! and out, and the one place where an [`ApiError`] becomes a response.

use crate::api::{ErrorBody, ErrorDetail, LimitDetail};
use crate::domain::audit::AuditSource;
use crate::domain::text::{clip, clip_message};
use crate::domain::Id;
use crate::error::{cause_chain, ApiError};
use crate::metrics::Record;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
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
    /// When the function began on the request, for its latency metric.
    pub received: Option<std::time::Instant>,
    /// What the request is, for the audit entries it writes: a member's or visitor's request, a
    /// provider's webhook, or (built by a worker) a queue message.
    pub source: AuditSource,
}

impl RequestInfo {
    pub fn of(req: &Request) -> Self {
        let mut info = RequestInfo {
            received: Some(std::time::Instant::now()),
            ..RequestInfo::default()
        };
        if let RequestContext::ApiGatewayV2(ctx) = req.request_context() {
            info.route = ctx.route_key.unwrap_or_default();
            info.request_id = ctx.request_id.unwrap_or_default();
            info.source_ip = ctx.http.source_ip.unwrap_or_default();
            if let Some(jwt) = ctx.authorizer.and_then(|a| a.jwt) {
                info.claims = jwt.claims;
            }
        }
        if info
            .route
            .split_once(' ')
            .is_some_and(|(_, path)| path.starts_with("/webhooks/"))
        {
            info.source = AuditSource::Webhook;
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

    /// What a worker acts on: one queue message, named by its SQS message id.
    pub fn queue_message(message_id: &str) -> Self {
        Self {
            request_id: message_id.to_owned(),
            source: AuditSource::Worker,
            ..Self::default()
        }
    }

    pub fn path_param(&self, name: &'static str) -> Result<&str, ApiError> {
        self.path.get(name).map(String::as_str).ok_or_else(|| {
            ApiError::bad_request("missing_parameter", format!("{name} is required"))
        })
    }

    /// The id in path parameter `name`. Something that is no id of this kind names nothing that
    /// could exist: 404, as for an id that exists in no tenant the caller may see.
    pub fn path_id<T: Id>(&self, name: &'static str) -> Result<T, ApiError> {
        T::parse(self.path_param(name)?).map_err(|_| ApiError::NotFound)
    }
}

/// Parses a JSON body into `T`. A body with a content type other than JSON, or JSON in another
/// charset than UTF-8, answers 415; one that does not fit `T` answers 400 naming the field and the rule,
/// quoting at most a short prefix of what the client sent.
pub fn json_body<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    check_json_content_type(req.headers().get(http::header::CONTENT_TYPE))?;
    parse_json(req.body().as_ref())
}

/// The JSON parsing behind [`json_body`], on the raw bytes of a body.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::bad_request(
            "missing_body",
            "a JSON body is required",
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(invalid_json)?;
    // Trailing bytes after the value are as malformed as a missing brace.
    deserializer
        .end()
        .map_err(|e| ApiError::bad_request("invalid_json", clip_message(&e.to_string())))?;
    Ok(value)
}

/// JSON, or no content type at all (curl's default, read as JSON); in UTF-8 if a charset is named.
fn check_json_content_type(header: Option<&http::HeaderValue>) -> Result<(), ApiError> {
    let Some(header) = header else {
        return Ok(());
    };
    let unsupported = || ApiError::UnsupportedMediaType {
        message: "the body must be application/json in UTF-8",
    };
    let value = header.to_str().map_err(|_| unsupported())?;
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let is_json = essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    let utf8 = parts.all(|param| match param.split_once('=') {
        Some((name, charset)) if name.trim().eq_ignore_ascii_case("charset") => {
            let charset = charset.trim().trim_matches('"');
            charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("utf8")
        }
        _ => true,
    });
    if is_json && utf8 {
        Ok(())
    } else {
        Err(unsupported())
    }
}

/// `field.path: serde's rule`, with every client-chosen key and value cut to a short prefix.
fn invalid_json(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    use serde_path_to_error::Segment;
    let mut path = String::new();
    for segment in e.path().iter() {
        match segment {
            Segment::Seq { index } => path.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&clip(key));
            }
            Segment::Unknown => path.push_str(".?"),
        }
    }
    let rule = clip_message(&e.inner().to_string());
    let message = if path.is_empty() {
        rule
    } else {
        format!("{path}: {rule}")
    };
    ApiError::bad_request("invalid_json", message)
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

/// A small HTML page of our own (no client input in it), with a policy that allows nothing but its own
/// form.
pub fn html(status: u16, body: impl Into<String>) -> HttpResponse {
    Response::builder()
        .status(status)
        .header("content-type", "text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .header("x-content-type-options", "nosniff")
        .header(
            "content-security-policy",
            "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
        )
        .body(Body::Text(body.into()))
        .unwrap_or_default()
}

/// TwiML (or any XML) for Twilio.
pub fn xml(status: u16, body: impl Into<String>) -> HttpResponse {
    Response::builder()
        .status(status)
        .header("content-type", "text/xml")
        .header("cache-control", "no-store")
        .body(Body::Text(body.into()))
        .unwrap_or_default()
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
    let body = ErrorBody {
        error: ErrorDetail {
            code: error.code().to_owned(),
            message: error.public_message(),
            field: match &error {
                ApiError::Invalid(invalid) => Some(invalid.field.to_owned()),
                _ => None,
            },
            limit: match &error {
                ApiError::PlanLimit(reached) => Some(LimitDetail {
                    metered: reached.metered,
                    limit: reached.limit,
                    used: reached.used,
                }),
                _ => None,
            },
            existing_id: match &error {
                ApiError::Duplicate { existing_id, .. } => Some(existing_id.clone()),
                _ => None,
            },
        },
    };
    let mut response = json(error.status().as_u16(), &body);
    if matches!(error, ApiError::Unauthenticated) {
        response
            .headers_mut()
            .insert("www-authenticate", http::HeaderValue::from_static("Bearer"));
    }
    response
}

/// Runs a route, turns its error, if any, into the response, adds the security headers and records
/// the request's metrics (per route: count, client and server errors, latency; plan-limit refusals
/// per limit).
pub fn finish(result: Result<HttpResponse, ApiError>, info: &RequestInfo) -> HttpResponse {
    if let Err(ApiError::PlanLimit(reached)) = &result {
        Record::new()
            .dimension("Limit", reached.metered.as_str())
            .count("PlanLimitRefusals", 1)
            .emit();
    }
    let response = with_security_headers(result.unwrap_or_else(|e| error_response(e, info)));
    let status = response.status().as_u16();
    let mut record = Record::new()
        .dimension("Route", info.route.as_str())
        .with_total()
        .count("Requests", 1)
        .count("ClientErrors", u64::from((400..500).contains(&status)))
        .count("ServerErrors", u64::from(status >= 500));
    if let Some(received) = info.received {
        record = record.duration("Latency", received.elapsed());
    }
    record.emit();
    response
}

/// The security headers, also added by the local gateway to what it answers itself (as CloudFront's
/// response-headers policy would on AWS).
pub const SECURITY_HEADERS: [(&str, &str); 6] = [
    (
        "strict-transport-security",
        "max-age=63072000; includeSubDomains",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    (
        "content-security-policy",
        "default-src 'none'; frame-ancestors 'none'",
    ),
];

/// Headers on every API response. The API answers data, never a page to frame or a script to run, so
/// its policy allows nothing; a page of our own (the unsubscribe page) has set a narrower one first,
/// which is kept.
pub fn with_security_headers(mut response: HttpResponse) -> HttpResponse {
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers
            .entry(name)
            .or_insert(http::HeaderValue::from_static(value));
    }
    response
}

/// The cookie that keeps a browser's refresh token: unreadable to scripts, never sent cross-site, and
/// sent only to the session routes that use it.
pub const REFRESH_COOKIE: &str = "confide_refresh";
/// Refresh tokens live 24 h in the user pool; the cookie no longer.
const REFRESH_COOKIE_SECONDS: u32 = 24 * 60 * 60;

/// `response` with a `Set-Cookie` for a new refresh token, or (with `None`) one that removes it.
pub fn with_refresh_cookie(mut response: HttpResponse, token: Option<&str>) -> HttpResponse {
    let (value, max_age) = match token {
        Some(token) => (token, REFRESH_COOKIE_SECONDS),
        None => ("", 0),
    };
    let cookie = format!(
        "{REFRESH_COOKIE}={value}; Path=/v1/auth; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"
    );
    if let Ok(value) = http::HeaderValue::from_str(&cookie) {
        response
            .headers_mut()
            .append(http::header::SET_COOKIE, value);
    }
    response
}

/// A cookie the request carries (API Gateway v2 puts them in `cookie` headers).
pub fn cookie(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// Items on a page of a listing unless `limit` says otherwise, and the most it may say.
pub const PAGE_DEFAULT: i32 = 20;
pub const PAGE_MAX: i32 = 100;

/// `limit` and `cursor` of a listing whose pages continue after a record's id (`C`), as the
/// store's [`Page`](crate::store::Page) hands it back in `next`.
pub fn paging<C: Id>(info: &RequestInfo) -> Result<(i32, Option<C>), ApiError> {
    let (limit, cursor) = raw_paging(info)?;
    let after = cursor
        .map(|c| C::parse(&c).map_err(|_| invalid_cursor()))
        .transpose()?;
    Ok((limit, after))
}

/// `limit` and `cursor` of a listing whose cursor is not an id (a sequence number, a position).
pub fn raw_paging(info: &RequestInfo) -> Result<(i32, Option<String>), ApiError> {
    let limit = match info.query.get("limit") {
        None => PAGE_DEFAULT,
        Some(raw) => raw
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=PAGE_MAX).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_query",
                    format!("limit must be a number from 1 to {PAGE_MAX}"),
                )
            })?,
    };
    Ok((limit, info.query.get("cursor").cloned()))
}

pub fn invalid_cursor() -> ApiError {
    ApiError::bad_request("invalid_query", "cursor is not one this API returned")
}

pub fn unknown_route(info: &RequestInfo) -> ApiError {
    tracing::warn!(route = %info.route, "route not handled by this function");
    ApiError::NotFound
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_headers_are_added_and_a_pages_own_policy_is_kept() {
        let api = with_security_headers(json(200, &serde_json::json!({})));
        assert_eq!(api.headers()["x-frame-options"], "DENY");
        assert_eq!(
            api.headers()["content-security-policy"],
            "default-src 'none'; frame-ancestors 'none'"
        );
        let page = with_security_headers(html(200, "<p>ok</p>"));
        assert!(page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("form-action 'self'"));
        assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    }
}
