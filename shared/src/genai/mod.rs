//! GenAI providers: one trait, one HTTP path, and per provider only what differs — the
//! request body, the endpoint and headers, and how to read the answer. Bodies and parsing are pure
//! functions, tested against recorded shapes of the real APIs; [`call`] is the only network code.

pub mod anthropic;
pub mod gemini;
pub mod offline;
pub mod openai;
pub mod prompt;
pub mod registry;

use serde_json::Value;
use std::time::Duration;

/// What a job asks: instructions, the (pseudonymised) request, and the JSON Schema of the answer.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub system: String,
    pub user: String,
    pub schema_name: &'static str,
    pub schema: Value,
}

/// A structured answer and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub result: Value,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    /// The model declined; retrying will not help.
    #[error("the model refused: {0}")]
    Refused(String),
    /// The answer was cut off (token limit); retrying with the same limit will not help.
    #[error("the answer was cut off before it was complete")]
    Truncated,
    #[error("the provider's answer could not be read: {0}")]
    Malformed(String),
    /// 429, 5xx, timeouts and connection failures: worth retrying with backoff.
    #[error("the provider is unavailable for now{}", status.map(|s| format!(" (status {s})")).unwrap_or_default())]
    Transient {
        status: Option<u16>,
        retry_after: Option<Duration>,
    },
    /// Any other 4xx: our request or our key is wrong.
    #[error("the provider rejected the request (status {status})")]
    Rejected { status: u16 },
}

impl ProviderError {
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient { .. })
    }
}

/// An HTTP request as a provider wants it.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpCall {
    pub url: String,
    /// Header name and value; values may be secrets and are never logged.
    pub headers: Vec<(&'static str, String)>,
    pub body: Value,
}

/// How one provider speaks.
pub trait Dialect: Send + Sync {
    /// `openai`, `anthropic`, `gemini`, `openai_compatible`.
    fn provider(&self) -> &'static str;
    fn model(&self) -> &str;
    fn request(&self, prompt: &Prompt) -> HttpCall;
    /// Reads a 2xx answer.
    fn parse(&self, body: &Value) -> Result<Reply, ProviderError>;
}

/// Maps a non-2xx status to the error that says whether to retry.
pub fn status_error(status: u16, retry_after: Option<&str>) -> ProviderError {
    if status == 429 || status >= 500 {
        ProviderError::Transient {
            status: Some(status),
            retry_after: retry_after
                .and_then(|s| s.trim().parse().ok())
                .map(Duration::from_secs),
        }
    } else {
        ProviderError::Rejected { status }
    }
}

/// Sends one request with a timeout. Retrying is the worker's business (it owns the time budget).
pub async fn call(
    http: &reqwest::Client,
    dialect: &dyn Dialect,
    prompt: &Prompt,
    timeout: Duration,
) -> Result<Reply, ProviderError> {
    let call = dialect.request(prompt);
    let mut request = http.post(&call.url).timeout(timeout).json(&call.body);
    for (name, value) in &call.headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.map_err(|_| ProviderError::Transient {
        status: None,
        retry_after: None,
    })?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        return Err(status_error(status, retry_after.as_deref()));
    }
    let body: Value = response
        .json()
        .await
        .map_err(|e| ProviderError::Malformed(format!("not JSON: {e}")))?;
    dialect.parse(&body)
}

/// Parses the model's JSON text, telling a cut-off answer from a malformed one.
fn parse_json_text(text: &str) -> Result<Value, ProviderError> {
    serde_json::from_str(text).map_err(|e| {
        if e.is_eof() {
            ProviderError::Truncated
        } else {
            ProviderError::Malformed(format!("answer is not the requested JSON: {e}"))
        }
    })
}

fn tokens(body: &Value, pointer: &str) -> u64 {
    body.pointer(pointer).and_then(Value::as_u64).unwrap_or(0)
}
