//! The one rule for a queue message a worker cannot read: it is returned to the queue like any
//! failed job, so after the queue's `maxReceiveCount` deliveries SQS moves it to the dead-letter
//! queue, whose alarm tells operators. Never acknowledged and dropped: a message that is not a job
//! today may be one a newer worker writes, or the trace of a bug someone must see.

use crate::shape::ShapeError;
use serde::de::DeserializeOwned;

#[derive(Debug, thiserror::Error)]
#[error("the {queue} message is not a job; it goes back until the queue dead-letters it")]
pub struct PoisonMessage {
    pub queue: &'static str,
    #[source]
    pub shape: ShapeError,
}

/// The job a message's body holds. The error names where the body does not fit, never what it holds.
pub fn read_job<T: DeserializeOwned>(
    queue: &'static str,
    body: Option<&str>,
) -> Result<T, PoisonMessage> {
    crate::shape::from_str(queue, body.unwrap_or_default())
        .map_err(|shape| PoisonMessage { queue, shape })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messaging::MessagingJob;

    #[test]
    fn a_body_that_is_no_job_is_poison_and_names_no_content() {
        for body in [
            None,
            Some(""),
            Some("hello Ada"),
            Some(r#"{"job":"send","tenant_id":"Ada Lovelace"}"#),
        ] {
            let error = read_job::<MessagingJob>("messaging", body).unwrap_err();
            let text = crate::error::cause_chain(&error);
            assert!(
                text.starts_with("the messaging message is not a job"),
                "{text}"
            );
            assert!(!text.contains("Ada"), "{text}");
        }
    }
}
