//! OpenAI Chat Completions with strict JSON-schema output and `store: false`; the same dialect serves
//! any OpenAI-compatible endpoint (Ollama, vLLM, Azure-style gateways) through its base URL.

use super::{parse_json_text, tokens, Dialect, HttpCall, Prompt, ProviderError, Reply};
use serde_json::{json, Value};

pub struct OpenAiChat {
    /// Up to and including `/v1`: `https://api.openai.com/v1`, `https://eu.api.openai.com/v1`,
    /// `http://localhost:11434/v1`.
    pub base_url: String,
    pub api_key: String,
    pub model: String,
    /// `openai` for OpenAI itself, `openai_compatible` for other servers.
    pub provider: &'static str,
}

impl Dialect for OpenAiChat {
    fn provider(&self) -> &'static str {
        self.provider
    }

    fn model(&self) -> &str {
        &self.model
    }

    fn request(&self, prompt: &Prompt) -> HttpCall {
        HttpCall {
            url: format!("{}/chat/completions", self.base_url.trim_end_matches('/')),
            // Local servers (Ollama, vLLM) often take no key: then no header at all.
            headers: if self.api_key.is_empty() {
                Vec::new()
            } else {
                vec![("authorization", format!("Bearer {}", self.api_key))]
            },
            body: json!({
                "model": self.model,
                "messages": [
                    { "role": "system", "content": prompt.system },
                    { "role": "user", "content": prompt.user },
                ],
                "response_format": {
                    "type": "json_schema",
                    "json_schema": { "name": prompt.schema_name, "schema": prompt.schema, "strict": true },
                },
                // Tenant data must not be kept for OpenAI's own products.
                "store": false,
            }),
        }
    }

    fn parse(&self, body: &Value) -> Result<Reply, ProviderError> {
        let choice = body
            .pointer("/choices/0")
            .ok_or_else(|| ProviderError::Malformed("no choices".into()))?;
        if let Some(refusal) = choice.pointer("/message/refusal").and_then(Value::as_str) {
            return Err(ProviderError::Refused(refusal.to_owned()));
        }
        if choice["finish_reason"] == "length" {
            return Err(ProviderError::Truncated);
        }
        if choice["finish_reason"] == "content_filter" {
            return Err(ProviderError::Refused("content filter".into()));
        }
        let text = choice
            .pointer("/message/content")
            .and_then(Value::as_str)
            .ok_or_else(|| ProviderError::Malformed("no message content".into()))?;
        Ok(Reply {
            result: parse_json_text(text)?,
            input_tokens: tokens(body, "/usage/prompt_tokens"),
            output_tokens: tokens(body, "/usage/completion_tokens"),
        })
    }
}
