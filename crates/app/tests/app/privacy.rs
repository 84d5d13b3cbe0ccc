//! Personal data: a resident takes away everything held about them and erases it; the cases
//! they reported stay, anonymous.

use jiedao_store::testing::FIXTURE_PASSWORD;
use jiedao_store::{Backend, on_both_backends};

use crate::support::{TestApp, category};

async fn residents_take_their_data_away_and_erase_it_while_their_cases_stay(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let resident = app.client();
    resident.login("resident_a", FIXTURE_PASSWORD).await;
    resident.get("/report").await;
    let litter = category(&app, "E0101").await;
    let receipt = resident
        .post_multipart(
            "/report",
            &[
                ("category", &litter),
                ("description", "楼道里堆满了杂物"),
                ("lon", "120.105"),
                ("lat", "30.2525"),
                ("name", "王阿姨"),
                ("phone", "13900002222"),
            ],
            &[],
        )
        .await;
    crate::cases::receipt_of(&resident, receipt).await;
    let cases = app.count("case_file").await;

    let me = resident.get("/me").await;
    assert!(me.body.contains("下载我的个人信息"), "{}", me.body);
    let (status, content_type, bytes) = resident.download("/me/data.json").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/json"));
    let data: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(data["username"], "resident_a");
    assert_eq!(data["reports"][0]["description"], "楼道里堆满了杂物");
    assert_eq!(data["reports"][0]["phone"], "13900002222");

    let refused = resident
        .post_form("/me/erase", &[("password", "not-my-password")])
        .await;
    assert!(refused.body.contains("密码不正确"), "{}", refused.body);
    assert!(app.user_exists("resident_a").await, "nothing erased");

    let erased = resident
        .post_form("/me/erase", &[("password", FIXTURE_PASSWORD)])
        .await;
    assert_eq!(erased.status, 303);
    assert!(!app.user_exists("resident_a").await);
    assert_eq!(app.count("case_file").await, cases, "the case stays");
    let reporter = app
        .store
        .read(jiedao_store::testing::stored_reporters)
        .await
        .expect("reporter")
        .into_iter()
        .find(|reporter| reporter.description == "楼道里堆满了杂物")
        .expect("the case is still there");
    let (name, phone, anonymous) = (reporter.name, reporter.phone, reporter.anonymous);
    assert_eq!((name, phone, anonymous), (None, None, true));
    assert_eq!(resident.get("/me").await.status, 303, "signed out");
    let again = app.client();
    let login = again.login("resident_a", FIXTURE_PASSWORD).await;
    assert_ne!(login.status, 303, "the account is closed");
    let logged = app
        .audit_count(|record| ["personal.export", "personal.erase"].contains(&&*record.action))
        .await;
    assert_eq!(logged, 2, "the export and the erasure are in the audit log");
}

on_both_backends!(residents_take_their_data_away_and_erase_it_while_their_cases_stay);
