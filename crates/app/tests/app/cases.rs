//! Cases through HTTP: every path walked by the people whose job it is, on the pages they use;
//! each action tried by the wrong people and refused with nothing changed; the intake API.

use jiedao_core::CaseId;
use jiedao_store::testing::{FIXTURE_PASSWORD, fixture};
use jiedao_store::{Backend, Store, on_both_backends};

use crate::support::{
    Client, Page, TestApp, case_id, category, department, has_chinese_outside_user_data, photo,
};

/// A point inside grid A1, as form text.
pub(crate) const LON: &str = "120.105";
pub(crate) const LAT: &str = "30.2525";

async fn events(store: &Store) -> i64 {
    store
        .read(|conn| jiedao_store::maintenance::count_rows(conn, "case_event"))
        .await
        .expect("count")
}

/// Reads `<dd class="mono">NUMBER</dd>` from a receipt.
/// The receipt of a resident's report: the answer to the POST is a redirect (reloading the
/// receipt files nothing) to the follow page, which thanks them; returns that page.
pub(crate) async fn receipt_of(client: &Client, posted: Page) -> Page {
    assert_eq!(posted.status, 303, "{}", posted.body);
    let to = posted.location.expect("a redirect");
    assert!(
        to.starts_with("/follow/") && to.ends_with("?received=1"),
        "{to}"
    );
    assert!(!to.contains("csrf"), "no token in an address: {to}");
    let page = client.get(&to).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("感谢您的上报"), "{}", page.body);
    page
}

pub(crate) fn receipt_number(page: &Page) -> String {
    let marker = r#"<dd class="mono number">"#;
    let start = page.body.find(marker).expect("number") + marker.len();
    page.body[start..]
        .split('<')
        .next()
        .expect("number")
        .to_owned()
}

/// The follow link's path (the page shows it whole, with the site's address).
pub(crate) fn follow_link(page: &Page) -> String {
    let marker = r#"class="mono follow-link" id="follow-link">"#;
    let start = page.body.find(marker).expect("link") + marker.len();
    let link = page.body[start..].split('<').next().expect("link");
    let path = link.find("/follow/").expect("a follow path");
    link[path..].to_owned()
}

pub(crate) async fn staff(app: &TestApp, username: &str) -> Client {
    let client = app.client();
    let login = client.login(username, FIXTURE_PASSWORD).await;
    assert_eq!(login.status, 303, "{username} logs in");
    client
}

/// Opens the case page (for its CSRF token) and submits an action form.
pub(crate) async fn act(
    person: &Client,
    id: CaseId,
    action: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, Vec<u8>)],
) -> Page {
    let page = person.get(&format!("/cases/{id}")).await;
    assert_eq!(page.status, 200, "the case page opens");
    // Every action form carries its name in a hidden field, as the page's forms do.
    let mut fields = fields.to_vec();
    fields.push(("action", action));
    person
        .post_multipart(&format!("/cases/{id}/act/{action}"), &fields, files)
        .await
}

pub(crate) async fn act_ok(
    person: &Client,
    id: CaseId,
    action: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, Vec<u8>)],
    state: &str,
) {
    let done = act(person, id, action, fields, files).await;
    assert_eq!(done.status, 303, "{action}: {}", done.body);
    let page = person.get(&format!("/cases/{id}")).await;
    assert!(
        page.body.contains(&format!("<b>{state}</b>")),
        "after {action} the case shows {state}"
    );
}

/// A resident reports on the public page; returns the case and its follow link.
pub(crate) async fn resident_reports(app: &TestApp) -> (CaseId, String) {
    let visitor = app.client();
    let form = visitor.get("/report").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("我要上报"));
    let litter = category(app, "E0101").await;
    let receipt = visitor
        .post_multipart(
            "/report",
            &[
                ("category", &litter),
                ("description", "小区门口堆了垃圾"),
                ("lon", LON),
                ("lat", LAT),
                ("phone", "13800001234"),
            ],
            &[("photos", "before.png", photo())],
        )
        .await;
    let receipt = receipt_of(&visitor, receipt).await;
    assert!(receipt.body.contains("已收到您的上报"));
    let number = receipt_number(&receipt);
    (case_id(&app.store, &number).await, follow_link(&receipt))
}

async fn a_resident_report_goes_through_every_step(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (id, link) = resident_reports(&app).await;
    let squad = department(&app.store, fixture::DEPARTMENT).await;

    let intake = staff(&app, "intake").await;
    let page = intake.get(&format!("/cases/{id}")).await;
    assert!(page.body.contains("<b>待受理</b>"));
    assert!(page.body.contains("/thumb"), "the report's photo is shown");
    assert!(
        page.body.contains("138****1234") && !page.body.contains("13800001234"),
        "the phone is masked until asked for"
    );
    let whole = intake.post_form(&format!("/cases/{id}/reveal"), &[]).await;
    assert_eq!(whole.status, 200, "{}", whole.body);
    assert!(
        whole.body.contains("13800001234"),
        "intake sees the phone to call back"
    );
    let logged = app
        .audit_count(|record| record.action == "personal.reveal")
        .await;
    assert_eq!(logged, 1, "the whole view is in the audit log");
    let stored = app
        .store
        .read(jiedao_store::testing::stored_reporters)
        .await
        .expect("reporters")
        .into_iter()
        .next()
        .and_then(|reporter| reporter.phone)
        .expect("phone");
    assert!(
        stored.starts_with("sm4gcm:") && !stored.contains("1234"),
        "the phone is stored sealed: {stored}"
    );
    act_ok(
        &intake,
        id,
        "file",
        &[
            ("category", &category(&app, "E0101").await),
            ("urgency", "normal"),
            ("note", "属实"),
        ],
        &[],
        "已立案",
    )
    .await;
    let dispatcher = staff(&app, "dispatcher").await;
    act_ok(
        &dispatcher,
        id,
        "dispatch",
        &[("department", &squad), ("note", "")],
        &[],
        "已派遣",
    )
    .await;
    let handler = staff(&app, "handler").await;
    assert!(handler.get("/inbox").await.body.contains("待签收"));
    act_ok(&handler, id, "accept", &[], &[], "处置中").await;
    act_ok(
        &handler,
        id,
        "report_done",
        &[("note", "已清运")],
        &[("photos", "after.png", photo())],
        "待核查",
    )
    .await;
    let worker = staff(&app, "worker_a1").await;
    assert!(worker.get("/inbox").await.body.contains("待核查"));
    act_ok(
        &worker,
        id,
        "check",
        &[("passed", "yes"), ("note", "")],
        &[],
        "待结案",
    )
    .await;
    let lead = staff(&app, "shiftlead").await;
    act_ok(&lead, id, "close", &[("note", "")], &[], "已结案").await;

    let resident = app.client();
    let follow = resident.get(&link).await;
    assert!(
        follow.body.contains("已办结，请评价") && follow.body.contains("请评价处理结果"),
        "{}",
        follow.body
    );
    // The department's reply reaches the reporter; the office's internal steps do not.
    assert!(follow.body.contains("处理部门答复："), "{}", follow.body);
    assert!(
        !follow.body.contains("签收") && !follow.body.contains("核查"),
        "{}",
        follow.body
    );
    assert!(
        !follow.body.contains("13800001234") && !follow.body.contains("handler"),
        "the public page names no one"
    );
    let rated = resident
        .post_multipart(
            &format!("{link}/follow_up"),
            &[("satisfaction", "satisfied"), ("note", "很快")],
            &[],
        )
        .await;
    assert_eq!(rated.status, 303, "{}", rated.body);
    let thanked = rated.location.expect("back to the follow page");
    assert_eq!(thanked, format!("{link}?thanks=1"));
    let follow = resident.get(&thanked).await;
    assert!(follow.body.contains("谢谢您的评价"), "{}", follow.body);
    assert!(!follow.body.contains("回访"), "回访 is a staff word");
    assert!(follow.body.contains("<b>已办结，已评价</b>"));
    assert!(follow.body.contains("满意"));
    // The after-photo reaches the public as the re-encoded copy.
    let marker = format!("{link}/photos/");
    let start = follow.body.find(&marker).expect("photo") + marker.len();
    let photo_id = &follow.body[start..start + 36];
    let image = resident.get(&format!("{link}/photos/{photo_id}")).await;
    assert_eq!(image.status, 200);
}

async fn side_paths_over_http(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (id, link) = resident_reports(&app).await;
    let squad = department(&app.store, fixture::DEPARTMENT).await;
    let community = department(&app.store, "甲社区").await;
    let (intake, dispatcher, handler, worker, lead, leader, staff_a) = (
        staff(&app, "intake").await,
        staff(&app, "dispatcher").await,
        staff(&app, "handler").await,
        staff(&app, "worker_a1").await,
        staff(&app, "shiftlead").await,
        staff(&app, "leader").await,
        staff(&app, "staff_a").await,
    );
    act_ok(
        &intake,
        id,
        "request_verification",
        &[("note", "请核实")],
        &[],
        "待受理",
    )
    .await;
    act_ok(
        &worker,
        id,
        "verify",
        &[("found", "yes"), ("note", "现场属实")],
        &[("photos", "site.png", photo())],
        "已核实",
    )
    .await;
    act_ok(
        &intake,
        id,
        "file",
        &[("urgency", "normal"), ("note", "")],
        &[],
        "已立案",
    )
    .await;
    act_ok(
        &dispatcher,
        id,
        "dispatch",
        &[("department", &community), ("note", "")],
        &[],
        "已派遣",
    )
    .await;
    act_ok(
        &staff_a,
        id,
        "return",
        &[("reason", "需要执法力量")],
        &[],
        "已立案",
    )
    .await;
    act_ok(
        &dispatcher,
        id,
        "dispatch",
        &[("department", &community), ("note", "")],
        &[],
        "已派遣",
    )
    .await;
    act_ok(
        &dispatcher,
        id,
        "redispatch",
        &[("department", &squad), ("reason", "改由中队处置")],
        &[],
        "已派遣",
    )
    .await;
    act_ok(&handler, id, "accept", &[], &[], "处置中").await;
    act_ok(
        &handler,
        id,
        "request_extension",
        &[
            ("amount", "2"),
            ("unit", "work_days"),
            ("reason", "等待车辆"),
        ],
        &[],
        "处置中",
    )
    .await;
    assert!(lead.get("/inbox").await.body.contains("延期待审批"));
    act_ok(
        &lead,
        id,
        "decide_extension",
        &[("approve", "yes"), ("note", "")],
        &[],
        "处置中",
    )
    .await;
    act_ok(
        &handler,
        id,
        "park",
        &[("reason", "等待产权单位答复")],
        &[],
        "已挂账",
    )
    .await;
    act_ok(&lead, id, "resume", &[("note", "")], &[], "处置中").await;
    act_ok(
        &leader,
        id,
        "supervise",
        &[("reason", "群众反映强烈")],
        &[],
        "处置中",
    )
    .await;
    act_ok(
        &handler,
        id,
        "report_done",
        &[("note", "已处理")],
        &[("photos", "after.png", photo())],
        "待核查",
    )
    .await;
    act_ok(
        &worker,
        id,
        "check",
        &[("passed", "no"), ("note", "仍有残留")],
        &[],
        "处置中",
    )
    .await;
    act_ok(
        &handler,
        id,
        "report_done",
        &[("note", "彻底清理")],
        &[("photos", "after2.png", photo())],
        "待核查",
    )
    .await;
    act_ok(
        &worker,
        id,
        "check",
        &[("passed", "yes"), ("note", "")],
        &[],
        "待结案",
    )
    .await;
    act_ok(&lead, id, "close", &[("note", "")], &[], "已结案").await;
    act_ok(
        &intake,
        id,
        "follow_up",
        &[("satisfaction", "unsatisfied"), ("note", "电话回访")],
        &[],
        "已回访",
    )
    .await;
    let resident = app.client();
    resident.get(&link).await;
    let reopened = resident
        .post_multipart(&format!("{link}/reopen"), &[("reason", "又堆起来了")], &[])
        .await;
    assert_eq!(reopened.status, 303, "{}", reopened.body);
    assert!(
        lead.get(&format!("/cases/{id}"))
            .await
            .body
            .contains("<b>已立案</b>")
    );

    // A second report of the same thing is merged; a third one voided.
    let (duplicate, _) = resident_reports(&app).await;
    let page = intake.get(&format!("/cases/{duplicate}")).await;
    assert!(
        page.body.contains("疑似重复案件"),
        "the first case is suggested"
    );
    let number = app
        .store
        .read(move |conn| jiedao_store::cases::projection::load(conn, id))
        .await
        .expect("number")
        .expect("the case")
        .0
        .number;
    act_ok(
        &intake,
        duplicate,
        "merge",
        &[("into", &number)],
        &[],
        "已并单",
    )
    .await;
    let (third, _) = resident_reports(&app).await;
    act_ok(
        &lead,
        third,
        "void",
        &[("reason", "重复上报")],
        &[],
        "已作废",
    )
    .await;
}

async fn wrong_people_are_refused_and_nothing_changes(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (id, _) = resident_reports(&app).await;
    let before = events(&app.store).await;

    let dispatcher = staff(&app, "dispatcher").await;
    let refused = act(&dispatcher, id, "void", &[("reason", "重复")], &[]).await;
    assert_eq!(refused.status, 403, "not the role's to do");
    assert!(
        refused.body.contains("您的角色不能执行“作废”"),
        "{}",
        refused.body
    );
    let early = act(
        &dispatcher,
        id,
        "dispatch",
        &[(
            "department",
            &department(&app.store, fixture::DEPARTMENT).await,
        )],
        &[],
    )
    .await;
    assert_eq!(early.status, 409, "not in the case's present state");
    assert!(
        early
            .body
            .contains("案件当前状态为“待受理”，不能执行“派遣”")
    );
    let lead = staff(&app, "shiftlead").await;
    let empty = act(&lead, id, "void", &[("reason", " ")], &[]).await;
    assert!(empty.body.contains("请填写原因"));

    let other_community = staff(&app, "staff_b").await;
    let page = other_community.get(&format!("/cases/{id}")).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("该对象不在您的管辖范围内"));
    assert!(
        !page.body.contains("小区门口堆了垃圾"),
        "nothing of the case leaks"
    );
    let posted = other_community
        .post_multipart(&format!("/cases/{id}/act/file"), &[("note", "")], &[])
        .await;
    assert_eq!(posted.status, 403);

    let handler = staff(&app, "handler").await;
    assert_eq!(
        handler.get(&format!("/cases/{id}")).await.status,
        403,
        "not dispatched to them"
    );
    let neighbour = staff(&app, "resident_b").await;
    let hidden = neighbour.get(&format!("/cases/{id}")).await;
    assert_eq!(
        hidden.status, 404,
        "a resident is not told another's case exists"
    );

    let intake = staff(&app, "intake").await;
    intake.get(&format!("/cases/{id}")).await;
    let right = intake.csrf();
    let forged = intake
        .post_multipart_with_token(
            &format!("/cases/{id}/act/file"),
            "forged",
            &[("csrf_token", &right), ("note", "")],
            &[],
        )
        .await;
    assert_eq!(
        forged.status, 403,
        "a wrong CSRF token is refused even beside the right one"
    );

    let visitor = app.client();
    assert_eq!(visitor.get(&format!("/cases/{id}")).await.status, 303);
    let bad_photo = act(
        &lead,
        id,
        "void",
        &[("reason", "x")],
        &[("photos", "x.png", b"not an image".to_vec())],
    )
    .await;
    assert!(
        bad_photo
            .body
            .contains("只接受JPEG、PNG、WebP照片或PDF文件")
    );
    assert_eq!(
        events(&app.store).await,
        before,
        "no refusal wrote anything"
    );
}

async fn grid_workers_and_staff_report_from_their_pages(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let worker = staff(&app, "worker_a1").await;
    assert_eq!(worker.get("/report/grid").await.status, 200);
    let cover = category(&app, "B0101").await;
    let reported = worker
        .post_multipart(
            "/report/grid",
            &[
                ("category", &cover),
                ("description", "井盖破损"),
                ("lon", LON),
                ("lat", LAT),
                // The category's required question, asked on every face (issue 15).
                ("answer[B0101][cover_state]", "broken"),
            ],
            &[("photos", "cover.png", photo())],
        )
        .await;
    assert_eq!(reported.status, 303, "{}", reported.body);
    let case = worker
        .get(reported.location.as_deref().expect("case page"))
        .await;
    assert!(
        case.body.contains("网格员巡查") && case.body.contains("紧急"),
        "{}",
        case.body
    );
    let marker = "/attachments/";
    let start = case.body.find(marker).expect("photo") + marker.len();
    let thumb = worker
        .get(&format!(
            "/attachments/{}/thumb",
            &case.body[start..start + 36]
        ))
        .await;
    assert_eq!(thumb.status, 200);

    let intake = staff(&app, "intake").await;
    let form = intake.get("/cases/new").await;
    assert!(form.body.contains("12345热线"));
    let hotline = intake
        .post_multipart(
            "/cases/new",
            &[
                ("channel", "hotline"),
                ("description", "路灯不亮"),
                ("address", "乙社区3幢"),
                ("name", "李先生"),
                ("phone", "13900001111"),
            ],
            &[],
        )
        .await;
    assert_eq!(hotline.status, 303, "{}", hotline.body);
    let page = intake.get(hotline.location.as_deref().expect("case")).await;
    assert!(
        page.body.contains("待落点"),
        "an address-only report waits to be placed"
    );
    assert!(
        page.body.contains("落点"),
        "the intake operator may place it"
    );
    let refused = intake
        .post_multipart(
            "/cases/new",
            &[("channel", "hotline"), ("description", "")],
            &[],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("请填写问题描述"));
    let not_theirs = worker.get("/cases/new").await;
    assert_eq!(not_theirs.status, 403);
}

async fn the_intake_api_is_authenticated_and_idempotent(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let system = jiedao_store::Principal::system("test");
    let (_, token) = app
        .store
        .add_client(
            system.scope(),
            system.actor(None),
            "视频告警平台".into(),
            fixture::STREET.into(),
            jiedao_core::case::Channel::Sensor,
        )
        .await
        .expect("client");
    let system_client = app.client();
    let body = r#"{"description":"监控发现占道经营","category":"E0502","lon":120.105,"lat":30.2525,"external_ref":"CAM-7"}"#;
    let bearer = format!("Bearer {token}");

    let anonymous = system_client.post_json("/api/v1/cases", &[], body).await;
    assert_eq!(anonymous.status, 401);
    assert!(anonymous.body.contains(r#""error":"unauthorized""#));
    let first = system_client
        .post_json(
            "/api/v1/cases",
            &[
                ("authorization", &bearer),
                ("idempotency-key", "cam-7-0001"),
            ],
            body,
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    let again = system_client
        .post_json(
            "/api/v1/cases",
            &[
                ("authorization", &bearer),
                ("idempotency-key", "cam-7-0001"),
            ],
            body,
        )
        .await;
    assert_eq!(again.status, 200, "a retry names the same case");
    let id = |page: &Page| {
        serde_json::from_str::<serde_json::Value>(&page.body).expect("json")["id"].clone()
    };
    assert_eq!(id(&first), id(&again));
    assert!(again.body.contains(r#""created":false"#));

    let broken = system_client
        .post_json("/api/v1/cases", &[("authorization", &bearer)], "{not json")
        .await;
    assert_eq!(broken.status, 400);
    let empty = system_client
        .post_json(
            "/api/v1/cases",
            &[("authorization", &bearer)],
            r#"{"description":"  ","lon":120.105,"lat":30.2525}"#,
        )
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("请填写问题描述"), "{}", empty.body);
    let english = system_client
        .post_json(
            "/api/v1/cases",
            &[("authorization", &bearer), ("accept-language", "en")],
            r#"{"description":"x","category":"NOPE","lon":120.105,"lat":30.2525}"#,
        )
        .await;
    assert!(
        english
            .body
            .contains(r#"There is no category \"NOPE\" to choose"#),
        "{}",
        english.body
    );
    let count = app.count("case_file").await;
    assert_eq!(count, 1, "only the first request made a case");
}

async fn filtered_lists_export_to_excel(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (_, _) = resident_reports(&app).await;
    let intake = staff(&app, "intake").await;
    let list = intake.get("/cases?q=%E5%9E%83%E5%9C%BE").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("共1件"), "{}", list.body);
    assert!(
        list.body
            .contains(r#"href="/cases/export.xlsx?q=%E5%9E%83%E5%9C%BE""#),
        "the export link keeps the filters"
    );
    let (status, kind, bytes) = intake
        .download("/cases/export.xlsx?q=%E5%9E%83%E5%9C%BE")
        .await;
    assert_eq!(status, 200);
    assert!(kind.contains("spreadsheetml"), "{kind}");
    let sheet = jiedao_reports::Sheet::read(&bytes).expect("a workbook calamine reads");
    assert_eq!(sheet.headers.first().map(String::as_str), Some("案件编号"));
    assert_eq!(sheet.rows.len(), 1);
    let description = sheet.column("问题描述").expect("description column");
    assert_eq!(sheet.rows[0][description], "小区门口堆了垃圾");
    let reported = sheet.column("上报时间").expect("time column");
    assert_eq!(sheet.rows[0][reported].len(), "2026-11-22 09:30".len());
    let number = sheet.column("案件编号").expect("number column");
    assert!(list.body.contains(&sheet.rows[0][number]));

    let (_, _, none) = intake
        .download("/cases/export.xlsx?q=%E6%B2%A1%E6%9C%89")
        .await;
    let empty = jiedao_reports::Sheet::read(&none).expect("workbook");
    assert!(empty.rows.is_empty(), "the filter applies to the export");

    let _ = intake.get("/lang/en").await;
    let (_, _, english) = intake.download("/cases/export.xlsx").await;
    let english = jiedao_reports::Sheet::read(&english).expect("workbook");
    assert_eq!(
        english.headers.first().map(String::as_str),
        Some("Case number")
    );

    let anonymous = app.client().download("/cases/export.xlsx").await;
    assert_ne!(anonymous.0, 200, "no export without signing in");
}

async fn the_dashboard_counts_and_links_to_its_cases(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let leader = staff(&app, "leader").await;
    let before = leader.get("/dashboard").await;
    assert_eq!(before.status, 200);
    assert!(before.body.contains("<title>领导驾驶舱"), "{}", before.body);
    let today = jiedao_core::clock::business_date(app.store.now());
    let today_link = format!("/cases?from={today}&#38;to={today}");
    let figure = |page: &Page, label: &str| -> String {
        let at = page
            .body
            .find(&format!("<span>{label}</span>"))
            .expect(label);
        let value = &page.body[..at];
        let start = value.rfind("<b>").expect("figure") + 3;
        value[start..].trim_end_matches("</b>").to_owned()
    };
    assert_eq!(figure(&before, "今日受理"), "0");
    assert_eq!(figure(&before, "满意率"), "—");

    let (_, _) = resident_reports(&app).await;
    let after = leader.get("/dashboard").await;
    assert_eq!(figure(&after, "今日受理"), "1");
    assert_eq!(figure(&after, "在办案件"), "1");
    assert!(
        after
            .body
            .contains(&format!(r#"<a class="figure" href="{today_link}">"#)),
        "{}",
        after.body
    );
    assert!(
        after.body.contains(r#"<figure class="trend">"#) && after.body.contains("<polyline"),
        "the trend is drawn as lines"
    );
    assert!(
        after.body.contains(r#"<div class="bars""#),
        "the communities are bars"
    );
    assert!(
        after
            .body
            .contains(&format!("{} 受理 1 件", today.format("%m-%d")))
    );
    assert!(
        after.body.contains("within="),
        "the community breakdown links to its cases"
    );
    let listed = leader.get(&today_link.replace("&#38;", "&")).await;
    assert!(
        listed.body.contains("共1件"),
        "the figure's link lists what it counts"
    );

    let _ = leader.get("/lang/en").await;
    let english = leader.get("/dashboard").await;
    assert!(english.body.contains("Reported today"));
    assert!(
        !has_chinese_outside_user_data(&english.body),
        "{}",
        english.body
    );
    let resident = app.client().get("/dashboard").await;
    assert_eq!(
        resident.status, 303,
        "signed-out visitors are sent to log in"
    );
}

async fn the_map_draws_grids_and_pins(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (case, _) = resident_reports(&app).await;
    let system = jiedao_store::Principal::system("test");
    let scope = system.scope();
    let grids = app
        .store
        .read(move |conn| jiedao_store::org::drawn(conn, &scope, &[jiedao_core::OrgKind::Grid]))
        .await
        .expect("grids");
    assert!(!grids.is_empty());
    let leader = staff(&app, "leader").await;
    let map = leader.get("/map").await;
    assert_eq!(map.status, 200);
    assert!(map.body.contains("<title>案件地图"));
    assert!(map.body.contains(r#"<svg class="map""#));
    assert_eq!(
        map.body.matches(r#"<path class="grid""#).count(),
        grids.len()
    );
    for (grid, _) in &grids {
        assert!(
            map.body
                .contains(&format!(r#"href="/cases?within={}""#, grid.code))
        );
    }
    assert_eq!(
        map.body.matches("<circle").count(),
        1,
        "one open case, one pin"
    );
    assert!(map.body.contains(&format!(r#"href="/cases/{case}""#)));
    let closed_only = leader.get("/map?state=closed").await;
    assert_eq!(
        closed_only.body.matches("<circle").count(),
        0,
        "filters apply"
    );

    // Redrawn boundaries show at once: the drawn areas are cached only until they change.
    let system = jiedao_store::Principal::system("test");
    let redrawn = fixture::collection(&[fixture::square(
        fixture::GRID_A1,
        "甲社区第一网格",
        120.10,
        30.25,
        0.008,
    )]);
    app.store
        .import_boundaries(&system.scope(), system.actor(None), redrawn)
        .await
        .expect("redrawn");
    let after = leader.get("/map").await;
    assert_ne!(
        after.body.split("<svg").nth(1),
        map.body.split("<svg").nth(1),
        "the map follows the new boundary"
    );

    let _ = leader.get("/lang/en").await;
    let english = leader.get("/map").await;
    assert!(english.body.contains("Case map"));
    assert!(
        !has_chinese_outside_user_data(&english.body),
        "{}",
        english.body
    );
}

async fn a_shift_lead_files_and_dispatches_in_one_step(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (id, _) = resident_reports(&app).await;
    let intake = staff(&app, "intake").await;
    let seen = intake.get(&format!("/cases/{id}")).await;
    assert!(
        !seen.body.contains("/act/file_and_dispatch"),
        "intake operators file; they do not dispatch"
    );
    let lead = staff(&app, "shiftlead").await;
    let page = lead.get(&format!("/cases/{id}")).await;
    assert!(page.body.contains("立案并派遣"));
    let litter = category(&app, "E0101").await;
    let before = events(&app.store).await;
    // A department that does not exist: filing would pass, dispatching fails, and neither
    // is recorded.
    let refused = act(
        &lead,
        id,
        "file_and_dispatch",
        &[
            ("category", &litter),
            ("urgency", "normal"),
            ("department", "0190d3f6-0000-7000-8000-000000000000"),
        ],
        &[],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(events(&app.store).await, before, "nothing was recorded");
    assert!(
        lead.get(&format!("/cases/{id}"))
            .await
            .body
            .contains("<b>待受理</b>")
    );
    let squad = department(&app.store, fixture::DEPARTMENT).await;
    act_ok(
        &lead,
        id,
        "file_and_dispatch",
        &[
            ("category", &litter),
            ("urgency", "normal"),
            ("department", &squad),
            ("note", ""),
        ],
        &[],
        "已派遣",
    )
    .await;
    assert_eq!(
        events(&app.store).await,
        before + 2,
        "filed, then dispatched"
    );
}

async fn dispatchers_dispatch_ticked_cases_in_bulk(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (first, _) = resident_reports(&app).await;
    let (second, _) = resident_reports(&app).await;
    let (unfiled, _) = resident_reports(&app).await;
    let intake = staff(&app, "intake").await;
    let litter = category(&app, "E0101").await;
    for id in [first, second] {
        act_ok(
            &intake,
            id,
            "file",
            &[("category", &litter), ("urgency", "normal"), ("note", "")],
            &[],
            "已立案",
        )
        .await;
    }
    assert!(
        !intake.get("/cases").await.body.contains(r#"form="bulk""#),
        "intake operators do not dispatch"
    );
    let dispatcher = staff(&app, "dispatcher").await;
    let list = dispatcher.get("/cases").await;
    assert_eq!(
        list.body.matches(r#"name="ids""#).count(),
        3,
        "a box per case"
    );
    let squad = department(&app.store, fixture::DEPARTMENT).await;
    let (a, b, c) = (first.to_string(), second.to_string(), unfiled.to_string());
    let done = dispatcher
        .post_form(
            "/cases/bulk/dispatch",
            &[
                ("department", &squad),
                ("ids", &a),
                ("ids", &b),
                ("ids", &c),
                ("back", "/cases?page=1"),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("已派遣2件，未派遣1件"), "{}", done.body);
    for (id, state) in [(first, "已派遣"), (second, "已派遣"), (unfiled, "待受理")] {
        let page = dispatcher.get(&format!("/cases/{id}")).await;
        assert!(
            page.body.contains(&format!("<b>{state}</b>")),
            "{id} is {state}"
        );
    }
    let nothing = dispatcher
        .post_form("/cases/bulk/dispatch", &[("department", &squad)])
        .await;
    assert!(nothing.body.contains("请先在列表中勾选要派遣的案件"));
}

/// Uploads a 12345 export (the columns 工单编号, 来电时间, 诉求内容, 诉求地址, 诉求分类, 联系人,
/// 联系电话) to the import page as `intake`, in `mode` (`strict` or `skip`).
pub(crate) async fn upload_work_orders(intake: &Client, export: &str, mode: &str) -> Page {
    intake
        .post_multipart(
            "/import/hotline",
            &[
                ("work_order", "工单编号"),
                ("description", "诉求内容"),
                ("address", "诉求地址"),
                ("category", "诉求分类"),
                ("caller", "联系人"),
                ("phone", "联系电话"),
                ("received_at", "来电时间"),
                ("mode", mode),
            ],
            &[("file", "12345.csv", export.as_bytes().to_vec())],
        )
        .await
}

/// Waits for an import job's page to show its result.
pub(crate) async fn finished_job(person: &Client, path: &str) -> Page {
    for _ in 0..100 {
        let page = person.get(path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        if !page.body.contains("http-equiv=\"refresh\"") {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import at {path} did not finish");
}

async fn hotline_orders_import_from_the_page_with_bad_rows_named(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let export = "工单编号,来电时间,诉求内容,诉求地址,诉求分类,联系人,联系电话
HZ20261122001,2026-11-22 08:10,东门路灯不亮,甲社区东门,路灯,李先生,13900001111
HZ20261122002,2026-11-22 08:45,楼道堆放杂物,甲社区5幢,乱堆物堆料,,
HZ20261122003,2026-11-22 09:02,,乙社区3幢,暴露垃圾,王女士,13900003333
";
    let intake = staff(&app, "intake").await;
    assert_eq!(intake.get("/import/hotline").await.status, 200);
    let before = app.count("case_file").await;
    let upload = |mode: &'static str| upload_work_orders(&intake, export, mode);
    let strict = upload("strict").await;
    assert_eq!(strict.status, 303, "{}", strict.body);
    let job = strict.location.clone().expect("the job's page");
    let result = finished_job(&intake, &job).await;
    assert!(
        result.body.contains("诉求内容"),
        "the bad cell's column is named"
    );
    assert!(result.body.contains(">4<"), "and its row: {}", result.body);
    assert_eq!(
        app.count("case_file").await,
        before,
        "nothing was half-imported"
    );

    let lenient = upload("skip").await;
    let result = finished_job(&intake, lenient.location.as_deref().expect("job")).await;
    assert!(result.body.contains("新导入2件"), "{}", result.body);
    assert_eq!(
        app.count("case_file").await,
        before + 2,
        "the good rows only"
    );
}

async fn grid_workers_record_visits_seen_within_reach(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let worker = staff(&app, "worker_a1").await;
    let page = worker.get("/visits").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("还没有走访记录"));
    let saved = worker
        .post_form(
            "/visits",
            &[
                ("kind", "care"),
                ("place", "5幢2单元301 张大爷"),
                ("note", "独居老人，身体尚好"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let listed = worker.get("/visits").await;
    assert!(listed.body.contains("5幢2单元301 张大爷") && listed.body.contains("重点人群关爱"));
    let problem = worker
        .post_form(
            "/visits",
            &[
                ("kind", "business"),
                ("place", "东门小吃店"),
                ("found_problem", "on"),
            ],
        )
        .await;
    assert_eq!(
        problem.location.as_deref(),
        Some("/report/grid"),
        "a problem found goes on to the report form"
    );
    let empty = worker
        .post_form("/visits", &[("kind", "household"), ("place", " ")])
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("走访对象"), "{}", empty.body);
    assert_eq!(
        app.count("visit").await,
        2,
        "the refused one changed nothing"
    );

    let community_a = staff(&app, "staff_a").await;
    let seen = community_a.get("/visits").await;
    assert!(
        seen.body.contains("东门小吃店"),
        "community staff see their grids' visits"
    );
    assert!(
        !seen.body.contains(r#"name="place""#),
        "only grid workers record"
    );
    let community_b = staff(&app, "staff_b").await;
    assert!(!community_b.get("/visits").await.body.contains("东门小吃店"));
    let intake = staff(&app, "intake").await;
    assert_eq!(intake.get("/visits").await.status, 403);
}

/// China Standard Time on a day of March 2026.
fn march(day: u32, hour: u32, minute: u32) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    jiedao_core::clock::CHINA
        .with_ymd_and_hms(2026, 3, day, hour, minute, 0)
        .single()
        .expect("time")
        .with_timezone(&chrono::Utc)
}

/// Issue 15: a case parked past its deadline outside working hours (litter, 2 working hours
/// from Friday 15:30, parked at 18:00) is red on its page and under the list's red filter, and
/// stays red when it resumes.
async fn a_case_parked_past_its_deadline_is_red_on_its_page_and_in_the_list(backend: Backend) {
    let Some(db) = jiedao_store::testing::TestDb::new(backend) else {
        return;
    };
    let clock = std::sync::Arc::new(jiedao_core::ManualClock::new(march(6, 15, 0)));
    let store = db.open(clock.clone()).await;
    jiedao_store::testing::load_fixture(&store).await;
    let app = TestApp::serve(db, store).await;
    let (id, _) = resident_reports(&app).await;
    let number = app
        .store
        .read(move |conn| jiedao_store::cases::projection::load(conn, id))
        .await
        .expect("read")
        .expect("case")
        .0
        .number;
    let squad = department(&app.store, fixture::DEPARTMENT).await;
    let intake = staff(&app, "intake").await;
    let file = [
        ("category", category(&app, "E0101").await),
        ("urgency", "normal".to_owned()),
        ("note", String::new()),
    ];
    let file: Vec<(&str, &str)> = file.iter().map(|(k, v)| (*k, v.as_str())).collect();
    act_ok(&intake, id, "file", &file, &[], "已立案").await;
    let dispatcher = staff(&app, "dispatcher").await;
    let dispatch = [("department", squad.as_str()), ("note", "")];
    act_ok(&dispatcher, id, "dispatch", &dispatch, &[], "已派遣").await;
    clock.set(march(6, 15, 30));
    let handler = staff(&app, "handler").await;
    act_ok(&handler, id, "accept", &[], &[], "处置中").await;
    clock.set(march(6, 18, 0));
    let park = [("reason", "等待产权单位答复")];
    act_ok(&handler, id, "park", &park, &[], "已挂账").await;
    clock.set(march(9, 10, 0));
    // Signed in again on Monday: Friday's sessions have run out.
    let dispatcher = staff(&app, "dispatcher").await;
    let page = dispatcher.get(&format!("/cases/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("红灯"), "the page shows red");
    assert!(!page.body.contains("黄灯"), "not yellow");
    let red = dispatcher.get("/cases?light=red").await;
    assert!(red.body.contains(&number), "listed under red");
    for other in ["yellow", "green", "unknown"] {
        let list = dispatcher.get(&format!("/cases?light={other}")).await;
        assert!(!list.body.contains(&number), "not listed under {other}");
    }
    let lead = staff(&app, "shiftlead").await;
    act_ok(&lead, id, "resume", &[("note", "")], &[], "处置中").await;
    let red = dispatcher.get("/cases?light=red").await;
    assert!(red.body.contains(&number), "still red after it resumes");
    // Its overrun counts working time since it resumed, not the weekend it stood parked.
    clock.set(march(9, 11, 30));
    let page = dispatcher.get(&format!("/cases/{id}")).await;
    assert!(page.body.contains("已超期 1.5 工作时"), "{}", page.body);
}

/// A report filed through the public page is shown in the history as by its reporter, in the
/// reader's language, never as the stored marker "reporter".
async fn the_history_names_the_reporter_in_the_readers_language(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (id, _) = resident_reports(&app).await;
    let intake = staff(&app, "intake").await;
    let page = intake.get(&format!("/cases/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("<span data-user>上报人（凭跟踪链接）</span>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(">reporter<"), "{}", page.body);
}

on_both_backends!(
    the_history_names_the_reporter_in_the_readers_language,
    a_case_parked_past_its_deadline_is_red_on_its_page_and_in_the_list,
    grid_workers_record_visits_seen_within_reach,
    hotline_orders_import_from_the_page_with_bad_rows_named,
    dispatchers_dispatch_ticked_cases_in_bulk,
    a_shift_lead_files_and_dispatches_in_one_step,
    the_map_draws_grids_and_pins,
    the_dashboard_counts_and_links_to_its_cases,
    filtered_lists_export_to_excel,
    a_resident_report_goes_through_every_step,
    side_paths_over_http,
    wrong_people_are_refused_and_nothing_changes,
    grid_workers_and_staff_report_from_their_pages,
    the_intake_api_is_authenticated_and_idempotent,
);
