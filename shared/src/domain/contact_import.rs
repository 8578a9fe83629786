//! Reading a contacts CSV: a header row naming the columns, then one contact per row.
//!
//! Columns (by name, in any order, case-insensitive): `name`, `email`, `phone`, `tags` (separated
//! by `;` or `|`), `notes`, and optional marketing consent per channel — `sms_consent`,
//! `whatsapp_consent`, `email_consent` (`granted`/`yes`/`true`/`1` or `withdrawn`/`no`/`false`/`0`,
//! empty for none) with `consent_evidence` saying where it was given. UTF-8 with or without a byte
//! order mark; fields may be quoted. A bad row is reported with its line number and never stops the
//! rest; rows repeating an email or phone of an earlier row are refused as duplicates of that row.

use super::consent::Channel;
use super::contact::{ContactDraft, ContactFields};
use super::phone::DefaultCountry;
use super::text::quote;
use std::collections::HashMap;

/// At most this many contacts in one file.
pub const MAX_ROWS: usize = 10_000;

/// One row that can be imported.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// The row's line number in the file (the header is line 1).
    pub line: u64,
    pub fields: ContactFields,
    /// Marketing consent stated per channel: `true` granted, `false` withdrawn.
    pub consent: Vec<(Channel, bool)>,
    pub evidence: String,
}

/// A row that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RejectedRow {
    pub row: u64,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct ParsedFile {
    pub rows: Vec<ImportRow>,
    pub rejected: Vec<RejectedRow>,
}

/// Why a whole file is refused (as opposed to a row).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("the file is not UTF-8 text")]
    NotUtf8,
    #[error("the header row is missing")]
    NoHeader,
    #[error("the header names no email or phone column, nor a name column")]
    NoContactColumns,
    #[error("the header names {0} twice")]
    RepeatedColumn(String),
    #[error("the file has more than {MAX_ROWS} rows")]
    TooManyRows,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Name,
    Email,
    Phone,
    Tags,
    Notes,
    Consent(Channel),
    Evidence,
}

impl Column {
    fn named(header: &str) -> Option<Self> {
        Some(match header.trim().to_ascii_lowercase().as_str() {
            "name" => Self::Name,
            "email" => Self::Email,
            "phone" => Self::Phone,
            "tags" => Self::Tags,
            "notes" => Self::Notes,
            "sms_consent" => Self::Consent(Channel::Sms),
            "whatsapp_consent" => Self::Consent(Channel::Whatsapp),
            "email_consent" => Self::Consent(Channel::Email),
            "consent_evidence" => Self::Evidence,
            _ => return None,
        })
    }
}

/// Reads `bytes` as a contacts CSV. Unknown columns are ignored (spreadsheets carry extras).
pub fn parse(bytes: &[u8], country: Option<DefaultCountry>) -> Result<ParsedFile, FileError> {
    let text = std::str::from_utf8(bytes).map_err(|_| FileError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|_| FileError::NoHeader)?.clone();
    if headers.is_empty() || headers.iter().all(|h| h.trim().is_empty()) {
        return Err(FileError::NoHeader);
    }
    let mut columns: Vec<Option<Column>> = Vec::new();
    for header in &headers {
        let column = Column::named(header);
        if column.is_some() && columns.contains(&column) {
            return Err(FileError::RepeatedColumn(quote(header)));
        }
        columns.push(column);
    }
    let has = |wanted: Column| columns.contains(&Some(wanted));
    if !has(Column::Email) && !has(Column::Phone) && !has(Column::Name) {
        return Err(FileError::NoContactColumns);
    }

    let mut parsed = ParsedFile::default();
    let mut seen_email: HashMap<String, u64> = HashMap::new();
    let mut seen_phone: HashMap<String, u64> = HashMap::new();
    for (index, record) in reader.records().enumerate() {
        if index >= MAX_ROWS {
            return Err(FileError::TooManyRows);
        }
        let line = record
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(index as u64 + 2, |p| p.line());
        let row = match record {
            Ok(record) => read_row(&columns, &record, line, country),
            Err(e) => Err(format!("cannot be read as CSV: {}", csv_reason(&e))),
        };
        let row = row.and_then(|row| {
            let email = row.fields.email.as_ref().map(|e| e.as_str().to_owned());
            let phone = row.fields.phone.as_ref().map(|p| p.as_str().to_owned());
            if let Some(first) = email.as_ref().and_then(|e| seen_email.get(e)) {
                return Err(format!("repeats the email of row {first}"));
            }
            if let Some(first) = phone.as_ref().and_then(|p| seen_phone.get(p)) {
                return Err(format!("repeats the phone of row {first}"));
            }
            email.map(|e| seen_email.insert(e, line));
            phone.map(|p| seen_phone.insert(p, line));
            Ok(row)
        });
        match row {
            Ok(row) => parsed.rows.push(row),
            Err(reason) => parsed.rejected.push(RejectedRow { row: line, reason }),
        }
    }
    Ok(parsed)
}

fn csv_reason(error: &csv::Error) -> &'static str {
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "not UTF-8",
        _ => "malformed quoting",
    }
}

fn read_row(
    columns: &[Option<Column>],
    record: &csv::StringRecord,
    line: u64,
    country: Option<DefaultCountry>,
) -> Result<ImportRow, String> {
    let mut draft = ContactDraft::default();
    let mut consent = Vec::new();
    let mut evidence = String::new();
    for (column, value) in columns.iter().zip(record.iter()) {
        let Some(column) = column else { continue };
        match column {
            Column::Name => draft.name = value.to_owned(),
            Column::Email => draft.email = Some(value.to_owned()),
            Column::Phone => draft.phone = Some(value.to_owned()),
            Column::Tags => {
                draft.tags = value
                    .split([';', '|'])
                    .map(str::trim)
                    .filter(|tag| !tag.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            Column::Notes => draft.notes = value.to_owned(),
            Column::Consent(channel) => {
                if let Some(granted) = consent_value(value)? {
                    consent.push((*channel, granted));
                }
            }
            Column::Evidence => evidence = value.trim().to_owned(),
        }
    }
    let fields = ContactFields::parse(draft, country).map_err(|e| e.to_string())?;
    super::text::check_text("consent_evidence", &evidence, false).map_err(|e| e.to_string())?;
    if evidence.chars().count() > 500 {
        return Err("consent_evidence: must be at most 500 characters".into());
    }
    Ok(ImportRow {
        line,
        fields,
        consent,
        evidence,
    })
}

fn consent_value(raw: &str) -> Result<Option<bool>, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "granted" | "yes" | "true" | "1" | "y" => Ok(Some(true)),
        "withdrawn" | "no" | "false" | "0" | "n" => Ok(Some(false)),
        _ => Err(format!(
            "consent {} is not granted/yes or withdrawn/no",
            quote(raw)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> ParsedFile {
        parse(text.as_bytes(), DefaultCountry::parse("GB").ok()).unwrap()
    }

    #[test]
    fn a_bom_quoted_fields_and_any_column_order_are_read() {
        let file = rows(
            "\u{feff}Phone,Name,email,tags\n\
             \"+44 20 7946 0958\",\"Lovelace, Ada\",ADA@example.com,\"vip; london\"\n",
        );
        assert!(file.rejected.is_empty(), "{:?}", file.rejected);
        let row = &file.rows[0];
        assert_eq!(row.line, 2);
        assert_eq!(row.fields.name, "Lovelace, Ada");
        assert_eq!(
            row.fields.email.as_ref().unwrap().as_str(),
            "ada@example.com"
        );
        assert_eq!(row.fields.phone.as_ref().unwrap().as_str(), "+442079460958");
        assert_eq!(row.fields.tags.len(), 2);
    }

    #[test]
    fn a_quoted_field_may_span_lines_and_later_rows_keep_their_line_numbers() {
        let file =
            rows("name,notes,email\nAda,\"line one\nline two\",ada@example.com\nBob,,bob@\n");
        assert_eq!(file.rows.len(), 1);
        assert_eq!(file.rows[0].fields.notes, "line one\nline two");
        assert_eq!(
            file.rejected,
            [RejectedRow {
                row: 4,
                reason: "email: is not a valid email address".into()
            }]
        );
    }

    #[test]
    fn a_bad_row_is_reported_and_the_rest_go_on() {
        let file = rows("name,phone\nAda,12\nBob,+44 20 7946 0959\n,\n");
        assert_eq!(file.rows.len(), 1);
        assert_eq!(file.rejected.len(), 2);
        assert_eq!(file.rejected[0].row, 2);
        assert!(
            file.rejected[0].reason.starts_with("phone"),
            "{:?}",
            file.rejected
        );
        assert_eq!(file.rejected[1].row, 4);
    }

    #[test]
    fn repeated_emails_and_phones_refer_to_the_first_row() {
        let file =
            rows("email,phone\na@example.com,\nA@Example.com,\n,020 7946 0958\n,+442079460958\n");
        let reasons: Vec<_> = file
            .rejected
            .iter()
            .map(|r| (r.row, r.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (3, "repeats the email of row 2"),
                (5, "repeats the phone of row 4")
            ]
        );
    }

    #[test]
    fn consent_columns_state_marketing_consent_per_channel() {
        let file = rows("email,email_consent,sms_consent,consent_evidence\na@example.com,yes,no,shop form 2024\nb@example.com,maybe,,\n");
        assert_eq!(
            file.rows[0].consent,
            [(Channel::Email, true), (Channel::Sms, false)]
        );
        assert_eq!(file.rows[0].evidence, "shop form 2024");
        assert_eq!(file.rejected[0].row, 3);
    }

    #[test]
    fn files_that_cannot_be_contacts_are_refused_whole() {
        let country = None;
        assert_eq!(parse(b"\xff\xfe", country).unwrap_err(), FileError::NotUtf8);
        assert_eq!(parse(b"", country).unwrap_err(), FileError::NoHeader);
        assert_eq!(
            parse(b"colour,size\nred,4\n", country).unwrap_err(),
            FileError::NoContactColumns
        );
        assert!(matches!(
            parse(b"email,Email\n", country).unwrap_err(),
            FileError::RepeatedColumn(_)
        ));
        let mut big = String::from("name\n");
        for i in 0..=MAX_ROWS {
            big.push_str(&format!("n{i}\n"));
        }
        assert_eq!(
            parse(big.as_bytes(), country).unwrap_err(),
            FileError::TooManyRows
        );
    }

    #[test]
    fn short_rows_and_extra_columns_are_tolerated() {
        let file = rows("name,email,loyalty\nAda\nBob,bob@example.com,gold,extra\n");
        assert_eq!(file.rows.len(), 2, "{:?}", file.rejected);
    }
}
