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
    // The contact's name also lands in the tenant's name dictionary (issue 11): sealed the same way.
    let contact = owner
        .api
        .post("/v1/contacts", json!({ "name": "Dictionary Secretname" }))
        .await;
    assert_eq!(contact.status, 201);

    let raw = aws_sdk_dynamodb::Client::new(&stack().sdk().await);
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let page = raw
            .scan()
            .table_name(&stack().table)
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("raw scan");
        items.extend(page.items().iter().cloned());
        start = page.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }
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
