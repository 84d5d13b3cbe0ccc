//! Petitions (信访) through HTTP on both backends: registration by form and by the API for every
//! channel, the representatives' limit, an action out of role and out of scope changing
//! nothing, acceptance and a note by the community, the accused who never sees an accusation
//! and the leader who sees it sealed, the petitioner's file with its audited view, and the
//! figures with their drill-down.

use calamine::{Reader, Xlsx};
use jiedao_core::registry::sample;
use jiedao_store::petitions::NewPetition;
use jiedao_store::testing::{FIXTURE_PASSWORD, fixture, principal};
use jiedao_store::{Backend, on_both_backends};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{TestApp, department};

/// A person of community A, entered by its staff.
pub(crate) async fn petitioner(app: &TestApp, name: &str, n: u32) -> Uuid {
    crate::registry::resident_and_house_of(
        app,
        "staff_a",
        fixture::COMMUNITY_A,
        name,
        &sample::id_number(
            "330106",
            chrono::NaiveDate::from_ymd_opt(1958, 5, 5).expect("date"),
            n,
        ),
        &format!("1370000{n:04}"),
    )
    .await
    .0
}

/// A petition registered by the desk through the store (what the pages are tested on).
pub(crate) async fn registered(app: &TestApp, person: Uuid, class: &str, accused: &[&str]) -> Uuid {
    let desk = principal(&app.store, "intake").await;
    let new = NewPetition {
        channel: jiedao_core::petition::Channel::Letter,
        class: jiedao_core::petition::Class::parse(class).expect("class"),
        matter: "小区电梯长期故障".into(),
        petitioner: person,
        group_size: 1,
        representatives: 1,
        from_level: None,
        accused: accused.iter().map(|a| (*a).to_owned()).collect(),
        flags: vec![],
        profile: jiedao_core::petition::ProfileCode::National2022,
    };
    app.store
        .register_petition(&desk, None, new)
        .await
        .expect("registered")
        .id
}

async fn api(
    app: &TestApp,
    who: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let token = app.token(who).await;
    let http = reqwest::Client::new();
    let url = format!("{}{path}", app.base);
    let mut request = match method {
        "GET" => http.get(url),
        _ => http.post(url),
    }
    .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A petition's document, downloaded and read back: the text of its body.
async fn document(client: &crate::support::Client, id: Uuid, kind: &str) -> String {
    let (status, _, bytes) = client
        .download(&format!("/petitions/{id}/documents/{kind}"))
        .await;
    assert_eq!(status, 200, "{kind}");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .expect("zip")
            .by_name("word/document.xml")
            .expect("document"),
        &mut xml,
    )
    .expect("utf-8");
    xml
}

async fn file_views(app: &TestApp) -> i64 {
    app.audit_count(|record| record.action == "petition.file_view")
        .await
}

async fn history_length(app: &TestApp, id: Uuid) -> usize {
    let (status, body) = api(
        app,
        "intake",
        "GET",
        &format!("/api/v1/petitions/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["history"].as_array().expect("history").len()
}

async fn petitions_are_registered_handled_and_sealed_through_http(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let zhang = petitioner(&app, "张信访", 11).await;

    // The desk registers a letter through the form and lands on its page.
    let desk = app.client();
    desk.login("intake", FIXTURE_PASSWORD).await;
    desk.get("/me").await;
    assert_eq!(desk.get("/petitions").await.status, 200);
    let zhang_text = zhang.to_string();
    let sent = desk
        .post_form(
            "/petitions",
            &[
                ("petitioner", zhang_text.as_str()),
                ("channel", "letter"),
                ("class", "claim"),
                ("matter", "小区电梯长期故障，物业不维修"),
                ("group_size", "1"),
                ("representatives", "1"),
                ("profile", "national_2022"),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let location = sent.location.expect("to the petition");
    let letter: Uuid = location
        .trim_start_matches("/petitions/")
        .parse()
        .expect("an id");
    let page = desk.get(&location).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("已登记") && page.body.contains("张信访"));

    // Every other channel through the API; a group of twelve with six speakers is refused.
    for channel in [
        "visit",
        "phone",
        "online",
        "mailbox",
        "transfer",
        "assignment",
    ] {
        let mut body = json!({"channel": channel, "class": "suggestion",
            "matter": format!("{channel}的建议"), "petitioner": zhang_text});
        if channel == "transfer" || channel == "assignment" {
            body["from_level"] = json!("city");
        }
        let (status, answer) = api(&app, "intake", "POST", "/api/v1/petitions", Some(body)).await;
        assert_eq!(status, 201, "{channel}: {answer}");
        assert!(
            answer["number"]
                .as_str()
                .expect("number")
                .starts_with("XF-")
        );
    }
    let (status, answer) = api(
        &app,
        "intake",
        "POST",
        "/api/v1/petitions",
        Some(
            json!({"channel": "visit", "class": "claim", "matter": "征迁补偿",
            "petitioner": zhang_text, "group_size": 12, "representatives": 6}),
        ),
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    let (status, list) = api(&app, "intake", "GET", "/api/v1/petitions", None).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().expect("list").len(), 7);

    // Out of role (a grid worker) and out of scope (community B's staff): nothing changes.
    let before = history_length(&app, letter).await;
    let worker = app.client();
    worker.login("worker_a1", FIXTURE_PASSWORD).await;
    worker.get("/me").await;
    let act = format!("/petitions/{letter}/act");
    assert_eq!(
        worker
            .post_form(&act, &[("action", "decline"), ("reason", "x")])
            .await
            .status,
        403
    );
    let staff_b = app.client();
    staff_b.login("staff_b", FIXTURE_PASSWORD).await;
    staff_b.get("/me").await;
    assert_eq!(
        staff_b
            .post_form(&act, &[("action", "note"), ("text", "x")])
            .await
            .status,
        404
    );
    assert_eq!(history_length(&app, letter).await, before);

    // Accepted for community A, whose staff note their visit.
    let community = department(&app.store, "甲社区").await;
    let accepted = desk
        .post_form(
            &act,
            &[("action", "accept"), ("department", community.as_str())],
        )
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let staff_a = app.client();
    staff_a.login("staff_a", FIXTURE_PASSWORD).await;
    staff_a.get("/me").await;
    assert_eq!(
        staff_a
            .post_form(&act, &[("action", "note"), ("text", "上门核实")])
            .await
            .status,
        303
    );
    // A leader's extension past 30 days is refused with the article.
    let leader = app.client();
    leader.login("leader", FIXTURE_PASSWORD).await;
    leader.get("/me").await;
    let too_long = leader
        .post_form(
            &act,
            &[("action", "extend"), ("days", "31"), ("reason", "复杂")],
        )
        .await;
    assert_eq!(too_long.status, 422);
    assert!(too_long.body.contains("第34条"), "{}", too_long.body);
    assert_eq!(history_length(&app, letter).await, before + 2);

    // The documents, read back: the notice of acceptance, the written answer with its basis
    // and the way to a review, and the notice that a matter goes to the courts.
    let accepted = document(&desk, letter, "accept_notice").await;
    assert!(accepted.contains("信访事项受理告知书") && accepted.contains("张信访"));
    assert!(
        accepted.contains("小区电梯长期故障") && accepted.contains("第34条"),
        "{accepted}"
    );
    assert_eq!(
        staff_a
            .get(&format!("/petitions/{letter}/documents/accept_notice"))
            .await
            .status,
        403,
        "documents are the petition staff's"
    );
    let answered = desk
        .post_form(
            &act,
            &[
                ("action", "answer"),
                ("outcome", "supported"),
                ("text", "已督促物业维修"),
            ],
        )
        .await;
    assert_eq!(answered.status, 303, "{}", answered.body);
    let answer = document(&desk, letter, "answer").await;
    assert!(answer.contains("信访处理意见书") && answer.contains("已督促物业维修"));
    assert!(answer.contains("支持") && answer.contains("复查") && answer.contains("第35条"));
    let to_court = registered(&app, zhang, "claim", &[]).await;
    let separated = desk
        .post_form(
            &format!("/petitions/{to_court}/act"),
            &[
                ("action", "legal_track"),
                ("route", "litigation"),
                ("notice", "请向人民法院起诉"),
            ],
        )
        .await;
    assert_eq!(separated.status, 303, "{}", separated.body);
    let declined = document(&desk, to_court, "decline_notice").await;
    assert!(declined.contains("不予受理告知书") && declined.contains("请向人民法院起诉"));

    // An accusation naming staff_a: staff_a never sees it; the leader sees it sealed.
    let accusation = registered(&app, zhang, "accusation", &["staff_a"]).await;
    assert_eq!(
        staff_a
            .get(&format!("/petitions/{accusation}"))
            .await
            .status,
        404
    );
    let (status, seen) = api(&app, "staff_a", "GET", "/api/v1/petitions?open=true", None).await;
    assert_eq!(status, 200);
    assert!(!seen.to_string().contains(&accusation.to_string()));
    let sealed = leader.get(&format!("/petitions/{accusation}")).await;
    assert_eq!(sealed.status, 200);
    assert!(sealed.body.contains("（保密）") && !sealed.body.contains("张信访"));
    let (_, detail) = api(
        &app,
        "leader",
        "GET",
        &format!("/api/v1/petitions/{accusation}"),
        None,
    )
    .await;
    assert_eq!(detail["sealed"], json!(true));
    assert!(!detail.to_string().contains(&zhang_text));

    // The file (一人一档) lists their petitions and its view is audited.
    let before_views = file_views(&app).await;
    let file = desk.get(&format!("/petitions/people/{zhang}")).await;
    assert_eq!(file.status, 200);
    assert!(file.body.contains(&letter.to_string()));
    assert_eq!(file_views(&app).await, before_views + 1);

    // A leader gives the petitioner a plan (一人一方案) with the leader in charge; the desk may not.
    let leader_id = principal(&app.store, "leader")
        .await
        .user_id()
        .expect("id")
        .to_string();
    let plan = format!("/petitions/people/{zhang}/plan");
    let fields = [
        ("leader", leader_id.as_str()),
        ("plan", "每月走访一次，协调物业"),
    ];
    assert_eq!(desk.post_form(&plan, &fields).await.status, 403);
    assert_eq!(leader.post_form(&plan, &fields).await.status, 303);
    let file = leader.get(&format!("/petitions/people/{zhang}")).await;
    assert!(
        file.body.contains("每月走访一次，协调物业"),
        "{}",
        file.body
    );

    // The list as a workbook, with the reader's headers.
    let (status, _, xlsx) = desk.download("/petitions/export.xlsx?view=all").await;
    assert_eq!(status, 200);
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx)).expect("calamine opens it");
    let sheet = book.worksheet_range("信访").expect("the sheet");
    let mut lines = sheet.rows();
    assert_eq!(lines.next().expect("headers")[0].to_string(), "编号");
    assert_eq!(lines.count(), 9);

    // The figures count this year's nine, and the drill-down lists exactly them.
    let figures = leader.get("/petitions/figures").await;
    assert_eq!(figures.status, 200);
    assert!(figures.body.contains("measure=volume"));
    let (status, numbers) = api(&app, "leader", "GET", "/api/v1/petitions/figures", None).await;
    assert_eq!(status, 200);
    let volume = numbers["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .find(|f| f["measure"] == "volume")
        .expect("volume")
        .clone();
    assert_eq!(volume["this"], json!(9));
    let year = chrono::Datelike::year(&app.store.now());
    let drill = leader
        .get(&format!("/petitions?measure=volume&year={year}"))
        .await;
    assert_eq!(drill.status, 200);
    assert!(drill.body.contains(&format!("/petitions/{accusation}")));
    assert!(drill.body.contains(&format!("/petitions/{letter}")));
}

on_both_backends!(petitions_are_registered_handled_and_sealed_through_http);

/// The demo's two years of petitions: made without a refusal, and the year-on-year change the
/// figures show is the one a recount of the histories gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_petitions_year_on_year_equals_a_recount_from_the_ledger() {
    use jiedao_core::petition::tally;
    use jiedao_store::petitions::figures::{self, Period};

    let db = jiedao_store::testing::TestDb::sqlite();
    let settings = db.config();
    let config = jiedao::config::Config {
        database: settings.url.clone(),
        files: settings.files_dir.clone(),
        ..jiedao::config::Config::default()
    };
    jiedao::demo::build(&config, 2).await.expect("the demo");
    let store = jiedao::open_store(&config).await.expect("open");
    let leader = match store
        .login("leader", jiedao::demo::PASSWORD, None)
        .await
        .expect("login")
    {
        jiedao_store::LoginOutcome::LoggedIn(session) => session.principal,
        other => panic!("{other:?}"),
    };
    let today = jiedao_core::clock::business_date(store.now());
    let period = Period::year_until(chrono::Datelike::year(&today), today).expect("period");
    let scope = leader.scope();
    let (shown, this, last) = store
        .read(move |conn| {
            Ok((
                figures::figures(conn, &scope, period)?,
                figures::recount(conn, &scope, period)?,
                figures::recount(conn, &scope, period.year_before())?,
            ))
        })
        .await
        .expect("figures");
    let volume = shown
        .figures
        .iter()
        .find(|f| f.measure == "volume")
        .expect("volume");
    let (now, then) = (this["volume"], last["volume"]);
    assert!(
        then > 100 && now > 50,
        "two years of petitions: {then} then, {now} now"
    );
    assert_eq!((volume.this, volume.last), (now, then));
    assert_eq!(volume.year_on_year, tally::year_on_year(now, then));
    assert!(
        volume.year_on_year.expect("a change") < -2000,
        "fewer this year"
    );
    for figure in &shown.figures {
        let recounted = (
            this.get(&figure.measure).copied().unwrap_or(0),
            last.get(&figure.measure).copied().unwrap_or(0),
        );
        assert_eq!((figure.this, figure.last), recounted, "{}", figure.measure);
    }
    assert!(
        this.get("repeat").copied().unwrap_or(0) + last.get("repeat").copied().unwrap_or(0) > 0
    );
    assert!(
        last.get("backlog_cleared.city").copied().unwrap_or(0) > 0,
        "{last:?}"
    );
}
