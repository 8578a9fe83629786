use confide_tests::{invite, sign_up, Client};
use serde_json::json;

#[tokio::test]
async fn an_invited_member_logs_in_and_gets_their_role_changed() {
    let owner = sign_up("Members Co").await;
    let analyst = invite(&owner, "analyst").await;
    let seen_by_analyst = analyst.api.get("/v1/tenant").await.body;
    assert_eq!(seen_by_analyst["your_role"], "analyst");
    assert_eq!(seen_by_analyst["your_user_id"], analyst.user_id.as_str());
    // What the web app disables: the analyst's own permissions, and no role they could give anyone.
    assert_eq!(
        seen_by_analyst["your_permissions"],
        json!([
            "tenant_read",
            "profile_read",
            "members_read",
            "analyses_read",
            "analyses_write",
            "contacts_read"
        ])
    );
    assert_eq!(seen_by_analyst["assignable_roles"], json!([]));
    assert_eq!(
        owner.api.get("/v1/tenant").await.body["assignable_roles"],
        json!(["owner", "admin", "analyst", "agent", "viewer"])
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
    // The pointer every request starts from says so too: the caller is identified in one read.
    let user = confide_shared::domain::UserId::parse(&analyst.user_id).unwrap();
    match confide_tests::stack()
        .app()
        .await
        .store
        .membership_of_user(&user)
        .await
        .unwrap()
    {
        Some(confide_shared::store::members::MembershipPointer::Membership(m)) => {
            assert_eq!(m.role, confide_shared::domain::Role::Viewer);
        }
        other => panic!("the pointer holds {other:?}"),
    }
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

/// The race the transaction closes: A's request saw B as the other owner, but B was demoted before A's
/// demotion is written. The write names B as the owner who must remain, so it fails and A stays owner.
#[tokio::test]
async fn an_owner_cannot_be_demoted_on_a_stale_view_of_the_other_owners() {
    use confide_shared::domain::{Role, TenantId, UserId};
    use confide_shared::store::StoreError;

    let a = sign_up("Two Owners Co").await;
    let b = invite(&a, "admin").await;
    let promote = a
        .api
        .patch(
            &format!("/v1/members/{}", b.user_id),
            json!({ "role": "owner" }),
        )
        .await;
    assert_eq!(promote.status, 200);

    let app = confide_tests::stack().app().await;
    let tenant = TenantId::parse(&a.tenant_id).unwrap();
    let a_id = UserId::parse(&a.user_id).unwrap();
    let b_id = UserId::parse(&b.user_id).unwrap();
    let mut a_member = app.store.member(&tenant, &a_id).await.unwrap().unwrap();

    // B steps down (allowed: A is still an owner).
    let demote_b = a
        .api
        .patch(
            &format!("/v1/members/{}", b.user_id),
            json!({ "role": "admin" }),
        )
        .await;
    assert_eq!(demote_b.status, 200);

    // A's demotion, decided while B still looked like an owner, must not be written.
    a_member.role = Role::Admin;
    let stale = app.store.save_member(&tenant, &a_member, Some(&b_id)).await;
    assert!(
        matches!(stale, Err(StoreError::ConditionFailed)),
        "{stale:?}"
    );
    let removal = app
        .store
        .remove_member(&tenant, &a_member, Some(&b_id))
        .await;
    assert!(
        matches!(removal, Err(StoreError::ConditionFailed)),
        "{removal:?}"
    );
    assert_eq!(
        a.api.get("/v1/tenant").await.body["your_role"],
        "owner",
        "A is still the owner"
    );
}

#[tokio::test]
async fn invitations_beyond_the_plans_seats_are_refused_with_402() {
    let owner = sign_up("Full Bakery").await;
    let seats = confide_tests::PLAN.limits().seats;
    for _ in 1..seats {
        let reply = owner
            .api
            .post(
                "/v1/members",
                json!({ "email": confide_tests::unique_email("seat"), "role": "viewer" }),
            )
            .await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
    }
    let email = confide_tests::unique_email("one-too-many");
    let over = owner
        .api
        .post("/v1/members", json!({ "email": email, "role": "viewer" }))
        .await;
    assert_eq!(over.status, 402, "{:?}", over.body);
    assert_eq!(over.error_code(), "plan_limit_reached");
    assert_eq!(
        over.body["error"]["limit"],
        json!({ "metered": "seats", "limit": seats, "used": seats })
    );
    let members = owner.api.get("/v1/members").await;
    assert_eq!(
        members.body["members"].as_array().map(Vec::len),
        Some(seats as usize),
        "{:?}",
        members.body
    );
}
