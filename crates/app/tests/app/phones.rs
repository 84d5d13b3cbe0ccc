//! Phones first (issue 18) through HTTP: the receipt is a redirect (reloading it files
//! nothing), the CSRF token never sits in an address, a resident's own reports and only those,
//! each role's landing page and the root's offer to report, open reports nearby without
//! anyone's words, a grid worker's queued report or visit sent twice and kept once, the
//! file-and-dispatch form choosing nothing the case does not imply, histories naming people.

use jiedao_store::testing::FIXTURE_PASSWORD;
use jiedao_store::{Backend, on_both_backends};

use crate::cases::{LAT, LON, receipt_number, receipt_of, resident_reports, staff};
use crate::support::{Client, TestApp, case_id, category, photo};

/// Every place a page sends its reader or its forms: no address may carry the token.
fn addresses(html: &str) -> Vec<String> {
    ["href=\"", "action=\"", "src=\""]
        .iter()
        .flat_map(|marker| {
            html.split(marker)
                .skip(1)
                .filter_map(|rest| rest.split('"').next())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

pub(crate) fn assert_no_token_in_addresses(path: &str, html: &str) {
    for address in addresses(html) {
        assert!(
            !address.contains("csrf"),
            "{path} sends a token in an address: {address}"
        );
    }
}

async fn reloading_the_receipt_files_nothing_and_no_token_is_in_an_address(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let visitor = app.client();
    let form = visitor.get("/report").await;
    assert_no_token_in_addresses("/report", &form.body);
    let litter = category(&app, "E0101").await;
    let posted = visitor
        .post_multipart(
            "/report",
            &[
                ("category", &litter),
                ("description", "刷新回执不应再立一件"),
                ("lon", LON),
                ("lat", LAT),
            ],
            &[("photos", "p.png", photo())],
        )
        .await;
    let receipt = receipt_of(&visitor, posted.clone()).await;
    let address = posted.location.expect("the receipt's address");
    assert_eq!(app.count("case_file").await, 1);
    // Reloading the receipt is a GET of the follow page: nothing is filed again.
    for _ in 0..3 {
        assert_eq!(visitor.get(&address).await.status, 200);
    }
    assert_eq!(app.count("case_file").await, 1);
    assert_no_token_in_addresses(&address, &receipt.body);
    // The receipt carries the follow link whole, a copy button and a QR code drawn inline.
    assert!(receipt.body.contains(r#"id="copy-link""#));
    assert!(receipt.body.contains("<svg"), "{}", receipt.body);

    // Staff pages with multipart forms (the case's actions, intake) keep the token in the body.
    let id = case_id(&app.store, &receipt_number(&receipt)).await;
    for (who, path) in [
        ("intake", format!("/cases/{id}")),
        ("intake", "/cases/new".to_owned()),
        ("worker_a1", "/report/grid".to_owned()),
        ("worker_a1", "/visits".to_owned()),
        ("resident_a", "/inbox".to_owned()),
    ] {
        let person = staff(&app, who).await;
        let page = person.get(&path).await;
        assert_eq!(page.status, 200, "{who} {path}");
        assert_no_token_in_addresses(&path, &page.body);
    }

    // A token only in the address is no longer taken: the form's first part must carry it.
    let intake = staff(&app, "intake").await;
    intake.get(&format!("/cases/{id}")).await;
    let token = intake.csrf();
    let events = app.count("case_event").await;
    let in_address = intake
        .post_multipart_with_token(
            &format!("/cases/{id}/act/file?csrf_token={token}"),
            "",
            &[("category", &litter), ("urgency", "normal"), ("note", "")],
            &[],
        )
        .await;
    assert_eq!(in_address.status, 403, "{}", in_address.body);
    assert_eq!(app.count("case_event").await, events, "nothing changed");
    let in_body = intake
        .post_multipart(
            &format!("/cases/{id}/act/file"),
            &[("category", &litter), ("urgency", "normal"), ("note", "")],
            &[],
        )
        .await;
    assert_eq!(in_body.status, 303, "{}", in_body.body);
}

async fn signed_in_report(app: &TestApp, who: &str, description: &str) -> (Client, String) {
    let person = staff(app, who).await;
    person.get("/report").await;
    let litter = category(app, "E0101").await;
    let posted = person
        .post_multipart(
            "/report",
            &[
                ("category", &litter),
                ("description", description),
                ("lon", LON),
                ("lat", LAT),
            ],
            &[],
        )
        .await;
    let receipt = receipt_of(&person, posted).await;
    (person, receipt_number(&receipt))
}

async fn my_reports_are_mine_only(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (a, number_a) = signed_in_report(&app, "resident_a", "甲居民的上报").await;
    let (b, number_b) = signed_in_report(&app, "resident_b", "乙居民的上报").await;
    // An anonymous report nearby is nobody's.
    let (_, anonymous) = resident_reports(&app).await;
    let anonymous = anonymous.trim_start_matches("/follow/").to_owned();

    for (person, mine, theirs) in [(&a, &number_a, &number_b), (&b, &number_b, &number_a)] {
        let page = person.get("/inbox").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("<h1>我的上报</h1>"), "{}", page.body);
        assert!(page.body.contains(mine.as_str()), "{}", page.body);
        assert!(!page.body.contains(theirs.as_str()), "{}", page.body);
        assert!(!page.body.contains(&anonymous));
        // In the resident's words: no lights, departments or step deadlines.
        assert!(page.body.contains("已收到，待受理"), "{}", page.body);
        assert!(!page.body.contains("环节截止") && !page.body.contains("灯色"));
        // Its one primary action is reporting another problem.
        assert!(page.body.contains(r#"<a class="button" href="/report">"#));
        let nav = person.get("/me").await;
        assert!(nav.body.contains(r#"<a href="/inbox">我的上报</a>"#));
        let other = case_id(&app.store, theirs).await;
        assert_eq!(person.get(&format!("/cases/{other}")).await.status, 404);
    }
}

async fn each_role_lands_on_its_to_do_list_and_the_root_offers_reporting(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let visitor = app.client();
    let root = visitor.get("/").await;
    assert_eq!(root.status, 200);
    assert!(
        root.body
            .contains(r#"<a class="button" href="/report">我要上报</a>"#)
    );
    assert!(root.body.contains(r#"href="/login""#));
    for (who, landing, shows) in [
        ("worker_a1", "/inbox", "待核查"),
        ("handler", "/inbox", "待签收"),
        ("dispatcher", "/inbox", "待派遣"),
        ("intake", "/inbox", "待受理"),
        ("leader", "/inbox", "督办"),
        ("resident_a", "/inbox", "我的上报"),
        ("admin", "/users", "用户"),
    ] {
        let person = app.client();
        let login = person.login(who, FIXTURE_PASSWORD).await;
        assert_eq!(login.location.as_deref(), Some(landing), "{who}");
        let page = person.get(landing).await;
        assert_eq!(page.status, 200, "{who}");
        assert!(page.body.contains(shows), "{who}: {}", page.body);
        assert!(
            !page.body.contains("<h1>指挥中心</h1>"),
            "{who} lands on the centre's figures"
        );
        assert_eq!(person.get("/").await.location.as_deref(), Some(landing));
        assert_eq!(
            person.get("/login").await.location.as_deref(),
            Some(landing)
        );
    }
    // A grid worker's to-do list starts with reporting and visiting.
    let worker = staff(&app, "worker_a1").await;
    let inbox = worker.get("/inbox").await;
    assert!(
        inbox
            .body
            .contains(r#"<a class="button" href="/report/grid">上报问题</a>"#)
    );
    assert!(inbox.body.contains(r#"href="/visits">记录走访</a>"#));
}

async fn open_reports_nearby_are_listed_without_anyones_words(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    resident_reports(&app).await;
    let visitor = app.client();
    let near = visitor
        .get(&format!("/report/nearby.json?lon={LON}&lat=30.2526"))
        .await;
    assert_eq!(near.status, 200);
    let list: serde_json::Value = serde_json::from_str(&near.body).expect("json");
    let first = &list.as_array().expect("a list")[0];
    assert_eq!(first["distance_m"], 10, "{list}");
    assert_eq!(first["state"], "已收到，待受理");
    assert!(
        first["category"]
            .as_str()
            .expect("a category")
            .contains("垃圾")
    );
    assert!(
        !near.body.contains("小区门口堆了垃圾") && !near.body.contains("1380000"),
        "no one's words or number: {}",
        near.body
    );
    // Far away, outside every grid, or not a number: nothing, and no fault.
    for query in [
        "lon=120.2&lat=30.3",
        "lon=200&lat=95",
        "lon=x&lat=y",
        "lon=120.105",
    ] {
        let page = visitor.get(&format!("/report/nearby.json?{query}")).await;
        assert!(
            (page.status == 200 && page.body == "[]") || page.status == 400,
            "{query}: {} {}",
            page.status,
            page.body
        );
    }
    // The resident's form has the place the list is drawn in; staff forms do not.
    assert!(visitor.get("/report").await.body.contains(r#"id="nearby""#));
    let intake = staff(&app, "intake").await;
    assert!(
        !intake
            .get("/cases/new")
            .await
            .body
            .contains(r#"id="nearby""#)
    );
}

async fn a_queued_report_or_visit_sent_twice_is_kept_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let worker = staff(&app, "worker_a1").await;
    let form = worker.get("/report/grid").await;
    assert!(
        form.body.contains(r#"data-queue="#),
        "the form queues offline"
    );
    assert!(form.body.contains(r#"name="intake_key""#));
    let litter = category(&app, "E0101").await;
    let send = |key: &'static str| {
        let (worker, litter) = (&worker, litter.clone());
        async move {
            worker
                .post_multipart(
                    "/report/grid",
                    &[
                        ("intake_key", key),
                        ("category", &litter),
                        ("description", "离线时记下的垃圾"),
                        ("lon", LON),
                        ("lat", LAT),
                    ],
                    &[],
                )
                .await
        }
    };
    let first = send("phone-key-1").await;
    assert_eq!(first.status, 303, "{}", first.body);
    let again = send("phone-key-1").await;
    assert_eq!(again.location, first.location, "the same case");
    assert_eq!(app.count("case_file").await, 1);
    send("phone-key-2").await;
    assert_eq!(app.count("case_file").await, 2, "another key, another case");
    // The same key from someone else is theirs: keys are per person.
    let other = staff(&app, "worker_b1").await;
    other.get("/report/grid").await;
    let theirs = other
        .post_multipart(
            "/report/grid",
            &[
                ("intake_key", "phone-key-1"),
                ("category", &litter),
                ("description", "另一位网格员"),
            ],
            &[],
        )
        .await;
    assert_eq!(theirs.status, 303, "{}", theirs.body);
    assert_eq!(app.count("case_file").await, 3);

    let visits = worker.get("/visits").await;
    assert!(visits.body.contains(r#"name="intake_key""#));
    for _ in 0..2 {
        let sent = worker
            .post_form(
                "/visits",
                &[
                    ("intake_key", "visit-key-1"),
                    ("kind", "household"),
                    ("place", "幸福里3号"),
                    ("note", "离线时记下"),
                ],
            )
            .await;
        assert_eq!(sent.status, 303, "{}", sent.body);
    }
    assert_eq!(app.count("visit").await, 1, "sent twice, kept once");
    worker
        .post_form("/visits", &[("kind", "household"), ("place", "幸福里5号")])
        .await;
    assert_eq!(
        app.count("visit").await,
        2,
        "without a key, each send counts"
    );
}

async fn forms_choose_nothing_the_case_does_not_imply_and_histories_name_people(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let visitor = app.client();
    visitor.get("/report").await;
    let posted = visitor
        .post_multipart(
            "/report",
            &[
                ("description", "不知道算哪一类"),
                ("lon", LON),
                ("lat", LAT),
            ],
            &[],
        )
        .await;
    let receipt = receipt_of(&visitor, posted).await;
    let id = case_id(&app.store, &receipt_number(&receipt)).await;
    let lead = staff(&app, "shiftlead").await;
    let page = lead.get(&format!("/cases/{id}")).await;
    let form_start = page
        .body
        .find(r#"act/file_and_dispatch""#)
        .expect("the combined form");
    let form = &page.body[form_start..];
    let form = &form[..form.find("</form>").expect("its end")];
    for select in ["category", "department"] {
        let start = form
            .find(&format!(r#"<select name="{select}""#))
            .expect(select);
        let options = &form[start..];
        let options = &options[..options.find("</select>").expect("end")];
        let selected: Vec<&str> = options
            .split("<option")
            .filter(|o| o.contains(" selected"))
            .collect();
        assert_eq!(selected.len(), 1, "{select}: {options}");
        assert!(
            selected[0].starts_with(r#" value="""#),
            "{select} starts on 请选择, not a guess: {}",
            selected[0]
        );
    }
    // The primary action comes first; the red ones last.
    let void = page.body.find("act/void").expect("void");
    assert!(form_start < void);

    crate::cases::act_ok(
        &lead,
        id,
        "file_and_dispatch",
        &[
            ("category", &category(&app, "E0101").await),
            ("urgency", "normal"),
            (
                "department",
                &crate::support::department(&app.store, jiedao_store::testing::fixture::DEPARTMENT)
                    .await,
            ),
        ],
        &[],
        "已派遣",
    )
    .await;
    let history = lead.get(&format!("/cases/{id}")).await;
    assert!(
        history
            .body
            .contains("<span data-user>测试shiftlead</span>"),
        "{}",
        history.body
    );
    assert!(history.body.contains("上报人（凭跟踪链接）"));
    assert!(!history.body.contains(">reporter<"));
}

on_both_backends!(
    reloading_the_receipt_files_nothing_and_no_token_is_in_an_address,
    my_reports_are_mine_only,
    each_role_lands_on_its_to_do_list_and_the_root_offers_reporting,
    open_reports_nearby_are_listed_without_anyones_words,
    a_queued_report_or_visit_sent_twice_is_kept_once,
    forms_choose_nothing_the_case_does_not_imply_and_histories_name_people,
);
