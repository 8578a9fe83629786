//! The harness for integration tests: one AWS emulator and one local stack per test binary, started
//! on first use, and typed helpers to call the API as a browser would.

use confide_local::{start, LocalStack, Options};
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

pub mod aws_calls;
pub mod leaks;
pub mod messaging;
pub mod providers;
pub mod stripe;
pub mod stripe_events;
pub mod tokens;

use confide_shared::config::JobSettings;
use confide_shared::genai::registry::Providers;
use providers::StandIn;

/// What tests need to know about the running stack.
#[derive(Debug, Clone)]
pub struct Stack {
    pub url: String,
    pub endpoint: String,
    pub region: String,
    pub table: String,
    pub user_pool_id: String,
    pub client_id: String,
    pub config: confide_shared::config::Config,
    /// The GenAI stand-in every configured provider points at.
    pub providers: StandIn,
    /// The Stripe API stand-in (used where the binary runs [`with_billing`]).
    pub stripe: stripe::StripeStandIn,
    /// The Twilio and SendGrid API stand-in.
    pub messaging: messaging::MessagingStandIn,
    /// Counts the application's AWS calls, where `CONFIDE_COUNT_AWS_CALLS` is set (the benches).
    pub aws_calls: Option<aws_calls::CountingProxy>,
}

/// Campaign messages per second in the tests: fast enough that a campaign's sends are not delayed.
pub const CAMPAIGN_RATE: u32 = 50;

/// The API keys the tests store in the emulator's SSM, as a deployment would.
pub const OPENAI_KEY: &str = "sk-test-openai";
pub const ANTHROPIC_KEY: &str = "sk-ant-test";
pub const GEMINI_KEY: &str = "gemini-test-key";

/// Providers as a deployment would list them, all served by the stand-in: four EU-resident ones (one
/// per API), one that is not EU-resident, and the offline provider.
fn provider_list(stand_in: &str) -> String {
    json!([
        { "name": "openai-eu", "api": "openai", "model": "gpt-test", "base_url": format!("{stand_in}/openai/v1"),
          "eu_resident": true, "api_key_parameter": "/confide/dev/genai/openai" },
        { "name": "anthropic-eu", "api": "anthropic", "model": "claude-test", "base_url": format!("{stand_in}/anthropic"),
          "eu_resident": true, "api_key_parameter": "/confide/dev/genai/anthropic", "max_output_tokens": 4096 },
        { "name": "gemini-eu", "api": "gemini", "model": "gemini-test", "base_url": format!("{stand_in}/gemini"),
          "eu_resident": true, "api_key_parameter": "/confide/dev/genai/gemini" },
        { "name": "compat-eu", "api": "openai_compatible", "model": "llama-test", "base_url": format!("{stand_in}/compat/v1"),
          "eu_resident": true },
        { "name": "openai-us", "api": "openai", "model": "gpt-test", "base_url": format!("{stand_in}/us/v1"),
          "api_key_parameter": "/confide/dev/genai/openai" },
        { "name": "offline", "api": "offline", "model": "offline-demo" },
    ])
    .to_string()
}

/// The plan the test tenants run on (no billing is configured in the tests' deployment).
pub const PLAN: confide_shared::domain::billing::Plan =
    confide_shared::domain::billing::Plan::Starter;

/// Short budgets so that retries and dead-lettering show within seconds.
pub const TEST_JOBS: JobSettings = JobSettings {
    budget: Duration::from_secs(3),
    lease_margin: Duration::from_secs(1),
    call_timeout: Duration::from_secs(2),
    first_backoff: Duration::from_millis(100),
    max_receives: 3,
};

/// The secrets the tests' deployment keeps in SSM, as an operator stores them.
fn secrets() -> Vec<(String, String)> {
    vec![
        ("/confide/dev/genai/openai".into(), OPENAI_KEY.into()),
        ("/confide/dev/genai/anthropic".into(), ANTHROPIC_KEY.into()),
        ("/confide/dev/genai/gemini".into(), GEMINI_KEY.into()),
        (
            STRIPE_WEBHOOK_SECRET_PARAMETER.into(),
            STRIPE_WEBHOOK_SECRET.into(),
        ),
        (
            STRIPE_API_KEY_PARAMETER.into(),
            stripe::STRIPE_API_KEY.into(),
        ),
    ]
}

static STACK: OnceLock<Stack> = OnceLock::new();
static BILLING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The Stripe webhook signing secret of the billing tests' deployment.
pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_confide_tests";
const STRIPE_WEBHOOK_SECRET_PARAMETER: &str = "/confide/dev/stripe/webhook-secret";
const STRIPE_API_KEY_PARAMETER: &str = "/confide/dev/stripe/api-key";
/// Where Checkout and the portal send the browser back in the tests' deployment.
pub const BILLING_RETURN_URL: &str = "https://app.confide.test/billing";
pub const STARTER_PRICE: &str = "price_starter_test";
pub const BUSINESS_PRICE: &str = "price_business_test";

/// Makes this test binary's stack bill its tenants through Stripe (call before anything else; a test
/// binary is either billed or not). Tenants then get their subscription's plan, or free.
pub fn with_billing() {
    BILLING.store(true, std::sync::atomic::Ordering::SeqCst);
}

static BUSINESS_PLAN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Tenants of this binary's stack run on the business plan instead of [`PLAN`] (benchmarks at a
/// scale beyond starter's limits). Call before the first request.
pub fn on_business_plan() {
    BUSINESS_PLAN.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// A `Stripe-Signature` header for `body` at `t`, computed as Stripe documents it.
pub fn stripe_signature(body: &str, t: i64) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(STRIPE_WEBHOOK_SECRET.as_bytes())
        .expect("any key length");
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every queue message the local consumers received: (queue's logical id, body).
static QUEUE_BODIES: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());

/// The queue messages received so far by the stack of this test binary (every test's).
pub fn queue_bodies() -> Vec<(String, String)> {
    QUEUE_BODIES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone()
}

/// Everything the stack of this test binary has logged, as JSON lines.
static LOGS: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

/// Where the stack's log lines go in tests: kept for [`logged`] to read back.
struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOGS.lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The log lines written so far by every test of this binary (they run in parallel, so a test
/// asserts on what its own requests could have written: a marker of its own, a bound on any line).
pub fn logged() -> Vec<String> {
    let bytes = LOGS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone();
    String::from_utf8_lossy(&bytes)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A JSON file of the repository (a Stripe fixture, a sample event), by its path from the root.
pub fn repository_json(path: &str) -> Value {
    let path = workspace_root().join(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Prints a bench's latencies: mean, p50, p95 and max.
pub fn report_latencies(what: &str, mut timings: Vec<Duration>) {
    assert!(!timings.is_empty(), "{what}: nothing was measured");
    timings.sort();
    let total: Duration = timings.iter().sum();
    let pct = |p: f64| timings[((timings.len() as f64 - 1.0) * p).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "  {what}: mean {:.1} ms, p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms(total) / timings.len() as f64,
        ms(pct(0.5)),
        ms(pct(0.95)),
        ms(pct(1.0)),
    );
}

/// Serves `app` on a free loopback port on the current runtime (the stand-ins for outside APIs);
/// its base URL.
pub async fn serve_stand_in(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("stand-in port");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("stand-in serves");
    });
    url
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts moto on a free port; it dies with the thread that called this.
fn spawn_emulator() -> (std::process::Child, String) {
    let moto = std::env::var("CONFIDE_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace_root().join(".venv/bin/moto_server"));
    assert!(
        moto.exists(),
        "{} not found: run the tests with `make test`, which installs it",
        moto.display()
    );
    let port = free_port();
    let mut command = Command::new(&moto);
    command
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: prctl is async-signal-safe; it only asks the kernel to end the child with us.
    unsafe {
        use std::os::unix::process::CommandExt;
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let mut child = command.spawn().expect("moto_server starts");
    let endpoint = format!("http://127.0.0.1:{port}");
    for _ in 0..150 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (child, endpoint);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("moto_server did not start on port {port}");
}

/// The stack shared by every test of this binary. It runs on its own thread and runtime, because each
/// `#[tokio::test]` has a runtime of its own that ends with the test.
pub fn stack() -> &'static Stack {
    STACK.get_or_init(|| {
        confide_shared::telemetry::init_with(|| LogWriter);
        // When the binary's tests are done, its whole log is searched for what they sent.
        // SAFETY: registers a plain function with no captured state.
        unsafe { libc::atexit(leaks::fail_on_leaks_at_exit) };
        // Metric lines go where they go on Lambda, beside the log lines.
        confide_shared::metrics::set_sink(|line| {
            let _ = std::io::Write::write_all(&mut LogWriter, format!("{line}\n").as_bytes());
        });
        let region = "eu-west-1".to_owned();
        let (tx, rx) = std::sync::mpsc::channel();
        let template = workspace_root().join("template.yaml");
        let stack_region = region.clone();
        // The emulator is spawned from this thread, which lives as long as the process: the kernel
        // ends the child when the thread that spawned it ends.
        std::thread::spawn(move || {
            let (_emulator, endpoint) = spawn_emulator();
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            runtime.block_on(async move {
                let stand_in = StandIn::start().await;
                let stripe_stand_in = stripe::StripeStandIn::start().await;
                let messaging_stand_in = messaging::MessagingStandIn::start().await;
                let counting = match std::env::var("CONFIDE_COUNT_AWS_CALLS") {
                    Ok(_) => Some(aws_calls::CountingProxy::start(&endpoint).await),
                    Err(_) => None,
                };
                let options = Options {
                    template,
                    endpoint: counting
                        .as_ref()
                        .map_or_else(|| endpoint.clone(), |proxy| proxy.url.clone()),
                    region: stack_region,
                    stage: "dev".into(),
                    listen: "127.0.0.1:0".parse().expect("address"),
                    retry_delay: confide_local::workers::RetryDelay(Some(Duration::from_secs(1))),
                    providers: Providers::parse(
                        Some(&provider_list(&stand_in.url)),
                        Some("openai-eu"),
                    )
                    .expect("provider list"),
                    jobs: TEST_JOBS,
                    plan_without_billing: if BUSINESS_PLAN.load(std::sync::atomic::Ordering::SeqCst)
                    {
                        confide_shared::domain::billing::Plan::Business
                    } else {
                        PLAN
                    },
                    billing: BILLING.load(std::sync::atomic::Ordering::SeqCst).then(|| {
                        confide_shared::config::BillingSettings {
                            api_base: Some(stripe_stand_in.url.clone()),
                            ..confide_shared::config::BillingSettings::new(
                                STRIPE_WEBHOOK_SECRET_PARAMETER.to_owned(),
                                Some(STRIPE_API_KEY_PARAMETER.to_owned()),
                                Some(
                                    &json!({ "starter": STARTER_PRICE, "business": BUSINESS_PRICE })
                                        .to_string(),
                                ),
                                BILLING_RETURN_URL.to_owned(),
                            )
                            .expect("billing settings")
                        }
                    }),
                    secrets: secrets(),
                    messaging: confide_local::MessagingOptions {
                        public_url: None,
                        twilio_api_base: messaging_stand_in.url.clone(),
                        sendgrid_api_base: messaging_stand_in.url.clone(),
                        campaign_rate: CAMPAIGN_RATE,
                    },
                    queue_tap: Some(std::sync::Arc::new(|queue: &str, body: &str| {
                        QUEUE_BODIES
                            .lock()
                            .unwrap_or_else(|poisoned| poisoned.into_inner())
                            .push((queue.to_owned(), body.to_owned()));
                    })),
                };
                let stack: LocalStack = match start(options).await {
                    Ok(stack) => stack,
                    Err(e) => {
                        let _ = tx.send(Err(format!("{e:#}")));
                        return;
                    }
                };
                let _ = tx.send(Ok((
                    stack.url.clone(),
                    endpoint,
                    stack.app.config.clone(),
                    stand_in,
                    stripe_stand_in,
                    messaging_stand_in,
                    counting,
                )));
                // Keep the stack (and its server task) alive for the whole test run.
                std::future::pending::<()>().await;
                drop(stack);
            });
        });
        let (url, endpoint, config, providers, stripe, messaging, aws_calls) = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("stack started in time")
            .unwrap_or_else(|e| panic!("local stack failed to start: {e}"));
        Stack {
            url,
            endpoint,
            region,
            table: config.table.clone(),
            user_pool_id: config.user_pool_id.clone(),
            client_id: config.user_pool_client_id.clone(),
            config,
            providers,
            stripe,
            messaging,
            aws_calls,
        }
    })
}

impl Stack {
    /// AWS SDK configuration for the emulator, for raw reads that bypass the application.
    pub async fn sdk(&self) -> aws_config::SdkConfig {
        confide_local::sdk_config(&self.endpoint, &self.region).await
    }

    /// Every item of the data table as stored (encrypted, as a reader without keys sees it), read
    /// past the application with a plain client.
    pub async fn raw_items(
        &self,
    ) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
        let raw = aws_sdk_dynamodb::Client::new(&self.sdk().await);
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = raw
                .scan()
                .table_name(&self.table)
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("raw scan");
            items.extend(page.items().iter().cloned());
            start = page.last_evaluated_key;
            if start.is_none() {
                return items;
            }
        }
    }

    /// A worker like the stack's, for tests that deliver messages to it directly.
    pub async fn worker(&self) -> analysis_worker::Worker {
        analysis_worker::Worker::connect(std::sync::Arc::new(self.app().await))
    }

    /// The application's own clients (encrypting store, Cognito), built in the caller's runtime.
    pub async fn app(&self) -> confide_shared::App {
        confide_shared::App::new(self.config.clone(), &self.sdk().await)
            .await
            .expect("app builds")
    }
}

/// A unique address for this test run.
pub fn unique_email(who: &str) -> String {
    format!("{who}-{}@example.com", uuid::Uuid::new_v4().simple())
}

pub const PASSWORD: &str = "Correct-Horse-9!";

/// A response: status and JSON body (`Value::Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
}

/// An HTTP client for the API, optionally holding a user's access token.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    pub token: Option<String>,
}

impl Client {
    pub fn anonymous() -> Self {
        Self {
            // A hung request fails its test instead of the whole run.
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("HTTP client"),
            base: stack().url.clone(),
            token: None,
        }
    }

    pub fn with_token(token: impl Into<String>) -> Self {
        Self {
            token: Some(token.into()),
            ..Self::anonymous()
        }
    }

    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        leaks::seed_query(path);
        if let Some(body) = &body {
            leaks::seed_body(body);
        }
        self.send_raw(method, path, body.map(|b| b.to_string()))
            .await
    }

    pub async fn send_raw(&self, method: &str, path: &str, body: Option<String>) -> Reply {
        let (status, text) = match body {
            Some(body) => {
                self.send_bytes(method, path, Some("application/json"), body)
                    .await
            }
            None => self.send_bytes(method, path, None, Vec::new()).await,
        };
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("non-JSON answer {status}: {text}"))
        };
        Reply { status, body }
    }

    /// Any bytes with any content type (`None`: no header), answered as status and raw text, for
    /// probing how the API takes what no browser would send.
    pub async fn send_bytes(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<Vec<u8>>,
    ) -> (u16, String) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .body(body.into());
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.expect("request reaches the gateway");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// A request with extra headers (a browser's cookie), answered with status, headers and raw text.
    pub async fn exchange(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (u16, reqwest::header::HeaderMap, String) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.expect("request reaches the gateway");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.text().await.expect("body"))
    }

    /// A download: status, content type, content disposition and the body as text.
    pub async fn download(&self, path: &str) -> (u16, String, String, String) {
        let mut request = self.http.get(format!("{}{}", self.base, path));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request reaches the gateway");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (status, content_type, disposition) = (
            response.status().as_u16(),
            header("content-type"),
            header("content-disposition"),
        );
        (
            status,
            content_type,
            disposition,
            response.text().await.expect("body"),
        )
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send("POST", path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send("PUT", path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send("PATCH", path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, None).await
    }
}

/// A person with an account: their login and a client carrying their access token.
pub struct User {
    pub email: String,
    pub password: String,
    pub user_id: String,
    pub tenant_id: String,
    pub tokens: Value,
    pub api: Client,
}

impl User {
    pub fn access_token(&self) -> &str {
        self.tokens["access_token"].as_str().expect("access token")
    }
}

/// Signs a new tenant up and logs its owner in.
pub async fn sign_up(company: &str) -> User {
    let email = unique_email("owner");
    let reply = Client::anonymous()
        .post(
            "/v1/signup",
            json!({ "company": company, "email": email, "password": PASSWORD }),
        )
        .await;
    assert_eq!(reply.status, 201, "sign-up: {:?}", reply.body);
    let tokens = log_in(&email, PASSWORD).await;
    User {
        user_id: reply.body["user_id"].as_str().expect("user id").to_owned(),
        tenant_id: reply.body["tenant_id"]
            .as_str()
            .expect("tenant id")
            .to_owned(),
        api: Client::with_token(tokens["access_token"].as_str().expect("token")),
        email,
        password: PASSWORD.to_owned(),
        tokens,
    }
}

/// Logs in and expects tokens (no challenge).
pub async fn log_in(email: &str, password: &str) -> Value {
    let reply = Client::anonymous()
        .post(
            "/v1/auth/login",
            json!({ "email": email, "password": password }),
        )
        .await;
    assert_eq!(reply.status, 200, "login: {:?}", reply.body);
    assert_eq!(
        reply.body["status"], "authenticated",
        "login: {:?}",
        reply.body
    );
    reply.body
}

/// Invites a member with `role`, then completes their first login (new password).
pub async fn invite(owner: &User, role: &str) -> User {
    let email = unique_email(role);
    let reply = owner
        .api
        .post("/v1/members", json!({ "email": email, "role": role }))
        .await;
    assert_eq!(reply.status, 201, "invite: {:?}", reply.body);
    let temporary = reply.body["temporary_password"]
        .as_str()
        .expect("temporary password");
    let first = Client::anonymous()
        .post(
            "/v1/auth/login",
            json!({ "email": email, "password": temporary }),
        )
        .await;
    assert_eq!(
        first.body["status"], "challenge",
        "first login: {:?}",
        first.body
    );
    assert_eq!(first.body["challenge"], "NEW_PASSWORD_REQUIRED");
    let done = Client::anonymous()
        .post(
            "/v1/auth/new-password",
            json!({ "email": email, "session": first.body["session"], "new_password": PASSWORD }),
        )
        .await;
    assert_eq!(done.status, 200, "new password: {:?}", done.body);
    assert_eq!(done.body["status"], "authenticated");
    User {
        user_id: reply.body["user_id"].as_str().expect("user id").to_owned(),
        tenant_id: owner.tenant_id.clone(),
        api: Client::with_token(done.body["access_token"].as_str().expect("token")),
        email,
        password: PASSWORD.to_owned(),
        tokens: done.body,
    }
}
