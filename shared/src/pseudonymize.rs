//! Personal data out of prompts (issue 3).
//!
//! Before a prompt leaves for a GenAI provider, emails, phone numbers, IBANs, card numbers, URLs with a
//! path (which often name a person: `linkedin.com/in/jane-doe`) and the person names the tenant gave us
//! are replaced by placeholders such as `[EMAIL_1]`. The same value always gets the same placeholder
//! within one job, so the model can still reason about "the same customer". The answer's placeholders —
//! repeated, reordered, or with their case changed — are put back before the result is stored.

use regex::Regex;
use std::sync::LazyLock;

static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"https?://[^\s<>"')\]]+"#).expect("url regex"));
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").expect("email regex")
});
static IBAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b").expect("iban regex")
});
static CARD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d(?:[ -]?\d){12,18}\b").expect("card regex"));
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\+|\b00|\b0)\d[\d ()./-]{5,}\d\b").expect("phone regex"));
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\[(EMAIL|PHONE|IBAN|CARD|URL|PERSON)_(\d+)\]").expect("placeholder regex")
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Category {
    Email,
    Phone,
    Iban,
    Card,
    Url,
    Person,
}

impl Category {
    fn label(self) -> &'static str {
        match self {
            Self::Email => "EMAIL",
            Self::Phone => "PHONE",
            Self::Iban => "IBAN",
            Self::Card => "CARD",
            Self::Url => "URL",
            Self::Person => "PERSON",
        }
    }
}

/// The placeholders of one job and what they stand for. It never leaves the worker's memory.
#[derive(Default)]
pub struct Vault {
    entries: Vec<(Category, String)>,
    names: Vec<String>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Vault({} placeholders)", self.entries.len())
    }
}

impl Vault {
    /// `person_names`: names of people given in the profile or the form, replaced wherever they appear.
    pub fn new(person_names: impl IntoIterator<Item = String>) -> Self {
        let mut names: Vec<String> = person_names
            .into_iter()
            .map(|n| n.trim().to_owned())
            .filter(|n| n.chars().count() >= 2)
            .collect();
        // Longest first, so "Jane Doe" is replaced before "Jane".
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        Self {
            entries: Vec::new(),
            names,
        }
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

    fn replace_matches(
        &mut self,
        text: &str,
        pattern: &Regex,
        category: Category,
        keep: impl Fn(&str) -> bool,
    ) -> String {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for found in pattern.find_iter(text) {
            if keep(found.as_str()) {
                continue;
            }
            out.push_str(&text[last..found.start()]);
            out.push_str(&self.placeholder(category, found.as_str()));
            last = found.end();
        }
        out.push_str(&text[last..]);
        out
    }

    /// Replaces the personal data in `text` by placeholders.
    pub fn redact(&mut self, text: &str) -> String {
        let has_personal_path = |url: &str| {
            let rest = url.split_once("://").map_or(url, |(_, r)| r);
            let path = rest.split_once(['/', '?', '#']).map_or("", |(_, p)| p);
            path.trim_matches('/').is_empty()
        };
        let mut text = self.replace_matches(text, &URL, Category::Url, has_personal_path);
        text = self.replace_matches(&text, &EMAIL, Category::Email, |_| false);
        text = self.replace_matches(&text, &IBAN, Category::Iban, |s| !iban_checksum_ok(s));
        text = self.replace_matches(&text, &CARD, Category::Card, |s| !luhn_ok(s));
        text = self.replace_matches(&text, &PHONE, Category::Phone, |s| {
            let digits = s.chars().filter(char::is_ascii_digit).count();
            !(7..=15).contains(&digits)
        });
        for name in self.names.clone() {
            let pattern =
                Regex::new(&format!(r"(?i)\b{}\b", regex::escape(&name))).expect("escaped name");
            text = self.replace_matches(&text, &pattern, Category::Person, |_| false);
        }
        text
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

fn luhn_ok(candidate: &str) -> bool {
    let digits: Vec<u32> = candidate.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn iban_checksum_ok(candidate: &str) -> bool {
    let compact: String = candidate.chars().filter(|c| !c.is_whitespace()).collect();
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let rearranged = format!("{}{}", &compact[4..], &compact[..4]);
    let mut remainder: u32 = 0;
    for c in rearranged.chars() {
        let value = match c.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        for digit in value.to_string().chars() {
            remainder = (remainder * 10 + digit.to_digit(10).unwrap_or(0)) % 97;
        }
    }
    remainder == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Jane Doe (jane.doe@example.com, +44 20 7946 0958) paid with 4111 1111 1111 1111 \
        to GB82 WEST 1234 5698 7654 32; see https://linkedin.com/in/jane-doe and https://bakery.example. \
        Mail jane.doe@example.com again; ask jane about the order 12345.";

    #[test]
    fn personal_data_becomes_placeholders() {
        let mut vault = Vault::new(["Jane Doe".to_owned(), "Jane".to_owned()]);
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
        let mut vault = Vault::new(["Jane Doe".to_owned()]);
        vault.redact("Jane Doe wrote from jane@example.com and bob@example.com");
        let answer = "Reply to [EMAIL_2] first, then [email_1]; [PERSON_1] and [PERSON_1] again. [EMAIL_9] stays.";
        assert_eq!(
            vault.restore(answer),
            "Reply to bob@example.com first, then jane@example.com; Jane Doe and Jane Doe again. [EMAIL_9] stays."
        );
    }

    #[test]
    fn numbers_that_fail_their_checksums_are_left_alone() {
        let mut vault = Vault::new([]);
        let text = "Invoice 4111 1111 1111 1112 and reference DE00 1234 5678 9012 3456 78";
        assert_eq!(vault.redact(text), text);
    }

    #[test]
    fn round_trip_restores_the_original_text() {
        let mut vault = Vault::new(["Jane Doe".to_owned(), "Jane".to_owned()]);
        let redacted = vault.redact(TEXT);
        assert_eq!(vault.restore(&redacted), TEXT);
    }

    #[test]
    fn a_json_answer_is_restored_in_every_string() {
        let mut vault = Vault::new(["Jane Doe".to_owned()]);
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
        let mut vault = Vault::new([]);
        vault.redact("a@b.io");
        assert_eq!(format!("{vault:?}"), "Vault(1 placeholders)");
    }
}
