//! Reading JSON that holds personal data (a decrypted record, a stored analysis result, a provider's
//! answer with its placeholders restored), with errors that say where it does not fit and never what
//! it holds.
//!
//! serde's own messages quote the value they met (`invalid type: string "ada@example.com", expected
//! …`), and unexpected errors are logged with their whole cause chain, so a [`serde_json::Error`]
//! built from such JSON must never become a cause. [`ShapeError`] keeps the field path and serde's
//! rule in words of its own; map keys that do not look like field names (a name in the name
//! dictionary, a contact's attribute) are written `*`.

use serde::de::DeserializeOwned;

/// Where a value does not fit its type, and which rule it broke, without the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} does not fit its type at `{path}`: {rule}")]
pub struct ShapeError {
    /// What was being read (`contact`, `analysis result`).
    pub what: &'static str,
    /// `field.list[2].field`; `.` for the whole value.
    pub path: String,
    /// serde's rule, in fixed words (`invalid type`, `missing field `name``, `syntax error at line 1
    /// column 7`).
    pub rule: String,
}

/// Deserializes `json`, read as `what`.
pub fn from_str<T: DeserializeOwned>(what: &'static str, json: &str) -> Result<T, ShapeError> {
    from_slice(what, json.as_bytes())
}

/// Deserializes `json`, read as `what`.
pub fn from_slice<T: DeserializeOwned>(what: &'static str, json: &[u8]) -> Result<T, ShapeError> {
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let value =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| shape_error(what, e))?;
    // Trailing bytes after the value are as malformed as a missing brace.
    deserializer.end().map_err(|e| ShapeError {
        what,
        path: ".".to_owned(),
        rule: rule_of(&e),
    })?;
    Ok(value)
}

/// Deserializes an already parsed value, read as `what`.
pub fn from_value<T: DeserializeOwned>(
    what: &'static str,
    value: serde_json::Value,
) -> Result<T, ShapeError> {
    serde_path_to_error::deserialize(value).map_err(|e| shape_error(what, e))
}

fn shape_error(what: &'static str, e: serde_path_to_error::Error<serde_json::Error>) -> ShapeError {
    ShapeError {
        what,
        path: path_of(e.path()),
        rule: rule_of(e.inner()),
    }
}

fn path_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(if looks_like_field_name(key) { key } else { "*" });
            }
            Segment::Unknown => out.push_str(".?"),
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// Field names of Confide's records are short snake_case; a key of any other form is data.
fn looks_like_field_name(key: &str) -> bool {
    let mut chars = key.chars();
    key.len() <= 40
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// serde's rule without what it quotes. Its data errors begin with a fixed phrase (see
/// `serde::de::Error`'s provided methods); anything after it may hold the value, so only the phrase
/// is kept, and the field name where the phrase names one of the type's own fields.
fn rule_of(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax => format!("syntax error at line {} column {}", e.line(), e.column()),
        Category::Eof => "the JSON ends early".to_owned(),
        Category::Io => "the JSON could not be read".to_owned(),
        Category::Data => {
            let message = e.to_string();
            // "missing field `name`" and "duplicate field `name`" name a field of the type itself.
            for phrase in ["missing field `", "duplicate field `"] {
                if let Some(rest) = message.strip_prefix(phrase) {
                    let field = rest.split('`').next().unwrap_or_default();
                    if looks_like_field_name(field) {
                        return format!("{phrase}{field}`");
                    }
                }
            }
            const PHRASES: [&str; 5] = [
                "invalid type",
                "invalid value",
                "invalid length",
                "unknown variant",
                "unknown field",
            ];
            PHRASES
                .iter()
                .find(|phrase| message.starts_with(**phrase))
                .map_or_else(
                    || "a value its type refuses".to_owned(),
                    |p| (*p).to_owned(),
                )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Person {
        name: String,
        age: u32,
        emails: Vec<String>,
        #[serde(default)]
        nicknames: BTreeMap<String, u32>,
    }

    /// Every value below is personal; none may appear in the error's text.
    #[test]
    fn errors_name_the_path_and_rule_and_quote_no_value() {
        let cases: [(&str, &str, &str); 6] = [
            (
                r#"{"name": "Ada", "age": "Lovelace-1815", "emails": []}"#,
                "age",
                "invalid type",
            ),
            (
                r#"{"name": "Ada", "age": 36, "emails": ["ada@example.com", 7]}"#,
                "emails[1]",
                "invalid type",
            ),
            (
                r#"{"name": "Ada", "age": 36, "emails": [], "nicknames": {"Countess Ada": "Byron"}}"#,
                "nicknames.*",
                "invalid type",
            ),
            (
                r#"{"name": "Ada", "age": 99999999999, "emails": []}"#,
                "age",
                "invalid value",
            ),
            (r#"{"name": "Ada Lovelace"}"#, ".", "missing field `age`"),
            (
                r#"{"name": "Ada Byron", "age": 36, "emails": [] } "Lovelace""#,
                ".",
                "syntax error at line 1 column 49",
            ),
        ];
        for (json, path, rule) in cases {
            let error = from_str::<Person>("person", json).unwrap_err();
            assert_eq!(
                (error.path.as_str(), error.rule.as_str()),
                (path, rule),
                "{json}"
            );
            let text = crate::error::cause_chain(&error);
            for value in [
                "Ada",
                "Lovelace",
                "Byron",
                "ada@example.com",
                "Countess",
                "1815",
            ] {
                assert!(!text.contains(value), "{text} quotes {value}");
            }
        }
    }

    #[test]
    fn a_value_that_fits_is_read() {
        let person: Person = from_value(
            "person",
            serde_json::json!({ "name": "Ada", "age": 36, "emails": ["ada@example.com"] }),
        )
        .unwrap();
        assert_eq!(person.age, 36);
    }
}
