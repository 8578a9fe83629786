//! The messaging queue. A job names its work by ids only — tenant, conversation, message or campaign —
//! so no phone number, address or message body ever sits in SQS; the worker reads the encrypted
//! records itself.

use crate::aws::LazyClient;
use crate::domain::{CampaignId, ConversationId, MessageId, TenantId};
use crate::error::BoxError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "snake_case", deny_unknown_fields)]
pub enum MessagingJob {
    /// Send one stored outbound message.
    Send {
        tenant_id: TenantId,
        conversation_id: ConversationId,
        message_id: MessageId,
    },
    /// Read the next page of a campaign's audience (after the given contact sort key) and queue its
    /// messages.
    FanOut {
        tenant_id: TenantId,
        campaign_id: CampaignId,
        #[serde(default)]
        after: Option<String>,
        /// Which of the audience's tags is being read (tag audiences are read tag by tag).
        #[serde(default)]
        tag_index: usize,
    },
}

/// SQS's longest delivery delay: jobs further out are re-queued from a later fan-out.
pub const MAX_DELAY_SECONDS: u32 = 900;

#[derive(Clone)]
pub struct MessagingQueue {
    sqs: LazyClient<aws_sdk_sqs::Client>,
    queue_url: String,
}

impl MessagingQueue {
    pub fn new(sqs: LazyClient<aws_sdk_sqs::Client>, queue_url: impl Into<String>) -> Self {
        Self {
            sqs,
            queue_url: queue_url.into(),
        }
    }

    pub async fn enqueue(&self, job: &MessagingJob, delay_seconds: u32) -> Result<(), BoxError> {
        self.sqs
            .get()
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(serde_json::to_string(job)?)
            .delay_seconds(delay_seconds.min(MAX_DELAY_SECONDS) as i32)
            .send()
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_carries_ids_only() {
        let job = MessagingJob::Send {
            tenant_id: TenantId::parse("t1").unwrap(),
            conversation_id: ConversationId::parse("c1").unwrap(),
            message_id: MessageId::parse("m1").unwrap(),
        };
        let text = serde_json::to_string(&job).unwrap();
        assert_eq!(
            text,
            r#"{"job":"send","tenant_id":"t1","conversation_id":"c1","message_id":"m1"}"#
        );
        assert_eq!(serde_json::from_str::<MessagingJob>(&text).unwrap(), job);
        assert!(serde_json::from_str::<MessagingJob>(r#"{"job":"send","tenant_id":"t1","conversation_id":"c1","message_id":"m1","body":"hi"}"#).is_err());
    }
}
