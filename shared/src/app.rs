//! Everything a function needs, built once at cold start and lent to every request.

use crate::audit::{self, AuditHeads};
use crate::auth::{resolve_caller, Caller};
use crate::aws::LazyClient;
use crate::config::Config;
use crate::domain::audit::{AuditAction, AuditEvent, AuditTarget};
use crate::domain::billing::{effective_plan, Limits};
use crate::domain::{TenantId, UserId};
use crate::encryption::{TenantCrypto, TenantKeys};
use crate::error::{ApiError, BoxError};
use crate::http::RequestInfo;
use crate::identity::Identity;
use crate::jobs::JobQueue;
use crate::messaging::MessagingQueue;
use crate::objects::ObjectStore;
use crate::outbound::Outbound;
use crate::store::Store;

pub struct App {
    pub config: Config,
    pub store: Store,
    pub identity: Identity,
    pub tenant_keys: TenantKeys,
    /// Tenant objects in S3, sealed under the tenant's key.
    pub objects: ObjectStore,
    /// The analysis queue (ids only).
    pub jobs: JobQueue,
    /// The messaging queue (ids only).
    pub messaging: MessagingQueue,
    /// SSM Parameter Store, where secrets live ([`crate::secrets`]); built when first read.
    pub ssm: LazyClient<aws_sdk_ssm::Client>,
    /// The audit chain heads this instance knows.
    pub audit_heads: AuditHeads,
    /// The HTTP client for calls out of AWS, made by the first one.
    pub outbound: Outbound,
}

impl App {
    /// For Lambda: configuration from the environment the template sets, AWS clients from the
    /// default chain (which honours `AWS_ENDPOINT_URL` locally).
    pub async fn from_env() -> Result<Self, BoxError> {
        let config = Config::from_env()?;
        Self::new(config, &crate::aws::sdk_config().await).await
    }

    /// Builds nothing that needs the network or the DB-ESDK: the table's encrypting client, the
    /// keyring and the key store are built by the first request that reaches tenant data
    /// ([`TenantCrypto`]); S3, SQS, Cognito and SSM clients when a handler first calls them.
    pub async fn new(config: Config, sdk: &aws_config::SdkConfig) -> Result<Self, BoxError> {
        crate::metrics::set_stage(&config.stage);
        let crypto = TenantCrypto::new(sdk, &config);
        Ok(Self {
            store: Store::new(crypto.clone(), &config.table),
            objects: ObjectStore::new(
                LazyClient::new(sdk, crate::aws::s3),
                &config.bucket,
                &config.root_key_arn,
                crypto.clone(),
            ),
            jobs: JobQueue::new(
                LazyClient::new(sdk, crate::aws::sqs),
                &config.analysis_queue_url,
                &config.analysis_dead_letter_queue_url,
            ),
            messaging: MessagingQueue::new(
                LazyClient::new(sdk, crate::aws::sqs),
                &config.messaging.queue_url,
            ),
            identity: Identity::new(
                LazyClient::new(sdk, crate::aws::cognito),
                &config.user_pool_id,
                &config.user_pool_client_id,
            ),
            tenant_keys: TenantKeys::new(&crypto),
            ssm: LazyClient::new(sdk, crate::aws::ssm),
            audit_heads: AuditHeads::default(),
            outbound: Outbound::default(),
            config,
        })
    }

    /// For a function whose requests mostly compute beacons (contacts): each tenant's beacon key is
    /// unwrapped beside its branch key, when the instance first meets the tenant, rather than after
    /// it ([`TenantCrypto::read_beacon_keys_ahead`]). Part of the function's wiring, before any request.
    pub fn read_beacon_keys_ahead(&self) {
        self.store.crypto().read_beacon_keys_ahead();
    }

    /// The limits that apply to `tenant` now: its subscription's plan where the deployment bills
    /// through Stripe (free without a live subscription), else the deployment's `plan_without_billing`.
    pub async fn limits(&self, tenant: &TenantId) -> Result<Limits, ApiError> {
        if !self.config.bills_tenants() {
            return Ok(self.config.plan_without_billing.limits());
        }
        let subscription = self.store.subscription(tenant).await?;
        Ok(effective_plan(subscription.as_ref().map(|s| &s.record)).limits())
    }

    /// The member behind the request's token, with their tenant and role from our table. The
    /// request's audit entry will need the tenant's chain head: where this instance does not know it
    /// yet, reading it starts now ([`AuditHeads::read_ahead`]), unless the route records none.
    pub async fn caller(&self, info: &RequestInfo) -> Result<Caller, ApiError> {
        let caller = resolve_caller(&self.store, &info.claims).await?;
        if !UNAUDITED_MEMBER_ROUTES.contains(&info.route.as_str()) {
            self.audit_heads.read_ahead(&self.store, &caller.tenant);
        }
        Ok(caller)
    }

    /// The one audit call: records that `actor` did `action` to `target` in the actor's tenant.
    pub async fn audit<'a>(
        &self,
        actor: impl Into<Actor<'a>>,
        info: &RequestInfo,
        action: AuditAction,
        target: AuditTarget,
    ) -> Result<(), ApiError> {
        let Actor { tenant, user } = actor.into();
        let event = AuditEvent {
            actor: user.map_or_else(|| SYSTEM_ACTOR.to_owned(), UserId::to_string),
            action,
            target: target.to_string(),
            at: crate::clock::now_rfc3339(),
            source_ip: info.source_ip.clone(),
            request_id: info.request_id.clone(),
            source: info.source,
        };
        audit::append(&self.store, &self.audit_heads, tenant, event).await?;
        Ok(())
    }
}

/// Who did something, and in which tenant: a [`Caller`], a user being signed up or logged in, or
/// Confide itself (a worker), recorded as `system`.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub tenant: &'a TenantId,
    pub user: Option<&'a UserId>,
}

pub const SYSTEM_ACTOR: &str = "system";

/// The member routes that read nothing personal and so append no audit entry: reading the chain head
/// ahead for them would be a wasted request. A route missing here costs one such read per tenant
/// per instance, never a wrong entry (a test holds every route listed to appending nothing).
pub const UNAUDITED_MEMBER_ROUTES: [&str; 4] = [
    "GET /v1/analysis-kinds",
    "GET /v1/analysis-usage",
    "GET /v1/channels/twilio",
    "GET /v1/channels/email",
];

impl<'a> Actor<'a> {
    pub fn user(tenant: &'a TenantId, user: &'a UserId) -> Self {
        Self {
            tenant,
            user: Some(user),
        }
    }

    pub fn system(tenant: &'a TenantId) -> Self {
        Self { tenant, user: None }
    }
}

impl<'a> From<&'a Caller> for Actor<'a> {
    fn from(caller: &'a Caller) -> Self {
        Actor::user(&caller.tenant, &caller.user)
    }
}
