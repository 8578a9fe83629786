//! Stripe, through the `async-stripe` 1.0 crates: the webhook's signed events, and the few API calls
//! Confide makes (a customer per tenant, Checkout and Billing Portal sessions). Card data never passes
//! through Confide: Stripe's hosted pages collect it.

pub mod api;
pub mod webhook;

use crate::config::Config;
use crate::error::BoxError;
use api::StripeApi;

/// The Stripe client of a deployment that bills its tenants, its key read from SSM once; `None` where
/// no API key is configured.
pub async fn connect(
    config: &Config,
    ssm: &aws_sdk_ssm::Client,
) -> Result<Option<StripeApi>, BoxError> {
    let Some(billing) = &config.billing else {
        return Ok(None);
    };
    let Some(parameter) = &billing.api_key_parameter else {
        return Ok(None);
    };
    let key = crate::secrets::parameter(ssm, parameter).await?;
    Ok(Some(StripeApi::new(&key, billing.api_base.as_deref())?))
}

/// The webhook endpoint's signing secret, read from SSM once; `None` where Stripe is not configured.
pub async fn webhook_secret(
    config: &Config,
    ssm: &aws_sdk_ssm::Client,
) -> Result<Option<String>, BoxError> {
    match &config.billing {
        Some(billing) => Ok(Some(
            crate::secrets::parameter(ssm, &billing.webhook_secret_parameter).await?,
        )),
        None => Ok(None),
    }
}
