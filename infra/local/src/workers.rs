//! What Lambda's event-source mappings and EventBridge schedules do, done locally: poll each queue a
//! function subscribes to, hand it batches as the SQS event Lambda would send, delete what succeeded,
//! leave failures for redelivery (the emulator moves them to the dead-letter queue after the queue's
//! `maxReceiveCount`), and call scheduled functions at their `rate(...)`.

use crate::gateway::BoxFuture;
use crate::template::{QueueSubscription, Schedule};
use anyhow::{bail, Context, Result};
use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use confide_shared::error::BoxError;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// A queue consumer's handler, as its Lambda `main` would call it.
pub type QueueHandler =
    Arc<dyn Fn(SqsEvent) -> BoxFuture<Result<SqsBatchResponse, BoxError>> + Send + Sync>;
/// A scheduled function's handler; it receives the EventBridge scheduled event.
pub type ScheduleHandler =
    Arc<dyn Fn(serde_json::Value) -> BoxFuture<Result<(), BoxError>> + Send + Sync>;

/// How long a failed message stays invisible locally before it is redelivered. Lambda waits for the
/// queue's visibility timeout; locally that can be shortened so a retry is seen in seconds.
#[derive(Debug, Clone, Copy)]
pub struct RetryDelay(pub Option<Duration>);

/// The ARN of the queue at `queue_url`.
pub async fn queue_arn(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> Result<String> {
    sqs.get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await?
        .attributes
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .context("queue without ARN")
}

/// Sees every queue message's body as the local consumer receives it (queue's logical id, body): the
/// tests use it to check what sits in SQS. Nothing in AWS has one.
pub type QueueTap = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// Polls one queue for one function until the task is dropped.
pub async fn consume(
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    subscription: QueueSubscription,
    handler: QueueHandler,
    retry_delay: RetryDelay,
    tap: Option<QueueTap>,
) -> Result<()> {
    let arn = queue_arn(&sqs, &queue_url).await?;
    let region = arn.split(':').nth(3).unwrap_or_default().to_owned();
    loop {
        let received = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(subscription.batch_size.clamp(1, 10) as i32)
            .wait_time_seconds(1)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await;
        let messages = match received {
            Ok(out) => out.messages.unwrap_or_default(),
            Err(e) => {
                tracing::warn!(queue = %subscription.queue, error = %e, "receive failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if messages.is_empty() {
            continue;
        }
        if let Some(tap) = &tap {
            for message in &messages {
                tap(&subscription.queue, message.body().unwrap_or_default());
            }
        }
        let records: Vec<serde_json::Value> = messages
            .iter()
            .map(|m| {
                let attributes: serde_json::Map<String, serde_json::Value> = m
                    .attributes()
                    .map(|a| {
                        a.iter()
                            .map(|(k, v)| (k.as_str().to_owned(), v.clone().into()))
                            .collect()
                    })
                    .unwrap_or_default();
                serde_json::json!({
                    "messageId": m.message_id(),
                    "receiptHandle": m.receipt_handle(),
                    "body": m.body(),
                    "md5OfBody": m.md5_of_body(),
                    "attributes": attributes,
                    "messageAttributes": {},
                    "eventSource": "aws:sqs",
                    "eventSourceARN": arn,
                    "awsRegion": region,
                })
            })
            .collect();
        let event: SqsEvent = serde_json::from_value(serde_json::json!({ "Records": records }))
            .context("building the SQS event")?;
        let failed: HashSet<String> = match handler(event).await {
            Ok(response) if subscription.report_batch_item_failures => response
                .batch_item_failures
                .into_iter()
                .map(|f| f.item_identifier)
                .collect(),
            Ok(_) => HashSet::new(),
            // The whole batch failed: every message comes back.
            Err(e) => {
                tracing::warn!(function = %subscription.function, error = %e, "batch failed");
                messages
                    .iter()
                    .filter_map(|m| m.message_id().map(str::to_owned))
                    .collect()
            }
        };
        for message in &messages {
            let (Some(id), Some(receipt)) = (message.message_id(), message.receipt_handle()) else {
                continue;
            };
            if !failed.contains(id) {
                sqs.delete_message()
                    .queue_url(&queue_url)
                    .receipt_handle(receipt)
                    .send()
                    .await?;
            } else if let RetryDelay(Some(delay)) = retry_delay {
                sqs.change_message_visibility()
                    .queue_url(&queue_url)
                    .receipt_handle(receipt)
                    .visibility_timeout(delay.as_secs() as i32)
                    .send()
                    .await?;
            }
        }
    }
}

/// `rate(5 minutes)` → 5 minutes. Cron expressions are not run locally.
pub fn rate(expression: &str) -> Result<Duration> {
    let inner = expression
        .strip_prefix("rate(")
        .and_then(|e| e.strip_suffix(')'))
        .with_context(|| format!("only rate(...) schedules run locally, not {expression}"))?;
    let (amount, unit) = inner
        .trim()
        .split_once(' ')
        .context("rate needs an amount and a unit")?;
    let amount: u64 = amount.parse().context("rate amount")?;
    let seconds = match unit {
        "minute" | "minutes" => 60,
        "hour" | "hours" => 3600,
        "day" | "days" => 86_400,
        other => bail!("unknown rate unit {other}"),
    };
    Ok(Duration::from_secs(amount * seconds))
}

/// Calls a scheduled function at its rate, first after one period, as EventBridge does.
pub async fn run_schedule(schedule: Schedule, handler: ScheduleHandler) -> Result<()> {
    let period = rate(&schedule.expression)?;
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    loop {
        ticker.tick().await;
        let event = serde_json::json!({
            "version": "0",
            "id": uuid::Uuid::new_v4().to_string(),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": time::OffsetDateTime::now_utc().to_string(),
            "region": "local",
            "resources": [format!("local:schedule/{}", schedule.function)],
            "detail": {},
        });
        if let Err(e) = handler(event).await {
            tracing::warn!(function = %schedule.function, error = %e, "scheduled run failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::rate;
    use std::time::Duration;

    #[test]
    fn rates_parse_and_cron_is_refused_with_a_reason() {
        assert_eq!(rate("rate(1 minute)").unwrap(), Duration::from_secs(60));
        assert_eq!(rate("rate(2 hours)").unwrap(), Duration::from_secs(7200));
        assert!(rate("rate(0 fortnights)").is_err());
        let cron = rate("cron(0 3 * * ? *)").unwrap_err().to_string();
        assert!(cron.contains("only rate"), "{cron}");
    }
}
