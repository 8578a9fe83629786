//! Secrets (API keys, signing secrets) live in SSM Parameter Store as SecureStrings and are read once,
//! at cold start; they are never put in a function's environment, where anyone who can read the
//! function's configuration would see them.

use crate::error::BoxError;

/// The decrypted value of the SecureString parameter `name`.
pub async fn parameter(ssm: &aws_sdk_ssm::Client, name: &str) -> Result<String, BoxError> {
    ssm.get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| {
            format!(
                "reading parameter {name}: {}",
                crate::error::cause_chain(&e)
            )
        })?
        .parameter
        .and_then(|p| p.value)
        .ok_or_else(|| format!("parameter {name} has no value").into())
}
