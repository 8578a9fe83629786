//! The one error type every route returns, and its mapping to HTTP.
//!
//! Client errors carry a stable `code` and a message meant for the user. Anything unexpected is
//! logged with its cause chain (ids only, never request content) and answered with an opaque 500.

use crate::domain::billing::LimitReached;
use crate::domain::text::clip_message;
use crate::domain::InvalidField;
use http::StatusCode;
use std::error::Error as StdError;

pub type BoxError = Box<dyn StdError + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// A field of the request failed to parse (400, `invalid_field`, naming the field).
    #[error("{0}")]
    Invalid(InvalidField),
    #[error("authentication required")]
    Unauthenticated,
    #[error("{message}")]
    Forbidden { message: &'static str },
    #[error("not found")]
    NotFound,
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// A value that must be unique is held by another item (409), whose id the client gets.
    #[error("{message}")]
    Duplicate {
        code: &'static str,
        message: String,
        existing_id: String,
    },
    /// The body is not JSON in UTF-8 (415).
    #[error("{message}")]
    UnsupportedMediaType { message: &'static str },
    /// Too many attempts in a short time (429), e.g. wrong codes at login.
    #[error("{message}")]
    TooManyRequests { message: &'static str },
    /// The deployment does not offer this (503), e.g. billing without Stripe configured.
    #[error("{message}")]
    Unavailable { code: &'static str, message: String },
    /// The tenant's plan does not allow the work (402, with the limit that was hit).
    #[error("{0}")]
    PlanLimit(LimitReached),
    /// A service Confide relies on for this request (Stripe) failed or could not be reached (502).
    #[error("{service} could not complete the request; try again in a moment")]
    Upstream {
        service: &'static str,
        #[source]
        source: BoxError,
    },
    #[error("unexpected error")]
    Unexpected(#[source] BoxError),
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    /// A write refused because what it was based on changed since it was read (a failed write
    /// condition): 409 `changed_meanwhile`, and the client reads again. `what` says what changed.
    pub fn changed_meanwhile(what: &str) -> Self {
        Self::conflict(
            "changed_meanwhile",
            format!("{what} changed while this request was made; read it again and retry"),
        )
    }

    pub fn unexpected(error: impl Into<BoxError>) -> Self {
        Self::Unexpected(error.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } | Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict { .. } | Self::Duplicate { .. } => StatusCode::CONFLICT,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PlanLimit(_) => StatusCode::PAYMENT_REQUIRED,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Upstream { .. } => StatusCode::BAD_GATEWAY,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. }
            | Self::Conflict { code, .. }
            | Self::Duplicate { code, .. }
            | Self::Unavailable { code, .. } => code,
            Self::Invalid(_) => "invalid_field",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden { .. } => "forbidden",
            Self::NotFound => "not_found",
            Self::UnsupportedMediaType { .. } => "unsupported_media_type",
            Self::TooManyRequests { .. } => "too_many_attempts",
            Self::PlanLimit(_) => "plan_limit_reached",
            Self::Upstream { .. } => "upstream_failed",
            Self::Unexpected(_) => "internal",
        }
    }

    /// The message a client sees; never the cause of an unexpected error, and never long enough to
    /// echo a client's input back at length.
    pub fn public_message(&self) -> String {
        clip_message(&self.to_string())
    }
}

impl From<LimitReached> for ApiError {
    fn from(e: LimitReached) -> Self {
        Self::PlanLimit(e)
    }
}

impl From<InvalidField> for ApiError {
    fn from(e: InvalidField) -> Self {
        Self::Invalid(e)
    }
}

/// Writes an error and all its causes on one line, for logs.
pub fn cause_chain(error: &dyn StdError) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
