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
use std::time::Duration;

use crate::{sign_up, Client, User};

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

// ---------------------------------------------------------------- a tenant with a Twilio channel

pub const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";

/// A tenant with its Twilio channel connected: the owner, the auth token and the webhook URLs.
pub struct Connected {
    pub owner: User,
    pub token: String,
    pub messages_url: String,
    pub status_url: String,
    pub number: String,
}

pub fn unique_number() -> String {
    // US numbers in the 555-01xx range are reserved for fiction; the area code varies per call.
    let n = uuid::Uuid::new_v4().as_u128();
    let area = [201, 212, 305, 312, 415, 503, 617, 702, 808, 917][(n % 10) as usize];
    format!("+1{area}555{:04}", 100 + (n >> 8) % 100)
}

pub async fn connect(company: &str) -> Connected {
    let owner = sign_up(company).await;
    let token = format!("{:032x}", uuid::Uuid::new_v4().as_u128());
    let number = unique_number();
    let reply = owner
        .api
        .put(
            "/v1/channels/twilio",
            json!({ "account_sid": ACCOUNT, "auth_token": token, "phone_numbers": [number],
                    "whatsapp_senders": [format!("whatsapp:{number}")], "help_text": "Bakery: call us on 030 123" }),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let urls = &reply.body["webhook_urls"];
    Connected {
        messages_url: urls["messages"].as_str().unwrap().to_owned(),
        status_url: urls["status"].as_str().unwrap().to_owned(),
        owner,
        token,
        number,
    }
}

pub fn sid() -> String {
    format!("SM{:032x}", uuid::Uuid::new_v4().as_u128())
}

/// Posts a form to a webhook URL, signed with `token` (or unsigned): status, content type and body.
pub async fn post_signed(
    url: &str,
    token: Option<&str>,
    params: &[(&str, &str)],
) -> (u16, String, String) {
    for (name, value) in params {
        if matches!(*name, "From" | "Body") {
            crate::leaks::seed(value);
        }
    }
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(token) = token {
        request = request.header("x-twilio-signature", twilio_signature(token, url, params));
    }
    let response = request.send().await.expect("webhook reachable");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (
        status,
        content_type,
        response.text().await.unwrap_or_default(),
    )
}

impl Connected {
    pub async fn inbound(&self, from: &str, body: &str) -> (u16, String, String) {
        self.inbound_with_sid(from, body, &sid()).await
    }

    pub async fn inbound_with_sid(
        &self,
        from: &str,
        body: &str,
        message_sid: &str,
    ) -> (u16, String, String) {
        let params = [
            ("MessageSid", message_sid),
            ("AccountSid", ACCOUNT),
            ("From", from),
            ("To", self.number.as_str()),
            ("Body", body),
            ("NumMedia", "0"),
        ];
        post_signed(&self.messages_url, Some(&self.token), &params).await
    }

    pub async fn status(&self, message_sid: &str, status: &str, error_code: Option<&str>) -> u16 {
        let mut params = vec![
            ("MessageSid", message_sid),
            ("AccountSid", ACCOUNT),
            ("MessageStatus", status),
        ];
        if let Some(code) = error_code {
            params.push(("ErrorCode", code));
        }
        post_signed(&self.status_url, Some(&self.token), &params)
            .await
            .0
    }

    pub async fn contact_by_phone(&self, phone: &str) -> Option<Value> {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("phone", phone)
            .finish();
        let reply = self.owner.api.get(&format!("/v1/contacts?{query}")).await;
        reply.body["items"]
            .as_array()
            .and_then(|items| items.first().cloned())
    }

    /// Sends `body` in from a new number and gives the id of the conversation it opened.
    pub async fn conversation_from(&self, from: &str, body: &str) -> String {
        let (status, _, _) = self.inbound(from, body).await;
        assert_eq!(status, 200, "the inbound message is taken");
        let contact = self
            .contact_by_phone(from)
            .await
            .expect("the sender became a contact");
        self.conversations_of(contact["id"].as_str().expect("contact id"))
            .await
            .first()
            .and_then(|c| c["id"].as_str())
            .expect("the message opened a conversation")
            .to_owned()
    }

    pub async fn conversations_of(&self, contact: &str) -> Vec<Value> {
        let reply = self
            .owner
            .api
            .get(&format!("/v1/conversations?contact_id={contact}"))
            .await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        reply.body["items"].as_array().cloned().unwrap_or_default()
    }
}

/// Waits (up to 20 s) until `check` holds.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}

pub async fn wait_for_campaign(api: &Client, id: &str) -> Value {
    wait_for_campaign_within(api, id, Duration::from_secs(60)).await
}

/// The campaign once every targeted contact is sent to or skipped, polled until `limit`.
pub async fn wait_for_campaign_within(api: &Client, id: &str, limit: Duration) -> Value {
    let deadline = std::time::Instant::now() + limit;
    loop {
        let last = api.get(&format!("/v1/campaigns/{id}")).await.body;
        let counts = &last["counts"];
        let n = |v: &Value| v.as_u64().unwrap_or(0);
        let skipped: u64 = ["no_consent", "opted_out", "invalid", "plan_limit"]
            .iter()
            .map(|k| n(&counts["skipped"][k]))
            .sum();
        if last["status"] == "sent"
            && n(&counts["sent"]) + n(&counts["failed"]) + skipped == n(&counts["targeted"])
        {
            return last;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "campaign did not finish: {last}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
