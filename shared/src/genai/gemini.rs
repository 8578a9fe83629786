//! Google Gemini `generateContent` with a response schema. Only for paid-tier keys: free-tier content
//! may be used for training, so a deployment must never configure one for tenant data.

use super::{parse_json_text, tokens, Dialect, HttpCall, Prompt, ProviderError, Reply};
use serde_json::{json, Map, Value};

pub struct Gemini {
    /// `https://generativelanguage.googleapis.com`
    pub base_url: String,
    pub api_key: String,
    pub model: String,
}

/// Gemini's `responseSchema` is an OpenAPI subset: no `additionalProperties` or `$schema`, and type
/// names in capitals.
pub fn to_gemini_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "additionalProperties" | "$schema" | "title" => {}
                    "type" => {
                        out.insert(
                            key.clone(),
                            Value::String(value.as_str().unwrap_or_default().to_uppercase()),
                        );
                    }
                    "properties" => {
                        let props = value
                            .as_object()
                            .map(|p| {
                                p.iter()
                                    .map(|(k, v)| (k.clone(), to_gemini_schema(v)))
                                    .collect()
                            })
                            .unwrap_or_default();
                        out.insert(key.clone(), Value::Object(props));
                    }
                    _ => {
                        out.insert(key.clone(), to_gemini_schema(value));
                    }
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

impl Dialect for Gemini {
    fn provider(&self) -> &'static str {
        "gemini"
    }

    fn model(&self) -> &str {
        &self.model
    }

    fn request(&self, prompt: &Prompt) -> HttpCall {
        HttpCall {
            url: format!(
                "{}/v1beta/models/{}:generateContent",
                self.base_url.trim_end_matches('/'),
                self.model
            ),
            headers: vec![("x-goog-api-key", self.api_key.clone())],
            body: json!({
                "systemInstruction": { "parts": [{ "text": prompt.system }] },
                "contents": [{ "role": "user", "parts": [{ "text": prompt.user }] }],
                "generationConfig": {
                    "responseMimeType": "application/json",
                    "responseSchema": to_gemini_schema(&prompt.schema),
                },
            }),
        }
    }

    fn parse(&self, body: &Value) -> Result<Reply, ProviderError> {
        if let Some(reason) = body
            .pointer("/promptFeedback/blockReason")
            .and_then(Value::as_str)
        {
            return Err(ProviderError::Refused(format!("prompt blocked: {reason}")));
        }
        let candidate = body
            .pointer("/candidates/0")
            .ok_or_else(|| ProviderError::Malformed("no candidates".into()))?;
        match candidate["finishReason"].as_str() {
            Some("MAX_TOKENS") => return Err(ProviderError::Truncated),
            Some(
                reason @ ("SAFETY" | "RECITATION" | "PROHIBITED_CONTENT" | "BLOCKLIST" | "SPII"),
            ) => return Err(ProviderError::Refused(format!("finish reason {reason}"))),
            _ => {}
        }
        let text: String = candidate
            .pointer("/content/parts")
            .and_then(Value::as_array)
            .ok_or_else(|| ProviderError::Malformed("no content parts".into()))?
            .iter()
            .filter_map(|part| part["text"].as_str())
            .collect();
        Ok(Reply {
            result: parse_json_text(&text)?,
            input_tokens: tokens(body, "/usageMetadata/promptTokenCount"),
            output_tokens: tokens(body, "/usageMetadata/candidatesTokenCount"),
        })
    }
}
