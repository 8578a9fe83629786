//! Plans, their limits, and a tenant's subscription as Stripe reports it.
//!
//! The limits of every plan are defined here and nowhere else; a deployment only maps plans to its
//! Stripe price ids. A tenant whose subscription does not grant its plan (canceled, unpaid, none) gets
//! the free plan's limits.

use super::InvalidField;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    Free,
    Starter,
    Business,
}

/// What a plan allows; per calendar month where the name says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Limits {
    pub seats: u64,
    pub analyses_per_month: u64,
    pub ai_tokens_per_month: u64,
    pub messages_per_month: u64,
    pub contacts: u64,
}

/// Something a plan limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metered {
    Seats,
    AnalysesPerMonth,
    AiTokensPerMonth,
    MessagesPerMonth,
    Contacts,
}

/// Accepting the work would go over the plan: answered with 402 and these numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("your plan allows {limit} {what}; {used} are used", what = self.metered.noun())]
pub struct LimitReached {
    pub metered: Metered,
    pub limit: u64,
    pub used: u64,
}

impl Metered {
    /// As the API and the metrics name it: `analyses_per_month`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Seats => "seats",
            Self::AnalysesPerMonth => "analyses_per_month",
            Self::AiTokensPerMonth => "ai_tokens_per_month",
            Self::MessagesPerMonth => "messages_per_month",
            Self::Contacts => "contacts",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Self::Seats => "members",
            Self::AnalysesPerMonth => "analyses a month",
            Self::AiTokensPerMonth => "AI tokens a month",
            Self::MessagesPerMonth => "messages a month",
            Self::Contacts => "contacts",
        }
    }
}

impl Plan {
    pub const ALL: [Plan; 3] = [Plan::Free, Plan::Starter, Plan::Business];

    pub fn parse(raw: &str) -> Result<Self, InvalidField> {
        serde_json::from_value(serde_json::Value::String(raw.to_owned()))
            .map_err(|_| InvalidField::new("plan", "must be free, starter or business"))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Starter => "starter",
            Self::Business => "business",
        }
    }

    /// The one table of limits.
    pub fn limits(self) -> Limits {
        match self {
            Self::Free => Limits {
                seats: 2,
                analyses_per_month: 10,
                ai_tokens_per_month: 100_000,
                messages_per_month: 100,
                contacts: 100,
            },
            Self::Starter => Limits {
                seats: 5,
                analyses_per_month: 100,
                ai_tokens_per_month: 2_000_000,
                messages_per_month: 2_000,
                contacts: 2_000,
            },
            Self::Business => Limits {
                seats: 25,
                analyses_per_month: 1_000,
                ai_tokens_per_month: 20_000_000,
                messages_per_month: 20_000,
                contacts: 50_000,
            },
        }
    }
}

impl Limits {
    pub fn of(&self, metered: Metered) -> u64 {
        match metered {
            Metered::Seats => self.seats,
            Metered::AnalysesPerMonth => self.analyses_per_month,
            Metered::AiTokensPerMonth => self.ai_tokens_per_month,
            Metered::MessagesPerMonth => self.messages_per_month,
            Metered::Contacts => self.contacts,
        }
    }

    /// Whether `adding` more of `metered` fits beside `used`.
    pub fn admit(&self, metered: Metered, used: u64, adding: u64) -> Result<(), LimitReached> {
        let limit = self.of(metered);
        if used.saturating_add(adding) <= limit {
            Ok(())
        } else {
            Err(LimitReached {
                metered,
                limit,
                used,
            })
        }
    }
}

/// A Stripe subscription's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Incomplete,
    IncompleteExpired,
    Trialing,
    Active,
    PastDue,
    Unpaid,
    Paused,
    Canceled,
}

impl SubscriptionStatus {
    /// The status as Stripe and the API spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incomplete => "incomplete",
            Self::IncompleteExpired => "incomplete_expired",
            Self::Trialing => "trialing",
            Self::Active => "active",
            Self::PastDue => "past_due",
            Self::Unpaid => "unpaid",
            Self::Paused => "paused",
            Self::Canceled => "canceled",
        }
    }

    /// Whether the subscription's plan applies. Past due keeps it during Stripe's payment retries.
    pub fn grants_plan(self) -> bool {
        matches!(self, Self::Trialing | Self::Active | Self::PastDue)
    }

    /// A state a subscription never leaves.
    fn is_final(self) -> bool {
        matches!(self, Self::Canceled | Self::IncompleteExpired)
    }

    /// Where a status lies in a subscription's life, for events of the same second.
    fn stage(self) -> u8 {
        match self {
            Self::Incomplete => 0,
            Self::Trialing => 1,
            Self::Active => 2,
            Self::PastDue => 3,
            Self::Paused => 3,
            Self::Unpaid => 4,
            Self::IncompleteExpired | Self::Canceled => 5,
        }
    }
}

/// A tenant's subscription as the webhooks told us, with when Stripe said so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub stripe_subscription_id: String,
    pub plan: Plan,
    pub status: SubscriptionStatus,
    pub current_period_start: Option<i64>,
    pub current_period_end: Option<i64>,
    /// The subscription's own creation time (unix seconds).
    pub created: i64,
    /// `created` of the Stripe event this state came from.
    pub as_of: i64,
}

impl Subscription {
    /// Whether `incoming` may replace `self`: Stripe delivers events more than once and out of order, so
    /// arrival order means nothing. A newer subscription replaces an older one; for the same subscription
    /// a final state (canceled) is never undone, a later event wins, and within one second the later stage
    /// of a subscription's life wins.
    pub fn superseded_by(&self, incoming: &Subscription) -> bool {
        if incoming.stripe_subscription_id != self.stripe_subscription_id {
            return incoming.created >= self.created;
        }
        if self.status.is_final() {
            return false;
        }
        match incoming.as_of.cmp(&self.as_of) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => incoming.status.stage() > self.status.stage(),
        }
    }
}

/// The plan whose limits apply to a tenant.
pub fn effective_plan(subscription: Option<&Subscription>) -> Plan {
    match subscription {
        Some(s) if s.status.grants_plan() => s.plan,
        _ => Plan::Free,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_is_spelled_as_stripe_and_the_api_spell_it() {
        use SubscriptionStatus::*;
        for status in [
            Incomplete,
            IncompleteExpired,
            Trialing,
            Active,
            PastDue,
            Unpaid,
            Paused,
            Canceled,
        ] {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::Value::from(status.as_str())
            );
        }
    }

    const EVERY_METERED: [Metered; 5] = [
        Metered::Seats,
        Metered::AnalysesPerMonth,
        Metered::AiTokensPerMonth,
        Metered::MessagesPerMonth,
        Metered::Contacts,
    ];

    /// Metric dimensions use `as_str`; it must name each limit as the API does.
    #[test]
    fn a_limits_name_is_the_one_the_api_writes() {
        for metered in EVERY_METERED {
            assert_eq!(serde_json::to_value(metered).unwrap(), metered.as_str());
        }
    }

    fn sub(id: &str, status: SubscriptionStatus, created: i64, as_of: i64) -> Subscription {
        Subscription {
            stripe_subscription_id: id.into(),
            plan: Plan::Starter,
            status,
            current_period_start: None,
            current_period_end: None,
            created,
            as_of,
        }
    }

    #[test]
    fn limits_admit_up_to_the_limit_and_say_which_was_hit() {
        let free = Plan::Free.limits();
        assert_eq!(free.admit(Metered::AnalysesPerMonth, 9, 1), Ok(()));
        let reached = free.admit(Metered::AnalysesPerMonth, 10, 1).unwrap_err();
        assert_eq!(
            reached,
            LimitReached {
                metered: Metered::AnalysesPerMonth,
                limit: 10,
                used: 10
            }
        );
        assert_eq!(
            reached.to_string(),
            "your plan allows 10 analyses a month; 10 are used"
        );
        assert!(
            free.admit(Metered::Seats, u64::MAX, 1).is_err(),
            "no overflow"
        );
        for plan in [Plan::Starter, Plan::Business] {
            for metered in EVERY_METERED {
                assert!(
                    plan.limits().of(metered) > Plan::Free.limits().of(metered),
                    "{plan:?} gives more {metered:?} than free"
                );
            }
        }
    }

    #[test]
    fn only_live_subscriptions_grant_their_plan() {
        use SubscriptionStatus::*;
        for (status, plan) in [
            (Trialing, Plan::Starter),
            (Active, Plan::Starter),
            (PastDue, Plan::Starter),
            (Unpaid, Plan::Free),
            (Canceled, Plan::Free),
            (Incomplete, Plan::Free),
            (Paused, Plan::Free),
        ] {
            assert_eq!(
                effective_plan(Some(&sub("s1", status, 0, 0))),
                plan,
                "{status:?}"
            );
        }
        assert_eq!(effective_plan(None), Plan::Free);
    }

    #[test]
    fn older_states_never_overwrite_newer_ones() {
        use SubscriptionStatus::*;
        let active = sub("s1", Active, 100, 200);
        assert!(
            active.superseded_by(&sub("s1", PastDue, 100, 300)),
            "a later event"
        );
        assert!(
            !active.superseded_by(&sub("s1", Trialing, 100, 150)),
            "an older event arriving late"
        );
        assert!(
            !active.superseded_by(&sub("s1", Trialing, 100, 200)),
            "same second, earlier stage"
        );
        assert!(
            active.superseded_by(&sub("s1", Canceled, 100, 200)),
            "same second, later stage"
        );
        let canceled = sub("s1", Canceled, 100, 200);
        assert!(
            !canceled.superseded_by(&sub("s1", Active, 100, 999)),
            "canceled is final"
        );
        assert!(
            canceled.superseded_by(&sub("s2", Active, 500, 500)),
            "a new subscription"
        );
        assert!(
            !active.superseded_by(&sub("s0", Active, 50, 999)),
            "an older subscription's event"
        );
    }
}
