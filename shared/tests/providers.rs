//! Each provider's request body against the shape its API documents, and the parsing of recorded
//! answers: a normal one, a refusal, and a cut-off one.

use confide_shared::genai::anthropic::Anthropic;
use confide_shared::genai::gemini::Gemini;
use confide_shared::genai::openai::OpenAiChat;
use confide_shared::genai::{status_error, Dialect, Prompt, ProviderError};
use serde_json::{json, Value};
use std::time::Duration;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/providers/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path}")))
        .expect("fixture JSON")
}

fn prompt() -> Prompt {
    Prompt {
        system: "You are a business analyst.".into(),
        user: "SWOT for [PERSON_1]'s bakery.".into(),
        schema_name: "analysis_result",
        schema: json!({ "type": "object", "additionalProperties": false, "required": ["title"],
                        "properties": { "title": { "type": "string" } } }),
    }
}

fn openai() -> OpenAiChat {
    OpenAiChat {
        base_url: "https://eu.api.openai.com/v1/".into(),
        api_key: "sk-test".into(),
        model: "gpt-4o-2024-08-06".into(),
        provider: "openai",
    }
}

fn anthropic() -> Anthropic {
    Anthropic {
        base_url: "https://api.anthropic.com".into(),
        api_key: "ak-test".into(),
        model: "claude-sonnet-4-5".into(),
        max_tokens: 4096,
    }
}

fn gemini() -> Gemini {
    Gemini {
        base_url: "https://generativelanguage.googleapis.com".into(),
        api_key: "g-test".into(),
        model: "gemini-2.5-flash".into(),
    }
}

/// The dialect, the fixture of its expected body, its URL, and its authentication header.
type RequestCase<'a> = (&'a dyn Dialect, &'a str, &'a str, (&'a str, &'a str));

#[test]
fn requests_match_each_api_s_documented_shape() {
    let cases: [RequestCase; 3] = [
        (&openai(), "openai_request.json", "https://eu.api.openai.com/v1/chat/completions", ("authorization", "Bearer sk-test")),
        (&anthropic(), "anthropic_request.json", "https://api.anthropic.com/v1/messages", ("x-api-key", "ak-test")),
        (
            &gemini(),
            "gemini_request.json",
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
            ("x-goog-api-key", "g-test"),
        ),
    ];
    for (dialect, expected, url, header) in cases {
        let call = dialect.request(&prompt());
        assert_eq!(call.body, fixture(expected), "{}", dialect.provider());
        assert_eq!(call.url, url);
        assert!(
            call.headers.iter().any(|(n, v)| (*n, v.as_str()) == header),
            "{}",
            dialect.provider()
        );
    }
    let anthropic_call = anthropic().request(&prompt());
    assert!(anthropic_call
        .headers
        .contains(&("anthropic-version", "2023-06-01".to_owned())));
}

#[test]
fn answers_are_parsed_with_their_token_usage() {
    let expected = json!({ "title": "SWOT", "summary": "Strong bread.", "sections": [], "key_figures": [], "charts": [] });
    let cases: [(&dyn Dialect, &str, u64, u64); 3] = [
        (&openai(), "openai_ok.json", 1117, 46),
        (&anthropic(), "anthropic_ok.json", 2095, 503),
        (&gemini(), "gemini_ok.json", 812, 240),
    ];
    for (dialect, file, input, output) in cases {
        let reply = dialect
            .parse(&fixture(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(reply.result, expected, "{file}");
        assert_eq!(
            (reply.input_tokens, reply.output_tokens),
            (input, output),
            "{file}"
        );
    }
}

#[test]
fn refusals_and_cut_off_answers_are_told_apart() {
    let refused: [(&dyn Dialect, &str); 3] = [
        (&openai(), "openai_refusal.json"),
        (&anthropic(), "anthropic_refusal.json"),
        (&gemini(), "gemini_blocked.json"),
    ];
    for (dialect, file) in refused {
        let error = dialect.parse(&fixture(file)).unwrap_err();
        assert!(
            matches!(error, ProviderError::Refused(_)),
            "{file}: {error:?}"
        );
        assert!(!error.is_transient());
    }
    let truncated: [(&dyn Dialect, &str); 3] = [
        (&openai(), "openai_truncated.json"),
        (&anthropic(), "anthropic_truncated.json"),
        (&gemini(), "gemini_truncated.json"),
    ];
    for (dialect, file) in truncated {
        assert_eq!(
            dialect.parse(&fixture(file)).unwrap_err(),
            ProviderError::Truncated,
            "{file}"
        );
    }
}

#[test]
fn a_finished_answer_that_is_not_json_is_malformed_not_truncated() {
    let mut body = fixture("openai_ok.json");
    body["choices"][0]["message"]["content"] = json!("Here is your analysis: {oops}");
    assert!(matches!(
        openai().parse(&body),
        Err(ProviderError::Malformed(_))
    ));
    let mut cut = fixture("anthropic_ok.json");
    cut["content"][0]["text"] = json!("{\"title\": \"SW");
    assert_eq!(
        anthropic().parse(&cut).unwrap_err(),
        ProviderError::Truncated,
        "cut JSON without a stop reason"
    );
}

#[test]
fn only_throttling_and_server_errors_are_worth_retrying() {
    assert_eq!(
        status_error(429, Some("7")),
        ProviderError::Transient {
            status: Some(429),
            retry_after: Some(Duration::from_secs(7))
        }
    );
    assert!(status_error(503, None).is_transient());
    assert_eq!(
        status_error(401, None),
        ProviderError::Rejected { status: 401 }
    );
    assert!(!status_error(400, None).is_transient());
}
