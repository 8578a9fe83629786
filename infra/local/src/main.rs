//! `confide-local`: the whole of Confide on this machine. Creates template.yaml's resources on the AWS
//! emulator at `AWS_ENDPOINT_URL`, seeds a demo tenant, serves the API and prints how to log in.

use anyhow::{Context, Result};
use confide_local::{start, Options};
use std::path::PathBuf;

const DEMO_EMAIL: &str = "demo@confide.local";
const DEMO_PASSWORD: &str = "Demo-Passw0rd!";
const DEMO_COMPANY: &str = "Demo Bakery";
/// The local stack's Stripe webhook signing secret unless `CONFIDE_STRIPE_WEBHOOK_SECRET` names another.
const LOCAL_WEBHOOK_SECRET: &str = "whsec_confide_local_development";

#[tokio::main]
async fn main() -> Result<()> {
    confide_shared::telemetry::init();
    keep_metrics_out_of_the_terminal()?;
    let env =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let options = Options {
        template: PathBuf::from(env("CONFIDE_TEMPLATE", "template.yaml")),
        endpoint: std::env::var("AWS_ENDPOINT_URL")
            .context("AWS_ENDPOINT_URL must point at the emulator")?,
        region: env("AWS_REGION", "eu-west-1"),
        stage: env("CONFIDE_LOCAL_STAGE", "dev"),
        listen: env("CONFIDE_LISTEN", "127.0.0.1:3000")
            .parse()
            .context("CONFIDE_LISTEN")?,
        retry_delay: confide_local::workers::RetryDelay(
            std::env::var("CONFIDE_LOCAL_RETRY_SECONDS")
                .ok()
                .and_then(|s| s.parse().ok())
                .map(std::time::Duration::from_secs),
        ),
        // Offline unless a provider list is given (e.g. a local Ollama as `openai_compatible`).
        providers: confide_shared::genai::registry::Providers::parse(
            std::env::var("CONFIDE_GENAI_PROVIDERS").ok().as_deref(),
            std::env::var("CONFIDE_GENAI_DEFAULT_PROVIDER")
                .ok()
                .as_deref(),
        )
        .map_err(|e| anyhow::anyhow!(e))?,
        jobs: confide_shared::config::JobSettings::default(),
        plan_without_billing: match std::env::var("CONFIDE_PLAN_WITHOUT_BILLING") {
            Ok(raw) => confide_shared::domain::billing::Plan::parse(&raw)?,
            Err(_) => confide_shared::domain::billing::Plan::Business,
        },
        billing: None,
        secrets: Vec::new(),
        messaging: confide_local::MessagingOptions::from_env(),
        queue_tap: None,
    };
    let options = with_stripe(options)?;
    let stack = start(options).await?;
    seed_demo_tenant(&stack.url).await?;
    println!();
    println!("Confide is running at {}", stack.url);
    println!("  open it in a browser and log in: {DEMO_EMAIL} / {DEMO_PASSWORD}");
    println!("  try: curl -s {}/v1/health", stack.url);
    println!(
        "       curl -s -X POST {}/v1/auth/login -H 'content-type: application/json' -d '{{\"email\":\"{DEMO_EMAIL}\",\"password\":\"{DEMO_PASSWORD}\"}}'",
        stack.url
    );
    println!("  then, with TOKEN set to the access_token:");
    println!(
        "       curl -s -X POST {}/v1/analyses -H \"authorization: Bearer $TOKEN\" -H 'content-type: application/json' -d '{{\"kind\":\"swot\",\"inputs\":{{\"goal\":\"Open a second shop\"}}}}'",
        stack.url
    );
    println!(
        "       curl -s {}/v1/analyses/ID/report?format=html -H \"authorization: Bearer $TOKEN\" -o report.html",
        stack.url
    );
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    println!("stopping");
    Ok(())
}

/// On Lambda the metric lines go to stdout, where CloudWatch reads them; here they would drown the
/// terminal, so they go to `CONFIDE_METRICS_FILE` (default `.local/metrics.jsonl`).
fn keep_metrics_out_of_the_terminal() -> Result<()> {
    use std::io::Write;
    let path = PathBuf::from(
        std::env::var("CONFIDE_METRICS_FILE").unwrap_or_else(|_| ".local/metrics.jsonl".into()),
    );
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).with_context(|| format!("{}", folder.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("{}", path.display()))?;
    let file = std::sync::Mutex::new(file);
    confide_shared::metrics::set_sink(move |line| {
        if let Ok(mut file) = file.lock() {
            let _ = writeln!(file, "{line}");
        }
    });
    Ok(())
}

/// Stripe as a deployment configures it, with the secrets stored in the emulator's SSM: webhooks are
/// always verified (with `CONFIDE_STRIPE_WEBHOOK_SECRET` or the documented local default); tenants are
/// billed only when `CONFIDE_STRIPE_API_KEY` is set (a Stripe test key; `CONFIDE_STRIPE_API_BASE`
/// points at another API, e.g. stripe-mock), else they run on `CONFIDE_PLAN_WITHOUT_BILLING`.
fn with_stripe(mut options: Options) -> Result<Options> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let parameter = |name: &str| format!("/confide/{}/stripe/{name}", options.stage);
    let webhook_secret_parameter = parameter("webhook-secret");
    let api_key_parameter = env("CONFIDE_STRIPE_API_KEY").map(|key| {
        options.secrets.push((parameter("api-key"), key));
        parameter("api-key")
    });
    options.secrets.push((
        webhook_secret_parameter.clone(),
        env("CONFIDE_STRIPE_WEBHOOK_SECRET").unwrap_or_else(|| LOCAL_WEBHOOK_SECRET.to_owned()),
    ));
    options.billing = Some(confide_shared::config::BillingSettings {
        api_base: env("CONFIDE_STRIPE_API_BASE"),
        ..confide_shared::config::BillingSettings::new(
            webhook_secret_parameter,
            api_key_parameter,
            env("CONFIDE_STRIPE_PRICES").as_deref(),
            // The web app's billing page, served by this gateway.
            env("CONFIDE_BILLING_RETURN_URL")
                .unwrap_or_else(|| format!("http://{}/billing", options.listen)),
        )?
    });
    Ok(options)
}

/// Signs the demo tenant up through the API, unless its owner can already log in.
async fn seed_demo_tenant(url: &str) -> Result<()> {
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{url}/v1/auth/login"))
        .json(&serde_json::json!({ "email": DEMO_EMAIL, "password": DEMO_PASSWORD }))
        .send()
        .await?;
    if login.status().is_success() {
        return Ok(());
    }
    let signup = http
        .post(format!("{url}/v1/signup"))
        .json(&serde_json::json!({ "company": DEMO_COMPANY, "email": DEMO_EMAIL, "password": DEMO_PASSWORD }))
        .send()
        .await?;
    anyhow::ensure!(
        signup.status().is_success(),
        "seeding the demo tenant failed: {} {}",
        signup.status(),
        signup.text().await.unwrap_or_default()
    );
    let tokens: serde_json::Value = http
        .post(format!("{url}/v1/auth/login"))
        .json(&serde_json::json!({ "email": DEMO_EMAIL, "password": DEMO_PASSWORD }))
        .send()
        .await?
        .json()
        .await?;
    let token = tokens["access_token"]
        .as_str()
        .context("the demo login returned no token")?;
    let profile = http
        .put(format!("{url}/v1/tenant/profile"))
        .bearer_auth(token)
        .json(&serde_json::json!({
            "name": DEMO_COMPANY,
            "business_type": "artisan bakery",
            "location": "Bristol, UK",
            "products_services": ["sourdough bread", "pastries", "celebration cakes", "coffee"],
            "opening_hours": "Tue-Sat 7:00-16:00",
            "people": ["Ada Baker"],
            "faqs": [{ "question": "Do you deliver?", "answer": "Yes, call Ada on +44 117 496 0123." }],
        }))
        .send()
        .await?;
    anyhow::ensure!(
        profile.status().is_success(),
        "seeding the demo profile failed: {}",
        profile.status()
    );
    Ok(())
}
