use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use aws_sdk_sqs::types::QueueAttributeName;
use confide_local::template::QueueSubscription;
use confide_local::workers::{consume, queue_arn, QueueHandler, RetryDelay};
use confide_tests::stack;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A consumer like Lambda's event-source mapping: successes are deleted, reported failures come back,
/// and after `maxReceiveCount` receives the emulator moves them to the dead-letter queue.
#[tokio::test]
async fn queue_consumer_reports_partial_failures_and_redrives_to_the_dlq() {
    let sqs = aws_sdk_sqs::Client::new(&stack().sdk().await);
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let dlq = sqs
        .create_queue()
        .queue_name(format!("dlq-{suffix}"))
        .send()
        .await
        .unwrap();
    let dlq_url = dlq.queue_url.unwrap();
    let dlq_arn = queue_arn(&sqs, &dlq_url).await.unwrap();
    let policy = serde_json::json!({ "deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2 });
    let queue_url = sqs
        .create_queue()
        .queue_name(format!("work-{suffix}"))
        .attributes(QueueAttributeName::RedrivePolicy, policy.to_string())
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    for body in ["ok-1", "fail", "ok-2"] {
        sqs.send_message()
            .queue_url(&queue_url)
            .message_body(body)
            .send()
            .await
            .unwrap();
    }

    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let recorded = seen.clone();
    let handler: QueueHandler = Arc::new(move |event: SqsEvent| {
        let recorded = recorded.clone();
        Box::pin(async move {
            let mut response = SqsBatchResponse::default();
            for record in event.records {
                assert_eq!(record.event_source.as_deref(), Some("aws:sqs"));
                assert!(record
                    .event_source_arn
                    .as_deref()
                    .unwrap_or_default()
                    .starts_with("arn:aws:sqs:"));
                let body = record.body.unwrap_or_default();
                recorded.lock().unwrap().push(body.clone());
                if body == "fail" {
                    let mut failure = BatchItemFailure::default();
                    failure.item_identifier = record.message_id.unwrap_or_default();
                    response.batch_item_failures.push(failure);
                }
            }
            Ok(response)
        })
    });
    let subscription = QueueSubscription {
        function: "TestFunction".into(),
        binary: "test".into(),
        queue: "TestQueue".into(),
        batch_size: 10,
        report_batch_item_failures: true,
    };
    let consumer = tokio::spawn(consume(
        sqs.clone(),
        queue_url.clone(),
        subscription,
        handler,
        RetryDelay(Some(Duration::from_secs(1))),
        None,
    ));

    let mut in_dlq = Vec::new();
    for _ in 0..30 {
        let out = sqs
            .receive_message()
            .queue_url(&dlq_url)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        in_dlq.extend(
            out.messages
                .unwrap_or_default()
                .into_iter()
                .filter_map(|m| m.body),
        );
        if !in_dlq.is_empty() {
            break;
        }
    }
    consumer.abort();
    assert_eq!(
        in_dlq,
        vec!["fail".to_owned()],
        "only the failing message is dead-lettered"
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen.iter().filter(|b| b.starts_with("ok")).count(),
        2,
        "successes once each: {seen:?}"
    );
    assert_eq!(
        seen.iter().filter(|b| *b == "fail").count(),
        2,
        "failure delivered maxReceiveCount times"
    );
}
