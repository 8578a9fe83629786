//! The recognizer most detectors are: a regular expression for candidates, a validation (check digits,
//! ranges) and a confidence, as Presidio's `PatternRecognizer`.

use super::{Category, Context, Finding, Input, Recognizer};
use regex::Regex;

pub struct Pattern {
    pub name: &'static str,
    pub category: Category,
    pub regex: Regex,
    /// Receives the candidate; `None` refuses it, `Some(score)` accepts it with that confidence.
    pub validate: fn(&str) -> Option<f32>,
    pub context: Context,
}

impl Pattern {
    pub fn new(
        name: &'static str,
        category: Category,
        regex: &str,
        validate: fn(&str) -> Option<f32>,
        context: Context,
    ) -> Self {
        Self {
            name,
            category,
            regex: Regex::new(regex).unwrap_or_else(|e| panic!("{name}: {e}")),
            validate,
            context,
        }
    }
}

impl Recognizer for Pattern {
    fn name(&self) -> &'static str {
        self.name
    }

    fn context(&self) -> &Context {
        &self.context
    }

    fn find(&self, input: &Input<'_>, found: &mut Vec<Finding>) {
        for_each_candidate(&self.regex, input.text, |_, candidate| {
            let score = (self.validate)(candidate)?;
            (score > 0.0).then_some((candidate.len(), score))
        })
        .into_iter()
        .for_each(|(start, end, score)| {
            found.push(Finding {
                start,
                end,
                category: self.category,
                score,
                recognizer: self.name,
            })
        });
    }
}

/// Runs `regex` over `text`; `accept` gets each candidate (and where it starts) and returns how many
/// of its bytes are the match (a prefix: a card number without the expiry after it) and a confidence. A refused candidate
/// does not hide a match that starts inside it: the search goes on one char after its start.
pub fn for_each_candidate(
    regex: &Regex,
    text: &str,
    mut accept: impl FnMut(usize, &str) -> Option<(usize, f32)>,
) -> Vec<(usize, usize, f32)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let Some(m) = regex.find_at(text, at) else {
            break;
        };
        match accept(m.start(), m.as_str()) {
            Some((len, score)) if len > 0 => {
                out.push((m.start(), m.start() + len, score));
                at = m.start() + len;
            }
            _ => {
                at = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    out
}

/// The digits of a candidate as numbers.
pub fn digits(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

/// The candidate's letters and digits, upper-cased.
pub fn compact(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}
