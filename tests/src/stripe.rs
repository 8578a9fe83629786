//! A local HTTP stand-in for the Stripe API: it records each request exactly as received (method,
//! path, headers, form fields) and answers with Stripe's own example objects (`tests/fixtures/
//! stripe-api/`, the pinned API version's shapes) carrying fresh ids. Like Stripe, it answers a repeated
//! `Idempotency-Key` with the first answer.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The secret key the tests' deployment stores in SSM; the stand-in refuses any other.
pub const STRIPE_API_KEY: &str = "sk_test_confide_tests";

/// One request as the stand-in received it.
#[derive(Debug, Clone)]
pub struct StripeCall {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    /// The form fields in the order sent (`line_items[0][price]` and the like, as Stripe reads them).
    pub form: Vec<(String, String)>,
}

impl StripeCall {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

#[derive(Default)]
struct Recorder {
    calls: Mutex<Vec<StripeCall>>,
    by_idempotency_key: Mutex<HashMap<String, Value>>,
    next_id: AtomicUsize,
    /// The next request carrying this text in a form field is answered with this status.
    failures: Mutex<Vec<(String, u16)>>,
}

#[derive(Clone)]
pub struct StripeStandIn {
    pub url: String,
    recorder: Arc<Recorder>,
}

impl std::fmt::Debug for StripeStandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StripeStandIn({})", self.url)
    }
}

fn fixture(name: &str) -> Value {
    crate::repository_json(&format!("tests/fixtures/stripe-api/{name}.json"))
}

impl StripeStandIn {
    /// Serves on a free port on the current runtime.
    pub async fn start() -> Self {
        let recorder = Arc::new(Recorder::default());
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(recorder.clone());
        let url = crate::serve_stand_in(app).await;
        Self { url, recorder }
    }

    /// Every request so far that carries `needle` in a form field's value (a tenant id, a customer id).
    pub fn calls_with(&self, needle: &str) -> Vec<StripeCall> {
        self.recorder
            .calls
            .lock()
            .expect("calls")
            .iter()
            .filter(|call| call.form.iter().any(|(_, value)| value.contains(needle)))
            .cloned()
            .collect()
    }

    /// The next request carrying `needle` gets this status, as when Stripe has an outage. (Scoped by
    /// a needle because the tests of a binary share the stand-in and run in parallel.)
    pub fn fail_next(&self, needle: &str, status: u16) {
        self.recorder
            .failures
            .lock()
            .expect("failures")
            .push((needle.to_owned(), status));
    }
}

async fn answer(
    State(recorder): State<Arc<Recorder>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let call = StripeCall {
        method: method.to_string(),
        path: uri.path().to_owned(),
        headers: headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    value.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        form: form_urlencoded::parse(&body).into_owned().collect(),
    };
    recorder.calls.lock().expect("calls").push(call.clone());

    let failure = {
        let mut failures = recorder.failures.lock().expect("failures");
        let carries = |needle: &str| call.form.iter().any(|(_, value)| value.contains(needle));
        failures
            .iter()
            .position(|(needle, _)| carries(needle))
            .map(|at| failures.remove(at).1)
    };
    if let Some(status) = failure {
        return error(status, "api_error", "the stand-in was told to fail");
    }
    if call.headers.get("authorization").map(String::as_str)
        != Some(format!("Bearer {STRIPE_API_KEY}").as_str())
    {
        return error(401, "invalid_request_error", "Invalid API Key provided");
    }
    let key = call.headers.get("idempotency-key").cloned();
    if let Some(earlier) = key.as_ref().and_then(|k| {
        recorder
            .by_idempotency_key
            .lock()
            .expect("keys")
            .get(k)
            .cloned()
    }) {
        return (StatusCode::OK, axum::Json(earlier)).into_response();
    }
    let n = recorder.next_id.fetch_add(1, Ordering::SeqCst);
    let object = match (call.method.as_str(), call.path.as_str()) {
        ("POST", "/v1/customers") => {
            let mut customer = fixture("customer");
            customer["id"] = json!(format!("cus_standin{n:06}"));
            customer["metadata"] = metadata_of(&call);
            customer["email"] = Value::Null;
            customer["name"] = Value::Null;
            customer
        }
        ("POST", "/v1/checkout/sessions") => {
            let id = format!("cs_test_standin{n:06}");
            let mut session = fixture("checkout-session");
            session["url"] = json!(format!("https://checkout.stripe.com/c/pay/{id}"));
            session["id"] = json!(id);
            session["mode"] = json!(call.field("mode"));
            session["customer"] = json!(call.field("customer"));
            session["client_reference_id"] = json!(call.field("client_reference_id"));
            session["success_url"] = json!(call.field("success_url"));
            session["cancel_url"] = json!(call.field("cancel_url"));
            session
        }
        ("POST", "/v1/billing_portal/sessions") => {
            let mut session = fixture("billing-portal-session");
            session["id"] = json!(format!("bps_standin{n:06}"));
            session["url"] = json!(format!(
                "https://billing.stripe.com/p/session/test_standin{n:06}"
            ));
            session["customer"] = json!(call.field("customer"));
            session["return_url"] = json!(call.field("return_url"));
            session
        }
        _ => return error(404, "invalid_request_error", "Unrecognized request URL"),
    };
    if let Some(key) = key {
        recorder
            .by_idempotency_key
            .lock()
            .expect("keys")
            .insert(key, object.clone());
    }
    (StatusCode::OK, axum::Json(object)).into_response()
}

fn metadata_of(call: &StripeCall) -> Value {
    let fields = call.form.iter().filter_map(|(key, value)| {
        key.strip_prefix("metadata[")
            .and_then(|rest| rest.strip_suffix(']'))
            .map(|name| (name.to_owned(), json!(value)))
    });
    Value::Object(fields.collect())
}

fn error(status: u16, kind: &str, message: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        axum::Json(json!({ "error": { "type": kind, "message": message } })),
    )
        .into_response()
}
