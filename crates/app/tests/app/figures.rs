//! Figures that read as a report prints them, through HTTP with the server's clock walked
//! across a month's end: periods in words, formulas bracketed, rates counted by the cohort of
//! cases (none passes 100%), last year like with like, ties and the lists' rule stated, the
//! page opening on a period with data, breakdowns linked and in the API, the workbook's
//! numbers as numbers, the dashboard's rates the statistics' own, and exports past 500 rows.

use std::io::Read as _;
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use jiedao_core::ManualClock;
use jiedao_core::clock::CHINA;
use jiedao_store::testing::{FIXTURE_PASSWORD, TestDb, fixture, load_fixture};
use jiedao_store::{Backend, on_both_backends};
use serde_json::Value;

use crate::cases::{act, act_ok, finished_job, resident_reports, staff, upload_work_orders};
use crate::stats::cell_texts;
use crate::support::{Client, TestApp, category, department, photo};

fn beijing(text: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time");
    CHINA
        .from_local_datetime(&naive)
        .single()
        .expect("local")
        .with_timezone(&Utc)
}

/// The test server on a clock the test walks.
async fn spawn_at(backend: Backend, start: &str) -> Option<(TestApp, Arc<ManualClock>)> {
    let db = TestDb::new(backend)?;
    let clock = Arc::new(ManualClock::new(beijing(start)));
    let store = db.open(clock.clone()).await;
    load_fixture(&store).await;
    Some((TestApp::serve(db, store).await, clock))
}

/// The `n` cells after the one that reads `label`.
fn row_after(cells: &[String], label: &str, n: usize) -> Vec<String> {
    let at = cells.iter().position(|c| c == label).expect(label);
    cells[at + 1..at + 1 + n].to_vec()
}

/// Every link of the page whose address holds `marker`, unescaped.
fn links_with(html: &str, marker: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.replace("&#38;", "&").replace("&amp;", "&"))
        .filter(|href| href.contains(marker))
        .collect()
}

async fn api_token(app: &TestApp, username: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/login", app.base))
        .json(&serde_json::json!({"username": username, "password": FIXTURE_PASSWORD}))
        .send()
        .await
        .expect("login");
    let body: Value = response.json().await.expect("json");
    body["token"].as_str().expect("token").to_owned()
}

async fn api_get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

/// Files `case` under the category `code` as `person`.
async fn file_as(app: &TestApp, person: &Client, case: jiedao_core::CaseId, code: &str) {
    let kind = category(app, code).await;
    let file = [
        ("category", kind.as_str()),
        ("urgency", "normal"),
        ("note", ""),
    ];
    act_ok(person, case, "file", &file, &[], "已立案").await;
}

/// Imports 12345 work orders (`rows` under the header 工单编号,来电时间,诉求内容,诉求地址,诉求分类,
/// 联系人,联系电话)
/// as the intake operator, and waits for `imported` of them to be taken in.
async fn import_work_orders(app: &TestApp, rows: String, imported: usize) -> Client {
    let intake = staff(app, "intake").await;
    assert_eq!(intake.get("/import/hotline").await.status, 200);
    let export = format!("工单编号,来电时间,诉求内容,诉求地址,诉求分类,联系人,联系电话\n{rows}");
    let upload = upload_work_orders(&intake, &export, "strict").await;
    assert_eq!(upload.status, 303, "{}", upload.body);
    let result = finished_job(&intake, upload.location.as_deref().expect("job")).await;
    assert!(
        result.body.contains(&format!("新导入{imported}件")),
        "{}",
        result.body
    );
    intake
}

/// A case reported on 31 March and filed and dispatched on 1 April counts, with its filing and
/// dispatch, in March: April's 立案率 is not 100% of nothing and March's is not 0%.
async fn rates_count_the_cohort_and_periods_read_in_words(backend: Backend) {
    let Some((app, clock)) = spawn_at(backend, "2026-03-31 15:00").await else {
        return;
    };
    let (taken_in_march, _) = resident_reports(&app).await;
    clock.set(beijing("2026-04-01 10:00"));
    let squad = department(&app.store, fixture::DEPARTMENT).await;
    let (intake, dispatcher, leader) = (
        staff(&app, "intake").await,
        staff(&app, "dispatcher").await,
        staff(&app, "leader").await,
    );
    file_as(&app, &intake, taken_in_march, "E0101").await;
    let dispatch = [("department", squad.as_str()), ("note", "")];
    act_ok(
        &dispatcher,
        taken_in_march,
        "dispatch",
        &dispatch,
        &[],
        "已派遣",
    )
    .await;
    let (taken_in_april, _) = resident_reports(&app).await;

    let march = leader.get("/stats?period=2026-03").await;
    assert_eq!(march.status, 200, "{}", march.body);
    let cells_of_march = cell_texts(&march.body);
    // 计算公式, 分子, 分母, 本期
    assert_eq!(
        row_after(&cells_of_march, "立案率", 4),
        ["立案率 = 立案数 / 受理数", "1", "1", "100.00%"]
    );
    assert_eq!(
        row_after(&cells_of_march, "派遣率", 4),
        ["派遣率 = 派遣数 / 立案数", "1", "1", "100.00%"]
    );
    assert_eq!(
        row_after(&cells_of_march, "满意率", 1),
        ["满意率 = (满意数 + 基本满意数) / 回访数"],
        "the sum is bracketed"
    );
    assert!(march.body.contains("测试街道 2026年3月"), "{}", march.body);
    assert!(march.body.contains("2026年3月共受理案件1件"));
    assert!(
        march.body.contains("按案件的受理日期计入统计周期"),
        "the counting rule is on the page"
    );
    let april = cell_texts(&leader.get("/stats?period=2026-04").await.body);
    assert_eq!(
        row_after(&april, "立案率", 4)[1..],
        ["0", "1", "0.00%"],
        "April took one report and has filed none of it"
    );
    assert_eq!(row_after(&april, "派遣率", 4)[3], "—");

    // The filing counted in March lists the case from March's figure.
    let filed = links_with(&march.body, "count=filed");
    let listed = leader.get(filed.first().expect("filed links")).await;
    assert!(listed.body.contains(&format!("/cases/{taken_in_march}")));
    assert!(!listed.body.contains(&format!("/cases/{taken_in_april}")));
    assert!(listed.body.contains("2026年3月"), "{}", listed.body);

    // Periods in words, on the page and in both bulletin files.
    let days = leader.get("/stats?period=2026-03-31..2026-04-01").await;
    assert!(days.body.contains("2026年3月31日至4月1日"), "{}", days.body);
    let quarter = leader.get("/stats/bulletin?period=2026-Q1").await;
    assert!(
        quarter
            .body
            .contains("测试街道2026年第一季度城市治理工作通报")
    );
    assert!(!quarter.body.contains("2026-Q1共受理"));
    let (_, _, docx) = leader.download("/stats/bulletin.docx?period=2026-Q1").await;
    let mut xml = String::new();
    zip::ZipArchive::new(std::io::Cursor::new(docx))
        .expect("zip")
        .by_name("word/document.xml")
        .expect("document")
        .read_to_string(&mut xml)
        .expect("utf-8");
    assert!(xml.contains("测试街道2026年第一季度城市治理工作通报"));
    assert!(xml.contains("2026年第一季度共受理案件1件"));
    assert!(xml.contains("(满意数 + 基本满意数) / 回访数"));

    // The workbook: rates as fractions with a % format, counts as numbers, a case sheet.
    let (status, _, xlsx) = leader.download("/stats/bulletin.xlsx?period=2026-03").await;
    assert_eq!(status, 200);
    let mut book = Xlsx::new(std::io::Cursor::new(xlsx.clone())).expect("calamine opens it");
    assert!(
        book.sheet_names().contains(&"案件统计".to_owned()),
        "{:?}",
        book.sheet_names()
    );
    let indicators = book.worksheet_range("考核指标").expect("indicators");
    let filing = indicators
        .rows()
        .find(|row| row.first() == Some(&Data::String("立案率".into())))
        .expect("立案率 row");
    assert_eq!(filing[2], Data::Float(1.0), "the numerator is a number");
    assert_eq!(
        filing[4],
        Data::Float(1.0),
        "100% is stored as 1 with a % format"
    );
    let counts = book.worksheet_range("案件统计").expect("counts");
    let accepted = counts
        .rows()
        .find(|row| row.first() == Some(&Data::String("受理数".into())))
        .expect("受理数 row");
    assert_eq!(accepted[1], Data::Float(1.0));
    let mut styles = String::new();
    zip::ZipArchive::new(std::io::Cursor::new(xlsx))
        .expect("zip")
        .by_name("xl/styles.xml")
        .expect("styles")
        .read_to_string(&mut styles)
        .expect("utf-8");
    assert!(styles.contains("0.00%"), "{styles}");

    // A running period is compared with the same days last year.
    let year = leader.get("/stats?period=2026").await;
    assert!(
        year.body
            .contains("本期尚未结束，数字统计至2026年4月1日；去年同期按2025年1月1日至4月1日计"),
        "{}",
        year.body
    );
    let token = api_token(&app, "leader").await;
    let (status, figures) = api_get(&app, &token, "/api/v1/stats?period=2026").await;
    assert_eq!(status, 200, "{figures}");
    assert_eq!(figures["last_year_period"], "2025-01-01..2025-04-01");
    assert_eq!(figures["running_on"], "2026-04-01");
    assert_eq!(figures["period_name"], "2026年");

    // English reads the same periods its own way.
    let _ = leader.get("/lang/en").await;
    let english = leader.get("/stats?period=2026-03-31..2026-04-01").await;
    assert!(english.body.contains("March 31 – April 1, 2026"));
}

/// The breakdown tables link to their cases like every other count, the API carries them, the
/// lists' rule is stated as it applies, a department counts what was dispatched to it.
async fn breakdowns_link_to_their_cases_and_reach_the_api(backend: Backend) {
    let Some((app, clock)) = spawn_at(backend, "2026-04-01 10:00").await else {
        return;
    };
    let (case, _) = resident_reports(&app).await;
    let squad = department(&app.store, fixture::DEPARTMENT).await;
    let (intake, dispatcher, leader) = (
        staff(&app, "intake").await,
        staff(&app, "dispatcher").await,
        staff(&app, "leader").await,
    );
    file_as(&app, &intake, case, "E0101").await;
    let dispatch = [("department", squad.as_str()), ("note", "")];
    act_ok(&dispatcher, case, "dispatch", &dispatch, &[], "已派遣").await;

    // No period asked: this month, which has data.
    let page = leader.get("/stats").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("测试街道 2026年4月"));
    for dimension in ["channel", "department", "category"] {
        let links = links_with(&page.body, &format!("dimension={dimension}&"));
        let link = links
            .first()
            .unwrap_or_else(|| panic!("the {dimension} table links to its cases"));
        let listed = leader.get(link).await;
        assert_eq!(listed.status, 200, "{link}: {}", listed.body);
        assert!(
            listed.body.contains(&format!("/cases/{case}")),
            "{link} lists the case"
        );
    }
    assert!(
        links_with(&page.body, "dimension=department&")
            .iter()
            .all(|l| l.contains("count=dispatched")),
        "a department counts what was dispatched to it"
    );
    let departments = page
        .body
        .split("部门排名")
        .nth(1)
        .expect("the departments' table");
    let departments = departments.split("</table>").next().expect("table");
    assert!(departments.contains("派遣数") && !departments.contains("受理数"));
    assert!(
        page.body.contains("本表参评单位"),
        "each ranking states its lists' rule"
    );
    assert!(!page.body.contains("各取得分最高、最低的前三名"));

    let token = api_token(&app, "leader").await;
    let (status, figures) = api_get(&app, &token, "/api/v1/stats").await;
    assert_eq!(status, 200, "{figures}");
    assert_eq!(figures["period"], "2026-04");
    assert_eq!(figures["departments"][0]["name"], fixture::DEPARTMENT);
    assert_eq!(figures["departments"][0]["counts"]["dispatched"], 1);
    assert_eq!(figures["channels"][0]["member"], "resident");
    assert_eq!(figures["channels"][0]["counts"]["accepted"], 1);
    assert_eq!(figures["categories"][0]["counts"]["filed"], 1);
    assert!(figures["people"].is_array());
    let named = |list: &Value| -> Vec<String> {
        list.as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["indicator"].as_str().map(str::to_owned))
            .collect()
    };
    let of_department = named(&figures["departments"][0]["indicators"]);
    assert!(
        of_department.contains(&"closure".to_owned())
            && !of_department.contains(&"filing".to_owned()),
        "a department has no 立案率 (a report counts to no department): {of_department:?}"
    );
    assert_eq!(named(&figures["channels"][0]["indicators"]).len(), 11);
    let openapi = reqwest::get(format!("{}/api/openapi.json", app.base))
        .await
        .expect("document")
        .text()
        .await
        .expect("text");
    assert!(openapi.contains("BreakdownView") && openapi.contains("\"departments\""));

    // Two months on with nothing new: the page opens on the latest month with data, and says so.
    clock.set(beijing("2026-06-03 10:00"));
    let leader = staff(&app, "leader").await;
    let moved = leader.get("/stats").await;
    assert!(
        moved
            .body
            .contains("本月尚无数据，显示最近有数据的月份：2026年4月"),
        "{}",
        moved.body
    );
    assert!(moved.body.contains("value=\"2026-04\""));
    let empty = leader.get("/stats?period=2026-06").await;
    assert!(empty.body.contains("本期没有任何案件数据"));
}

/// Takes `case` from filing to closing, on time, through the pages of the people who do it.
async fn close_on_time(app: &TestApp, case: jiedao_core::CaseId, category_code: &str) {
    let squad = department(&app.store, fixture::DEPARTMENT).await;
    file_as(app, &staff(app, "intake").await, case, category_code).await;
    let dispatch = [("department", squad.as_str()), ("note", "")];
    act_ok(
        &staff(app, "dispatcher").await,
        case,
        "dispatch",
        &dispatch,
        &[],
        "已派遣",
    )
    .await;
    let handler = staff(app, "handler").await;
    act_ok(&handler, case, "accept", &[], &[], "处置中").await;
    let after = [("photos", "after.png", photo())];
    act_ok(
        &handler,
        case,
        "report_done",
        &[("note", "已处置")],
        &after,
        "待核查",
    )
    .await;
    let check = [("passed", "yes"), ("note", "")];
    act_ok(
        &staff(app, "worker_a1").await,
        case,
        "check",
        &check,
        &[],
        "待结案",
    )
    .await;
    act_ok(
        &staff(app, "shiftlead").await,
        case,
        "close",
        &[("note", "")],
        &[],
        "已结案",
    )
    .await;
}

/// Two channels and two category branches with the same score are tied: neither goes on a
/// list (with two ranked, one place each side, and the tie straddles the line). A grid worker's
/// own report counts to them, linked to its case.
async fn ties_share_a_list_and_grid_workers_count_their_reports(backend: Backend) {
    let Some((app, _clock)) = spawn_at(backend, "2026-04-01 09:00").await else {
        return;
    };
    let (by_resident, _) = resident_reports(&app).await;
    let worker = staff(&app, "worker_a1").await;
    assert_eq!(worker.get("/report/grid").await.status, 200);
    let cover = category(&app, "B0101").await;
    let reported = worker
        .post_multipart(
            "/report/grid",
            &[
                ("category", &cover),
                ("description", "井盖破损"),
                ("lon", "120.105"),
                ("lat", "30.2525"),
                ("answer[B0101][cover_state]", "broken"),
            ],
            &[("photos", "cover.png", photo())],
        )
        .await;
    assert_eq!(reported.status, 303, "{}", reported.body);
    let by_worker: jiedao_core::CaseId = reported
        .location
        .as_deref()
        .and_then(|l| l.rsplit('/').next())
        .and_then(|id| id.parse().ok())
        .expect("the case's page");
    close_on_time(&app, by_resident, "E0101").await;
    close_on_time(&app, by_worker, "B0101").await;

    let leader = staff(&app, "leader").await;
    let page = leader.get("/stats?period=2026-04").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for heading in ["按来源渠道", "按事项大类"] {
        let table = page
            .body
            .split(heading)
            .nth(1)
            .and_then(|rest| rest.split("</table>").next())
            .expect(heading);
        let scores: Vec<String> = cell_texts(table)
            .into_iter()
            .filter(|c| c.contains('.') && !c.ends_with('%'))
            .collect();
        assert_eq!(scores.len(), 2, "{heading}: two scored: {table}");
        assert_eq!(scores[0], scores[1], "{heading}: tied");
        assert!(
            !table.contains("tag red") && !table.contains("tag black"),
            "{heading}: tied units share a list or neither is listed: {table}"
        );
        assert!(table.contains("本表参评单位2个，红榜、黑榜各取得分最高、最低的1名"));
    }
    let departments = page
        .body
        .split("部门排名")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .expect("departments");
    assert!(
        departments.contains("不足两个，不设红黑榜"),
        "{departments}"
    );

    // The grid worker's own report counts to them and opens its case.
    let reports = links_with(&page.body, "dimension=person&");
    let reports: Vec<&String> = reports
        .iter()
        .filter(|l| l.contains("count=reported"))
        .collect();
    assert_eq!(reports.len(), 1, "one grid worker reported");
    let listed = leader.get(reports[0]).await;
    assert!(listed.body.contains(&format!("/cases/{by_worker}")));
    assert!(!listed.body.contains(&format!("/cases/{by_resident}")));
}

/// A 12345 work order taken unlocated (in the street) and located to a grid later counts its
/// filing where its 受理 counts, in the street: the community's 立案率 never takes a filing
/// whose report it did not take, so it cannot pass 100%.
async fn a_report_located_later_files_where_it_was_taken(backend: Backend) {
    let Some((app, _clock)) = spawn_at(backend, "2026-04-01 09:00").await else {
        return;
    };
    let (in_a1, _) = resident_reports(&app).await;
    let intake = import_work_orders(
        &app,
        "HZ20260401001,2026-04-01 08:10,东门路灯不亮,甲社区东门,路灯,,\n".to_owned(),
        1,
    )
    .await;
    let list = intake.get("/cases").await;
    let imported: jiedao_core::CaseId = list
        .body
        .split("href=\"/cases/")
        .skip(1)
        .filter_map(|rest| rest.get(..36))
        .filter_map(|id| id.parse().ok())
        .find(|id| *id != in_a1)
        .expect("the imported case");
    let place = [
        ("lon", "120.105"),
        ("lat", "30.2525"),
        ("address", "甲社区东门"),
    ];
    let located = act(&intake, imported, "locate", &place, &[]).await;
    assert_eq!(located.status, 303, "{}", located.body);
    file_as(&app, &intake, in_a1, "E0101").await;
    file_as(&app, &intake, imported, "E0101").await;

    let leader = staff(&app, "leader").await;
    let community = cell_texts(
        &leader
            .get(&format!(
                "/stats?unit={}&period=2026-04",
                fixture::COMMUNITY_A
            ))
            .await
            .body,
    );
    assert_eq!(
        row_after(&community, "立案率", 4)[1..],
        ["1", "1", "100.00%"],
        "the community took one report and filed it"
    );
    let street = cell_texts(&leader.get("/stats?period=2026-04").await.body);
    assert_eq!(row_after(&street, "立案率", 4)[1..], ["2", "2", "100.00%"]);
}

/// The dashboard's 结案率 and 满意率 are the statistics' own over the same days and open them.
async fn the_dashboard_reads_the_statistics_rates(backend: Backend) {
    let Some((app, _clock)) = spawn_at(backend, "2026-04-01 10:00").await else {
        return;
    };
    let (case, _) = resident_reports(&app).await;
    let intake = staff(&app, "intake").await;
    file_as(&app, &intake, case, "E0101").await;
    let leader = staff(&app, "leader").await;
    let board = leader.get("/dashboard").await;
    assert_eq!(board.status, 200, "{}", board.body);
    let links = links_with(&board.body, "/stats?unit=");
    let stats_link = links.first().expect("the rates open the statistics");
    assert!(
        stats_link.contains("period=2026-03-03..2026-04-01"),
        "{stats_link}"
    );
    let stats = leader.get(stats_link).await;
    let closure = row_after(&cell_texts(&stats.body), "结案率", 4)[3].clone();
    assert_eq!(closure, "—", "nothing was due to be closed");
    // The headline shows the same figure (a filed, open case is not 0% closed).
    let figure = board
        .body
        .split("<span>结案率</span>")
        .next()
        .and_then(|before| before.rsplit("<b>").next())
        .and_then(|b| b.split("</b>").next())
        .expect("the closure headline");
    assert_eq!(figure, closure);
    assert!(board.body.contains("结案率 = 结案数 / 应结案数"));
    assert!(board.body.contains("统计区间：2026年3月3日至4月1日"));
    // Those who may not read the statistics see no rates.
    let handler = staff(&app, "handler").await;
    let theirs = handler.get("/dashboard").await;
    if theirs.status == 200 {
        assert!(!theirs.body.contains("<span>结案率</span>"));
    }
}

/// The case list's Excel export carries every row up to its stated cap, not 500.
async fn the_case_export_carries_more_than_five_hundred_rows(backend: Backend) {
    let Some((app, _clock)) = spawn_at(backend, "2026-04-01 10:00").await else {
        return;
    };
    let mut rows = String::new();
    for n in 0..520 {
        rows.push_str(&format!(
            "HZ2026033{n:04},2026-03-31 08:10,第{n}处路灯不亮,甲社区东门,路灯,,\n"
        ));
    }
    import_work_orders(&app, rows, 520).await;
    let leader: Client = staff(&app, "leader").await;
    let list = leader.get("/cases").await;
    assert!(list.body.contains("共520件"), "the list counts them all");
    assert!(
        !list.body.contains("列表超过"),
        "no cap notice below the cap"
    );
    let (status, _, xlsx) = leader.download("/cases/export.xlsx").await;
    assert_eq!(status, 200);
    let mut book = Xlsx::new(std::io::Cursor::new(xlsx)).expect("calamine opens it");
    let name = book.sheet_names().first().cloned().expect("a sheet");
    let rows = book.worksheet_range(&name).expect("sheet").rows().count();
    assert_eq!(rows, 521, "a header and every case");
}

on_both_backends!(
    rates_count_the_cohort_and_periods_read_in_words,
    breakdowns_link_to_their_cases_and_reach_the_api,
    the_dashboard_reads_the_statistics_rates,
    the_case_export_carries_more_than_five_hundred_rows,
    ties_share_a_list_and_grid_workers_count_their_reports,
    a_report_located_later_files_where_it_was_taken,
);
