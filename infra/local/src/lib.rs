//! The local stack: the AWS emulator's resources created from `template.yaml`, and a gateway serving
//! the template's routes with the same handler code the Lambda binaries run.
//!
//! [`start`] is used both by `confide-local` (the README's run command) and by the integration tests.

pub mod bootstrap;
mod errors;
pub mod gateway;
pub mod jwt;
pub mod template;
pub mod web;
pub mod workers;

use anyhow::{Context, Result};
use confide_shared::config::{Config, InviteDelivery, JobSettings, MessagingSettings};
use confide_shared::domain::tenant::DataRegion;
use confide_shared::genai::registry::Providers;
use confide_shared::App;
use gateway::{Gateway, HttpHandler};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use template::{Params, Template};

/// Where the emulator is and how to serve.
#[derive(Clone)]
pub struct Options {
    pub template: PathBuf,
    /// The emulator's base URL, as in `AWS_ENDPOINT_URL`.
    pub endpoint: String,
    pub region: String,
    pub stage: String,
    /// `127.0.0.1:0` picks a free port.
    pub listen: SocketAddr,
    /// How soon a failed queue message comes back locally (Lambda: the queue's visibility timeout).
    pub retry_delay: workers::RetryDelay,
    /// The GenAI providers, as `CONFIDE_GENAI_PROVIDERS` lists them in AWS (offline when empty).
    pub providers: Providers,
    /// The analysis worker's time budget and retries.
    pub jobs: JobSettings,
    /// The plan tenants run on without billing (`PlanWithoutBilling` in AWS).
    pub plan_without_billing: confide_shared::domain::billing::Plan,
    /// Stripe: the SSM parameters of the webhook secret and API key, prices, return URL.
    pub billing: Option<confide_shared::config::BillingSettings>,
    /// SSM SecureString parameters (name, value) stored before the functions start, as an operator
    /// stores API keys and signing secrets in AWS.
    pub secrets: Vec<(String, String)>,
    pub messaging: MessagingOptions,
    /// Sees every queue message the local consumers receive (tests only).
    pub queue_tap: Option<workers::QueueTap>,
}

/// Messaging as the local stack runs it.
#[derive(Debug, Clone)]
pub struct MessagingOptions {
    /// The URL Twilio and mail clients reach this stack at (`CONFIDE_PUBLIC_URL`, e.g. a tunnel);
    /// `None`: the gateway's own URL.
    pub public_url: Option<String>,
    /// `CONFIDE_TWILIO_API_BASE` (default Twilio's own API).
    pub twilio_api_base: String,
    /// `CONFIDE_SENDGRID_API_BASE` (default SendGrid's own API).
    pub sendgrid_api_base: String,
    /// Campaign messages per second per tenant (`CampaignSendRate` in AWS).
    pub campaign_rate: u32,
}

impl MessagingOptions {
    /// From `CONFIDE_PUBLIC_URL`, `CONFIDE_TWILIO_API_BASE`, `CONFIDE_SENDGRID_API_BASE` and
    /// `CONFIDE_CAMPAIGN_SEND_RATE`.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Self {
            public_url: var("CONFIDE_PUBLIC_URL"),
            twilio_api_base: var("CONFIDE_TWILIO_API_BASE")
                .unwrap_or_else(|| confide_shared::twilio::api::DEFAULT_API_BASE.to_owned()),
            sendgrid_api_base: var("CONFIDE_SENDGRID_API_BASE")
                .unwrap_or_else(|| confide_shared::sendgrid::DEFAULT_API_BASE.to_owned()),
            campaign_rate: var("CONFIDE_CAMPAIGN_SEND_RATE")
                .and_then(|r| r.parse().ok())
                .unwrap_or(1),
        }
    }
}

/// Where the local stack keeps the key that signs unsubscribe links (as `template.yaml` names it).
fn unsubscribe_key_parameter(stage: &str) -> String {
    format!("/confide/{stage}/messaging/unsubscribe-key")
}

pub struct LocalStack {
    pub url: String,
    pub resources: bootstrap::Resources,
    pub app: Arc<App>,
    pub sdk: aws_config::SdkConfig,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Queue consumers by binary name, as their `main.rs` would call them.
pub fn queue_handlers(
    worker: Arc<analysis_worker::Worker>,
    messenger: Arc<messaging_worker::Worker>,
) -> HashMap<String, workers::QueueHandler> {
    let mut handlers: HashMap<String, workers::QueueHandler> = HashMap::new();
    handlers.insert(
        "messaging-worker".into(),
        Arc::new(move |event| {
            let messenger = messenger.clone();
            Box::pin(async move { Ok(messaging_worker::handle(&messenger, event).await) })
        }),
    );
    handlers.insert(
        "analysis-worker".into(),
        Arc::new(move |event| {
            let worker = worker.clone();
            Box::pin(async move { Ok(analysis_worker::handle(&worker, event, None).await) })
        }),
    );
    handlers
}

/// Scheduled functions by binary name. None yet: retention jobs register here.
pub fn schedule_handlers(_app: Arc<App>) -> HashMap<String, workers::ScheduleHandler> {
    HashMap::new()
}

/// The handler of every function binary, by binary name: each built by the function's own
/// `connect`, as its `main.rs` builds it, and called as its `main.rs` calls it. One app serves them
/// all, but for the contacts function, whose `connect` changes the app it is given (the beacon-key
/// read-ahead, for its own requests only): it gets `contacts_app`.
pub fn http_handlers(app: Arc<App>, contacts_app: Arc<App>) -> HashMap<String, HttpHandler> {
    let mut handlers: HashMap<String, HttpHandler> = HashMap::new();
    handlers.insert(
        "health".into(),
        Arc::new(|req| Box::pin(health_function::handle(req))),
    );
    macro_rules! function {
        ($name:literal, $function:ident) => {{
            function!($name, $function, app.clone())
        }};
        ($name:literal, $function:ident, $app:expr) => {{
            let state = Arc::new($function::connect($app));
            let handler: HttpHandler = Arc::new(move |req| {
                let state = state.clone();
                Box::pin(async move { $function::handle(&state, req).await })
            });
            handlers.insert($name.into(), handler);
        }};
    }
    function!("identity", identity_function);
    function!("tenant", tenant_function);
    function!("privacy", privacy_function);
    function!("members", members_function);
    function!("audit", audit_function);
    function!("analyses", analyses_function);
    function!("contacts", contacts_function, contacts_app);
    function!("channels", channels_function);
    function!("conversations", conversations_function);
    function!("campaigns", campaigns_function);
    function!("twilio-webhook", twilio_webhook);
    function!("billing", billing_function);
    function!("unsubscribe", unsubscribe_function);
    function!("billing-webhook", billing_webhook);
    handlers
}

/// Tries per AWS call against the emulator.
const EMULATOR_ATTEMPTS: u32 = 6;

pub async fn sdk_config(endpoint: &str, region: &str) -> aws_config::SdkConfig {
    confide_shared::aws::defaults()
        .endpoint_url(endpoint)
        // The emulator answers a transaction that overlaps another write with a 500 now and then
        // (docs/emulator.md); DynamoDB does not. More tries than the SDK's three ride it out.
        .retry_config(
            aws_config::retry::RetryConfig::standard().with_max_attempts(EMULATOR_ATTEMPTS),
        )
        .region(aws_config::Region::new(region.to_owned()))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "local",
            "local",
            None,
            None,
            "confide-local",
        ))
        .load()
        .await
}

/// Creates the template's resources on the emulator (idempotently) and starts the gateway.
pub async fn start(options: Options) -> Result<LocalStack> {
    let template = Template::load(
        &options.template,
        Params::local(&options.stage, &options.region),
    )?;
    let sdk = sdk_config(&options.endpoint, &options.region).await;
    let resources = bootstrap::bootstrap(&sdk, &template)
        .await
        .context("bootstrap")?;

    let named = |kind: &str, names: &BTreeMap<String, String>, id: &str| {
        names
            .get(id)
            .cloned()
            .with_context(|| format!("template declares no {kind} {id}"))
    };
    let table = |id: &str| named("table", &resources.tables, id);
    let queue = |id: &str| named("queue", &resources.queues, id);
    let data_region = template.resolve(
        &serde_yaml::Value::Tagged(Box::new(serde_yaml::value::TaggedValue {
            tag: serde_yaml::value::Tag::new("Ref"),
            value: "DataRegion".into(),
        })),
        &BTreeMap::new(),
    )?;
    // Bound before the functions are configured: the public URL defaults to the gateway's own.
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("binding {}", options.listen))?;
    let url = format!("http://{}", listener.local_addr()?);
    let config = Config {
        stage: options.stage.clone(),
        data_region: DataRegion::parse(&data_region)?,
        aws_region: options.region.clone(),
        table: table("DataTable")?,
        key_store_table: table("KeyStoreTable")?,
        root_key_arn: resources.root_key_arn.clone(),
        user_pool_id: resources.user_pool_id.clone(),
        user_pool_client_id: resources.user_pool_client_id.clone(),
        invites: InviteDelivery::InResponse,
        bucket: named("bucket", &resources.buckets, "DataBucket")?,
        analysis_queue_url: queue("AnalysisQueue")?,
        analysis_dead_letter_queue_url: queue("AnalysisDeadLetterQueue")?,
        providers: options.providers.clone(),
        jobs: options.jobs,
        plan_without_billing: options.plan_without_billing,
        billing: options.billing.clone(),
        messaging: MessagingSettings {
            queue_url: queue("MessagingQueue")?,
            public_url: options
                .messaging
                .public_url
                .clone()
                .unwrap_or_else(|| url.clone())
                .trim_end_matches('/')
                .to_owned(),
            twilio_api_base: options.messaging.twilio_api_base.clone(),
            sendgrid_api_base: options.messaging.sendgrid_api_base.clone(),
            campaign_rate: options.messaging.campaign_rate,
            unsubscribe_secret_parameter: unsubscribe_key_parameter(&options.stage),
        },
    };
    let ssm = aws_sdk_ssm::Client::new(&sdk);
    // The operator creates this once in AWS; locally a fresh one per emulator is as good.
    let unsubscribe_key = (
        unsubscribe_key_parameter(&options.stage),
        format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        ),
    );
    for (name, value) in options.secrets.iter().chain([&unsubscribe_key]) {
        ssm.put_parameter()
            .name(name)
            .value(value)
            .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
            .overwrite(true)
            .send()
            .await
            .with_context(|| format!("storing {name} in SSM"))?;
    }
    // The contacts function's `connect` turns on the beacon-key read-ahead for the app it is given:
    // on Lambda each function has its own, so here it gets one of its own too.
    let contacts_app = Arc::new(
        App::new(config.clone(), &sdk)
            .await
            .map_err(|e| anyhow::anyhow!(e))
            .context("building the app")?,
    );
    let app = Arc::new(
        App::new(config, &sdk)
            .await
            .map_err(|e| anyhow::anyhow!(e))
            .context("building the app")?,
    );

    let names = BTreeMap::from([
        ("UserPool".to_owned(), resources.user_pool_id.clone()),
        (
            "UserPoolClient".to_owned(),
            resources.user_pool_client_id.clone(),
        ),
    ]);
    let (issuer, audiences) = template.jwt_authorizer(&names)?;
    let jwks_url = format!(
        "{}/{}/.well-known/jwks.json",
        options.endpoint.trim_end_matches('/'),
        resources.user_pool_id
    );
    let gateway = Arc::new(Gateway {
        routes: template.routes()?,
        handlers: http_handlers(app.clone(), contacts_app),
        authorizer: jwt::JwtAuthorizer::new(issuer, audiences, jwks_url).await?,
        cors_origins: template.cors_origins(),
        web_root: Some(
            options
                .template
                .parent()
                .unwrap_or(std::path::Path::new("."))
                .join("web/dist"),
        )
        .filter(|root| root.join("index.html").is_file()),
    });
    gateway.check_handlers()?;

    let service = gateway
        .router()
        .into_make_service_with_connect_info::<SocketAddr>();
    let mut tasks = vec![tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, service).await {
            tracing::error!(error = %e, "gateway stopped");
        }
    })];
    let worker = Arc::new(analysis_worker::Worker::connect(app.clone()));
    // Read now, not by the first job as on Lambda: a local misconfiguration stops the start.
    worker
        .api_keys()
        .await
        .map_err(|e| anyhow::anyhow!(e))
        .context("reading the GenAI providers' API keys")?;
    let messenger = Arc::new(messaging_worker::Worker::connect(app.clone()));
    tasks.extend(start_workers(
        &template,
        &resources,
        &sdk,
        (worker, messenger),
        app.clone(),
        options.retry_delay,
        options.queue_tap.clone(),
    )?);
    Ok(LocalStack {
        url,
        resources,
        app,
        sdk,
        tasks,
    })
}

/// One poller per SQS event-source mapping and one timer per schedule in the template.
fn start_workers(
    template: &Template,
    resources: &bootstrap::Resources,
    sdk: &aws_config::SdkConfig,
    (worker, messenger): (Arc<analysis_worker::Worker>, Arc<messaging_worker::Worker>),
    app: Arc<App>,
    retry_delay: workers::RetryDelay,
    tap: Option<workers::QueueTap>,
) -> Result<Vec<tokio::task::JoinHandle<()>>> {
    let mut tasks = Vec::new();
    let queue_handlers = queue_handlers(worker, messenger);
    for subscription in template.queue_subscriptions()? {
        let handler = queue_handlers
            .get(&subscription.binary)
            .cloned()
            .with_context(|| {
                format!(
                    "`{}` consumes a queue but has no local handler",
                    subscription.binary
                )
            })?;
        let url = resources
            .queues
            .get(&subscription.queue)
            .cloned()
            .with_context(|| {
                format!(
                    "{} subscribes to unknown {}",
                    subscription.function, subscription.queue
                )
            })?;
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let tap = tap.clone();
        tasks.push(tokio::spawn(async move {
            let function = subscription.function.clone();
            if let Err(e) =
                workers::consume(sqs, url, subscription, handler, retry_delay, tap).await
            {
                tracing::error!(%function, error = %e, "queue consumer stopped");
            }
        }));
    }
    let schedule_handlers = schedule_handlers(app);
    for schedule in template.schedules()? {
        let Some(handler) = schedule_handlers.get(&schedule.binary).cloned() else {
            anyhow::bail!(
                "`{}` runs on a schedule but has no local handler",
                schedule.binary
            );
        };
        if let Err(e) = workers::rate(&schedule.expression) {
            tracing::warn!(function = %schedule.function, error = %e, "schedule not run locally");
            continue;
        }
        tasks.push(tokio::spawn(async move {
            if let Err(e) = workers::run_schedule(schedule, handler).await {
                tracing::error!(error = %e, "schedule stopped");
            }
        }));
    }
    Ok(tasks)
}
