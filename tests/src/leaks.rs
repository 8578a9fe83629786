//! The suite-wide log check. Every personal value a test sends through the API (names, emails,
//! phone numbers, notes, message texts, form answers — whatever sits under a personal field of a
//! request) is remembered; when the test binary exits, every log and metric line the stack wrote
//! during the whole run is searched for them, and the run fails if one is found.

use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Mutex;

/// Shorter values ("Ada", "STOP") would match inside ids and words of ordinary log lines.
const MIN_LEN: usize = 6;

/// Request fields that carry personal data; under `inputs` (an analysis form) and `faqs` every text is.
const PERSONAL_FIELDS: [&str; 16] = [
    "name",
    "email",
    "phone",
    "notes",
    "body",
    "subject",
    "people",
    "question",
    "answer",
    "evidence",
    "company",
    "from_name",
    "from_email",
    "inputs",
    "faqs",
    "attributes",
];

static SEEDED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// Remembers one personal value a test sent.
pub fn seed(value: &str) {
    let value = value.trim();
    if value.chars().count() >= MIN_LEN {
        SEEDED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(value.to_owned());
    }
}

/// Remembers the personal values of a request body: every text under a personal field.
pub fn seed_body(body: &Value) {
    fn all_texts(value: &Value) {
        match value {
            Value::String(text) => seed(text),
            Value::Array(items) => items.iter().for_each(all_texts),
            Value::Object(fields) => fields.values().for_each(all_texts),
            _ => {}
        }
    }
    match body {
        Value::Object(fields) => {
            for (key, value) in fields {
                if PERSONAL_FIELDS.contains(&key.as_str()) {
                    all_texts(value);
                } else {
                    seed_body(value);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(seed_body),
        _ => {}
    }
}

/// Remembers the values of a query's personal parameters (`?email=…`, `?phone=…`).
pub fn seed_query(path: &str) {
    if let Some((_, query)) = path.split_once('?') {
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            if PERSONAL_FIELDS.contains(&key.as_ref()) {
                seed(&value);
            }
        }
    }
}

/// Each line that holds a seeded value, with the value.
pub fn leaks(lines: &[String], seeded: &BTreeSet<String>) -> Vec<(String, String)> {
    lines
        .iter()
        .flat_map(|line| {
            seeded
                .iter()
                .filter(|value| line.contains(value.as_str()))
                .map(|value| (value.clone(), line.clone()))
        })
        .collect()
}

/// Runs at the test binary's exit (registered with `atexit` when the stack starts): reports every
/// leak and ends the process with a failure status.
pub extern "C" fn fail_on_leaks_at_exit() {
    let seeded = SEEDED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone();
    let found = leaks(&crate::logged(), &seeded);
    if found.is_empty() {
        return;
    }
    eprintln!(
        "\nPERSONAL DATA IN THE LOGS: {} line(s) hold a value a test sent",
        found.len()
    );
    for (value, line) in found.iter().take(20) {
        eprintln!("  {value:?} in: {line}");
    }
    // SAFETY: ends the process at once; nothing else runs after the test harness has finished.
    unsafe { libc::_exit(1) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn personal_fields_are_remembered_and_found_in_lines_that_hold_them() {
        let body = json!({
            "name": "Wilhelmina Leakcheck",
            "tags": ["regulars"],
            "kind": "swot",
            "inputs": { "goal": "Talk to Bartholomew", "time_horizon": "1 year" },
            "faqs": [{ "question": "Do you deliver?", "answer": "Yes, ask Ottokar" }],
            "phone": "+4915112345678",
        });
        seed_body(&body);
        seed_query("/v1/contacts?email=wilhelmina%40example.com&limit=5");
        let seeded = SEEDED.lock().unwrap().clone();
        for value in [
            "Wilhelmina Leakcheck",
            "Talk to Bartholomew",
            "Do you deliver?",
            "Yes, ask Ottokar",
            "+4915112345678",
            "wilhelmina@example.com",
        ] {
            assert!(seeded.contains(value), "{value} not remembered");
        }
        assert!(!seeded.contains("regulars"), "tags are not personal");
        assert!(!seeded.contains("swot"));
        let lines = vec![
            r#"{"level":"INFO","fields":{"message":"contact created","route":"POST /v1/contacts"}}"#.to_owned(),
            r#"{"level":"WARN","fields":{"message":"lookup failed for +4915112345678"}}"#.to_owned(),
        ];
        assert_eq!(
            leaks(&lines, &seeded),
            vec![("+4915112345678".to_owned(), lines[1].clone())]
        );
    }
}
