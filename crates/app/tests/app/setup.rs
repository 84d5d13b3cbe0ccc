//! Setting a street up beside a running server, as a new office does from the README and
//! `--help`: the `jiedao` program (a process of its own) adds, lists and removes units,
//! departments, clients and users in the operator's language, and the server takes each
//! change without a restart. Departments are listed by the API and named by an action by id,
//! code or name.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use jiedao::demo;
use jiedao_core::{OrgKind, Role};
use jiedao_store::cases::read::{self, CaseFilter};
use jiedao_store::testing::{TestDb, fixture};
use jiedao_store::{Backend, LoginOutcome, Principal, departments, on_both_backends, org, users};
use serde_json::{Value, json};

use crate::cases::{act_ok, receipt_number, receipt_of, resident_reports};
use crate::support::{Client, TestApp, case_id, category, photo};

const ZH: &str = "zh_CN.UTF-8";
const EN: &str = "en_US.UTF-8";

/// Asks `check` again, a tenth of a second apart, until it holds; a running server looks at
/// the database's reference mark every second.
async fn eventually<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the server never saw: {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A case reported through the API with a client token: its status and answer.
async fn report(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/cases", app.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("POST");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A token or password printed: what follows the last full-width colon of the line that
/// says `marker`.
fn printed_secret(output: &str, marker: &str) -> String {
    output
        .lines()
        .find(|line| line.contains(marker))
        .and_then(|line| line.rsplit('：').next())
        .expect("a secret")
        .trim()
        .to_owned()
}

/// A JSON call with a bearer token: its status and answer.
async fn call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Logs `newbie` in through the API with `password`: the status and the answer.
async fn log_in(app: &TestApp, password: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/login", app.base))
        .json(&json!({"username": "newbie", "password": password}))
        .send()
        .await
        .expect("login");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn signed_in(app: &TestApp, username: &str, password: &str) -> Client {
    let person = app.client();
    let page = person.login(username, password).await;
    assert_eq!(page.status, 303, "{username} logs in");
    person
}

async fn a_running_server_follows_the_command_line(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };

    // A client added beside the running server reports at once, told in Chinese by default.
    let (ok, out) = app
        .jiedao(
            ZH,
            &[
                "client",
                "add",
                "--name",
                "路口相机",
                "--street",
                fixture::STREET,
            ],
        )
        .await;
    assert!(ok, "{out}");
    assert!(out.contains("已创建接入系统“路口相机”"), "{out}");
    assert!(!out.contains("created") && !out.contains("token"), "{out}");
    let token = printed_secret(&out, "已创建接入系统");
    let (status, receipt) = report(
        &app,
        &token,
        json!({"description": "路口积水", "lon": 120.105, "lat": 30.2525}),
    )
    .await;
    assert_eq!(
        status, 201,
        "the new token works without a restart: {receipt}"
    );
    let (ok, out) = app.jiedao(EN, &["client", "list"]).await;
    assert!(ok && out.starts_with("name\tstreet"), "{out}");
    assert!(
        out.contains("路口相机\t测试街道\t") && out.contains("in use"),
        "{out}"
    );

    // Grids imported beside it: the server locates points in them within a second. The file
    // reports the area it covers once.
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("grid.geojson");
    let grid = "330106008001003";
    std::fs::write(
        &file,
        fixture::collection(&[fixture::square(
            grid,
            "甲社区第三网格",
            120.10,
            30.255,
            0.01,
        )]),
    )
    .expect("write");
    let (ok, out) = app
        .jiedao(ZH, &["import", "grids", file.to_str().expect("path")])
        .await;
    assert!(ok, "{out}");
    assert!(out.contains("新增1个单位，更新0个，覆盖面积共"), "{out}");
    let dispatcher = signed_in(&app, "dispatcher", jiedao_store::testing::FIXTURE_PASSWORD).await;
    eventually("the new grid", || async {
        dispatcher
            .get("/api/locate?lon=120.105&lat=30.2575")
            .await
            .body
            .contains(grid)
    })
    .await;
    let (ok, out) = app.jiedao(ZH, &["org", "list", "--kind", "grid"]).await;
    assert!(ok && out.starts_with("代码\t类型\t名称"), "{out}");
    assert!(
        out.contains(&format!("{grid}\t网格\t甲社区第三网格")),
        "{out}"
    );
    let (ok, out) = app.jiedao(ZH, &["org", "remove", fixture::GRID_A1]).await;
    assert!(!ok && out.contains("仍有在用的账号"), "{out}");
    let (ok, out) = app.jiedao(ZH, &["org", "remove", grid]).await;
    assert!(ok && out.contains(&format!("已撤销单位{grid}")), "{out}");
    eventually("the grid retired", || async {
        dispatcher
            .get("/api/locate?lon=120.105&lat=30.2575")
            .await
            .body
            .contains("\"grid\":null")
    })
    .await;

    // Users: one added logs in at once; a new password ends their sessions at once.
    let (ok, out) = app
        .jiedao(
            ZH,
            &[
                "user",
                "add",
                "--username",
                "newbie",
                "--name",
                "新来的受理员",
                "--role",
                "intake_operator",
                "--org",
                fixture::STREET,
            ],
        )
        .await;
    assert!(ok && out.contains("已创建用户newbie，密码："), "{out}");
    let (status, answer) = log_in(&app, &printed_secret(&out, "已创建用户")).await;
    assert_eq!(status, 200, "{answer}");
    let session = answer["token"].as_str().expect("token").to_owned();
    let cases = || call(&app, &session, reqwest::Method::GET, "/api/v1/cases", None);
    assert_eq!(cases().await.0, 200);
    let (ok, out) = app.jiedao(ZH, &["user", "passwd", "newbie"]).await;
    assert!(ok && out.contains("newbie的新密码："), "{out}");
    assert_eq!(cases().await.0, 401, "the old session ended");
    assert_eq!(log_in(&app, &printed_secret(&out, "新密码")).await.0, 200);

    // A client stopped beside the server is refused within a second.
    let (ok, out) = app.jiedao(ZH, &["client", "remove", "路口相机"]).await;
    assert!(ok && out.contains("已停用接入系统“路口相机”"), "{out}");
    eventually("the stopped client", || async {
        report(
            &app,
            &token,
            json!({"description": "再报一次", "lon": 120.105, "lat": 30.2525}),
        )
        .await
        .0 == 401
    })
    .await;
}

async fn departments_are_listed_and_named_by_id_code_or_name(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dispatcher = app.token("dispatcher").await;
    let intake = app.token("intake").await;
    let departments = || {
        call(
            &app,
            &dispatcher,
            reqwest::Method::GET,
            "/api/v1/departments",
            None,
        )
    };
    let filed = |id: jiedao_core::CaseId| {
        let path = format!("/api/v1/cases/{id}/actions/file");
        let intake = intake.clone();
        let app = &app;
        async move {
            let (status, body) =
                call(app, &intake, reqwest::Method::POST, &path, Some(json!({}))).await;
            assert_eq!(status, 200, "{body}");
        }
    };
    let dispatch = |id: jiedao_core::CaseId, department: &str| {
        let path = format!("/api/v1/cases/{id}/actions/dispatch");
        let body = json!({ "department": department });
        let (app, dispatcher) = (&app, dispatcher.clone());
        async move { call(app, &dispatcher, reqwest::Method::POST, &path, Some(body)).await }
    };

    // The API lists them with their codes and platforms.
    let (status, listed) = departments().await;
    assert_eq!(status, 200, "{listed}");
    let squad = listed
        .as_array()
        .expect("list")
        .iter()
        .find(|d| d["name"] == fixture::DEPARTMENT)
        .expect("the squad");
    assert_eq!(squad["code"], fixture::DEPARTMENT_CODE);
    assert_eq!(squad["platform_codes"], json!(["zj2021:jianguan"]));
    assert_eq!(squad["kind"], "stationed");

    // Dispatch names the department by code or name; the refusals say what was wrong.
    let (first, _) = resident_reports(&app).await;
    let (second, _) = resident_reports(&app).await;
    filed(first).await;
    filed(second).await;
    let (status, body) = dispatch(first, " ").await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("请填写处置部门"),
        "{body}"
    );
    let (status, body) = dispatch(first, "环卫所").await;
    assert_eq!(status, 422, "{body}");
    let message = body["message"].as_str().expect("message");
    assert!(
        message.contains("“环卫所”") && message.contains("/api/v1/departments"),
        "{message}"
    );
    let (status, body) = dispatch(first, fixture::DEPARTMENT_CODE).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["case"]["department"], fixture::DEPARTMENT);
    let (status, body) = dispatch(second, "平安办").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["case"]["department"], "平安办");

    // The command line: add with a code, list, platforms with their codes, remove.
    let (ok, out) = app
        .jiedao(
            ZH,
            &[
                "department",
                "add",
                "--street",
                fixture::STREET,
                "--name",
                "环卫所",
                "--code",
                "hws",
                "--platform",
                "zj2021:gonggong",
            ],
        )
        .await;
    assert!(ok && out.contains("已添加部门“环卫所”，id："), "{out}");
    let (ok, out) = app
        .jiedao(ZH, &["department", "list", "--street", fixture::STREET])
        .await;
    assert!(
        ok && out.starts_with("代码\t名称\t类型\t街道\t平台\tid"),
        "{out}"
    );
    assert!(
        out.contains("hws\t环卫所\t内设科室\t测试街道\tzj2021:gonggong\t"),
        "{out}"
    );
    assert!(out.contains("cgzd\t城管中队\t派驻机构"), "{out}");
    let (ok, out) = app.jiedao(ZH, &["platform", "list"]).await;
    assert!(ok && out.contains("平台组 zj2021（在用）"), "{out}");
    assert!(out.contains("zj2021:jianguan\t监管执法"), "{out}");
    let (ok, out) = app.jiedao(EN, &["platform", "list"]).await;
    assert!(
        ok && out.contains("zj2016:shichang\tMarket supervision"),
        "{out}"
    );
    // The categories, read-only, with the codes intake and Open311 take.
    let (ok, out) = app
        .jiedao(ZH, &["category", "list", "--under", "E01"])
        .await;
    assert!(
        ok && out.starts_with("代码\t名称\t紧急程度\t处置时限\t结案时限"),
        "{out}"
    );
    assert!(out.contains("E0101\t暴露垃圾\t"), "{out}");
    assert!(out.contains("\t2 工作时\t2 工作日\t"), "{out}");
    assert!(
        out.lines().skip(1).all(|line| line.starts_with("E01")),
        "{out}"
    );
    let (ok, out) = app.jiedao(EN, &["category", "list"]).await;
    assert!(ok && out.contains("E0101\tExposed litter\t"), "{out}");
    assert!(out.contains("B0101\t"), "every category: {out}");
    let admin = signed_in(&app, "admin", jiedao_store::testing::FIXTURE_PASSWORD).await;
    let page = admin.get("/admin/platforms").await;
    assert!(
        page.body.contains("zj2021:jianguan") && page.body.contains("zj2016:shichang"),
        "the platforms page shows the codes --platform takes"
    );
    let (status, body) = dispatch(second, "hws").await;
    assert_eq!(status, 409, "already dispatched: {body}");
    let (ok, out) = app
        .jiedao(
            ZH,
            &["department", "remove", "--street", fixture::STREET, "cgzd"],
        )
        .await;
    assert!(!ok && out.contains("仍有未办结的案件（1）"), "{out}");
    let (ok, out) = app
        .jiedao(
            ZH,
            &["department", "remove", "--street", fixture::STREET, "hws"],
        )
        .await;
    assert!(ok && out.contains("已停用部门“环卫所”"), "{out}");
    let (_, listed) = departments().await;
    assert!(
        !listed.to_string().contains("环卫所"),
        "a removed department is not offered: {listed}"
    );

    // A key that is one department's code and another's name names neither.
    let (ok, out) = app
        .jiedao(
            ZH,
            &[
                "department",
                "add",
                "--street",
                fixture::STREET,
                "--name",
                "cgzd",
            ],
        )
        .await;
    assert!(ok, "{out}");
    let (third, _) = resident_reports(&app).await;
    filed(third).await;
    let (status, body) = dispatch(third, "cgzd").await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"].as_str().expect("message").contains("id"),
        "{body}"
    );
}

/// The demo street on `backend`, built as `jiedao demo` builds it (with `days` of cases), and
/// served.
async fn demo_app(backend: Backend, days: i64) -> Option<(TestApp, tempfile::TempDir)> {
    let db = TestDb::new(backend)?;
    let settings = db.config();
    let dir = tempfile::tempdir().expect("dir");
    let mut config = jiedao::config::Config {
        database: settings.url.clone(),
        files: settings.files_dir.clone(),
        ..jiedao::config::Config::default()
    };
    config.store.pg_schema = settings.pg_schema.clone();
    config.store.data_key_file = Some(dir.path().join("demo.key"));
    demo::build(&config, days).await.expect("the demo");
    let store = jiedao::open_store(&config).await.expect("open");
    Some((TestApp::serve(db, store).await, dir))
}

async fn the_demo_has_people_everywhere_and_a_first_journey_goes_through(backend: Backend) {
    let Some((app, _key)) = demo_app(backend, 3).await else {
        return;
    };
    let scope = Principal::system("test").scope();
    let (units, all_departments, people) = app
        .store
        .read(move |conn| {
            Ok((
                org::list(conn, &scope, None)?,
                departments::list(conn, &scope)?,
                users::list(conn, &scope)?,
            ))
        })
        .await
        .expect("read");
    let names: HashSet<&str> = people.iter().map(|p| p.display_name.as_str()).collect();
    assert_eq!(names.len(), people.len(), "no two people share a name");
    // Its map reads as a map with no network: roads, buildings, water and lamps of its own.
    assert_eq!(app.count("base_layer").await, 4);
    let form = app.client().get("/report").await;
    assert_eq!(
        form.body.matches("/map/base/").count(),
        4,
        "the report form draws them"
    );
    for grid in units.iter().filter(|u| u.kind == OrgKind::Grid) {
        assert!(
            people
                .iter()
                .any(|p| p.role == Role::GridWorker && p.org_code == grid.code),
            "grid {} has its grid worker",
            grid.code
        );
    }
    for department in &all_departments {
        let community = department
            .community_id
            .and_then(|id| units.iter().find(|u| u.id == id));
        assert!(
            people.iter().any(|p| match community {
                Some(unit) => p.role == Role::CommunityStaff && p.org_code == unit.code,
                None => p.department_id == Some(department.id),
            }),
            "{} has its people",
            department.name
        );
    }

    // Every case's description names its category.
    let leader = match app.store.login("leader", demo::PASSWORD, None).await {
        Ok(LoginOutcome::LoggedIn(session)) => session.principal,
        other => panic!("leader: {other:?}"),
    };
    let now = app.store.now();
    let cases = app
        .store
        .read(move |conn| read::list(conn, &leader, &CaseFilter::default(), now, 10_000, 0))
        .await
        .expect("cases")
        .cases;
    assert!(!cases.is_empty());
    for case in &cases {
        let category = case.category.as_ref().expect("a category");
        assert!(
            case.description.contains(&category.name),
            "{} ({})",
            case.description,
            category.name
        );
    }

    // A first journey with the printed logins: a resident reports in the printed grid
    // worker's grid, and the case goes to follow-up without a 403.
    let grid = demo::gridworker_grid();
    let (lon, lat) = (120.0861, 30.3057);
    assert_eq!(
        app.store
            .locate(lon, lat)
            .await
            .expect("locate")
            .map(|g| g.code),
        Some(grid.clone()),
        "the point lies in the printed grid worker's grid"
    );
    let resident = signed_in(&app, "resident", demo::PASSWORD).await;
    resident.get("/report").await;
    let litter = category(&app, "E0101").await;
    let (lon, lat) = (lon.to_string(), lat.to_string());
    let receipt = resident
        .post_multipart(
            "/report",
            &[
                ("category", &litter),
                ("description", "楼下暴露垃圾"),
                ("lon", &lon),
                ("lat", &lat),
            ],
            &[],
        )
        .await;
    let receipt = receipt_of(&resident, receipt).await;
    let id = case_id(&app.store, &receipt_number(&receipt)).await;
    let intake = signed_in(&app, "intake", demo::PASSWORD).await;
    act_ok(
        &intake,
        id,
        "file",
        &[("category", &litter), ("urgency", "normal"), ("note", "")],
        &[],
        "已立案",
    )
    .await;
    let dispatcher = signed_in(&app, "dispatcher", demo::PASSWORD).await;
    act_ok(
        &dispatcher,
        id,
        "dispatch",
        &[("department", demo::HANDLER_DEPARTMENT), ("note", "")],
        &[],
        "已派遣",
    )
    .await;
    let handler = signed_in(&app, "handler", demo::PASSWORD).await;
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
    let worker = signed_in(&app, "gridworker", demo::PASSWORD).await;
    act_ok(
        &worker,
        id,
        "check",
        &[("passed", "yes"), ("note", "")],
        &[],
        "待结案",
    )
    .await;
    let lead = signed_in(&app, "shiftlead", demo::PASSWORD).await;
    act_ok(&lead, id, "close", &[("note", "")], &[], "已结案").await;
    act_ok(
        &intake,
        id,
        "follow_up",
        &[("satisfaction", "satisfied"), ("note", "")],
        &[],
        "已回访",
    )
    .await;
}

/// Every relative link of the README and the documentation leads to a file of the repository:
/// the domain reference is in it, not beside it.
#[test]
fn the_readme_points_at_the_domain_reference_in_the_repository() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    assert!(
        readme.contains("](docs/DOMAIN.md)"),
        "the README links the reference"
    );
    let mut documents = vec![root.join("README.md"), root.join("docs/laws/README.md")];
    for entry in std::fs::read_dir(root.join("docs")).expect("docs") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            documents.push(path);
        }
    }
    let mut broken = Vec::new();
    for document in &documents {
        let text = std::fs::read_to_string(document).expect("read");
        let folder = document.parent().expect("folder");
        for link in text
            .split("](")
            .skip(1)
            .filter_map(|rest| rest.split(')').next())
        {
            if !link.contains("://") && !link.starts_with('#') && !folder.join(link).exists() {
                broken.push(format!("{}: {link}", document.display()));
            }
        }
    }
    assert!(broken.is_empty(), "{broken:?}");
    // The laws the reference cites (`laws/NAME`) are beside it.
    let reference = std::fs::read_to_string(root.join("docs/DOMAIN.md")).expect("DOMAIN.md");
    let laws: Vec<String> = std::fs::read_dir(root.join("docs/laws"))
        .expect("laws")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    for cited in reference.split("laws/").skip(1) {
        let name: String = cited
            .chars()
            .take_while(|c| !matches!(c, '(' | ' ' | ')' | ':'))
            .collect();
        if !name.is_empty() {
            assert!(
                laws.iter().any(|law| law.starts_with(&name)),
                "DOMAIN.md cites laws/{name}, which is not in docs/laws"
            );
        }
    }
}

/// Every row of the 事项分类 page leads to a page: a leaf to its settings, a class (大类/小类) to
/// the list of what lies below it — never to 页面不存在.
async fn every_category_row_links_to_a_real_page(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let admin = crate::cases::staff(&app, "admin").await;
    let list = admin.get("/admin/categories").await;
    assert_eq!(list.status, 200);
    let links: Vec<String> = list
        .body
        .split("href=\"/admin/categories/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|code| format!("/admin/categories/{code}"))
        .collect();
    let classes = app
        .store
        .catalog()
        .all()
        .iter()
        .filter(|entry| !entry.is_leaf)
        .count();
    assert!(classes > 0 && links.len() > classes, "{links:?}");
    let mut listed_below = 0;
    for link in &links {
        let page = admin.get(link).await;
        assert_eq!(page.status, 200, "{link}: {}", page.body);
        if !page.body.contains("name=\"urgency\"") {
            // A class page: it lists (and links to) the categories below it, not itself.
            listed_below += 1;
            assert!(
                page.body.matches("href=\"/admin/categories/").count() > 0,
                "{link}"
            );
            assert!(!page.body.contains(&format!("href=\"{link}\"")), "{link}");
        }
    }
    assert_eq!(listed_below, classes, "each class has its own page");
}

on_both_backends!(
    every_category_row_links_to_a_real_page,
    a_running_server_follows_the_command_line,
    departments_are_listed_and_named_by_id_code_or_name,
    the_demo_has_people_everywhere_and_a_first_journey_goes_through,
);
