//! What a person sends to log in: passwords, login sessions, one-time codes and refresh tokens.
//!
//! Each is bounded here, before anything reaches Cognito, so that a client's megabytes never travel
//! further (nor into an error message or a log line); and none of them ever prints.

use super::InvalidField;
use std::fmt;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        /// Never print a credential into a log line by accident.
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

secret_type!(
    /// A password as typed: Cognito checks the pool's policy; this only bounds it.
    Password
);
secret_type!(
    /// The `session` Cognito hands out with a login challenge, passed back with the answer.
    LoginSession
);
secret_type!(
    /// A six-digit TOTP code from an authenticator app.
    TotpCode
);
secret_type!(
    /// A refresh token Cognito issued.
    RefreshToken
);

/// Cognito's own bound on passwords.
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Cognito's documented bounds on a challenge session.
pub const SESSION_CHARS: std::ops::RangeInclusive<usize> = 20..=2048;
/// Cognito's refresh tokens are about 1.8 KB; anything much longer is not one.
pub const MAX_REFRESH_TOKEN_CHARS: usize = 8192;

impl Password {
    /// `field` names the password in the request (`password`, `new_password`).
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, InvalidField> {
        if raw.is_empty() || raw.chars().count() > MAX_PASSWORD_CHARS {
            return Err(InvalidField::new(
                field,
                format!("must be 1 to {MAX_PASSWORD_CHARS} characters"),
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

impl LoginSession {
    /// `None` when `raw` cannot be a session Cognito issued: the caller answers as for an unknown one.
    pub fn parse(raw: &str) -> Option<Self> {
        let plausible =
            SESSION_CHARS.contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic());
        plausible.then(|| Self(raw.to_owned()))
    }
}

impl TotpCode {
    pub fn parse(raw: &str) -> Result<Self, InvalidField> {
        let raw = raw.trim();
        if raw.len() == 6 && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidField::new(
                "code",
                "must be the 6 digits your app shows",
            ))
        }
    }
}

impl RefreshToken {
    /// `None` when `raw` cannot be a token Cognito issued: the caller refuses it as an invalid one.
    pub fn parse(raw: &str) -> Option<Self> {
        let plausible = (1..=MAX_REFRESH_TOKEN_CHARS).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_graphic());
        plausible.then(|| Self(raw.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_bounded_before_they_reach_cognito() {
        assert!(Password::parse("password", "Correct-Horse-9!").is_ok());
        assert_eq!(
            Password::parse("new_password", &"a".repeat(257))
                .unwrap_err()
                .field,
            "new_password"
        );
        assert!(Password::parse("password", "").is_err());
        assert!(
            LoginSession::parse("bogus").is_none(),
            "shorter than Cognito issues"
        );
        assert!(LoginSession::parse(&"s".repeat(100_000)).is_none());
        assert!(LoginSession::parse(&format!("{}\u{0}", "s".repeat(30))).is_none());
        assert!(LoginSession::parse(&uuid::Uuid::new_v4().to_string()).is_some());
        assert_eq!(TotpCode::parse(" 123456 ").unwrap().as_str(), "123456");
        for bad in ["12345", "1234567", "12345a", "+12345", "١٢٣٤٥٦"] {
            assert!(TotpCode::parse(bad).is_err(), "{bad:?}");
        }
        assert!(RefreshToken::parse(&"r".repeat(8193)).is_none());
        assert!(RefreshToken::parse("eyJ.abc.def").is_some());
    }

    #[test]
    fn credentials_never_print() {
        let password = Password::parse("password", "Correct-Horse-9!").unwrap();
        let session = LoginSession::parse(&"s".repeat(40)).unwrap();
        let shown = format!("{password:?} {session:?}");
        assert!(
            !shown.contains("Horse") && !shown.contains("sss"),
            "{shown}"
        );
    }
}
