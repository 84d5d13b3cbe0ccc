//! Disputes (矛盾纠纷调解) through HTTP on both databases: one registered at the desk form with
//! two new parties, mediated through sessions to a written agreement, its confirmation window
//! shown and applied in, its terms followed up to the close, its 调解协议书 read back with every
//! art. 29 element, and the figures; one failed and one escalated through the API; every
//! action tried out of role and out of scope with nothing changed.

use chrono::NaiveDate;
use jiedao_core::registry::sample;
use jiedao_store::testing::{FIXTURE_PASSWORD, fixture};
use jiedao_store::{Backend, on_both_backends};
use serde_json::Value;

use crate::support::{Client, TestApp};

fn document(serial: u32) -> String {
    sample::id_number(
        "330106",
        NaiveDate::from_ymd_opt(1975, 5, 5).expect("date"),
        serial,
    )
}

async fn signed_in(app: &TestApp, who: &str) -> Client {
    let browser = app.client();
    assert_eq!(browser.login(who, FIXTURE_PASSWORD).await.status, 303);
    browser
}

/// Registers a dispute in community A through the desk form as `staff`; its id.
pub(crate) async fn registered_in_a(app: &TestApp, staff: &str, serial: u32) -> String {
    let browser = signed_in(app, staff).await;
    assert_eq!(browser.get("/disputes").await.status, 200);
    let (applicant, respondent) = (document(serial), document(serial + 1));
    let done = browser
        .post_form(
            "/disputes",
            &[
                ("place", fixture::COMMUNITY_A),
                ("source", "walk_in"),
                ("kind", "neighbour"),
                ("facts", "楼上卫生间漏水致楼下天花板受损"),
                ("points", "维修费用的承担"),
                ("amount", "5000"),
                ("risk", "low"),
                ("applicant_name", "赵甲"),
                ("applicant_document", &applicant),
                ("respondent_name", "钱乙"),
                ("respondent_document", &respondent),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    done.location
        .expect("to the dispute")
        .trim_start_matches("/disputes/")
        .to_owned()
}

async fn act(browser: &Client, id: &str, fields: &[(&str, &str)]) -> crate::support::Page {
    browser.get(&format!("/disputes/{id}")).await;
    browser
        .post_form(&format!("/disputes/{id}/act"), fields)
        .await
}

async fn api(app: &TestApp, who: &str, method: &str, path: &str, body: &str) -> (u16, Value) {
    let token = app.token(who).await;
    let http = reqwest::Client::new();
    let url = format!("{}{path}", app.base);
    let request = if method == "GET" {
        http.get(url)
    } else {
        http.post(url)
            .header("content-type", "application/json")
            .body(body.to_owned())
    };
    let response = request.bearer_auth(token).send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Every text run of a Word document, in order.
fn document_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("zip");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .expect("document part")
        .read_to_string(&mut xml)
        .expect("utf-8");
    let doc = roxmltree::Document::parse(&xml).expect("xml");
    doc.descendants()
        .filter(|n| n.tag_name().name() == "t")
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn a_dispute_goes_from_registration_to_a_signed_agreement(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let id = registered_in_a(&app, "staff_a", 101).await;
    let staff = signed_in(&app, "staff_a").await;
    let page = staff.get(&format!("/disputes/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("赵甲") && page.body.contains("钱乙"));
    // Its mediation deadline runs on the ledger's clock: green now, red for none.
    for (light, listed) in [("green", 1), ("red", 0)] {
        let (status, found) = api(
            &app,
            "staff_a",
            "GET",
            &format!("/api/v1/disputes?light={light}"),
            "",
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(found.as_array().map(Vec::len), Some(listed), "{light}");
    }
    let today = jiedao_core::clock::business_date(app.store.now()).to_string();
    for fields in [
        vec![
            ("action", "assign"),
            ("committee", "甲社区人民调解委员会"),
            ("mediators", "孙老娘舅\n李律师"),
            ("mediator_kind", "volunteer"),
        ],
        vec![
            ("action", "session"),
            ("on", today.as_str()),
            ("place", "甲社区调解室"),
            ("present", "赵甲、钱乙、孙老娘舅"),
            ("record", "双方陈述了漏水经过"),
            ("proposal", "钱乙承担维修费3000元"),
        ],
        vec![
            ("action", "agree"),
            ("written", "yes"),
            ("effective_on", today.as_str()),
            ("responsibilities", "钱乙负主要责任"),
            ("term1_text", "钱乙赔偿赵甲维修费3000元"),
            ("term1_manner", "银行转账"),
            ("term1_due", today.as_str()),
            ("term2_text", "钱乙修复卫生间防水层"),
            ("term2_manner", "自行委托施工"),
            ("term2_due", "2027-01-31"),
        ],
    ] {
        let done = act(&staff, &id, &fields).await;
        assert_eq!(done.status, 303, "{fields:?}: {}", done.body);
    }
    let page = staff.get(&format!("/disputes/{id}")).await;
    assert!(
        page.body.contains("/agreement.docx"),
        "a written agreement has its document"
    );
    assert!(
        page.body.contains("apply_confirmation"),
        "the window is open"
    );

    // The 调解协议书 holds what art. 29 lists, from the record.
    let (status, kind, bytes) = staff
        .download(&format!("/disputes/{id}/agreement.docx"))
        .await;
    assert_eq!(status, 200);
    assert!(kind.contains("wordprocessingml"), "{kind}");
    let text = document_text(&bytes);
    for element in [
        "人民调解协议书",
        "甲社区人民调解委员会",
        "赵甲",
        "钱乙",
        "申请人",
        "被申请人",
        "楼上卫生间漏水致楼下天花板受损",
        "维修费用的承担",
        "钱乙负主要责任",
        "钱乙赔偿赵甲维修费3000元",
        "银行转账",
        "钱乙修复卫生间防水层",
        "2027-01-31",
        "签名、盖章或按指印",
        "孙老娘舅、李律师",
        "印章",
        &today,
    ] {
        assert!(
            text.contains(element),
            "the agreement lacks {element}:\n{text}"
        );
    }

    // Court confirmation applied for within the window; then the terms followed up.
    for fields in [
        vec![
            ("action", "apply_confirmation"),
            ("on", today.as_str()),
            ("court", "西湖区人民法院"),
        ],
        vec![("action", "rule_confirmation"), ("valid", "yes")],
        vec![
            ("action", "perform"),
            ("term", "1"),
            ("performance", "done"),
            ("on", today.as_str()),
        ],
        vec![
            ("action", "perform"),
            ("term", "2"),
            ("performance", "done"),
            ("on", today.as_str()),
        ],
    ] {
        let done = act(&staff, &id, &fields).await;
        assert_eq!(done.status, 303, "{fields:?}: {}", done.body);
    }
    let (status, record) = api(&app, "leader", "GET", &format!("/api/v1/disputes/{id}"), "").await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["state"], "closed");
    assert_eq!(record["history"].as_array().map(Vec::len), Some(8));
    assert_eq!(
        record["dispute"]["agreement"]["confirmation"]["valid"],
        Value::Bool(true)
    );

    // The figures count it, and link to it.
    let (status, figures) = api(&app, "leader", "GET", "/api/v1/disputes/figures", "").await;
    assert_eq!(status, 200, "{figures}");
    assert_eq!(figures["total"]["taken"], 1);
    assert_eq!(figures["total"]["settled"], 1);
    assert_eq!(figures["total"]["success_rate"], 100.0);
    assert_eq!(figures["total"]["performance_rate"], 100.0);
    assert_eq!(figures["total"]["amount_fen"], 500_000);
    let page = staff.get("/disputes/figures").await;
    assert_eq!(page.status, 200);
    let link = page
        .body
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .find(|href| href.contains("settled=yes"))
        .expect("a link to the settled disputes")
        .replace("&amp;", "&");
    let listed = staff.get(&link).await;
    assert!(listed.body.contains(&format!("/disputes/{id}")), "{link}");
    // The bulletin carries the disputes' section, with this period's count.
    let leader = signed_in(&app, "leader").await;
    let bulletin = leader.get("/stats/bulletin").await;
    assert_eq!(bulletin.status, 200);
    let cells = crate::stats::cell_texts(&bulletin.body);
    let at = cells
        .iter()
        .position(|c| c == "调处成功数")
        .expect("the disputes' section");
    assert_eq!(cells.get(at + 1).map(String::as_str), Some("1"));
    let (status, _, sheet) = staff.download("/disputes/export.xlsx").await;
    assert_eq!(status, 200);
    assert!(sheet.starts_with(b"PK"));
}

on_both_backends!(a_dispute_goes_from_registration_to_a_signed_agreement);

async fn a_failed_and_an_escalated_dispute_through_the_api(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let body = |serial: u32| {
        serde_json::json!({
            "place": fixture::COMMUNITY_A,
            "source": "police",
            "kind": "family.marriage",
            "facts": "夫妻因家务争吵",
            "points": "财产分割",
            "amount": "2万",
            "parties": [
                {"role": "applicant", "name": "周丙", "document": document(serial)},
                {"role": "respondent", "name": "吴丁", "document": document(serial + 1)}
            ]
        })
        .to_string()
    };
    let (status, failed) = api(&app, "staff_a", "POST", "/api/v1/disputes", &body(201)).await;
    assert_eq!(status, 201, "{failed}");
    let failed = failed["id"].as_str().expect("id").to_owned();
    let actions = format!("/api/v1/disputes/{failed}/actions");
    let (status, _) = api(
        &app,
        "staff_a",
        "POST",
        &actions,
        r#"{"action":"assign","committee":"甲社区人民调解委员会","mediators":[{"name":"郑调解员","kind":"staff"}]}"#,
    )
    .await;
    assert_eq!(status, 200);
    let (status, record) = api(
        &app,
        "staff_a",
        "POST",
        &actions,
        r#"{"action":"fail","reason":"一方拒绝继续调解，已告知可向法院起诉"}"#,
    )
    .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["state"], "failed");
    // A failed dispute takes no agreement.
    let (status, _) = api(
        &app,
        "staff_a",
        "POST",
        &actions,
        r#"{"action":"agree","written":true,"effective_on":"2026-01-01","responsibilities":"x","terms":[]}"#,
    )
    .await;
    assert_eq!(status, 409);

    let (status, escalated) = api(&app, "staff_a", "POST", "/api/v1/disputes", &body(301)).await;
    assert_eq!(status, 201, "{escalated}");
    let escalated = escalated["id"].as_str().expect("id").to_owned();
    let actions = format!("/api/v1/disputes/{escalated}/actions");
    for action in [
        r#"{"action":"set_risk","risk":"high","reason":"一方扬言报复"}"#,
        r#"{"action":"escalate","to":"街道平安办","petition":"XF-2026-001","criminal":true}"#,
    ] {
        let (status, record) = api(&app, "staff_a", "POST", &actions, action).await;
        assert_eq!(status, 200, "{record}");
    }
    let (_, listed) = api(&app, "leader", "GET", "/api/v1/disputes?risk=high", "").await;
    let listed = listed.as_array().expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["escalated"], true);
    let (_, figures) = api(&app, "leader", "GET", "/api/v1/disputes/figures", "").await;
    assert_eq!(figures["total"]["taken"], 2);
    assert_eq!(figures["total"]["settled"], 0);
    assert_eq!(figures["total"]["failed"], 1);
    assert_eq!(figures["total"]["criminal"], 1);
    assert_eq!(figures["total"]["high_risk"], 1);
    assert_eq!(figures["total"]["amount_fen"], 2 * 2_000_000);
}

on_both_backends!(a_failed_and_an_escalated_dispute_through_the_api);

/// A dispute raised to high risk shows at once in the leader's inbox, in its own section, and
/// leaves it when mediation ends; a low-risk one never shows there, nor in a handler's inbox.
async fn a_high_risk_dispute_alerts_the_leader_in_the_inbox(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let low = registered_in_a(&app, "staff_a", 401).await;
    let high = registered_in_a(&app, "staff_a", 411).await;
    let leader = signed_in(&app, "leader").await;
    let mut numbers = Vec::new();
    for id in [&low, &high] {
        let (_, record) = api(&app, "leader", "GET", &format!("/api/v1/disputes/{id}"), "").await;
        numbers.push(record["number"].as_str().expect("number").to_owned());
    }
    let (low_number, high_number) = (numbers[0].clone(), numbers[1].clone());
    let inbox = leader.get("/inbox").await;
    assert!(inbox.body.contains("高风险矛盾纠纷"), "{}", inbox.body);
    assert!(!inbox.body.contains(&high_number) && !inbox.body.contains(&low_number));

    let actions = format!("/api/v1/disputes/{high}/actions");
    let raised = r#"{"action":"set_risk","risk":"high","reason":"一方扬言报复"}"#;
    let (status, record) = api(&app, "staff_a", "POST", &actions, raised).await;
    assert_eq!(status, 200, "{record}");
    let inbox = leader.get("/inbox").await;
    assert!(inbox.body.contains(&high_number), "{}", inbox.body);
    assert!(inbox.body.contains(&format!("/disputes/{high}")));
    assert!(!inbox.body.contains(&low_number));
    // Staff who are not leaders have no such section.
    let staff = signed_in(&app, "staff_a").await;
    let theirs = staff.get("/inbox").await;
    assert!(!theirs.body.contains("高风险矛盾纠纷"));

    let withdrawn = r#"{"action":"withdraw","reason":"申请人撤回"}"#;
    let (status, record) = api(&app, "staff_a", "POST", &actions, withdrawn).await;
    assert_eq!(status, 200, "{record}");
    let inbox = leader.get("/inbox").await;
    assert!(!inbox.body.contains(&high_number));
}

on_both_backends!(a_high_risk_dispute_alerts_the_leader_in_the_inbox);

async fn history_len(app: &TestApp, id: &str) -> Option<usize> {
    let (_, record) = api(app, "leader", "GET", &format!("/api/v1/disputes/{id}"), "").await;
    record["history"].as_array().map(Vec::len)
}

async fn actions_out_of_role_and_out_of_scope_change_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let id = registered_in_a(&app, "staff_a", 401).await;
    let before = history_len(&app, &id).await;
    assert_eq!(before, Some(1));
    let assign = [
        ("action", "assign"),
        ("committee", "乙社区人民调解委员会"),
        ("mediators", "外人"),
    ];
    // Out of scope: another community's staff are told nothing exists.
    let staff_b = signed_in(&app, "staff_b").await;
    staff_b.get("/disputes").await;
    let page = staff_b
        .post_form(&format!("/disputes/{id}/act"), &assign)
        .await;
    assert_eq!(page.status, 404);
    assert_eq!(staff_b.get(&format!("/disputes/{id}")).await.status, 404);
    // Out of role: the desk sees and registers but does not mediate.
    let intake = signed_in(&app, "intake").await;
    assert_eq!(intake.get(&format!("/disputes/{id}")).await.status, 200);
    let page = intake
        .post_form(&format!("/disputes/{id}/act"), &assign)
        .await;
    assert_eq!(page.status, 403, "{}", page.body);
    let (status, _) = api(
        &app,
        "intake",
        "POST",
        &format!("/api/v1/disputes/{id}/actions"),
        r#"{"action":"withdraw","reason":"x"}"#,
    )
    .await;
    assert_eq!(status, 403);
    // Roles that see no disputes at all.
    for who in ["admin", "handler", "resident_a"] {
        let browser = signed_in(&app, who).await;
        assert_eq!(browser.get("/disputes").await.status, 403, "{who}");
        assert_eq!(
            browser.get(&format!("/disputes/{id}")).await.status,
            403,
            "{who}"
        );
    }
    assert_eq!(history_len(&app, &id).await, before, "nothing changed");
}

on_both_backends!(actions_out_of_role_and_out_of_scope_change_nothing);

/// The demo's year of disputes is made by the engine without a refusal, is shaped like the
/// seeds, and its figures page says what a recount of the ledger says.
async fn the_demo_years_figures_equal_a_recount_of_the_ledger(backend: Backend) {
    use jiedao::demo;
    use jiedao_core::clock::business_date;
    use jiedao_core::dispute::figures::Counts;
    use jiedao_core::evaluation::Rate;
    use jiedao_store::disputes::{self, DisputeFilter};
    use jiedao_store::testing::TestDb;
    use std::sync::Arc;

    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let end = chrono::Utc::now();
    let days = 365;
    let clock = Arc::new(jiedao_core::ManualClock::new(
        end - chrono::Duration::days(days),
    ));
    let store = db.open(clock.clone()).await;
    demo::create(&store).await.expect("the demo street");
    let summary = demo::disputes::fill(&store, &clock, end, days, |_, _| {})
        .await
        .expect("the demo's disputes");
    assert_eq!(summary.refused, 0, "{summary:?}");
    assert_eq!(summary.taken, 546, "{summary:?}");
    assert_eq!(summary.failed, 1, "{summary:?}");
    assert!(summary.settled >= 530, "nearly all settled: {summary:?}");
    let app = TestApp::serve(db, store).await;

    let leader = app.client();
    assert_eq!(leader.login("leader", demo::PASSWORD).await.status, 303);
    let (first, last) = (
        business_date(end - chrono::Duration::days(days)),
        business_date(end),
    );
    let page = leader
        .get(&format!("/disputes/figures?period={first}..{last}"))
        .await;
    assert_eq!(page.status, 200);
    let cells = crate::stats::cell_texts(&page.body);
    let shown = |label: &str| {
        let at = cells.iter().position(|c| c == label).expect(label);
        cells.get(at + 1).cloned().expect("a value")
    };

    // The recount: the rows of the ledger, and the histories folded again.
    let principal = match app.store.login("leader", demo::PASSWORD, None).await {
        Ok(jiedao_store::LoginOutcome::LoggedIn(session)) => session.principal,
        other => panic!("the demo leader: {other:?}"),
    };
    let (taken, settled, rollup, rebuilt) = app
        .store
        .read(move |conn| {
            let scope = principal.scope();
            let all = |settled| DisputeFilter {
                from: Some(first),
                to: Some(last),
                settled,
                limit: 10_000,
                ..DisputeFilter::default()
            };
            let (taken, _) = disputes::read::list(conn, &scope, &all(None))?;
            let (settled, _) = disputes::read::list(conn, &scope, &all(Some(true)))?;
            Ok((
                taken.len(),
                settled.len(),
                disputes::figures::rollup_rows(conn)?,
                disputes::figures::rebuild(conn)?,
            ))
        })
        .await
        .expect("recount");
    assert_eq!(rollup, rebuilt, "the rollup is the histories folded");
    assert_eq!(taken, 546);
    assert_eq!(shown("受理数"), taken.to_string());
    assert_eq!(shown("调处成功数"), settled.to_string());
    let rate = Rate {
        numerator: u64::try_from(settled).expect("count"),
        denominator: u64::try_from(taken).expect("count"),
    };
    assert_eq!(shown("成功率"), rate.text());
    let total: Counts = rebuilt.values().copied().sum();
    assert_eq!(total.criminal, 0, "无一例民转刑");
    assert!(
        (300_000_000..600_000_000).contains(&total.amount_fen),
        "around 460万元 at stake: {}",
        total.amount_fen
    );
}

on_both_backends!(the_demo_years_figures_equal_a_recount_of_the_ledger);

/// A committee's Excel ledger imports all or nothing: a bad row is named by its row and
/// column and nothing is written; the good file registers every row, finding a party already
/// in the registry by their ID number.
async fn a_mediation_ledger_imports_all_or_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // 钱乙 is in the registry already, from a dispute registered at the form.
    registered_in_a(&app, "staff_a", 701).await;
    let persons = app.count("registry_person").await;
    let staff = signed_in(&app, "staff_a").await;
    staff.get("/disputes/import").await;
    let header = "社区,纠纷类型,纠纷来源,申请人,申请人身份证号码,被申请人,被申请人身份证号码,纠纷主要事实,争议事项,调解标的（元）";
    let row = |kind: &str, serial: u32, respondent: &str| {
        format!(
            "甲社区,{kind},来电,何丙{serial},{},钱乙,{respondent},噪音扰民,赔偿与道歉,1200",
            document(serial)
        )
    };
    let known = document(702);
    let bad = format!(
        "{header}\n{}\n{}\n",
        row("物业纠纷", 801, &known),
        row("不存在的类型", 803, &known)
    );
    let answer = staff
        .post_multipart(
            "/disputes/import",
            &[],
            &[("file", "ledger.csv", bad.into_bytes())],
        )
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer
            .body
            .contains(r#"<td data-label="行号">3</td><td data-label="列" data-user>纠纷类型</td>"#),
        "{}",
        answer.body
    );
    assert_eq!(app.count("dispute").await, 1, "nothing imported");
    assert_eq!(app.count("registry_person").await, persons, "nobody added");

    let good = format!(
        "{header}\n{}\n{}\n",
        row("物业纠纷", 801, &known),
        row("neighbour", 803, &known)
    );
    let answer = staff
        .post_multipart(
            "/disputes/import",
            &[],
            &[("file", "ledger.csv", good.into_bytes())],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(app.count("dispute").await, 3);
    assert_eq!(
        app.count("registry_person").await,
        persons + 2,
        "the two applicants are new; 钱乙 was found by the ID number"
    );
    let (_, found) = api(&app, "staff_a", "GET", "/api/v1/disputes?kind=property", "").await;
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    // Outside the roles that register disputes.
    let handler = signed_in(&app, "handler").await;
    assert_eq!(handler.get("/disputes/import").await.status, 403);
}

on_both_backends!(a_mediation_ledger_imports_all_or_nothing);
