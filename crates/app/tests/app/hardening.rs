//! The defects found by attacking the running system as an outsider and as each role (issue
//! 16), each reproduced through HTTP: login CSRF and redirects, limits on what anyone may send,
//! image bombs, guessing passwords, the API's allowance, webhooks and personal data.

use jiedao_core::limits;
use jiedao_store::testing::FIXTURE_PASSWORD;
use jiedao_store::{Backend, on_both_backends};

use crate::cases::{resident_reports, staff};
use crate::support::{TestApp, category, photo, urlencode};

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
        assert_eq!(after.location.as_deref(), Some("/home"), "{next:?}");
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
    visitor.get("/report").await;
    let litter = category(&app, "E0101").await;
    let cases = app.count("case_file").await;
    let long_name = "名".repeat(limits::PERSON_NAME.max + 1);
    let huge = "x".repeat(100_000);
    for (name, description) in [
        (long_name.as_str(), "垃圾"),
        (huge.as_str(), "垃圾"),
        ("张三", huge.as_str()),
    ] {
        let refused = visitor
            .post_multipart(
                "/report",
                &[
                    ("category", &litter),
                    ("description", description),
                    ("lon", "120.105"),
                    ("lat", "30.2525"),
                    ("name", name),
                ],
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
    visitor.get("/report").await;
    let before = app.files_on_disk();
    let litter = category(&app, "E0101").await;
    let bomb = jiedao_store::testing::png_declaring(13_000, 13_000);
    let started = std::time::Instant::now();
    let refused = visitor
        .post_multipart(
            "/report",
            &[
                ("category", &litter),
                ("description", "垃圾"),
                ("lon", "120.105"),
                ("lat", "30.2525"),
            ],
            &[("photos", "bomb.png", bomb)],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("照片像素太多"), "{}", refused.body);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!(app.files_on_disk(), before);
}

on_both_backends!(
    login_needs_the_token_of_a_signed_out_visitor,
    login_sends_back_only_to_paths_of_this_site,
    photos_of_a_refused_report_are_not_kept,
    every_text_field_has_a_limit,
    public_forms_are_limited_per_address,
    image_bombs_are_refused_by_their_header,
);
