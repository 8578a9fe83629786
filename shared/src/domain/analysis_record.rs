//! One analysis and its lifecycle: queued → running → succeeded | failed, with retries.
//!
//! Delivery of jobs is at least once, so every transition is a pure function of the current record and
//! the storage layer writes the result only if nobody changed the record meanwhile (a version check).
//! A worker holds a job through a lease: if it dies, the lease runs out and the redelivered message may
//! claim the job again; while the lease holds, a duplicate delivery must not start a second call.

use super::analysis::AnalysisKind;
use super::{AnalysisId, TemplateId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AnalysisStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl AnalysisStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

/// Tokens a job consumed at its provider (input and output, as the provider counts them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TokenUsage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// The stored analysis. Inputs are personal data: the record lives in the encrypted `data` attribute;
/// the result and charts live in S3, sealed under the tenant's key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub id: AnalysisId,
    pub kind: AnalysisKind,
    pub inputs: Value,
    pub template_id: Option<TemplateId>,
    pub status: AnalysisStatus,
    pub created_by: UserId,
    /// RFC 3339, UTC, like every time below.
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// How many times a worker claimed the job.
    pub attempts: u32,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub usage: TokenUsage,
    /// Why the job failed, in words meant for the user.
    pub failure: Option<String>,
    /// Unix seconds until which the claiming worker owns a running job.
    pub lease_until: Option<i64>,
    /// How many chart artefacts the stored result has.
    pub charts: u32,
}

/// Why a delivered job is not claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotClaimed {
    /// Succeeded or failed: the delivery is a duplicate and is acknowledged.
    Finished,
    /// Another worker holds the lease: the delivery comes back after the lease.
    Held { until: i64 },
}

/// Why an analysis cannot be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotRetryable {
    Succeeded,
    /// Queued, or running with a live lease: it is still being worked on.
    InProgress,
}

impl Analysis {
    pub fn new(
        kind: AnalysisKind,
        inputs: Value,
        template_id: Option<TemplateId>,
        created_by: UserId,
        now: String,
    ) -> Self {
        Self {
            id: AnalysisId::generate(),
            kind,
            inputs,
            template_id,
            status: AnalysisStatus::Queued,
            created_by,
            created_at: now,
            started_at: None,
            finished_at: None,
            attempts: 0,
            provider: None,
            model: None,
            usage: TokenUsage::default(),
            failure: None,
            lease_until: None,
            charts: 0,
        }
    }

    /// Takes the job for a worker until `now + lease_seconds`.
    pub fn claim(
        &self,
        now_unix: i64,
        now: String,
        lease_seconds: i64,
    ) -> Result<Analysis, NotClaimed> {
        match self.status {
            AnalysisStatus::Succeeded | AnalysisStatus::Failed => Err(NotClaimed::Finished),
            AnalysisStatus::Running if self.lease_until.is_some_and(|t| t > now_unix) => {
                Err(NotClaimed::Held {
                    until: self.lease_until.unwrap_or(now_unix),
                })
            }
            AnalysisStatus::Queued | AnalysisStatus::Running => Ok(Analysis {
                status: AnalysisStatus::Running,
                started_at: Some(now),
                attempts: self.attempts + 1,
                lease_until: Some(now_unix + lease_seconds),
                ..self.clone()
            }),
        }
    }

    /// The provider answered; the result is stored.
    pub fn succeed(
        &self,
        provider: &str,
        model: &str,
        usage: TokenUsage,
        charts: u32,
        now: String,
    ) -> Analysis {
        Analysis {
            status: AnalysisStatus::Succeeded,
            finished_at: Some(now),
            provider: Some(provider.to_owned()),
            model: Some(model.to_owned()),
            usage,
            charts,
            failure: None,
            lease_until: None,
            ..self.clone()
        }
    }

    /// The job ended without a result; `reason` is shown to the user.
    pub fn fail(
        &self,
        reason: impl Into<String>,
        provider: Option<(&str, &str)>,
        now: String,
    ) -> Analysis {
        Analysis {
            status: AnalysisStatus::Failed,
            finished_at: Some(now),
            provider: provider
                .map(|(p, _)| p.to_owned())
                .or(self.provider.clone()),
            model: provider.map(|(_, m)| m.to_owned()).or(self.model.clone()),
            failure: Some(reason.into()),
            lease_until: None,
            ..self.clone()
        }
    }

    /// The worker gives the job back (its time budget ran out): the next delivery may claim it at once.
    pub fn release(&self) -> Analysis {
        Analysis {
            status: AnalysisStatus::Queued,
            lease_until: None,
            ..self.clone()
        }
    }

    /// A user asks for another run of a failed job — or of one whose worker stopped and whose
    /// messages ran out (running, lease long gone).
    pub fn retry(&self, now_unix: i64) -> Result<Analysis, NotRetryable> {
        let stalled = self.status == AnalysisStatus::Running
            && self.lease_until.is_some_and(|t| t <= now_unix);
        match self.status {
            AnalysisStatus::Succeeded => Err(NotRetryable::Succeeded),
            AnalysisStatus::Failed => Ok(self.requeued()),
            _ if stalled => Ok(self.requeued()),
            _ => Err(NotRetryable::InProgress),
        }
    }

    fn requeued(&self) -> Analysis {
        Analysis {
            status: AnalysisStatus::Queued,
            started_at: None,
            finished_at: None,
            failure: None,
            lease_until: None,
            charts: 0,
            usage: TokenUsage::default(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn queued() -> Analysis {
        Analysis::new(
            AnalysisKind::Swot,
            json!({ "goal": "Grow" }),
            None,
            UserId::parse("u1").unwrap(),
            "2026-11-26T10:00:00Z".into(),
        )
    }

    #[test]
    fn a_queued_job_is_claimed_once_until_its_lease_ends() {
        let running = queued().claim(100, "t1".into(), 60).unwrap();
        assert_eq!(running.status, AnalysisStatus::Running);
        assert_eq!(running.attempts, 1);
        assert_eq!(running.lease_until, Some(160));
        assert_eq!(
            running.claim(159, "t2".into(), 60),
            Err(NotClaimed::Held { until: 160 }),
            "a duplicate delivery during the lease does not start a second run"
        );
        let again = running.claim(160, "t3".into(), 60).unwrap();
        assert_eq!(again.attempts, 2, "a crashed worker's job is claimed again");
    }

    #[test]
    fn a_finished_job_is_never_claimed_again() {
        let running = queued().claim(100, "t1".into(), 60).unwrap();
        let done = running.succeed(
            "openai",
            "gpt",
            TokenUsage {
                input_tokens: 5,
                output_tokens: 7,
            },
            1,
            "t2".into(),
        );
        assert_eq!(
            done.claim(10_000, "t3".into(), 60),
            Err(NotClaimed::Finished)
        );
        let failed = running.fail("no", None, "t2".into());
        assert_eq!(
            failed.claim(10_000, "t3".into(), 60),
            Err(NotClaimed::Finished)
        );
    }

    #[test]
    fn failed_and_stalled_jobs_retry_but_live_and_succeeded_ones_do_not() {
        let running = queued().claim(100, "t1".into(), 60).unwrap();
        assert_eq!(running.retry(120), Err(NotRetryable::InProgress));
        assert_eq!(queued().retry(120), Err(NotRetryable::InProgress));
        let stalled = running.retry(500).unwrap();
        assert_eq!(stalled.status, AnalysisStatus::Queued);
        let failed = running.fail("provider down", Some(("openai", "gpt")), "t2".into());
        let retried = failed.retry(200).unwrap();
        assert_eq!(retried.status, AnalysisStatus::Queued);
        assert_eq!(retried.failure, None);
        assert_eq!(retried.attempts, 1, "attempts keep counting across retries");
        let done = running.succeed("openai", "gpt", TokenUsage::default(), 0, "t2".into());
        assert_eq!(done.retry(200), Err(NotRetryable::Succeeded));
    }

    #[test]
    fn a_released_job_can_be_claimed_at_once() {
        let running = queued().claim(100, "t1".into(), 60).unwrap();
        let released = running.release();
        assert!(released.claim(101, "t2".into(), 60).is_ok());
    }
}
