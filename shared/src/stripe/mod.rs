//! Stripe: the webhook's signed events ([`webhook`]) and the few API calls Confide makes ([`api`]: a
//! customer per tenant, Checkout and Billing Portal sessions), both without a Stripe SDK. Card data never passes through Confide: Stripe's hosted pages collect it.

pub mod api;
pub mod webhook;

/// The Stripe API version Confide's requests ask for and its webhook endpoint must be created with:
/// the shapes `api` and `webhook` read are this version's.
pub const API_VERSION: &str = "2026-09-30.endive";

use crate::aws::LazyClient;
use crate::config::Config;
use crate::error::BoxError;
use crate::secrets::Secret;
use api::StripeApi;

/// The Stripe client of a deployment that bills its tenants, made when the first request needs it:
/// its API key is a [`Secret`], read from SSM then (a cold start does not wait on it) and kept.
pub struct Connection {
    key: Option<Secret>,
    api_base: Option<String>,
    api: tokio::sync::OnceCell<StripeApi>,
}

impl Connection {
    /// Through `ssm`, from the API key parameter the configuration names, if it names one.
    pub fn new(config: &Config, ssm: LazyClient<aws_sdk_ssm::Client>) -> Self {
        let billing = config.billing.as_ref();
        Self {
            key: billing
                .and_then(|b| b.api_key_parameter.as_ref())
                .map(|parameter| Secret::new(ssm, parameter)),
            api_base: billing.and_then(|b| b.api_base.clone()),
            api: tokio::sync::OnceCell::new(),
        }
    }

    /// The client; `None` where the configuration names no API key. A failed read is tried again
    /// next time.
    pub async fn api(&self) -> Result<Option<&StripeApi>, BoxError> {
        let Some(key) = &self.key else {
            return Ok(None);
        };
        let api = self
            .api
            .get_or_try_init(|| async {
                StripeApi::new(key.get().await?, self.api_base.as_deref())
            })
            .await?;
        Ok(Some(api))
    }
}

/// The webhook endpoint's signing secret, a [`Secret`] read from SSM when the first webhook needs it;
/// none where Stripe is not configured.
pub struct WebhookSecret(Option<Secret>);

impl WebhookSecret {
    /// Through `ssm`, from the parameter the configuration names.
    pub fn new(config: &Config, ssm: LazyClient<aws_sdk_ssm::Client>) -> Self {
        Self(
            config
                .billing
                .as_ref()
                .map(|billing| Secret::new(ssm, &billing.webhook_secret_parameter)),
        )
    }

    /// The secret; `None` where Stripe is not configured. A failed read is tried again next time.
    pub async fn get(&self) -> Result<Option<&str>, BoxError> {
        match &self.0 {
            Some(secret) => secret.get().await.map(Some),
            None => Ok(None),
        }
    }
}
