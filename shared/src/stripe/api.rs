//! The Stripe API calls Confide makes. Each carries only ids and URLs: the tenant's id as metadata and
//! `client_reference_id`, never a name, an email or anything a person typed.
//!
//! Three form-encoded POSTs do not need a Stripe SDK: the `async-stripe` crates brought their own HTTP
//! and TLS stack and generated types for every parameter and object of these endpoints: 5 MB of the
//! billing function's binary (24.1 → 19.1 MB). What is read back is the created object's id or URL, nothing else.

use super::API_VERSION;
use crate::domain::TenantId;
use crate::error::BoxError;
use serde::Deserialize;
use std::time::Duration;

/// Stripe answers within a few seconds or not at all; API routes have 10 s in all.
const CALL_TIMEOUT: Duration = Duration::from_secs(6);

const STRIPE_API: &str = "https://api.stripe.com";

/// A Stripe client for one deployment's account.
#[derive(Clone)]
pub struct StripeApi {
    http: reqwest::Client,
    secret_key: String,
    base: String,
}

/// What a tenant is about to buy at Checkout, and where Stripe sends the browser afterwards.
#[derive(Debug, Clone)]
pub struct CheckoutRequest<'a> {
    pub customer: &'a str,
    pub tenant: &'a TenantId,
    pub price: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct Redirect {
    url: Option<String>,
}

/// Stripe's error body; its `message` may quote what was sent, so only type and code are kept.
#[derive(Deserialize)]
struct ErrorBody {
    error: StripeError,
}

#[derive(Deserialize)]
struct StripeError {
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<String>,
}

impl StripeApi {
    /// `api_base` replaces `https://api.stripe.com` (a local stand-in in tests).
    pub fn new(secret_key: &str, api_base: Option<&str>) -> Result<Self, BoxError> {
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .user_agent(concat!("Confide/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            secret_key: secret_key.to_owned(),
            base: api_base
                .unwrap_or(STRIPE_API)
                .trim_end_matches('/')
                .to_owned(),
        })
    }

    /// Creates the tenant's Stripe customer. The idempotency key is the tenant's, so two concurrent
    /// first checkouts get the same customer back from Stripe instead of two.
    pub async fn create_customer(&self, tenant: &TenantId) -> Result<String, BoxError> {
        let idempotency_key = format!("confide-customer-{tenant}");
        let customer: Created = self
            .post(
                "/v1/customers",
                &[("metadata[tenant_id]", &tenant.to_string())],
                Some(&idempotency_key),
            )
            .await?;
        Ok(customer.id)
    }

    /// A Checkout Session for a subscription to one price; its URL.
    pub async fn checkout_session(&self, request: CheckoutRequest<'_>) -> Result<String, BoxError> {
        let session: Redirect = self
            .post(
                "/v1/checkout/sessions",
                &[
                    ("mode", "subscription"),
                    ("customer", request.customer),
                    ("client_reference_id", &request.tenant.to_string()),
                    ("line_items[0][price]", request.price),
                    ("line_items[0][quantity]", "1"),
                    ("success_url", request.success_url),
                    ("cancel_url", request.cancel_url),
                ],
                None,
            )
            .await?;
        session
            .url
            .ok_or_else(|| "Stripe returned a Checkout Session without a URL".into())
    }

    /// A Billing Portal session for the customer; its URL.
    pub async fn portal_session(
        &self,
        customer: &str,
        return_url: &str,
    ) -> Result<String, BoxError> {
        let session: Redirect = self
            .post(
                "/v1/billing_portal/sessions",
                &[("customer", customer), ("return_url", return_url)],
                None,
            )
            .await?;
        session
            .url
            .ok_or_else(|| "Stripe returned a Billing Portal session without a URL".into())
    }

    /// One form-encoded POST at the pinned API version; the answer read as `T`, or Stripe's error
    /// type and code.
    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        form: &[(&str, &str)],
        idempotency_key: Option<&str>,
    ) -> Result<T, BoxError> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.secret_key)
            .header("Stripe-Version", API_VERSION)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body);
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        if !status.is_success() {
            let (kind, code) = serde_json::from_slice::<ErrorBody>(&bytes)
                .map(|body| (body.error.kind, body.error.code))
                .unwrap_or_default();
            return Err(format!(
                "Stripe answered {path} with {status} ({}, {})",
                kind.as_deref().unwrap_or("no type"),
                code.as_deref().unwrap_or("no code"),
            )
            .into());
        }
        Ok(serde_json::from_slice(&bytes)?)
    }
}
