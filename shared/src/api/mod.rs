//! The v1 API's contract: the request and response bodies of every route, as Rust types, and the
//! OpenAPI 3.1 document made from them ([`openapi::document`], served at `GET /v1/openapi.json`).
//!
//! Handlers parse requests into these types and answer with them, so a shape is written once: here.
//! The web app's client is generated from the document; a test holds the document's routes equal to
//! `template.yaml`'s, and schemathesis checks every answer against it.

pub mod analyses;
pub mod audit;
pub mod billing;
pub mod channels;
pub mod contacts;
pub mod conversations;
pub mod identity;
pub mod members;
pub mod openapi;
pub mod privacy;
pub mod tenant;

use crate::domain::billing::Metered;
use serde::Serialize;
use utoipa::ToSchema;

/// Every error: `{"error":{"code","message"}}`, with the limit that was hit for `plan_limit_reached`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs: `invalid_json`, `invalid_field`, `not_found`, …
    pub code: String,
    /// For people: names the field and the rule; quotes at most 40 characters of a value.
    pub message: String,
    /// For `invalid_field`: the request field at fault (`email`, `inputs`, …), so a form can show the
    /// message beside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<LimitDetail>,
    /// For a 409 on a value that must be unique: the id of the item that holds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_id: Option<String>,
}

/// The plan limit a refused request would have gone over (402).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LimitDetail {
    pub metered: Metered,
    pub limit: u64,
    pub used: u64,
}

/// `GET /v1/health`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` while the function can answer at all.
    pub status: String,
    pub service: String,
    pub version: String,
}

/// A page of a listing, newest first; `next_cursor` continues it, `null` on the last page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}
