//! The Stripe API calls Confide makes. Each carries only ids and URLs: the tenant's id as metadata and
//! `client_reference_id`, never a name, an email or anything a person typed.

use crate::domain::TenantId;
use crate::error::BoxError;
use std::time::Duration;
use stripe::{Client, ClientBuilder, RequestStrategy, StripeRequest};
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_checkout::checkout_session::{CreateCheckoutSession, CreateCheckoutSessionLineItems};
use stripe_core::customer::CreateCustomer;

/// Stripe answers within a few seconds or not at all; API routes have 10 s in all.
const CALL_TIMEOUT: Duration = Duration::from_secs(6);

/// What Confide reads of an object Stripe created: its id, or the URL to send the browser to.
///
/// Stripe's answers are read into these rather than into the crates' full `Customer` or
/// `CheckoutSession` types, whose generated deserializers (every nested object Stripe may expand)
/// are most of what the Stripe crates add to the billing function's binary. Unknown fields are
/// ignored; a missing one is an error.
#[derive(miniserde::Deserialize)]
struct Created {
    id: String,
}

#[derive(miniserde::Deserialize)]
struct Redirect {
    url: Option<String>,
}

/// A Stripe client for one deployment's account.
#[derive(Clone)]
pub struct StripeApi {
    client: Client,
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

impl StripeApi {
    /// `api_base` replaces `https://api.stripe.com/` (a local stand-in in tests).
    pub fn new(secret_key: &str, api_base: Option<&str>) -> Result<Self, BoxError> {
        // Stripe's connector takes the process-wide rustls provider, which cannot be inferred while
        // both aws-lc-rs (AWS SDK) and ring (reqwest) are linked. An error means one is already set.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let mut builder = ClientBuilder::new(secret_key)
            .timeout(CALL_TIMEOUT)
            .app_info("Confide", None, None);
        if let Some(base) = api_base {
            builder = builder.url(format!("{}/", base.trim_end_matches('/')));
        }
        Ok(Self {
            client: builder.build()?,
        })
    }

    /// Creates the tenant's Stripe customer. The idempotency key is the tenant's, so two concurrent
    /// first checkouts get the same customer back from Stripe instead of two.
    pub async fn create_customer(&self, tenant: &TenantId) -> Result<String, BoxError> {
        let key = stripe::IdempotencyKey::new(format!("confide-customer-{tenant}"))?;
        let customer: Created = CreateCustomer::new()
            .metadata([("tenant_id".to_owned(), tenant.to_string())])
            .build()
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key))
            .send(&self.client)
            .await?;
        Ok(customer.id)
    }

    /// A Checkout Session for a subscription to one price; its URL.
    pub async fn checkout_session(&self, request: CheckoutRequest<'_>) -> Result<String, BoxError> {
        let mut item = CreateCheckoutSessionLineItems::new();
        item.price = Some(request.price.to_owned());
        item.quantity = Some(1);
        let session: Redirect = CreateCheckoutSession::new()
            .mode(stripe_shared::CheckoutSessionMode::Subscription)
            .customer(request.customer)
            .client_reference_id(request.tenant.to_string())
            .line_items(vec![item])
            .success_url(request.success_url)
            .cancel_url(request.cancel_url)
            .build()
            .customize()
            .send(&self.client)
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
        let session: Redirect = CreateBillingPortalSession::new()
            .customer(customer)
            .return_url(return_url)
            .build()
            .customize()
            .send(&self.client)
            .await?;
        session
            .url
            .ok_or_else(|| "Stripe returned a Billing Portal session without a URL".into())
    }
}
