//! What Confide does with what it cannot read or finish: queue messages that are no job, stored
//! records of the wrong shape, and the audit trail of work done in answer to a webhook or a queue
//! message.

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_sqs::types::QueueAttributeName;
use confide_shared::encryption::TenantCrypto;
use confide_tests::messaging::{connect, eventually, unique_number};
use confide_tests::{invite, logged, stack};
use serde_json::{json, Value};

/// The dead-letter queue behind `queue_url`, as its redrive policy names it.
async fn dead_letter_queue_of(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> String {
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::RedrivePolicy)
        .send()
        .await
        .expect("queue attributes");
    let policy: Value = serde_json::from_str(
        attributes
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::RedrivePolicy))
            .expect("the queue has a redrive policy"),
    )
    .unwrap();
    let arn = policy["deadLetterTargetArn"].as_str().unwrap();
    let name = arn.rsplit(':').next().unwrap();
    sqs.get_queue_url()
        .queue_name(name)
        .send()
        .await
        .expect("dead-letter queue")
        .queue_url
        .unwrap()
}

/// Whether `body` reaches the queue within ninety seconds (counted in time: a read returns at once
/// when other messages wait, so a count of reads would end early). Other tests' messages wait in the same queue:
/// each one read is hidden for two seconds, so the next reads walk on through the queue, and is then
/// visible again to the tests that look for it.
async fn arrives(sqs: &aws_sdk_sqs::Client, queue_url: &str, body: &str) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while std::time::Instant::now() < deadline {
        let out = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .visibility_timeout(2)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive");
        if out.messages().iter().any(|m| m.body() == Some(body)) {
            return true;
        }
    }
    false
}

/// One rule for both workers: a message that is not a job comes back until the queue moves it to its
/// dead-letter queue (whose alarm tells operators); neither worker drops it.
#[tokio::test]
async fn a_queue_message_that_is_no_job_ends_in_the_dead_letter_queue_of_either_worker() {
    let sqs = aws_sdk_sqs::Client::new(&stack().sdk().await);
    let config = &stack().config;
    for (worker, queue) in [
        ("messaging", &config.messaging.queue_url),
        ("analysis", &config.analysis_queue_url),
    ] {
        let body = format!(
            "{{\"job\":\"unheard-of\",\"marker\":\"{}\"}}",
            uuid::Uuid::new_v4()
        );
        sqs.send_message()
            .queue_url(queue)
            .message_body(&body)
            .send()
            .await
            .expect("sent");
        let dead_letters = dead_letter_queue_of(&sqs, queue).await;
        assert!(
            arrives(&sqs, &dead_letters, &body).await,
            "the {worker} worker's unreadable message reached its dead-letter queue"
        );
    }
}

/// A record that decrypts but does not fit its type fails its request with a 500 whose log line
/// names the item and the field, and none of the record's values (serde would have quoted them).
#[tokio::test]
async fn a_stored_record_of_the_wrong_shape_is_logged_without_its_values() {
    let tenant = connect("Shape Bakery").await;
    let from = unique_number();
    tenant.inbound(&from, "Hello there").await;
    let contact = tenant.contact_by_phone(&from).await.expect("contact");
    let conversation = tenant
        .conversations_of(contact["id"].as_str().unwrap())
        .await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let s = stack();
    let crypto = TenantCrypto::new(&s.sdk().await, &s.config);
    let table = crypto.table_client().expect("encrypting client");
    let key = |name: &str, value: String| (name.to_owned(), AttributeValue::S(value));
    let (pk, sk) = (
        format!("T#{}", tenant.owner.tenant_id),
        format!("CV#{conversation}"),
    );
    let mut item = table
        .get_item()
        .table_name(&s.table)
        .set_key(Some([key("pk", pk.clone()), key("sk", sk.clone())].into()))
        .consistent_read(true)
        .send()
        .await
        .expect("read")
        .item
        .expect("the conversation is stored");
    let secret = format!("Ada Lovelace {from}");
    let mut data: Value = serde_json::from_str(item["data"].as_s().unwrap()).unwrap();
    data["started_by_contact"] = json!(secret);
    item.insert("data".into(), AttributeValue::S(data.to_string()));
    table
        .put_item()
        .table_name(&s.table)
        .set_item(Some(item))
        .send()
        .await
        .expect("the wrong shape is written, encrypted");

    let reply = tenant
        .owner
        .api
        .get(&format!("/v1/conversations/{conversation}"))
        .await;
    assert_eq!((reply.status, reply.error_code()), (500, "internal"));
    let line = logged()
        .into_iter()
        .find(|line| line.contains(&sk) && line.contains("request failed"))
        .expect("the failure is logged, naming the item");
    assert!(
        line.contains("started_by_contact"),
        "the field is named: {line}"
    );
    assert!(line.contains("invalid type"), "the rule is named: {line}");
    for value in ["Ada", "Lovelace", from.as_str(), &from[1..]] {
        assert!(!line.contains(value), "the log line quotes {value}: {line}");
    }
}

/// Entries written in answer to a webhook and by a worker say so, and carry the id that finds the
/// invocation: API Gateway's request id, the SQS message id.
#[tokio::test]
async fn audit_entries_of_webhooks_and_workers_name_their_source_and_invocation() {
    let tenant = connect("Context Bakery").await;
    let agent = invite(&tenant.owner, "agent").await;
    let from = unique_number();
    tenant.inbound(&from, "Open on Sunday?").await;
    let contact = tenant.contact_by_phone(&from).await.expect("contact");
    let conversation = tenant
        .conversations_of(contact["id"].as_str().unwrap())
        .await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = agent
        .api
        .post(
            &format!("/v1/conversations/{conversation}/messages"),
            json!({ "body": "Yes, 8 to 12." }),
        )
        .await;
    assert_eq!(reply.status, 202, "{:?}", reply.body);
    let owner = &tenant.owner.api;
    let entries = |action: &'static str| async move {
        owner.get(&format!("/v1/audit?action={action}")).await.body["entries"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    eventually("the worker handed the reply over", || async {
        !entries("message.sent_to_provider").await.is_empty()
    })
    .await;
    let received = entries("message.received").await;
    let sent = entries("message.sent_to_provider").await;
    let queued = entries("message.queued").await;
    let is_uuid = |v: &Value| v.as_str().is_some_and(|s| uuid::Uuid::parse_str(s).is_ok());
    for (entries, source) in [(&received, "webhook"), (&sent, "worker"), (&queued, "api")] {
        assert_eq!(entries.len(), 1, "{source}: {entries:?}");
        let entry = &entries[0];
        assert_eq!(entry["source"], source, "{entry}");
        assert!(
            is_uuid(&entry["request_id"]),
            "{source} entry has its invocation id: {entry}"
        );
    }
    assert_ne!(received[0]["request_id"], sent[0]["request_id"]);
    let verified = owner.get("/v1/audit/verify").await;
    assert_eq!(verified.status, 200, "{:?}", verified.body);
    assert_eq!(verified.body["valid"], true, "{:?}", verified.body);
}
