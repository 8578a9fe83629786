//! A local HTTP stand-in for every GenAI provider: it records each request exactly as received and
//! answers in the provider's real response shape.
//!
//! Tests put a unique marker into their form and script what the stand-in does for requests carrying
//! it (fail with a status, stall, refuse); everything else gets a well-formed answer that echoes every
//! placeholder it saw, so a test can check the worker restored them.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use regex::Regex;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

/// One request as the stand-in received it.
#[derive(Debug, Clone)]
pub struct Call {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Value,
    /// The body as sent, for "does this text appear anywhere" checks.
    pub raw: String,
}

/// What the stand-in does with the next request carrying a marker.
#[derive(Debug, Clone)]
pub enum Step {
    /// Answer with this status and an error body.
    Status(u16),
    /// Wait, then answer normally.
    Stall(Duration),
    /// A well-formed refusal in the provider's shape.
    Refuse,
}

#[derive(Default)]
struct Recorder {
    calls: Mutex<Vec<Call>>,
    scripts: Mutex<HashMap<String, VecDeque<Step>>>,
}

/// The stand-in's handle; cheap to clone, usable from any runtime.
#[derive(Clone)]
pub struct StandIn {
    pub url: String,
    recorder: Arc<Recorder>,
}

impl std::fmt::Debug for StandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StandIn({})", self.url)
    }
}

impl StandIn {
    /// Serves on a free port on the current runtime.
    pub async fn start() -> Self {
        let recorder = Arc::new(Recorder::default());
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(recorder.clone());
        let url = crate::serve_stand_in(app).await;
        Self { url, recorder }
    }

    /// Requests carrying `marker` go through `steps` first, in order; then they are answered normally.
    pub fn script(&self, marker: &str, steps: impl IntoIterator<Item = Step>) {
        self.recorder
            .scripts
            .lock()
            .expect("scripts")
            .insert(marker.to_owned(), steps.into_iter().collect());
    }

    /// Every request whose body contains `marker`, in arrival order.
    pub fn calls_with(&self, marker: &str) -> Vec<Call> {
        self.recorder
            .calls
            .lock()
            .expect("calls")
            .iter()
            .filter(|c| c.raw.contains(marker))
            .cloned()
            .collect()
    }
}

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[(?:EMAIL|PHONE|IBAN|CARD|URL|PERSON)_\d+\]").expect("placeholder regex")
});

/// The structured result every provider is asked for, echoing the placeholders of the request.
pub fn stand_in_result(request: &str) -> Value {
    let mut seen: Vec<&str> = PLACEHOLDER.find_iter(request).map(|m| m.as_str()).collect();
    seen.sort_unstable();
    seen.dedup();
    json!({
        "title": "Stand-in analysis",
        "summary": format!("Mentioned: {}", seen.join(", ")),
        "sections": [{ "heading": "Findings", "body": "- **First** point\n- Second point" }],
        "key_figures": [{ "label": "Score", "value": 42, "unit": "points" }],
        "charts": [{ "type": "bar", "title": "Stand-in chart", "labels": ["A", "B"],
                     "series": [{ "name": "S", "values": [1, 2] }] }],
    })
}

pub const INPUT_TOKENS: u64 = 120;
pub const OUTPUT_TOKENS: u64 = 80;

fn success(path: &str, text: &str) -> Value {
    if path.starts_with("/anthropic/") {
        json!({ "type": "message", "role": "assistant", "stop_reason": "end_turn",
                "content": [{ "type": "text", "text": text }],
                "usage": { "input_tokens": INPUT_TOKENS, "output_tokens": OUTPUT_TOKENS } })
    } else if path.starts_with("/gemini/") {
        json!({ "candidates": [{ "content": { "role": "model", "parts": [{ "text": text }] }, "finishReason": "STOP" }],
                "usageMetadata": { "promptTokenCount": INPUT_TOKENS, "candidatesTokenCount": OUTPUT_TOKENS } })
    } else {
        json!({ "object": "chat.completion",
                "choices": [{ "index": 0, "finish_reason": "stop",
                              "message": { "role": "assistant", "content": text, "refusal": null } }],
                "usage": { "prompt_tokens": INPUT_TOKENS, "completion_tokens": OUTPUT_TOKENS } })
    }
}

fn refusal(path: &str) -> Value {
    if path.starts_with("/anthropic/") {
        json!({ "type": "message", "stop_reason": "refusal", "content": [],
                "usage": { "input_tokens": 10, "output_tokens": 0 } })
    } else if path.starts_with("/gemini/") {
        json!({ "promptFeedback": { "blockReason": "SAFETY" } })
    } else {
        json!({ "choices": [{ "index": 0, "finish_reason": "stop",
                              "message": { "role": "assistant", "content": null, "refusal": "I can't help with that." } }] })
    }
}

async fn answer(
    State(recorder): State<Arc<Recorder>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let raw = String::from_utf8_lossy(&body).into_owned();
    let path = uri.path().to_owned();
    recorder.calls.lock().expect("calls").push(Call {
        path: path.clone(),
        headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        raw: raw.clone(),
    });
    let step = {
        let mut scripts = recorder.scripts.lock().expect("scripts");
        scripts
            .iter_mut()
            .find(|(marker, _)| raw.contains(marker.as_str()))
            .and_then(|(_, steps)| steps.pop_front())
    };
    match step {
        Some(Step::Status(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (
                status,
                axum::Json(json!({ "error": { "message": "scripted failure" } })),
            )
                .into_response();
        }
        Some(Step::Refuse) => return axum::Json(refusal(&path)).into_response(),
        Some(Step::Stall(delay)) => tokio::time::sleep(delay).await,
        None => {}
    }
    let text = stand_in_result(&raw).to_string();
    axum::Json(success(&path, &text)).into_response()
}
