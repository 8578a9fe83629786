//! Cold starts, measured: each release bootstrap runs as Lambda would run it, against a local Runtime
//! API stand-in and the emulator (behind the counting proxy), beside a hello-world `lambda_runtime`
//! binary of the same profile and lock file. Per run: init (process start to its first `next`), the
//! first answer (the function's sample event: a token the table does not know, 401), the first real
//! member's request, and warm requests; AWS calls per request; resident memory. Medians of
//! `CONFIDE_BENCH_RUNS` (default 10) runs. A bench, not a test.
//!
//! `cargo bench -p confide-tests --bench cold_start` builds the release binaries first
//! (`CONFIDE_BENCH_SKIP_BUILD=1` skips that).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use confide_tests::{sign_up, stack, workspace_root};
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, Mutex};

/// What the stand-in saw: a `next` call, or an answer to an invocation.
enum Seen {
    Next(Instant),
    Answer(Instant, Value),
}

#[derive(Clone)]
struct RuntimeApi {
    events: Arc<Mutex<mpsc::Receiver<Value>>>,
    seen: mpsc::UnboundedSender<Seen>,
}

async fn next(State(api): State<RuntimeApi>) -> axum::response::Response {
    let _ = api.seen.send(Seen::Next(Instant::now()));
    let event = api.events.lock().await.recv().await.unwrap_or(Value::Null);
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
        + 30_000;
    axum::response::Response::builder()
        .header(
            "lambda-runtime-aws-request-id",
            uuid::Uuid::new_v4().to_string(),
        )
        .header("lambda-runtime-deadline-ms", deadline.to_string())
        .header(
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:eu-west-1:123456789012:function:bench",
        )
        .header(
            "lambda-runtime-trace-id",
            "Root=1-00000000-000000000000000000000000",
        )
        .header("content-type", "application/json")
        .body(axum::body::Body::from(event.to_string()))
        .unwrap_or_default()
}

async fn answer(
    State(api): State<RuntimeApi>,
    Path(_id): Path<String>,
    body: Bytes,
) -> &'static str {
    let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let _ = api.seen.send(Seen::Answer(Instant::now(), value));
    "{}"
}

/// One run of one binary: init, first answer, first real request, warm requests (ms), calls, RSS.
struct Run {
    init: f64,
    first: f64,
    first_real: f64,
    warm: f64,
    rss_kib: u64,
    calls_real: u64,
    calls_warm: f64,
}

async fn one_run(
    binary: &std::path::Path,
    env: &[(String, String)],
    (sample, sample_status): (&Value, u64),
    real: &Value,
) -> Run {
    let (event_tx, event_rx) = mpsc::channel(16);
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel();
    let api = RuntimeApi {
        events: Arc::new(Mutex::new(event_rx)),
        seen: seen_tx,
    };
    let app = axum::Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/response", post(answer))
        .route("/2018-06-01/runtime/invocation/{id}/error", post(answer))
        .route("/2018-06-01/runtime/init/error", post(|| async { "{}" }))
        .with_state(api);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    let address = listener.local_addr().expect("address");
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let proxy = stack().aws_calls.clone().expect("counting proxy");
    let started = Instant::now();
    let mut child = Command::new(binary)
        .envs(env.iter().cloned())
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("bootstrap starts");
    let first_next = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        wait_for_next(&mut seen_rx),
    )
    .await
    .unwrap_or_else(|_| {
        panic!(
            "{} never asked for an event (did it exit? {:?})",
            binary.display(),
            child.try_wait()
        )
    });
    let init = first_next.duration_since(started);
    proxy.take();
    let first = invoke(&event_tx, &mut seen_rx, sample.clone(), sample_status).await;
    proxy.take();
    let first_real = invoke(&event_tx, &mut seen_rx, real.clone(), 200).await;
    let calls_real = aws_calls(&proxy.take());
    let mut warm = Vec::new();
    for _ in 0..5 {
        warm.push(
            invoke(&event_tx, &mut seen_rx, real.clone(), 200)
                .await
                .as_secs_f64()
                * 1000.0,
        );
    }
    let calls_warm = aws_calls(&proxy.take()) as f64 / 5.0;
    let rss_kib = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0);
    let _ = child.kill();
    let _ = child.wait();
    server.abort();
    Run {
        init: init.as_secs_f64() * 1000.0,
        first: first.as_secs_f64() * 1000.0,
        first_real: first_real.as_secs_f64() * 1000.0,
        warm: median(&mut warm),
        rss_kib,
        calls_real,
        calls_warm,
    }
}

async fn wait_for_next(seen: &mut mpsc::UnboundedReceiver<Seen>) -> Instant {
    loop {
        match seen.recv().await {
            Some(Seen::Next(at)) => return at,
            Some(Seen::Answer(..)) => {}
            None => panic!("the stand-in stopped"),
        }
    }
}

/// Hands `event` to the waiting `next` and returns how long its answer took; panics unless the
/// answer has `status` (a timing of the wrong answer would mean nothing).
async fn invoke(
    events: &mpsc::Sender<Value>,
    seen: &mut mpsc::UnboundedReceiver<Seen>,
    event: Value,
    status: u64,
) -> std::time::Duration {
    let sent = Instant::now();
    events.send(event).await.expect("event");
    loop {
        match seen.recv().await {
            Some(Seen::Answer(at, answer)) => {
                assert_eq!(answer["statusCode"].as_u64(), Some(status), "{answer}");
                return at.duration_since(sent);
            }
            Some(Seen::Next(_)) => {}
            None => panic!("the stand-in stopped"),
        }
    }
}

/// DynamoDB and KMS calls (the local stack's own queue polling also passes the proxy: left out).
fn aws_calls(counts: &std::collections::BTreeMap<String, u64>) -> u64 {
    counts
        .iter()
        .filter(|(op, _)| op.starts_with("dynamodb ") || op.starts_with("kms "))
        .map(|(_, n)| n)
        .sum()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// The environment `template.yaml` gives every function, for the local stack's resources.
fn function_env(endpoint: &str) -> Vec<(String, String)> {
    let config = &stack().config;
    let vars = [
        ("AWS_ENDPOINT_URL", endpoint.to_owned()),
        ("AWS_ACCESS_KEY_ID", "local".into()),
        ("AWS_SECRET_ACCESS_KEY", "local".into()),
        ("AWS_REGION", stack().region.clone()),
        ("CONFIDE_STAGE", config.stage.clone()),
        ("CONFIDE_DATA_REGION", "eu".into()),
        ("CONFIDE_TABLE", config.table.clone()),
        ("CONFIDE_KEY_STORE_TABLE", config.key_store_table.clone()),
        ("CONFIDE_ROOT_KEY_ARN", config.root_key_arn.clone()),
        ("CONFIDE_USER_POOL_ID", config.user_pool_id.clone()),
        (
            "CONFIDE_USER_POOL_CLIENT_ID",
            config.user_pool_client_id.clone(),
        ),
        ("CONFIDE_BUCKET", config.bucket.clone()),
        (
            "CONFIDE_ANALYSIS_QUEUE_URL",
            config.analysis_queue_url.clone(),
        ),
        (
            "CONFIDE_ANALYSIS_DLQ_URL",
            config.analysis_dead_letter_queue_url.clone(),
        ),
        (
            "CONFIDE_MESSAGING_QUEUE_URL",
            config.messaging.queue_url.clone(),
        ),
        (
            "CONFIDE_UNSUBSCRIBE_SECRET_PARAMETER",
            config.messaging.unsubscribe_secret_parameter.clone(),
        ),
        (
            "CONFIDE_BILLING_RETURN_URL",
            "http://127.0.0.1:3000/billing".into(),
        ),
        ("RUST_LOG", "warn".into()),
        // What Lambda sets for every function (lambda_runtime refuses to start without them).
        ("AWS_LAMBDA_FUNCTION_NAME", "bench".into()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256".into()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench".into()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "bench".into()),
    ];
    vars.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// The function's sample event, and the same request from a real member (claims the authorizer
/// would have checked: their `sub` and a fresh `iat`).
fn events(sample_file: &str, user_id: &str) -> (Value, Value) {
    let path = workspace_root().join("events").join(sample_file);
    let sample: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("sample event")).expect("json");
    let mut real = sample.clone();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    real["requestContext"]["authorizer"]["jwt"]["claims"] = json!({
        "sub": user_id, "username": user_id, "token_use": "access",
        "iat": now.to_string(), "exp": (now + 3600).to_string(),
    });
    (sample, real)
}

#[tokio::main]
async fn main() {
    // SAFETY: set before the stack (and any other thread) starts.
    unsafe { std::env::set_var("CONFIDE_COUNT_AWS_CALLS", "1") };
    let runs: usize = std::env::var("CONFIDE_BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10);
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| workspace_root().join("target"))
        .join("release");
    // Binary, sample event, and what the sample answers (its token's user is unknown to the table).
    let functions = [
        ("hello-lambda", "health/get-health.json", 200),
        ("health", "health/get-health.json", 200),
        ("tenant", "tenant/get-tenant.json", 401),
    ];
    if std::env::var("CONFIDE_BENCH_SKIP_BUILD").is_err() {
        let mut build = Command::new("cargo");
        build.args([
            "build",
            "--release",
            "-q",
            "-p",
            "confide-tests",
            "--bin",
            "hello-lambda",
            "-p",
            "health",
            "-p",
            "tenant",
        ]);
        assert!(
            build.status().expect("cargo").success(),
            "release build failed"
        );
    }
    let owner = sign_up("Cold Start Bakery").await;
    let endpoint = stack()
        .aws_calls
        .as_ref()
        .expect("counting proxy")
        .url
        .clone();
    let env = function_env(&endpoint);
    println!("cold starts, x86_64 release, median of {runs} runs (ms; calls = DynamoDB + KMS per request)");
    println!(
        "{:<14} {:>7} {:>8} {:>11} {:>6} {:>9} {:>10} {:>8} {:>9}",
        "binary",
        "init",
        "first",
        "first real",
        "warm",
        "init/hw",
        "calls 1st",
        "calls w",
        "RSS MiB"
    );
    let mut hello_init = None;
    for (binary, sample_file, sample_status) in functions {
        let (sample, real) = events(sample_file, &owner.user_id);
        let mut collected = Vec::new();
        for _ in 0..runs {
            collected
                .push(one_run(&target.join(binary), &env, (&sample, sample_status), &real).await);
        }
        let column =
            |f: &dyn Fn(&Run) -> f64| median(&mut collected.iter().map(f).collect::<Vec<_>>());
        let init = column(&|r| r.init);
        let baseline = *hello_init.get_or_insert(init);
        println!(
            "{:<14} {:>7.1} {:>8.1} {:>11.1} {:>6.1} {:>9.1} {:>10.0} {:>8.1} {:>9.1}",
            binary,
            init,
            column(&|r| r.first),
            column(&|r| r.first_real),
            column(&|r| r.warm),
            init / baseline,
            column(&|r| r.calls_real as f64),
            column(&|r| r.calls_warm),
            column(&|r| r.rss_kib as f64) / 1024.0,
        );
    }
}
