//! The placeholders of one job. Before a prompt leaves for a GenAI provider, what the job's
//! [`Pseudonymizer`] finds is replaced by placeholders such as `[EMAIL_1]`; the same value always gets
//! the same placeholder within one job, so the model can still reason about "the same customer". The
//! answer's placeholders — repeated, reordered, or with their case changed — are put back before the
//! result is stored.

use super::{Category, NameDictionary, Pseudonymizer};
use regex::Regex;
use std::sync::LazyLock;

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    let labels: Vec<&str> = Category::ALL.iter().map(|c| c.label()).collect();
    Regex::new(&format!(r"(?i)\[({})_(\d+)\]", labels.join("|"))).expect("placeholder regex")
});

/// The placeholders of one job and what they stand for. It never leaves the worker's memory.
pub struct Vault {
    pseudonymizer: Pseudonymizer,
    entries: Vec<(Category, String)>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Vault({} placeholders)", self.entries.len())
    }
}

impl Vault {
    pub fn new(pseudonymizer: Pseudonymizer) -> Self {
        Self {
            pseudonymizer,
            entries: Vec::new(),
        }
    }

    /// A vault for a job that knows only the names it declares, read with no default country.
    pub fn with_names(declared: impl IntoIterator<Item = String>) -> Self {
        Self::new(Pseudonymizer::new(
            NameDictionary::new(declared, Vec::<String>::new()),
            None,
        ))
    }

    fn placeholder(&mut self, category: Category, value: &str) -> String {
        let n = match self
            .entries
            .iter()
            .filter(|(c, _)| *c == category)
            .position(|(_, v)| v == value)
        {
            Some(i) => i + 1,
            None => {
                self.entries.push((category, value.to_owned()));
                self.entries.iter().filter(|(c, _)| *c == category).count()
            }
        };
        format!("[{}_{n}]", category.label())
    }

    /// Replaces the personal data in `text` by placeholders.
    pub fn redact(&mut self, text: &str) -> String {
        let findings = self.pseudonymizer.analyze(text);
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for finding in findings {
            out.push_str(&text[last..finding.start]);
            let placeholder = self.placeholder(finding.category, &text[finding.start..finding.end]);
            out.push_str(&placeholder);
            last = finding.end;
        }
        out.push_str(&text[last..]);
        out
    }

    /// Puts the original values back wherever the answer uses a placeholder of this job.
    pub fn restore(&self, text: &str) -> String {
        PLACEHOLDER
            .replace_all(text, |caps: &regex::Captures<'_>| {
                let label = caps[1].to_uppercase();
                let n: usize = caps[2].parse().unwrap_or(0);
                self.entries
                    .iter()
                    .filter(|(c, _)| c.label() == label)
                    .nth(n.wrapping_sub(1))
                    .map_or_else(|| caps[0].to_owned(), |(_, v)| v.clone())
            })
            .into_owned()
    }

    /// [`restore`](Self::restore) applied to every string of a JSON answer (keys included).
    pub fn restore_json(&self, value: &serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::String(s) => Value::String(self.restore(s)),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.restore_json(v)).collect())
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (self.restore(k), self.restore_json(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Jane Doe (jane.doe@example.com, +44 20 7946 0958) paid with 4111 1111 1111 1111 \
        to GB82 WEST 1234 5698 7654 32; see https://linkedin.com/in/jane-doe and https://bakery.example. \
        Mail jane.doe@example.com again; ask jane about the order 12345.";

    #[test]
    fn personal_data_becomes_placeholders() {
        let mut vault = Vault::with_names(["Jane Doe".to_owned(), "Jane".to_owned()]);
        let redacted = vault.redact(TEXT);
        for secret in [
            "Jane",
            "jane.doe@example.com",
            "7946",
            "4111",
            "GB82",
            "linkedin.com/in",
        ] {
            assert!(
                !redacted.to_lowercase().contains(&secret.to_lowercase()),
                "{secret} left in {redacted}"
            );
        }
        assert!(
            redacted
                .starts_with("[PERSON_1] ([EMAIL_1], [PHONE_1]) paid with [CARD_1] to [IBAN_1]"),
            "{redacted}"
        );
        assert!(
            redacted.contains("Mail [EMAIL_1] again"),
            "the same value, the same placeholder"
        );
        assert!(
            redacted.contains("ask [PERSON_2]"),
            "a shorter given name on its own"
        );
        assert!(
            redacted.contains("https://bakery.example"),
            "a bare business domain stays"
        );
        assert!(
            redacted.contains("order 12345"),
            "short numbers are not phones"
        );
    }

    #[test]
    fn the_answer_gets_its_values_back_even_repeated_reordered_or_recased() {
        let mut vault = Vault::with_names(["Jane Doe".to_owned()]);
        vault.redact("Jane Doe wrote from jane@example.com and bob@example.com");
        let answer = "Reply to [EMAIL_2] first, then [email_1]; [PERSON_1] and [PERSON_1] again. [EMAIL_9] stays.";
        assert_eq!(
            vault.restore(answer),
            "Reply to bob@example.com first, then jane@example.com; Jane Doe and Jane Doe again. [EMAIL_9] stays."
        );
    }

    #[test]
    fn numbers_that_fail_their_checksums_are_left_alone() {
        let mut vault = Vault::with_names([]);
        let text = "Invoice 4111 1111 1111 1112 and reference DE00 1234 5678 9012 3456 78";
        assert_eq!(vault.redact(text), text);
    }

    #[test]
    fn round_trip_restores_the_original_text() {
        let mut vault = Vault::with_names(["Jane Doe".to_owned(), "Jane".to_owned()]);
        let redacted = vault.redact(TEXT);
        assert_eq!(vault.restore(&redacted), TEXT);
    }

    #[test]
    fn a_json_answer_is_restored_in_every_string() {
        let mut vault = Vault::with_names(["Jane Doe".to_owned()]);
        vault.redact("Jane Doe <jane@example.com>");
        let answer = serde_json::json!({
            "title": "About [PERSON_1]",
            "sections": [{ "heading": "Contact", "body": "Write to [EMAIL_1]." }],
            "charts": [{ "labels": ["[PERSON_1]", "Others"], "values": [1, 2] }],
        });
        assert_eq!(
            vault.restore_json(&answer),
            serde_json::json!({
                "title": "About Jane Doe",
                "sections": [{ "heading": "Contact", "body": "Write to jane@example.com." }],
                "charts": [{ "labels": ["Jane Doe", "Others"], "values": [1, 2] }],
            })
        );
    }

    #[test]
    fn debug_output_shows_no_values() {
        let mut vault = Vault::with_names([]);
        vault.redact("a@b.io");
        assert_eq!(format!("{vault:?}"), "Vault(1 placeholders)");
    }
}
