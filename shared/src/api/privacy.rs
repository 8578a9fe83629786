//! What the privacy routes take and give; the record itself is the registry's
//! ([`crate::domain::personal_data::RecordOfProcessing`]).

use crate::domain::InvalidField;

/// How `GET /v1/privacy/processing` answers: JSON (the default) or a page to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RecordFormat {
    Json,
    Html,
}

impl RecordFormat {
    pub fn parse(raw: Option<&str>) -> Result<Self, InvalidField> {
        match raw {
            None | Some("json") => Ok(Self::Json),
            Some("html") => Ok(Self::Html),
            Some(_) => Err(InvalidField::new("format", "must be json or html")),
        }
    }
}
