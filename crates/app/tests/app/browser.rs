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

/// A phone held upright, a desk screen and the command centre's wall.
pub(crate) const PHONE: (u32, u32) = (375, 812);
const DESK: (u32, u32) = (1280, 900);
pub(crate) const WALL: (u32, u32) = (1920, 1080);

/// chromedriver, stopped when dropped.
pub(crate) struct Driver {
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
    pub(crate) async fn start() -> Option<Driver> {
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

    /// A new browser window of its own (its own cookies) for one person; a phone-sized one
    /// is a phone to the page too (touch, a mobile viewport, exactly 375×812 CSS pixels).
    pub(crate) async fn person(
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
        let person = Person {
            client,
            base: app.base.clone(),
            name,
            driver: self.url.clone(),
        };
        person
            .cdp(
                "Emulation.setDeviceMetricsOverride",
                json!({
                    "width": width, "height": height, "deviceScaleFactor": 1,
                    "mobile": (width, height) == PHONE,
                }),
            )
            .await;
        person
    }
}

/// One person at their browser.
pub(crate) struct Person {
    pub(crate) client: Client,
    base: String,
    name: &'static str,
    /// chromedriver's address, for the DevTools commands WebDriver has no word for.
    driver: String,
}

impl Person {
    /// Runs a Chrome DevTools Protocol command in this person's browser (through
    /// chromedriver's `goog/cdp/execute`) and returns its result.
    pub(crate) async fn cdp(&self, command: &str, params: serde_json::Value) -> serde_json::Value {
        let session = self
            .client
            .session_id()
            .await
            .ok()
            .flatten()
            .expect("a WebDriver session");
        let answer = reqwest::Client::new()
            .post(format!(
                "{}/session/{session}/goog/cdp/execute",
                self.driver
            ))
            .json(&json!({ "cmd": command, "params": params }))
            .send()
            .await
            .expect("chromedriver answers");
        let body: serde_json::Value = answer.json().await.expect("json");
        assert!(body["value"].get("error").is_none(), "{command}: {body}");
        body["value"].clone()
    }

    /// Saves a screenshot and fails the test, naming the person and the step.
    pub(crate) async fn fail(&self, step: &str, why: impl std::fmt::Display) -> ! {
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

    pub(crate) async fn open(&self, path: &str) {
        if let Err(error) = self.client.goto(&format!("{}{path}", self.base)).await {
            self.fail(path, error).await;
        }
    }

    /// The text the person sees on the page.
    pub(crate) async fn text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Waits (up to five seconds) until the page shows `text`.
    pub(crate) async fn sees(&self, step: &str, text: &str) {
        for _ in 0..50 {
            if self.text().await.contains(text) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.fail(step, format!("the page does not show {text:?}"))
            .await;
    }

    pub(crate) async fn type_into(&self, css: &str, value: &str) {
        let done = async {
            let field = self.client.find(Locator::Css(css)).await?;
            field.clear().await?;
            field.send_keys(value).await
        };
        if let Err(error) = done.await {
            self.fail(css, error).await;
        }
    }

    pub(crate) async fn choose(&self, css: &str, value: &str) {
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
    pub(crate) async fn value(&self, css: &str) -> String {
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

    pub(crate) async fn click(&self, css: &str) {
        let done = async { self.client.find(Locator::Css(css)).await?.click().await };
        if let Err(error) = done.await {
            self.fail(css, error).await;
        }
    }

    pub(crate) async fn attach(&self, css: &str, file: &std::path::Path) {
        let path = file.display().to_string();
        self.type_into(css, &path).await;
    }

    pub(crate) async fn log_in(&self, username: &str) {
        self.open("/login").await;
        self.type_into("input[name=username]", username).await;
        self.type_into("input[name=password]", FIXTURE_PASSWORD)
            .await;
        self.click("form button[type=submit]").await;
        self.sees("login", "退出").await;
    }

    /// Submits the action form `kind` on the open case page; waits for the new state.
    async fn act(&self, kind: &str, fill: &[(&str, &str)], state: &str) {
        let form = format!(r#"form[action$="/act/{kind}"]"#);
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

    /// Runs `script` in the page (its last statement returns the answer).
    async fn script(&self, step: &str, script: &str) -> serde_json::Value {
        match self.client.execute(script, Vec::new()).await {
            Ok(answer) => answer,
            Err(error) => self.fail(step, error).await,
        }
    }

    /// Waits (up to ten seconds) until `script` answers `true`.
    pub(crate) async fn until(&self, step: &str, script: &str) {
        for _ in 0..100 {
            if self.script(step, script).await == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.fail(step, format!("never true: {script}")).await;
    }

    pub(crate) async fn close(self) {
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
    resident.click("#map").await;
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
    // The page shows the link whole, with this site's address; the journey opens its path.
    let follow = follow[follow.find("/follow/").unwrap_or(0)..].to_owned();
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
    resident.sees("rated", "谢谢您的评价").await;

    // The dashboard counts it.
    assert_eq!(leader.figure("今日受理").await, "1");
    assert_eq!(leader.figure("满意率").await, "100.00%");
    assert_eq!(leader.figure("在办案件").await, "0");

    for person in [leader, resident, intake, dispatcher, handler, worker, lead] {
        person.close().await;
    }
}

/// A map people can read (issue 18): Leaflet draws the office's base layer under the grids and
/// the case's pin, a pin large enough to tap; on the report form a tap outside every grid is
/// told at once, a tap inside names the grid; the follow page shows the place.
#[tokio::test]
async fn maps_draw_the_base_layer_and_pins_and_the_report_form_tells_a_place_outside_every_grid() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.expect("server");
    let system = jiedao_store::Principal::system("test");
    let roads = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"name":"湖滨路"},"geometry":{"type":"LineString","coordinates":[[120.095,30.255],[120.125,30.255]]}}]}"#;
    app.store
        .add_base_layer(
            &system.scope(),
            system.actor(None),
            jiedao_store::base_layers::NewLayer {
                name: "道路".into(),
                kind: jiedao_store::base_layers::LayerKind::Roads,
                text: roads.into(),
            },
        )
        .await
        .expect("a base layer");
    let (_, follow) = crate::cases::resident_reports(&app).await;

    let leader = driver.person(&app, "leader", DESK).await;
    leader.log_in("leader").await;
    leader.open("/map").await;
    leader
        .until(
            "base layer drawn",
            r#"return document.getElementById("map").dataset.ready === "true";"#,
        )
        .await;
    let drawn = leader
        .script(
            "map drawn",
            r#"var pin = document.querySelector(".leaflet-marker-icon.map-pin");
               var box = pin ? pin.getBoundingClientRect() : { width: 0, height: 0 };
               return { roads: document.querySelectorAll(".leaflet-base-pane path").length,
                        grids: document.querySelectorAll(".leaflet-overlay-pane path").length,
                        pin: [box.width, box.height],
                        search: !!document.querySelector(".map-search input") };"#,
        )
        .await;
    assert_eq!(drawn["roads"], 2, "the road and its casing: {drawn}");
    assert!(drawn["grids"].as_u64().unwrap_or(0) >= 4, "{drawn}");
    assert!(drawn["pin"][0].as_f64().unwrap_or(0.0) >= 44.0, "{drawn}");
    assert!(drawn["pin"][1].as_f64().unwrap_or(0.0) >= 44.0, "{drawn}");
    assert_eq!(drawn["search"], true);
    leader.type_into(".map-search input", "湖滨").await;
    leader.sees("search", "湖滨路").await;

    let resident = driver.person(&app, "resident", PHONE).await;
    resident.open("/report").await;
    resident.sees("report form", "我要上报").await;
    // The bottom-left corner lies beyond the grids (the map is fitted to them with a margin).
    let tap = |x: &str, y: &str| {
        format!(
            r#"var map = document.getElementById("map"); map.scrollIntoView();
               var r = map.getBoundingClientRect(); var x = {x}, y = {y};
               document.elementFromPoint(x, y).dispatchEvent(new MouseEvent("click", {{ clientX: x, clientY: y, bubbles: true }}));
               return document.querySelector(".map-status").textContent;"#
        )
    };
    let outside = resident
        .script("tap outside", &tap("r.left + 4", "r.bottom - 4"))
        .await;
    assert!(
        outside
            .as_str()
            .unwrap_or_default()
            .contains("不在任何网格内"),
        "{outside}"
    );
    let inside = resident
        .script(
            "tap inside",
            // A quarter into the first grid, clear of the map's centre where the first tap's
            // marker and the grids' labels sit.
            &tap(
                "(function () { var g = document.querySelector('.leaflet-overlay-pane path').getBoundingClientRect(); return g.left + g.width / 4; })()",
                "(function () { var g = document.querySelector('.leaflet-overlay-pane path').getBoundingClientRect(); return g.top + g.height / 2; })()",
            ),
        )
        .await;
    assert!(
        inside.as_str().unwrap_or_default().contains("已选"),
        "{inside}"
    );
    assert!(
        inside.as_str().unwrap_or_default().contains("网格"),
        "{inside}"
    );
    let lon: f64 = resident.value("#lon").await.parse().unwrap_or(0.0);
    assert!(
        (120.09..=120.13).contains(&lon),
        "the tap fills the place: {lon}"
    );

    resident.open(&follow).await;
    resident
        .until(
            "follow map",
            r##"return !!document.querySelector("#map .leaflet-marker-icon.map-pin.chosen");"##,
        )
        .await;
    leader.close().await;
    resident.close().await;
}

/// The command centre's 4K wall screen.
const WALL_4K: (u32, u32) = (3840, 2160);

#[tokio::test]
async fn the_wall_shows_a_case_taken_in_without_a_reload() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.expect("server");
    let wall = driver.person(&app, "wall", WALL).await;
    wall.log_in("shiftlead").await;
    wall.open("/wall").await;
    wall.sees("wall", "今日暂无受理").await;
    // Mark this page: a reload would lose the mark.
    wall.script("wall screen", "window.jiedaoMark = 'kept'; return null;")
        .await;

    let (id, _) = crate::cases::resident_reports(&app).await;
    // The case's number, as staff read it on its page's title (`number · state`).
    let staff = app.client();
    staff.login("shiftlead", FIXTURE_PASSWORD).await;
    let page = staff.get(&format!("/cases/{id}")).await.body;
    let number = page
        .split("<title data-user>")
        .nth(1)
        .and_then(|title| title.split(' ').next())
        .expect("the case's title")
        .to_owned();
    for _ in 0..100 {
        if wall.text().await.contains(&number) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wall.sees("the new case rolls in", &number).await;
    wall.sees("by channel", "居民上报").await;
    let kept = wall
        .script("wall screen", "return window.jiedaoMark || null;")
        .await;
    assert_eq!(kept, json!("kept"), "the wall was not reloaded");
    let updates = wall
        .script(
            "wall screen",
            "return document.getElementById('live').getAttribute('data-updates');",
        )
        .await;
    assert_ne!(updates, serde_json::Value::Null, "an event was swapped in");

    // Laid out for the wall: nothing runs off the side, at 1920 and at 3840.
    let fits = "return document.documentElement.scrollWidth <= window.innerWidth;";
    assert_eq!(
        wall.script("wall screen", fits).await,
        json!(true),
        "1920x1080"
    );
    let big = driver.person(&app, "wall4k", WALL_4K).await;
    big.log_in("shiftlead").await;
    big.open("/wall").await;
    big.sees("4k wall", &number).await;
    // The live map beside the figures draws the open case's pin.
    big.until(
        "wall map",
        r##"return document.querySelectorAll("#wall-map .leaflet-marker-icon").length > 0;"##,
    )
    .await;
    assert_eq!(
        big.script("wall screen", fits).await,
        json!(true),
        "3840x2160"
    );
    let root = big
        .script(
            "wall screen",
            "return parseFloat(getComputedStyle(document.documentElement).fontSize);",
        )
        .await;
    assert!(
        root.as_f64().unwrap_or(0.0) >= 30.0,
        "the 4K wall is drawn larger: {root}"
    );
    // On a phone, the charts' words keep the page's sizes: none under 12 px.
    let phone = driver.person(&app, "leader-phone", PHONE).await;
    phone.log_in("leader").await;
    let small = "var found = []; document.querySelectorAll('body *').forEach(function (e) { \
        var own = Array.prototype.some.call(e.childNodes, function (n) { \
          return n.nodeType === 3 && n.textContent.trim() !== ''; }); \
        var box = e.getBoundingClientRect(); \
        var size = parseFloat(getComputedStyle(e).fontSize); \
        if (own && box.width > 0 && box.height > 0 && size < 12) { \
          found.push(e.tagName + ' ' + size + 'px ' + e.textContent.trim().slice(0, 20)); } }); \
        return found;";
    for path in ["/dashboard", "/stats"] {
        phone.open(path).await;
        let found = phone.script("wall screen", small).await;
        assert_eq!(found, json!([]), "text under 12 px on a phone at {path}");
    }
    wall.close().await;
    big.close().await;
    phone.close().await;
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
