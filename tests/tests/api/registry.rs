//! The registry of personal data covers the table: every item anything wrote carries a `kind` that
//! `ItemKind` declares. The store can only write declared kinds (the compiler sees to that); this
//! reads what actually reached the emulator, so a writer that bypassed the store would show here.

use aws_sdk_dynamodb::types::AttributeValue;
use confide_shared::domain::personal_data::ItemKind;
use confide_tests::{invite, sign_up, stack};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};

type RawItem = HashMap<String, AttributeValue>;

fn text<'a>(item: &'a RawItem, name: &str) -> &'a str {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map_or("", String::as_str)
}

/// The items whose `kind` no declaration names, as `pk sk kind`.
fn undeclared(items: &[RawItem]) -> Vec<String> {
    items
        .iter()
        .filter(|item| ItemKind::from_name(text(item, "kind")).is_none())
        .map(|item| {
            format!(
                "{} {} kind={:?}",
                text(item, "pk"),
                text(item, "sk"),
                text(item, "kind")
            )
        })
        .collect()
}

#[tokio::test]
async fn every_item_in_the_table_is_of_a_declared_kind() {
    let owner = sign_up("Registry Bakery").await;
    invite(&owner, "agent").await;
    let profile = owner
        .api
        .put("/v1/tenant/profile", json!({ "name": "Registry Bakery" }))
        .await;
    assert_eq!(profile.status, 200);
    let contact = owner
        .api
        .post(
            "/v1/contacts",
            json!({ "name": "Regina Register", "phone": "+14155550123" }),
        )
        .await;
    assert_eq!(contact.status, 201, "{:?}", contact.body);
    let consents = format!(
        "/v1/contacts/{}/consents",
        contact.body["id"].as_str().unwrap()
    );
    let grant = owner
        .api
        .post(&consents, json!({ "channel": "sms", "purpose": "marketing", "granted": true, "source": "web_form", "evidence": "checkout box" }))
        .await;
    assert_eq!(grant.status, 201, "{:?}", grant.body);
    let template = owner
        .api
        .post(
            "/v1/analysis-templates",
            json!({ "name": "Yearly", "kind": "swot", "inputs": { "goal": "Grow" } }),
        )
        .await;
    assert_eq!(template.status, 201, "{:?}", template.body);

    // The check itself must be able to fail: an item of a kind nobody declared, written past the
    // store, is reported.
    let raw = aws_sdk_dynamodb::Client::new(&stack().sdk().await);
    let planted = HashMap::from([
        (
            "pk".to_owned(),
            AttributeValue::S("T#registry-check".into()),
        ),
        ("sk".to_owned(), AttributeValue::S("GIFT#1".into())),
        ("kind".to_owned(), AttributeValue::S("gift_card".into())),
    ]);
    raw.put_item()
        .table_name(&stack().table)
        .set_item(Some(planted.clone()))
        .send()
        .await
        .expect("plant an undeclared item");
    let flagged = undeclared(&stack().raw_items().await);
    assert_eq!(
        flagged,
        ["T#registry-check GIFT#1 kind=\"gift_card\""],
        "the planted item, and only it"
    );
    raw.delete_item()
        .table_name(&stack().table)
        .set_key(Some(HashMap::from([
            ("pk".to_owned(), planted["pk"].clone()),
            ("sk".to_owned(), planted["sk"].clone()),
        ])))
        .send()
        .await
        .expect("remove the planted item");

    let items = stack().raw_items().await;
    assert_eq!(undeclared(&items), Vec::<String>::new());
    let tenant_pk = format!("T#{}", owner.tenant_id);
    let ours: BTreeSet<ItemKind> = items
        .iter()
        .filter(|item| text(item, "pk") == tenant_pk)
        .filter_map(|item| ItemKind::from_name(text(item, "kind")))
        .collect();
    for kind in [
        ItemKind::Tenant,
        ItemKind::Profile,
        ItemKind::Member,
        ItemKind::Contact,
        ItemKind::Consent,
        ItemKind::Names,
        ItemKind::AnalysisTemplate,
        ItemKind::Audit,
    ] {
        assert!(
            ours.contains(&kind),
            "no {kind:?} item was written: {ours:?}"
        );
    }
}
