//! A running test server and a browser-like client that keeps its own cookies (so the tests
//! can see and plant them) and the CSRF token of the last page it read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jiedao_core::CaseId;
use jiedao_core::SystemClock;
use jiedao_store::testing::{TestDb, load_fixture};
use jiedao_store::{Backend, Store};
use jiedao_web::{AppState, WebConfig};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

/// The server under test, with the fixture street loaded.
pub struct TestApp {
    pub base: String,
    pub store: Store,
    _db: TestDb,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        let db = TestDb::new(backend)?;
        let store = db.open(Arc::new(SystemClock)).await;
        load_fixture(&store).await;
        Some(TestApp::serve(db, store).await)
    }

    /// Serves an already filled store.
    pub async fn serve(db: TestDb, store: Store) -> TestApp {
        TestApp::serve_with(db, store, WebConfig::default()).await
    }

    /// Serves an already filled store with its own web settings.
    pub async fn serve_with(db: TestDb, store: Store, config: WebConfig) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let state = AppState::new(store.clone(), config);
        tokio::spawn(jiedao_web::serve(
            listener,
            state,
            jiedao_web::jobs::registry(),
            std::future::pending(),
        ));
        TestApp {
            base,
            store,
            _db: db,
        }
    }

    pub fn client(&self) -> Client {
        Client {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: self.base.clone(),
            cookies: Mutex::new(HashMap::new()),
            csrf: Mutex::new(None),
        }
    }

    pub async fn count(&self, table: &'static str) -> i64 {
        self.store
            .read(move |conn| jiedao_store::maintenance::count_rows(conn, table))
            .await
            .expect("count")
    }

    /// A bearer token of `username` from `POST /api/v1/login`.
    pub async fn token(&self, username: &str) -> String {
        let answer: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/api/v1/login", self.base))
            .json(&serde_json::json!({
                "username": username,
                "password": jiedao_store::testing::FIXTURE_PASSWORD
            }))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("json");
        answer["token"].as_str().expect("token").to_owned()
    }

    pub async fn user_exists(&self, username: &'static str) -> bool {
        let scope = jiedao_store::Principal::system("test").scope();
        match self
            .store
            .read(move |conn| jiedao_store::users::get_by_username(conn, &scope, username))
            .await
        {
            Ok(_) => true,
            Err(jiedao_store::StoreError::Refused(jiedao_store::Refusal::NotFound { .. })) => false,
            Err(error) => panic!("user {username}: {error}"),
        }
    }

    /// How many audit records `keep` picks.
    pub async fn audit_count(
        &self,
        keep: impl Fn(&jiedao_store::audit::AuditRecord) -> bool + Send + 'static,
    ) -> i64 {
        let scope = jiedao_store::Principal::system("test").scope();
        let records = self
            .store
            .read(move |conn| jiedao_store::audit::recent(conn, &scope, None, i64::MAX))
            .await
            .expect("audit");
        i64::try_from(records.iter().filter(|record| keep(record)).count()).expect("count")
    }
}

/// One response, read whole.
#[derive(Debug, Clone)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

/// A person at a browser.
pub struct Client {
    http: reqwest::Client,
    base: String,
    cookies: Mutex<HashMap<String, String>>,
    csrf: Mutex<Option<String>>,
}

impl Client {
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().expect("cookies").get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies
            .lock()
            .expect("cookies")
            .insert(name.to_owned(), value.to_owned());
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .expect("cookies")
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn read(&self, response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let set_cookies: Vec<String> = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        for line in &set_cookies {
            let pair = line.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                let mut cookies = self.cookies.lock().expect("cookies");
                if line.contains("Max-Age=0") {
                    cookies.remove(name);
                } else {
                    cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let body = response.text().await.expect("body");
        if let Some(token) = csrf_token(&body) {
            *self.csrf.lock().expect("csrf") = Some(token);
        }
        Page {
            status,
            location,
            body,
        }
    }

    async fn send_get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .expect("GET")
    }

    /// Opens `path` and hands back the response unread: for event streams, which do not end.
    pub async fn open_stream(&self, path: &str) -> reqwest::Response {
        self.send_get(path).await
    }

    /// A download: status, content type and the bytes.
    pub async fn download(&self, path: &str) -> (u16, String, Vec<u8>) {
        let response = self.send_get(path).await;
        let status = response.status().as_u16();
        let kind = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = response.bytes().await.expect("body").to_vec();
        (status, kind, bytes)
    }

    pub async fn get(&self, path: &str) -> Page {
        let response = self.send_get(path).await;
        self.read(response).await
    }

    /// Posts a form with the CSRF token of the last page read.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf.lock().expect("csrf").clone().unwrap_or_default();
        self.post_form_with_token(path, &token, fields).await
    }

    pub async fn post_form_with_token(
        &self,
        path: &str,
        token: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", token)];
        form.extend_from_slice(fields);
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .form(&form)
            .send()
            .await
            .expect("POST");
        self.read(response).await
    }

    /// The CSRF token of the last page read.
    pub fn csrf(&self) -> String {
        self.csrf.lock().expect("csrf").clone().unwrap_or_default()
    }

    /// Posts a multipart form (text fields and files) to `path`, with the CSRF token as its
    /// first part, as the pages' multipart forms send it.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, Vec<u8>)],
    ) -> Page {
        self.post_multipart_with_token(path, &self.csrf(), fields, files)
            .await
    }

    /// Posts a multipart form whose first part is `token`.
    pub async fn post_multipart_with_token(
        &self,
        path: &str,
        token: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, Vec<u8>)],
    ) -> Page {
        let mut form = reqwest::multipart::Form::new().text("csrf_token", token.to_owned());
        for (name, value) in fields {
            form = form.text((*name).to_owned(), (*value).to_owned());
        }
        for (name, file_name, bytes) in files {
            let part =
                reqwest::multipart::Part::bytes(bytes.clone()).file_name((*file_name).to_owned());
            form = form.part((*name).to_owned(), part);
        }
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .multipart(form)
            .send()
            .await
            .expect("POST multipart");
        self.read(response).await
    }

    /// Posts a body as it is, with the CSRF token in its header: for requests a browser form
    /// would never send.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: &str) -> Page {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header("x-csrf-token", self.csrf())
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body.to_owned())
            .send()
            .await
            .expect("POST raw");
        self.read(response).await
    }

    /// Sends JSON to the API with optional headers (no cookies: API clients have none).
    pub async fn post_json(&self, path: &str, headers: &[(&str, &str)], body: &str) -> Page {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_owned());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.read(request.send().await.expect("POST json")).await
    }

    /// Opens the login page and logs in, as a person would.
    pub async fn login(&self, username: &str, password: &str) -> Page {
        self.get("/login").await;
        self.post_form(
            "/login",
            &[("username", username), ("password", password), ("next", "")],
        )
        .await
    }
}

/// The page's CSRF token, from a hidden form field.
fn csrf_token(html: &str) -> Option<String> {
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker)? + marker.len();
    let stop = html[start..].find('"')? + start;
    Some(html[start..stop].to_owned())
}

pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The id of the category with this code, as a form sends it.
pub async fn category(app: &TestApp, code: &str) -> String {
    app.store
        .catalog()
        .by_code(code)
        .expect(code)
        .id
        .to_string()
}

/// The id of the fixture department with this name, as a form sends it.
pub async fn department(store: &Store, name: &'static str) -> String {
    jiedao_store::testing::department_id(store, name)
        .await
        .to_string()
}

/// The case with this number.
pub async fn case_id(store: &Store, number: &str) -> CaseId {
    let number = number.to_owned();
    store
        .read(move |conn| jiedao_store::testing::case_id(conn, &number))
        .await
        .expect("case")
        .expect("a case with that number")
}

/// A small PNG photo.
pub fn photo() -> Vec<u8> {
    let image = image::RgbImage::from_pixel(24, 16, image::Rgb([30, 90, 160]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("png");
    bytes.into_inner()
}

/// True when the page shows Chinese outside elements marked as user data (`data-user`) or as
/// written in Chinese (`lang="zh-CN"`, the language switch). Works on our own, well-formed
/// markup: a marked element's text runs to its closing tag.
pub fn has_chinese_outside_user_data(html: &str) -> bool {
    let mut rest = html;
    let mut visible = String::new();
    while let Some(open) = rest.find('<') {
        visible.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open..open + close + 1];
        rest = &rest[open + close + 1..];
        let marked = tag.contains(" data-user")
            || tag.contains(r#"lang="zh-CN""#) && !tag.starts_with("<html");
        // Attributes (typed values included) are skipped with their tag: they are not text.
        if marked {
            let name: String = tag[1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            let end = format!("</{name}>");
            rest = rest.find(&end).map_or("", |at| &rest[at + end.len()..]);
        }
    }
    visible.push_str(rest);
    visible
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

impl TestApp {
    /// Runs the `jiedao` program on this server's database while the server runs, as an
    /// operator beside it would, with `LANG` set to `lang`; answers whether it succeeded and
    /// what it printed (standard output, then standard error).
    pub async fn jiedao(&self, lang: &str, args: &[&str]) -> (bool, String) {
        let config = self._db.config();
        let dir = tempfile::tempdir().expect("dir");
        let key = dir.path().join("data.key");
        std::fs::write(&key, config.data_key.as_ref().expect("a test key").to_hex()).expect("key");
        let mut toml = format!(
            "database = {:?}\nfiles = {:?}\n[store]\ndurability = \"normal\"\ndata_key_file = {:?}\n",
            config.url,
            config.files_dir.display().to_string(),
            key.display().to_string()
        );
        if let Some(schema) = &config.pg_schema {
            toml.push_str(&format!("pg_schema = {schema:?}\n"));
        }
        let file = dir.path().join("jiedao.toml");
        std::fs::write(&file, toml).expect("config");
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_jiedao"));
        command
            .arg("--config")
            .arg(&file)
            .args(args)
            .env("LANG", lang)
            .env_remove("JIEDAO_LANG")
            .env_remove("JIEDAO_DATABASE")
            .env("RUST_LOG", "warn");
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .expect("join")
            .expect("run jiedao");
        drop(dir);
        (
            output.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
        )
    }
}

impl TestApp {
    /// How many files the store keeps on disk (photos and their copies).
    pub fn files_on_disk(&self) -> usize {
        let mut count = 0;
        let mut folders = vec![self._db.config().files_dir.clone()];
        while let Some(folder) = folders.pop() {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    count += 1;
                }
            }
        }
        count
    }
}
