//! Deployment configuration, read once at cold start.

use crate::domain::billing::Plan;
use crate::domain::personal_data::Subprocessor;
use crate::domain::tenant::DataRegion;
use crate::genai::registry::Providers;
use std::time::Duration;

/// Names of the resources `template.yaml` declares, plus deployment choices.
#[derive(Debug, Clone)]
pub struct Config {
    pub stage: String,
    pub data_region: DataRegion,
    /// The AWS region the deployment runs in (`AWS_REGION`, which Lambda sets).
    pub aws_region: String,
    pub table: String,
    pub key_store_table: String,
    pub root_key_arn: String,
    pub user_pool_id: String,
    pub user_pool_client_id: String,
    pub invites: InviteDelivery,
    /// The bucket for results, artefacts and exports.
    pub bucket: String,
    pub analysis_queue_url: String,
    pub analysis_dead_letter_queue_url: String,
    pub providers: Providers,
    pub jobs: JobSettings,
    /// The plan every tenant runs on while this deployment has no billing configured.
    pub plan_without_billing: Plan,
    /// Stripe webhooks and, when this deployment bills its tenants, the API key's parameter.
    pub billing: Option<BillingSettings>,
    pub messaging: MessagingSettings,
}

/// How messages reach contacts: the queue the worker sends from, the URL providers call back, and
/// where their APIs are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagingSettings {
    pub queue_url: String,
    /// The public base URL of the API (`PublicApiUrl`): webhook URLs shown to tenants, the URL Twilio
    /// signatures are checked against, and unsubscribe links start with it.
    pub public_url: String,
    /// `https://api.twilio.com` unless a local stand-in replaces it.
    pub twilio_api_base: String,
    /// `https://api.sendgrid.com` unless a local stand-in replaces it.
    pub sendgrid_api_base: String,
    /// Campaign messages a tenant sends per second (Twilio's long-code limit is 1).
    pub campaign_rate: u32,
    /// SSM SecureString parameter with the key unsubscribe links are signed with.
    pub unsubscribe_secret_parameter: String,
}

impl MessagingSettings {
    pub const DEFAULT_PUBLIC_URL: &'static str = "http://127.0.0.1:3000";

    fn from_env() -> Result<Self, ConfigError> {
        let var =
            |name: &str| std::env::var(name).map_err(|_| ConfigError(format!("{name} is not set")));
        let or = |name: &str, default: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        let campaign_rate = or("CONFIDE_CAMPAIGN_SEND_RATE", "1")
            .parse::<u32>()
            .ok()
            .filter(|r| (1..=100).contains(r))
            .ok_or_else(|| ConfigError("CONFIDE_CAMPAIGN_SEND_RATE must be 1 to 100".into()))?;
        Ok(Self {
            queue_url: var("CONFIDE_MESSAGING_QUEUE_URL")?,
            public_url: or("CONFIDE_PUBLIC_URL", Self::DEFAULT_PUBLIC_URL)
                .trim_end_matches('/')
                .to_owned(),
            twilio_api_base: or(
                "CONFIDE_TWILIO_API_BASE",
                crate::twilio::api::DEFAULT_API_BASE,
            ),
            sendgrid_api_base: or(
                "CONFIDE_SENDGRID_API_BASE",
                crate::sendgrid::DEFAULT_API_BASE,
            ),
            campaign_rate,
            unsubscribe_secret_parameter: var("CONFIDE_UNSUBSCRIBE_SECRET_PARAMETER")?,
        })
    }

    /// The two URLs a tenant pastes into Twilio's console for a channel.
    pub fn twilio_webhook_urls(&self, channel: &crate::domain::ChannelId) -> (String, String) {
        let base = format!("{}/webhooks/twilio/{channel}", self.public_url);
        (format!("{base}/messages"), format!("{base}/status"))
    }
}

/// How this deployment talks to Stripe. Secrets are named here, not held: they are read from SSM by
/// the first request that needs them (see [`crate::secrets`], [`crate::stripe::Connection`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingSettings {
    /// SSM SecureString parameter holding the webhook endpoint's signing secret (`whsec_…`).
    pub webhook_secret_parameter: String,
    /// SSM SecureString parameter holding the Stripe secret key. Without one (the local default)
    /// tenants run on `plan_without_billing`, Checkout and the portal answer 503, and webhooks are still
    /// verified and recorded.
    pub api_key_parameter: Option<String>,
    /// Stripe price id → the plan it sells.
    pub prices: std::collections::HashMap<String, Plan>,
    /// The web app's billing page: Checkout returns here with `?checkout=success|canceled`, the portal
    /// with nothing added.
    pub return_url: String,
    /// Replaces `https://api.stripe.com` (a local stand-in).
    pub api_base: Option<String>,
}

impl BillingSettings {
    /// `prices_json` as the deployment lists them: `{"starter": "price_…", "business": "price_…"}`.
    pub fn new(
        webhook_secret_parameter: String,
        api_key_parameter: Option<String>,
        prices_json: Option<&str>,
        return_url: String,
    ) -> Result<Self, ConfigError> {
        let by_plan: std::collections::HashMap<String, String> = match prices_json {
            None | Some("") => Default::default(),
            Some(raw) => serde_json::from_str(raw)
                .map_err(|e| ConfigError(format!("CONFIDE_STRIPE_PRICES: {e}")))?,
        };
        let mut prices = std::collections::HashMap::new();
        for (plan, price) in by_plan {
            let plan = Plan::parse(&plan)
                .map_err(|e| ConfigError(format!("CONFIDE_STRIPE_PRICES: {e}")))?;
            if plan == Plan::Free {
                return Err(ConfigError(
                    "CONFIDE_STRIPE_PRICES: free is not sold".into(),
                ));
            }
            prices.insert(price, plan);
        }
        Ok(Self {
            webhook_secret_parameter,
            api_key_parameter: api_key_parameter.filter(|p| !p.is_empty()),
            prices,
            return_url,
            api_base: None,
        })
    }

    /// The Stripe price that sells `plan` on this deployment.
    pub fn price_of(&self, plan: Plan) -> Option<&str> {
        self.prices
            .iter()
            .find(|(_, sold)| **sold == plan)
            .map(|(price, _)| price.as_str())
    }
}

/// How the analysis worker spends its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobSettings {
    /// Time a job may spend on provider calls and retries; below the function timeout, so a job gives
    /// itself back before Lambda stops it.
    pub budget: Duration,
    /// How long a claim holds beyond the budget (storing the result).
    pub lease_margin: Duration,
    /// The longest a single provider call may take.
    pub call_timeout: Duration,
    /// The first backoff before a retry; it doubles, with jitter.
    pub first_backoff: Duration,
    /// The queue's `maxReceiveCount`: on that delivery a job that still fails is marked failed.
    pub max_receives: u32,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            budget: Duration::from_secs(120),
            lease_margin: Duration::from_secs(30),
            call_timeout: Duration::from_secs(90),
            first_backoff: Duration::from_millis(500),
            max_receives: 3,
        }
    }
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
    /// Whether tenants' plans follow their Stripe subscriptions (an API key is configured).
    pub fn bills_tenants(&self) -> bool {
        self.billing
            .as_ref()
            .is_some_and(|b| b.api_key_parameter.is_some())
    }

    /// Who receives the tenants' personal data on this deployment: AWS always, Stripe when billing is
    /// on, Twilio and SendGrid through a tenant's own connected account, each GenAI provider listed
    /// (not the offline one, which runs inside the worker).
    pub fn subprocessors(&self) -> Vec<Subprocessor> {
        let entry = |name: &str, purpose: &str, location: String, when: &str| Subprocessor {
            name: name.to_owned(),
            purpose: purpose.to_owned(),
            location,
            when: when.to_owned(),
        };
        let mut all = vec![entry(
            "Amazon Web Services",
            "hosting: functions, database, storage, queues, keys, sign-in",
            format!("{} ({})", self.aws_region, self.data_region.label()),
            "always",
        )];
        if self.billing.is_some() {
            all.push(entry(
                "Stripe",
                "subscription payments; card data goes to Stripe only, never to Confide",
                "US and EU".to_owned(),
                "when the tenant subscribes to a plan",
            ));
        }
        all.push(entry(
            "Twilio",
            "SMS and WhatsApp messages to and from the tenant's customers",
            "US".to_owned(),
            "when the tenant connects its own Twilio account",
        ));
        all.push(entry(
            "Twilio SendGrid",
            "email to the tenant's customers",
            "US".to_owned(),
            "when the tenant connects its own SendGrid sender",
        ));
        for spec in self.providers.specs() {
            if spec.api == crate::genai::registry::Api::Offline {
                continue;
            }
            let host = spec
                .base_url
                .as_deref()
                .and_then(|url| url.split("//").nth(1))
                .and_then(|rest| rest.split('/').next())
                .unwrap_or("the vendor's public endpoint");
            all.push(entry(
                &format!(
                    "GenAI provider {} ({:?}, {})",
                    spec.name, spec.api, spec.model
                ),
                &format!("AI analyses, minimised and pseudonymised first; via {host}"),
                if spec.eu_resident {
                    "EU"
                } else {
                    "outside the EU"
                }
                .to_owned(),
                "when an analysis of the tenant's runs on it",
            ));
        }
        all
    }

    /// Reads the variables `template.yaml` sets on every function.
    pub fn from_env() -> Result<Self, ConfigError> {
        let var =
            |name: &str| std::env::var(name).map_err(|_| ConfigError(format!("{name} is not set")));
        let region = var("CONFIDE_DATA_REGION")?;
        Ok(Self {
            stage: var("CONFIDE_STAGE")?,
            data_region: DataRegion::parse(&region)
                .map_err(|e| ConfigError(format!("CONFIDE_DATA_REGION {e}")))?,
            aws_region: var("AWS_REGION")?,
            table: var("CONFIDE_TABLE")?,
            key_store_table: var("CONFIDE_KEY_STORE_TABLE")?,
            root_key_arn: var("CONFIDE_ROOT_KEY_ARN")?,
            user_pool_id: var("CONFIDE_USER_POOL_ID")?,
            user_pool_client_id: var("CONFIDE_USER_POOL_CLIENT_ID")?,
            invites: match std::env::var("CONFIDE_INVITE_DELIVERY").as_deref() {
                Ok("response") => InviteDelivery::InResponse,
                _ => InviteDelivery::CognitoEmail,
            },
            bucket: var("CONFIDE_BUCKET")?,
            analysis_queue_url: var("CONFIDE_ANALYSIS_QUEUE_URL")?,
            analysis_dead_letter_queue_url: var("CONFIDE_ANALYSIS_DLQ_URL")?,
            providers: Providers::parse(
                std::env::var("CONFIDE_GENAI_PROVIDERS").ok().as_deref(),
                std::env::var("CONFIDE_GENAI_DEFAULT_PROVIDER")
                    .ok()
                    .as_deref(),
            )
            .map_err(|e| ConfigError(e.to_string()))?,
            jobs: JobSettings::from_env()?,
            plan_without_billing: match std::env::var("CONFIDE_PLAN_WITHOUT_BILLING") {
                Ok(raw) => Plan::parse(&raw)
                    .map_err(|e| ConfigError(format!("CONFIDE_PLAN_WITHOUT_BILLING {e}")))?,
                Err(_) => Plan::Business,
            },
            billing: match std::env::var("CONFIDE_STRIPE_WEBHOOK_SECRET_PARAMETER") {
                Ok(parameter) if !parameter.is_empty() => Some(BillingSettings {
                    api_base: std::env::var("CONFIDE_STRIPE_API_BASE").ok(),
                    ..BillingSettings::new(
                        parameter,
                        std::env::var("CONFIDE_STRIPE_API_KEY_PARAMETER").ok(),
                        std::env::var("CONFIDE_STRIPE_PRICES").ok().as_deref(),
                        var("CONFIDE_BILLING_RETURN_URL")?,
                    )?
                }),
                _ => None,
            },
            messaging: MessagingSettings::from_env()?,
        })
    }
}

impl JobSettings {
    fn from_env() -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let number = |name: &str| -> Result<Option<u64>, ConfigError> {
            std::env::var(name)
                .ok()
                .map(|raw| {
                    raw.parse::<u64>()
                        .map_err(|_| ConfigError(format!("{name} must be a whole number")))
                })
                .transpose()
        };
        Ok(Self {
            budget: number("CONFIDE_ANALYSIS_BUDGET_SECONDS")?
                .map_or(defaults.budget, Duration::from_secs),
            max_receives: number("CONFIDE_ANALYSIS_MAX_RECEIVES")?
                .map_or(Ok(defaults.max_receives), u32::try_from)
                .map_err(|_| ConfigError("CONFIDE_ANALYSIS_MAX_RECEIVES is too large".into()))?,
            ..defaults
        })
    }
}
