//! A counting proxy between the local stack and the emulator: every AWS request the application makes
//! passes through it and is counted by service and operation (`dynamodb GetItem`, `kms Decrypt`),
//! for the `aws_calls` bench. Only stacks started with `CONFIDE_COUNT_AWS_CALLS=1` use it.
//!
//! It also injects faults, for tests that fail a worker at each point of its work: a [`Faults`]
//! plan decides per call whether it passes, fails before reaching the emulator, or reaches it and
//! has its answer lost (the write happened; the caller sees an error).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone)]
pub struct CountingProxy {
    pub url: String,
    counts: Arc<Mutex<BTreeMap<String, u64>>>,
    calls: Arc<Mutex<Vec<Call>>>,
    faults: Arc<Mutex<Option<Faults>>>,
}

impl std::fmt::Debug for CountingProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CountingProxy({})", self.url)
    }
}

/// What becomes of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// Answered with an error; the emulator never sees it.
    FailBefore,
    /// Forwarded, then answered with an error: the emulator did it, the caller does not know.
    FailAfter,
}

/// Decides each call's [`Verdict`] from its operation (`dynamodb TransactWriteItems`) and body.
pub type Faults = Box<dyn FnMut(&str, &[u8]) -> Verdict + Send>;

/// The error an injected fault answers with: HTTP 400 with a code no SDK retries, in the JSON
/// protocols' shape (DynamoDB, KMS, SQS, SSM).
pub const INJECTED_FAULT: &str = "InjectedFault";

/// One call that went through the proxy: what it was and when it was in flight (since the proxy
/// started), for tests about which calls overlap.
#[derive(Debug, Clone)]
pub struct Call {
    pub operation: String,
    pub started: Duration,
    pub ended: Duration,
}

impl Call {
    /// Whether the two were in flight at the same time.
    pub fn overlaps(&self, other: &Call) -> bool {
        self.started < other.ended && other.started < self.ended
    }
}

#[derive(Clone)]
struct Upstream {
    base: String,
    http: reqwest::Client,
    counts: Arc<Mutex<BTreeMap<String, u64>>>,
    calls: Arc<Mutex<Vec<Call>>>,
    faults: Arc<Mutex<Option<Faults>>>,
    origin: std::time::Instant,
    /// Added to every call: the emulator answers from this machine's CPU in a few milliseconds
    /// (calls made at once queue behind each other), where AWS answers over the network, so calls a
    /// request makes at once overlap.
    latency: Duration,
    /// With `CONFIDE_AWS_TIMELINE=1`, each call's start and end go to stderr: which calls a request
    /// makes one after the other and which at once.
    print_timeline: bool,
}

impl CountingProxy {
    /// Serves on a free port on the current runtime, forwarding to `upstream`, with the latency
    /// `CONFIDE_AWS_LATENCY_MS` asks for (none unless set).
    pub async fn start(upstream: &str) -> Self {
        let latency = std::env::var("CONFIDE_AWS_LATENCY_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .unwrap_or(0);
        Self::with_latency(upstream, Duration::from_millis(latency)).await
    }

    /// The same, adding `latency` to every call.
    pub async fn with_latency(upstream: &str, latency: Duration) -> Self {
        let counts = Arc::new(Mutex::new(BTreeMap::new()));
        let calls = Arc::new(Mutex::new(Vec::new()));
        let faults = Arc::new(Mutex::new(None));
        let state = Upstream {
            base: upstream.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
            counts: counts.clone(),
            calls: calls.clone(),
            faults: faults.clone(),
            origin: std::time::Instant::now(),
            latency,
            print_timeline: std::env::var_os("CONFIDE_AWS_TIMELINE").is_some(),
        };
        let app = axum::Router::new().fallback(forward).with_state(state);
        let url = crate::serve_stand_in(app).await;
        Self {
            url,
            counts,
            calls,
            faults,
        }
    }

    /// Every call from now on is judged by `faults`, until [`Self::heal`].
    pub fn inject(&self, faults: Faults) {
        *lock(&self.faults) = Some(faults);
    }

    /// Every call passes again.
    pub fn heal(&self) {
        *lock(&self.faults) = None;
    }

    /// The calls counted since the last take, by `service operation`; the count starts over.
    pub fn take(&self) -> BTreeMap<String, u64> {
        self.calls_since_take();
        std::mem::take(&mut *lock(&self.counts))
    }

    /// The calls answered since the last take, in the order they ended; the list starts over.
    pub fn calls_since_take(&self) -> Vec<Call> {
        std::mem::take(&mut *lock(&self.calls))
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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
    let operation = operation(&headers, &method);
    let started = upstream.origin.elapsed();
    *lock(&upstream.counts).entry(operation.clone()).or_default() += 1;
    let verdict = match lock(&upstream.faults).as_mut() {
        Some(faults) => faults(&operation, &body),
        None => Verdict::Pass,
    };
    let answer = match verdict {
        Verdict::Pass => relay(&upstream, method, uri, headers, body).await,
        Verdict::FailBefore => injected_fault(),
        Verdict::FailAfter => {
            relay(&upstream, method, uri, headers, body).await;
            injected_fault()
        }
    };
    let call = Call {
        operation,
        started,
        ended: upstream.origin.elapsed(),
    };
    if upstream.print_timeline {
        eprintln!(
            "aws call {:>9.2} → {:>9.2} ms  {}",
            call.started.as_secs_f64() * 1e3,
            call.ended.as_secs_f64() * 1e3,
            call.operation
        );
    }
    lock(&upstream.calls).push(call);
    answer
}

fn injected_fault() -> Response {
    let body = format!(r#"{{"__type":"{INJECTED_FAULT}","message":"injected by the test proxy"}}"#);
    (
        StatusCode::BAD_REQUEST,
        [
            ("content-type", "application/x-amz-json-1.0".to_owned()),
            ("x-amzn-query-error", format!("{INJECTED_FAULT};Sender")),
        ],
        body,
    )
        .into_response()
}

async fn relay(
    upstream: &Upstream,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
