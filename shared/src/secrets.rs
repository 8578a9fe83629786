//! Secrets (API keys, signing secrets) live in SSM Parameter Store as SecureStrings and are read once
//! per instance; they are never put in a function's environment, where anyone who can read the
//! function's configuration would see them.

use crate::aws::LazyClient;
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

/// Several SecureString parameters in as few requests as SSM allows (ten names per request), by name.
/// A missing parameter is an error naming it.
pub async fn parameters(
    ssm: &aws_sdk_ssm::Client,
    names: &[String],
) -> Result<std::collections::HashMap<String, String>, BoxError> {
    let mut values = std::collections::HashMap::new();
    for chunk in names.chunks(10) {
        let answer = ssm
            .get_parameters()
            .set_names(Some(chunk.to_vec()))
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| format!("reading parameters: {}", crate::error::cause_chain(&e)))?;
        if let Some(missing) = answer.invalid_parameters().first() {
            return Err(format!("parameter {missing} does not exist").into());
        }
        for parameter in answer.parameters() {
            if let (Some(name), Some(value)) = (parameter.name(), parameter.value()) {
                values.insert(name.to_owned(), value.to_owned());
            }
        }
    }
    Ok(values)
}

/// A SecureString read when a request first needs it, then kept for the life of the instance: a cold
/// start does not wait on a parameter its first invocations may never use. A failed read is tried
/// again by the next request that needs it.
pub struct Secret {
    ssm: LazyClient<aws_sdk_ssm::Client>,
    name: String,
    value: tokio::sync::OnceCell<String>,
}

impl Secret {
    pub fn new(ssm: LazyClient<aws_sdk_ssm::Client>, name: impl Into<String>) -> Self {
        Self {
            ssm,
            name: name.into(),
            value: tokio::sync::OnceCell::new(),
        }
    }

    pub async fn get(&self) -> Result<&str, BoxError> {
        let value = self
            .value
            .get_or_try_init(|| parameter(self.ssm.get(), &self.name))
            .await?;
        Ok(value)
    }
}
