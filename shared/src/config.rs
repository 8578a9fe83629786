//! Deployment configuration, read once at cold start.

use crate::domain::tenant::DataRegion;

/// Names of the resources `template.yaml` declares, plus deployment choices.
#[derive(Debug, Clone)]
pub struct Config {
    pub stage: String,
    pub data_region: DataRegion,
    pub table: String,
    pub key_store_table: String,
    pub root_key_arn: String,
    pub user_pool_id: String,
    pub user_pool_client_id: String,
    pub invites: InviteDelivery,
}

/// How an invited member learns their temporary password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteDelivery {
    /// Cognito emails it (production).
    CognitoEmail,
    /// The invite response carries it, for the local stack where no email is sent.
    InResponse,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Config {
    /// Reads the variables `template.yaml` sets on every function.
    pub fn from_env() -> Result<Self, ConfigError> {
        let var =
            |name: &str| std::env::var(name).map_err(|_| ConfigError(format!("{name} is not set")));
        let region = var("CONFIDE_DATA_REGION")?;
        Ok(Self {
            stage: var("CONFIDE_STAGE")?,
            data_region: DataRegion::parse(&region)
                .map_err(|e| ConfigError(format!("CONFIDE_DATA_REGION {e}")))?,
            table: var("CONFIDE_TABLE")?,
            key_store_table: var("CONFIDE_KEY_STORE_TABLE")?,
            root_key_arn: var("CONFIDE_ROOT_KEY_ARN")?,
            user_pool_id: var("CONFIDE_USER_POOL_ID")?,
            user_pool_client_id: var("CONFIDE_USER_POOL_CLIENT_ID")?,
            invites: match std::env::var("CONFIDE_INVITE_DELIVERY").as_deref() {
                Ok("response") => InviteDelivery::InResponse,
                _ => InviteDelivery::CognitoEmail,
            },
        })
    }
}
