//! Per-job overhead of the analysis worker: N jobs run through `analysis_worker::handle` against the
//! emulator and a zero-latency provider stand-in, so what is measured is our own work per job — read
//! and claim the record, audit, build the pseudonymised prompt, parse and restore the answer, seal and
//! store result and chart in S3, the final transition and the usage counter.
//!
//! `cargo bench -p confide-tests --bench analysis_jobs` (installs nothing: run `make test` once first
//! so the emulator is in `.venv`). `CONFIDE_BENCH_JOBS` sets N (default 200).

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use confide_shared::clock::now_rfc3339;
use confide_shared::domain::analysis::AnalysisKind;
use confide_shared::domain::analysis_record::{Analysis, AnalysisStatus};
use confide_shared::domain::{TenantId, UserId};
use confide_shared::jobs::JobMessage;
use confide_tests::{sign_up, stack};
use serde_json::json;
use std::time::Instant;

fn message(job: &JobMessage) -> SqsMessage {
    let mut message = SqsMessage::default();
    message.message_id = Some(uuid::Uuid::new_v4().to_string());
    message.body = Some(serde_json::to_string(job).expect("job"));
    message
        .attributes
        .insert("ApproximateReceiveCount".into(), "1".into());
    message
}

#[tokio::main]
async fn main() {
    let jobs: usize = std::env::var("CONFIDE_BENCH_JOBS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let owner = sign_up("Bench Bakery").await;
    // The OpenAI-compatible stand-in needs no key and answers at once.
    let patched = owner
        .api
        .patch("/v1/tenant", json!({ "allowed_providers": ["compat-eu"] }))
        .await;
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    let worker = stack().worker().await;
    let tenant = TenantId::parse(&owner.tenant_id).expect("tenant");
    let user = UserId::parse(&owner.user_id).expect("user");
    let inputs = json!({
        "competitors": ["Loaf Ltd", "Crumb & Co"],
        "market": "Bristol bakeries; ask ada@bakery.example or +44 117 496 0123",
    });

    let mut timings = Vec::with_capacity(jobs);
    for i in 0..jobs + 5 {
        let analysis = Analysis::new(
            AnalysisKind::CompetitorLandscape,
            inputs.clone(),
            None,
            user.clone(),
            now_rfc3339(),
        );
        worker
            .app
            .store
            .create_analysis(&tenant, &analysis)
            .await
            .expect("analysis stored");
        let job = JobMessage {
            tenant_id: tenant.clone(),
            analysis_id: analysis.id.clone(),
        };
        let mut event = SqsEvent::default();
        event.records.push(message(&job));
        let started = Instant::now();
        let response = analysis_worker::handle(&worker, event, None).await;
        let took = started.elapsed();
        assert!(response.batch_item_failures.is_empty(), "job {i} failed");
        let done = worker
            .app
            .store
            .analysis(&tenant, &analysis.id)
            .await
            .expect("read")
            .expect("exists");
        assert_eq!(done.record.status, AnalysisStatus::Succeeded);
        if i >= 5 {
            timings.push(took); // the first five warm caches and connections
        }
    }
    println!("analysis worker, {jobs} jobs, zero-latency provider, emulator on loopback");
    confide_tests::report_latencies("per-job overhead", timings);
}
