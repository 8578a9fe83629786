use confide_tests::{invite, sign_up};
use serde_json::json;

/// Two tenants, each with an owner and a member: nothing of one is visible or changeable to the other,
/// by any id, and a foreign id answers 404, never 403.
#[tokio::test]
async fn two_tenants_cannot_see_or_touch_each_other() {
    let a = sign_up("Tenant A").await;
    let a_member = invite(&a, "agent").await;
    let b = sign_up("Tenant B").await;

    a.api
        .put(
            "/v1/tenant/profile",
            json!({ "name": "Secret A", "faqs": [{"question": "q", "answer": "a-only"}] }),
        )
        .await;
    let b_profile = b.api.get("/v1/tenant/profile").await;
    assert_eq!(b_profile.body["name"], "Tenant B");
    assert!(!b_profile.body.to_string().contains("a-only"));

    let b_members = b.api.get("/v1/members").await.body.to_string();
    assert!(!b_members.contains(&a.user_id) && !b_members.contains(&a_member.email));

    for path in [
        format!("/v1/members/{}", a_member.user_id),
        format!("/v1/members/{}", a.user_id),
    ] {
        let patch = b.api.patch(&path, json!({ "role": "viewer" })).await;
        assert_eq!(patch.status, 404, "PATCH {path}: {:?}", patch.body);
        let delete = b.api.delete(&path).await;
        assert_eq!(delete.status, 404, "DELETE {path}");
    }
    assert_eq!(
        a_member.api.get("/v1/tenant").await.body["your_role"],
        "agent",
        "untouched"
    );

    let b_audit = b.api.get("/v1/audit?limit=200").await;
    assert_eq!(b_audit.status, 200);
    let text = b_audit.body.to_string();
    assert!(!text.contains(&a.user_id) && !text.contains(&a_member.user_id));
    let a_audit = a.api.get("/v1/audit?limit=200").await.body.to_string();
    assert!(!a_audit.contains(&b.user_id));
}
