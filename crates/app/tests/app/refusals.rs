//! One refusal policy: each kind of refusal is answered with the same HTTP status by the
//! pages, the JSON API and Open311. Every row of the table provokes its kind through each face
//! that can meet it (Open311 neither acts on cases nor signs people in) and expects one status.

use std::sync::Arc;

use jiedao_core::SystemClock;
use jiedao_store::testing::{TestDb, fixture, load_fixture};
use jiedao_store::{Backend, on_both_backends};
use serde_json::json;

use crate::cases::{resident_reports, staff};
use crate::open311::resident_app_key;
use crate::support::{Client, TestApp, department};

/// The faces, in the order of a row's answers.
const FACES: [&str; 3] = ["page", "api", "open311"];

/// A kind of refusal, the status the policy gives it, and what each face answered (`None`
/// where the face cannot meet that kind).
struct Row {
    kind: &'static str,
    status: u16,
    answers: [Option<u16>; 3],
}

/// The status of an API call, with a bearer token if given.
async fn api(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> u16 {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", app.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    request.send().await.expect("API call").status().as_u16()
}

/// The status of an Open311 call: a GET, or a POST of the form.
async fn open311(app: &TestApp, path: &str, form: Option<&[(&str, &str)]>) -> u16 {
    let url = format!("{}/open311/v2/{path}", app.base);
    let http = reqwest::Client::new();
    let request = match form {
        Some(form) => http.post(url).form(form),
        None => http.get(url),
    };
    request
        .send()
        .await
        .expect("Open311 call")
        .status()
        .as_u16()
}

/// The status of an action form posted from the case page.
async fn act(person: &Client, case: &str, action: &str, fields: &[(&str, &str)]) -> u16 {
    let page = person.get(&format!("/cases/{case}")).await;
    assert_eq!(page.status, 200, "{action}: the case page opens");
    person
        .post_multipart(&format!("/cases/{case}/act/{action}"), fields, &[])
        .await
        .status
}

async fn every_face_answers_a_kind_of_refusal_with_one_status(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (case, _) = resident_reports(&app).await;
    let case = case.to_string();
    let nowhere = "0190b7a2-0000-7000-8000-000000000000";
    let key = resident_app_key(&app).await;
    let client_token = key.as_str();
    let department = department(&app.store, fixture::DEPARTMENT).await;
    let dispatch = [("department", department.as_str()), ("note", "")];
    let dispatch_json = json!({ "department": department }).to_string();
    let (dispatcher, worker, intake) = (
        staff(&app, "dispatcher").await,
        staff(&app, "worker_a1").await,
        staff(&app, "intake").await,
    );
    let (dispatcher_token, worker_token) =
        (app.token("dispatcher").await, app.token("worker_a1").await);
    let post = reqwest::Method::POST;
    // An intake client's report, as sent.
    let report_by_api = |body: &'static str| {
        let (app, post) = (&app, post.clone());
        async move { api(app, post, "/api/v1/cases", Some(client_token), Some(body)).await }
    };
    let dispatch_by_api = |token: String| {
        let (app, post) = (&app, post.clone());
        let path = format!("/api/v1/cases/{case}/actions/dispatch");
        let body = dispatch_json.clone();
        async move { api(app, post, &path, Some(&token), Some(&body)).await }
    };
    let get = reqwest::Method::GET;

    intake.get("/cases/new").await;
    let mut rows = vec![
        Row {
            kind: "malformed",
            status: 400,
            answers: [
                Some(
                    intake
                        .post_raw(
                            "/cases/new",
                            "multipart/form-data; boundary=XYZ",
                            "not a multipart body",
                        )
                        .await
                        .status,
                ),
                Some(report_by_api("{not json").await),
                Some(open311(&app, "requests.json?start_date=yesterday", None).await),
            ],
        },
        Row {
            kind: "unauthenticated",
            status: 401,
            answers: [
                Some(
                    app.client()
                        .login("leader", "not the password")
                        .await
                        .status,
                ),
                Some(api(&app, get.clone(), "/api/v1/cases", None, None).await),
                None,
            ],
        },
        Row {
            kind: "not permitted",
            status: 403,
            answers: [
                Some(act(&worker, &case, "dispatch", &dispatch).await),
                Some(dispatch_by_api(worker_token).await),
                // Posting is what an api_key permits (GeoReport v2 answers its lack with 403).
                Some(
                    open311(
                        &app,
                        "requests.json",
                        Some(&[("service_code", "E0101"), ("address_string", "路口")]),
                    )
                    .await,
                ),
            ],
        },
        Row {
            kind: "not found",
            status: 404,
            answers: [
                Some(dispatcher.get(&format!("/cases/{nowhere}")).await.status),
                Some(
                    api(
                        &app,
                        get.clone(),
                        &format!("/api/v1/cases/{nowhere}"),
                        Some(&dispatcher_token),
                        None,
                    )
                    .await,
                ),
                Some(open311(&app, "requests/19990101-00001.json", None).await),
            ],
        },
        Row {
            kind: "invalid",
            status: 422,
            answers: [
                Some(
                    intake
                        .post_multipart(
                            "/cases/new",
                            &[("channel", "hotline"), ("description", "  ")],
                            &[],
                        )
                        .await
                        .status,
                ),
                Some(report_by_api(r#"{"description":"  ","lon":120.105,"lat":30.2525}"#).await),
                // The cover's state must be one of the category's answers.
                Some(
                    open311(
                        &app,
                        "requests.json",
                        Some(&[
                            ("api_key", client_token),
                            ("service_code", "B0101"),
                            ("lat", "30.2525"),
                            ("long", "120.105"),
                            ("attribute[cover_state]", "flying"),
                        ]),
                    )
                    .await,
                ),
            ],
        },
        Row {
            kind: "conflict",
            status: 409,
            // A reported case is not yet filed, so not yet for dispatching.
            answers: [
                Some(act(&dispatcher, &case, "dispatch", &dispatch).await),
                Some(dispatch_by_api(dispatcher_token.clone()).await),
                None,
            ],
        },
    ];
    rows.push(too_many(backend).await);

    let mut disagreements = Vec::new();
    for row in &rows {
        for (face, answer) in FACES.iter().zip(row.answers) {
            if let Some(status) = answer.filter(|status| *status != row.status) {
                disagreements.push(format!(
                    "{} on the {face}: {status}, not {}",
                    row.kind, row.status
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

/// Too many: a server whose callers may make one API or Open311 request a minute, and a login
/// locked by wrong passwords.
async fn too_many(backend: Backend) -> Row {
    let db = TestDb::new(backend).expect("the same backend again");
    let store = db.open(Arc::new(SystemClock)).await;
    load_fixture(&store).await;
    let config = jiedao_web::WebConfig {
        api_per_minute: 1,
        ..jiedao_web::WebConfig::default()
    };
    let app = TestApp::serve_with(db, store, config).await;
    let person = app.client();
    let mut locked = 0;
    for _ in 0..5 {
        locked = person.login("leader", "not the password").await.status;
    }
    let dispatcher = app.token("dispatcher").await;
    let mut api_answer = 0;
    let mut open311_answer = 0;
    for _ in 0..2 {
        api_answer = api(
            &app,
            reqwest::Method::GET,
            "/api/v1/categories",
            Some(&dispatcher),
            None,
        )
        .await;
        open311_answer = open311(&app, "services.json", None).await;
    }
    Row {
        kind: "too many",
        status: 429,
        answers: [Some(locked), Some(api_answer), Some(open311_answer)],
    }
}

on_both_backends!(every_face_answers_a_kind_of_refusal_with_one_status);
