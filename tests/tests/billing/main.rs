//! Billing on a deployment that bills through Stripe, against a local stand-in for Stripe's API:
//! Checkout creates the tenant's customer once; signed webhooks then move the tenant between plans, once
//! per event and never backwards in time.

use confide_tests::stripe::STRIPE_API_KEY;
use confide_tests::stripe_events::{
    checkout, checkout_completed, deliver, deliver_signed, fixture, invoice_event, new_id, now,
    subscribe_customer, subscription_event, SubscriptionState, API_VERSION,
};
use confide_tests::{
    invite, sign_up, stack, stripe_signature, unique_email, with_billing, User, BILLING_RETURN_URL,
    BUSINESS_PRICE, STARTER_PRICE,
};
use serde_json::{json, Value};

/// Whether the tenant can add one more member (free allows 2 seats, starter 5).
async fn invite_status(owner: &User) -> u16 {
    owner
        .api
        .post(
            "/v1/members",
            json!({ "email": unique_email("seat"), "role": "viewer" }),
        )
        .await
        .status
}

async fn audit_count(owner: &User, action: &str) -> usize {
    let reply = owner.api.get(&format!("/v1/audit?action={action}")).await;
    reply.body["entries"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn checkout_creates_one_customer_per_tenant_and_returns_the_session_url() {
    with_billing();
    let owner = sign_up("Checkout Bakery").await;
    let tenant = owner.tenant_id.clone();

    let first = checkout(&owner, "starter").await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    let url = first.body["url"].as_str().expect("url");
    assert!(
        url.starts_with("https://checkout.stripe.com/c/pay/cs_test_standin"),
        "{url}"
    );
    let second = checkout(&owner, "business").await;
    assert_eq!(second.status, 201, "{:?}", second.body);
    assert_ne!(
        second.body["url"], first.body["url"],
        "a new session each time"
    );

    let calls = stack().stripe.calls_with(&tenant);
    let customers: Vec<_> = calls.iter().filter(|c| c.path == "/v1/customers").collect();
    assert_eq!(customers.len(), 1, "one customer for the tenant: {calls:?}");
    let create = customers[0];
    assert_eq!(create.method, "POST");
    assert_eq!(
        create.form,
        vec![("metadata[tenant_id]".to_owned(), tenant.clone())],
        "the tenant id and nothing about any person"
    );
    assert_eq!(
        create.headers.get("idempotency-key").map(String::as_str),
        Some(format!("confide-customer-{tenant}").as_str()),
        "concurrent first checkouts get one customer"
    );
    let sessions: Vec<_> = calls
        .iter()
        .filter(|c| c.path == "/v1/checkout/sessions")
        .collect();
    assert_eq!(sessions.len(), 2);
    let customer = sessions[0].field("customer").expect("customer").to_owned();
    assert!(customer.starts_with("cus_standin"), "{customer}");
    for (session, price) in sessions.iter().zip([STARTER_PRICE, BUSINESS_PRICE]) {
        let mut form = session.form.clone();
        form.sort();
        let mut expected = vec![
            (
                "cancel_url",
                format!("{BILLING_RETURN_URL}?checkout=canceled"),
            ),
            ("client_reference_id", tenant.clone()),
            ("customer", customer.clone()),
            ("line_items[0][price]", price.to_owned()),
            ("line_items[0][quantity]", "1".to_owned()),
            ("mode", "subscription".to_owned()),
            (
                "success_url",
                format!("{BILLING_RETURN_URL}?checkout=success"),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect::<Vec<_>>();
        expected.sort();
        assert_eq!(form, expected, "the exact Checkout request");
    }
    for call in &calls {
        assert_eq!(
            call.headers.get("authorization").map(String::as_str),
            Some(format!("Bearer {STRIPE_API_KEY}").as_str()),
            "the key read from SSM"
        );
        assert_eq!(
            call.headers.get("stripe-version").map(String::as_str),
            Some(API_VERSION),
            "pinned to Confide's API version"
        );
    }

    // Another tenant gets a customer of its own.
    let other = sign_up("Other Checkout Bakery").await;
    assert_eq!(checkout(&other, "starter").await.status, 201);
    let other_calls = stack().stripe.calls_with(&other.tenant_id);
    let other_customer = other_calls
        .iter()
        .find(|c| c.path == "/v1/checkout/sessions")
        .and_then(|c| c.field("customer"))
        .expect("customer");
    assert_ne!(other_customer, customer);

    // The portal opens for the same customer and returns to the billing page.
    let portal = owner.api.post("/v1/billing/portal", json!({})).await;
    assert_eq!(portal.status, 201, "{:?}", portal.body);
    assert!(portal.body["url"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://billing.stripe.com/p/session/")));
    let portal_calls = stack().stripe.calls_with(&customer);
    let opened = portal_calls
        .iter()
        .find(|c| c.path == "/v1/billing_portal/sessions")
        .expect("a portal session");
    let mut form = opened.form.clone();
    form.sort();
    assert_eq!(
        form,
        vec![
            ("customer".to_owned(), customer.clone()),
            ("return_url".to_owned(), BILLING_RETURN_URL.to_owned()),
        ]
    );
    assert_eq!(audit_count(&owner, "billing.checkout_started").await, 2);
    assert_eq!(audit_count(&owner, "billing.customer_linked").await, 1);
    assert_eq!(audit_count(&owner, "billing.portal_opened").await, 1);
}

#[tokio::test]
async fn checkout_and_portal_refuse_what_they_cannot_do() {
    with_billing();
    let owner = sign_up("Careful Bakery").await;
    // No customer yet: nothing to manage in the portal.
    let portal = owner.api.post("/v1/billing/portal", json!({})).await;
    assert_eq!(portal.status, 409, "{:?}", portal.body);
    assert_eq!(portal.error_code(), "no_billing_account");

    for (body, code) in [
        (json!({ "plan": "free" }), "plan_not_for_sale"),
        (json!({ "plan": "gold" }), "invalid_field"),
        (json!({}), "invalid_json"),
        (json!("starter"), "invalid_json"),
        (json!({ "plan": "starter", "card": "4242" }), "invalid_json"),
    ] {
        let reply = owner.api.post("/v1/billing/checkout", body.clone()).await;
        assert_eq!(reply.status, 400, "{body}: {:?}", reply.body);
        assert_eq!(reply.error_code(), code, "{body}");
    }
    assert!(
        stack().stripe.calls_with(&owner.tenant_id).is_empty(),
        "bad requests reach no Stripe API"
    );

    // Members other than owners and admins cannot buy.
    let viewer = invite(&owner, "viewer").await;
    for path in ["/v1/billing/checkout", "/v1/billing/portal"] {
        let reply = viewer.api.post(path, json!({ "plan": "starter" })).await;
        assert_eq!(reply.status, 403, "{path}: {:?}", reply.body);
    }

    // Stripe failing answers 502 and stores nothing; the next try works.
    stack().stripe.fail_next(&owner.tenant_id, 500);
    let failed = checkout(&owner, "starter").await;
    assert_eq!(failed.status, 502, "{:?}", failed.body);
    assert_eq!(failed.error_code(), "upstream_failed");
    assert_eq!(checkout(&owner, "starter").await.status, 201);

    // With a live subscription, a second Checkout is refused: plan changes go through the portal.
    let customer = subscribe_customer(&owner).await;
    let t = now();
    let state = SubscriptionState {
        customer: &customer,
        subscription: &new_id("sub"),
        status: "active",
        price: STARTER_PRICE,
    };
    let active = subscription_event(&new_id("evt"), "customer.subscription.created", t, &state);
    assert_eq!(deliver_signed(&active).await["outcome"], "applied");
    let again = checkout(&owner, "business").await;
    assert_eq!(again.status, 409, "{:?}", again.body);
    assert_eq!(again.error_code(), "already_subscribed");
}

#[tokio::test]
async fn a_completed_checkout_and_its_subscription_move_the_tenant_between_plans_once_and_in_order()
{
    with_billing();
    let owner = sign_up("Billed Bakery").await;
    // Free: the owner and one more member.
    assert_eq!(invite_status(&owner).await, 201);
    assert_eq!(invite_status(&owner).await, 402, "free allows two seats");

    let customer = subscribe_customer(&owner).await;
    let subscription = new_id("sub");
    let t = now();
    let completed = checkout_completed(&owner.tenant_id, &customer, t - 50);
    assert_eq!(deliver_signed(&completed).await["outcome"], "recorded");
    let active = subscription_event(
        &new_id("evt"),
        "customer.subscription.updated",
        t - 40,
        &SubscriptionState {
            customer: &customer,
            subscription: &subscription,
            status: "active",
            price: STARTER_PRICE,
        },
    );
    for delivery in 0..5 {
        let reply = deliver_signed(&active).await;
        let expected = if delivery == 0 {
            "applied"
        } else {
            "duplicate"
        };
        assert_eq!(reply["outcome"], expected, "delivery {delivery}");
    }
    assert_eq!(
        audit_count(&owner, "billing.subscription_changed").await,
        1,
        "one effect for five deliveries"
    );
    assert_eq!(audit_count(&owner, "billing.checkout_completed").await, 1);
    assert_eq!(invite_status(&owner).await, 201, "starter has more seats");
    let overview = owner.api.get("/v1/billing").await;
    assert_eq!(overview.body["configured"], true, "{:?}", overview.body);
    assert_eq!(overview.body["plan"], "starter");
    assert_eq!(overview.body["status"], "active");
    assert_eq!(overview.body["current_period"]["end"], 1_797_600_000);

    // Canceled, then an older "active" on business arriving late: the tenant stays on free.
    let canceled = SubscriptionState {
        customer: &customer,
        subscription: &subscription,
        status: "canceled",
        price: STARTER_PRICE,
    };
    let deleted = subscription_event(
        &new_id("evt"),
        "customer.subscription.deleted",
        t - 10,
        &canceled,
    );
    assert_eq!(deliver_signed(&deleted).await["outcome"], "applied");
    let late = subscription_event(
        &new_id("evt"),
        "customer.subscription.updated",
        t - 30,
        &SubscriptionState {
            status: "active",
            price: BUSINESS_PRICE,
            ..canceled
        },
    );
    assert_eq!(deliver_signed(&late).await["outcome"], "stale");
    assert_eq!(invite_status(&owner).await, 402, "back on free limits");
    let overview = owner.api.get("/v1/billing").await;
    assert_eq!(overview.body["plan"], "free");
    assert_eq!(overview.body["status"], "canceled");
    assert_eq!(overview.body["limits"]["analyses_per_month"], 10);
    assert_eq!(audit_count(&owner, "billing.subscription_changed").await, 2);

    // Free allows ten analyses a month: the eleventh is refused with the limit that was hit.
    for n in 0..10 {
        let reply = owner
            .api
            .post(
                "/v1/analyses",
                json!({ "kind": "swot", "inputs": { "goal": format!("Goal {n}") } }),
            )
            .await;
        assert_eq!(reply.status, 202, "analysis {n}: {:?}", reply.body);
    }
    let over = owner
        .api
        .post(
            "/v1/analyses",
            json!({ "kind": "swot", "inputs": { "goal": "One too many" } }),
        )
        .await;
    assert_eq!(over.status, 402, "{:?}", over.body);
    assert_eq!(over.error_code(), "plan_limit_reached");
    assert_eq!(over.body["error"]["limit"]["metered"], "analyses_per_month");
    assert_eq!(over.body["error"]["limit"]["limit"], 10);

    // Invoices and trial notices are recorded in the tenant's audit log.
    for kind in ["invoice.paid", "invoice.payment_failed"] {
        let reply = deliver_signed(&invoice_event(kind, &customer, t)).await;
        assert_eq!(reply["outcome"], "recorded", "{kind}");
    }
    let mut trial = fixture("customer-subscription-trial-will-end");
    trial["id"] = json!(new_id("evt"));
    trial["data"]["object"]["customer"] = json!(customer);
    assert_eq!(deliver_signed(&trial).await["outcome"], "recorded");
    assert_eq!(audit_count(&owner, "billing.invoice_paid").await, 1);
    assert_eq!(audit_count(&owner, "billing.payment_failed").await, 1);
    assert_eq!(audit_count(&owner, "billing.trial_ending").await, 1);
}

/// Deliveries of older and newer states racing each other: whatever the interleaving, the newest
/// state is what stays (each write is conditional on what its delivery read). Several rounds, each
/// newer than the last and ending on the other plan, because one round may happen not to interleave.
#[tokio::test]
async fn concurrent_deliveries_leave_the_newest_state() {
    with_billing();
    let owner = sign_up("Racing Bakery").await;
    let customer = subscribe_customer(&owner).await;
    let subscription = new_id("sub");
    let start = now() - 1_000;
    for round in 0..6_i64 {
        let (newest, older) = if round % 2 == 0 {
            (BUSINESS_PRICE, STARTER_PRICE)
        } else {
            (STARTER_PRICE, BUSINESS_PRICE)
        };
        let events: Vec<Value> = [(0, older), (5, newest), (3, older), (1, older)]
            .into_iter()
            .map(|(offset, price)| {
                subscription_event(
                    &new_id("evt"),
                    "customer.subscription.updated",
                    start + round * 10 + offset,
                    &SubscriptionState {
                        customer: &customer,
                        subscription: &subscription,
                        status: "active",
                        price,
                    },
                )
            })
            .collect();
        let deliveries = (0..3).flat_map(|_| events.iter()).map(deliver_signed);
        futures::future::join_all(deliveries).await;
        let expected = if round % 2 == 0 {
            "business"
        } else {
            "starter"
        };
        let overview = owner.api.get("/v1/billing").await;
        assert_eq!(
            overview.body["plan"], expected,
            "round {round}: {:?}",
            overview.body
        );
    }
}

#[tokio::test]
async fn unsigned_altered_or_stale_webhooks_change_nothing() {
    with_billing();
    let owner = sign_up("Guarded Bakery").await;
    let customer = subscribe_customer(&owner).await;
    let t = now();
    let body = subscription_event(
        &new_id("evt"),
        "customer.subscription.created",
        t,
        &SubscriptionState {
            customer: &customer,
            subscription: &new_id("sub"),
            status: "active",
            price: BUSINESS_PRICE,
        },
    )
    .to_string();
    for (signature, why) in [
        (None, "missing"),
        (Some(stripe_signature(&body, t - 301)), "stale"),
        (Some(stripe_signature(&body, t + 301)), "future"),
        (
            Some(stripe_signature(&body.replacen("active", "activf", 1), t)),
            "altered body",
        ),
        (
            Some(format!("t={t},v1={}", "ab".repeat(32))),
            "wrong signature",
        ),
    ] {
        let (status, reply) = deliver(&body, signature).await;
        assert_eq!(status, 400, "{why}: {reply}");
        assert_eq!(reply["error"]["code"], "invalid_signature", "{why}");
    }
    let overview = owner.api.get("/v1/billing").await;
    assert_eq!(overview.body["plan"], "free", "nothing was applied");
    assert_eq!(overview.body["status"], Value::Null);

    // Signed, but rendered for another API version: refused, so the misconfigured endpoint shows.
    let other_version = body.replacen(API_VERSION, "2024-06-20", 1);
    let (status, reply) = deliver(&other_version, Some(stripe_signature(&other_version, t))).await;
    assert_eq!(status, 400);
    assert_eq!(reply["error"]["code"], "unsupported_api_version");

    // A 6 MB `api_version`, signed, made a 6 MB answer and log lines of 6–12 MB.
    let huge_version = "v".repeat(6 * 1024 * 1024 - body.len() - 1024);
    let huge = body.replacen(API_VERSION, &huge_version, 1);
    let (status, reply) = deliver(&huge, Some(stripe_signature(&huge, t))).await;
    assert_eq!(status, 400);
    assert_eq!(reply["error"]["code"], "unsupported_api_version");
    assert!(
        reply.to_string().len() < 1024,
        "{} bytes answered",
        reply.to_string().len()
    );
    for line in confide_tests::logged() {
        assert!(
            line.len() < 4096,
            "a log line of {} bytes: {line:.300}",
            line.len()
        );
    }

    // Unknown event types, and types Confide does not act on, are acknowledged and ignored.
    let unknown = json!({ "id": new_id("evt"), "object": "event", "api_version": API_VERSION,
        "created": t, "type": "confide.test.unknown", "data": { "object": { "customer": customer } } });
    assert_eq!(deliver_signed(&unknown).await["outcome"], "ignored");
    let overview = owner.api.get("/v1/billing").await;
    assert_eq!(overview.body["plan"], "free");
}

/// Only customers Confide created at Checkout are linked to tenants: an event's own references
/// (`client_reference_id`, metadata) never move a plan on their own.
#[tokio::test]
async fn events_reach_only_the_tenant_whose_customer_confide_created() {
    with_billing();
    let first = sign_up("First Bakery").await;
    let second = sign_up("Second Bakery").await;
    let customer = subscribe_customer(&first).await;
    let t = now();

    // A session naming the second tenant, for the first tenant's customer: ignored.
    let hijack = deliver_signed(&checkout_completed(&second.tenant_id, &customer, t)).await;
    assert_eq!(hijack["outcome"], "ignored");
    // A customer Confide never created, claiming the second tenant: ignored, as are its subscriptions.
    let stranger = new_id("cus");
    let claimed = deliver_signed(&checkout_completed(&second.tenant_id, &stranger, t)).await;
    assert_eq!(claimed["outcome"], "ignored");
    let mut stranger_sub = subscription_event(
        &new_id("evt"),
        "customer.subscription.created",
        t,
        &SubscriptionState {
            customer: &stranger,
            subscription: &new_id("sub"),
            status: "active",
            price: BUSINESS_PRICE,
        },
    );
    stranger_sub["data"]["object"]["metadata"] = json!({ "tenant_id": second.tenant_id });
    assert_eq!(deliver_signed(&stranger_sub).await["outcome"], "ignored");

    let active = subscription_event(
        &new_id("evt"),
        "customer.subscription.created",
        t,
        &SubscriptionState {
            customer: &customer,
            subscription: &new_id("sub"),
            status: "active",
            price: BUSINESS_PRICE,
        },
    );
    assert_eq!(deliver_signed(&active).await["outcome"], "applied");
    assert_eq!(audit_count(&first, "billing.subscription_changed").await, 1);
    assert_eq!(
        audit_count(&second, "billing.subscription_changed").await,
        0
    );
    assert_eq!(second.api.get("/v1/billing").await.body["plan"], "free");
    assert_eq!(first.api.get("/v1/billing").await.body["plan"], "business");
}

/// Everything the webhook stores, read back decrypted: no card number, no payment method, no last4 —
/// even when Stripe's objects carry them.
#[tokio::test]
async fn no_card_data_is_stored() {
    with_billing();
    let owner = sign_up("Cashless Bakery").await;
    let customer = subscribe_customer(&owner).await;
    let t = now();
    let mut completed = checkout_completed(&owner.tenant_id, &customer, t - 20);
    completed["data"]["object"]["payment_method_types"] = json!(["card"]);
    deliver_signed(&completed).await;
    let subscription = new_id("sub");
    let mut active = subscription_event(
        &new_id("evt"),
        "customer.subscription.updated",
        t - 10,
        &SubscriptionState {
            customer: &customer,
            subscription: &subscription,
            status: "active",
            price: STARTER_PRICE,
        },
    );
    active["data"]["object"]["default_payment_method"] = json!("pm_card_visa_4242");
    assert_eq!(deliver_signed(&active).await["outcome"], "applied");
    let mut paid = invoice_event("invoice.paid", &customer, t);
    paid["data"]["object"]["default_payment_method"] = json!("pm_card_visa_4242");
    paid["data"]["object"]["payment_settings"]["payment_method_types"] = json!(["card"]);
    // As an expanded invoice carries it.
    paid["data"]["object"]["payment_intent"] = json!({
        "id": "pi_standin",
        "payment_method": {"card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}},
    });
    assert_eq!(deliver_signed(&paid).await["outcome"], "recorded");

    let s = stack();
    let sdk = s.sdk().await;
    let crypto = confide_shared::encryption::TenantCrypto::new(&sdk, &s.config);
    let ddb = crypto.table_client().expect("client");
    let items = ddb
        .query()
        .table_name(&s.table)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(
            ":pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("T#{}", owner.tenant_id)),
        )
        .send()
        .await
        .expect("the tenant's items, decrypted")
        .items
        .unwrap_or_default();
    let text = format!("{items:?}");
    assert!(
        text.contains(&subscription),
        "the subscription is stored: {text}"
    );
    assert!(text.contains(&customer), "the customer id is stored");
    // Words, not digits: a bare "4242" also turns up by chance in the audit chain's random hashes and ids.
    for card in ["card", "visa", "last4", "exp_year", "payment_method"] {
        assert!(!text.contains(card), "{card} stored: {text}");
    }
}

/// The free plan's contacts (100) and messages a month (100) hold for imports, creation and campaigns.
#[tokio::test]
async fn contacts_and_messages_stop_at_the_free_plans_limits() {
    with_billing();
    let owner = sign_up("Limited Contacts").await;
    let mut csv = String::from("name,phone,tags,sms_consent\n");
    for i in 0..101 {
        csv.push_str(&format!("Guest {i},+1415555{:04},guests,yes\n", 1000 + i));
    }
    let (status, text) = owner
        .api
        .send_bytes("POST", "/v1/contacts/import", Some("text/csv"), csv)
        .await;
    assert_eq!(status, 200, "{text}");
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["created"], 100, "{report}");
    assert_eq!(report["rejected"], 1);
    assert!(
        report["rejected_rows"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("100 contacts"),
        "{report}"
    );
    let over = owner
        .api
        .post("/v1/contacts", json!({ "name": "One more" }))
        .await;
    assert_eq!(
        (over.status, over.error_code()),
        (402, "plan_limit_reached")
    );
    assert_eq!(over.body["error"]["limit"]["metered"], "contacts");

    // Deleting one frees its place.
    let page = owner.api.get("/v1/contacts?limit=1").await;
    let id = page.body["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        owner.api.delete(&format!("/v1/contacts/{id}")).await.status,
        204
    );
    assert_eq!(
        owner
            .api
            .post("/v1/contacts", json!({ "name": "One more" }))
            .await
            .status,
        201
    );

    // 99 guests with consent: a campaign sends 99 messages, a second one has 1 left in the month.
    let channel = owner
        .api
        .put(
            "/v1/channels/twilio",
            json!({ "account_sid": "AC0123456789abcdef0123456789abcdef", "auth_token": "feedfacefeedfacefeedfacefeedface", "phone_numbers": ["+14155550199"] }),
        )
        .await;
    assert_eq!(channel.status, 200, "{:?}", channel.body);
    let first = finished_campaign(&owner).await;
    assert_eq!(first["counts"]["sent"], 99, "{first}");
    let second = finished_campaign(&owner).await;
    assert_eq!(second["counts"]["sent"], 1, "{second}");
    assert_eq!(second["counts"]["skipped"]["plan_limit"], 98, "{second}");
}

/// Sends a campaign to the tenant's guests and waits until every targeted contact is accounted for.
async fn finished_campaign(owner: &User) -> Value {
    let accepted = owner
        .api
        .post(
            "/v1/campaigns",
            json!({ "channel": "sms", "body": "Guest night", "audience": { "tags": ["guests"] } }),
        )
        .await;
    assert_eq!(accepted.status, 202, "{:?}", accepted.body);
    confide_tests::messaging::wait_for_campaign_within(
        &owner.api,
        accepted.body["id"].as_str().unwrap(),
        std::time::Duration::from_secs(180),
    )
    .await
}
