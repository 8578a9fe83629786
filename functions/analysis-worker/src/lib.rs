//! The analysis worker: consumes the analysis queue, one job per message, with partial batch failures.
//!
//! A message names a job by ids. The worker claims the job with a conditional status transition (so a
//! duplicate delivery never calls the provider twice and never overwrites a finished result), builds the
//! pseudonymised prompt, calls the tenant's provider with retries inside a time budget, restores the
//! placeholders, seals result and charts into S3 and records the tokens used.
//!
//! What becomes of a message:
//! - acknowledged: the job succeeded, failed for good, was already finished, or was deleted;
//! - returned (batch item failure): another worker holds the job, or the provider stayed unavailable
//!   for the whole budget. On the queue's last delivery such a job is marked failed first; SQS then
//!   moves the message to the dead-letter queue. Jobs that fail for good at once (the provider rejects
//!   the request, the model refuses) are parked in the dead-letter queue too, for operators.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use confide_shared::app::Actor;
use confide_shared::clock::{now_rfc3339, now_unix};
use confide_shared::domain::analysis::people;
use confide_shared::domain::analysis_record::{Analysis, NotClaimed, TokenUsage};
use confide_shared::domain::audit::{AuditAction, AuditTarget};
use confide_shared::error::{cause_chain, BoxError};
use confide_shared::genai::registry::{api_keys, ProviderSpec};
use confide_shared::genai::{self, offline, prompt::analysis_prompt, ProviderError, Reply};
use confide_shared::http::RequestInfo;
use confide_shared::jobs::JobMessage;
use confide_shared::metrics::Record;
use confide_shared::objects::{analysis_prefix, chart_key, result_key};
use confide_shared::pseudonymize::{NameCache, NameDictionary, Pseudonymizer, Vault};
use confide_shared::queues::read_job;
use confide_shared::reports::AnalysisResult;
use confide_shared::store::{StoreError, TenantForJob, Versioned};
use confide_shared::App;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;
use tokio::time::Instant;

/// What the worker needs besides the [`App`]: the providers' API keys and the tenants' names.
pub struct Worker {
    pub app: Arc<App>,
    /// Provider name → API key, read once, by the first job ([`Worker::api_keys`]).
    api_keys: OnceCell<HashMap<String, String>>,
    /// Tenants' name dictionaries, rebuilt only when their names change.
    pub names: NameCache,
}

impl Worker {
    /// The worker's state, built once at cold start by its `main.rs` and by the local stack.
    pub fn connect(app: Arc<App>) -> Self {
        Self {
            app,
            api_keys: OnceCell::new(),
            names: NameCache::default(),
        }
    }

    /// Every configured provider's API key (one SSM request where they live there), read by the
    /// first job rather than at cold start; a failed read is tried again by the next job.
    pub async fn api_keys(&self) -> Result<&HashMap<String, String>, BoxError> {
        self.api_keys
            .get_or_try_init(|| api_keys(&self.app.config.providers, &self.app.ssm))
            .await
    }
}

/// Whether SQS should forget a message or bring it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Done,
    Retry,
}

/// Handles one batch. `deadline` is the invocation's (Lambda), if any: jobs give themselves back
/// before it rather than be cut off.
pub async fn handle(
    worker: &Worker,
    event: SqsEvent,
    deadline: Option<Instant>,
) -> SqsBatchResponse {
    let budget_end = {
        let configured = Instant::now() + worker.app.config.jobs.budget;
        match deadline {
            // Leave time to store a result and report back.
            Some(d) => configured.min(d.checked_sub(Duration::from_secs(10)).unwrap_or(d)),
            None => configured,
        }
    };
    let outcomes = futures::future::join_all(
        event
            .records
            .iter()
            .map(|record| process(worker, record, budget_end)),
    )
    .await;
    let mut response = SqsBatchResponse::default();
    for (record, outcome) in event.records.iter().zip(outcomes) {
        if outcome == Disposition::Retry {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = record.message_id.clone().unwrap_or_default();
            response.batch_item_failures.push(failure);
        }
    }
    response
}

fn receive_count(record: &SqsMessage) -> u32 {
    record
        .attributes
        .get("ApproximateReceiveCount")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

/// One message; errors of our own infrastructure (table, bucket, KMS) bring the message back.
pub async fn process(worker: &Worker, record: &SqsMessage, budget_end: Instant) -> Disposition {
    let message_id = record.message_id.clone().unwrap_or_default();
    let job: JobMessage = match read_job("analysis", record.body.as_deref()) {
        Ok(job) => job,
        Err(poison) => {
            tracing::error!(%message_id, error = %cause_chain(&poison), "analysis job unreadable");
            return Disposition::Retry;
        }
    };
    let last_delivery = receive_count(record) >= worker.app.config.jobs.max_receives;
    match run(worker, &job, &message_id, last_delivery, budget_end).await {
        Ok(disposition) => disposition,
        Err(e) => {
            tracing::error!(
                %message_id,
                tenant = %job.tenant_id,
                analysis = %job.analysis_id,
                error = %cause_chain(e.as_ref()),
                "analysis job failed; it will be delivered again"
            );
            Disposition::Retry
        }
    }
}

async fn run(
    worker: &Worker,
    job: &JobMessage,
    message_id: &str,
    last_delivery: bool,
    budget_end: Instant,
) -> Result<Disposition, BoxError> {
    let job_started = Instant::now();
    let app = &worker.app;
    // Before the job is claimed: a key that cannot be read leaves it untouched for the next delivery.
    let api_keys = worker.api_keys().await?;
    let tenant_id = &job.tenant_id;
    let Some(current) = app.store.analysis(tenant_id, &job.analysis_id).await? else {
        return Ok(Disposition::Done); // deleted by the user meanwhile
    };
    let lease = app.config.jobs.budget + app.config.jobs.lease_margin;
    let claimed = match current
        .record
        .claim(now_unix(), now_rfc3339(), lease.as_secs() as i64)
    {
        Ok(claimed) => claimed,
        Err(NotClaimed::Finished) => return Ok(Disposition::Done),
        Err(NotClaimed::Held { .. }) => return Ok(Disposition::Retry),
    };
    let mut job_state = match app
        .store
        .transition_analysis(tenant_id, &current, claimed)
        .await
    {
        Ok(state) => state,
        // Another delivery claimed it first.
        Err(StoreError::ConditionFailed) => return Ok(Disposition::Retry),
        Err(e) => return Err(e.into()),
    };

    let TenantForJob {
        tenant,
        profile,
        known_names,
    } = app
        .store
        .tenant_for_job(tenant_id)
        .await?
        .ok_or("the job's tenant no longer exists")?;
    let spec = match app.config.providers.choose(
        tenant.data_region,
        tenant.settings.allowed_providers.as_deref(),
    ) {
        Ok(spec) => spec,
        Err(no_provider) => {
            let reason = format!("The analysis could not run: {no_provider}.");
            finish_failed(worker, job, &job_state, reason, None).await?;
            return Ok(Disposition::Done);
        }
    };
    let analysis = &job_state.record;
    // The people the job names, and every contact and member of the tenant, in any written form.
    let declared = profile
        .people
        .iter()
        .cloned()
        .chain(people(&analysis.inputs));
    let known = worker
        .names
        .dictionary(&tenant_id.to_string(), &known_names);
    let mut vault = Vault::new(
        Pseudonymizer::new(
            NameDictionary::new(declared, Vec::<String>::new()),
            tenant.settings.default_country.as_deref(),
        )
        .with_names(known),
    );
    let prompt = analysis_prompt(analysis.kind, &analysis.inputs, &profile, &mut vault);

    let reply = match spec.dialect(api_keys.get(&spec.name).cloned().unwrap_or_default()) {
        None => Ok(offline::answer(analysis.kind, &analysis.inputs, &prompt)),
        Some(dialect) => {
            app.audit(
                Actor::system(tenant_id),
                &RequestInfo::queue_message(message_id),
                AuditAction::AnalysisSentToProvider,
                AuditTarget::AnalysisProvider {
                    analysis: analysis.id.clone(),
                    provider: spec.name.clone(),
                },
            )
            .await?;
            call_with_retries(worker, &spec.name, dialect.as_ref(), &prompt, budget_end).await
        }
    };
    let reply = match reply {
        Ok(reply) => reply,
        Err(Attempts::Exhausted(last)) if !last_delivery => {
            tracing::warn!(analysis = %analysis.id, error = %last, "provider unavailable; job given back");
            let released = analysis.release();
            match app
                .store
                .transition_analysis(tenant_id, &job_state, released)
                .await
            {
                Ok(_) | Err(StoreError::ConditionFailed) => {}
                Err(e) => return Err(e.into()),
            }
            return Ok(Disposition::Retry);
        }
        Err(Attempts::Exhausted(last)) => {
            let detail = match last {
                ProviderError::Transient {
                    status: Some(status),
                    ..
                } => format!("status {status}"),
                _ => "no answer in time".to_owned(),
            };
            let reason = format!(
                "The AI provider was unavailable ({detail}) on each of {} tries. You can retry the analysis later.",
                app.config.jobs.max_receives
            );
            finish_failed(worker, job, &job_state, reason, Some(spec)).await?;
            // Returned once more, so the queue moves it to the dead-letter queue.
            return Ok(Disposition::Retry);
        }
        Err(Attempts::Permanent(error)) => {
            finish_failed(worker, job, &job_state, user_reason(&error), Some(spec)).await?;
            app.jobs.park(job).await?;
            return Ok(Disposition::Done);
        }
    };

    let answer = vault.restore_json(&reply.result);
    let result = match AnalysisResult::from_answer(answer) {
        Ok(result) => result,
        Err(e) => {
            let error = ProviderError::Malformed(e);
            finish_failed(worker, job, &job_state, user_reason(&error), Some(spec)).await?;
            app.jobs.park(job).await?;
            return Ok(Disposition::Done);
        }
    };
    let charts = result.render_charts();
    app.objects
        .put(
            tenant_id,
            &result_key(tenant_id, &analysis.id),
            &serde_json::to_vec(&result)?,
        )
        .await?;
    for (n, svg) in (0u32..).zip(&charts) {
        app.objects
            .put(
                tenant_id,
                &chart_key(tenant_id, &analysis.id, n),
                svg.as_bytes(),
            )
            .await?;
    }
    let usage = TokenUsage {
        input_tokens: reply.input_tokens,
        output_tokens: reply.output_tokens,
    };
    let done = analysis.succeed(
        &spec.name,
        &spec.model,
        usage,
        charts.len() as u32,
        now_rfc3339(),
    );
    match app
        .store
        .transition_analysis(tenant_id, &job_state, done)
        .await
    {
        Ok(state) => job_state = state,
        Err(StoreError::ConditionFailed) => {
            // Deleted while we worked (or finished by a delivery that outlived our lease): if it is
            // gone, so must be what we just wrote.
            if app
                .store
                .analysis(tenant_id, &job_state.record.id)
                .await?
                .is_none()
            {
                app.objects
                    .erase_prefix(tenant_id, &analysis_prefix(tenant_id, &job_state.record.id))
                    .await?;
            }
            return Ok(Disposition::Done);
        }
        Err(e) => return Err(e.into()),
    }
    let month = &job_state
        .record
        .finished_at
        .clone()
        .unwrap_or_else(now_rfc3339)[..7];
    app.store.add_usage(tenant_id, month, usage).await?;
    Record::new()
        .count("AnalysesSucceeded", 1)
        .duration("AnalysisDuration", job_started.elapsed())
        .emit();
    Ok(Disposition::Done)
}

async fn finish_failed(
    worker: &Worker,
    job: &JobMessage,
    state: &Versioned<Analysis>,
    reason: String,
    spec: Option<&ProviderSpec>,
) -> Result<(), BoxError> {
    let failed = state.record.fail(
        reason,
        spec.map(|s| (s.name.as_str(), s.model.as_str())),
        now_rfc3339(),
    );
    Record::new().count("AnalysesFailed", 1).emit();
    match worker
        .app
        .store
        .transition_analysis(&job.tenant_id, state, failed)
        .await
    {
        Ok(_) | Err(StoreError::ConditionFailed) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// What the user reads when the provider's answer ends the job.
fn user_reason(error: &ProviderError) -> String {
    match error {
        ProviderError::Refused(why) => format!("The AI model declined to answer: {why}"),
        ProviderError::Truncated => {
            "The AI model's answer was cut off before it was complete. Try a shorter form.".into()
        }
        ProviderError::Malformed(_) => {
            "The AI model's answer did not have the expected structure. You can retry the analysis."
                .into()
        }
        ProviderError::Rejected { status } => format!(
            "The AI provider rejected the request (status {status}); this is a configuration problem on our side and has been logged for the operators."
        ),
        ProviderError::Transient { .. } => {
            "The AI provider was unavailable. You can retry the analysis later.".into()
        }
    }
}

/// How the calls of one delivery ended without a reply.
#[derive(Debug)]
enum Attempts {
    /// Only transient failures, until the budget ran out.
    Exhausted(ProviderError),
    /// A failure retrying cannot fix.
    Permanent(ProviderError),
}

/// Calls the provider until it answers, a failure is permanent, or the budget is spent; waits between
/// attempts double from the first backoff with full jitter, or follow the provider's `retry-after`.
async fn call_with_retries(
    worker: &Worker,
    provider: &str,
    dialect: &dyn genai::Dialect,
    prompt: &genai::Prompt,
    budget_end: Instant,
) -> Result<Reply, Attempts> {
    let settings = worker.app.config.jobs;
    let mut backoff = settings.first_backoff;
    loop {
        let remaining = budget_end.saturating_duration_since(Instant::now());
        let timeout = settings.call_timeout.min(remaining);
        if timeout.is_zero() {
            return Err(Attempts::Exhausted(ProviderError::Transient {
                status: None,
                retry_after: None,
            }));
        }
        let started = Instant::now();
        let outcome = genai::call(worker.app.outbound.client(), dialect, prompt, timeout).await;
        Record::new()
            .dimension("Provider", provider)
            .with_total()
            .count("ProviderCalls", 1)
            .count("ProviderFailures", u64::from(outcome.is_err()))
            .duration("ProviderLatency", started.elapsed())
            .emit();
        let error = match outcome {
            Ok(reply) => {
                Record::new()
                    .dimension("Provider", provider)
                    .count("InputTokens", reply.input_tokens)
                    .count("OutputTokens", reply.output_tokens)
                    .emit();
                return Ok(reply);
            }
            Err(e) if e.is_transient() => e,
            Err(e) => return Err(Attempts::Permanent(e)),
        };
        let wait = match &error {
            ProviderError::Transient {
                retry_after: Some(after),
                ..
            } => *after,
            _ => backoff.mul_f64(rand::random::<f64>()),
        };
        if Instant::now() + wait >= budget_end {
            return Err(Attempts::Exhausted(error));
        }
        Record::new()
            .dimension("Provider", provider)
            .count("ProviderRetries", 1)
            .emit();
        tokio::time::sleep(wait).await;
        backoff = backoff.saturating_mul(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_for_people_and_name_no_internals() {
        let rejected = user_reason(&ProviderError::Rejected { status: 401 });
        assert!(rejected.contains("401") && rejected.contains("configuration"));
        let refused = user_reason(&ProviderError::Refused("policy".into()));
        assert_eq!(refused, "The AI model declined to answer: policy");
        let malformed = user_reason(&ProviderError::Malformed(
            "missing field `title` at line 1".into(),
        ));
        assert!(!malformed.contains("line 1"), "{malformed}");
    }

    #[test]
    fn the_receive_count_comes_from_the_message_attributes() {
        let mut record = SqsMessage::default();
        assert_eq!(receive_count(&record), 1);
        record
            .attributes
            .insert("ApproximateReceiveCount".into(), "3".into());
        assert_eq!(receive_count(&record), 3);
    }

    #[test]
    fn the_sample_event_is_an_sqs_batch_of_job_ids() {
        let text = include_str!("../../../events/analysis-worker/analysis-job.json");
        let event: SqsEvent = serde_json::from_str(text).expect("an SQS event");
        let record = &event.records[0];
        let job: JobMessage =
            serde_json::from_str(record.body.as_deref().unwrap()).expect("a job message");
        assert_eq!(job.analysis_id.as_str(), "019ac0b6d6f47c2d8e1f2a3b4c5d6e7f");
        assert_eq!(receive_count(record), 1);
    }
}
