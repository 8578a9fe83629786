//! Cognito, behind the operations Confide needs. Users are created by us (sign-up, invites); the pool
//! uses the email as an alias, so a user's Cognito username is their `sub`, which is our [`UserId`].

use crate::domain::{Email, UserId};
use crate::error::{ApiError, BoxError};
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ChallengeNameType, MessageActionType, SoftwareTokenMfaSettingsType,
};
use aws_sdk_cognitoidentityprovider::Client;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("an account with this email already exists")]
    UsernameExists,
    #[error("password does not meet the policy: {0}")]
    WeakPassword(String),
    #[error("email or password is wrong")]
    NotAuthorized,
    #[error("the code is wrong or expired")]
    CodeMismatch,
    #[error("{0}")]
    InvalidRequest(String),
    #[error("identity provider request failed")]
    Unexpected(#[source] BoxError),
}

impl From<IdentityError> for ApiError {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::UsernameExists => ApiError::conflict("email_taken", e.to_string()),
            IdentityError::WeakPassword(_) => ApiError::bad_request("weak_password", e.to_string()),
            IdentityError::NotAuthorized => ApiError::Unauthenticated,
            IdentityError::CodeMismatch => ApiError::bad_request("invalid_code", e.to_string()),
            IdentityError::InvalidRequest(_) => {
                ApiError::bad_request("invalid_request", e.to_string())
            }
            IdentityError::Unexpected(_) => ApiError::unexpected(e),
        }
    }
}

fn cognito_error<E>(e: aws_sdk_cognitoidentityprovider::error::SdkError<E>) -> IdentityError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (code, message) = e
        .as_service_error()
        .map(|s| {
            (
                s.code().unwrap_or_default().to_owned(),
                s.message().unwrap_or_default().to_owned(),
            )
        })
        .unwrap_or_default();
    match code.as_str() {
        "UsernameExistsException" | "AliasExistsException" => IdentityError::UsernameExists,
        "InvalidPasswordException" => IdentityError::WeakPassword(message),
        "NotAuthorizedException" | "UserNotFoundException" => IdentityError::NotAuthorized,
        "CodeMismatchException" | "EnableSoftwareTokenMFAException" | "ExpiredCodeException" => {
            IdentityError::CodeMismatch
        }
        "InvalidParameterException" => IdentityError::InvalidRequest(message),
        _ => IdentityError::Unexpected(Box::new(e)),
    }
}

/// Tokens handed to the browser.
#[derive(Debug, Clone, Serialize)]
pub struct Tokens {
    pub access_token: String,
    pub id_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub expires_in: i32,
    pub token_type: String,
}

/// The answer to a login step: tokens, or another step to take.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LoginOutcome {
    Authenticated {
        #[serde(flatten)]
        tokens: Tokens,
    },
    /// `challenge` is `NEW_PASSWORD_REQUIRED`, `SOFTWARE_TOKEN_MFA` or `MFA_SETUP`.
    Challenge { challenge: String, session: String },
}

#[derive(Clone)]
pub struct Identity {
    client: Client,
    pool_id: String,
    client_id: String,
}

impl Identity {
    pub fn new(client: Client, pool_id: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            client,
            pool_id: pool_id.into(),
            client_id: client_id.into(),
        }
    }

    /// Creates a user. With `password`, it is set as permanent and nothing is sent (sign-up). Without,
    /// `temporary_password` must be changed at first login; `notify` lets Cognito email it.
    pub async fn create_user(
        &self,
        email: &Email,
        password: Option<&str>,
        temporary_password: &str,
        notify: bool,
    ) -> Result<UserId, IdentityError> {
        let mut request = self
            .client
            .admin_create_user()
            .user_pool_id(&self.pool_id)
            .username(email.as_str())
            .temporary_password(temporary_password)
            .user_attributes(attr("email", email.as_str()))
            .user_attributes(attr("email_verified", "true"));
        if password.is_some() || !notify {
            request = request.message_action(MessageActionType::Suppress);
        }
        let created = request.send().await.map_err(cognito_error)?;
        let user = created
            .user
            .ok_or_else(|| IdentityError::Unexpected("Cognito returned no user".into()))?;
        let sub = user
            .attributes()
            .iter()
            .find(|a| a.name() == "sub")
            .and_then(|a| a.value())
            .or(user.username())
            .ok_or_else(|| IdentityError::Unexpected("Cognito user has no sub".into()))?;
        let user_id = UserId::parse(sub).map_err(|e| IdentityError::Unexpected(Box::new(e)))?;
        if let Some(password) = password {
            let set = self
                .client
                .admin_set_user_password()
                .user_pool_id(&self.pool_id)
                .username(user_id.as_str())
                .password(password)
                .permanent(true)
                .send()
                .await;
            if let Err(e) = set {
                // Leave no half-made account behind: the sign-up can be tried again.
                let _ = self.delete_user(&user_id).await;
                return Err(cognito_error(e));
            }
        }
        Ok(user_id)
    }

    pub async fn delete_user(&self, user: &UserId) -> Result<(), IdentityError> {
        self.client
            .admin_delete_user()
            .user_pool_id(&self.pool_id)
            .username(user.as_str())
            .send()
            .await
            .map_err(cognito_error)?;
        Ok(())
    }

    /// Revokes every refresh token of the user. Addressed by email, the alias they log in with:
    /// Cognito accepts it for admin calls, and the emulator files refresh tokens under it.
    pub async fn sign_out_everywhere(&self, email: &Email) -> Result<(), IdentityError> {
        self.client
            .admin_user_global_sign_out()
            .user_pool_id(&self.pool_id)
            .username(email.as_str())
            .send()
            .await
            .map_err(cognito_error)?;
        Ok(())
    }

    pub async fn login(
        &self,
        email: &Email,
        password: &str,
    ) -> Result<LoginOutcome, IdentityError> {
        self.initiate(
            AuthFlowType::UserPasswordAuth,
            &[("USERNAME", email.as_str()), ("PASSWORD", password)],
        )
        .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Result<LoginOutcome, IdentityError> {
        self.initiate(
            AuthFlowType::RefreshTokenAuth,
            &[("REFRESH_TOKEN", refresh_token)],
        )
        .await
    }

    async fn initiate(
        &self,
        flow: AuthFlowType,
        parameters: &[(&str, &str)],
    ) -> Result<LoginOutcome, IdentityError> {
        let mut request = self
            .client
            .initiate_auth()
            .client_id(&self.client_id)
            .auth_flow(flow);
        for (name, value) in parameters {
            request = request.auth_parameters(*name, *value);
        }
        let out = request.send().await.map_err(cognito_error)?;
        outcome(out.authentication_result, out.challenge_name, out.session)
    }

    /// Answers a login challenge: a new password, or a TOTP code.
    pub async fn respond(
        &self,
        email: &Email,
        session: &str,
        answer: ChallengeAnswer<'_>,
    ) -> Result<LoginOutcome, IdentityError> {
        let (challenge, key, value) = match answer {
            ChallengeAnswer::NewPassword(p) => {
                (ChallengeNameType::NewPasswordRequired, "NEW_PASSWORD", p)
            }
            ChallengeAnswer::TotpCode(c) => (
                ChallengeNameType::SoftwareTokenMfa,
                "SOFTWARE_TOKEN_MFA_CODE",
                c,
            ),
        };
        let out = self
            .client
            .respond_to_auth_challenge()
            .client_id(&self.client_id)
            .challenge_name(challenge)
            .session(session)
            .challenge_responses("USERNAME", email.as_str())
            .challenge_responses(key, value)
            .send()
            .await
            .map_err(cognito_error)?;
        outcome(out.authentication_result, out.challenge_name, out.session)
    }

    /// Starts TOTP setup for the signed-in user; returns the shared secret for their authenticator app.
    pub async fn start_totp_setup(&self, access_token: &str) -> Result<String, IdentityError> {
        let out = self
            .client
            .associate_software_token()
            .access_token(access_token)
            .send()
            .await
            .map_err(cognito_error)?;
        out.secret_code
            .ok_or_else(|| IdentityError::Unexpected("Cognito returned no TOTP secret".into()))
    }

    /// Confirms TOTP setup with a first code and makes TOTP required at every login.
    pub async fn finish_totp_setup(
        &self,
        access_token: &str,
        code: &str,
    ) -> Result<(), IdentityError> {
        let verified = self
            .client
            .verify_software_token()
            .access_token(access_token)
            .user_code(code)
            .send()
            .await
            .map_err(cognito_error)?;
        if verified.status().map(|s| s.as_str()) != Some("SUCCESS") {
            return Err(IdentityError::CodeMismatch);
        }
        self.client
            .set_user_mfa_preference()
            .access_token(access_token)
            .software_token_mfa_settings(
                SoftwareTokenMfaSettingsType::builder()
                    .enabled(true)
                    .preferred_mfa(true)
                    .build(),
            )
            .send()
            .await
            .map_err(cognito_error)?;
        Ok(())
    }
}

pub enum ChallengeAnswer<'a> {
    NewPassword(&'a str),
    TotpCode(&'a str),
}

fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .expect("name is set")
}

fn outcome(
    result: Option<aws_sdk_cognitoidentityprovider::types::AuthenticationResultType>,
    challenge: Option<ChallengeNameType>,
    session: Option<String>,
) -> Result<LoginOutcome, IdentityError> {
    match (result, challenge, session) {
        (Some(result), _, _) => Ok(LoginOutcome::Authenticated {
            tokens: Tokens {
                access_token: result.access_token.ok_or_else(|| missing("access token"))?,
                id_token: result.id_token.ok_or_else(|| missing("id token"))?,
                refresh_token: result.refresh_token,
                expires_in: result.expires_in,
                token_type: "Bearer".to_owned(),
            },
        }),
        (None, Some(challenge), Some(session)) => Ok(LoginOutcome::Challenge {
            challenge: challenge.as_str().to_owned(),
            session,
        }),
        _ => Err(missing("authentication result")),
    }
}

fn missing(what: &str) -> IdentityError {
    IdentityError::Unexpected(format!("Cognito answered without {what}").into())
}

/// A temporary password that meets the pool's policy (upper, lower, digit, symbol, ≥ 12).
pub fn temporary_password() -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("Tmp-{}{}!9x", &random[..12], random[12..16].to_uppercase())
}
