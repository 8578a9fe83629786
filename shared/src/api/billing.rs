//! The tenant's plan and subscription; Stripe's webhook.

use crate::domain::billing::{Limits, Plan, SubscriptionStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `GET /v1/billing`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BillingView {
    /// Whether this deployment bills through Stripe.
    pub configured: bool,
    /// The plan in force.
    pub plan: Plan,
    pub status: Option<SubscriptionStatus>,
    pub current_period: Option<BillingPeriod>,
    /// `YYYY-MM`: the month `usage` counts.
    pub month: String,
    pub limits: Limits,
    pub usage: BillingUsage,
}

/// Unix seconds, as Stripe gives them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BillingPeriod {
    pub start: Option<i64>,
    pub end: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BillingUsage {
    pub seats: u64,
    pub analyses_per_month: u64,
    pub ai_tokens_per_month: u64,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    #[schema(value_type = Plan)]
    pub plan: String,
}

/// Where to send the browser: a Stripe Checkout or Billing Portal page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Redirect {
    pub url: String,
}

/// What the webhook answers Stripe.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookReceipt {
    pub received: bool,
    pub outcome: WebhookOutcome,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookOutcome {
    Applied,
    Recorded,
    Duplicate,
    Ignored,
    Stale,
}

impl WebhookOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Recorded => "recorded",
            Self::Duplicate => "duplicate",
            Self::Ignored => "ignored",
            Self::Stale => "stale",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Metric dimensions use `as_str`; it must name each outcome as the webhook's answer does.
    #[test]
    fn an_outcomes_name_is_the_one_the_answer_writes() {
        for outcome in [
            WebhookOutcome::Applied,
            WebhookOutcome::Recorded,
            WebhookOutcome::Duplicate,
            WebhookOutcome::Ignored,
            WebhookOutcome::Stale,
        ] {
            assert_eq!(serde_json::to_value(outcome).unwrap(), outcome.as_str());
        }
    }
}
