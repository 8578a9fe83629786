//! Anthropic Messages with a JSON-schema output format.

use super::{parse_json_text, tokens, Dialect, HttpCall, Prompt, ProviderError, Reply};
use serde_json::{json, Value};

pub const ANTHROPIC_VERSION: &str = "2023-06-01";

pub struct Anthropic {
    /// `https://api.anthropic.com`
    pub base_url: String,
    pub api_key: String,
    pub model: String,
    pub max_tokens: u32,
}

impl Dialect for Anthropic {
    fn provider(&self) -> &'static str {
        "anthropic"
    }

    fn model(&self) -> &str {
        &self.model
    }

    fn request(&self, prompt: &Prompt) -> HttpCall {
        HttpCall {
            url: format!("{}/v1/messages", self.base_url.trim_end_matches('/')),
            headers: vec![
                ("x-api-key", self.api_key.clone()),
                ("anthropic-version", ANTHROPIC_VERSION.to_owned()),
            ],
            body: json!({
                "model": self.model,
                "max_tokens": self.max_tokens,
                "system": prompt.system,
                "messages": [{ "role": "user", "content": prompt.user }],
                "output_config": { "format": { "type": "json_schema", "schema": prompt.schema } },
            }),
        }
    }

    fn parse(&self, body: &Value) -> Result<Reply, ProviderError> {
        match body["stop_reason"].as_str() {
            Some("refusal") => return Err(ProviderError::Refused("stop_reason refusal".into())),
            Some("max_tokens") => return Err(ProviderError::Truncated),
            _ => {}
        }
        let text: String = body["content"]
            .as_array()
            .ok_or_else(|| ProviderError::Malformed("no content".into()))?
            .iter()
            .filter(|block| block["type"] == "text")
            .filter_map(|block| block["text"].as_str())
            .collect();
        Ok(Reply {
            result: parse_json_text(&text)?,
            input_tokens: tokens(body, "/usage/input_tokens"),
            output_tokens: tokens(body, "/usage/output_tokens"),
        })
    }
}
