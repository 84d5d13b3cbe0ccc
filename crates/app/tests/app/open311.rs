//! Open311 GeoReport v2 through HTTP, checked against the spec's rules: both formats, every
//! endpoint and filter, the extensions, errors as code/description lists with their HTTP
//! statuses, nothing stored by a refused request, no reporter's details in public answers,
//! and a flood from one key held back with 429.

use jiedao_core::case::Channel;
use jiedao_store::testing::{TestDb, fixture};
use jiedao_store::{Backend, on_both_backends};
use serde_json::Value;

use crate::cases::{act_ok, staff};
use crate::support::{TestApp, case_id, photo};

const V2: &str = "/open311/v2";

struct Open311 {
    http: reqwest::Client,
    base: String,
}

struct Answer {
    status: u16,
    content_type: String,
    body: String,
    retry_after: Option<String>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// Asserts the spec's error shape: a list of one code/description matching the status.
    fn assert_error(&self, status: u16) {
        assert_eq!(self.status, status, "{}", self.body);
        if self.content_type.starts_with("text/xml") {
            assert!(
                self.body.contains(&format!(
                    "<errors><error><code>{status}</code><description>"
                )),
                "{}",
                self.body
            );
        } else {
            let errors = self.json();
            assert_eq!(errors[0]["code"], status, "{}", self.body);
            assert!(
                errors[0]["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty())
            );
        }
    }
}

impl Open311 {
    async fn read(response: reqwest::Response) -> Answer {
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE).unwrap_or_default();
        let retry_after = header(reqwest::header::RETRY_AFTER);
        Answer {
            status: response.status().as_u16(),
            content_type,
            retry_after,
            body: response.text().await.expect("body"),
        }
    }

    async fn get(&self, path: &str) -> Answer {
        let response = self
            .http
            .get(format!("{}{V2}/{path}", self.base))
            .send()
            .await
            .expect("GET");
        Self::read(response).await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        let response = self
            .http
            .post(format!("{}{V2}/{path}", self.base))
            .form(form)
            .send()
            .await
            .expect("POST");
        Self::read(response).await
    }

    async fn post_photo(&self, path: &str, form: &[(&str, &str)], photo: Vec<u8>) -> Answer {
        let mut multipart = reqwest::multipart::Form::new();
        for (name, value) in form {
            multipart = multipart.text((*name).to_owned(), (*value).to_owned());
        }
        multipart = multipart.part(
            "media",
            reqwest::multipart::Part::bytes(photo).file_name("noise.png"),
        );
        let response = self
            .http
            .post(format!("{}{V2}/{path}", self.base))
            .multipart(multipart)
            .send()
            .await
            .expect("POST");
        Self::read(response).await
    }
}

/// Registers a resident app for the fixture's street; returns its api_key.
pub(crate) async fn resident_app_key(app: &TestApp) -> String {
    let system = jiedao_store::Principal::system("test");
    let (_, key) = app
        .store
        .add_client(
            system.scope(),
            system.actor(None),
            "城市随手拍App".into(),
            fixture::STREET.into(),
            Channel::Resident,
        )
        .await
        .expect("client");
    key
}

async fn setup(backend: Backend) -> Option<(TestApp, Open311, String)> {
    let app = TestApp::spawn(backend).await?;
    let key = resident_app_key(&app).await;
    let open311 = Open311 {
        http: reqwest::Client::new(),
        base: app.base.clone(),
    };
    Some((app, open311, key))
}

fn xml_text<'a>(xml: &'a str, element: &str) -> &'a str {
    let open = format!("<{element}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("{element} in {xml}"))
        + open.len();
    let end = xml[start..].find('<').expect("closing tag") + start;
    &xml[start..end]
}

async fn discovery_services_and_definitions(backend: Backend) {
    let Some((_app, open311, _)) = setup(backend).await else {
        return;
    };
    let discovery = open311.get("discovery.json").await;
    assert_eq!(discovery.status, 200);
    assert!(discovery.content_type.starts_with("application/json"));
    let endpoint = &discovery.json()["endpoints"][0];
    assert_eq!(
        endpoint["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert!(endpoint["url"].as_str().expect("url").ends_with(V2));
    let formats = endpoint["formats"].to_string();
    assert!(formats.contains("text/xml") && formats.contains("application/json"));
    for extension in [
        "page_size",
        "updated_after",
        "extensions",
        "servicerequestupdates",
    ] {
        assert!(endpoint["extensions"].to_string().contains(extension));
    }
    let xml = open311.get("discovery.xml").await;
    assert!(xml.content_type.starts_with("text/xml"));
    assert!(
        xml.body
            .starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><discovery>")
    );
    assert!(xml.body.contains("<formats><format>text/xml</format>"));

    let services = open311.get("services.json").await.json();
    let list = services.as_array().expect("a list");
    let cover = list
        .iter()
        .find(|s| s["service_code"] == "B0101")
        .expect("manhole covers are public");
    assert_eq!(cover["service_name"], "上水井盖");
    assert_eq!(cover["metadata"], true);
    assert_eq!(cover["type"], "realtime");
    assert_eq!(cover["group"], "公用设施");
    assert!(
        cover["keywords"]
            .as_str()
            .expect("keywords")
            .contains("井盖")
    );
    assert!(
        list.iter().all(|s| s["service_code"].is_string()
            && s["metadata"].is_boolean()
            && s["service_code"] != "G0701"),
        "codes are strings, flags booleans, and closed categories are left out"
    );
    let plain = list
        .iter()
        .find(|s| s["service_code"] == "E0101")
        .expect("litter");
    assert_eq!(plain["metadata"], false);
    let xml = open311.get("services.xml").await.body;
    assert!(xml.contains(
        "<service><service_code>B0101</service_code><service_name>上水井盖</service_name>"
    ));
    assert!(xml.contains("<metadata>true</metadata>"));

    // Definitions: the six datatypes over the seeded questions.
    let mut datatypes = Vec::new();
    for code in ["B0101", "B0109", "E0502", "E0507"] {
        let definition = open311.get(&format!("services/{code}.json")).await;
        assert_eq!(definition.status, 200, "{}", definition.body);
        let definition = definition.json();
        assert_eq!(definition["service_code"], code);
        for (i, attribute) in definition["attributes"]
            .as_array()
            .expect("attributes")
            .iter()
            .enumerate()
        {
            assert_eq!(attribute["order"], i + 1);
            assert!(attribute["variable"].is_boolean() && attribute["required"].is_boolean());
            let datatype = attribute["datatype"].as_str().expect("datatype").to_owned();
            let listed = attribute["values"].as_array().expect("values");
            assert_eq!(datatype.ends_with("valuelist"), !listed.is_empty());
            datatypes.push(datatype);
        }
    }
    for datatype in [
        "string",
        "number",
        "datetime",
        "text",
        "singlevaluelist",
        "multivaluelist",
    ] {
        assert!(datatypes.iter().any(|d| d == datatype), "{datatype}");
    }
    let noise = open311.get("services/E0507.json").await.json();
    assert_eq!(
        noise["attributes"][0]["variable"], false,
        "the notice takes no answer"
    );
    let xml = open311.get("services/B0101.xml").await.body;
    assert!(xml.contains("<service_definition><service_code>B0101</service_code><attributes><attribute><variable>true</variable><code>cover_state</code><datatype>singlevaluelist</datatype><required>true</required>"));
    assert!(xml.contains("<values><value><key>missing</key><name>丢失</name></value>"));

    open311.get("services/NOPE.json").await.assert_error(404);
    open311.get("services/G0701.xml").await.assert_error(404);
    open311.get("services/B0101.csv").await.assert_error(404);
    open311
        .get("services.json?jurisdiction_id=999999999999")
        .await
        .assert_error(404);
    let here = open311
        .get(&format!(
            "services.json?jurisdiction_id={}",
            fixture::STREET
        ))
        .await;
    assert_eq!(here.status, 200);
    let english = open311
        .http
        .get(format!("{}{V2}/services.json", open311.base))
        .header("accept-language", "en")
        .send()
        .await
        .expect("GET");
    let english: Value = english.json().await.expect("json");
    assert!(english.to_string().contains("Water supply manhole cover"));
}

async fn requests_are_created_listed_and_filtered(backend: Backend) {
    let Some((app, open311, key)) = setup(backend).await else {
        return;
    };
    let key: &'static str = Box::leak(key.into_boxed_str());
    let cases_before = app.count("case_file").await;
    let point = [("lat", "30.2525"), ("long", "120.105")];
    let cover = |extra: &[(&'static str, &'static str)]| {
        let mut form = vec![
            ("service_code", "B0101"),
            ("description", "井盖丢了，电话13912345678"),
            ("attribute[cover_state]", "missing"),
            ("first_name", "小明"),
            ("last_name", "王"),
            ("phone", "13912345678"),
            ("media_url", "https://example.org/cover.jpg"),
        ];
        form.extend_from_slice(&point);
        form.extend_from_slice(extra);
        form
    };
    // Refused requests store nothing.
    open311
        .post("requests.json", &cover(&[]))
        .await
        .assert_error(403);
    let wrong_key = cover(&[("api_key", "not-a-key")]);
    open311
        .post("requests.json", &wrong_key)
        .await
        .assert_error(403);
    let with_key = |form: &mut Vec<(&str, &str)>| form.push(("api_key", key));
    let mut no_code = vec![
        ("description", "x"),
        ("lat", "30.2525"),
        ("long", "120.105"),
    ];
    with_key(&mut no_code);
    open311
        .post("requests.json", &no_code)
        .await
        .assert_error(400);
    let mut unknown = vec![
        ("service_code", "ZZ99"),
        ("lat", "30.2525"),
        ("long", "120.105"),
    ];
    with_key(&mut unknown);
    open311
        .post("requests.xml", &unknown)
        .await
        .assert_error(404);
    let mut nowhere = vec![("service_code", "E0101"), ("description", "垃圾")];
    with_key(&mut nowhere);
    open311
        .post("requests.json", &nowhere)
        .await
        .assert_error(400);
    let mut bad_answer = cover(&[]);
    bad_answer.retain(|(k, _)| *k != "attribute[cover_state]");
    bad_answer.push(("attribute[cover_state]", "flying"));
    with_key(&mut bad_answer);
    let refused = open311.post("requests.json", &bad_answer).await;
    refused.assert_error(422);
    assert!(refused.body.contains("cover_state"), "{}", refused.body);
    let mut unanswered = cover(&[]);
    unanswered.retain(|(k, _)| *k != "attribute[cover_state]");
    with_key(&mut unanswered);
    open311
        .post("requests.json", &unanswered)
        .await
        .assert_error(422);
    let mut bad_point = cover(&[]);
    bad_point.retain(|(k, _)| *k != "lat");
    bad_point.push(("lat", "north"));
    with_key(&mut bad_point);
    open311
        .post("requests.json", &bad_point)
        .await
        .assert_error(400);
    let mut elsewhere = cover(&[("jurisdiction_id", "330106001000")]);
    with_key(&mut elsewhere);
    assert!(matches!(
        open311.post("requests.json", &elsewhere).await.status,
        403 | 404
    ));
    assert_eq!(app.count("case_file").await, cases_before, "nothing stored");

    // A request in JSON, with an answer and a photo held elsewhere.
    let mut form = cover(&[]);
    with_key(&mut form);
    let created = open311.post("requests.json", &form).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    let first_id = created[0]["service_request_id"]
        .as_str()
        .expect("id as a string")
        .to_owned();
    let token = created[0]["token"].as_str().expect("token").to_owned();
    assert!(
        created[0]["service_notice"]
            .as_str()
            .expect("notice")
            .contains(&first_id)
    );
    assert!(created[0]["account_id"].is_null());

    // A request in XML, sent as multipart with the photo itself and a multi-value answer.
    let second = open311
        .post_photo(
            "requests.xml",
            &[
                ("api_key", key),
                ("jurisdiction_id", fixture::STREET),
                ("service_code", "E0507"),
                ("description", "工地夜间施工"),
                ("lat", "30.2525"),
                ("long", "120.105"),
                ("attribute[noise_sources][]", "machinery"),
                ("attribute[noise_sources][]", "speakers"),
                ("attribute[noise_started]", "2026-11-21T22:30:00+08:00"),
            ],
            photo(),
        )
        .await;
    assert_eq!(second.status, 201, "{}", second.body);
    assert!(second.body.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><service_requests><request><service_request_id>"
    ));
    let second_id = xml_text(&second.body, "service_request_id").to_owned();
    assert_eq!(app.count("case_file").await, cases_before + 2);

    // Staff see what the reporter added on the case page.
    let intake = staff(&app, "intake").await;
    let page = intake
        .get(&format!("/cases/{}", case_id(&app.store, &first_id).await))
        .await;
    assert!(page.body.contains("井盖状况：丢失"), "the answer is shown");
    assert!(page.body.contains("https://example.org/cover.jpg"));

    // One request, as a list of one.
    let one = open311.get(&format!("requests/{first_id}.json")).await;
    assert_eq!(one.status, 200);
    let body = one.body.clone();
    let one = &one.json()[0];
    assert_eq!(one["service_request_id"], first_id.as_str());
    assert_eq!(one["status"], "open");
    assert_eq!(one["service_code"], "B0101");
    assert_eq!(one["media_url"], "https://example.org/cover.jpg");
    // Published rounded to 0.001°.
    assert_eq!(one["lat"], 30.253);
    assert_eq!(one["long"], 120.105);
    for field in [
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
    ] {
        let at = one[field].as_str().unwrap_or_else(|| panic!("{field}"));
        assert!(at.ends_with("+08:00") && at.contains('T'), "{field}: {at}");
    }
    assert!(one["status_notes"].is_string());
    assert!(
        !body.contains("13912345678") && !body.contains("小明"),
        "no reporter's details: {body}"
    );
    let xml = open311.get(&format!("requests/{second_id}.xml")).await;
    assert_eq!(xml.status, 200);
    let media = xml_text(&xml.body, "media_url").to_owned();
    let media_path = &media[media.find(V2).expect("our link")..];
    let image = open311
        .http
        .get(format!("{}{media_path}", open311.base))
        .send()
        .await
        .expect("GET");
    assert_eq!(image.status(), 200);
    assert_eq!(image.headers()[reqwest::header::CONTENT_TYPE], "image/jpeg");
    let extended = open311
        .get(&format!("requests/{second_id}.json?extensions=true"))
        .await
        .json();
    let attributes = &extended[0]["extended_attributes"];
    assert!(!attributes["notes"].as_array().expect("notes").is_empty());
    assert!(
        attributes["answers"]
            .to_string()
            .contains("噪声来源：施工机械、音响喇叭"),
        "{attributes}"
    );
    let by_token = open311.get(&format!("tokens/{token}.json")).await.json();
    assert_eq!(by_token[0]["service_request_id"], first_id.as_str());
    open311
        .get("requests/20990101-00001.json")
        .await
        .assert_error(404);
    open311.get("tokens/nonsense.xml").await.assert_error(404);

    // Lists and their filters.
    let ids = |answer: Answer| -> Vec<String> {
        answer
            .json()
            .as_array()
            .expect("a list")
            .iter()
            .map(|r| r["service_request_id"].as_str().expect("id").to_owned())
            .collect()
    };
    assert_eq!(
        ids(open311.get("requests.json").await),
        vec![second_id.clone(), first_id.clone()]
    );
    assert_eq!(
        ids(open311.get("requests.json?service_code=B0101").await),
        vec![first_id.clone()]
    );
    assert_eq!(
        ids(open311
            .get("requests.json?service_code=B0101,E0507&status=open")
            .await)
        .len(),
        2
    );
    assert!(ids(open311.get("requests.json?status=closed").await).is_empty());
    assert_eq!(
        ids(open311
            .get(&format!(
                "requests.json?service_request_id={first_id},{second_id}&status=closed"
            ))
            .await)
        .len(),
        2,
        "a list of ids overrides the other filters"
    );
    assert!(
        ids(open311
            .get("requests.json?start_date=2099-01-01T00:00:00Z")
            .await)
        .is_empty()
    );
    assert_eq!(
        ids(open311
            .get(
                "requests.json?start_date=2000-01-01T00:00:00%2B08:00&end_date=2099-01-01T00:00:00Z"
            )
            .await)
        .len(),
        2
    );
    assert!(
        ids(open311
            .get("requests.json?updated_after=2099-01-01T00:00:00Z")
            .await)
        .is_empty()
    );
    assert_eq!(
        ids(open311
            .get("requests.json?updated_before=2099-01-01T00:00:00Z")
            .await)
        .len(),
        2
    );
    assert_eq!(
        ids(open311.get("requests.json?page_size=1").await),
        vec![second_id.clone()]
    );
    assert_eq!(
        ids(open311.get("requests.json?page_size=1&page=2").await),
        vec![first_id.clone()]
    );
    assert_eq!(
        ids(open311
            .get(&format!(
                "requests.json?jurisdiction_id={}",
                fixture::STREET
            ))
            .await)
        .len(),
        2
    );
    open311
        .get("requests.json?status=pending")
        .await
        .assert_error(400);
    open311
        .get("requests.xml?start_date=yesterday")
        .await
        .assert_error(400);
    // A page size past the most is read as the most (issue 15); none at all is refused.
    open311
        .get("requests.json?page_size=0")
        .await
        .assert_error(400);
    open311
        .get("requests.json?service_code=G0701")
        .await
        .assert_error(400);
    open311
        .get("requests.json?jurisdiction_id=1")
        .await
        .assert_error(404);
    let xml = open311.get("requests.xml?service_code=B0101").await.body;
    assert!(xml.contains("<service_requests><request><service_request_id>"));
    assert!(xml.contains("<status>open</status>"));

    // A closed case reads as closed, and the updates feed carries the change.
    let lead = staff(&app, "shiftlead").await;
    let first_case = case_id(&app.store, &first_id).await;
    act_ok(
        &lead,
        first_case,
        "void",
        &[("reason", "重复上报")],
        &[],
        "已作废",
    )
    .await;
    assert_eq!(
        ids(open311.get("requests.json?status=closed").await),
        vec![first_id.clone()]
    );
    let closed = open311
        .get(&format!("requests/{first_id}.json"))
        .await
        .json();
    assert_eq!(closed[0]["status"], "closed");
    assert!(closed[0]["expected_datetime"].is_null());
    let updates = open311.get("servicerequestupdates.json").await.json();
    let updates = updates.as_array().expect("a list");
    assert!(updates.len() >= 3, "{updates:?}");
    let last = updates
        .iter()
        .rfind(|u| u["service_request_id"] == first_id.as_str())
        .expect("the void");
    assert_eq!(last["status"], "closed");
    assert!(last["update_id"].is_string() && last["updated_datetime"].is_string());
    let xml = open311
        .get("servicerequestupdates.xml?start_date=2000-01-01T00:00:00Z")
        .await
        .body;
    assert!(xml.contains("<service_request_updates><request_update><update_id>"));
}

async fn a_flood_from_one_key_is_held_back(backend: Backend) {
    // A small allowance (one request back every ten seconds), so a request slowed by a busy
    // machine cannot find its token refilled, as the default's ten a second could.
    let allowance = 6;
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let store = db.open(std::sync::Arc::new(jiedao_core::SystemClock)).await;
    jiedao_store::testing::load_fixture(&store).await;
    let config = jiedao_web::WebConfig {
        api_per_minute: allowance,
        ..jiedao_web::WebConfig::default()
    };
    let app = TestApp::serve_with(db, store, config).await;
    let key = resident_app_key(&app).await;
    let open311 = Open311 {
        http: reqwest::Client::new(),
        base: app.base.clone(),
    };
    let before = app.count("case_file").await;
    let good = [
        ("api_key", key.as_str()),
        ("service_code", "E0101"),
        ("lat", "30.2525"),
        ("long", "120.105"),
        ("description", "垃圾"),
    ];
    let form = [("api_key", key.as_str()), ("service_code", "NONE")];
    let mut limited = None;
    // A minute's allowance at once, and what trickles back while the flood runs.
    for _ in 0..=allowance * 2 {
        let answer = open311.post("requests.json", &form).await;
        if answer.status == 429 {
            limited = Some(answer);
            break;
        }
        assert_eq!(answer.status, 404);
    }
    let limited = limited.expect("the flood is limited");
    // At once: nothing slow may come between.
    let good_answer = open311.post("requests.json", &good).await;
    limited.assert_error(429);
    let wait: u64 = limited
        .retry_after
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!(wait >= 1);
    // A good request from the same key is refused too, and nothing is stored.
    good_answer.assert_error(429);
    assert_eq!(app.count("case_file").await, before);
    // Other callers are not affected.
    assert_eq!(open311.get("services.json").await.status, 200);
}

/// A description holding characters XML 1.0 forbids (U+FFFE, U+FFFF, a C0 control, a lone
/// surrogate cannot be sent) leaves the public feed readable by every XML parser: one anonymous
/// report must not break `requests.xml` for all clients.
async fn forbidden_characters_leave_the_feed_readable(backend: Backend) {
    let Some((_app, open311, key)) = setup(backend).await else {
        return;
    };
    let description = "路灯不亮\u{fffe}\u{ffff}\u{1}\u{b}末尾";
    let made = open311
        .post(
            "requests.json",
            &[
                ("api_key", key.as_str()),
                ("service_code", "E0101"),
                ("lat", "30.2525"),
                ("long", "120.105"),
                ("description", description),
            ],
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let feed = open311.get("requests.xml").await;
    assert_eq!(feed.status, 200, "{}", feed.body);
    let document = roxmltree::Document::parse(&feed.body)
        .unwrap_or_else(|e| panic!("requests.xml unreadable: {e}: {:?}", feed.body));
    let descriptions: Vec<&str> = document
        .descendants()
        .filter(|node| node.has_tag_name("description"))
        .filter_map(|node| node.text())
        .collect();
    assert!(descriptions.contains(&"路灯不亮末尾"), "{descriptions:?}");
}

on_both_backends!(
    discovery_services_and_definitions,
    forbidden_characters_leave_the_feed_readable,
    requests_are_created_listed_and_filtered,
    a_flood_from_one_key_is_held_back
);
