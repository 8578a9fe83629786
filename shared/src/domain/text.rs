//! Text from clients: what it may contain, and how an error message or a log line may quote it.
//!
//! Two rules, so that what is stored is what people see and no client can make us repeat megabytes:
//! - text refuses control characters (NUL included), the bidirectional embeddings, overrides and
//!   isolates (U+202A–U+202E, U+2066–U+2069) and the line and paragraph separators (U+2028, U+2029),
//!   which make a report or a page display something other than what is stored;
//! - a message quotes at most [`QUOTE_LIMIT`] characters of a client's value, escaped.

use super::InvalidField;

/// The longest part of a client's value that an error message or a log line quotes.
pub const QUOTE_LIMIT: usize = 40;

/// The longest error message a client is sent; a last bound whatever a message is made of.
pub const MESSAGE_LIMIT: usize = 400;

/// `value` as a message may quote it: escaped like a Rust string literal, cut after
/// [`QUOTE_LIMIT`] characters with `…` to say so.
pub fn quote(value: &str) -> String {
    let (head, more) = head_of(value);
    format!("{head:?}{more}")
}

/// `value` cut after [`QUOTE_LIMIT`] characters, with `…` to say so; not escaped (for names in a
/// path, which JSON and log output escape anyway).
pub fn clip(value: &str) -> String {
    let (head, more) = head_of(value);
    head + more
}

fn head_of(value: &str) -> (String, &'static str) {
    let mut chars = value.chars();
    let head: String = chars.by_ref().take(QUOTE_LIMIT).collect();
    let more = if chars.next().is_some() { "…" } else { "" };
    (head, more)
}

/// Why a character may not stand in text, if it may not.
fn refused(c: char, multiline: bool) -> Option<&'static str> {
    match c {
        '\n' | '\t' if multiline => None,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
            Some("must not contain bidirectional override characters")
        }
        '\u{2028}' | '\u{2029}' => Some("must not contain line or paragraph separators"),
        c if c.is_control() => Some("must not contain control characters"),
        _ => None,
    }
}

/// Refuses text holding a character that would display as something other than what is stored.
/// `multiline` text may hold newlines and tabs.
pub fn check_text(field: &'static str, value: &str, multiline: bool) -> Result<(), InvalidField> {
    match text_rule(value, multiline) {
        Some(rule) => Err(InvalidField::new(field, rule)),
        None => Ok(()),
    }
}

/// The first rule `value` breaks, for callers that name the field themselves (paths into JSON).
pub fn text_rule(value: &str, multiline: bool) -> Option<&'static str> {
    value.chars().find_map(|c| refused(c, multiline))
}

/// A message from a parser (serde's, or a library's) made fit to show a client or a log: every span
/// it quotes between backticks or double quotes is cut after [`QUOTE_LIMIT`] characters, and the whole
/// after [`MESSAGE_LIMIT`].
pub fn clip_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MESSAGE_LIMIT + 8));
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '`' && c != '"' {
            continue;
        }
        // Inside a quoted span: keep its first characters, skip the rest up to the closing quote.
        let mut kept = 0;
        let mut cut = false;
        while let Some(inner) = chars.next() {
            if inner == c {
                break;
            }
            let escaped = (c == '"' && inner == '\\').then(|| chars.next()).flatten();
            if kept < QUOTE_LIMIT {
                out.push(inner);
                out.extend(escaped);
                kept += 1;
            } else {
                cut = true;
            }
        }
        if cut {
            out.push('…');
        }
        out.push(c);
    }
    if out.chars().count() > MESSAGE_LIMIT {
        out = out.chars().take(MESSAGE_LIMIT).collect();
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_is_escaped_and_cut_after_forty_characters() {
        assert_eq!(quote("short"), "\"short\"");
        assert_eq!(quote("a\"b\n"), "\"a\\\"b\\n\"");
        let long = "x".repeat(100_000);
        let quoted = quote(&long);
        assert_eq!(quoted, format!("\"{}\"…", "x".repeat(40)));
    }

    #[test]
    fn text_refuses_characters_that_display_other_than_stored() {
        for (bad, multiline) in [
            ("a\0b", true),
            ("a\u{202E}b", true),
            ("a\u{2066}b", true),
            ("a\u{2069}b", true),
            ("a\u{2028}b", true),
            ("a\u{2029}b", true),
            ("a\u{7}b", true),
            ("a\u{85}b", true),
            ("a\nb", false),
            ("a\rb", true),
        ] {
            assert!(
                check_text("f", bad, multiline).is_err(),
                "{bad:?} (multiline {multiline}) should be refused"
            );
        }
        for good in [
            "Café Ünal",
            "שלום עולם",
            "مرحبا",
            "line\nnext\tcell",
            "emoji 🎉",
        ] {
            assert!(check_text("f", good, true).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn parser_messages_quote_at_most_forty_characters() {
        let key = "k".repeat(100_000);
        let message = format!("unknown field `{key}`, expected one of `name`, `role`");
        let clipped = clip_message(&message);
        assert_eq!(
            clipped,
            format!(
                "unknown field `{}…`, expected one of `name`, `role`",
                "k".repeat(40)
            )
        );
        let value = "v".repeat(6_000_000);
        let clipped = clip_message(&format!("invalid type: string \"{value}\", expected u32"));
        assert!(clipped.len() < 100, "{clipped}");
        assert!(clipped.ends_with("expected u32"), "{clipped}");
        // Escaped quotes do not end a span early; an unclosed span is cut all the same.
        let clipped = clip_message(&format!("string \"a\\\"{value}"));
        assert!(clipped.len() < 100, "{clipped}");
        let endless = clip_message(&"word ".repeat(10_000));
        assert!(endless.chars().count() <= MESSAGE_LIMIT + 1);
    }
}
