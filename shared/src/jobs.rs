//! The analysis queue. A message names a job by ids only — the tenant and the analysis — so nothing
//! personal ever sits in SQS; the worker reads the encrypted record itself.

use crate::aws::LazyClient;
use crate::domain::{AnalysisId, TenantId};
use crate::error::BoxError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobMessage {
    pub tenant_id: TenantId,
    pub analysis_id: AnalysisId,
}

#[derive(Clone)]
pub struct JobQueue {
    sqs: LazyClient<aws_sdk_sqs::Client>,
    queue_url: String,
    dead_letter_queue_url: String,
}

impl JobQueue {
    pub fn new(
        sqs: LazyClient<aws_sdk_sqs::Client>,
        queue_url: impl Into<String>,
        dead_letter_queue_url: impl Into<String>,
    ) -> Self {
        Self {
            sqs,
            queue_url: queue_url.into(),
            dead_letter_queue_url: dead_letter_queue_url.into(),
        }
    }

    pub async fn enqueue(&self, job: &JobMessage) -> Result<(), BoxError> {
        self.send(&self.queue_url, job).await
    }

    /// Parks a job that failed for good where operators look (and can redrive it from).
    pub async fn park(&self, job: &JobMessage) -> Result<(), BoxError> {
        self.send(&self.dead_letter_queue_url, job).await
    }

    async fn send(&self, url: &str, job: &JobMessage) -> Result<(), BoxError> {
        self.sqs
            .get()
            .send_message()
            .queue_url(url)
            .message_body(serde_json::to_string(job)?)
            .send()
            .await?;
        Ok(())
    }
}
