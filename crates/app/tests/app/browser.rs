//! Browser journeys in a real headless Chromium (Debian's `chromium` and `chromium-driver`):
//! one case from a resident's phone to the resident's rating, each step done by the person
//! whose job it is on the pages they use, each asserting what that person sees. A failing step
//! saves a screenshot under `.e2e-screenshots/` (CI keeps them).
//!
//! They run when `E2E=1` (`.ci/run` installs the browser and sets it); otherwise they are
//! skipped with a note, so `cargo test` passes on a machine without a browser.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use jiedao_store::Backend;
use jiedao_store::testing::{FIXTURE_PASSWORD, fixture};
use serde_json::json;

use crate::support::{TestApp, case_id, category, department, photo};

/// A phone held upright, and a desk screen.
const PHONE: (u32, u32) = (375, 812);
const DESK: (u32, u32) = (1280, 900);

/// chromedriver, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Starts chromedriver when the journeys are asked for (`E2E=1`).
    async fn start() -> Option<Driver> {
        if std::env::var("E2E").as_deref() != Ok("1") {
            eprintln!("E2E is not 1: skipping the browser journeys");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Driver {
            child: Command::new("chromedriver")
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("E2E=1 but chromedriver does not start (apt-get install chromium-driver)"),
            url: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Some(driver);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not listen on {}", driver.url);
    }

    /// A new browser window of its own (its own cookies) for one person.
    async fn person(
        &self,
        app: &TestApp,
        name: &'static str,
        (width, height): (u32, u32),
    ) -> Person {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    format!("--window-size={width},{height}"),
                    "--lang=zh-CN",
                ],
                // What a browser in China sends: the pages answer in Chinese.
                "prefs": { "intl.accept_languages": "zh-CN,zh" },
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a browser session");
        Person {
            client,
            base: app.base.clone(),
            name,
        }
    }
}

/// One person at their browser.
struct Person {
    client: Client,
    base: String,
    name: &'static str,
}

impl Person {
    /// Saves a screenshot and fails the test, naming the person and the step.
    async fn fail(&self, step: &str, why: impl std::fmt::Display) -> ! {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.e2e-screenshots");
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join(format!(
            "{}-{}.png",
            self.name,
            step.replace([' ', '/'], "_")
        ));
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(&file, png);
        }
        let url = self.client.current_url().await.map(|u| u.to_string());
        panic!(
            "{} at {step}: {why} (page {url:?}; screenshot {})",
            self.name,
            file.display()
        );
    }

    async fn open(&self, path: &str) {
        if let Err(error) = self.client.goto(&format!("{}{path}", self.base)).await {
            self.fail(path, error).await;
        }
    }

    /// The text the person sees on the page.
    async fn text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Waits (up to five seconds) until the page shows `text`.
    async fn sees(&self, step: &str, text: &str) {
        for _ in 0..50 {
            if self.text().await.contains(text) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.fail(step, format!("the page does not show {text:?}"))
            .await;
    }

    async fn type_into(&self, css: &str, value: &str) {
        let done = async {
            let field = self.client.find(Locator::Css(css)).await?;
            field.clear().await?;
            field.send_keys(value).await
        };
        if let Err(error) = done.await {
            self.fail(css, error).await;
        }
    }

    async fn choose(&self, css: &str, value: &str) {
        let done = async {
            self.client
                .find(Locator::Css(css))
                .await?
                .select_by_value(value)
                .await
        };
        if let Err(error) = done.await {
            self.fail(css, error).await;
        }
    }

    /// The current value of a form field.
    async fn value(&self, css: &str) -> String {
        let element = match self.client.find(Locator::Css(css)).await {
            Ok(element) => element,
            Err(error) => self.fail(css, error).await,
        };
        element
            .prop("value")
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    async fn click(&self, css: &str) {
        let done = async { self.client.find(Locator::Css(css)).await?.click().await };
        if let Err(error) = done.await {
            self.fail(css, error).await;
        }
    }

    async fn attach(&self, css: &str, file: &std::path::Path) {
        let path = file.display().to_string();
        self.type_into(css, &path).await;
    }

    async fn log_in(&self, username: &str) {
        self.open("/login").await;
        self.type_into("input[name=username]", username).await;
        self.type_into("input[name=password]", FIXTURE_PASSWORD)
            .await;
        self.click("form button[type=submit]").await;
        self.sees("login", "退出").await;
    }

    /// Submits the action form `kind` on the open case page; waits for the new state.
    async fn act(&self, kind: &str, fill: &[(&str, &str)], state: &str) {
        let form = format!(r#"form[action*="/act/{kind}?"]"#);
        for (field, value) in fill {
            let css = format!("{form} [name={field}]");
            let (tag, kind) = match self.client.find(Locator::Css(&css)).await {
                Ok(element) => (
                    element.tag_name().await.unwrap_or_default(),
                    element
                        .attr("type")
                        .await
                        .ok()
                        .flatten()
                        .unwrap_or_default(),
                ),
                Err(error) => self.fail(kind, error).await,
            };
            match (tag.as_str(), kind.as_str()) {
                ("select", _) => self.choose(&css, value).await,
                (_, "file") => self.attach(&css, std::path::Path::new(value)).await,
                (_, "radio") => self.click(&format!(r#"{css}[value="{value}"]"#)).await,
                _ => self.type_into(&css, value).await,
            }
        }
        self.click(&format!("{form} button[type=submit]")).await;
        self.sees(kind, state).await;
    }

    /// The value of the headline figure labelled `label` on the dashboard.
    async fn figure(&self, label: &str) -> String {
        self.open("/dashboard").await;
        let figures = self
            .client
            .find_all(Locator::Css("a.figure"))
            .await
            .unwrap_or_default();
        for figure in figures {
            let text = figure.text().await.unwrap_or_default();
            if let Some(value) = text.strip_suffix(label) {
                return value.trim().to_owned();
            }
        }
        self.fail("dashboard", format!("no figure {label:?}")).await;
    }

    async fn close(self) {
        let _ = self.client.close().await;
    }
}

#[tokio::test]
async fn a_case_from_a_residents_phone_to_the_rating() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.expect("server");
    let photos = tempfile::tempdir().expect("dir");
    let (before, after) = (
        photos.path().join("before.png"),
        photos.path().join("after.png"),
    );
    std::fs::write(&before, photo()).expect("photo");
    std::fs::write(&after, photo()).expect("photo");

    let leader = driver.person(&app, "leader", DESK).await;
    leader.log_in("leader").await;
    assert_eq!(leader.figure("今日受理").await, "0");
    assert_eq!(leader.figure("满意率").await, "—");

    // A resident reports from the phone, with a photo and the place.
    let resident = driver.person(&app, "resident", PHONE).await;
    resident.open("/report").await;
    resident.sees("report form", "我要上报").await;
    // Searching the categories picks a match; tapping the map fills the place.
    resident.type_into("#category-search", "垃圾").await;
    let picked = resident.value("#category").await;
    assert!(!picked.is_empty(), "the search picked a category");
    resident.click("#pick-map").await;
    let tapped: f64 = resident.value("#lon").await.parse().unwrap_or(0.0);
    assert!(
        (120.10..=120.14).contains(&tapped),
        "tapping the map fills the longitude: {tapped}"
    );
    resident
        .choose("select[name=category]", &category(&app, "E0101").await)
        .await;
    resident
        .type_into("textarea[name=description]", "小区门口堆了垃圾")
        .await;
    resident.attach("input[name=photos]", &before).await;
    resident.type_into("input[name=lon]", "120.105").await;
    resident.type_into("input[name=lat]", "30.2525").await;
    resident.type_into("input[name=phone]", "13800001234").await;
    resident.click("form.report button[type=submit]").await;
    resident.sees("receipt", "已收到您的上报").await;
    let number = match resident.client.find(Locator::Css("dd.mono")).await {
        Ok(element) => element.text().await.unwrap_or_default(),
        Err(error) => resident.fail("receipt number", error).await,
    };
    let follow = match resident.client.find(Locator::Css(".follow-link")).await {
        Ok(element) => element.text().await.unwrap_or_default(),
        Err(error) => resident.fail("follow link", error).await,
    };
    let case = format!("/cases/{}", case_id(&app.store, &number).await);

    // The command centre files it and dispatches it.
    let intake = driver.person(&app, "intake", DESK).await;
    intake.log_in("intake").await;
    intake.open(&case).await;
    intake.sees("case page", "待受理").await;
    intake.sees("case page", "小区门口堆了垃圾").await;
    intake
        .act(
            "file",
            &[
                ("category", &category(&app, "E0101").await),
                ("note", "属实"),
            ],
            "已立案",
        )
        .await;
    let dispatcher = driver.person(&app, "dispatcher", DESK).await;
    dispatcher.log_in("dispatcher").await;
    dispatcher.open(&case).await;
    let squad = department(&app.store, fixture::DEPARTMENT).await;
    dispatcher
        .act("dispatch", &[("department", &squad)], "已派遣")
        .await;

    // The department accepts it and reports it done with an after-photo.
    let handler = driver.person(&app, "handler", DESK).await;
    handler.log_in("handler").await;
    handler.open("/inbox").await;
    handler.sees("inbox", &number).await;
    handler.open(&case).await;
    handler.act("accept", &[], "处置中").await;
    let after_path = after.display().to_string();
    handler
        .act(
            "report_done",
            &[("note", "已清运"), ("photos", &after_path)],
            "待核查",
        )
        .await;

    // The grid worker checks it on site; the shift lead closes it.
    let worker = driver.person(&app, "worker", PHONE).await;
    worker.log_in("worker_a1").await;
    worker.open(&case).await;
    worker.act("check", &[("passed", "yes")], "待结案").await;
    let lead = driver.person(&app, "shiftlead", DESK).await;
    lead.log_in("shiftlead").await;
    lead.open(&case).await;
    lead.act("close", &[], "已结案").await;

    // The resident sees it closed, with no names, and rates it.
    resident.open(&follow).await;
    resident.sees("follow page", "请评价处理结果").await;
    let shown = resident.text().await;
    assert!(
        !shown.contains("13800001234"),
        "the public page names no one"
    );
    resident
        .click(r#"input[name=satisfaction][value=satisfied]"#)
        .await;
    resident
        .click(r#"form[action*="follow_up"] button[type=submit]"#)
        .await;
    resident.sees("rated", "已回访").await;

    // The dashboard counts it.
    assert_eq!(leader.figure("今日受理").await, "1");
    assert_eq!(leader.figure("满意率").await, "100.00%");
    assert_eq!(leader.figure("在办案件").await, "0");

    for person in [leader, resident, intake, dispatcher, handler, worker, lead] {
        person.close().await;
    }
}

impl Person {
    /// Opens the dispute action `action`'s form on the open dispute page, fills it, submits it
    /// and waits for `shown`.
    async fn mediate(&self, action: &str, fill: &[(&str, &str)], shown: &str) {
        let form = format!(r#"form:has(input[name=action][value="{action}"])"#);
        self.click(&format!(
            r#"details:has(input[name=action][value="{action}"]) > summary"#
        ))
        .await;
        for (field, value) in fill {
            let css = format!("{form} [name={field}]");
            let (tag, kind) = match self.client.find(Locator::Css(&css)).await {
                Ok(element) => (
                    element.tag_name().await.unwrap_or_default(),
                    element
                        .attr("type")
                        .await
                        .ok()
                        .flatten()
                        .unwrap_or_default(),
                ),
                Err(error) => self.fail(action, error).await,
            };
            match (tag.as_str(), kind.as_str()) {
                ("select", _) => self.choose(&css, value).await,
                // A date field takes what its locale displays, not ISO text: set its value.
                (_, "date") => {
                    let set = self
                        .client
                        .execute(
                            "document.querySelector(arguments[0]).value = arguments[1];",
                            vec![json!(css), json!(value)],
                        )
                        .await;
                    if let Err(error) = set {
                        self.fail(action, error).await;
                    }
                }
                _ => self.type_into(&css, value).await,
            }
        }
        self.click(&format!("{form} button[type=submit]")).await;
        self.sees(action, shown).await;
    }
}

#[tokio::test]
async fn a_dispute_from_the_desk_form_to_a_closed_agreement_on_a_phone() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.expect("server");
    let today = jiedao_core::clock::business_date(app.store.now()).to_string();
    let staff = driver.person(&app, "staff_a", PHONE).await;
    staff.log_in("staff_a").await;
    staff.open("/disputes").await;
    staff.sees("ledger", "矛盾纠纷调解").await;
    staff.click("details > summary").await;
    for (field, value) in [
        ("place", fixture::COMMUNITY_A),
        ("facts", "楼道堆物引发邻里争执"),
        ("points", "堆物清理与损失赔偿"),
        ("amount", "800"),
        ("applicant_name", "冯甲"),
        (
            "applicant_document",
            &jiedao_core::registry::sample::id_number(
                "330106",
                chrono::NaiveDate::from_ymd_opt(1980, 2, 2).expect("date"),
                501,
            ),
        ),
        ("respondent_name", "陈乙"),
        (
            "respondent_document",
            &jiedao_core::registry::sample::id_number(
                "330106",
                chrono::NaiveDate::from_ymd_opt(1981, 3, 3).expect("date"),
                502,
            ),
        ),
    ] {
        staff
            .type_into(
                &format!(r#"form[method=post][action="/disputes"] [name={field}]"#),
                value,
            )
            .await;
    }
    staff
        .click(r#"form[method=post][action="/disputes"] button[type=submit]"#)
        .await;
    staff.sees("registered", "冯甲").await;
    staff.sees("its state", "已登记").await;
    staff
        .mediate(
            "assign",
            &[("mediators", "孙老娘舅"), ("mediator_kind", "volunteer")],
            "调解中",
        )
        .await;
    staff
        .mediate(
            "session",
            &[
                ("place", "甲社区调解室"),
                ("present", "冯甲、陈乙"),
                ("record", "双方同意清理堆物"),
            ],
            "双方同意清理堆物",
        )
        .await;
    staff
        .mediate(
            "agree",
            &[
                ("responsibilities", "陈乙负责清理"),
                ("term1_text", "陈乙三日内清理楼道堆物"),
                ("term1_manner", "自行清理"),
                ("term1_due", &today),
            ],
            "已达成协议",
        )
        .await;
    staff.sees("window", "司法确认申请期限").await;
    staff
        .mediate("perform", &[("performance", "done")], "已结案")
        .await;
    staff.sees("performed", "按期履行").await;
    staff.close().await;
}
