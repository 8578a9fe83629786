//! Cold starts, measured: each release bootstrap runs as Lambda would run it, against a local Runtime
//! API stand-in and the emulator (behind the counting proxy), beside a hello-world `lambda_runtime`
//! binary of the same profile, lock file and deploy flags. Per run: init (process start to its first `next`), the
//! first answer (the function's sample event: a token the table does not know, 401), the first real
//! member's request, and warm requests; AWS calls per request; resident memory. Medians of
//! `CONFIDE_BENCH_RUNS` (default 20) runs, interleaved; init against hello-world is the median of
//! each run's ratio to a hello-world run just before it. `CONFIDE_BENCH_ONLY=tenant,billing` picks
//! binaries; `CONFIDE_AWS_LATENCY_MS` adds that much to every AWS call (see `aws_calls`). A bench,
//! not a test.
//!
//! `cargo bench -p confide-tests --bench cold_start` builds the release binaries first, for this
//! machine's architecture with the deploy flags (`CONFIDE_BENCH_SKIP_BUILD=1` skips that).

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
    /// The first real request's calls by operation, to show where a cold instance's extra calls go.
    calls_real_by_operation: std::collections::BTreeMap<String, u64>,
    calls_warm: f64,
}

async fn one_run(
    binary: &std::path::Path,
    env: &[(String, String)],
    (sample, expect): (&Value, Expect),
    real: Option<(&Value, Expect)>,
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
    // Let what the last run left behind settle (the emulator's and this process's own trailing work
    // shares the two cores with the start being timed).
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
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
    let first = invoke(&event_tx, &mut seen_rx, sample.clone(), expect).await;
    proxy.take();
    // A function without a member's request (webhooks, workers, health) is timed warm on its sample.
    let (real, real_expect) = real.unwrap_or((sample, expect));
    let timeline = std::env::var_os("CONFIDE_AWS_TIMELINE").is_some();
    if timeline {
        eprintln!("{}: first real request", binary.display());
    }
    let first_real = invoke(&event_tx, &mut seen_rx, real.clone(), real_expect).await;
    if timeline {
        eprintln!(
            "  took {:.1} ms; a warm one:",
            first_real.as_secs_f64() * 1e3
        );
    }
    let calls_real_by_operation = proxy.take();
    let calls_real = aws_calls(&calls_real_by_operation);
    let mut warm = Vec::new();
    for run in 0..5 {
        if timeline && run == 1 {
            eprintln!("  took {:.1} ms", warm[0]);
        }
        warm.push(
            invoke(&event_tx, &mut seen_rx, real.clone(), real_expect)
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
        calls_real_by_operation,
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

/// What an answer must be for its timing to mean something.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// An HTTP answer with this status.
    Status(u64),
    /// An SQS batch answer (the workers), listing this many failed messages.
    Batch(usize),
}

impl Expect {
    fn check(self, answer: &Value) {
        match self {
            Expect::Status(status) => {
                assert_eq!(answer["statusCode"].as_u64(), Some(status), "{answer}")
            }
            Expect::Batch(failed) => assert_eq!(
                answer["batchItemFailures"].as_array().map(Vec::len),
                Some(failed),
                "{answer}"
            ),
        }
    }
}

/// Hands `event` to the waiting `next` and returns how long its answer took; panics unless the
/// answer is as `expect`ed (a timing of the wrong answer would mean nothing).
async fn invoke(
    events: &mpsc::Sender<Value>,
    seen: &mut mpsc::UnboundedReceiver<Seen>,
    event: Value,
    expect: Expect,
) -> std::time::Duration {
    let sent = Instant::now();
    events.send(event).await.expect("event");
    loop {
        match seen.recv().await {
            Some(Seen::Answer(at, answer)) => {
                expect.check(&answer);
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

/// The same request as `sample` from a real member (claims the authorizer would have checked: their
/// `sub` and a fresh `iat`).
fn as_member(sample: &Value, user_id: &str) -> Value {
    let mut real = sample.clone();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    real["requestContext"]["authorizer"]["jwt"]["claims"] = json!({
        "sub": user_id, "username": user_id, "token_use": "access",
        "iat": now.to_string(), "exp": (now + 3600).to_string(),
    });
    real
}

fn sample_event(file: &str) -> Value {
    let path = workspace_root().join("events").join(file);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("sample event")).expect("json")
}

/// One bootstrap under test: its sample event and what that answers (the sample's token names a
/// user the table does not know: 401), and, for member routes, what the sample answers as a real
/// member's request.
struct Subject {
    binary: &'static str,
    sample: &'static str,
    expect: Expect,
    member: Option<u64>,
}

const fn subject(
    binary: &'static str,
    sample: &'static str,
    expect: Expect,
    member: Option<u64>,
) -> Subject {
    Subject {
        binary,
        sample,
        expect,
        member,
    }
}

const UNKNOWN_USER: Expect = Expect::Status(401);

/// Every function of `template.yaml`, after the hello-world baseline. Webhooks and the unsubscribe
/// page answer their samples' unknown signatures, channels or tokens; workers find no such job.
const SUBJECTS: [Subject; 17] = [
    subject(
        "hello-lambda",
        "health/get-health.json",
        Expect::Status(200),
        None,
    ),
    subject(
        "health",
        "health/get-health.json",
        Expect::Status(200),
        None,
    ),
    subject("identity", "identity/login.json", Expect::Status(401), None),
    subject("tenant", "tenant/get-tenant.json", UNKNOWN_USER, Some(200)),
    subject(
        "members",
        "members/list-members.json",
        UNKNOWN_USER,
        Some(200),
    ),
    subject("audit", "audit/list-audit.json", UNKNOWN_USER, Some(200)),
    subject(
        "analyses",
        "analyses/list-analyses.json",
        UNKNOWN_USER,
        Some(200),
    ),
    subject(
        "billing",
        "billing/get-billing.json",
        UNKNOWN_USER,
        Some(200),
    ),
    subject(
        "contacts",
        "contacts/list-contacts.json",
        UNKNOWN_USER,
        Some(200),
    ),
    subject(
        "conversations",
        "conversations/list-conversations.json",
        UNKNOWN_USER,
        Some(200),
    ),
    subject(
        "campaigns",
        "campaigns/list-campaigns.json",
        UNKNOWN_USER,
        Some(200),
    ),
    // No e-mail channel set up: the member's read finds none.
    subject(
        "channels",
        "channels/get-email-channel.json",
        UNKNOWN_USER,
        Some(404),
    ),
    // The bench's stack does not bill: the webhook says so.
    subject(
        "billing-webhook",
        "billing-webhook/stripe-subscription-updated.json",
        Expect::Status(503),
        None,
    ),
    subject(
        "twilio-webhook",
        "twilio-webhook/inbound-message.json",
        Expect::Status(403),
        None,
    ),
    subject(
        "unsubscribe",
        "unsubscribe/confirmation-page.json",
        Expect::Status(404),
        None,
    ),
    subject(
        "analysis-worker",
        "analysis-worker/analysis-job.json",
        Expect::Batch(0),
        None,
    ),
    subject(
        "messaging-worker",
        "messaging-worker/send-message.json",
        Expect::Batch(0),
        None,
    ),
];

/// The `--config` entries `cargo lambda build` passes for a release build, from the workspace's
/// `[workspace.metadata.lambda.build]` (cargo-lambda adds only `target-cpu` besides).
fn deploy_build_config() -> Vec<String> {
    let out = Command::new("cargo")
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(workspace_root())
        .output()
        .expect("cargo metadata");
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata's JSON");
    metadata["metadata"]["lambda"]["build"]["config"]
        .as_array()
        .expect("[workspace.metadata.lambda.build] config in Cargo.toml")
        .iter()
        .map(|entry| entry.as_str().expect("a config entry").to_owned())
        .collect()
}

/// Whether an ELF executable is linked at a fixed address (`e_type` `ET_EXEC`, not `ET_DYN`), as the
/// deploy flags make it.
fn linked_at_fixed_address(binary: &std::path::Path) -> bool {
    use std::io::Read;
    const ET_EXEC: u16 = 2;
    let mut header = [0u8; 18];
    std::fs::File::open(binary)
        .and_then(|mut file| file.read_exact(&mut header))
        .expect("a release bootstrap");
    u16::from_le_bytes([header[16], header[17]]) == ET_EXEC
}

#[tokio::main]
async fn main() {
    // SAFETY: set before the stack (and any other thread) starts.
    unsafe { std::env::set_var("CONFIDE_COUNT_AWS_CALLS", "1") };
    let runs: usize = std::env::var("CONFIDE_BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let only: Option<Vec<String>> = std::env::var("CONFIDE_BENCH_ONLY")
        .ok()
        .map(|list| list.split(',').map(str::to_owned).collect());
    let subjects: Vec<&Subject> = SUBJECTS
        .iter()
        .filter(|s| {
            s.binary == "hello-lambda"
                || only
                    .as_ref()
                    .is_none_or(|o| o.iter().any(|b| b == s.binary))
        })
        .collect();
    // Built as `sam build` builds them (`cargo lambda build --release --target <arch>`, with the
    // deploy flags of the workspace's `lambda.build` metadata), for this machine's architecture.
    let triple = format!("{}-unknown-linux-gnu", std::env::consts::ARCH);
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| workspace_root().join("target"))
        .join(&triple)
        .join("release");
    if std::env::var("CONFIDE_BENCH_SKIP_BUILD").is_err() {
        let mut build = Command::new("cargo");
        build.args(["build", "--release", "-q", "--target", &triple]);
        for config in deploy_build_config() {
            build.args(["--config", &config]);
        }
        build.args(["-p", "confide-tests", "--bin", "hello-lambda"]);
        // `--bin` filters every selected package, so each function is named as package and binary.
        for subject in subjects.iter().skip(1) {
            build.args(["-p", subject.binary, "--bin", subject.binary]);
        }
        assert!(
            build.status().expect("cargo").success(),
            "release build failed"
        );
    }
    for subject in &subjects {
        assert!(
            linked_at_fixed_address(&target.join(subject.binary)),
            "{} is position-independent: not built with the deploy flags",
            subject.binary
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
    let events: Vec<(Value, Option<(Value, u64)>)> = subjects
        .iter()
        .map(|s| {
            let sample = sample_event(s.sample);
            let real = s
                .member
                .map(|status| (as_member(&sample, &owner.user_id), status));
            (sample, real)
        })
        .collect();
    // Interleaved: round i of every binary, then round i+1, so drift of the machine hits all alike; and
    // each function's run right after a hello-world run of its own, its init compared with that
    // one's (the load on this machine moves within a round: the audit list's requests keep the
    // emulator busy for seconds).
    let mut collected: Vec<Vec<Run>> = subjects.iter().map(|_| Vec::new()).collect();
    let mut init_ratios: Vec<Vec<f64>> = subjects.iter().map(|_| Vec::new()).collect();
    let binaries: Vec<_> = subjects.iter().map(|s| target.join(s.binary)).collect();
    let run_of = |i: usize| {
        let (sample, real) = &events[i];
        one_run(
            &binaries[i],
            &env,
            (sample, subjects[i].expect),
            real.as_ref()
                .map(|(event, status)| (event, Expect::Status(*status))),
        )
    };
    // Each round starts one function further on: the functions measured last in a round came out
    // highest in every run, identical mains or not, so no function keeps the same place.
    let functions = subjects.len() - 1;
    for round in 0..runs {
        for place in 0..functions {
            let i = 1 + (place + round) % functions;
            let baseline = run_of(0).await;
            let run = run_of(i).await;
            init_ratios[i].push(run.init / baseline.init);
            collected[0].push(baseline);
            collected[i].push(run);
        }
    }
    println!("cold starts, x86_64 release, median of {runs} interleaved runs (ms; calls = DynamoDB + KMS per request)");
    println!(
        "{:<17} {:>6} {:>7} {:>11} {:>6} {:>8} {:>10} {:>10} {:>8} {:>8}",
        "binary",
        "init",
        "first",
        "first real",
        "warm",
        "init/hw",
        "real/warm",
        "calls 1st",
        "calls w",
        "RSS MiB"
    );
    for ((subject, runs), ratios) in subjects.iter().zip(&collected).zip(&mut init_ratios) {
        let column = |f: &dyn Fn(&Run) -> f64| median(&mut runs.iter().map(f).collect::<Vec<_>>());
        let init = column(&|r| r.init);
        let init_ratio = if ratios.is_empty() {
            1.0
        } else {
            median(ratios)
        };
        let (first_real, warm) = (column(&|r| r.first_real), column(&|r| r.warm));
        let member = subject.member.is_some();
        println!(
            "{:<17} {:>6.1} {:>7.1} {:>11} {:>6.1} {:>8.2} {:>10} {:>10} {:>8.1} {:>8.1}",
            subject.binary,
            init,
            column(&|r| r.first),
            if member {
                format!("{first_real:.1}")
            } else {
                "–".into()
            },
            warm,
            init_ratio,
            if member {
                format!("{:.2}", first_real / warm)
            } else {
                "–".into()
            },
            if member {
                format!("{:.0}", column(&|r| r.calls_real as f64))
            } else {
                "–".into()
            },
            column(&|r| r.calls_warm),
            column(&|r| r.rss_kib as f64) / 1024.0,
        );
    }
    // Where a cold instance's extra calls go, for the first member route (the last run's).
    if let Some((subject, runs)) = subjects
        .iter()
        .zip(&collected)
        .find(|(s, _)| s.member.is_some())
    {
        if let Some(run) = runs.last() {
            println!(
                "{}'s first real request, by operation: {:?}",
                subject.binary,
                run.calls_real_by_operation
                    .iter()
                    .filter(|(op, _)| op.starts_with("dynamodb ") || op.starts_with("kms "))
                    .collect::<Vec<_>>()
            );
        }
    }
}
