//! The defects found by attacking the running system as an outsider and as each role (issue
//! 16), each reproduced through HTTP: login CSRF and redirects, limits on what anyone may send,
//! image bombs, guessing passwords, the API's allowance, webhooks and personal data.

use jiedao_core::limits;
use jiedao_store::testing::{FIXTURE_PASSWORD, TestDb, fixture};
use jiedao_store::webhooks::WebhookReach;
use jiedao_store::{Backend, on_both_backends};

use crate::cases::{act_ok, follow_link, receipt_number, receipt_of, resident_reports, staff};
use crate::support::{Client, Page, TestApp, case_id, category, photo, urlencode};

/// Posts the public report form as `person`: a litter report at a point of the fixture's
/// grid A1, with `extra` fields and `files`.
async fn post_report(
    app: &TestApp,
    person: &Client,
    extra: &[(&str, &str)],
    files: &[(&str, &str, Vec<u8>)],
) -> Page {
    person.get("/report").await;
    let litter = category(app, "E0101").await;
    let mut fields = vec![
        ("category", litter.as_str()),
        ("lon", "120.105"),
        ("lat", "30.2525"),
    ];
    fields.extend_from_slice(extra);
    person.post_multipart("/report", &fields, files).await
}

/// A third-party page cannot sign a browser in: a login without the anonymous cookie's token
/// is refused like any other forged form, and signs no one in.
async fn login_needs_the_token_of_a_signed_out_visitor(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let outsider = app.client();
    let forged = outsider
        .post_form_with_token(
            "/login",
            "",
            &[("username", "leader"), ("password", FIXTURE_PASSWORD)],
        )
        .await;
    assert_eq!(forged.status, 403, "a cookieless login is a forged form");
    assert!(outsider.cookie("jiedao_session").is_none());

    outsider.get("/login").await;
    let wrong = outsider
        .post_form_with_token(
            "/login",
            "not-the-token",
            &[("username", "leader"), ("password", FIXTURE_PASSWORD)],
        )
        .await;
    assert_eq!(wrong.status, 403);
    assert!(outsider.cookie("jiedao_session").is_none());

    let signed_in = outsider.login("leader", FIXTURE_PASSWORD).await;
    assert_eq!(signed_in.status, 303, "the page's own token still works");
    assert!(outsider.cookie("jiedao_session").is_some());
}

/// `next` sends people back only within the site, whatever a browser would make of it, and a
/// strange one is never a server error.
async fn login_sends_back_only_to_paths_of_this_site(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let sneaky = [
        "/\t/evil.example",
        "/\u{b}/x",
        "/\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "/%2F/evil.example",
        "https://evil.example/",
    ];
    for next in sneaky {
        let person = app.client();
        let page = person
            .get(&format!("/login?next={}", urlencode(next)))
            .await;
        assert_eq!(page.status, 200, "{next:?}");
        assert!(
            page.body.contains(r#"name="next" value="""#),
            "{next:?} is not carried into the form"
        );
        let after = person
            .post_form(
                "/login",
                &[
                    ("username", "leader"),
                    ("password", FIXTURE_PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(after.status, 303, "{next:?}: {}", after.body);
        assert_eq!(after.location.as_deref(), Some("/inbox"), "{next:?}");
    }
    let person = app.client();
    person.get("/login").await;
    let after = person
        .post_form(
            "/login",
            &[
                ("username", "leader"),
                ("password", FIXTURE_PASSWORD),
                ("next", "/cases?page=2"),
            ],
        )
        .await;
    assert_eq!(after.location.as_deref(), Some("/cases?page=2"));
}

/// A refused report keeps none of its photos, whichever check refused it.
async fn photos_of_a_refused_report_are_not_kept(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let visitor = app.client();
    visitor.get("/report").await;
    let before = app.files_on_disk();
    let photos: Vec<(&str, &str, Vec<u8>)> = (0..6).map(|_| ("photos", "p.png", photo())).collect();
    let litter = category(&app, "E0101").await;
    for fields in [
        vec![("category", litter.as_str()), ("description", "")],
        vec![
            ("category", litter.as_str()),
            ("description", "垃圾"),
            ("lon", "120.105"),
            ("lat", "30.2525"),
            ("phone", "not a phone"),
        ],
        vec![
            ("category", litter.as_str()),
            ("description", "垃圾"),
            ("lon", "1.0"),
            ("lat", "1.0"),
        ],
    ] {
        let refused = visitor.post_multipart("/report", &fields, &photos).await;
        assert_eq!(refused.status, 422, "{fields:?}: {}", refused.body);
        assert_eq!(app.files_on_disk(), before, "{fields:?}: nothing is kept");
    }
    assert_eq!(app.count("attachment").await, 0);
}

/// Every text field has a limit: a name, a description, a note; a field past any limit is
/// refused at the edge without being held whole.
async fn every_text_field_has_a_limit(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let visitor = app.client();
    let cases = app.count("case_file").await;
    let long_name = "名".repeat(limits::PERSON_NAME.max + 1);
    let huge = "x".repeat(100_000);
    for (name, description) in [
        (long_name.as_str(), "垃圾"),
        (huge.as_str(), "垃圾"),
        ("张三", huge.as_str()),
    ] {
        let refused = post_report(
            &app,
            &visitor,
            &[("description", description), ("name", name)],
            &[],
        )
        .await;
        assert_eq!(
            refused.status,
            422,
            "{}",
            &refused.body[..200.min(refused.body.len())]
        );
        assert!(refused.body.len() < 200_000, "the refusal does not echo it");
    }
    assert_eq!(app.count("case_file").await, cases);

    let (id, _) = resident_reports(&app).await;
    let leader = staff(&app, "leader").await;
    leader.get(&format!("/cases/{id}")).await;
    let reason = "督".repeat(limits::NOTE.max + 1);
    let refused = leader
        .post_multipart(
            &format!("/cases/{id}/act/supervise"),
            &[("reason", &reason), ("action", "supervise")],
            &[],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("最多2000个字"), "{}", refused.body);
    let page = leader.get(&format!("/cases/{id}")).await;
    assert!(!page.body.contains(&reason[..300]));

    // A person's name on an account.
    let long_name = "名".repeat(limits::PERSON_NAME.max + 1);
    let admin = staff(&app, "admin").await;
    admin.get("/users").await;
    let users = app.count("app_user").await;
    let refused = admin
        .post_form(
            "/users",
            &[
                ("username", "longname"),
                ("display_name", &long_name),
                ("role", "community_staff"),
                ("org_code", fixture::COMMUNITY_A),
                ("password", "Passw0rd-long-name"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("最多50个字"), "{}", refused.body);
    assert_eq!(app.count("app_user").await, users);
}

/// One address cannot flood the public report form.
async fn public_forms_are_limited_per_address(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let visitor = app.client();
    visitor.get("/report").await;
    let allowance = jiedao_web::WebConfig::default().public_per_minute;
    let mut statuses = Vec::new();
    for _ in 0..=allowance {
        let page = visitor
            .post_multipart("/report", &[("description", "")], &[])
            .await;
        statuses.push(page.status);
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert!(statuses[..statuses.len() - 1].iter().all(|s| *s == 422));
}

/// A decompression bomb on the anonymous form is refused by its declared size, at once, and
/// leaves nothing behind.
async fn image_bombs_are_refused_by_their_header(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let visitor = app.client();
    let before = app.files_on_disk();
    let bomb = jiedao_store::testing::png_declaring(13_000, 13_000);
    let started = std::time::Instant::now();
    let refused = post_report(
        &app,
        &visitor,
        &[("description", "垃圾")],
        &[("photos", "bomb.png", bomb)],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("照片像素太多"), "{}", refused.body);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!(app.files_on_disk(), before);
}

/// Guessing at a known username holds back strangers, not the person: their own browser, which
/// signed in before, still gets in with the right password.
async fn an_outsider_cannot_lock_a_known_user_out(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let own_browser = app.client();
    assert_eq!(
        own_browser.login("leader", FIXTURE_PASSWORD).await.status,
        303
    );
    assert!(own_browser.cookie("jiedao_device").is_some());
    own_browser.post_form("/logout", &[]).await;

    let outsider = app.client();
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(outsider.login("leader", "guess").await.status);
    }
    assert_eq!(statuses, [401, 401, 401, 401, 429, 429, 429]);
    let still = outsider.login("leader", FIXTURE_PASSWORD).await;
    assert_eq!(
        still.status, 429,
        "a stranger's browser waits, right password or not"
    );

    let forged = app.client();
    forged.set_cookie("jiedao_device", "0123456789abcdef");
    assert_eq!(forged.login("leader", FIXTURE_PASSWORD).await.status, 429);

    let back = own_browser.login("leader", FIXTURE_PASSWORD).await;
    assert_eq!(
        back.status, 303,
        "the person's own browser gets in: {}",
        back.body
    );
    assert_eq!(
        outsider.login("leader", FIXTURE_PASSWORD).await.status,
        303,
        "signing in ended the wait"
    );
}

/// Known and unknown usernames answer alike, wait alike, and every attempt is in the audit
/// log with the address it came from.
async fn usernames_cannot_be_told_apart_and_every_attempt_is_audited(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let mut answers = Vec::new();
    for username in ["leader", "nobody-here"] {
        let person = app.client();
        let mut seen = Vec::new();
        for _ in 0..6 {
            let page = person.login(username, "guess").await;
            let body = page
                .body
                .replace(username, "NAME")
                .replace(&person.csrf(), "TOKEN");
            seen.push((page.status, body));
        }
        answers.push(seen);
    }
    assert_eq!(answers[0].len(), answers[1].len());
    for (known, unknown) in answers[0].iter().zip(&answers[1]) {
        assert_eq!(known.0, unknown.0);
        // The wait's end is shown to the minute; both started within the same second or two.
        let strip = |body: &str| {
            body.chars()
                .filter(|c| !c.is_ascii_digit())
                .collect::<String>()
        };
        assert_eq!(strip(&known.1), strip(&unknown.1));
    }
    for username in ["leader", "nobody-here"] {
        let target = format!("user:{username}");
        let audited = app
            .audit_count(move |record| {
                record.target == target
                    && record.action.starts_with("auth.")
                    && record.ip.as_deref() == Some("127.0.0.1")
            })
            .await;
        assert_eq!(audited, 6, "{username}");
    }
    let token = app.token("dispatcher").await;
    assert!(!token.is_empty());
    let api_failures = app
        .audit_count(|record| {
            record.target == "user:nobody-api" && record.ip.as_deref() == Some("127.0.0.1")
        })
        .await;
    assert_eq!(api_failures, 0);
    assert_eq!(api_login(&app, "nobody-api").await.status(), 401);
    let api_failures = app
        .audit_count(|record| {
            record.target == "user:nobody-api" && record.ip.as_deref() == Some("127.0.0.1")
        })
        .await;
    assert_eq!(
        api_failures, 1,
        "API attempts are audited with their address too"
    );
}

/// A wrong login through the API.
async fn api_login(app: &TestApp, username: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/api/v1/login", app.base))
        .json(&serde_json::json!({"username": username, "password": "x"}))
        .send()
        .await
        .expect("login")
}

/// One address trying many usernames is held back, on the page and through the API.
async fn logins_are_limited_per_address(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let allowance = jiedao_web::WebConfig::default().public_per_minute;
    let person = app.client();
    person.get("/login").await;
    // The allowance refills one request in every three seconds, and a login checked against a
    // password hash is slow on a busy machine: keep asking until held back, within twice the
    // allowance, rather than assume the 21st attempt finds no refilled token.
    let mut statuses = Vec::new();
    for n in 0..2 * allowance {
        let page = person
            .post_form(
                "/login",
                &[("username", &format!("user{n}")), ("password", "guess")],
            )
            .await;
        statuses.push(page.status);
        if page.status == 429 {
            break;
        }
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert!(
        statuses.len() > allowance as usize,
        "the whole allowance is granted first: {statuses:?}"
    );
    let api = api_login(&app, "someone").await;
    assert_eq!(api.status(), 429);
    assert!(api.headers().contains_key("retry-after"));
}

/// An administrator's POST to the webhook API.
async fn subscribe(app: &TestApp, token: &str, url: &str) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/webhooks", app.base))
        .bearer_auth(token)
        .json(&serde_json::json!({"street": fixture::STREET, "url": url}))
        .send()
        .await
        .expect("subscribe");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

/// Webhooks cannot be pointed inside: loopback, link-local, private ranges and credentials are
/// refused by a deployment that allows only public receivers.
async fn webhooks_reach_no_internal_address(backend: Backend) {
    let Some(mut db) = TestDb::new(backend) else {
        return;
    };
    db.config_mut().webhook_reach = WebhookReach::Public;
    let store = db.open(std::sync::Arc::new(jiedao_core::SystemClock)).await;
    jiedao_store::testing::load_fixture(&store).await;
    let app = TestApp::serve(db, store).await;
    let token = app.token("admin").await;
    for url in [
        "http://127.0.0.1:1/",
        "http://[::1]:8080/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/hook",
        "http://localhost:9/",
        "http://user:secret@example.org/hook",
    ] {
        let (status, body) = subscribe(&app, &token, url).await;
        assert_eq!(status, 422, "{url}: {body}");
    }
    assert_eq!(app.count("webhook").await, 0);
}

/// The delivery log says what kind of thing went wrong, not what the network answered.
async fn the_delivery_log_keeps_errors_coarse(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.token("admin").await;
    // A port nothing listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port();
    let (status, created) = subscribe(&app, &token, &format!("http://127.0.0.1:{port}/")).await;
    assert_eq!(status, 201, "{created}");
    let hook = created["webhook"]["id"].as_str().expect("id").to_owned();
    resident_reports(&app).await;
    let mut log = serde_json::Value::Null;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        log = reqwest::Client::new()
            .get(format!("{}/api/v1/webhooks/{hook}/deliveries", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .expect("log")
            .json()
            .await
            .expect("json");
        if !log[0]["last_error"].is_null() {
            break;
        }
    }
    assert_eq!(log[0]["last_error"], "could not connect", "{log}");
}

/// Open311's public read masks phones however they were typed, in the description and the
/// address, and publishes the point rounded.
async fn open311_masks_every_spelling_of_a_phone(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let visitor = app.client();
    visitor.get("/report").await;
    let litter = category(&app, "E0101").await;
    let description =
        "请联系 138 1234 5678 或 139-0000-2222，又 １３７１２３４５６７８、+86.136.1234.5678";
    let receipt = visitor
        .post_multipart(
            "/report",
            &[
                ("category", &litter),
                ("description", description),
                ("lon", "120.105123"),
                ("lat", "30.252678"),
                ("address", "幸福里3号 电话 139 0000 1111"),
            ],
            &[],
        )
        .await;
    let receipt = receipt_of(&visitor, receipt).await;
    let number = receipt_number(&receipt);
    let answer = reqwest::get(format!("{}/open311/v2/requests/{number}.json", app.base))
        .await
        .expect("read")
        .text()
        .await
        .expect("text");
    for typed in [
        "1234 5678",
        "0000-2222",
        "２３４５６７８",
        "136.1234",
        "0000 1111",
    ] {
        assert!(!answer.contains(typed), "{typed} in {answer}");
    }
    let one: serde_json::Value = serde_json::from_str(&answer).expect("json");
    assert_eq!(one[0]["lat"], 30.253);
    assert_eq!(one[0]["long"], 120.105);
    assert!(
        one[0]["address"]
            .as_str()
            .is_some_and(|a| a.starts_with("幸福里3号")),
        "{answer}"
    );
}

/// The API's allowance cannot be sidestepped: random tokens are counted against the address
/// they come from, and one account's sessions share the account's allowance.
async fn the_api_allowance_follows_the_address_then_the_account(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let store = db.open(std::sync::Arc::new(jiedao_core::SystemClock)).await;
    jiedao_store::testing::load_fixture(&store).await;
    let config = jiedao_web::WebConfig {
        api_per_minute: 20,
        public_per_minute: 100,
        ..jiedao_web::WebConfig::default()
    };
    let app = TestApp::serve_with(db, store, config).await;
    let http = reqwest::Client::new();
    let get = |token: String| {
        let request = http
            .get(format!("{}/api/v1/org", app.base))
            .bearer_auth(token);
        async move { request.send().await.expect("GET").status().as_u16() }
    };
    let mut statuses = Vec::new();
    for n in 0..21 {
        statuses.push(get(format!("random-{n}")).await);
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert!(statuses[..20].iter().all(|s| *s == 401), "{statuses:?}");

    let sessions = [
        app.token("leader").await,
        app.token("leader").await,
        app.token("leader").await,
    ];
    let mut statuses = Vec::new();
    for n in 0..21 {
        statuses.push(get(sessions[n % 3].clone()).await);
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert!(statuses[..20].iter().all(|s| *s == 200), "{statuses:?}");
    let other = app.token("dispatcher").await;
    assert_eq!(get(other).await, 200, "another account is not held back");
}

/// Reports on the public page as `person`, with a photo; answers the receipt.
async fn report_as(
    app: &TestApp,
    person: &Client,
    description: &str,
    name: &str,
    phone: &str,
) -> Page {
    let receipt = post_report(
        app,
        person,
        &[
            ("description", description),
            ("address", description),
            ("name", name),
            ("phone", phone),
        ],
        &[("photos", "mine.png", photo())],
    )
    .await;
    receipt_of(person, receipt).await
}

/// After a merge each reporter sees their own report and the case's public fields, and
/// nothing of the other's: on the case page, through the follow link, in their own export.
async fn after_a_merge_each_reporter_sees_only_their_own_report(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let first = app.client();
    let first_receipt = report_as(&app, &first, "第一位居民的描述", "李先生", "13800001111").await;
    let first_number = receipt_number(&first_receipt);
    let first_link = follow_link(&first_receipt);
    let second = app.client();
    second.login("resident_a", FIXTURE_PASSWORD).await;
    let second_receipt =
        report_as(&app, &second, "第二位居民的描述", "王阿姨", "13900002222").await;
    let second_link = follow_link(&second_receipt);
    let second_case = case_id(&app.store, &receipt_number(&second_receipt)).await;
    let first_case = case_id(&app.store, &first_number).await;
    let intake = staff(&app, "intake").await;
    act_ok(
        &intake,
        second_case,
        "merge",
        &[("into", &first_number)],
        &[],
        "已并单",
    )
    .await;

    let first_traces = ["第一位居民", "李**", "138****1111"];
    let second_traces = ["第二位居民", "王**", "139****2222"];
    let own = second.get(&second_link).await;
    assert_eq!(own.status, 200);
    assert!(own.body.contains("第二位居民的描述"), "{}", own.body);
    let page = second.get(&format!("/cases/{first_case}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("第二位居民的描述"), "{}", page.body);
    let (status, _, export) = second.download("/me/data.json").await;
    assert_eq!(status, 200);
    let export = String::from_utf8(export).expect("utf-8");
    assert!(export.contains("第二位居民的描述"), "{export}");
    for (what, body) in [
        ("follow link", &own.body),
        ("case page", &page.body),
        ("export", &export),
    ] {
        for trace in first_traces {
            assert!(!body.contains(trace), "{what} shows {trace}: {body}");
        }
    }
    let theirs = first.get(&first_link).await;
    assert!(theirs.body.contains("第一位居民的描述"));
    for trace in second_traces {
        assert!(!theirs.body.contains(trace), "{trace}: {}", theirs.body);
    }
    // Each sees their own photo, not the other's.
    let photos = |body: &str| body.matches("/photos/").count();
    assert_eq!(photos(&own.body), 1, "{}", own.body);
    assert_eq!(photos(&theirs.body), 1, "{}", theirs.body);
}

/// `count` values drawn from `strategy`, the same on every run.
fn drawn<S: proptest::strategy::Strategy>(strategy: S, count: usize) -> Vec<S::Value> {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).expect("a value").current())
        .collect()
}

/// A field's value as anyone may send it: empty, typical, hostile or huge.
fn any_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        Just(String::new()),
        "[a-z0-9 ]{1,20}",
        "\\PC{0,60}",
        "[\\x00-\\x1f\u{7f}\u{fffe}\u{ffff}<>&\"'%]{0,20}",
        "-?[0-9]{1,4}\\.[0-9]{0,9}",
        Just("NaN".to_owned()),
        Just("1e309".to_owned()),
        (0_usize..30_000).prop_map(|n| "长".repeat(n)),
    ]
}

/// A server that holds no one back, for sending many requests from one address.
pub(crate) async fn unlimited(backend: Backend) -> Option<TestApp> {
    let db = TestDb::new(backend)?;
    let store = db.open(std::sync::Arc::new(jiedao_core::SystemClock)).await;
    jiedao_store::testing::load_fixture(&store).await;
    let config = jiedao_web::WebConfig {
        api_per_minute: 1_000_000,
        public_per_minute: 1_000_000,
        ..jiedao_web::WebConfig::default()
    };
    Some(TestApp::serve_with(db, store, config).await)
}

/// Whatever the public report form's fields hold, the answer is a receipt or a refusal, never
/// a fault, and a case is made exactly when a receipt is given.
async fn any_report_form_is_answered_without_a_fault(backend: Backend) {
    let Some(app) = unlimited(backend).await else {
        return;
    };
    let visitor = app.client();
    visitor.get("/report").await;
    let litter = category(&app, "E0101").await;
    let fields = [
        "description",
        "lon",
        "lat",
        "address",
        "name",
        "phone",
        "community",
        "category",
    ];
    let values = drawn(proptest::collection::vec(any_text(), fields.len()), 48);
    for (n, drawn) in values.iter().enumerate() {
        let mut form: Vec<(&str, &str)> = fields
            .iter()
            .copied()
            .zip(drawn.iter().map(String::as_str))
            .collect();
        // Half the time a real category and point, so the rest of the fields are reached.
        if n % 2 == 0 {
            form.retain(|(name, _)| !["category", "lon", "lat"].contains(name));
            form.extend([
                ("category", litter.as_str()),
                ("lon", "120.105"),
                ("lat", "30.2525"),
            ]);
        }
        let before = app.count("case_file").await;
        let page = visitor.post_multipart("/report", &form, &[]).await;
        assert!(
            [303, 400, 413, 422].contains(&page.status),
            "{form:?}: {}",
            page.status
        );
        let made = app.count("case_file").await - before;
        assert_eq!(made, i64::from(page.status == 303), "{form:?}");
    }
}

/// Whatever Open311 POST parameters hold, the answer is a request or the spec's error, never
/// a fault, and a case is made exactly when one is answered 201.
async fn any_open311_post_is_answered_without_a_fault(backend: Backend) {
    let Some(app) = unlimited(backend).await else {
        return;
    };
    let key = crate::open311::resident_app_key(&app).await;
    let names = [
        "service_code",
        "lat",
        "long",
        "address_string",
        "description",
        "email",
        "first_name",
        "last_name",
        "phone",
        "media_url",
        "jurisdiction_id",
        "attribute[size]",
    ];
    let values = drawn(proptest::collection::vec(any_text(), names.len()), 48);
    let http = reqwest::Client::new();
    for (n, drawn) in values.iter().enumerate() {
        let mut form: Vec<(&str, &str)> = names
            .iter()
            .copied()
            .zip(drawn.iter().map(String::as_str))
            .collect();
        form.push(("api_key", &key));
        if n % 2 == 0 {
            form.retain(|(name, _)| {
                !["service_code", "lat", "long", "jurisdiction_id"].contains(name)
            });
            form.extend([
                ("service_code", "E0101"),
                ("lat", "30.2525"),
                ("long", "120.105"),
            ]);
        }
        let before = app.count("case_file").await;
        let response = http
            .post(format!("{}/open311/v2/requests.json", app.base))
            .form(&form)
            .send()
            .await
            .expect("POST");
        let status = response.status().as_u16();
        let body = response.text().await.expect("body");
        assert!(
            [201, 400, 403, 404, 413, 422].contains(&status),
            "{form:?}: {status} {body}"
        );
        let made = app.count("case_file").await - before;
        assert_eq!(made, i64::from(status == 201), "{form:?}: {body}");
    }
}

/// The public report form draws the grid map; a grid drawn with 200,000 vertices must not make
/// the page grow with its detail (it went from 33.7 KB to 2.0 MB).
async fn the_report_page_does_not_grow_with_boundary_detail(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let visitor = app.client();
    let before = visitor.get("/report").await.body.len();
    let ring = jiedao_geo::testing::many_sided_ring(120.11, 30.2575, 0.002, 200_000);
    let file = fixture::collection(&[jiedao_geo::testing::feature(
        "330106008001003",
        "细网格",
        &ring,
    )]);
    let system = jiedao_store::Principal::system("test");
    app.store
        .import_boundaries(&system.scope(), system.actor(None), file)
        .await
        .expect("the detailed grid loads");
    let after = visitor.get("/report").await;
    assert!(
        after.body.contains("330106008001003"),
        "the new grid is drawn"
    );
    assert!(
        after.body.len() < before + 50_000,
        "{before} bytes before, {} after",
        after.body.len()
    );
}

/// An encoded NUL in a path or query is refused before any route, each face in its own shape:
/// the API answers its JSON error (its document promises JSON), pages the bare 400.
async fn an_encoded_nul_is_refused_in_the_shape_of_its_face(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.token("leader").await;
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/org?x=%00", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status().as_u16(), 400);
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(kind.starts_with("application/json"), "{kind}");
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "bad_request", "{body}");
    let leader = staff(&app, "leader").await;
    assert_eq!(leader.get("/cases?q=%00").await.status, 400);
}

on_both_backends!(
    an_encoded_nul_is_refused_in_the_shape_of_its_face,
    login_needs_the_token_of_a_signed_out_visitor,
    login_sends_back_only_to_paths_of_this_site,
    photos_of_a_refused_report_are_not_kept,
    every_text_field_has_a_limit,
    public_forms_are_limited_per_address,
    image_bombs_are_refused_by_their_header,
    an_outsider_cannot_lock_a_known_user_out,
    usernames_cannot_be_told_apart_and_every_attempt_is_audited,
    logins_are_limited_per_address,
    webhooks_reach_no_internal_address,
    the_delivery_log_keeps_errors_coarse,
    open311_masks_every_spelling_of_a_phone,
    the_api_allowance_follows_the_address_then_the_account,
    after_a_merge_each_reporter_sees_only_their_own_report,
    any_report_form_is_answered_without_a_fault,
    any_open311_post_is_answered_without_a_fault,
    the_report_page_does_not_grow_with_boundary_detail,
);
