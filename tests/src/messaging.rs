//! Local HTTP stand-ins for Twilio's Messages API and SendGrid's Mail Send API. Each request is
//! recorded exactly as received (path, authorization, form fields or JSON), so tests check what
//! Confide sends; Twilio's answers carry fresh `SM…` sids, SendGrid's an `X-Message-Id`. A recipient
//! can be made to fail the way Twilio fails for a number that replied STOP (HTTP 400, code 21610).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One request as a stand-in received it.
#[derive(Debug, Clone)]
pub struct ProviderCall {
    pub path: String,
    pub authorization: String,
    /// Twilio's form fields, in order.
    pub form: Vec<(String, String)>,
    /// SendGrid's JSON body.
    pub json: Value,
    /// The sid or message id the stand-in answered with.
    pub id: String,
}

impl ProviderCall {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Recorder {
    calls: Mutex<Vec<ProviderCall>>,
    next: AtomicUsize,
    /// Recipients Twilio refuses with 21610.
    unsubscribed: Mutex<Vec<String>>,
}

#[derive(Clone)]
pub struct MessagingStandIn {
    pub url: String,
    recorder: Arc<Recorder>,
}

impl std::fmt::Debug for MessagingStandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MessagingStandIn({})", self.url)
    }
}

impl MessagingStandIn {
    pub async fn start() -> Self {
        let recorder = Arc::new(Recorder::default());
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(recorder.clone());
        let url = crate::serve_stand_in(app).await;
        Self { url, recorder }
    }

    /// Twilio sends to `to` (E.164 or `whatsapp:…`) fail with 21610 from now on.
    pub fn unsubscribe(&self, to: &str) {
        self.recorder
            .unsubscribed
            .lock()
            .expect("list")
            .push(to.to_owned());
    }

    /// Twilio requests whose `To` is `to`.
    pub fn twilio_to(&self, to: &str) -> Vec<ProviderCall> {
        self.calls(|c| c.field("To") == Some(to))
    }

    /// SendGrid requests to `email`.
    pub fn sendgrid_to(&self, email: &str) -> Vec<ProviderCall> {
        self.calls(|c| c.json["personalizations"][0]["to"][0]["email"] == email)
    }

    fn calls(&self, wanted: impl Fn(&ProviderCall) -> bool) -> Vec<ProviderCall> {
        self.recorder
            .calls
            .lock()
            .expect("calls")
            .iter()
            .filter(|c| wanted(c))
            .cloned()
            .collect()
    }
}

async fn answer(
    State(recorder): State<Arc<Recorder>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let n = recorder.next.fetch_add(1, Ordering::SeqCst);
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let path = uri.path().to_owned();
    if path.starts_with("/2010-04-01/Accounts/") && path.ends_with("/Messages.json") {
        let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
        let sid = format!("SM{n:032x}");
        let call = ProviderCall {
            path,
            authorization,
            form,
            json: Value::Null,
            id: sid.clone(),
        };
        let refused = call.field("To").is_some_and(|to| {
            recorder
                .unsubscribed
                .lock()
                .expect("list")
                .iter()
                .any(|u| u == to)
        });
        recorder.calls.lock().expect("calls").push(call);
        if refused {
            let error = json!({ "code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400 });
            return (StatusCode::BAD_REQUEST, axum::Json(error)).into_response();
        }
        return (
            StatusCode::CREATED,
            axum::Json(json!({ "sid": sid, "status": "queued" })),
        )
            .into_response();
    }
    if path == "/v3/mail/send" {
        let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let id = format!("sg{n:020}");
        recorder.calls.lock().expect("calls").push(ProviderCall {
            path,
            authorization,
            form: Vec::new(),
            json,
            id: id.clone(),
        });
        return (StatusCode::ACCEPTED, [("x-message-id", id)], "").into_response();
    }
    (StatusCode::NOT_FOUND, "no such stand-in route").into_response()
}

/// `X-Twilio-Signature` for `params` posted to `url`, written out here from Twilio's description
/// (not with Confide's own code): Base64(HMAC-SHA1(token, url + each name and value, sorted by name)).
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(&str, &str)]) -> String {
    use base64::Engine;
    use hmac::Mac;
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut data = url.to_owned();
    for (name, value) in sorted {
        data.push_str(name);
        data.push_str(value);
    }
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(auth_token.as_bytes()).expect("any key");
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}
