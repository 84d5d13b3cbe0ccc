//! Phones first, in a real browser (issue 18's acceptance; run with `E2E=1` like the other
//! journeys): every page a resident or a grid worker reaches, walked from where they land, is
//! measured at 375×812 by a script over the page's own layout (no sideways overflow, no text
//! under 12 px, tap targets of 44 px); a grid worker reports and records a visit with the
//! network cut, sees the queue, and the forms are sent once the network returns; and the
//! gallery: a screenshot of every page at 375×812 and 1920×1080 in `target/gallery/`.
//!
//! Charts and maps are drawn as SVG by the widgets their own issue items rework (readable text
//! and 44 px pins there); the measure here leaves what is inside an `<svg>` to them.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use jiedao_store::Backend;
use serde_json::json;

use crate::browser::{Driver, PHONE, Person, WALL};
use crate::support::{TestApp, category};

/// The measure, run in the page: what breaks the phone rules, each as a line naming the
/// element. Inline links inside a sentence are exempt from the tap size, as WCAG 2.5.8's
/// inline exception says; hidden things are not measured.
const MEASURE: &str = r#"
const problems = [];
const width = window.innerWidth;
if (document.documentElement.scrollWidth > width + 1) {
  problems.push("overflows sideways: " + document.documentElement.scrollWidth + " > " + width);
}
const shown = (el) => {
  if (el.closest("[hidden], svg, details:not([open]) > :not(summary)")) { return false; }
  const style = getComputedStyle(el);
  if (style.display === "none" || style.visibility === "hidden") { return false; }
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
};
const name = (el) => el.tagName.toLowerCase() + (el.name ? "[name=" + el.name + "]" : "") +
  " \"" + (el.textContent || el.value || "").trim().slice(0, 24) + "\"";
for (const el of document.querySelectorAll("body *")) {
  const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim() !== "");
  if (!own || !shown(el)) { continue; }
  const size = parseFloat(getComputedStyle(el).fontSize);
  if (size < 12) { problems.push("text of " + size + " px: " + name(el)); }
  const box = el.getBoundingClientRect();
  if (box.right > width + 1) { problems.push("text past the edge (" + Math.round(box.right) + "): " + name(el)); }
}
for (const el of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")) {
  if (!shown(el) && !(el.type === "radio" || el.type === "checkbox")) { continue; }
  if (el.closest("[hidden], svg, details:not([open]) > :not(summary)")) { continue; }
  let target = el;
  if (el.type === "radio" || el.type === "checkbox") { target = el.closest("label") || el; }
  if (el.tagName === "A" && getComputedStyle(el).display === "inline") {
    const sentence = el.parentElement.textContent.trim();
    if (sentence.length > el.textContent.trim().length + 1) { continue; }
  }
  const box = target.getBoundingClientRect();
  if (box.width === 0 && box.height === 0) { continue; }
  if (box.height < 43.5 || box.width < 43.5) {
    problems.push("tap target " + Math.round(box.width) + "x" + Math.round(box.height) + ": " + name(el));
  }
}
return problems;
"#;

/// Same-site pages a page links to, one of each shape (a case, a grid…), as the crawl takes.
const LINKS: &str = r#"
return Array.from(document.querySelectorAll("a[href]"))
  .map((a) => a.getAttribute("href"))
  .filter((h) => h.startsWith("/") && !h.startsWith("//"));
"#;

fn crawlable(href: &str) -> bool {
    ![
        "/static/",
        "/lang/",
        "/logout",
        "/files/",
        "/open311/",
        "/api/",
        "/attachments/",
    ]
    .iter()
    .any(|skip| href.starts_with(skip))
        && ![".xlsx", ".docx", ".geojson", ".json", "/photos/", ".ico"]
            .iter()
            .any(|part| href.contains(part))
}

/// A page's shape: its path with ids and codes made alike, so one case stands for all.
fn shape(href: &str) -> String {
    let path = href.split(['?', '#']).next().unwrap_or(href);
    path.split('/')
        .map(|part| {
            if part.len() > 8 && part.chars().any(|c| c.is_ascii_digit()) {
                "·"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Walks from `start` through the pages `person` can reach (one of each shape, at most
/// `limit`), measuring each; returns what was visited and every problem found.
async fn walk(person: &Person, start: &[&str], limit: usize) -> (Vec<String>, Vec<String>) {
    let mut queue: Vec<String> = start.iter().map(|s| (*s).to_owned()).collect();
    let mut seen = BTreeSet::new();
    let mut visited = Vec::new();
    let mut problems = Vec::new();
    while let Some(href) = queue.first().cloned() {
        queue.remove(0);
        if visited.len() >= limit || !seen.insert(shape(&href)) {
            continue;
        }
        person.open(&href).await;
        visited.push(href.clone());
        let found = person
            .client
            .execute(MEASURE, Vec::new())
            .await
            .unwrap_or_default();
        for problem in found.as_array().into_iter().flatten() {
            problems.push(format!("{href}: {}", problem.as_str().unwrap_or_default()));
        }
        let links = person
            .client
            .execute(LINKS, Vec::new())
            .await
            .unwrap_or_default();
        for link in links.as_array().into_iter().flatten() {
            let link = link.as_str().unwrap_or_default().replace("&amp;", "&");
            if crawlable(&link) && !seen.contains(&shape(&link)) {
                queue.push(link);
            }
        }
    }
    (visited, problems)
}

#[tokio::test]
async fn every_page_residents_and_grid_workers_reach_fits_a_phone() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.expect("server");
    // Something in every list: a resident's report in grid A1, seen by its grid worker.
    let (_, follow) = crate::cases::resident_reports(&app).await;

    let visitor = driver.person(&app, "visitor", PHONE).await;
    let (mut visited, mut problems) = walk(&visitor, &["/", "/report", &follow], 10).await;
    let resident = driver.person(&app, "resident", PHONE).await;
    resident.log_in("resident_a").await;
    let (pages, found) = walk(&resident, &["/inbox", "/report"], 30).await;
    visited.extend(pages);
    problems.extend(found);
    let worker = driver.person(&app, "worker", PHONE).await;
    worker.log_in("worker_a1").await;
    let (pages, found) = walk(&worker, &["/inbox", "/report/grid", "/visits"], 60).await;
    visited.extend(pages);
    problems.extend(found);
    assert!(
        visited.len() > 20,
        "the walk reached few pages: {visited:?}"
    );
    assert!(
        problems.is_empty(),
        "{} problems on {} pages:\n{}",
        problems.len(),
        visited.len(),
        problems.join("\n")
    );
    for person in [visitor, resident, worker] {
        person.close().await;
    }
}

/// Waits (up to ten seconds) until `check` holds of the store.
async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never: {what}");
}

async fn network(person: &Person, offline: bool) {
    person.cdp("Network.enable", json!({})).await;
    person
        .cdp(
            "Network.emulateNetworkConditions",
            json!({
                "offline": offline, "latency": 0,
                "downloadThroughput": -1, "uploadThroughput": -1,
            }),
        )
        .await;
}

#[tokio::test]
async fn a_grid_worker_without_a_signal_keeps_working_and_the_forms_go_once_it_returns() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.expect("server");
    let worker = driver.person(&app, "worker", PHONE).await;
    worker.log_in("worker_a1").await;
    let litter = category(&app, "E0101").await;

    // The report form is open when the signal goes; the photo taken is 4000×3000.
    let photos = tempfile::tempdir().expect("dir");
    let big = photos.path().join("big.png");
    std::fs::write(&big, big_photo()).expect("photo");
    worker.open("/report/grid").await;
    worker.attach("input[name=photos]", &big).await;
    // The browser makes it smaller before anything is sent (on a busy machine this takes
    // seconds: wait for it rather than for a fixed time).
    worker
        .until(
            "photo shrunk",
            "var f = document.querySelector('form.report'); return !f.dataset.shrinking && document.querySelector('input[name=photos]').files.length === 1;",
        )
        .await;
    network(&worker, true).await;
    worker.choose("select[name=category]", &litter).await;
    worker
        .type_into(
            "textarea[name=description]",
            "地下通道里没有信号时记下的垃圾",
        )
        .await;
    worker.type_into("input[name=lon]", "120.105").await;
    worker.type_into("input[name=lat]", "30.2525").await;
    worker.click("form.report button[type=submit]").await;
    worker
        .sees("queued report", "手机上待发送的表单：1份")
        .await;
    worker.sees("queued report", "等待网络").await;
    assert_eq!(
        app.count("case_file").await,
        0,
        "nothing reached the server"
    );

    // The network returns: the report is sent, once, and the queue says so.
    network(&worker, false).await;
    let store = &app;
    until("the report arrives", async || {
        store.count("case_file").await == 1
    })
    .await;
    worker.sees("report sent", "已发送").await;

    // A visit too, on a page opened before the signal went again.
    worker.open("/visits").await;
    network(&worker, true).await;
    worker.type_into("input[name=place]", "幸福里3号").await;
    worker
        .click(r#"form[action="/visits"] button[type=submit]"#)
        .await;
    worker.sees("queued visit", "手机上待发送的表单：1份").await;
    assert_eq!(app.count("visit").await, 0);
    network(&worker, false).await;
    until("the visit arrives", async || {
        store.count("visit").await == 1
    })
    .await;
    worker.sees("visit sent", "已发送").await;

    // Opening another page sends nothing again.
    worker.open("/inbox").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.count("case_file").await, 1);
    assert_eq!(app.count("visit").await, 1);
    let shown = worker.text().await;
    assert!(
        !shown.contains("待发送的表单"),
        "the queue is empty: {shown}"
    );
    worker.close().await;

    // The photo arrived with the report, made smaller in the browser.
    let intake = crate::cases::staff(&app, "intake").await;
    let list = intake.get("/cases").await;
    let end = list.body.find(r#"" class="number">"#).expect("the case");
    let case = intake
        .get(&format!("/cases/{}", &list.body[end - 36..end]))
        .await;
    let marker = "/attachments/";
    let start = case.body.find(marker).expect("a photo") + marker.len();
    let id = &case.body[start..start + 36];
    let (status, _, bytes) = intake
        .download(&format!("/attachments/{id}/original"))
        .await;
    assert_eq!(status, 200);
    let sent = image::load_from_memory(&bytes).expect("an image");
    assert_eq!(
        (sent.width(), sent.height()),
        (2048, 1536),
        "shrunk to 2048 px on its longer side"
    );
}

/// A photo as a phone's camera takes it: 4000×3000.
fn big_photo() -> Vec<u8> {
    let image = image::RgbImage::from_fn(4000, 3000, |x, y| {
        let shade = |n: u32, m: u32| u8::try_from(n % m).unwrap_or(0);
        image::Rgb([shade(x, 251), shade(y, 241), shade(x + y, 239)])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("png");
    bytes.into_inner()
}

/// Where the gallery is written: `target/gallery/<width>x<height>/<name>.png`.
fn gallery_dir((width, height): (u32, u32)) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/gallery")
        .join(format!("{width}x{height}"))
}

/// The whole page as a PNG, past the bottom of the window.
async fn full_page(person: &Person) -> Vec<u8> {
    let shot = person
        .cdp(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true }),
        )
        .await;
    base64::engine::general_purpose::STANDARD
        .decode(shot["data"].as_str().unwrap_or_default())
        .expect("a PNG")
}

#[tokio::test]
async fn the_gallery_has_every_page_at_both_sizes() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.expect("server");
    let (id, follow) = crate::cases::resident_reports(&app).await;
    let case = format!("/cases/{id}");
    // Who sees which pages: each person's own, walked from where they land.
    let people: [(&str, Option<&str>, Vec<String>); 6] = [
        (
            "visitor",
            None,
            vec![
                "/".into(),
                "/report".into(),
                "/login".into(),
                follow.clone(),
            ],
        ),
        ("resident", Some("resident_a"), vec!["/inbox".into()]),
        (
            "worker",
            Some("worker_a1"),
            vec!["/inbox".into(), case.clone()],
        ),
        (
            "intake",
            Some("intake"),
            vec!["/inbox".into(), case.clone()],
        ),
        ("leader", Some("leader"), vec!["/inbox".into()]),
        ("admin", Some("admin"), vec!["/users".into()]),
    ];
    let mut written = 0;
    for size in [PHONE, WALL] {
        let dir = gallery_dir(size);
        std::fs::create_dir_all(&dir).expect("gallery folder");
        for (label, login, start) in &people {
            let person = driver.person(&app, label, size).await;
            if let Some(username) = login {
                person.log_in(username).await;
            }
            let starts: Vec<&str> = start.iter().map(String::as_str).collect();
            let (pages, _) = walk(&person, &starts, 25).await;
            for page in pages {
                person.open(&page).await;
                let name = format!("{label}{}", shape(&page).replace(['/', '·', '?', '='], "_"));
                std::fs::write(dir.join(format!("{name}.png")), full_page(&person).await)
                    .expect("a screenshot");
                // On the wall a case number stays on one line.
                if size == WALL && page == "/cases" {
                    let lines = person
                        .client
                        .execute(
                            "const a = document.querySelector('a.number'); \
                             return a ? a.getClientRects().length : 0;",
                            Vec::new(),
                        )
                        .await
                        .unwrap_or_default();
                    assert_eq!(lines, json!(1), "a case number wraps at 1920");
                }
                written += 1;
            }
            person.close().await;
        }
    }
    assert!(written > 40, "the gallery holds {written} pages");
    // The page itself says where it is, for a reviewer opening the folder.
    let index = gallery_dir(PHONE).join("../README.txt");
    std::fs::write(
        index,
        "Screenshots of every page each person reaches, at 375x812 (a phone) and 1920x1080\n\
         (a wall screen), written by `E2E=1 cargo test -p jiedao --test app phone_pages::`.\n",
    )
    .expect("readme");
}
