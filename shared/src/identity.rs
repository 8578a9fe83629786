//! Cognito, behind the operations Confide needs. Users are created by us (sign-up, invites); the pool
//! uses the email as an alias, so a user's Cognito username is their `sub`, which is our [`UserId`].

use crate::aws::LazyClient;
use crate::domain::credentials::{LoginSession, Password, RefreshToken, TotpCode};
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
    #[error(
        "the password does not meet the policy: at least 12 characters, with upper- and lower-case \
         letters, a digit and a symbol"
    )]
    WeakPassword,
    #[error("email or password is wrong")]
    NotAuthorized,
    #[error("the login session is unknown or has expired; log in again")]
    InvalidSession,
    #[error("the code is wrong or expired")]
    CodeMismatch,
    #[error("too many attempts; wait a moment and try again")]
    TooManyAttempts,
    #[error("the password must be reset before logging in")]
    PasswordResetRequired,
    #[error("the identity provider refused the request's values")]
    InvalidRequest,
    /// Cognito knows no such session (the emulator's answer to an unknown one) or user pool.
    #[error("Cognito answered ResourceNotFoundException (no such session, user or pool)")]
    ResourceNotFound,
    #[error("identity provider request failed")]
    Unexpected(#[source] BoxError),
}

impl From<IdentityError> for ApiError {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::UsernameExists => ApiError::conflict("email_taken", e.to_string()),
            IdentityError::WeakPassword => ApiError::bad_request("weak_password", e.to_string()),
            IdentityError::NotAuthorized => ApiError::Unauthenticated,
            IdentityError::InvalidSession => {
                ApiError::bad_request("invalid_session", e.to_string())
            }
            IdentityError::CodeMismatch => ApiError::bad_request("invalid_code", e.to_string()),
            IdentityError::TooManyAttempts => ApiError::TooManyRequests {
                message: "too many attempts; wait a moment and try again",
            },
            IdentityError::PasswordResetRequired => ApiError::Forbidden {
                message: "the password must be reset before logging in",
            },
            IdentityError::InvalidRequest => {
                ApiError::bad_request("invalid_request", e.to_string())
            }
            IdentityError::ResourceNotFound | IdentityError::Unexpected(_) => {
                ApiError::unexpected(e)
            }
        }
    }
}

/// What went wrong in a Cognito call, by the error's code only: Cognito's messages may quote what the
/// client sent (a session, a password hint), and logs carry ids and codes, never request content.
#[derive(Debug, thiserror::Error)]
#[error("Cognito answered {0}")]
struct CognitoFailure(String);

fn cognito_error<E>(e: aws_sdk_cognitoidentityprovider::error::SdkError<E>) -> IdentityError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let Some(service) = e.as_service_error() else {
        // Not an answer from Cognito (no connection, a timeout): nothing of the request is in it.
        return IdentityError::Unexpected(Box::new(e));
    };
    match service.code().unwrap_or_default() {
        "UsernameExistsException" | "AliasExistsException" => IdentityError::UsernameExists,
        "InvalidPasswordException" => IdentityError::WeakPassword,
        "NotAuthorizedException" | "UserNotFoundException" | "UserNotConfirmedException" => {
            IdentityError::NotAuthorized
        }
        "CodeMismatchException" | "EnableSoftwareTokenMFAException" | "ExpiredCodeException" => {
            IdentityError::CodeMismatch
        }
        "TooManyRequestsException"
        | "TooManyFailedAttemptsException"
        | "LimitExceededException" => IdentityError::TooManyAttempts,
        "PasswordResetRequiredException" => IdentityError::PasswordResetRequired,
        "InvalidParameterException" => IdentityError::InvalidRequest,
        "ResourceNotFoundException" => IdentityError::ResourceNotFound,
        "" => IdentityError::Unexpected(Box::new(CognitoFailure("an error without a code".into()))),
        code => IdentityError::Unexpected(Box::new(CognitoFailure(code.to_owned()))),
    }
}

/// How Cognito refuses a challenge's session: NotAuthorized ("Invalid session") on Cognito,
/// ResourceNotFound on the emulator. Both mean the client should log in again.
fn session_refused(error: IdentityError) -> IdentityError {
    match error {
        IdentityError::NotAuthorized | IdentityError::ResourceNotFound => {
            IdentityError::InvalidSession
        }
        other => other,
    }
}

/// Tokens handed to the browser.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Tokens {
    pub access_token: String,
    pub id_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub expires_in: i32,
    pub token_type: String,
}

/// The answer to a login step: tokens, or another step to take.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LoginOutcome {
    Authenticated(Tokens),
    /// `challenge` is `NEW_PASSWORD_REQUIRED`, `SOFTWARE_TOKEN_MFA` or `MFA_SETUP`.
    Challenge {
        challenge: String,
        session: String,
    },
}

#[derive(Clone)]
pub struct Identity {
    client: LazyClient<Client>,
    pool_id: String,
    client_id: String,
}

impl Identity {
    pub fn new(
        client: LazyClient<Client>,
        pool_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> Self {
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
        password: Option<&Password>,
        temporary_password: &str,
        notify: bool,
    ) -> Result<UserId, IdentityError> {
        let mut request = self
            .client
            .get()
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
                .get()
                .admin_set_user_password()
                .user_pool_id(&self.pool_id)
                .username(user_id.as_str())
                .password(password.as_str())
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
            .get()
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
            .get()
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
        password: &Password,
    ) -> Result<LoginOutcome, IdentityError> {
        self.initiate(
            AuthFlowType::UserPasswordAuth,
            &[
                ("USERNAME", email.as_str()),
                ("PASSWORD", password.as_str()),
            ],
        )
        .await
    }

    pub async fn refresh(
        &self,
        refresh_token: &RefreshToken,
    ) -> Result<LoginOutcome, IdentityError> {
        self.initiate(
            AuthFlowType::RefreshTokenAuth,
            &[("REFRESH_TOKEN", refresh_token.as_str())],
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
            .get()
            .initiate_auth()
            .client_id(&self.client_id)
            .auth_flow(flow);
        for (name, value) in parameters {
            request = request.auth_parameters(*name, *value);
        }
        let out = request.send().await.map_err(cognito_error)?;
        outcome(out.authentication_result, out.challenge_name, out.session)
    }

    /// Answers a login challenge: a new password, or a TOTP code. A session Cognito does not know, or
    /// no longer accepts, is [`IdentityError::InvalidSession`] on Cognito and on the emulator alike.
    pub async fn respond(
        &self,
        email: &Email,
        session: &LoginSession,
        answer: ChallengeAnswer<'_>,
    ) -> Result<LoginOutcome, IdentityError> {
        let (challenge, key, value) = match answer {
            ChallengeAnswer::NewPassword(p) => (
                ChallengeNameType::NewPasswordRequired,
                "NEW_PASSWORD",
                p.as_str(),
            ),
            ChallengeAnswer::TotpCode(c) => (
                ChallengeNameType::SoftwareTokenMfa,
                "SOFTWARE_TOKEN_MFA_CODE",
                c.as_str(),
            ),
        };
        let out = self
            .client
            .get()
            .respond_to_auth_challenge()
            .client_id(&self.client_id)
            .challenge_name(challenge)
            .session(session.as_str())
            .challenge_responses("USERNAME", email.as_str())
            .challenge_responses(key, value)
            .send()
            .await
            .map_err(|e| session_refused(cognito_error(e)))?;
        outcome(out.authentication_result, out.challenge_name, out.session)
    }

    /// Starts TOTP setup for the signed-in user; returns the shared secret for their authenticator app.
    pub async fn start_totp_setup(&self, access_token: &str) -> Result<String, IdentityError> {
        let out = self
            .client
            .get()
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
        code: &TotpCode,
    ) -> Result<(), IdentityError> {
        let verified = self
            .client
            .get()
            .verify_software_token()
            .access_token(access_token)
            .user_code(code.as_str())
            .send()
            .await
            .map_err(cognito_error)?;
        if verified.status().map(|s| s.as_str()) != Some("SUCCESS") {
            return Err(IdentityError::CodeMismatch);
        }
        self.client
            .get()
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
    NewPassword(&'a Password),
    TotpCode(&'a TotpCode),
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
        (Some(result), _, _) => Ok(LoginOutcome::Authenticated(Tokens {
            access_token: result.access_token.ok_or_else(|| missing("access token"))?,
            id_token: result.id_token.ok_or_else(|| missing("id token"))?,
            refresh_token: result.refresh_token,
            expires_in: result.expires_in,
            token_type: "Bearer".to_owned(),
        })),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::cause_chain;
    use aws_sdk_cognitoidentityprovider::config::http::HttpResponse;
    use aws_sdk_cognitoidentityprovider::error::{ErrorMetadata, SdkError};
    use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeError;

    /// What the client sent, as Cognito's (or the emulator's) message would quote it.
    const SENT: &str = "session-the-client-sent-0123456789";

    fn answered(code: &str) -> SdkError<RespondToAuthChallengeError, HttpResponse> {
        let error = RespondToAuthChallengeError::generic(
            ErrorMetadata::builder()
                .code(code)
                .message(format!("Invalid session {SENT}"))
                .build(),
        );
        let raw = HttpResponse::new(
            400.try_into().expect("status"),
            aws_smithy_types::body::SdkBody::empty(),
        );
        SdkError::service_error(error, raw)
    }

    /// Every Cognito error a client can cause is a 4xx, and nothing of Cognito's message
    /// (which may quote the request) reaches the answer or, for the rest, the logged cause chain.
    #[test]
    fn cognito_errors_a_client_causes_are_4xx_and_no_message_is_kept() {
        for (code, status) in [
            ("NotAuthorizedException", 401),
            ("UserNotFoundException", 401),
            ("CodeMismatchException", 400),
            ("ExpiredCodeException", 400),
            ("InvalidParameterException", 400),
            ("InvalidPasswordException", 400),
            ("TooManyRequestsException", 429),
            ("TooManyFailedAttemptsException", 429),
            ("LimitExceededException", 429),
            ("PasswordResetRequiredException", 403),
            ("UsernameExistsException", 409),
        ] {
            let answer = ApiError::from(cognito_error(answered(code)));
            assert_eq!(answer.status().as_u16(), status, "{code}");
            assert!(!answer.public_message().contains(SENT), "{code}");
        }
        for code in ["InternalErrorException", "ResourceNotFoundException", ""] {
            let answer = ApiError::from(cognito_error(answered(code)));
            assert_eq!(answer.status().as_u16(), 500, "{code}");
            let ApiError::Unexpected(cause) = &answer else {
                panic!("{code}: {answer:?}")
            };
            let logged = cause_chain(cause.as_ref());
            assert!(!logged.contains(SENT), "{code}: {logged}");
            assert!(logged.contains(code), "{code}: {logged}");
        }
    }

    /// An unknown or expired session is the same 400 on Cognito and on the emulator.
    #[test]
    fn a_refused_session_is_invalid_session_on_cognito_and_the_emulator() {
        for code in ["NotAuthorizedException", "ResourceNotFoundException"] {
            let answer = ApiError::from(session_refused(cognito_error(answered(code))));
            assert_eq!(answer.status().as_u16(), 400, "{code}");
            assert_eq!(answer.code(), "invalid_session", "{code}");
        }
        let wrong_code = session_refused(cognito_error(answered("CodeMismatchException")));
        assert_eq!(ApiError::from(wrong_code).code(), "invalid_code");
    }
}
