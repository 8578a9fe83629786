use confide_tests::{invite, sign_up, Client};
use serde_json::json;

#[tokio::test]
async fn an_invited_member_logs_in_and_gets_their_role_changed() {
    let owner = sign_up("Members Co").await;
    let analyst = invite(&owner, "analyst").await;
    assert_eq!(
        analyst.api.get("/v1/tenant").await.body["your_role"],
        "analyst"
    );

    let listed = owner.api.get("/v1/members").await;
    assert_eq!(listed.status, 200);
    let members = listed.body["members"].as_array().unwrap();
    assert_eq!(members.len(), 2);
    assert!(members
        .iter()
        .any(|m| m["email"] == analyst.email && m["role"] == "analyst"));

    let changed = owner
        .api
        .patch(
            &format!("/v1/members/{}", analyst.user_id),
            json!({ "role": "viewer" }),
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(changed.body["role"], "viewer");
    // The same, still valid token now carries the new role: roles live in our table.
    assert_eq!(
        analyst.api.get("/v1/tenant").await.body["your_role"],
        "viewer"
    );
}

#[tokio::test]
async fn a_removed_member_is_refused_at_once_with_a_still_valid_token() {
    let owner = sign_up("Removal Co").await;
    let agent = invite(&owner, "agent").await;
    assert_eq!(agent.api.get("/v1/tenant").await.status, 200);
    assert_eq!(
        owner
            .api
            .delete(&format!("/v1/members/{}", agent.user_id))
            .await
            .status,
        204
    );
    assert_eq!(agent.api.get("/v1/tenant").await.status, 401);
    let login = Client::anonymous()
        .post(
            "/v1/auth/login",
            json!({ "email": agent.email, "password": agent.password }),
        )
        .await;
    assert_eq!(login.status, 401, "their account is gone too");
}

#[tokio::test]
async fn only_owners_manage_owners_and_one_owner_always_remains() {
    let owner = sign_up("Owners Co").await;
    let admin = invite(&owner, "admin").await;

    let promote = admin
        .api
        .post(
            "/v1/members",
            json!({ "email": confide_tests::unique_email("x"), "role": "owner" }),
        )
        .await;
    assert_eq!(promote.status, 403, "admins cannot create owners");
    let demote = admin
        .api
        .patch(
            &format!("/v1/members/{}", owner.user_id),
            json!({ "role": "viewer" }),
        )
        .await;
    assert_eq!(demote.status, 403, "admins cannot demote owners");

    let last = owner
        .api
        .patch(
            &format!("/v1/members/{}", owner.user_id),
            json!({ "role": "admin" }),
        )
        .await;
    assert_eq!(last.status, 409);
    assert_eq!(last.error_code(), "last_owner");
    let remove_self = owner
        .api
        .delete(&format!("/v1/members/{}", owner.user_id))
        .await;
    assert_eq!(remove_self.error_code(), "last_owner");

    // With a second owner, the first may step down.
    let second = owner
        .api
        .patch(
            &format!("/v1/members/{}", admin.user_id),
            json!({ "role": "owner" }),
        )
        .await;
    assert_eq!(second.status, 200);
    let step_down = owner
        .api
        .patch(
            &format!("/v1/members/{}", owner.user_id),
            json!({ "role": "admin" }),
        )
        .await;
    assert_eq!(step_down.status, 200, "{:?}", step_down.body);
}

#[tokio::test]
async fn members_below_admin_cannot_invite() {
    let owner = sign_up("Invite Rights Co").await;
    let analyst = invite(&owner, "analyst").await;
    let reply = analyst
        .api
        .post(
            "/v1/members",
            json!({ "email": confide_tests::unique_email("y"), "role": "viewer" }),
        )
        .await;
    assert_eq!(reply.status, 403);
}

#[tokio::test]
async fn an_unknown_member_id_is_not_found() {
    let owner = sign_up("Unknown Member Co").await;
    let reply = owner
        .api
        .patch("/v1/members/does-not-exist", json!({ "role": "viewer" }))
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(owner.api.delete("/v1/members/T%23x").await.status, 404);
}
