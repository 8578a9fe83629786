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
use api::StripeApi;

/// The Stripe client of a deployment that bills its tenants: its API key read from SSM when the first
/// request needs it (a cold start does not wait on it), then kept. A failed read is tried again next
/// time.
pub struct Connection {
    ssm: LazyClient<aws_sdk_ssm::Client>,
    api: tokio::sync::OnceCell<Option<StripeApi>>,
}

impl Connection {
    pub fn from_ssm(ssm: LazyClient<aws_sdk_ssm::Client>) -> Self {
        Self {
            ssm,
            api: tokio::sync::OnceCell::new(),
        }
    }

    /// The client; `None` where the configuration names no API key.
    pub async fn api(&self, config: &Config) -> Result<Option<&StripeApi>, BoxError> {
        let api = self
            .api
            .get_or_try_init(|| async {
                let Some(billing) = &config.billing else {
                    return Ok::<_, BoxError>(None);
                };
                let Some(parameter) = &billing.api_key_parameter else {
                    return Ok(None);
                };
                let key = crate::secrets::parameter(self.ssm.get(), parameter).await?;
                Ok(Some(StripeApi::new(&key, billing.api_base.as_deref())?))
            })
            .await?;
        Ok(api.as_ref())
    }
}

/// The webhook endpoint's signing secret: read from SSM when the first webhook needs it, not while the
/// function starts (a cold start should not wait on a parameter it may not use), then kept.
pub struct WebhookSecret {
    ssm: LazyClient<aws_sdk_ssm::Client>,
    value: tokio::sync::OnceCell<Option<String>>,
}

impl WebhookSecret {
    /// Read through `ssm` from the parameter the configuration names, on first use.
    pub fn from_ssm(ssm: LazyClient<aws_sdk_ssm::Client>) -> Self {
        Self {
            ssm,
            value: tokio::sync::OnceCell::new(),
        }
    }

    /// The secret; `None` where Stripe is not configured. A failed read is tried again next time.
    pub async fn get(&self, config: &Config) -> Result<Option<&str>, BoxError> {
        let value = self
            .value
            .get_or_try_init(|| async {
                match &config.billing {
                    Some(billing) => Ok::<_, BoxError>(Some(
                        crate::secrets::parameter(
                            self.ssm.get(),
                            &billing.webhook_secret_parameter,
                        )
                        .await?,
                    )),
                    None => Ok(None),
                }
            })
            .await?;
        Ok(value.as_deref())
    }
}
