//! Messaging end to end on the local stack, with stand-ins for Twilio and SendGrid that record what
//! Confide sends: signed webhooks, inbound messages and keywords, replies, delivery status, campaigns
//! by consent, email unsubscribe, and the isolation of all of it.

use aws_sdk_dynamodb::types::AttributeValue;
use confide_shared::domain::{ConversationId, MessageId, TenantId};
use confide_shared::messaging::MessagingJob;
use confide_tests::messaging::{
    connect, eventually, post_signed, sid, twilio_signature, unique_number, wait_for_campaign,
    ACCOUNT,
};
use confide_tests::{invite, sign_up, stack, Client};
use serde_json::json;
use std::time::Duration;

async fn consent(api: &Client, contact: &str, channel: &str, granted: bool) {
    let reply = api
        .post(
            &format!("/v1/contacts/{contact}/consents"),
            json!({ "channel": channel, "purpose": "marketing", "granted": granted, "source": "web_form", "evidence": "newsletter box" }),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
}

// ---------------------------------------------------------------- channels

#[tokio::test]
async fn a_twilio_channel_shows_its_webhook_urls_and_never_its_secrets() {
    let tenant = connect("Channel Bakery").await;
    let read = tenant.owner.api.get("/v1/channels/twilio").await;
    assert_eq!(read.status, 200);
    let text = read.body.to_string();
    assert!(
        !text.contains(&tenant.token),
        "the auth token is write-only: {text}"
    );
    let base = &stack().url;
    assert!(tenant
        .messages_url
        .starts_with(&format!("{base}/webhooks/twilio/")));
    assert!(tenant.messages_url.ends_with("/messages") && tenant.status_url.ends_with("/status"));
    let channel_id = read.body["channel_id"].as_str().unwrap();
    assert_eq!(channel_id.len(), 32, "128 random bits");

    // Updating without the token keeps it (and the URLs).
    let again = tenant
        .owner
        .api
        .put(
            "/v1/channels/twilio",
            json!({ "account_sid": ACCOUNT, "phone_numbers": [tenant.number] }),
        )
        .await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(again.body["channel_id"], channel_id);
    let (status, _, _) = tenant.inbound(&unique_number(), "hello").await;
    assert_eq!(status, 200, "the stored token still verifies");

    let agent = invite(&tenant.owner, "agent").await;
    assert_eq!(
        agent.api.get("/v1/channels/twilio").await.status,
        403,
        "owners and admins only"
    );
    let bad = tenant
        .owner
        .api
        .put(
            "/v1/channels/twilio",
            json!({ "account_sid": "AC1", "auth_token": "x" }),
        )
        .await;
    assert_eq!((bad.status, bad.error_code()), (400, "invalid_field"));

    assert_eq!(
        tenant.owner.api.delete("/v1/channels/twilio").await.status,
        204
    );
    let (status, _, _) = tenant.inbound(&unique_number(), "hello").await;
    assert_eq!(status, 403, "a removed channel's URL no longer works");
}

// ---------------------------------------------------------------- inbound

#[tokio::test]
async fn an_inbound_sms_creates_the_contact_and_conversation_once() {
    let tenant = connect("Inbound Bakery").await;
    let from = unique_number();
    let message_sid = sid();
    let (status, content_type, body) = tenant
        .inbound_with_sid(&from, "Do you have rye bread?", &message_sid)
        .await;
    assert_eq!(
        (status, content_type.as_str(), body.as_str()),
        (200, "text/xml", "<Response/>")
    );
    let (again, _, _) = tenant
        .inbound_with_sid(&from, "Do you have rye bread?", &message_sid)
        .await;
    assert_eq!(again, 200, "a redelivery is acknowledged");

    let contact = tenant
        .contact_by_phone(&from)
        .await
        .expect("contact created");
    assert_eq!(
        contact["consent"]["sms"]["marketing"], "none",
        "no marketing consent from a message"
    );
    let conversations = tenant
        .conversations_of(contact["id"].as_str().unwrap())
        .await;
    assert_eq!(conversations.len(), 1);
    assert_eq!(
        (
            conversations[0]["channel"].as_str(),
            conversations[0]["status"].as_str()
        ),
        (Some("sms"), Some("open"))
    );
    let detail = tenant
        .owner
        .api
        .get(&format!(
            "/v1/conversations/{}",
            conversations[0]["id"].as_str().unwrap()
        ))
        .await;
    let messages = detail.body["messages"].as_array().unwrap();
    assert_eq!(
        messages.len(),
        1,
        "the same MessageSid is stored once: {messages:?}"
    );
    assert_eq!(messages[0]["direction"], "inbound");
    assert_eq!(messages[0]["body"], "Do you have rye bread?");

    // A second message joins the open conversation; WhatsApp opens its own.
    tenant.inbound(&from, "And spelt?").await;
    tenant
        .inbound(&format!("whatsapp:{from}"), "Hi on WhatsApp")
        .await;
    let conversations = tenant
        .conversations_of(contact["id"].as_str().unwrap())
        .await;
    assert_eq!(conversations.len(), 2);
    assert_eq!(
        conversations[0]["channel"], "whatsapp",
        "newest activity first"
    );
}

#[tokio::test]
async fn forged_unsigned_or_foreign_webhooks_change_nothing() {
    let tenant = connect("Guarded Bakery").await;
    let other = connect("Other Guarded Bakery").await;
    let from = unique_number();
    let params = [
        ("MessageSid", "SM0123456789abcdef0123456789abcd99"),
        ("AccountSid", ACCOUNT),
        ("From", from.as_str()),
        ("To", tenant.number.as_str()),
        ("Body", "STOP"),
    ];
    let (unsigned, _, _) = post_signed(&tenant.messages_url, None, &params).await;
    assert_eq!(unsigned, 403);
    let (forged, _, _) = post_signed(
        &tenant.messages_url,
        Some("0000000000000000000000000000000f"),
        &params,
    )
    .await;
    assert_eq!(forged, 403);
    // The other tenant's token on this tenant's URL, and this tenant's URL signed as if it were the other's.
    let (foreign, _, _) = post_signed(&tenant.messages_url, Some(&other.token), &params).await;
    assert_eq!(foreign, 403);
    let mut altered = params.to_vec();
    let signature = twilio_signature(&tenant.token, &tenant.messages_url, &params);
    altered[4] = ("Body", "START");
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&altered)
        .finish();
    let tampered = reqwest::Client::new()
        .post(&tenant.messages_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        tampered.status().as_u16(),
        403,
        "a changed parameter breaks the signature"
    );
    let (unknown, _, _) = post_signed(
        &format!("{}/webhooks/twilio/{:032x}/messages", stack().url, 7),
        Some(&tenant.token),
        &params,
    )
    .await;
    assert_eq!(unknown, 403);
    assert!(
        tenant.contact_by_phone(&from).await.is_none(),
        "nothing was stored"
    );
    assert!(other.contact_by_phone(&from).await.is_none());
    let logs = confide_tests::logged().join("\n");
    assert!(!logs.contains(&from[2..]), "no phone number in the logs");
}

// ---------------------------------------------------------------- keywords, campaigns

#[tokio::test]
async fn stop_removes_a_contact_from_campaigns_and_start_brings_it_back() {
    let tenant = connect("Keyword Bakery").await;
    let api = &tenant.owner.api;
    let (ada, bob, cy) = (unique_number(), unique_number(), unique_number());
    let mut ids = Vec::new();
    for (name, phone) in [("Ada", &ada), ("Bob", &bob), ("Cy", &cy)] {
        let reply = api
            .post(
                "/v1/contacts",
                json!({ "name": name, "phone": phone, "tags": ["regulars"] }),
            )
            .await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
        ids.push(reply.body["id"].as_str().unwrap().to_owned());
    }
    consent(api, &ids[0], "sms", true).await;
    consent(api, &ids[1], "sms", true).await; // Cy never consented.

    let (status, _, twiml) = tenant.inbound(&bob, " stop ").await;
    assert_eq!((status, twiml.as_str()), (200, "<Response/>"));
    let ledger = api.get(&format!("/v1/contacts/{}/consents", ids[1])).await;
    assert_eq!(ledger.body["current"]["sms"]["marketing"], "withdrawn");
    let last = ledger.body["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["source"].as_str(), last["evidence"].as_str()),
        (Some("keyword"), Some("stop"))
    );
    let (_, _, help) = tenant.inbound(&cy, "HELP").await;
    assert_eq!(
        help,
        "<Response><Message>Bakery: call us on 030 123</Message></Response>"
    );
    tenant.inbound(&cy, "please stop calling").await;
    let cy_consent = api.get(&format!("/v1/contacts/{}/consents", ids[2])).await;
    assert_eq!(
        cy_consent.body["history"],
        json!([]),
        "a sentence with 'stop' in it is not STOP"
    );

    // Counted before sending, by the rule the campaign then applies; each contact once.
    let counted = api
        .post(
            "/v1/campaigns/audience",
            json!({ "channel": "sms", "audience": { "tags": ["regulars", "no-such-tag"] } }),
        )
        .await;
    assert_eq!(counted.status, 200, "{:?}", counted.body);
    assert_eq!(
        counted.body,
        json!({ "contacts": 3, "consented": 1, "no_consent": 1, "opted_out": 1, "unreachable": 0 })
    );
    let by_email = api
        .post(
            "/v1/campaigns/audience",
            json!({ "channel": "email", "audience": { "contact_ids": [ids[0], ids[0]] } }),
        )
        .await;
    assert_eq!(by_email.body["contacts"], 1, "{:?}", by_email.body);
    assert_eq!(by_email.body["unreachable"], 1);

    let campaign = api.post("/v1/campaigns", json!({ "channel": "sms", "body": "Stollen week!", "audience": { "tags": ["regulars"] } })).await;
    assert_eq!(campaign.status, 202, "{:?}", campaign.body);
    let done = wait_for_campaign(api, campaign.body["id"].as_str().unwrap()).await;
    assert_eq!(done["counts"]["targeted"], 3, "{done}");
    assert_eq!(done["counts"]["sent"], 1);
    assert_eq!(done["counts"]["skipped"]["opted_out"], 1);
    assert_eq!(done["counts"]["skipped"]["no_consent"], 1);
    let messaging = &stack().messaging;
    let to_ada = messaging.twilio_to(&ada);
    assert_eq!(to_ada.len(), 1);
    assert_eq!(to_ada[0].field("Body"), Some("Stollen week!"));
    assert_eq!(to_ada[0].field("From"), Some(tenant.number.as_str()));
    assert_eq!(
        to_ada[0].field("StatusCallback"),
        Some(tenant.status_url.as_str())
    );
    assert_eq!(
        to_ada[0].path,
        format!("/2010-04-01/Accounts/{ACCOUNT}/Messages.json")
    );
    use base64::Engine;
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT}:{}", tenant.token));
    assert_eq!(to_ada[0].authorization, format!("Basic {basic}"));
    assert!(messaging.twilio_to(&bob).is_empty(), "STOP was honoured");
    assert!(
        messaging.twilio_to(&cy).is_empty(),
        "no consent, no campaign"
    );

    tenant.inbound(&bob, "START").await;
    let again = api.post("/v1/campaigns", json!({ "channel": "sms", "body": "Back in stock", "audience": { "contact_ids": [ids[1]] } })).await;
    let done = wait_for_campaign(api, again.body["id"].as_str().unwrap()).await;
    assert_eq!(done["counts"]["sent"], 1, "{done}");
    assert_eq!(messaging.twilio_to(&bob).len(), 1, "START re-enabled Bob");
}

// ---------------------------------------------------------------- replies and delivery

#[tokio::test]
async fn a_reply_is_sent_once_and_its_status_only_moves_forward() {
    let tenant = connect("Reply Bakery").await;
    let agent = invite(&tenant.owner, "agent").await;
    let from = unique_number();
    tenant.inbound(&from, "Is the shop open on Sunday?").await;
    let contact = tenant.contact_by_phone(&from).await.unwrap();
    let conversation = tenant
        .conversations_of(contact["id"].as_str().unwrap())
        .await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A service reply to a conversation the contact started needs no marketing consent.
    let reply = agent
        .api
        .post(
            &format!("/v1/conversations/{conversation}/messages"),
            json!({ "body": "Yes, 8 to 12." }),
        )
        .await;
    assert_eq!(reply.status, 202, "{:?}", reply.body);
    let message_id = reply.body["id"].as_str().unwrap().to_owned();
    let messaging = &stack().messaging;
    eventually("Twilio received the reply", || async {
        messaging.twilio_to(&from).len() == 1
    })
    .await;
    let sent = messaging.twilio_to(&from)[0].clone();
    assert_eq!(sent.field("Body"), Some("Yes, 8 to 12."));

    // The same queue message delivered again (SQS may) sends nothing more.
    let job = MessagingJob::Send {
        tenant_id: TenantId::parse(&tenant.owner.tenant_id).unwrap(),
        conversation_id: ConversationId::parse(&conversation).unwrap(),
        message_id: MessageId::parse(&message_id).unwrap(),
    };
    let app = stack().app().await;
    app.messaging.enqueue(&job, 0).await.unwrap();
    app.messaging.enqueue(&job, 0).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(messaging.twilio_to(&from).len(), 1, "never sent twice");

    let message_status = || async {
        let detail = tenant
            .owner
            .api
            .get(&format!("/v1/conversations/{conversation}"))
            .await;
        detail.body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == message_id.as_str())
            .unwrap()
            .clone()
    };
    eventually("the sid is stored", || async {
        message_status().await["status"] == "queued"
    })
    .await;
    assert_eq!(tenant.status(&sent.id, "delivered", None).await, 200);
    assert_eq!(
        tenant.status(&sent.id, "sent", None).await,
        200,
        "a late 'sent' arrives after 'delivered'"
    );
    let message = message_status().await;
    assert_eq!(
        message["status"], "delivered",
        "status never moves backwards"
    );
    assert_eq!(message["direction"], "outbound");

    // Twilio reports 21610 for a number that replied STOP at the carrier: that is a withdrawal.
    let second_id = tenant
        .owner
        .api
        .post(
            &format!("/v1/conversations/{conversation}/messages"),
            json!({ "body": "Anything else?" }),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    eventually("the second reply went out", || async {
        messaging.twilio_to(&from).len() == 2
    })
    .await;
    let second = messaging.twilio_to(&from)[1].clone();
    // The stand-in has the request before the worker has stored the sid Twilio answered with; a
    // callback for a sid not yet stored is ignored, so wait for it as for the first reply.
    eventually("the second sid is stored", || async {
        let detail = tenant
            .owner
            .api
            .get(&format!("/v1/conversations/{conversation}"))
            .await;
        detail.body["messages"].as_array().is_some_and(|all| {
            all.iter()
                .any(|m| m["id"] == second_id.as_str() && m["status"] == "queued")
        })
    })
    .await;
    assert_eq!(
        tenant
            .status(&second.id, "undelivered", Some("21610"))
            .await,
        200
    );
    let ledger = tenant
        .owner
        .api
        .get(&format!(
            "/v1/contacts/{}/consents",
            contact["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        ledger.body["current"]["sms"]["service"], "withdrawn",
        "{:?}",
        ledger.body
    );
    let refused = agent
        .api
        .post(
            &format!("/v1/conversations/{conversation}/messages"),
            json!({ "body": "Hello?" }),
        )
        .await;
    assert_eq!((refused.status, refused.error_code()), (409, "opted_out"));
}

#[tokio::test]
async fn whatsapp_replies_are_refused_outside_the_24_hour_window() {
    let tenant = connect("Window Bakery").await;
    let from = unique_number();
    tenant.inbound(&format!("whatsapp:{from}"), "Hi").await;
    let contact = tenant.contact_by_phone(&from).await.unwrap();
    let conversation = tenant
        .conversations_of(contact["id"].as_str().unwrap())
        .await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/conversations/{conversation}/messages");
    let inside = tenant
        .owner
        .api
        .post(&path, json!({ "body": "Hello!" }))
        .await;
    assert_eq!(inside.status, 202, "{:?}", inside.body);

    // Move the contact's last message 25 hours into the past, as time would.
    let app = stack().app().await;
    let tenant_id = TenantId::parse(&tenant.owner.tenant_id).unwrap();
    let id = ConversationId::parse(&conversation).unwrap();
    let current = app
        .store
        .conversation(&tenant_id, &id)
        .await
        .unwrap()
        .unwrap();
    let mut older = current.record.clone();
    let then = time::OffsetDateTime::now_utc() - time::Duration::hours(25);
    older.last_inbound_at = Some(
        then.format(&time::format_description::well_known::Rfc3339)
            .unwrap(),
    );
    app.store
        .save_conversation(&tenant_id, &current, older)
        .await
        .unwrap();
    let outside = tenant
        .owner
        .api
        .post(&path, json!({ "body": "Still there?" }))
        .await;
    assert_eq!(
        (outside.status, outside.error_code()),
        (409, "outside_whatsapp_window")
    );
}

// ---------------------------------------------------------------- email

#[tokio::test]
async fn marketing_email_carries_one_click_unsubscribe_and_a_forged_token_changes_nothing() {
    let owner = sign_up("Email Bakery").await;
    let api = &owner.api;
    let channel = api
        .put("/v1/channels/email", json!({ "from_email": "hello@email-bakery.example", "from_name": "Email Bakery", "sendgrid_api_key": "SG.test-key-0123456789" }))
        .await;
    assert_eq!(channel.status, 200, "{:?}", channel.body);
    assert!(
        !channel.body.to_string().contains("SG.test-key"),
        "the key is write-only"
    );
    let email = format!("{}@example.com", uuid::Uuid::new_v4().simple());
    let contact = api
        .post(
            "/v1/contacts",
            json!({ "name": "Ada", "email": email, "tags": ["letters"] }),
        )
        .await
        .body;
    let id = contact["id"].as_str().unwrap();
    consent(api, id, "email", true).await;
    let campaign = api
        .post("/v1/campaigns", json!({ "channel": "email", "subject": "Winter menu", "body": "Soups are back.", "audience": { "tags": ["letters"] } }))
        .await;
    assert_eq!(campaign.status, 202, "{:?}", campaign.body);
    wait_for_campaign(api, campaign.body["id"].as_str().unwrap()).await;
    let sent = stack().messaging.sendgrid_to(&email);
    assert_eq!(sent.len(), 1);
    let request = &sent[0].json;
    assert_eq!(sent[0].authorization, "Bearer SG.test-key-0123456789");
    assert_eq!(request["from"]["email"], "hello@email-bakery.example");
    assert_eq!(request["subject"], "Winter menu");
    assert_eq!(
        request["headers"]["List-Unsubscribe-Post"],
        "List-Unsubscribe=One-Click"
    );
    let header = request["headers"]["List-Unsubscribe"].as_str().unwrap();
    let url = header.trim_start_matches('<').trim_end_matches('>');
    let prefix = format!("{}/v1/unsubscribe/", stack().url);
    assert!(url.starts_with(&prefix), "{url}");
    let token = &url[prefix.len()..];
    assert!(
        !token.contains(&email) && !token.contains("Ada"),
        "only ids in the link"
    );

    let anonymous = Client::anonymous();
    let mut forged = token.to_owned();
    forged.pop();
    forged.push(if token.ends_with('A') { 'B' } else { 'A' });
    let (status, _) = anonymous
        .send_bytes(
            "POST",
            &format!("/v1/unsubscribe/{forged}"),
            Some("application/x-www-form-urlencoded"),
            "List-Unsubscribe=One-Click",
        )
        .await;
    assert_eq!(status, 404);
    let ledger = api.get(&format!("/v1/contacts/{id}/consents")).await;
    assert_eq!(
        ledger.body["current"]["email"]["marketing"], "granted",
        "a forged token changed nothing"
    );

    // The link in the text opens a page whose button posts; opening it (as a mail scanner does)
    // changes nothing, and a forged token gets no page.
    let (status, page) = anonymous
        .send_bytes("GET", &format!("/v1/unsubscribe/{token}"), None, "")
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!(
            "<form method=\"post\" action=\"/v1/unsubscribe/{token}\">"
        )),
        "{page}"
    );
    let (status, _) = anonymous
        .send_bytes("GET", &format!("/v1/unsubscribe/{forged}"), None, "")
        .await;
    assert_eq!(status, 404);
    let ledger = api.get(&format!("/v1/contacts/{id}/consents")).await;
    assert_eq!(
        ledger.body["current"]["email"]["marketing"], "granted",
        "a GET changed nothing"
    );

    let (status, body) = anonymous
        .send_bytes(
            "POST",
            &format!("/v1/unsubscribe/{token}"),
            Some("application/x-www-form-urlencoded"),
            "List-Unsubscribe=One-Click",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let ledger = api.get(&format!("/v1/contacts/{id}/consents")).await;
    assert_eq!(ledger.body["current"]["email"]["marketing"], "withdrawn");
    assert_eq!(
        ledger.body["history"].as_array().unwrap().last().unwrap()["source"],
        "unsubscribe"
    );
}

// ---------------------------------------------------------------- privacy and isolation

#[tokio::test]
async fn raw_items_hold_no_clear_numbers_or_bodies_and_other_tenants_see_nothing() {
    let tenant = connect("Private Bakery").await;
    let from = unique_number();
    let secret_body = format!("my secret order {}", uuid::Uuid::new_v4().simple());
    tenant.inbound(&from, &secret_body).await;
    let contact = tenant.contact_by_phone(&from).await.unwrap();
    let conversation = tenant
        .conversations_of(contact["id"].as_str().unwrap())
        .await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    tenant
        .owner
        .api
        .post(
            &format!("/v1/conversations/{conversation}/messages"),
            json!({ "body": format!("reply to {secret_body}") }),
        )
        .await;
    eventually("the reply went out", || async {
        stack().messaging.twilio_to(&from).len() == 1
    })
    .await;

    let raw = aws_sdk_dynamodb::Client::new(&stack().sdk().await);
    let items = raw
        .query()
        .table_name(&stack().table)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(
            ":pk",
            AttributeValue::S(format!("T#{}", tenant.owner.tenant_id)),
        )
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default();
    assert!(
        items.len() > 6,
        "contact, conversation, messages, pointers, channel: {}",
        items.len()
    );
    let dump = format!("{items:?}");
    for secret in [&from[2..], secret_body.as_str(), tenant.token.as_str()] {
        assert!(!dump.contains(secret), "{secret} is in the raw table");
    }

    // The queue carried this tenant's jobs by id only: no number, no body, no token.
    let ours: Vec<String> = confide_tests::queue_bodies()
        .into_iter()
        .filter(|(queue, body)| queue == "MessagingQueue" && body.contains(&tenant.owner.tenant_id))
        .map(|(_, body)| body)
        .collect();
    assert!(!ours.is_empty(), "the reply's job went through the queue");
    for body in &ours {
        let job: MessagingJob = serde_json::from_str(body).expect("a job of ids");
        assert!(matches!(job, MessagingJob::Send { .. }), "{body}");
        for secret in [&from[2..], secret_body.as_str(), tenant.token.as_str()] {
            assert!(
                !body.contains(secret),
                "{secret} in a queue message: {body}"
            );
        }
    }

    let intruder = connect("Intruder Bakery").await;
    assert_eq!(
        intruder
            .owner
            .api
            .get(&format!("/v1/conversations/{conversation}"))
            .await
            .status,
        404
    );
    let reply = intruder
        .owner
        .api
        .post(
            &format!("/v1/conversations/{conversation}/messages"),
            json!({ "body": "hi" }),
        )
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        intruder
            .owner
            .api
            .patch(
                &format!("/v1/conversations/{conversation}"),
                json!({ "status": "closed" })
            )
            .await
            .status,
        404
    );
    assert_eq!(
        intruder.owner.api.get("/v1/conversations").await.body["items"],
        json!([])
    );
    let campaign = intruder
        .owner
        .api
        .post("/v1/campaigns", json!({ "channel": "sms", "body": "Spam", "audience": { "contact_ids": [contact["id"]] } }))
        .await;
    let done = wait_for_campaign(&intruder.owner.api, campaign.body["id"].as_str().unwrap()).await;
    assert_eq!(
        done["counts"]["targeted"], 0,
        "another tenant's contact id is nobody: {done}"
    );
    assert_eq!(stack().messaging.twilio_to(&from).len(), 1);
    let theirs = tenant.owner.api.get("/v1/campaigns").await;
    assert!(theirs.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["id"] != campaign.body["id"]));
}
