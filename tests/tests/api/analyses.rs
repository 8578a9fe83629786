//! AI analyses end to end: API → queue → worker → provider stand-in → sealed S3 objects → reports.

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use confide_shared::domain::{AnalysisId, TenantId};
use confide_shared::jobs::JobMessage;
use confide_shared::objects::{chart_key, result_key};
use confide_tests::providers::{Step, INPUT_TOKENS, OUTPUT_TOKENS};
use confide_tests::{invite, sign_up, stack, User, ANTHROPIC_KEY, GEMINI_KEY, OPENAI_KEY};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn marker() -> String {
    format!("marker-{}", uuid::Uuid::new_v4().simple())
}

async fn allow(user: &User, providers: &[&str]) {
    let reply = user
        .api
        .patch("/v1/tenant", json!({ "allowed_providers": providers }))
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
}

async fn submit(user: &User, kind: &str, inputs: Value) -> String {
    let reply = user
        .api
        .post("/v1/analyses", json!({ "kind": kind, "inputs": inputs }))
        .await;
    assert_eq!(reply.status, 202, "submit: {:?}", reply.body);
    assert_eq!(reply.body["status"], "queued");
    reply.body["id"].as_str().expect("id").to_owned()
}

/// Polls the analysis until `done` holds for it, or fails after `within`.
async fn wait_until(
    user: &User,
    id: &str,
    within: Duration,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let start = Instant::now();
    loop {
        let reply = user.api.get(&format!("/v1/analyses/{id}")).await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        if done(&reply.body) {
            return reply.body;
        }
        assert!(
            start.elapsed() < within,
            "analysis {id} did not get there in {within:?}: {}",
            reply.body
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn finished(user: &User, id: &str) -> Value {
    wait_until(user, id, Duration::from_secs(40), |a| {
        a["status"] == "succeeded" || a["status"] == "failed"
    })
    .await
}

const EMAIL: &str = "tom.client@example.com";
const PHONE: &str = "+44 20 7946 0958";
const IBAN: &str = "GB82 WEST 1234 5698 7654 32";
const PROFILE_EMAIL: &str = "ada@bakery.example";
const PROFILE_PHONE: &str = "+44 117 496 0123";

async fn set_profile(user: &User) {
    let reply = user
        .api
        .put(
            "/v1/tenant/profile",
            json!({
                "name": "Bakery Lovelace",
                "business_type": "bakery",
                "people": ["Ada Lovelace"],
                "faqs": [{ "question": "Who answers?", "answer": format!("Ada Lovelace, {PROFILE_EMAIL}, {PROFILE_PHONE}") }],
            }),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
}

#[tokio::test]
async fn a_submitted_analysis_runs_and_the_provider_never_sees_personal_data() {
    let owner = sign_up("Analysis Bakery").await;
    set_profile(&owner).await;
    let marker = marker();
    let inputs = json!({
        "feedback": format!("{marker}: Tom Client ({EMAIL}, {PHONE}) wants his refund on {IBAN}. Ada Lovelace was kind."),
        "question": "What annoys customers?",
        "people": ["Tom Client"],
    });
    let id = submit(&owner, "customer_feedback", inputs).await;
    let analysis = finished(&owner, &id).await;
    assert_eq!(analysis["status"], "succeeded", "{analysis}");
    assert_eq!(analysis["provider"], "openai-eu", "the deployment default");
    assert_eq!(analysis["model"], "gpt-test");
    assert_eq!(analysis["attempts"], 1);
    assert_eq!(analysis["usage"]["input_tokens"], INPUT_TOKENS);
    assert_eq!(analysis["usage"]["output_tokens"], OUTPUT_TOKENS);
    assert!(analysis["started_at"].is_string() && analysis["finished_at"].is_string());

    let calls = stack().providers.calls_with(&marker);
    assert_eq!(calls.len(), 1, "one call");
    let call = &calls[0];
    assert_eq!(call.path, "/openai/v1/chat/completions");
    assert_eq!(
        call.headers["authorization"],
        format!("Bearer {OPENAI_KEY}")
    );
    assert_eq!(call.body["model"], "gpt-test");
    assert_eq!(
        call.body["store"], false,
        "OpenAI must not keep tenant data"
    );
    assert_eq!(call.body["response_format"]["type"], "json_schema");
    assert_eq!(call.body["response_format"]["json_schema"]["strict"], true);
    assert_eq!(
        call.body["response_format"]["json_schema"]["schema"]["required"],
        json!(["title", "summary", "sections", "key_figures", "charts"])
    );
    for secret in [
        EMAIL,
        PHONE,
        IBAN,
        "GB82",
        "Tom Client",
        "Ada Lovelace",
        PROFILE_EMAIL,
        PROFILE_PHONE,
    ] {
        assert!(
            !call.raw.contains(secret),
            "{secret} reached the provider: {}",
            call.raw
        );
    }
    for placeholder in ["[EMAIL_", "[PHONE_", "[IBAN_1]", "[PERSON_"] {
        assert!(
            call.raw.contains(placeholder),
            "{placeholder} missing: {}",
            call.raw
        );
    }

    // The stand-in echoed the placeholders; the stored result has the real values back.
    let result = &analysis["result"];
    let summary = result["summary"].as_str().expect("summary");
    for restored in [EMAIL, PHONE, IBAN, "Tom Client", "Ada Lovelace"] {
        assert!(
            summary.contains(restored),
            "{restored} not restored: {summary}"
        );
    }
    assert!(!summary.contains("[EMAIL_"), "{summary}");
    assert_eq!(result["charts"][0]["type"], "bar");
    assert_eq!(result["key_figures"][0]["value"], 42.0);

    let audit = owner
        .api
        .get("/v1/audit?action=analysis.sent_to_provider")
        .await;
    let entries = audit.body["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{:?}", audit.body);
    assert_eq!(entries[0]["actor"], "system");
    assert_eq!(
        entries[0]["target"],
        format!("analysis/{id}/provider/openai-eu"),
        "the disclosure names the provider"
    );

    let usage = owner.api.get("/v1/analysis-usage").await;
    assert_eq!(usage.status, 200, "{:?}", usage.body);
    assert_eq!(usage.body["usage"]["jobs"], 1);
    assert_eq!(usage.body["usage"]["input_tokens"], INPUT_TOKENS);
    assert_eq!(usage.body["usage"]["output_tokens"], OUTPUT_TOKENS);
}

#[tokio::test]
async fn each_provider_api_gets_its_own_request_shape_and_key() {
    let owner = sign_up("Provider Bakery").await;
    for (provider, path, header, value) in [
        (
            "anthropic-eu",
            "/anthropic/v1/messages",
            "x-api-key",
            ANTHROPIC_KEY.to_owned(),
        ),
        (
            "gemini-eu",
            "/gemini/v1beta/models/gemini-test:generateContent",
            "x-goog-api-key",
            GEMINI_KEY.to_owned(),
        ),
    ] {
        allow(&owner, &[provider]).await;
        let marker = marker();
        let id = submit(&owner, "swot", json!({ "goal": format!("Grow {marker}") })).await;
        let analysis = finished(&owner, &id).await;
        assert_eq!(analysis["status"], "succeeded", "{provider}: {analysis}");
        assert_eq!(analysis["provider"], provider);
        let calls = stack().providers.calls_with(&marker);
        assert_eq!(calls.len(), 1, "{provider}");
        assert_eq!(calls[0].path, path);
        assert_eq!(calls[0].headers[header], value, "{provider}");
        if provider == "anthropic-eu" {
            assert_eq!(calls[0].headers["anthropic-version"], "2023-06-01");
            assert_eq!(calls[0].body["max_tokens"], 4096);
            assert_eq!(
                calls[0].body["output_config"]["format"]["type"],
                "json_schema"
            );
        } else {
            assert_eq!(
                calls[0].body["generationConfig"]["responseMimeType"],
                "application/json"
            );
            assert!(
                calls[0].body["generationConfig"]["responseSchema"]["properties"]["charts"]
                    .is_object()
            );
        }
    }
    // An OpenAI-compatible server without a key gets no authorization header at all.
    allow(&owner, &["compat-eu"]).await;
    let marker = marker();
    let id = submit(&owner, "swot", json!({ "goal": format!("Grow {marker}") })).await;
    assert_eq!(finished(&owner, &id).await["status"], "succeeded");
    let calls = stack().providers.calls_with(&marker);
    assert_eq!(calls[0].path, "/compat/v1/chat/completions");
    assert!(!calls[0].headers.contains_key("authorization"));
}

#[tokio::test]
async fn eu_tenants_may_use_only_eu_resident_providers() {
    let owner = sign_up("Residency Bakery").await;
    allow(&owner, &["openai-us"]).await;
    let reply = owner
        .api
        .post(
            "/v1/analyses",
            json!({ "kind": "swot", "inputs": { "goal": "Grow" } }),
        )
        .await;
    assert_eq!(reply.status, 409, "{:?}", reply.body);
    assert_eq!(reply.error_code(), "no_provider");
    assert!(reply.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("EU"));
    let kinds = owner.api.get("/v1/analysis-kinds").await;
    assert_eq!(kinds.body["provider"], Value::Null);

    let unknown = owner
        .api
        .patch("/v1/tenant", json!({ "allowed_providers": ["skynet"] }))
        .await;
    assert_eq!(unknown.status, 400, "{:?}", unknown.body);
    assert!(unknown.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("skynet"));
}

#[tokio::test]
async fn a_provider_error_then_success_is_retried_once() {
    let owner = sign_up("Retry Bakery").await;
    let marker = marker();
    stack().providers.script(&marker, [Step::Status(500)]);
    let id = submit(&owner, "swot", json!({ "goal": format!("Grow {marker}") })).await;
    let analysis = finished(&owner, &id).await;
    assert_eq!(analysis["status"], "succeeded", "{analysis}");
    assert_eq!(analysis["attempts"], 1, "retried within one delivery");
    let calls = stack().providers.calls_with(&marker);
    assert_eq!(calls.len(), 2, "one failure, one retry");
    assert_eq!(calls[0].raw, calls[1].raw, "the same request again");
}

async fn dead_lettered(analysis_id: &str) -> Option<String> {
    let sqs = aws_sdk_sqs::Client::new(&stack().sdk().await);
    for _ in 0..30 {
        let out = sqs
            .receive_message()
            .queue_url(&stack().config.analysis_dead_letter_queue_url)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .send()
            .await
            .expect("receive from DLQ");
        if let Some(body) = out
            .messages()
            .iter()
            .filter_map(|m| m.body())
            .find(|b| b.contains(analysis_id))
        {
            return Some(body.to_owned());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    None
}

#[tokio::test]
async fn a_provider_that_stays_down_fails_the_job_into_the_dead_letter_queue() {
    let owner = sign_up("Down Bakery").await;
    let marker = marker();
    stack()
        .providers
        .script(&marker, std::iter::repeat_n(Step::Status(503), 200));
    let id = submit(&owner, "swot", json!({ "goal": format!("Grow {marker}") })).await;
    let analysis = wait_until(&owner, &id, Duration::from_secs(60), |a| {
        a["status"] == "failed"
    })
    .await;
    assert_eq!(
        analysis["attempts"], 3,
        "one claim per delivery, three deliveries"
    );
    let reason = analysis["failure"].as_str().expect("reason");
    assert!(
        reason.contains("unavailable (status 503)") && reason.contains("retry"),
        "{reason}"
    );
    assert!(
        stack().providers.calls_with(&marker).len() > 3,
        "retried within each delivery"
    );

    let body = dead_lettered(&id)
        .await
        .expect("the job is in the dead-letter queue");
    let message: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        message,
        json!({ "tenant_id": owner.tenant_id, "analysis_id": id }),
        "the message carries ids only"
    );

    // The user can try again once the provider is back.
    let retried = owner
        .api
        .post(&format!("/v1/analyses/{id}/retry"), json!({}))
        .await;
    assert_eq!(retried.status, 202, "{:?}", retried.body);
    stack().providers.script(&marker, []);
    let again = finished(&owner, &id).await;
    assert_eq!(again["status"], "succeeded", "{again}");
    assert_eq!(again["failure"], Value::Null);
}

#[tokio::test]
async fn a_refusal_fails_at_once_with_a_readable_reason() {
    let owner = sign_up("Refused Bakery").await;
    let marker = marker();
    stack().providers.script(&marker, [Step::Refuse]);
    let id = submit(&owner, "swot", json!({ "goal": format!("Grow {marker}") })).await;
    let analysis = finished(&owner, &id).await;
    assert_eq!(analysis["status"], "failed");
    assert_eq!(
        analysis["failure"],
        "The AI model declined to answer: I can't help with that."
    );
    assert_eq!(
        stack().providers.calls_with(&marker).len(),
        1,
        "not retried"
    );
    assert!(dead_lettered(&id).await.is_some(), "parked for operators");
}

/// A queued SWOT analysis whose goal carries `marker`, written straight to the table: a job the
/// stack's own consumer never sees, for a test that delivers it to its own worker.
async fn queued_job(worker: &analysis_worker::Worker, owner: &User, marker: &str) -> JobMessage {
    let tenant = TenantId::parse(&owner.tenant_id).unwrap();
    let analysis = confide_shared::domain::analysis_record::Analysis::new(
        confide_shared::domain::analysis::AnalysisKind::Swot,
        json!({ "goal": format!("Grow {marker}") }),
        None,
        confide_shared::domain::UserId::parse(&owner.user_id).unwrap(),
        confide_shared::clock::now_rfc3339(),
    );
    worker
        .app
        .store
        .create_analysis(&tenant, &analysis)
        .await
        .unwrap();
    JobMessage {
        tenant_id: tenant,
        analysis_id: analysis.id,
    }
}

fn delivery(job: &JobMessage, receive_count: u32) -> SqsEvent {
    let mut message = SqsMessage::default();
    message.message_id = Some(uuid::Uuid::new_v4().to_string());
    message.body = Some(serde_json::to_string(job).unwrap());
    message
        .attributes
        .insert("ApproximateReceiveCount".into(), receive_count.to_string());
    let mut event = SqsEvent::default();
    event.records.push(message);
    event
}

#[tokio::test]
async fn a_duplicate_delivery_never_calls_the_provider_twice() {
    let owner = sign_up("Duplicate Bakery").await;
    let marker = marker();
    // The first call stalls, so the duplicate arrives while the job is running.
    stack()
        .providers
        .script(&marker, [Step::Stall(Duration::from_millis(1500))]);
    let id = submit(&owner, "swot", json!({ "goal": format!("Grow {marker}") })).await;
    wait_until(&owner, &id, Duration::from_secs(20), |a| {
        a["status"] == "running"
    })
    .await;

    let worker = stack().worker().await;
    let job = JobMessage {
        tenant_id: TenantId::parse(&owner.tenant_id).unwrap(),
        analysis_id: AnalysisId::parse(&id).unwrap(),
    };
    let during = analysis_worker::handle(&worker, delivery(&job, 1), None).await;
    assert_eq!(
        during.batch_item_failures.len(),
        1,
        "held by the first delivery: comes back later"
    );

    let done = finished(&owner, &id).await;
    assert_eq!(done["status"], "succeeded");
    let after = analysis_worker::handle(&worker, delivery(&job, 2), None).await;
    assert!(
        after.batch_item_failures.is_empty(),
        "a finished job is acknowledged"
    );
    let twice = analysis_worker::handle(
        &worker,
        {
            let mut event = delivery(&job, 1);
            event.records.extend(delivery(&job, 1).records);
            event
        },
        None,
    )
    .await;
    assert!(twice.batch_item_failures.is_empty());

    assert_eq!(
        stack().providers.calls_with(&marker).len(),
        1,
        "the provider was called once"
    );
    let unchanged = owner.api.get(&format!("/v1/analyses/{id}")).await.body;
    assert_eq!(
        unchanged["finished_at"], done["finished_at"],
        "the result was not overwritten"
    );
    assert_eq!(unchanged["result"], done["result"]);
}

#[tokio::test]
async fn a_worker_that_dies_mid_job_leaves_it_to_be_redelivered_and_finished() {
    let owner = sign_up("Crash Bakery").await;
    allow(&owner, &["compat-eu"]).await;
    let marker = marker();
    stack()
        .providers
        .script(&marker, [Step::Stall(Duration::from_secs(30))]);
    // A job the stack's own consumer never sees: this test is its only worker.
    let worker = stack().worker().await;
    let job = queued_job(&worker, &owner, &marker).await;

    // The worker is cut off while waiting for the provider, as if its Lambda had died.
    let crashed = tokio::time::timeout(
        Duration::from_millis(700),
        analysis_worker::handle(&worker, delivery(&job, 1), None),
    )
    .await;
    assert!(crashed.is_err(), "the first run was cut off");
    let path = format!("/v1/analyses/{}", job.analysis_id);
    assert_eq!(owner.api.get(&path).await.body["status"], "running");

    // Redelivered while the dead worker's lease holds: not claimed.
    let early = analysis_worker::handle(&worker, delivery(&job, 2), None).await;
    assert_eq!(early.batch_item_failures.len(), 1);
    // After the lease (budget + margin = 4 s), the next delivery takes over and finishes.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let late = analysis_worker::handle(&worker, delivery(&job, 3), None).await;
    assert!(late.batch_item_failures.is_empty());
    let done = owner.api.get(&path).await.body;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["attempts"], 2);
    assert_eq!(stack().providers.calls_with(&marker).len(), 2);
}

#[tokio::test]
async fn results_and_inputs_are_stored_without_clear_text() {
    let owner = sign_up("Sealed Bakery").await;
    let marker = marker();
    let id = submit(
        &owner,
        "customer_feedback",
        json!({ "feedback": format!("{marker} from {EMAIL}") }),
    )
    .await;
    assert_eq!(finished(&owner, &id).await["status"], "succeeded");
    let sdk = stack().sdk().await;
    let tenant = TenantId::parse(&owner.tenant_id).unwrap();
    let analysis = AnalysisId::parse(&id).unwrap();

    let s3 = aws_sdk_s3::Client::new(&sdk);
    for key in [
        result_key(&tenant, &analysis),
        chart_key(&tenant, &analysis, 0),
    ] {
        let object = s3
            .get_object()
            .bucket(&stack().config.bucket)
            .key(&key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(
            object.server_side_encryption().map(|s| s.as_str()),
            Some("aws:kms"),
            "SSE-KMS underneath"
        );
        let raw = object.body.collect().await.unwrap().into_bytes();
        let text = String::from_utf8_lossy(&raw);
        for clear in [EMAIL, "Stand-in analysis", "Findings", "<svg"] {
            assert!(!text.contains(clear), "{clear} in clear in {key}");
        }
    }

    let ddb = aws_sdk_dynamodb::Client::new(&sdk);
    let item = ddb
        .get_item()
        .table_name(&stack().table)
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("T#{tenant}")),
        )
        .key(
            "sk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("AN#{id}")),
        )
        .send()
        .await
        .unwrap()
        .item
        .expect("raw item");
    let raw = format!("{item:?}");
    assert!(
        !raw.contains(&marker) && !raw.contains(EMAIL),
        "inputs in clear: {raw}"
    );
    assert!(item["data"].as_b().is_ok(), "data is an encrypted blob");
    assert_eq!(
        item["status"].as_s().unwrap(),
        "succeeded",
        "status is signed, readable by conditions"
    );
}

#[tokio::test]
async fn every_kind_runs_offline_and_downloads_in_every_format() {
    let owner = sign_up("Offline Bakery").await;
    allow(&owner, &["offline"]).await;
    let kinds = owner.api.get("/v1/analysis-kinds").await;
    assert_eq!(kinds.status, 200);
    assert_eq!(kinds.body["provider"]["name"], "offline");
    let catalogue = kinds.body["kinds"].as_array().unwrap();
    assert_eq!(catalogue.len(), 6);
    let forms: Vec<(String, Value)> = vec![
        ("swot".into(), json!({ "goal": "Open a second shop" })),
        (
            "competitor_landscape".into(),
            json!({ "competitors": ["Loaf Ltd"], "market": "Bristol" }),
        ),
        (
            "marketing_plan".into(),
            json!({ "objective": "Weekday sales", "budget_eur": 2000, "duration_months": 3 }),
        ),
        (
            "customer_personas".into(),
            json!({ "target_segments": ["office workers"] }),
        ),
        (
            "pricing_review".into(),
            json!({ "products": ["Sourdough 4.50"], "pricing_goal": "margin" }),
        ),
        (
            "customer_feedback".into(),
            json!({ "feedback": "Great bread, slow queue." }),
        ),
    ];
    for entry in catalogue {
        assert!(entry["form_schema"]["properties"].is_object(), "{entry}");
        assert!(
            forms.iter().any(|(k, _)| entry["kind"] == k.as_str()),
            "{entry}"
        );
    }
    let mut ids = Vec::new();
    for (kind, inputs) in &forms {
        ids.push(submit(&owner, kind, inputs.clone()).await);
    }
    for id in &ids {
        let analysis = finished(&owner, id).await;
        assert_eq!(analysis["status"], "succeeded", "{analysis}");
        assert_eq!(analysis["provider"], "offline");
        assert!(analysis["result"]["summary"]
            .as_str()
            .unwrap()
            .contains("Offline demo result"));
        let (status, content_type, disposition, html) = owner
            .api
            .download(&format!("/v1/analyses/{id}/report?format=html"))
            .await;
        assert_eq!(status, 200);
        assert_eq!(content_type, "text/html; charset=utf-8");
        assert_eq!(
            disposition,
            format!("attachment; filename=\"analysis-{id}.html\"")
        );
        assert!(
            html.starts_with("<!DOCTYPE html>") && html.contains("<figure><svg"),
            "{html}"
        );
    }
    let usage = owner.api.get("/v1/analysis-usage").await;
    assert_eq!(
        usage.body["usage"]["jobs"], 6,
        "one count per job: {:?}",
        usage.body
    );
    assert_eq!(
        usage.body["usage"]["input_tokens"], 0,
        "offline uses no tokens"
    );

    let id = &ids[0];
    let (_, md_type, _, md) = owner
        .api
        .download(&format!("/v1/analyses/{id}/report?format=md"))
        .await;
    assert!(
        md_type.starts_with("text/markdown") && md.starts_with("# SWOT analysis"),
        "{md}"
    );
    let (_, _, _, csv) = owner
        .api
        .download(&format!("/v1/analyses/{id}/report?format=csv"))
        .await;
    assert!(
        csv.starts_with("type,chart,label,series,value,unit\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains("chart_point,\"SWOT analysis — demo figures\",\"Strengths\""),
        "{csv}"
    );
    let (_, json_type, _, report) = owner
        .api
        .download(&format!("/v1/analyses/{id}/report?format=json"))
        .await;
    assert_eq!(json_type, "application/json");
    let report: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["analysis"]["analysis_id"], id.as_str());

    let audit = owner
        .api
        .get("/v1/audit?action=analysis.report_downloaded")
        .await;
    assert_eq!(audit.status, 200);
    assert_eq!(
        audit.body["entries"].as_array().map(Vec::len),
        Some(ids.len() + 3),
        "{:?}",
        audit.body
    );

    let listed = owner.api.get("/v1/analyses?limit=4").await;
    assert_eq!(listed.status, 200);
    let page: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    let newest_first: Vec<&str> = ids.iter().rev().take(4).map(String::as_str).collect();
    assert_eq!(page, newest_first);
    let cursor = listed.body["next_cursor"].as_str().expect("more pages");
    let rest = owner
        .api
        .get(&format!("/v1/analyses?limit=4&cursor={cursor}"))
        .await;
    let rest: Vec<&str> = rest.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(rest, vec![ids[1].as_str(), ids[0].as_str()]);
}

#[tokio::test]
async fn another_tenant_can_neither_read_download_retry_nor_delete() {
    let owner = sign_up("Private Bakery").await;
    let intruder = sign_up("Nosy Bakery").await;
    allow(&owner, &["offline"]).await;
    let id = submit(&owner, "swot", json!({ "goal": "Keep secrets" })).await;
    assert_eq!(finished(&owner, &id).await["status"], "succeeded");
    for (method, path) in [
        ("GET", format!("/v1/analyses/{id}")),
        ("GET", format!("/v1/analyses/{id}/report?format=html")),
        ("POST", format!("/v1/analyses/{id}/retry")),
        ("DELETE", format!("/v1/analyses/{id}")),
    ] {
        let body = (method == "POST").then(|| json!({}));
        let reply = intruder.api.send(method, &path, body).await;
        assert_eq!(reply.status, 404, "{method} {path}: {:?}", reply.body);
    }
    let listed = intruder.api.get("/v1/analyses").await;
    assert_eq!(listed.body["items"], json!([]));
    assert_eq!(
        owner.api.get(&format!("/v1/analyses/{id}")).await.status,
        200,
        "still there"
    );
}

#[tokio::test]
async fn deleting_an_analysis_removes_its_item_and_every_object() {
    let owner = sign_up("Tidy Bakery").await;
    allow(&owner, &["offline"]).await;
    let id = submit(&owner, "swot", json!({ "goal": "Tidy up" })).await;
    assert_eq!(finished(&owner, &id).await["status"], "succeeded");
    let deleted = owner.api.delete(&format!("/v1/analyses/{id}")).await;
    assert_eq!(deleted.status, 204, "{:?}", deleted.body);
    assert_eq!(
        owner.api.get(&format!("/v1/analyses/{id}")).await.status,
        404
    );
    assert_eq!(
        owner.api.delete(&format!("/v1/analyses/{id}")).await.status,
        404
    );
    let s3 = aws_sdk_s3::Client::new(&stack().sdk().await);
    let versions = s3
        .list_object_versions()
        .bucket(&stack().config.bucket)
        .prefix(format!("tenants/{}/analyses/{id}/", owner.tenant_id))
        .send()
        .await
        .unwrap();
    assert!(versions.versions().is_empty(), "no object versions left");
    assert!(
        versions.delete_markers().is_empty(),
        "no delete markers left"
    );
}

#[tokio::test]
async fn viewers_read_analysts_write() {
    let owner = sign_up("Roles Bakery").await;
    allow(&owner, &["offline"]).await;
    let viewer = invite(&owner, "viewer").await;
    let analyst = invite(&owner, "analyst").await;
    let agent = invite(&owner, "agent").await;
    let id = submit(&analyst, "swot", json!({ "goal": "Analyst's idea" })).await;
    assert_eq!(
        finished(&analyst, &id).await["created_by"],
        analyst.user_id.as_str()
    );

    assert_eq!(
        viewer.api.get(&format!("/v1/analyses/{id}")).await.status,
        200
    );
    let (status, ..) = viewer
        .api
        .download(&format!("/v1/analyses/{id}/report"))
        .await;
    assert_eq!(status, 200, "viewers download reports");
    let create = viewer
        .api
        .post(
            "/v1/analyses",
            json!({ "kind": "swot", "inputs": { "goal": "No" } }),
        )
        .await;
    assert_eq!(create.status, 403);
    assert_eq!(
        viewer
            .api
            .delete(&format!("/v1/analyses/{id}"))
            .await
            .status,
        403
    );
    let template = viewer
        .api
        .post(
            "/v1/analysis-templates",
            json!({ "name": "x", "kind": "swot", "inputs": { "goal": "Grow" } }),
        )
        .await;
    assert_eq!(template.status, 403);
    assert_eq!(
        agent.api.get("/v1/analyses").await.status,
        403,
        "agents handle contacts, not analyses"
    );
    assert_eq!(
        analyst
            .api
            .delete(&format!("/v1/analyses/{id}"))
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn saved_forms_are_created_reused_changed_and_deleted() {
    let owner = sign_up("Template Bakery").await;
    allow(&owner, &["offline"]).await;
    let created = owner
        .api
        .post(
            "/v1/analysis-templates",
            json!({ "name": " Quarterly SWOT ", "kind": "swot", "inputs": { "goal": "Grow each quarter" } }),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["name"], "Quarterly SWOT");
    let template_id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/analysis-templates/{template_id}");

    let listed = owner.api.get("/v1/analysis-templates").await;
    assert_eq!(listed.body["items"][0]["id"], template_id.as_str());
    let used = owner
        .api
        .post("/v1/analyses", json!({ "template_id": template_id }))
        .await;
    assert_eq!(used.status, 202, "{:?}", used.body);
    let analysis = finished(&owner, used.body["id"].as_str().unwrap()).await;
    assert_eq!(analysis["kind"], "swot");
    assert_eq!(analysis["inputs"], json!({ "goal": "Grow each quarter" }));
    assert_eq!(analysis["template_id"], template_id.as_str());

    let changed = owner
        .api
        .put(&path, json!({ "name": "Yearly SWOT", "kind": "swot", "inputs": { "goal": "Grow each year" } }))
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(
        owner.api.get(&path).await.body["inputs"]["goal"],
        "Grow each year"
    );
    let mismatch = owner
        .api
        .post(
            "/v1/analyses",
            json!({ "template_id": template_id, "kind": "pricing_review" }),
        )
        .await;
    assert_eq!(mismatch.status, 400);

    assert_eq!(owner.api.delete(&path).await.status, 204);
    assert_eq!(owner.api.get(&path).await.status, 404);
    assert_eq!(
        owner
            .api
            .put(
                &path,
                json!({ "name": "x", "kind": "swot", "inputs": { "goal": "Grow" } })
            )
            .await
            .status,
        404
    );
    let gone = owner
        .api
        .post("/v1/analyses", json!({ "template_id": template_id }))
        .await;
    assert_eq!(gone.status, 400);
    assert_eq!(gone.error_code(), "unknown_template");
}

#[tokio::test]
async fn bad_analysis_requests_get_clear_errors() {
    let owner = sign_up("Careless Bakery").await;
    allow(&owner, &["offline"]).await;
    let cases = [
        (json!({ "kind": "horoscope", "inputs": {} }), "kind"),
        (
            json!({ "kind": "swot", "inputs": { "goal": "ab" } }),
            "goal: must be between 3 and 500",
        ),
        (
            json!({ "kind": "competitor_landscape", "inputs": { "competitors": ["a", ""], "market": "xy" } }),
            "competitors[1]",
        ),
        (json!({ "kind": "swot" }), "inputs: is required"),
        (json!({ "inputs": { "goal": "Grow" } }), "kind: is required"),
        (
            json!({ "kind": "swot", "inputs": { "goal": "Grow" }, "priority": "high" }),
            "priority",
        ),
    ];
    for (body, expected) in cases {
        let reply = owner.api.post("/v1/analyses", body.clone()).await;
        assert_eq!(reply.status, 400, "{body}: {:?}", reply.body);
        let message = reply.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{body}: {message}");
    }
    let raw = owner
        .api
        .send_raw("POST", "/v1/analyses", Some("{nope".into()))
        .await;
    assert_eq!(raw.status, 400);
    assert_eq!(raw.error_code(), "invalid_json");

    let id = submit(&owner, "swot", json!({ "goal": "Grow" })).await;
    let bad_format = owner
        .api
        .get(&format!("/v1/analyses/{id}/report?format=pdf"))
        .await;
    assert_eq!(bad_format.status, 400);
    assert_eq!(finished(&owner, &id).await["status"], "succeeded");
    let retry_done = owner
        .api
        .post(&format!("/v1/analyses/{id}/retry"), json!({}))
        .await;
    assert_eq!(retry_done.status, 409);
    assert_eq!(retry_done.error_code(), "not_retryable");
    for query in ["limit=0", "limit=abc", "cursor=a%23b"] {
        let reply = owner.api.get(&format!("/v1/analyses?{query}")).await;
        assert_eq!(reply.status, 400, "{query}: {:?}", reply.body);
    }
    assert_eq!(
        owner
            .api
            .get("/v1/analysis-usage?month=2026-13")
            .await
            .status,
        400
    );
    assert_eq!(
        owner.api.get("/v1/analyses/not%23an%23id").await.status,
        404
    );
}

#[tokio::test]
async fn analyses_beyond_the_plan_are_refused_with_402_and_the_limit() {
    let owner = sign_up("Busy Bakery").await;
    allow(&owner, &["offline"]).await;
    let limit = confide_tests::PLAN.limits().analyses_per_month;
    let app = stack().app().await;
    let tenant = TenantId::parse(&owner.tenant_id).unwrap();
    let month = &confide_shared::clock::now_rfc3339()[..7];
    // The month's count, taken up to one below the limit as earlier submissions would have.
    for _ in 0..limit - 1 {
        assert_eq!(
            app.store
                .admit_analysis(&tenant, month, limit)
                .await
                .unwrap(),
            None
        );
    }
    let last = owner
        .api
        .post(
            "/v1/analyses",
            json!({ "kind": "swot", "inputs": { "goal": "The last one" } }),
        )
        .await;
    assert_eq!(
        last.status, 202,
        "the limit itself is allowed: {:?}",
        last.body
    );
    let over = owner
        .api
        .post(
            "/v1/analyses",
            json!({ "kind": "swot", "inputs": { "goal": "One too many" } }),
        )
        .await;
    assert_eq!(over.status, 402, "{:?}", over.body);
    assert_eq!(over.error_code(), "plan_limit_reached");
    assert_eq!(
        over.body["error"]["limit"],
        json!({ "metered": "analyses_per_month", "limit": limit, "used": limit })
    );
    let listed = owner.api.get("/v1/analyses").await;
    assert_eq!(
        listed.body["items"].as_array().map(Vec::len),
        Some(1),
        "nothing stored for the refused one"
    );
    let usage = owner.api.get("/v1/analysis-usage").await;
    assert_eq!(usage.body["usage"]["analyses"], limit);

    // A submission that fails after it was counted gives its place back, never below zero.
    app.store.release_analysis(&tenant, month).await.unwrap();
    let usage = owner.api.get("/v1/analysis-usage").await;
    assert_eq!(usage.body["usage"]["analyses"], limit - 1);
    let fresh = sign_up("Empty Bakery").await;
    let fresh_tenant = TenantId::parse(&fresh.tenant_id).unwrap();
    assert!(
        app.store
            .release_analysis(&fresh_tenant, month)
            .await
            .is_err(),
        "nothing counted, nothing to give back"
    );

    // Another tenant's month is its own.
    let other = sign_up("Quiet Bakery").await;
    allow(&other, &["offline"]).await;
    let fine = other
        .api
        .post(
            "/v1/analyses",
            json!({ "kind": "swot", "inputs": { "goal": "Plenty left" } }),
        )
        .await;
    assert_eq!(fine.status, 202);
}

/// The provider's request for an analysis whose feedback is `text`, once the job has finished.
async fn provider_request_for(user: &User, text: &str) -> String {
    let marker = marker();
    let inputs =
        json!({ "feedback": format!("{marker}: {text}"), "question": "What should we change?" });
    let id = submit(user, "customer_feedback", inputs).await;
    let analysis = finished(user, &id).await;
    assert_eq!(analysis["status"], "succeeded", "{analysis}");
    let calls = stack().providers.calls_with(&marker);
    assert_eq!(calls.len(), 1, "one call");
    calls[0].raw.clone()
}

#[tokio::test]
async fn the_tenants_contacts_and_members_are_kept_from_the_provider_in_any_written_form() {
    let owner = sign_up("Name Dictionary Bakery").await;
    let country = owner
        .api
        .patch("/v1/tenant", json!({ "default_country": "DE" }))
        .await;
    assert_eq!(country.status, 200, "{:?}", country.body);
    // Names no gazetteer holds: only the tenant's dictionary can know them.
    for name in ["Ziemowit Pstrągowski", "Gesine Wöhrlebach"] {
        let created = owner
            .api
            .post("/v1/contacts", json!({ "name": name }))
            .await;
        assert_eq!(created.status, 201, "{:?}", created.body);
    }
    let member_email = format!(
        "halina.bartoszewiczowa@{}.example.com",
        uuid::Uuid::new_v4().simple()
    );
    let invited = owner
        .api
        .post(
            "/v1/members",
            json!({ "email": member_email, "role": "agent" }),
        )
        .await;
    assert_eq!(invited.status, 201, "{:?}", invited.body);

    let raw = provider_request_for(
        &owner,
        "Pstrągowskiego complained twice, WOHRLEBACH, GESINE too; Bartoszewiczowa from our team \
         answered. Call back on 030 1234567. Market day 05.03.2027 09.00-18.30, invoice 0012345, \
         barcode 4006381333931, 12,5 % more than 2026.",
    )
    .await;
    for secret in [
        "Pstrągowski",
        "WOHRLEBACH",
        "GESINE",
        "Bartoszewiczowa",
        "030 1234567",
    ] {
        assert!(
            !raw.contains(secret),
            "{secret} reached the provider: {raw}"
        );
    }
    for needed in [
        "05.03.2027",
        "09.00-18.30",
        "0012345",
        "4006381333931",
        "12,5 %",
        "2026",
    ] {
        assert!(raw.contains(needed), "{needed} was redacted: {raw}");
    }

    // Erasing a contact takes its name out of the dictionary: the dictionary follows the contacts.
    let contacts = owner.api.get("/v1/contacts").await;
    let ziemowit = contacts.body["items"]
        .as_array()
        .expect("contacts")
        .iter()
        .find(|c| c["name"] == "Ziemowit Pstrągowski")
        .expect("the contact")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let deleted = owner.api.delete(&format!("/v1/contacts/{ziemowit}")).await;
    assert_eq!(deleted.status, 204, "{:?}", deleted.body);
    let raw = provider_request_for(&owner, "Pstrągowski wrote; Wöhrlebach too.").await;
    assert!(
        raw.contains("Pstrągowski"),
        "an erased contact is no longer looked for: {raw}"
    );
    assert!(!raw.contains("Wöhrlebach"), "{raw}");
}

/// A worker reads its providers' keys with its first job, not at cold start. A key it cannot read
/// leaves the job as it was (queued, not claimed) to come back; the next delivery reads again, and
/// the provider gets the key.
#[tokio::test]
async fn a_provider_key_that_cannot_be_read_leaves_the_job_for_the_next_delivery() {
    use confide_shared::genai::registry::Providers;

    let owner = sign_up("Keyless Bakery").await;
    allow(&owner, &["compat-eu"]).await;
    let marker = marker();
    let parameter = format!("/confide/dev/genai/{}", uuid::Uuid::new_v4().simple());
    let key = format!("key-{}", uuid::Uuid::new_v4().simple());
    let mut config = stack().config.clone();
    config.providers = Providers::parse(
        Some(
            &json!([{ "name": "compat-eu", "api": "openai_compatible", "model": "llama-test",
                      "base_url": format!("{}/compat/v1", stack().providers.url),
                      "eu_resident": true, "api_key_parameter": parameter }])
            .to_string(),
        ),
        Some("compat-eu"),
    )
    .expect("provider list");
    let sdk = stack().sdk().await;
    let app = confide_shared::App::new(config, &sdk)
        .await
        .expect("app builds");
    let worker = analysis_worker::Worker::connect(std::sync::Arc::new(app));
    // A job the stack's own consumer never sees: this test is its only worker.
    let job = queued_job(&worker, &owner, &marker).await;
    let path = format!("/v1/analyses/{}", job.analysis_id);

    let without_key = analysis_worker::handle(&worker, delivery(&job, 1), None).await;
    assert_eq!(without_key.batch_item_failures.len(), 1, "comes back");
    assert_eq!(owner.api.get(&path).await.body["status"], "queued");
    assert!(stack().providers.calls_with(&marker).is_empty());

    aws_sdk_ssm::Client::new(&sdk)
        .put_parameter()
        .name(&parameter)
        .value(&key)
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .expect("the key is stored");
    let with_key = analysis_worker::handle(&worker, delivery(&job, 2), None).await;
    assert!(with_key.batch_item_failures.is_empty(), "done");
    assert_eq!(owner.api.get(&path).await.body["status"], "succeeded");
    let calls = stack().providers.calls_with(&marker);
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].headers.get("authorization"),
        Some(&format!("Bearer {key}"))
    );
}
