//! Black-box tests through HTTP: the real server on 127.0.0.1:0, one client per person, each
//! scenario on SQLite and on PostgreSQL (when TEST_PG_URL is set).

use jiedao_core::Role;
use jiedao_store::testing::{FIXTURE_PASSWORD, fixture};
use jiedao_store::{Backend, on_both_backends};

use crate::support::{self, Client, Page, TestApp, has_chinese_outside_user_data};

async fn anonymous_requests_to_staff_pages_go_to_login(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let visitor = app.client();
    let paths = [
        "/home".to_owned(),
        "/me".to_owned(),
        "/users".to_owned(),
        "/users/staff_a".to_owned(),
        "/org".to_owned(),
        format!("/org/{}", fixture::COMMUNITY_A),
        format!("/org/{}/boundary.geojson", fixture::GRID_A1),
        "/audit".to_owned(),
    ];
    for path in &paths {
        let page = visitor.get(path).await;
        assert_eq!(page.status, 303, "{path}");
        let expected = format!("/login?next={}", support::urlencode(path));
        assert_eq!(page.location.as_deref(), Some(expected.as_str()), "{path}");
        assert!(page.body.is_empty(), "{path} leaked a body: {}", page.body);
    }
    let login = visitor.get("/login?next=%2Fusers").await;
    assert_eq!(login.status, 200);
    assert!(login.body.contains("<title>登录"), "{}", login.body);
    assert!(login.body.contains(r#"name="next" value="/users""#));

    let api = visitor.get("/api/locate?lon=120.1&lat=30.25").await;
    assert_eq!(api.status, 401);
    assert!(
        api.body.contains(r#""error":"login_required""#),
        "{}",
        api.body
    );

    // Posting without being logged in changes nothing and also goes to login.
    let post = visitor
        .post_form(
            "/users",
            &[
                ("username", "intruder"),
                ("display_name", "x"),
                ("role", "administrator"),
            ],
        )
        .await;
    assert_eq!(post.status, 303);
    assert!(
        !app.user_exists("intruder").await,
        "an anonymous post created a user"
    );
}

async fn every_login_reaches_its_home_page(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for (username, role, ..) in fixture::USERS {
        let person = app.client();
        let login = person.login(username, FIXTURE_PASSWORD).await;
        assert_eq!(login.status, 303, "{username}: {}", login.body);
        // Each lands on their to-do list (待办; a resident's is their reports), not on the
        // organisation's figures; administrators, who have no cases, on the people.
        let landing = if role == Role::Administrator {
            "/users"
        } else {
            "/inbox"
        };
        assert_eq!(login.location.as_deref(), Some(landing), "{username}");
        let landed = person.get(landing).await;
        assert_eq!(landed.status, 200, "{username}");
        assert_eq!(person.get("/").await.location.as_deref(), Some(landing));
        let home = person.get("/home").await;
        assert_eq!(home.status, 200, "{username}");
        let title = match role {
            Role::Resident => "我的",
            Role::GridWorker => "网格员工作台",
            Role::IntakeOperator | Role::ShiftLead | Role::Dispatcher => "指挥中心",
            Role::DepartmentHandler => "部门工作台",
            Role::CommunityStaff => "社区工作台",
            Role::Leader => "领导驾驶舱",
            Role::Administrator => "管理员工作台",
        };
        assert!(
            home.body.contains(&format!("<h1>{title}</h1>")),
            "{username}: {}",
            home.body
        );
        assert!(
            home.body
                .contains(&format!("<title>{title} · 街道治理平台</title>")),
            "{username}"
        );
        let greeting = format!("<span data-user>测试{username}</span>，您好");
        assert!(home.body.contains(&greeting), "{username}: {}", home.body);
    }
}

async fn community_staff_cannot_read_another_community(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let staff = app.client();
    staff.login("staff_a", FIXTURE_PASSWORD).await;

    let other = staff.get("/users/staff_b").await;
    assert_eq!(other.status, 403);
    assert!(
        other.body.contains("该对象不在您的管辖范围内"),
        "{}",
        other.body
    );
    assert!(
        !other.body.contains("测试staff_b"),
        "the refusal leaked the user's name"
    );

    let grid = staff.get(&format!("/org/{}", fixture::GRID_B1)).await;
    assert_eq!(grid.status, 403);
    assert!(grid.body.contains("该对象不在您的管辖范围内"));
    assert!(
        !grid.body.contains("乙社区第一网格"),
        "the refusal leaked the grid's name"
    );

    let shape = staff
        .get(&format!("/org/{}/boundary.geojson", fixture::GRID_B1))
        .await;
    assert_eq!(shape.status, 403);
    assert!(!shape.body.contains("coordinates"));

    let users = staff.get("/users").await;
    assert_eq!(users.status, 200);
    assert!(users.body.contains("测试worker_a1"));
    assert!(!users.body.contains("测试worker_b1") && !users.body.contains("测试staff_b"));

    let tree = staff.get("/org").await;
    assert!(tree.body.contains("甲社区第二网格"));
    assert!(
        !tree.body.contains("乙社区"),
        "another community appears in the tree"
    );

    let own_grid = staff.get(&format!("/org/{}", fixture::GRID_A1)).await;
    assert_eq!(own_grid.status, 200);
    assert!(
        own_grid.body.contains("测试worker_a1"),
        "the grid's worker is listed"
    );
}

async fn residents_see_only_their_own_data(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let resident = app.client();
    resident.login("resident_a", FIXTURE_PASSWORD).await;

    let me = resident.get("/me").await;
    assert_eq!(me.status, 200);
    assert!(me.body.contains("测试resident_a"));

    let neighbour = resident.get("/users/resident_b").await;
    assert_eq!(neighbour.status, 403);
    assert!(
        neighbour.body.contains("您的角色无权执行此操作"),
        "{}",
        neighbour.body
    );
    assert!(!neighbour.body.contains("测试resident_b"));

    for path in ["/users", "/org", "/audit"] {
        let page = resident.get(path).await;
        assert_eq!(page.status, 403, "{path}");
        assert!(page.body.contains("您的角色无权执行此操作"), "{path}");
    }
    let home = resident.get("/home").await;
    assert!(!home.body.contains("测试resident_b") && !home.body.contains("测试staff_a"));
}

async fn wrong_passwords_are_refused_then_lock_the_account(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let person = app.client();
    for _ in 0..4 {
        let page = person.login("leader", "not the password").await;
        assert_eq!(page.status, 401);
        assert!(page.body.contains("用户名或密码错误"), "{}", page.body);
        assert!(
            page.body.contains(r#"value="leader""#),
            "the username is kept"
        );
    }
    let locked = person.login("leader", "not the password").await;
    assert_eq!(locked.status, 429);
    assert!(locked.body.contains("账号已锁定"), "{}", locked.body);
    let still = person.login("leader", FIXTURE_PASSWORD).await;
    assert_eq!(
        still.status, 429,
        "the right password does not open a locked account"
    );
    assert_eq!(person.get("/home").await.status, 303);

    let empty = person.login("", "").await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("请输入用户名和密码"));
}

async fn bad_user_input_is_refused_and_changes_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let admin = app.client();
    admin.login("admin", FIXTURE_PASSWORD).await;
    admin.get("/users").await;
    let users_before = app.count("app_user").await;
    let audit_before = app.count("audit_log").await;

    let duplicate = admin
        .post_form(
            "/users",
            &[
                ("username", "staff_a"),
                ("display_name", "重名"),
                ("role", "community_staff"),
                ("org_code", fixture::COMMUNITY_A),
                ("password", "long enough 123"),
            ],
        )
        .await;
    assert_eq!(duplicate.status, 409, "the username is taken");
    assert!(
        duplicate.body.contains("用户名“staff_a”已被使用"),
        "{}",
        duplicate.body
    );
    assert!(
        duplicate.body.contains(r#"value="重名""#),
        "the form keeps what was typed"
    );

    let misplaced = admin
        .post_form(
            "/users",
            &[
                ("username", "newworker"),
                ("display_name", "新网格员"),
                ("role", "grid_worker"),
                ("org_code", fixture::COMMUNITY_A),
                ("password", "long enough 123"),
            ],
        )
        .await;
    assert_eq!(misplaced.status, 422);
    assert!(
        misplaced.body.contains("网格员不能挂在社区/村一级"),
        "{}",
        misplaced.body
    );

    let forged = admin
        .post_form_with_token(
            "/users",
            "not-the-token",
            &[
                ("username", "forged"),
                ("display_name", "伪造"),
                ("role", "administrator"),
                ("org_code", fixture::STREET),
                ("password", "long enough 123"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(forged.body.contains("页面已过期"), "{}", forged.body);

    assert_eq!(app.count("app_user").await, users_before);
    assert_eq!(app.count("audit_log").await, audit_before);

    let created = admin
        .post_form(
            "/users",
            &[
                ("username", "NewWorker"),
                ("display_name", "新网格员"),
                ("role", "grid_worker"),
                ("org_code", fixture::GRID_A2),
                ("password", "long enough 123"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert_eq!(created.location.as_deref(), Some("/users/newworker"));
    assert_eq!(app.count("app_user").await, users_before + 1);

    let malformed = admin.get("/org/330106700001").await;
    assert_eq!(malformed.status, 422);
    assert!(
        malformed.body.contains("第7-9位“700”不是有效的乡级代码"),
        "{}",
        malformed.body
    );
    let unknown = admin.get("/users/nobody").await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.body.contains("找不到用户“nobody”"));
}

async fn logout_ends_the_session_and_login_rotates_it(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let person = app.client();
    person.set_cookie("jiedao_session", "planted-by-an-attacker");
    person.login("intake", FIXTURE_PASSWORD).await;
    let session = person.cookie("jiedao_session").expect("session cookie");
    assert_ne!(session, "planted-by-an-attacker");
    assert_eq!(person.get("/home").await.status, 200);
    let out = person.post_form("/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.location.as_deref(), Some("/login"));
    assert_eq!(
        person.cookie("jiedao_session"),
        None,
        "the cookie is removed"
    );
    // The old token is dead on the server too, not just forgotten by the browser.
    person.set_cookie("jiedao_session", &session);
    assert_eq!(person.get("/home").await.status, 303);
}

async fn points_are_located_to_grids(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let intake = app.client();
    intake.login("intake", FIXTURE_PASSWORD).await;
    let inside = intake.get("/api/locate?lon=120.135&lat=30.2525").await;
    assert_eq!(inside.status, 200);
    assert!(inside.body.contains(fixture::GRID_B2), "{}", inside.body);
    let outside = intake.get("/api/locate?lon=121.5&lat=31.2").await;
    assert!(outside.body.contains(r#""grid":null"#), "{}", outside.body);
    assert!(outside.body.contains("该位置不在任何网格内"));
    let nonsense = intake.get("/api/locate?lon=500&lat=30").await;
    assert_eq!(nonsense.status, 422);
    assert!(nonsense.body.contains("经纬度超出范围"));
}

async fn english_pages_show_no_chinese_outside_user_data(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let person = app.client();
    let switched = person.get("/lang/en").await;
    assert_eq!(switched.status, 303);
    let login = person.get("/login").await;
    assert!(login.body.contains("<title>Log in"), "{}", login.body);
    assert!(
        !has_chinese_outside_user_data(&login.body),
        "{}",
        login.body
    );
    person.login("staff_a", FIXTURE_PASSWORD).await;
    for path in [
        "/home",
        "/me",
        "/users",
        "/org",
        "/users/worker_a1",
        "/users/staff_b",
    ] {
        let page = person.get(path).await;
        assert!(
            !has_chinese_outside_user_data(&page.body),
            "{path}: {}",
            page.body
        );
    }
    let refused = person.get("/users/staff_b").await;
    assert!(
        refused
            .body
            .contains("outside the part of the organisation you are responsible for")
    );
}

/// The same-site pages a page links to (no downloads, files, logout or language switches).
fn links(html: &str) -> Vec<String> {
    html.split(r#"href=""#)
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.replace("&#38;", "&").replace("&amp;", "&"))
        .filter(|href| href.starts_with('/') && !href.starts_with("//"))
        .filter(|href| {
            ![
                "/static/",
                "/lang/",
                "/logout",
                "/files/",
                "/follow/",
                "/open311/",
            ]
            .iter()
            .any(|skip| href.starts_with(skip))
                && !href.contains(".xlsx")
                && !href.contains(".docx")
                && !href.contains(".geojson")
                && !href.ends_with(".json")
                && !href.ends_with(".webmanifest")
                && !href.ends_with(".ico")
                && (!href.starts_with("/api/") || href == "/api/docs")
                && !href.contains("/photos/")
        })
        .collect()
}

/// Text of the page outside tags, with user data left in: keys that were never translated
/// show up as `section.key` words.
fn untranslated_keys(html: &str) -> Vec<String> {
    let mut text = String::new();
    let mut inside = false;
    for c in html.split("<body").nth(1).unwrap_or(html).chars() {
        match c {
            '<' => inside = true,
            '>' => {
                inside = false;
                text.push(' ');
            }
            c if !inside => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace()
        .filter(|word| {
            let mut parts = word.split('.');
            matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None)
                if !a.is_empty() && !b.is_empty()
                    && a.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    && b.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        })
        .map(str::to_owned)
        .collect()
}

/// Walks every page reachable from `start` by links (breadth first, each path once), and
/// checks each with `check`. Returns how many pages were seen.
async fn walk(person: &Client, start: &str, check: impl Fn(&str, &Page)) -> usize {
    let mut seen = std::collections::HashSet::new();
    let mut queue = std::collections::VecDeque::from([start.to_owned()]);
    while let Some(path) = queue.pop_front() {
        // One page per route shape: /cases/<id> once, not once per case.
        let shape: String = path
            .split('?')
            .next()
            .unwrap_or_default()
            .split('/')
            .map(|part| {
                if part.len() >= 32 || part.chars().all(|c| c.is_ascii_digit()) && !part.is_empty()
                {
                    "*"
                } else {
                    part
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        if !seen.insert(shape) || seen.len() > 250 {
            continue;
        }
        let page = person.get(&path).await;
        if page.status == 303 || page.status == 403 || page.status == 404 {
            continue;
        }
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        check(&path, &page);
        queue.extend(links(&page.body));
    }
    seen.len()
}

async fn every_page_people_reach_is_translated_both_ways(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // A case, so case pages, lists and the dashboard have something to show.
    let visitor = app.client();
    let _ = visitor.get("/report").await;
    let reported = visitor
        .post_multipart(
            "/report",
            &[
                ("category", &crate::support::category(&app, "E0101").await),
                ("description", "小区门口堆了垃圾"),
                ("lon", "120.105"),
                ("lat", "30.2525"),
            ],
            &[],
        )
        .await;
    assert_eq!(reported.status, 303);
    let chinese = |text: &str| text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    for (username, ..) in jiedao_store::testing::fixture::USERS {
        let person = app.client();
        person.login(username, FIXTURE_PASSWORD).await;
        let pages = walk(&person, "/home", |path, page| {
            let title = page
                .body
                .split("<title")
                .nth(1)
                .and_then(|t| t.split_once('>'))
                .and_then(|(_, t)| t.split("</title>").next());
            assert!(
                title.is_some_and(chinese),
                "{username} {path}: the title is not Chinese: {title:?}"
            );
            let keys = untranslated_keys(&page.body);
            assert!(keys.is_empty(), "{username} {path}: untranslated {keys:?}");
        })
        .await;
        assert!(pages >= 3, "{username} reached only {pages} pages");
        let _ = person.get("/lang/en").await;
        walk(&person, "/home", |path, page| {
            assert!(
                !has_chinese_outside_user_data(&page.body),
                "{username} {path} in English: {}",
                page.body
            );
        })
        .await;
    }
}

async fn administrators_upload_boundaries_and_see_every_problem(backend: Backend) {
    use jiedao_store::testing::fixture;
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let staff = app.client();
    staff.login("staff_a", FIXTURE_PASSWORD).await;
    assert_eq!(
        staff.get("/org/import").await.status,
        403,
        "only administrators"
    );

    let admin = app.client();
    admin.login("admin", FIXTURE_PASSWORD).await;
    let form = admin.get("/org/import").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("<title>导入网格边界"));
    let before = app.count("org_boundary").await;
    // Two codes with the wrong number of digits: both are reported, not just the first.
    let bad = fixture::collection(&[
        fixture::square("33010600800100", "坏编码", 120.10, 30.25, 0.005),
        fixture::square("3301060080019", "又一个", 120.11, 30.25, 0.005),
    ]);
    let refused = admin
        .post_multipart(
            "/org/import",
            &[],
            &[("file", "bad.geojson", bad.into_bytes())],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("未导入任何边界"), "{}", refused.body);
    assert!(
        refused.body.contains("33010600800100"),
        "the bad code is named"
    );
    assert!(
        refused.body.matches("<li data-user>").count() >= 2,
        "{}",
        refused.body
    );
    assert_eq!(
        app.count("org_boundary").await,
        before,
        "nothing was loaded"
    );

    // The admin's street's own grid, redrawn: within reach, so it loads.
    let good = fixture::collection(&[fixture::square(
        fixture::GRID_A1,
        "甲社区第一网格",
        120.10,
        30.25,
        0.01,
    )]);
    let loaded = admin
        .post_multipart(
            "/org/import",
            &[],
            &[("file", "street.geojson", good.into_bytes())],
        )
        .await;
    assert_eq!(loaded.status, 200, "{}", loaded.body);
    assert!(
        loaded.body.contains("已导入：新建0个，更新1个"),
        "{}",
        loaded.body
    );
    let empty = admin
        .post_multipart("/org/import", &[("note", "")], &[])
        .await;
    assert_eq!(empty.status, 422);
    assert!(
        empty.body.contains("请选择要上传的边界文件"),
        "{}",
        empty.body
    );
}

async fn administrators_switch_the_platform_set(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let leader = app.client();
    leader.login("leader", FIXTURE_PASSWORD).await;
    assert_eq!(leader.get("/admin/platforms").await.status, 403);
    let admin = app.client();
    admin.login("admin", FIXTURE_PASSWORD).await;
    let page = admin.get("/admin/platforms").await;
    assert_eq!(page.status, 200);
    let active_marks = |body: &str| body.matches("正在使用").count();
    assert_eq!(active_marks(&page.body), 1, "{}", page.body);
    let other = page
        .body
        .split(r#"name="code" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("another set to switch to")
        .to_owned();
    let switched = admin
        .post_form("/admin/platforms", &[("code", &other)])
        .await;
    assert_eq!(switched.status, 303, "{}", switched.body);
    let after = admin.get("/admin/platforms").await;
    assert_eq!(active_marks(&after.body), 1);
    assert!(
        !after
            .body
            .contains(&format!(r#"name="code" value="{other}""#)),
        "the chosen set is now the active one"
    );
    let unknown = admin
        .post_form("/admin/platforms", &[("code", "nope")])
        .await;
    assert_ne!(unknown.status, 303);
    assert!(
        admin.get("/audit").await.body.contains("切换平台分组"),
        "the switch is in the audit log"
    );
}

on_both_backends!(
    administrators_switch_the_platform_set,
    administrators_upload_boundaries_and_see_every_problem,
    every_page_people_reach_is_translated_both_ways,
    anonymous_requests_to_staff_pages_go_to_login,
    every_login_reaches_its_home_page,
    community_staff_cannot_read_another_community,
    residents_see_only_their_own_data,
    wrong_passwords_are_refused_then_lock_the_account,
    bad_user_input_is_refused_and_changes_nothing,
    logout_ends_the_session_and_login_rotates_it,
    points_are_located_to_grids,
    english_pages_show_no_chinese_outside_user_data,
);
