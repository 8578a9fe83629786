use aws_sdk_dynamodb::types::AttributeValue;
use confide_shared::domain::TenantId;
use confide_tests::{invite, sign_up, stack};
use serde_json::{json, Value};

fn actions(reply: &Value) -> Vec<String> {
    reply["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn reads_and_changes_are_audited_with_ids_only() {
    let owner = sign_up("Audit Co").await;
    owner.api.get("/v1/tenant/profile").await;
    owner
        .api
        .put("/v1/tenant/profile", json!({ "name": "Audit Co Ltd" }))
        .await;
    let member = invite(&owner, "viewer").await;
    owner.api.get("/v1/members").await;

    let reply = owner.api.get("/v1/audit").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let seen = actions(&reply.body);
    for expected in [
        "tenant.created",
        "auth.login",
        "profile.read",
        "profile.updated",
        "member.invited",
        "members.listed",
    ] {
        assert!(
            seen.contains(&expected.to_owned()),
            "{expected} missing from {seen:?}"
        );
    }
    let first = &reply.body["entries"][0];
    for field in [
        "actor",
        "action",
        "target",
        "at",
        "source_ip",
        "request_id",
        "hash",
        "prev_hash",
    ] {
        assert!(first[field].is_string(), "{field} in {first}");
    }
    let text = reply.body.to_string();
    assert!(
        !text.contains(&owner.email) && !text.contains(&member.email),
        "no emails"
    );
    assert!(!text.contains("Audit Co Ltd"), "no content");
    assert!(text.contains(&format!("member/{}", member.user_id)));
}

#[tokio::test]
async fn audit_filters_and_pages() {
    let owner = sign_up("Audit Filter Co").await;
    let viewer = invite(&owner, "viewer").await;
    for _ in 0..3 {
        viewer.api.get("/v1/tenant/profile").await;
    }
    let by_actor = owner
        .api
        .get(&format!(
            "/v1/audit?actor={}&action=profile.read",
            viewer.user_id
        ))
        .await;
    assert_eq!(actions(&by_actor.body), vec!["profile.read"; 3]);

    let page1 = owner.api.get("/v1/audit?limit=2").await;
    assert_eq!(page1.body["entries"].as_array().unwrap().len(), 2);
    let cursor = page1.body["next_cursor"]
        .as_str()
        .expect("more pages")
        .to_owned();
    let page2 = owner
        .api
        .get(&format!("/v1/audit?limit=2&cursor={cursor}"))
        .await;
    let seq = |r: &Value, i: usize| r["entries"][i]["seq"].as_u64().unwrap();
    assert_eq!(
        seq(&page2.body, 0),
        seq(&page1.body, 1) - 1,
        "pages continue without gap"
    );

    let future = owner.api.get("/v1/audit?from=2999-01-01T00:00:00Z").await;
    assert_eq!(future.body["entries"], json!([]));
    assert_eq!(
        viewer.api.get("/v1/audit").await.status,
        403,
        "viewers cannot read the audit log"
    );
}

#[tokio::test]
async fn an_untouched_chain_verifies() {
    let owner = sign_up("Verify Co").await;
    owner.api.get("/v1/tenant").await;
    let report = owner.api.get("/v1/audit/verify").await;
    assert_eq!(report.status, 200);
    assert_eq!(report.body["valid"], true, "{:?}", report.body);
    assert!(report.body["entries_checked"].as_u64().unwrap() >= 3);
}

/// Someone with the tenant's key rewrites an entry (validly encrypted and signed): the hash chain
/// still shows exactly where.
#[tokio::test]
async fn rewriting_an_entry_with_the_key_is_caught_by_verify() {
    let owner = sign_up("Insider Co").await;
    owner.api.get("/v1/tenant").await;
    owner.api.get("/v1/tenant/profile").await;
    let app = stack().app().await;
    let tenant = TenantId::parse(&owner.tenant_id).unwrap();
    let page = app
        .store
        .audit_entries(&tenant, false, None, 10)
        .await
        .unwrap();
    let mut entry = page.records[1].clone();
    entry.event.actor = "someone-else".into();
    app.store
        .overwrite_audit_entry(&tenant, &entry)
        .await
        .unwrap();

    let report = owner.api.get("/v1/audit/verify").await;
    assert_eq!(report.body["valid"], false, "{:?}", report.body);
    assert_eq!(report.body["first_broken_link"]["seq"], entry.seq);
    assert_eq!(report.body["entries_checked"], entry.seq - 1);
}

/// Someone without the key flips one byte of an entry in the table: its signature fails, and verify
/// names the entry instead of failing.
#[tokio::test]
async fn flipping_a_byte_in_the_table_is_caught_by_verify() {
    let owner = sign_up("Outsider Co").await;
    owner.api.get("/v1/tenant").await;
    owner.api.get("/v1/tenant/profile").await;
    let raw = aws_sdk_dynamodb::Client::new(&stack().sdk().await);
    let key = |seq: u64| {
        [
            (
                "pk".to_owned(),
                AttributeValue::S(format!("T#{}", owner.tenant_id)),
            ),
            ("sk".to_owned(), AttributeValue::S(format!("A#{seq:020}"))),
        ]
    };
    let mut item = raw
        .get_item()
        .table_name(&stack().table)
        .set_key(Some(key(2).into()))
        .send()
        .await
        .unwrap()
        .item
        .expect("entry 2");
    let Some(AttributeValue::B(blob)) = item.get("data") else {
        panic!("encrypted data")
    };
    let mut bytes = blob.clone().into_inner();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    item.insert("data".into(), AttributeValue::B(bytes.into()));
    raw.put_item()
        .table_name(&stack().table)
        .set_item(Some(item))
        .send()
        .await
        .unwrap();

    let report = owner.api.get("/v1/audit/verify").await;
    assert_eq!(report.status, 200, "{:?}", report.body);
    assert_eq!(report.body["valid"], false);
    assert_eq!(report.body["first_broken_link"]["seq"], 2);
}

/// One audit entry by Confide itself, as a request of `info` ends.
async fn audit(
    app: &confide_shared::App,
    tenant: &TenantId,
    info: &confide_shared::http::RequestInfo,
) {
    use confide_shared::{
        app::Actor,
        domain::audit::{AuditAction, AuditTarget},
    };
    app.audit(
        Actor::system(tenant),
        info,
        AuditAction::TenantRead,
        AuditTarget::Tenant,
    )
    .await
    .expect("audit write");
}

/// A cold instance (a new `App`) reads the tenant's chain head as soon as it knows the caller, while
/// the request does its work: by the time the request's entry is appended, the head is there and the
/// append is a single write. Never two reads of the head for one append, and an instance whose head
/// went stale (another instance appended since) still extends the chain exactly.
/// Multi-threaded: the counting proxy serves on this runtime while the DB-ESDK blocks a thread.
#[tokio::test(flavor = "multi_thread")]
async fn a_cold_instance_reads_the_chain_head_while_the_request_works() {
    use confide_shared::http::RequestInfo;
    use std::collections::BTreeMap;

    let owner = sign_up("Head Ahead Bakery").await;
    let tenant = TenantId::parse(&owner.tenant_id).unwrap();
    let proxy = confide_tests::aws_calls::CountingProxy::start(&stack().endpoint).await;
    let sdk = confide_local::sdk_config(&proxy.url, &stack().region).await;
    let app = confide_shared::App::new(stack().config.clone(), &sdk)
        .await
        .expect("app builds");
    let info = RequestInfo {
        claims: [
            ("sub", owner.user_id.as_str()),
            ("token_use", "access"),
            ("iat", &confide_shared::clock::now_unix().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
        ..RequestInfo::default()
    };
    let queries = |counts: &BTreeMap<String, u64>| counts.get("dynamodb Query").copied();
    let caller = app.caller(&info).await.expect("the owner is identified");
    assert_eq!(caller.tenant, tenant);
    // The membership query, then the head's, which nobody awaits: it arrives on its own.
    let mut seen = BTreeMap::new();
    for _ in 0..200 {
        for (operation, n) in proxy.take() {
            *seen.entry(operation).or_insert(0) += n;
        }
        if queries(&seen) == Some(2) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(queries(&seen), Some(2), "membership and head: {seen:?}");
    audit(&app, &tenant, &info).await;
    let counts = proxy.take();
    assert_eq!(queries(&counts), None, "the head was there: {counts:?}");
    assert_eq!(counts.get("dynamodb PutItem"), Some(&1), "{counts:?}");

    // Another instance appends (the stack's), so this one's head is stale; a second fresh instance
    // appends at once after identifying the caller, racing its own read ahead.
    assert_eq!(owner.api.get("/v1/tenant").await.status, 200);
    audit(&app, &tenant, &info).await;
    let counts = proxy.take();
    assert_eq!(
        queries(&counts),
        Some(1),
        "the stale head, read again once: {counts:?}"
    );
    let cold = confide_shared::App::new(stack().config.clone(), &sdk)
        .await
        .expect("app builds");
    cold.caller(&info).await.expect("identified");
    audit(&cold, &tenant, &info).await;
    let counts = proxy.take();
    assert_eq!(
        queries(&counts),
        Some(2),
        "membership and one head read between the read ahead and the append: {counts:?}"
    );

    let report = owner.api.get("/v1/audit/verify").await;
    assert_eq!(report.body["valid"], true, "{:?}", report.body);
    let entries = app
        .store
        .audit_entries(&tenant, true, None, 20)
        .await
        .expect("entries");
    let by_this_test = entries
        .records
        .iter()
        .filter(|e| e.event.actor == confide_shared::app::SYSTEM_ACTOR)
        .count();
    assert_eq!(by_this_test, 3, "each append once");
}

/// The routes the read ahead skips really append nothing: were one of them to audit, its head would
/// be read late on a cold instance for no reason.
#[tokio::test]
async fn routes_listed_as_unaudited_append_no_entry() {
    let owner = sign_up("Unaudited Routes Co").await;
    let tenant = TenantId::parse(&owner.tenant_id).unwrap();
    let app = stack().app().await;
    let head = || async {
        app.store
            .last_audit_entry(&tenant)
            .await
            .unwrap()
            .map(|e| e.seq)
    };
    for route in confide_shared::app::UNAUDITED_MEMBER_ROUTES {
        let (method, path) = route.split_once(' ').unwrap();
        let before = head().await;
        let reply = owner.api.send(method, path, None).await;
        assert!(reply.status < 500, "{route}: {}", reply.status);
        assert_eq!(head().await, before, "{route} appended an audit entry");
    }
    // And the check can see an entry: a route that audits moves the head.
    let before = head().await;
    assert_eq!(owner.api.get("/v1/tenant").await.status, 200);
    assert_ne!(head().await, before);
}
