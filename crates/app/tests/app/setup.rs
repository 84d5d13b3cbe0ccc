//! Setting a street up beside a running server, as a new office does from the README and
//! `--help`: the `jiedao` program (a process of its own) adds, lists and removes units,
//! departments, clients and users in the operator's language, and the server takes each
//! change without a restart. Departments are listed by the API and named by an action by id,
//! code or name.

use std::time::{Duration, Instant};

use jiedao_store::testing::fixture;
use jiedao_store::{Backend, on_both_backends};
use serde_json::{Value, json};

use crate::cases::resident_reports;
use crate::support::{Client, TestApp};

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

async fn signed_in(app: &TestApp, username: &str) -> Client {
    let person = app.client();
    let page = person
        .login(username, jiedao_store::testing::FIXTURE_PASSWORD)
        .await;
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
    let dispatcher = signed_in(&app, "dispatcher").await;
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

on_both_backends!(
    a_running_server_follows_the_command_line,
    departments_are_listed_and_named_by_id_code_or_name,
);
