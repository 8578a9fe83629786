//! The local HTTP API: matches a request against the template's routes, checks the JWT like the
//! authorizer would, turns the request into the API Gateway v2 event Lambda would receive, and calls
//! the same handler the Lambda binary calls.

use crate::errors::error;
use crate::jwt::JwtAuthorizer;
use crate::template::Route;
use axum::body::{to_bytes, Body as AxumBody};
use axum::extract::{ConnectInfo, State};
use axum::response::Response as AxumResponse;
use base64::Engine;
use confide_shared::http::HttpResponse;
use http::{HeaderValue, StatusCode};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;

/// A boxed future, as the registered handlers return them.
pub type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;

/// A function's HTTP handler, as its Lambda `main` would call it.
pub type HttpHandler = Arc<dyn Fn(lambda_http::Request) -> BoxFuture<HttpResponse> + Send + Sync>;

/// API Gateway refuses payloads over Lambda's limit.
const MAX_BODY: usize = 6 * 1024 * 1024;

pub struct Gateway {
    pub routes: Vec<Route>,
    pub handlers: HashMap<String, HttpHandler>,
    pub authorizer: JwtAuthorizer,
    pub cors_origins: Vec<String>,
    /// The built web app (`web/dist`), served beside the API when it exists.
    pub web_root: Option<std::path::PathBuf>,
}

impl Gateway {
    /// Refuses to start when a route names a function no handler is registered for.
    pub fn check_handlers(&self) -> anyhow::Result<()> {
        for route in &self.routes {
            if !self.handlers.contains_key(&route.binary) {
                anyhow::bail!(
                    "{} is served by `{}`, which has no local handler",
                    route.key(),
                    route.binary
                );
            }
        }
        Ok(())
    }

    pub fn router(self: Arc<Self>) -> axum::Router {
        axum::Router::new().fallback(serve).with_state(self)
    }
}

async fn serve(
    State(gateway): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
) -> AxumResponse {
    let origin = request.headers().get("origin").cloned();
    let mut response = answer(&gateway, peer, request).await;
    if let Some(origin) = origin.filter(|o| {
        gateway
            .cors_origins
            .iter()
            .any(|a| a.as_bytes() == o.as_bytes())
    }) {
        let headers = response.headers_mut();
        headers.insert("access-control-allow-origin", origin);
        headers.insert("vary", HeaderValue::from_static("origin"));
    }
    // What the functions answer has them already; the gateway's own answers (authorizer refusals,
    // unknown routes) get them here.
    let headers = response.headers_mut();
    for (name, value) in confide_shared::http::SECURITY_HEADERS {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

async fn answer(
    gateway: &Gateway,
    peer: SocketAddr,
    request: axum::extract::Request,
) -> AxumResponse {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let method = parts.method.as_str().to_owned();
    if method == "OPTIONS" {
        return AxumResponse::builder()
            .status(StatusCode::NO_CONTENT)
            .header(
                "access-control-allow-methods",
                "GET, POST, PUT, PATCH, DELETE, OPTIONS",
            )
            .header(
                "access-control-allow-headers",
                "authorization, content-type",
            )
            .header("access-control-max-age", "600")
            .body(AxumBody::empty())
            .unwrap_or_default();
    }
    if !crate::web::is_api(&path) && (method == "GET" || method == "HEAD") {
        return crate::web::serve(gateway.web_root.as_deref(), &path).await;
    }
    let Some((route, path_params)) = gateway
        .routes
        .iter()
        .find_map(|r| r.matches(&method, &path).map(|p| (r, p)))
    else {
        return error(StatusCode::NOT_FOUND, "not_found", "no such route");
    };
    let claims = if route.public {
        None
    } else {
        let header = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        match gateway.authorizer.verify(header).await {
            Ok(claims) => Some(claims),
            Err(refusal) => {
                tracing::info!(route = %route.key(), ?refusal, "token refused");
                return error(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "a valid token is required",
                );
            }
        }
    };
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the body is over 6 MB",
        );
    };
    let event = api_gateway_v2_event(route, &parts, &path_params, claims, &bytes, peer);
    let lambda_request = match lambda_http::request::from_str(&event.to_string()) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "could not build the Lambda request");
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "gateway error",
            );
        }
    };
    let Some(handler) = gateway.handlers.get(&route.binary) else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "no handler");
    };
    into_axum(handler(lambda_request).await)
}

/// The event API Gateway (HTTP API, payload 2.0) sends to Lambda for this request.
fn api_gateway_v2_event(
    route: &Route,
    parts: &http::request::Parts,
    path_params: &BTreeMap<String, String>,
    claims: Option<BTreeMap<String, String>>,
    body: &[u8],
    peer: SocketAddr,
) -> serde_json::Value {
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|v| {
                v.push(',');
                v.push_str(&value);
            })
            .or_insert(value);
    }
    // API Gateway moves cookies out of the headers into their own list.
    let cookies: Vec<String> = headers
        .remove("cookie")
        .map(|all| {
            all.split([';', ','])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let raw_query = parts.uri.query().unwrap_or_default().to_owned();
    let query = query_parameters(&raw_query);
    let (body, is_base64) = match std::str::from_utf8(body) {
        Ok(text) => (text.to_owned(), false),
        Err(_) => (base64::engine::general_purpose::STANDARD.encode(body), true),
    };
    let now = time::OffsetDateTime::now_utc();
    let mut context = serde_json::json!({
        "accountId": "123456789012",
        "apiId": "local",
        "domainName": headers.get("host").cloned().unwrap_or_default(),
        "domainPrefix": "local",
        "http": {
            "method": parts.method.as_str(),
            "path": parts.uri.path(),
            "protocol": "HTTP/1.1",
            "sourceIp": peer.ip().to_string(),
            "userAgent": headers.get("user-agent").cloned().unwrap_or_default(),
        },
        "requestId": uuid::Uuid::new_v4().to_string(),
        "routeKey": route.key(),
        "stage": "$default",
        "time": now.to_string(),
        "timeEpoch": now.unix_timestamp() * 1000,
    });
    if let Some(claims) = claims {
        context["authorizer"] = serde_json::json!({ "jwt": { "claims": claims, "scopes": null } });
    }
    serde_json::json!({
        "version": "2.0",
        "routeKey": route.key(),
        "rawPath": parts.uri.path(),
        "rawQueryString": raw_query,
        "headers": headers,
        "cookies": if cookies.is_empty() { None } else { Some(cookies) },
        "queryStringParameters": if query.is_empty() { None } else { Some(query) },
        "pathParameters": if path_params.is_empty() { None } else { Some(path_params) },
        "requestContext": context,
        "body": if body.is_empty() { None } else { Some(body) },
        "isBase64Encoded": is_base64,
    })
}

/// `queryStringParameters` as API Gateway builds them: names and values form-decoded (`+` is a
/// space, `%XX` a byte, anything else kept as it is; bytes that are not UTF-8 become U+FFFD), and
/// the values of a repeated name joined with commas.
pub fn query_parameters(raw_query: &str) -> BTreeMap<String, String> {
    let mut query: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(raw_query.as_bytes()) {
        query
            .entry(name.into_owned())
            .and_modify(|existing| {
                existing.push(',');
                existing.push_str(&value);
            })
            .or_insert_with(|| value.into_owned());
    }
    query
}

fn into_axum(response: HttpResponse) -> AxumResponse {
    let (parts, body) = response.into_parts();
    let bytes: Vec<u8> = match body {
        lambda_http::Body::Empty => Vec::new(),
        lambda_http::Body::Text(t) => t.into_bytes(),
        lambda_http::Body::Binary(b) => b,
        _ => Vec::new(),
    };
    let mut out = AxumResponse::new(AxumBody::from(bytes));
    *out.status_mut() = parts.status;
    *out.headers_mut() = parts.headers;
    out
}

#[cfg(test)]
mod tests {
    use super::{api_gateway_v2_event, query_parameters};
    use crate::template::Route;
    use std::collections::BTreeMap;

    fn one(raw: &str) -> String {
        query_parameters(raw)
            .remove("q")
            .unwrap_or_else(|| panic!("{raw}: no q"))
    }

    #[test]
    fn query_values_are_percent_decoded() {
        assert_eq!(one("q=2026-11-24T10%3A00%3A00Z"), "2026-11-24T10:00:00Z");
        assert_eq!(one("q=a%2"), "a%2");
        assert_eq!(one("q=%41+b"), "A b");
        assert_eq!(
            query_parameters("q=1&q=2&r=")
                .into_iter()
                .collect::<Vec<_>>(),
            [("q".into(), "1,2".into()), ("r".into(), String::new())]
        );
    }

    /// `%a` followed by a multi-byte character panicked (a `&str` sliced inside `é`), and
    /// `%+1` decoded to byte 1 because `u8::from_str_radix` takes a sign.
    #[test]
    fn malformed_escapes_are_kept_as_they_are() {
        assert_eq!(one("q=%aé"), "%aé");
        assert_eq!(one("q=%a\u{e9}%e9"), "%aé\u{fffd}");
        assert_eq!(one("q=%+1"), "% 1");
        assert_eq!(one("q=%-1"), "%-1");
        assert_eq!(one("q=%"), "%");
        assert_eq!(one("q=%00"), "\0");
    }

    // Fuzz targets: `cargo test` runs them as property tests; `cargo bolero test --package
    // confide-local <name>` under libFuzzer on a nightly toolchain.

    /// Any query string decodes without a panic.
    #[test]
    fn any_query_string_decodes() {
        bolero::check!().for_each(|bytes: &[u8]| {
            let _ = query_parameters(&String::from_utf8_lossy(bytes));
        });
    }

    /// What a client encodes comes back as it was.
    #[test]
    fn encoded_query_values_round_trip() {
        bolero::check!()
            .with_type::<Vec<(String, String)>>()
            .for_each(|pairs| {
                let encoded = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs.iter())
                    .finish();
                let decoded = query_parameters(&encoded);
                for (name, value) in pairs {
                    let got = decoded.get(name).expect("every name comes back");
                    assert!(got.split(',').count() >= 1 && got.contains(value.as_str()));
                }
            });
    }

    /// Any request the HTTP server accepts becomes an API Gateway event that lambda_http reads: bytes
    /// in the path, the query, the headers or the body never make the gateway answer 500.
    #[test]
    fn any_request_becomes_an_event_lambda_http_reads() {
        let route = Route {
            method: "POST".into(),
            path: "/v1/members/{user_id}".into(),
            function: "MembersFunction".into(),
            binary: "members".into(),
            public: false,
        };
        bolero::check!()
            .with_type::<(String, String, Vec<u8>, Vec<u8>, Vec<u8>)>()
            .for_each(|(segment, query, header_name, header_value, body)| {
                let Ok(uri) = http::Uri::try_from(format!("/v1/members/{segment}?{query}")) else {
                    return;
                };
                let mut builder = http::Request::builder().method("POST").uri(uri);
                if let (Ok(name), Ok(value)) = (
                    http::HeaderName::from_bytes(header_name),
                    http::HeaderValue::from_bytes(header_value),
                ) {
                    builder = builder.header(name, value);
                }
                let Ok(request) = builder.body(()) else {
                    return;
                };
                let (parts, ()) = request.into_parts();
                let Some(params) = route.matches("POST", parts.uri.path()) else {
                    return;
                };
                let claims = Some(BTreeMap::from([("sub".to_owned(), segment.clone())]));
                let peer = "127.0.0.1:1".parse().expect("address");
                let event = api_gateway_v2_event(&route, &parts, &params, claims, body, peer);
                let read = lambda_http::request::from_str(&event.to_string());
                assert!(read.is_ok(), "{:?}", read.err());
            });
    }

    /// Any path matches a route or not, without a panic.
    #[test]
    fn any_path_is_matched_or_not() {
        let route = Route {
            method: "GET".into(),
            path: "/v1/analyses/{id}/report".into(),
            function: "AnalysesFunction".into(),
            binary: "analyses".into(),
            public: false,
        };
        bolero::check!().with_type::<String>().for_each(|path| {
            if let Some(params) = route.matches("GET", path) {
                assert!(params.get("id").is_some_and(|id| !id.is_empty()));
            }
        });
    }
}
