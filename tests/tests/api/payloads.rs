use confide_shared::domain::TenantId;
use confide_tests::{sign_up, stack};

/// Payloads for S3 and SQS are sealed under the tenant's branch key and bound to their name: they open
/// only for the same tenant and name, and hold no clear text.
#[tokio::test]
async fn sealed_payloads_open_only_for_their_tenant_and_name() {
    let a = sign_up("Payload A").await;
    let b = sign_up("Payload B").await;
    let s = stack();
    let crypto = confide_shared::encryption::TenantCrypto::new(&s.sdk().await, &s.config);
    let cipher = crypto.cipher().expect("cipher");
    let tenant_a = TenantId::parse(&a.tenant_id).unwrap();
    let tenant_b = TenantId::parse(&b.tenant_id).unwrap();
    let name = "tenants/a/analyses/1/result.json";
    let secret = br#"{"summary":"Customer jane@example.com complained about prices"}"#;

    let sealed = cipher.seal(&tenant_a, name, secret).await.expect("sealed");
    let text = String::from_utf8_lossy(&sealed);
    assert!(
        !text.contains("jane@example.com") && !text.contains("complained"),
        "no clear text: {text}"
    );
    assert_eq!(
        cipher.open(&tenant_a, name, &sealed).await.expect("opens"),
        secret.to_vec()
    );

    assert!(
        cipher.open(&tenant_b, name, &sealed).await.is_err(),
        "another tenant cannot open it"
    );
    assert!(
        cipher
            .open(&tenant_a, "tenants/a/other.json", &sealed)
            .await
            .is_err(),
        "bound to its name"
    );
    let mut tampered = sealed.clone();
    let at = tampered.len() / 2;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    assert!(
        cipher.open(&tenant_a, name, &tampered).await.is_err(),
        "a changed byte is refused"
    );
}
