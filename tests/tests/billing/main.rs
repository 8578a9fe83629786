//! Billing on a deployment that bills through Stripe: signed webhooks move a tenant between plans, once
//! per event and never backwards in time. (Checkout and the portal are not built yet.)

use confide_tests::{
    sign_up, stack, stripe_signature, unique_email, with_billing, User, BUSINESS_PRICE,
    STARTER_PRICE,
};
use serde_json::{json, Value};

fn now() -> i64 {
    confide_shared::app::now_unix()
}

/// Posts an event to the webhook as Stripe would: raw body, signature header.
async fn deliver(body: &str, signature: Option<String>) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/webhooks/stripe", stack().url))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("stripe-signature", signature);
    }
    let response = request.send().await.expect("webhook reachable");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn deliver_signed(event: &Value) -> Value {
    let body = event.to_string();
    let (status, reply) = deliver(&body, Some(stripe_signature(&body, now()))).await;
    assert_eq!(status, 200, "{reply}");
    reply
}

fn event(id: &str, kind: &str, created: i64, object: Value) -> Value {
    json!({
        "id": id, "object": "event", "api_version": "2026-09-30.endive", "created": created,
        "livemode": false, "pending_webhooks": 1, "request": { "id": null, "idempotency_key": null },
        "type": kind, "data": { "object": object },
    })
}

fn checkout_completed(tenant: &str, customer: &str, created: i64) -> Value {
    event(
        &format!("evt_{}", uuid::Uuid::new_v4().simple()),
        "checkout.session.completed",
        created,
        json!({ "id": "cs_test_1", "object": "checkout.session", "mode": "subscription",
                "client_reference_id": tenant, "customer": customer, "subscription": "sub_1",
                "payment_status": "paid", "status": "complete" }),
    )
}

fn subscription_event(
    id: &str,
    kind: &str,
    created: i64,
    customer: &str,
    subscription: &str,
    status: &str,
    price: &str,
) -> Value {
    event(
        id,
        kind,
        created,
        json!({ "id": subscription, "object": "subscription", "customer": customer, "status": status,
                "created": 1_795_000_000,
                "items": { "object": "list", "data": [{ "id": "si_1", "object": "subscription_item",
                    "current_period_start": 1_795_000_000, "current_period_end": 1_797_600_000,
                    "price": { "id": price, "object": "price" } }] } }),
    )
}

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
async fn a_signed_subscription_moves_the_tenant_between_plans_once_and_in_order() {
    with_billing();
    let owner = sign_up("Billed Bakery").await;
    let customer = format!("cus_{}", uuid::Uuid::new_v4().simple());
    let sub = format!("sub_{}", uuid::Uuid::new_v4().simple());
    // Free: the owner and one more member.
    assert_eq!(invite_status(&owner).await, 201);
    assert_eq!(invite_status(&owner).await, 402, "free allows two seats");

    let t = now();
    assert_eq!(
        deliver_signed(&checkout_completed(&owner.tenant_id, &customer, t - 50)).await["outcome"],
        "linked"
    );
    let active = subscription_event(
        "evt_active_1",
        "customer.subscription.updated",
        t - 40,
        &customer,
        &sub,
        "active",
        STARTER_PRICE,
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
    assert_eq!(invite_status(&owner).await, 201, "starter has more seats");
    let overview = owner.api.get("/v1/billing").await;
    assert_eq!(overview.body["configured"], true, "{:?}", overview.body);
    assert_eq!(overview.body["plan"], "starter");
    assert_eq!(overview.body["status"], "active");
    assert_eq!(overview.body["current_period"]["end"], 1_797_600_000);

    // Canceled, then an older "active" arriving late: the tenant stays on free.
    let deleted = subscription_event(
        "evt_deleted_1",
        "customer.subscription.deleted",
        t - 10,
        &customer,
        &sub,
        "canceled",
        STARTER_PRICE,
    );
    assert_eq!(deliver_signed(&deleted).await["outcome"], "applied");
    let late = subscription_event(
        "evt_late_1",
        "customer.subscription.updated",
        t - 30,
        &customer,
        &sub,
        "active",
        BUSINESS_PRICE,
    );
    assert_eq!(deliver_signed(&late).await["outcome"], "stale");
    assert_eq!(invite_status(&owner).await, 402, "back on free limits");
    let overview = owner.api.get("/v1/billing").await;
    assert_eq!(overview.body["plan"], "free");
    assert_eq!(overview.body["status"], "canceled");
    assert_eq!(audit_count(&owner, "billing.subscription_changed").await, 2);
}

#[tokio::test]
async fn unsigned_altered_or_stale_webhooks_change_nothing() {
    with_billing();
    let owner = sign_up("Guarded Bakery").await;
    let customer = format!("cus_{}", uuid::Uuid::new_v4().simple());
    let body = checkout_completed(&owner.tenant_id, &customer, now()).to_string();
    let t = now();
    for (signature, why) in [
        (None, "missing"),
        (Some(stripe_signature(&body, t - 301)), "stale"),
        (Some(stripe_signature(&body, t + 301)), "future"),
        (
            Some(stripe_signature(&format!("{body} "), t)),
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
    // Nothing was linked: a subscription for that customer is ignored.
    let sub = subscription_event(
        "evt_after_bad",
        "customer.subscription.updated",
        t,
        &customer,
        "sub_x",
        "active",
        STARTER_PRICE,
    );
    assert_eq!(deliver_signed(&sub).await["outcome"], "ignored");
    // Unknown event types are acknowledged and ignored.
    let unknown = event(
        "evt_unknown",
        "customer.tax_id.created",
        t,
        json!({ "customer": customer }),
    );
    assert_eq!(deliver_signed(&unknown).await["outcome"], "ignored");
}

#[tokio::test]
async fn a_customer_stays_with_the_tenant_it_was_first_linked_to() {
    with_billing();
    let first = sign_up("First Bakery").await;
    let second = sign_up("Second Bakery").await;
    let customer = format!("cus_{}", uuid::Uuid::new_v4().simple());
    let t = now();
    assert_eq!(
        deliver_signed(&checkout_completed(&first.tenant_id, &customer, t)).await["outcome"],
        "linked"
    );
    let hijack = deliver_signed(&checkout_completed(&second.tenant_id, &customer, t)).await;
    assert_eq!(hijack["outcome"], "ignored");
    let active = subscription_event(
        "evt_first_active",
        "customer.subscription.created",
        t,
        &customer,
        "sub_first",
        "active",
        BUSINESS_PRICE,
    );
    assert_eq!(deliver_signed(&active).await["outcome"], "applied");
    assert_eq!(audit_count(&first, "billing.subscription_changed").await, 1);
    assert_eq!(
        audit_count(&second, "billing.subscription_changed").await,
        0
    );
}

/// Everything the webhook stores, read back decrypted: no card number, no payment method, no last4 —
/// even when Stripe's objects carry them.
#[tokio::test]
async fn no_card_data_is_stored() {
    with_billing();
    let owner = sign_up("Cardless Bakery").await;
    let customer = format!("cus_{}", uuid::Uuid::new_v4().simple());
    let t = now();
    let mut checkout = checkout_completed(&owner.tenant_id, &customer, t - 20);
    checkout["data"]["object"]["payment_method_types"] = json!(["card"]);
    deliver_signed(&checkout).await;
    let mut active = subscription_event(
        "evt_card_active",
        "customer.subscription.updated",
        t - 10,
        &customer,
        "sub_card",
        "active",
        STARTER_PRICE,
    );
    active["data"]["object"]["default_payment_method"] = json!("pm_card_visa_4242");
    deliver_signed(&active).await;
    let paid = event(
        "evt_card_paid",
        "invoice.paid",
        t,
        json!({
            "id": "in_1", "object": "invoice", "customer": customer, "subscription": "sub_card",
            "payment_intent": { "id": "pi_1", "payment_method": { "id": "pm_card_visa_4242",
                "card": { "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030 } } },
        }),
    );
    assert_eq!(deliver_signed(&paid).await["outcome"], "recorded");

    let s = stack();
    let sdk = s.sdk().await;
    let keyring = confide_shared::encryption::tenant_keyring(
        &sdk,
        &s.config.key_store_table,
        &s.config.root_key_arn,
    )
    .await
    .expect("keyring");
    let ddb = confide_shared::encryption::encrypting_dynamodb_client(
        &sdk,
        &s.table,
        keyring,
        confide_shared::encryption::ALGORITHM_SUITE,
    )
    .expect("client");
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
        text.contains("sub_card"),
        "the subscription is stored: {text}"
    );
    for card in ["4242", "pm_card", "visa", "last4", "exp_year"] {
        assert!(!text.contains(card), "{card} stored: {text}");
    }
}
