//! A counting proxy between the local stack and the emulator: every AWS request the application makes
//! passes through it and is counted by service and operation (`dynamodb GetItem`, `kms Decrypt`),
//! for the `aws_calls` bench. Only stacks started with `CONFIDE_COUNT_AWS_CALLS=1` use it.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct CountingProxy {
    pub url: String,
    counts: Arc<Mutex<BTreeMap<String, u64>>>,
}

#[derive(Clone)]
struct Upstream {
    base: String,
    http: reqwest::Client,
    counts: Arc<Mutex<BTreeMap<String, u64>>>,
    /// Added to every call: the emulator answers from this machine's CPU in a few milliseconds
    /// (calls made at once queue behind each other), where AWS answers over the network, so calls a
    /// request makes at once overlap. `CONFIDE_AWS_LATENCY_MS` models that (0 unless set).
    latency: Duration,
}

impl CountingProxy {
    /// Serves on a free port on the current runtime, forwarding to `upstream`.
    pub async fn start(upstream: &str) -> Self {
        let counts = Arc::new(Mutex::new(BTreeMap::new()));
        let state = Upstream {
            base: upstream.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
            counts: counts.clone(),
            latency: Duration::from_millis(
                std::env::var("CONFIDE_AWS_LATENCY_MS")
                    .ok()
                    .and_then(|ms| ms.parse().ok())
                    .unwrap_or(0),
            ),
        };
        let app = axum::Router::new().fallback(forward).with_state(state);
        let url = crate::serve_stand_in(app).await;
        Self { url, counts }
    }

    /// The calls counted since the last take, by `service operation`; the count starts over.
    pub fn take(&self) -> BTreeMap<String, u64> {
        std::mem::take(
            &mut *self
                .counts
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }
}

/// `dynamodb GetItem` from the JSON protocols' target header, else the service of the signature's
/// credential scope and the HTTP method (S3's REST calls).
pub fn operation(headers: &HeaderMap, method: &Method) -> String {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let service = header("authorization")
        .and_then(|auth| auth.split("Credential=").nth(1))
        .and_then(|credential| credential.split('/').nth(3))
        .unwrap_or("unsigned")
        .to_owned();
    match header("x-amz-target").and_then(|target| target.rsplit('.').next()) {
        Some(operation) => format!("{service} {operation}"),
        None => format!("{service} {method}"),
    }
}

async fn forward(
    State(upstream): State<Upstream>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    *upstream
        .counts
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entry(operation(&headers, &method))
        .or_default() += 1;
    tokio::time::sleep(upstream.latency).await;
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut request = upstream
        .http
        .request(method, format!("{}{path}", upstream.base))
        .body(body);
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            request = request.header(name, value);
        }
    }
    match request.send().await {
        Ok(answer) => {
            let status = answer.status();
            let mut out = HeaderMap::new();
            for (name, value) in answer.headers() {
                if name != "transfer-encoding" && name != "content-length" {
                    out.insert(name, value.clone());
                }
            }
            let bytes = answer.bytes().await.unwrap_or_default();
            (status, out, bytes).into_response()
        }
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_named_by_service_and_operation() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=local/20261128/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x"
                .parse()
                .unwrap(),
        );
        headers.insert("x-amz-target", "DynamoDB_20120810.GetItem".parse().unwrap());
        assert_eq!(operation(&headers, &Method::POST), "dynamodb GetItem");
        headers.remove("x-amz-target");
        assert_eq!(operation(&headers, &Method::PUT), "dynamodb PUT");
    }
}
