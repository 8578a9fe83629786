//! What a campaign's fan-out does when AWS fails under it: every call of a page is failed in turn,
//! before it reaches the emulator and after it did (its answer lost), and the page is then delivered
//! again as SQS would. No consented contact may go without its message or get two, and the counts
//! must add up.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use confide_shared::domain::campaign::{Audience, Campaign};
use confide_shared::domain::consent::Channel;
use confide_shared::domain::{CampaignId, TenantId, UserId};
use confide_shared::messaging::MessagingJob;
use confide_shared::App;
use confide_tests::aws_calls::{CountingProxy, Verdict};
use confide_tests::messaging::{connect, eventually, unique_number, wait_for_campaign, Connected};
use confide_tests::{logged, stack, Client};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

async fn contact(api: &Client, body: serde_json::Value) -> String {
    let reply = api.post("/v1/contacts", body).await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn consent(api: &Client, contact: &str, granted: bool) {
    let reply = api
        .post(
            &format!("/v1/contacts/{contact}/consents"),
            json!({ "channel": "sms", "purpose": "marketing", "granted": granted, "source": "web_form", "evidence": "newsletter box" }),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
}

/// A worker whose every AWS call goes through `proxy`, as a fresh Lambda instance would start. (The
/// tests run on a multi-threaded runtime: the DB-ESDK waits for its key-store calls on a thread of its
/// own while the proxy, served by the test's runtime, answers them.)
async fn worker_behind(
    proxy: &CountingProxy,
    app_config: confide_shared::config::Config,
) -> messaging_worker::Worker {
    let sdk = confide_local::sdk_config(&proxy.url, &stack().region).await;
    let app = App::new(app_config, &sdk).await.expect("app builds");
    messaging_worker::Worker::connect(Arc::new(app))
}

fn delivery(message_id: &str, job: &MessagingJob) -> SqsEvent {
    serde_json::from_value(json!({ "Records": [{
        "messageId": message_id,
        "body": serde_json::to_string(job).unwrap(),
        "attributes": { "ApproximateReceiveCount": "1" },
        "eventSource": "aws:sqs",
    }]}))
    .expect("an SQS event")
}

/// A campaign to `tag`, written as `POST /v1/campaigns` writes it, but not queued: the test's own
/// worker runs its page.
async fn campaign_to(owner: &Connected, tag: &str, body: String) -> (TenantId, Campaign) {
    let tenant = TenantId::parse(&owner.owner.tenant_id).unwrap();
    let campaign = Campaign {
        id: CampaignId::generate(),
        channel: Channel::Sms,
        subject: None,
        body,
        audience: Audience {
            tags: Some([tag.to_owned()].into()),
            contact_ids: None,
        },
        created_by: UserId::parse(&owner.owner.user_id).unwrap(),
        created_at: confide_shared::clock::now_rfc3339(),
    };
    stack()
        .app()
        .await
        .store
        .create_campaign(&tenant, &campaign)
        .await
        .expect("campaign stored");
    (tenant, campaign)
}

fn failures(response: &SqsBatchResponse) -> usize {
    response.batch_item_failures.len()
}

/// Fails the k-th AWS call of a page (and every call after it, as a process that died there), for
/// each k until the page no longer reaches a k-th call; then delivers the page again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_page_failed_at_any_call_and_redelivered_messages_each_consented_contact_once() {
    let tenant = connect("Faulty Bakery").await;
    let api = &tenant.owner.api;
    let tag = "faulty";
    let (ada, bea) = (unique_number(), unique_number());
    let silent = unique_number();
    let leaver = unique_number();
    let ada_id = contact(api, json!({ "name": "Ada", "phone": ada, "tags": [tag] })).await;
    let bea_id = contact(api, json!({ "name": "Bea", "phone": bea, "tags": [tag] })).await;
    contact(api, json!({ "name": "Cy", "phone": silent, "tags": [tag] })).await;
    let leaver_id = contact(
        api,
        json!({ "name": "Dee", "phone": leaver, "tags": [tag] }),
    )
    .await;
    contact(
        api,
        json!({ "name": "Eve", "email": "eve@example.com", "tags": [tag] }),
    )
    .await;
    consent(api, &ada_id, true).await;
    consent(api, &bea_id, true).await;
    consent(api, &leaver_id, false).await;

    let proxy = CountingProxy::with_latency(&stack().endpoint, Duration::ZERO).await;
    let mut campaigns = Vec::new();
    for mode in [Verdict::FailBefore, Verdict::FailAfter] {
        let mut points = 0;
        for k in 1usize.. {
            let body = format!(
                "Stollen, fault {mode:?} at call {k} ({})",
                uuid::Uuid::new_v4().simple()
            );
            let (tenant_id, campaign) = campaign_to(&tenant, tag, body).await;
            let worker = worker_behind(&proxy, stack().config.clone()).await;
            let job = MessagingJob::FanOut {
                tenant_id,
                campaign_id: campaign.id.clone(),
                after: None,
                tag_index: 0,
            };
            let event = delivery(&uuid::Uuid::new_v4().to_string(), &job);
            let fired = Arc::new(AtomicBool::new(false));
            let seen = fired.clone();
            let mut n = 0;
            proxy.inject(Box::new(move |_, _| {
                n += 1;
                match n.cmp(&k) {
                    std::cmp::Ordering::Less => Verdict::Pass,
                    std::cmp::Ordering::Equal => {
                        seen.store(true, Ordering::SeqCst);
                        mode
                    }
                    std::cmp::Ordering::Greater => Verdict::FailBefore,
                }
            }));
            let first = messaging_worker::handle(&worker, event.clone()).await;
            proxy.heal();
            if !fired.load(Ordering::SeqCst) {
                assert_eq!(failures(&first), 0, "a page that met no fault succeeds");
                campaigns.push(campaign);
                break;
            }
            points += 1;
            assert_eq!(
                failures(&first),
                1,
                "{mode:?} at call {k}: the page comes back"
            );
            let again = messaging_worker::handle(&worker, event).await;
            assert_eq!(
                failures(&again),
                0,
                "{mode:?} at call {k}: the redelivered page goes through"
            );
            campaigns.push(campaign);
        }
        // A page of five contacts makes well over ten calls; fewer would mean the faults missed it.
        assert!(points >= 10, "{mode:?}: only {points} calls were failed");
    }

    for campaign in &campaigns {
        let done = wait_for_campaign(api, campaign.id.as_str()).await;
        let counts = &done["counts"];
        assert_eq!(
            (
                &counts["targeted"],
                &counts["sent"],
                &counts["failed"],
                &counts["skipped"]["no_consent"],
                &counts["skipped"]["opted_out"],
                &counts["skipped"]["invalid"],
            ),
            (
                &json!(5),
                &json!(2),
                &json!(0),
                &json!(1),
                &json!(1),
                &json!(1)
            ),
            "{}: {counts}",
            campaign.body
        );
    }
    let sent = |phone: &str, body: &str| {
        stack()
            .messaging
            .twilio_to(phone)
            .iter()
            .filter(|call| call.field("Body") == Some(body))
            .count()
    };
    for campaign in &campaigns {
        for phone in [&ada, &bea] {
            eventually("the consented contact's message is sent", || async {
                sent(phone, &campaign.body) >= 1
            })
            .await;
        }
    }
    // Duplicate send jobs of a redelivered page have run by now (they were queued with no delay).
    tokio::time::sleep(Duration::from_secs(2)).await;
    for campaign in &campaigns {
        for phone in [&ada, &bea] {
            assert_eq!(
                sent(phone, &campaign.body),
                1,
                "{}: exactly one to {phone}",
                campaign.body
            );
        }
        for phone in [&silent, &leaver] {
            assert_eq!(
                sent(phone, &campaign.body),
                0,
                "{}: none to {phone}",
                campaign.body
            );
        }
    }
}

/// An unexpected error in a fan-out (here the plan's limits, read from the billing record) reaches the
/// log with its causes, not just "unexpected error".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_fan_out_logs_the_cause_of_its_error() {
    let tenant = connect("Cause Bakery").await;
    let (_, campaign) = campaign_to(&tenant, "anyone", "Hello".into()).await;
    let mut config = stack().config.clone();
    config.billing = Some(
        confide_shared::config::BillingSettings::new(
            "/confide/dev/stripe/webhook-secret".into(),
            Some("/confide/dev/stripe/api-key".into()),
            Some(&json!({ "starter": "price_s", "business": "price_b" }).to_string()),
            "https://app.confide.test/billing".into(),
        )
        .expect("billing settings"),
    );
    let proxy = CountingProxy::with_latency(&stack().endpoint, Duration::ZERO).await;
    let worker = worker_behind(&proxy, config).await;
    proxy.inject(Box::new(|_, body| {
        if String::from_utf8_lossy(body).contains(confide_shared::keys::SUBSCRIPTION_SK) {
            Verdict::FailBefore
        } else {
            Verdict::Pass
        }
    }));
    let message_id = uuid::Uuid::new_v4().to_string();
    let job = MessagingJob::FanOut {
        tenant_id: TenantId::parse(&tenant.owner.tenant_id).unwrap(),
        campaign_id: campaign.id,
        after: None,
        tag_index: 0,
    };
    let response = messaging_worker::handle(&worker, delivery(&message_id, &job)).await;
    assert_eq!(failures(&response), 1);
    let line = logged()
        .into_iter()
        .find(|line| line.contains(&message_id))
        .expect("the failure is logged with its message id");
    assert!(
        line.contains("unexpected error: data table request failed"),
        "the cause chain is kept: {line}"
    );
}

/// The same class for a member's reply: stored, then refused by the queue. It must not stay
/// `pending`, where no job would ever send it: it reads as failed (`not_queued`), and the month's
/// allowance it took is given back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_the_queue_refuses_is_marked_failed_not_left_pending() {
    use confide_shared::domain::ConversationId;
    let tenant = connect("Queue Bakery").await;
    let from = unique_number();
    let conversation = tenant.conversation_from(&from, "Open today?").await;
    let tenant_id = TenantId::parse(&tenant.owner.tenant_id).unwrap();
    let conversation_id = ConversationId::parse(&conversation).unwrap();
    let proxy = CountingProxy::with_latency(&stack().endpoint, Duration::ZERO).await;
    let sdk = confide_local::sdk_config(&proxy.url, &stack().region).await;
    let app = App::new(stack().config.clone(), &sdk).await.expect("app");
    let month = confide_shared::clock::now_rfc3339()[..7].to_owned();
    let used_before = app.store.usage(&tenant_id, &month).await.unwrap().messages;
    let current = app
        .store
        .conversation(&tenant_id, &conversation_id)
        .await
        .unwrap()
        .expect("conversation");
    proxy.inject(Box::new(|operation, _| match operation {
        "sqs SendMessage" => Verdict::FailBefore,
        _ => Verdict::Pass,
    }));
    let refused = confide_shared::inbox::queue_reply(
        &app,
        &tenant_id,
        &current,
        "Yes, until six.".into(),
        "agent",
    )
    .await;
    proxy.heal();
    assert!(refused.is_err(), "the member is told it failed");
    let messages = app
        .store
        .messages(&tenant_id, &conversation_id)
        .await
        .unwrap();
    let reply = messages
        .iter()
        .find(|m| m.body == "Yes, until six.")
        .expect("the reply is kept");
    assert_eq!(
        (
            serde_json::to_value(reply.status).unwrap(),
            reply.error_code.as_deref()
        ),
        (json!("failed"), Some(confide_shared::inbox::NOT_QUEUED)),
    );
    assert_eq!(
        app.store.usage(&tenant_id, &month).await.unwrap().messages,
        used_before,
        "the allowance is given back"
    );
}
