//! Sign-up and the login steps.

use crate::domain::{TenantId, UserId};
use crate::identity::LoginOutcome;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub company: String,
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// At least 12 characters, with upper- and lower-case letters, a digit and a symbol.
    #[schema(min_length = 12, max_length = 256)]
    pub password: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignupCreated {
    pub tenant_id: TenantId,
    pub user_id: UserId,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 256)]
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPasswordRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// The `session` of the `NEW_PASSWORD_REQUIRED` challenge.
    #[schema(min_length = 20, max_length = 2048)]
    pub session: String,
    #[schema(min_length = 12, max_length = 256)]
    pub new_password: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum MfaRequest {
    /// Signed in (bearer token): get a TOTP secret for an authenticator app.
    Setup,
    /// Signed in: confirm the app with a first code; TOTP is then asked at every login.
    Verify {
        #[schema(pattern = "^[0-9]{6}$")]
        code: String,
    },
    /// Logging in: answer the `SOFTWARE_TOKEN_MFA` challenge.
    Challenge {
        #[schema(format = Email, max_length = 254)]
        email: String,
        #[schema(min_length = 20, max_length = 2048)]
        session: String,
        #[schema(pattern = "^[0-9]{6}$")]
        code: String,
    },
}

/// What each MFA step answers: a secret to set up, TOTP enabled, or the login's outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum MfaAnswer {
    Setup(TotpSetup),
    Enabled(MfaEnabled),
    Login(LoginOutcome),
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TotpSetup {
    /// The shared secret, for an authenticator app.
    pub secret: String,
    /// The same as an `otpauth://` URI, for a QR code.
    pub otpauth_uri: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MfaEnabled {
    pub mfa: MfaState,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MfaState {
    Enabled,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// For API clients; a browser sends `{}` and its `confide_refresh` cookie instead.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 8192)]
    pub refresh_token: Option<String>,
}
