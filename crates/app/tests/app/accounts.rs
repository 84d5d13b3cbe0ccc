//! User administration through HTTP (issue 18): an administrator unlocks an account after the
//! login back-off, resets a password, disables and enables an account and changes a role, each
//! audited; every other role is refused each step with nothing changed, and nobody changes
//! their own standing.

use jiedao_store::testing::FIXTURE_PASSWORD;
use jiedao_store::{Backend, on_both_backends};

use crate::support::TestApp;

/// How many audit records of `action` on `user:{username}` there are.
async fn audited(app: &TestApp, action: &'static str, username: &str) -> i64 {
    let target = format!("user:{username}");
    app.audit_count(move |record| record.action == action && record.target == target)
        .await
}

async fn administrators_unlock_reset_disable_and_change_roles(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let admin = app.client();
    admin.login("admin", FIXTURE_PASSWORD).await;

    // Unlock: five wrong passwords make the leader wait; the administrator ends the wait.
    let leader = app.client();
    for _ in 0..5 {
        leader.login("leader", "not the password").await;
    }
    assert_eq!(leader.login("leader", FIXTURE_PASSWORD).await.status, 429);
    let page = admin.get("/users/leader").await;
    assert!(page.body.contains("/users/leader/unlock"), "{}", page.body);
    let unlocked = admin.post_form("/users/leader/unlock", &[]).await;
    assert_eq!(unlocked.status, 303);
    assert_eq!(
        unlocked.location.as_deref(),
        Some("/users/leader?done=unlock")
    );
    assert!(
        admin
            .get("/users/leader?done=unlock")
            .await
            .body
            .contains("已解除锁定")
    );
    assert_eq!(audited(&app, "user.unlock", "leader").await, 1);
    assert_eq!(leader.login("leader", FIXTURE_PASSWORD).await.status, 303);

    // Reset the password: the leader's session ends, the old password no longer opens it.
    admin.get("/users/leader").await;
    let short = admin
        .post_form("/users/leader/password", &[("password", "short")])
        .await;
    assert_eq!(short.status, 422, "a short password is refused on the page");
    assert!(short.body.contains("密码太短"), "{}", short.body);
    assert_eq!(audited(&app, "user.set_password", "leader").await, 0);
    assert_eq!(leader.get("/home").await.status, 200, "nothing changed");
    let reset = admin
        .post_form(
            "/users/leader/password",
            &[("password", "a new password 42")],
        )
        .await;
    assert_eq!(reset.status, 303);
    assert_eq!(audited(&app, "user.set_password", "leader").await, 1);
    assert_eq!(leader.get("/home").await.status, 303, "the session ended");
    assert_eq!(leader.login("leader", FIXTURE_PASSWORD).await.status, 401);
    assert_eq!(
        leader.login("leader", "a new password 42").await.status,
        303
    );

    // Disable: the worker's session ends and they cannot sign in; enable lets them in again.
    let worker = app.client();
    assert_eq!(
        worker.login("worker_a1", FIXTURE_PASSWORD).await.status,
        303
    );
    admin.get("/users/worker_a1").await;
    let disabled = admin.post_form("/users/worker_a1/disable", &[]).await;
    assert_eq!(disabled.status, 303);
    assert!(admin.get("/users/worker_a1").await.body.contains("停用"));
    assert_eq!(worker.get("/home").await.status, 303, "the session ended");
    assert_eq!(
        worker.login("worker_a1", FIXTURE_PASSWORD).await.status,
        401
    );
    assert_eq!(audited(&app, "user.disable", "worker_a1").await, 1);
    admin.get("/users/worker_a1").await;
    assert_eq!(
        admin.post_form("/users/worker_a1/enable", &[]).await.status,
        303
    );
    assert_eq!(audited(&app, "user.enable", "worker_a1").await, 1);
    assert_eq!(
        worker.login("worker_a1", FIXTURE_PASSWORD).await.status,
        303
    );

    // Change a role, under the rules users are created by.
    admin.get("/users/intake").await;
    let unbound = admin
        .post_form("/users/intake/role", &[("role", "department_handler")])
        .await;
    assert_eq!(unbound.status, 422, "a handler needs a department");
    assert!(unbound.body.contains("处置部门"), "{}", unbound.body);
    let misplaced = admin
        .post_form("/users/intake/role", &[("role", "grid_worker")])
        .await;
    assert_eq!(
        misplaced.status, 422,
        "a grid worker is not bound to a street"
    );
    assert_eq!(audited(&app, "user.set_role", "intake").await, 0);
    let changed = admin
        .post_form("/users/intake/role", &[("role", "dispatcher")])
        .await;
    assert_eq!(changed.status, 303);
    assert_eq!(audited(&app, "user.set_role", "intake").await, 1);
    let users = admin.get("/users/intake?done=role").await;
    assert!(users.body.contains("角色已更改"), "{}", users.body);
    let intake = app.client();
    intake.login("intake", FIXTURE_PASSWORD).await;
    assert_eq!(
        intake.get("/cases/new").await.status,
        403,
        "the new role holds at once"
    );
    let handler = admin
        .post_form(
            "/users/intake/role",
            &[("role", "department_handler"), ("department", "城管中队")],
        )
        .await;
    assert_eq!(handler.status, 303);

    // Nobody changes their own standing, and the page does not offer it.
    let own = admin.get("/users/admin").await;
    assert!(!own.body.contains("/users/admin/disable"));
    let before = app.count("audit_log").await;
    let myself = admin.post_form("/users/admin/disable", &[]).await;
    assert_eq!(myself.status, 409);
    let demoted = admin
        .post_form("/users/admin/role", &[("role", "leader")])
        .await;
    assert_eq!(demoted.status, 409);
    assert_eq!(app.count("audit_log").await, before);
    assert_eq!(
        admin.get("/audit").await.status,
        200,
        "still an administrator"
    );
    assert_eq!(
        admin.post_form("/users/admin/nonsense", &[]).await.status,
        404
    );
}

async fn other_roles_are_refused_every_step_with_nothing_changed(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let before = app.count("audit_log").await;
    for username in ["leader", "shiftlead", "staff_a", "worker_a1", "resident_a"] {
        let person = app.client();
        person.login(username, FIXTURE_PASSWORD).await;
        person.get("/home").await;
        let logged_in = app.count("audit_log").await;
        for (step, fields) in [
            ("unlock", vec![]),
            ("password", vec![("password", "a new password 42")]),
            ("disable", vec![]),
            ("enable", vec![]),
            ("role", vec![("role", "administrator")]),
        ] {
            let page = person
                .post_form(&format!("/users/worker_b1/{step}"), &fields)
                .await;
            assert_eq!(page.status, 403, "{username} {step}");
        }
        assert_eq!(app.count("audit_log").await, logged_in, "{username}");
        let page = person.get(&format!("/users/{username}")).await;
        assert!(
            !page.body.contains("/disable"),
            "{username} is offered nothing"
        );
    }
    assert!(app.count("audit_log").await > before);
    let worker = app.client();
    assert_eq!(
        worker.login("worker_b1", FIXTURE_PASSWORD).await.status,
        303
    );
}

on_both_backends!(
    administrators_unlock_reset_disable_and_change_roles,
    other_roles_are_refused_every_step_with_nothing_changed,
);
