//! Contacts: CRUD, uniqueness, lookups by beacon, CSV import, the consent ledger, roles and isolation.

use aws_sdk_dynamodb::types::AttributeValue;
use confide_tests::{invite, sign_up, stack, User};
use serde_json::{json, Value};

async fn create(user: &User, body: Value) -> Value {
    let reply = user.api.post("/v1/contacts", body).await;
    assert_eq!(reply.status, 201, "create contact: {:?}", reply.body);
    reply.body
}

async fn import(user: &User, csv: &str) -> (u16, Value) {
    let (status, text) = user
        .api
        .send_bytes("POST", "/v1/contacts/import", Some("text/csv"), csv)
        .await;
    (status, serde_json::from_str(&text).expect("JSON answer"))
}

#[tokio::test]
async fn contacts_are_created_read_changed_and_erased() {
    let owner = sign_up("Contact Bakery").await;
    let patch = owner
        .api
        .patch("/v1/tenant", json!({ "default_country": "de" }))
        .await;
    assert_eq!(patch.status, 200, "{:?}", patch.body);
    assert_eq!(patch.body["settings"]["default_country"], "DE");

    let ada = create(
        &owner,
        json!({ "name": "Ada", "email": "Ada@Example.com", "phone": "030 1234567", "tags": ["VIP"],
                "attributes": { "loyalty_tier": "gold" } }),
    )
    .await;
    assert_eq!(ada["email"], "ada@example.com");
    assert_eq!(ada["phone"], "+49301234567", "national number read in DE");
    assert_eq!(ada["tags"], json!(["vip"]));
    assert_eq!(ada["consent"]["sms"]["marketing"], "none");
    let id = ada["id"].as_str().unwrap();

    let read = owner.api.get(&format!("/v1/contacts/{id}")).await;
    assert_eq!((read.status, &read.body["name"]), (200, &json!("Ada")));

    let changed = owner
        .api
        .patch(
            &format!("/v1/contacts/{id}"),
            json!({ "email": null, "name": "Ada L." }),
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(changed.body["email"], Value::Null);
    assert_eq!(changed.body["phone"], "+49301234567");

    let bad = owner
        .api
        .post("/v1/contacts", json!({ "name": "Bob", "phone": "12" }))
        .await;
    assert_eq!((bad.status, bad.error_code()), (400, "invalid_field"));
    assert!(bad.body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("phone"));
    let bad = owner
        .api
        .post("/v1/contacts", json!({ "name": "Bob", "email": "bob@" }))
        .await;
    assert!(bad.body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("email"));

    let gone = owner.api.delete(&format!("/v1/contacts/{id}")).await;
    assert_eq!(gone.status, 204);
    assert_eq!(
        owner.api.get(&format!("/v1/contacts/{id}")).await.status,
        404
    );
    assert_eq!(
        owner.api.delete(&format!("/v1/contacts/{id}")).await.status,
        404
    );
}

#[tokio::test]
async fn email_and_phone_are_unique_in_a_tenant_and_found_by_lookup() {
    let owner = sign_up("Unique Bakery").await;
    let ada = create(&owner, json!({ "name": "Ada", "email": "ada@example.com", "phone": "+14155550100", "tags": ["vip", "berlin"] })).await;
    create(
        &owner,
        json!({ "name": "Bob", "email": "bob@example.com", "tags": ["berlin"] }),
    )
    .await;
    create(&owner, json!({ "name": "Cy", "phone": "+14155550102" })).await;

    let taken = owner
        .api
        .post(
            "/v1/contacts",
            json!({ "name": "Eve", "email": "ADA@example.com" }),
        )
        .await;
    assert_eq!((taken.status, taken.error_code()), (409, "contact_exists"));
    assert_eq!(taken.body["error"]["existing_id"], ada["id"]);
    let taken = owner
        .api
        .post(
            "/v1/contacts",
            json!({ "name": "Eve", "phone": "+1 415 555 0100" }),
        )
        .await;
    assert_eq!(taken.body["error"]["existing_id"], ada["id"]);

    let by_email = owner.api.get("/v1/contacts?email=ada%40example.com").await;
    assert_eq!(by_email.status, 200);
    assert_eq!(by_email.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(by_email.body["items"][0]["id"], ada["id"]);
    let by_phone = owner.api.get("/v1/contacts?phone=%2B14155550100").await;
    assert_eq!(by_phone.body["items"][0]["id"], ada["id"]);
    let nobody = owner
        .api
        .get("/v1/contacts?email=nobody%40example.com")
        .await;
    assert_eq!(nobody.body["items"], json!([]));

    let berlin = owner.api.get("/v1/contacts?tag=Berlin").await;
    let mut names: Vec<_> = berlin.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["Ada", "Bob"]);
    let vip = owner.api.get("/v1/contacts?tag=vip").await;
    assert_eq!(vip.body["items"].as_array().unwrap().len(), 1);

    let all = owner.api.get("/v1/contacts?limit=2").await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(all.body["items"][0]["name"], "Cy", "newest first");
    let cursor = all.body["next_cursor"].as_str().expect("a next page");
    let rest = owner
        .api
        .get(&format!("/v1/contacts?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(rest.body["items"][0]["name"], "Ada");

    // Another tenant's lookups find nothing, though the same email and phone exist elsewhere.
    let other = sign_up("Other Bakery").await;
    let theirs = other.api.get("/v1/contacts?email=ada%40example.com").await;
    assert_eq!(theirs.body["items"], json!([]));
    create(
        &other,
        json!({ "name": "Ada elsewhere", "email": "ada@example.com" }),
    )
    .await;
    let mine = owner.api.get("/v1/contacts?email=ada%40example.com").await;
    assert_eq!(mine.body["items"][0]["id"], ada["id"]);
}

#[tokio::test]
async fn the_raw_table_holds_beacons_not_emails_or_phones() {
    let owner = sign_up("Beacon Bakery").await;
    let ada = create(&owner, json!({ "name": "Ada Secretname", "email": "ada.secret@example.com", "phone": "+14155550177", "tags": ["secret-tag"] })).await;
    let raw = aws_sdk_dynamodb::Client::new(&stack().sdk().await);
    let item = raw
        .get_item()
        .table_name(&stack().table)
        .key("pk", AttributeValue::S(format!("T#{}", owner.tenant_id)))
        .key(
            "sk",
            AttributeValue::S(format!("CT#{}", ada["id"].as_str().unwrap())),
        )
        .send()
        .await
        .expect("raw get")
        .item
        .expect("the contact item");
    let dump = format!("{item:?}");
    for secret in ["ada.secret", "Secretname", "4155550177", "secret-tag"] {
        assert!(!dump.contains(secret), "{secret} in clear: {dump}");
    }
    for beacon in ["aws_dbe_b_email", "aws_dbe_b_phone", "aws_dbe_b_tags"] {
        assert!(item.contains_key(beacon), "{beacon} missing: {dump}");
    }
    // A beacon is keyed: it is not the SHA-256 (or any unkeyed hash) of the value.
    let beacon = item["aws_dbe_b_email"].as_s().unwrap();
    assert!(beacon.len() <= 16, "truncated: {beacon}");
}

#[tokio::test]
async fn a_csv_import_reports_each_row_and_a_second_run_creates_nothing() {
    let owner = sign_up("Import Bakery").await;
    let csv = "\u{feff}name,email,phone,tags,email_consent,consent_evidence\n\
        \"Lovelace, Ada\",ada@example.com,+14155550100,vip;berlin,yes,shop form\n\
        Bob,bob@example.com,,,no,\n\
        Broken,not-an-email,,,,\n\
        Cy,,+14155550102,,maybe,\n\
        Dup,ADA@example.com,,,,\n";
    let (status, report) = import(&owner, csv).await;
    assert_eq!(status, 200, "{report:?}");
    assert_eq!(report["created"], 2, "{report:?}");
    assert_eq!(report["rejected"], 3);
    let rows: Vec<_> = report["rejected_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["row"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, [4, 5, 6]);
    assert!(report["rejected_rows"][2]["reason"]
        .as_str()
        .unwrap()
        .contains("row 2"));

    let (_, again) = import(&owner, csv).await;
    assert_eq!(
        (
            again["created"].as_u64(),
            again["updated"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(2)),
        "{again:?}"
    );
    let listed = owner.api.get("/v1/contacts").await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);

    let ada = owner
        .api
        .get("/v1/contacts?email=ada%40example.com")
        .await
        .body["items"][0]
        .clone();
    assert_eq!(ada["name"], "Lovelace, Ada");
    let ledger = owner
        .api
        .get(&format!(
            "/v1/contacts/{}/consents",
            ada["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(ledger.body["current"]["email"]["marketing"], "granted");
    assert_eq!(
        ledger.body["history"].as_array().unwrap().len(),
        1,
        "the second run appended nothing"
    );
    assert_eq!(ledger.body["history"][0]["source"], "import");
    assert_eq!(ledger.body["history"][0]["evidence"], "shop form");

    // A small file against more contacts than it has rows is matched by beacon lookups, not by
    // reading every contact: the outcome is the same.
    create(&owner, json!({ "name": "Dee", "email": "dee@example.com" })).await;
    let (_, small) = import(&owner, "email,tags\nbob@example.com,regular\n").await;
    assert_eq!(
        (small["updated"].as_u64(), small["created"].as_u64()),
        (Some(1), Some(0)),
        "{small:?}"
    );
    let bob = owner
        .api
        .get("/v1/contacts?email=bob%40example.com")
        .await
        .body["items"][0]
        .clone();
    assert_eq!(bob["tags"], json!(["regular"]));

    // An update by phone adds tags; the counts say so.
    let (_, update) = import(&owner, "phone,tags\n+14155550100,newsletter\n").await;
    assert_eq!(update["updated"], 1, "{update:?}");

    let (status, text) = owner
        .api
        .send_bytes(
            "POST",
            "/v1/contacts/import",
            Some("application/json"),
            "{}",
        )
        .await;
    assert_eq!(status, 415, "{text}");
    let (status, bad) = import(&owner, "colour\nred\n").await;
    assert_eq!(
        (status, bad["error"]["code"].as_str()),
        (400, Some("invalid_csv"))
    );
}

#[tokio::test]
async fn the_consent_ledger_appends_and_the_newest_entry_decides() {
    let owner = sign_up("Ledger Bakery").await;
    let agent = invite(&owner, "agent").await;
    let ada = create(&agent, json!({ "name": "Ada", "phone": "+14155550100" })).await;
    let path = format!("/v1/contacts/{}/consents", ada["id"].as_str().unwrap());
    let grant = agent.api.post(&path, json!({ "channel": "sms", "purpose": "marketing", "granted": true, "source": "web_form", "evidence": "checkout box" })).await;
    assert_eq!(grant.status, 201, "{:?}", grant.body);
    assert_eq!(grant.body["recorded_by"], agent.user_id.as_str());
    let withdraw = agent.api.post(&path, json!({ "channel": "sms", "purpose": "marketing", "granted": false, "source": "agent", "evidence": "asked on the phone" })).await;
    assert_eq!(withdraw.status, 201);
    let ledger = agent.api.get(&path).await;
    assert_eq!(ledger.body["current"]["sms"]["marketing"], "withdrawn");
    assert_eq!(ledger.body["current"]["email"]["marketing"], "none");
    assert_eq!(ledger.body["history"].as_array().unwrap().len(), 2);
    let contact = agent
        .api
        .get(&format!("/v1/contacts/{}", ada["id"].as_str().unwrap()))
        .await;
    assert_eq!(contact.body["consent"]["sms"]["marketing"], "withdrawn");

    let forged = agent.api.post(&path, json!({ "channel": "sms", "purpose": "marketing", "granted": false, "source": "keyword", "evidence": "STOP" })).await;
    assert_eq!(forged.status, 400);
    let empty = agent.api.post(&path, json!({ "channel": "sms", "purpose": "marketing", "granted": true, "source": "agent", "evidence": " " })).await;
    assert_eq!(empty.status, 400);
}

#[tokio::test]
async fn analysts_and_viewers_read_contacts_but_do_not_write() {
    let owner = sign_up("Roles Bakery").await;
    let ada = create(&owner, json!({ "name": "Ada" })).await;
    let id = ada["id"].as_str().unwrap();
    for role in ["analyst", "viewer"] {
        let member = invite(&owner, role).await;
        assert_eq!(
            member.api.get("/v1/contacts").await.status,
            200,
            "{role} lists"
        );
        assert_eq!(
            member.api.get(&format!("/v1/contacts/{id}")).await.status,
            200,
            "{role} reads"
        );
        assert_eq!(
            member
                .api
                .post("/v1/contacts", json!({ "name": "X" }))
                .await
                .status,
            403,
            "{role} creates"
        );
        assert_eq!(
            member
                .api
                .patch(&format!("/v1/contacts/{id}"), json!({ "name": "X" }))
                .await
                .status,
            403
        );
        assert_eq!(
            member
                .api
                .delete(&format!("/v1/contacts/{id}"))
                .await
                .status,
            403
        );
        let (status, _) = member
            .api
            .send_bytes("POST", "/v1/contacts/import", Some("text/csv"), "name\nX\n")
            .await;
        assert_eq!(status, 403, "{role} imports");
    }
}

#[tokio::test]
async fn another_tenant_cannot_read_change_or_import_over_contacts() {
    let owner = sign_up("Isolated Contacts").await;
    let ada = create(&owner, json!({ "name": "Ada", "email": "ada@example.com" })).await;
    let id = ada["id"].as_str().unwrap();
    let intruder = sign_up("Intruder").await;
    assert_eq!(
        intruder.api.get(&format!("/v1/contacts/{id}")).await.status,
        404
    );
    assert_eq!(
        intruder
            .api
            .patch(&format!("/v1/contacts/{id}"), json!({ "name": "X" }))
            .await
            .status,
        404
    );
    assert_eq!(
        intruder
            .api
            .delete(&format!("/v1/contacts/{id}"))
            .await
            .status,
        404
    );
    assert_eq!(
        intruder
            .api
            .get(&format!("/v1/contacts/{id}/consents"))
            .await
            .status,
        404
    );
    let consent = json!({ "channel": "email", "purpose": "marketing", "granted": true, "source": "agent", "evidence": "x" });
    assert_eq!(
        intruder
            .api
            .post(&format!("/v1/contacts/{id}/consents"), consent)
            .await
            .status,
        404
    );
    assert_eq!(
        intruder.api.get("/v1/contacts").await.body["items"],
        json!([])
    );
    let (_, report) = import(&intruder, "name,email\nTaken over,ada@example.com\n").await;
    assert_eq!(report["created"], 1, "a contact of its own: {report:?}");
    let still = owner.api.get(&format!("/v1/contacts/{id}")).await;
    assert_eq!(still.body["name"], "Ada");
}
