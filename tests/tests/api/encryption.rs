use aws_sdk_dynamodb::types::AttributeValue;
use confide_tests::{invite, sign_up, stack};
use serde_json::json;

/// Reads the table with a plain client (no decryption) and looks for any personal or business text.
#[tokio::test]
async fn the_raw_table_holds_no_clear_text_personal_data() {
    let owner = sign_up("Clear Text Bakery").await;
    let member = invite(&owner, "analyst").await;
    let faq_answer = "Gluten-free loaves every Friday";
    let put = owner
        .api
        .put(
            "/v1/tenant/profile",
            json!({ "name": "Profile Name Secret", "location": "7 Hidden Street", "faqs": [{ "question": "Gluten free?", "answer": faq_answer }] }),
        )
        .await;
    assert_eq!(put.status, 200);
    // The contact's name also lands in the tenant's name dictionary: sealed the same way.
    let contact = owner
        .api
        .post("/v1/contacts", json!({ "name": "Dictionary Secretname" }))
        .await;
    assert_eq!(contact.status, 201);

    let items = stack().raw_items().await;
    let tenant_pk = format!("T#{}", owner.tenant_id);
    let ours: Vec<_> = items
        .iter()
        .filter(|item| {
            let pk = item
                .get("pk")
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default();
            let sk = item
                .get("sk")
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default();
            pk == tenant_pk || sk == tenant_pk
        })
        .collect();
    let sk_of = |item: &&std::collections::HashMap<String, AttributeValue>| {
        item.get("sk")
            .and_then(|v| v.as_s().ok())
            .cloned()
            .unwrap_or_default()
    };
    assert!(
        ours.iter().any(|item| sk_of(item).starts_with("NAMES#")),
        "the name dictionary is in the table"
    );
    assert!(
        ours.len() >= 6,
        "tenant, profile, 2 members, 2 pointers, audit: {}",
        ours.len()
    );

    let secrets = [
        owner.email.as_str(),
        member.email.as_str(),
        "Clear Text Bakery",
        "Profile Name Secret",
        "7 Hidden Street",
        faq_answer,
        "Gluten free?",
        "Dictionary Secretname",
        "Secretname",
    ];
    for item in &ours {
        let dump = format!("{item:?}");
        for secret in secrets {
            assert!(!dump.contains(secret), "{secret:?} in clear in {dump}");
        }
        assert!(
            matches!(item.get("data"), Some(AttributeValue::B(_))),
            "data is an encrypted blob"
        );
        assert!(item.contains_key("aws_dbe_head") && item.contains_key("aws_dbe_foot"));
    }
}

/// A fresh process (a new `App`, as a cold Lambda instance builds) reads and then writes a tenant's
/// items: the branch key costs one KMS Decrypt for both — not one for the version the read needs and
/// another for the active key the write needs — and no beacon key is unwrapped for a write without
/// beacons. Nothing more until the TTL, listing contacts included; a beacon lookup then unwraps the
/// beacon key (one more); a second tenant pays its own.
/// Multi-threaded: the counting proxy serves on this runtime while the DB-ESDK blocks a thread.
#[tokio::test(flavor = "multi_thread")]
async fn a_fresh_process_unwraps_each_tenants_branch_key_once() {
    use confide_shared::app::Actor;
    use confide_shared::domain::audit::AuditAction;
    use confide_shared::domain::email::Email;
    use confide_shared::domain::TenantId;
    use confide_shared::http::RequestInfo;

    let first = sign_up("Key Once Bakery").await;
    let second = sign_up("Key Once Florist").await;
    let email = confide_tests::unique_email("key-once-contact");
    let contact = first
        .api
        .post(
            "/v1/contacts",
            json!({ "name": "Ada Keyonce", "email": email }),
        )
        .await;
    assert_eq!(contact.status, 201, "{:?}", contact.body);
    let proxy = confide_tests::aws_calls::CountingProxy::start(&stack().endpoint).await;
    let sdk = confide_local::sdk_config(&proxy.url, &stack().region).await;
    let app = confide_shared::App::new(stack().config.clone(), &sdk)
        .await
        .expect("app builds");
    assert!(proxy.take().is_empty(), "init calls nothing");
    let info = RequestInfo::default();
    let read_then_write = |tenant: TenantId| {
        let (app, info) = (&app, &info);
        async move {
            let profile = app.store.tenant(&tenant).await.expect("tenant read");
            assert!(profile.is_some(), "the tenant is there");
            app.audit(
                Actor::system(&tenant),
                info,
                AuditAction::TenantRead,
                confide_shared::domain::audit::AuditTarget::Tenant,
            )
            .await
            .expect("audit write");
        }
    };
    let kms_decrypts = |counts: &std::collections::BTreeMap<String, u64>| {
        counts.get("kms Decrypt").copied().unwrap_or(0)
    };
    let tenant = TenantId::parse(&first.tenant_id).unwrap();

    read_then_write(tenant.clone()).await;
    let counts = proxy.take();
    assert_eq!(kms_decrypts(&counts), 1, "the branch key, once: {counts:?}");

    read_then_write(tenant.clone()).await;
    read_then_write(tenant.clone()).await;
    let counts = proxy.take();
    assert_eq!(kms_decrypts(&counts), 0, "warm: {counts:?}");

    let listed = app.store.contacts(&tenant, 50, None).await.expect("list");
    assert_eq!(listed.records.len(), 1, "the tenant's one contact");
    let counts = proxy.take();
    assert_eq!(
        kms_decrypts(&counts),
        0,
        "a list reads no beacon: {counts:?}"
    );

    let found = app
        .store
        .contact_by_email(&tenant, &Email::parse(&email).unwrap())
        .await
        .expect("lookup");
    assert!(
        found.is_some(),
        "the contact is found by its email's beacon"
    );
    let counts = proxy.take();
    assert_eq!(kms_decrypts(&counts), 1, "the beacon key, once: {counts:?}");

    read_then_write(TenantId::parse(&second.tenant_id).unwrap()).await;
    let counts = proxy.take();
    assert_eq!(
        kms_decrypts(&counts),
        1,
        "the second tenant's own key: {counts:?}"
    );
}

/// An instance that reads beacon keys ahead (the contacts function) unwraps a tenant's beacon key at
/// the same time as its branch key, when it first meets the tenant, not after: the two KMS Decrypts
/// are in flight together (each call here takes 40 ms longer, as over a network, so calls made one
/// after the other cannot overlap). The beacon search that follows finds its key in the cache the
/// read ahead filled — no third Decrypt — and finds the contact, so the key is the right one.
#[tokio::test(flavor = "multi_thread")]
async fn an_instance_reading_beacon_keys_ahead_unwraps_both_keys_at_once() {
    use confide_shared::domain::TenantId;

    let owner = sign_up("Keys Ahead Bakery").await;
    let contact = owner
        .api
        .post(
            "/v1/contacts",
            json!({ "name": "Ada Keysahead", "tags": ["keys-ahead"] }),
        )
        .await;
    assert_eq!(contact.status, 201, "{:?}", contact.body);
    let proxy = confide_tests::aws_calls::CountingProxy::with_latency(
        &stack().endpoint,
        std::time::Duration::from_millis(40),
    )
    .await;
    let sdk = confide_local::sdk_config(&proxy.url, &stack().region).await;
    let app = confide_shared::App::new(stack().config.clone(), &sdk)
        .await
        .expect("app builds");
    app.read_beacon_keys_ahead();
    let tenant = TenantId::parse(&owner.tenant_id).unwrap();

    let profile = app.store.tenant(&tenant).await.expect("tenant read");
    assert!(profile.is_some(), "the tenant is there");
    let tagged = app
        .store
        .contacts_tagged(&tenant, "keys-ahead", 50, None)
        .await
        .expect("tag search");
    assert_eq!(tagged.records.len(), 1, "the contact, by its tag's beacon");

    let decrypts: Vec<_> = proxy
        .calls_since_take()
        .into_iter()
        .filter(|call| call.operation == "kms Decrypt")
        .collect();
    assert_eq!(
        decrypts.len(),
        2,
        "the branch key and the beacon key, once each: {decrypts:?}"
    );
    assert!(
        decrypts[0].overlaps(&decrypts[1]),
        "the two unwraps run at once: {decrypts:?}"
    );
}
