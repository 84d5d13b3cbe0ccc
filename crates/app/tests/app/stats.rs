//! Statistics through HTTP: figures with their formulas and their cases, empty periods shown
//! as not applicable, rankings, and the bulletin whose page, workbook and document agree.

use std::io::Read as _;

use calamine::{Data, Reader, Xlsx};
use jiedao_store::testing::fixture;
use jiedao_store::{Backend, on_both_backends};

use crate::cases::{act_ok, resident_reports, staff};
use crate::support::{TestApp, category, department, has_chinese_outside_user_data, photo};

/// The texts of every body cell of the page's tables, in order, tags stripped.
pub(crate) fn cell_texts(html: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<td") {
        let after = &rest[start..];
        let open_end = after.find('>').expect("cell opens") + 1;
        let end = after.find("</td>").expect("cell closes");
        let mut text = String::new();
        let mut in_tag = false;
        for c in after[open_end..end].chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ if !in_tag => text.push(c),
                _ => {}
            }
        }
        cells.push(unescape(&text));
        rest = &after[end + 5..];
    }
    cells
}

fn unescape(text: &str) -> String {
    text.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
}

/// The row of the table cell that holds `label`: the cells after it up to `n`.
fn row_after(cells: &[String], label: &str, n: usize) -> Vec<String> {
    let at = cells.iter().position(|c| c == label).expect(label);
    cells[at + 1..at + 1 + n].to_vec()
}

/// Every body cell of every sheet, in order, as text.
fn workbook_texts(bytes: &[u8]) -> Vec<String> {
    let mut book = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("calamine opens it");
    let mut cells = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).expect("sheet");
        for row in range.rows().skip(2) {
            for cell in row {
                cells.push(match cell {
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => i.to_string(),
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                });
            }
        }
    }
    cells
}

/// The workbook's cells say what the page's say: the same text, or the same figure stored as a
/// number (a rate as its fraction, "50.00%" as 0.5).
fn same_figures(book: &[String], page: &[String]) {
    assert_eq!(book.len(), page.len(), "{book:?}\n{page:?}");
    for (stored, shown) in book.iter().zip(page) {
        let figure = match shown.strip_suffix('%') {
            Some(percent) => percent.parse::<f64>().ok().map(|p| p / 100.0),
            None => shown.parse::<f64>().ok(),
        };
        match (figure, stored.parse::<f64>()) {
            (Some(expected), Ok(number)) => assert!(
                (expected - number).abs() < 1e-9,
                "{stored} in the workbook, {shown} on the page"
            ),
            _ => assert_eq!(stored, shown, "the workbook says what the page says"),
        }
    }
}

/// Every body cell of every table of the Word document, in order, read from its XML.
fn document_texts(bytes: &[u8]) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("zip");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .expect("document part")
        .read_to_string(&mut xml)
        .expect("utf-8");
    let mut cells = Vec::new();
    for table in xml.split("<w:tbl>").skip(1) {
        let table = table.split("</w:tbl>").next().expect("table");
        for row in table.split("<w:tr>").skip(2) {
            for cell in row.split("<w:tc>").skip(1) {
                let text: String = cell
                    .split("<w:t xml:space=\"preserve\">")
                    .skip(1)
                    .map(|t| t.split("</w:t>").next().unwrap_or(""))
                    .collect();
                cells.push(unescape(&text));
            }
        }
    }
    cells
}

async fn figures_explain_themselves_and_the_bulletin_agrees(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let leader = staff(&app, "leader").await;
    let empty = leader.get("/stats").await;
    assert_eq!(empty.status, 200, "{}", empty.body);
    let cells = cell_texts(&empty.body);
    assert_eq!(
        row_after(&cells, "结案率", 6)[3..],
        ["—", "—", "—"],
        "an empty period is not applicable, never 0% or 100%"
    );

    // One case goes all the way and is rated; one is voided.
    let (done, link) = resident_reports(&app).await;
    let squad = department(&app.store, fixture::DEPARTMENT).await;
    let (intake, dispatcher, handler, worker, lead) = (
        staff(&app, "intake").await,
        staff(&app, "dispatcher").await,
        staff(&app, "handler").await,
        staff(&app, "worker_a1").await,
        staff(&app, "shiftlead").await,
    );
    let litter = category(&app, "E0101").await;
    let file = [
        ("category", litter.as_str()),
        ("urgency", "normal"),
        ("note", ""),
    ];
    act_ok(&intake, done, "file", &file, &[], "已立案").await;
    let dispatch = [("department", squad.as_str()), ("note", "")];
    act_ok(&dispatcher, done, "dispatch", &dispatch, &[], "已派遣").await;
    act_ok(&handler, done, "accept", &[], &[], "处置中").await;
    let after = [("photos", "after.png", photo())];
    act_ok(
        &handler,
        done,
        "report_done",
        &[("note", "已清运")],
        &after,
        "待核查",
    )
    .await;
    let check = [("passed", "yes"), ("note", "")];
    act_ok(&worker, done, "check", &check, &[], "待结案").await;
    act_ok(&lead, done, "close", &[("note", "")], &[], "已结案").await;
    let resident = app.client();
    // Closed, in the reporter's words.
    assert!(resident.get(&link).await.body.contains("已办结，请评价"));
    let rated = resident
        .post_multipart(
            &format!("{link}/follow_up"),
            &[("satisfaction", "basic"), ("note", "")],
            &[],
        )
        .await;
    assert_eq!(rated.status, 303);
    let (voided, _) = resident_reports(&app).await;
    act_ok(&lead, voided, "void", &[("reason", "重复")], &[], "已作废").await;

    let page = leader.get("/stats").await;
    let cells = cell_texts(&page.body);
    // 指标, 计算公式, 分子, 分母, 本期, 去年同期, 同比
    assert_eq!(
        row_after(&cells, "立案率", 6),
        ["立案率 = 立案数 / 受理数", "1", "2", "50.00%", "—", "—"]
    );
    assert_eq!(row_after(&cells, "结案率", 6)[1..4], ["1", "1", "100.00%"]);
    assert_eq!(
        row_after(&cells, "满意率", 6)[0],
        "满意率 = (满意数 + 基本满意数) / 回访数"
    );
    assert_eq!(row_after(&cells, "满意率", 6)[3], "100.00%");
    assert_eq!(row_after(&cells, "作废数", 1), ["1"]);
    assert!(page.body.contains("共受理案件2件"), "the report's sentence");

    // The 结案数 figure lists exactly the case it counts.
    let marker = "count=closed";
    let at = page.body.find(marker).expect("closed links to its cases");
    let start = page.body[..at].rfind("href=\"").expect("link") + 6;
    let href = page.body[start..at + marker.len()].replace("&#38;", "&");
    let listed = leader.get(&href).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert!(listed.body.contains(&format!("/cases/{done}")));
    assert!(!listed.body.contains(&format!("/cases/{voided}")));
    let accepted = leader
        .get(&href.replace("count=closed", "count=accepted"))
        .await;
    assert!(accepted.body.contains(&format!("/cases/{voided}")));

    // The bulletin: page, workbook and document carry the same figures.
    let bulletin = leader.get("/stats/bulletin").await;
    assert_eq!(bulletin.status, 200);
    let on_page = cell_texts(&bulletin.body);
    assert!(on_page.contains(&"50.00%".to_owned()));
    // It prints as a document: the print stylesheet hides the navigation, the footer and the
    // download links (checked as served, not as printed: no print emulation in the tests).
    assert!(
        bulletin
            .body
            .contains(r#"<link rel="stylesheet" href="/static/print.css" media="print">"#)
    );
    assert!(
        bulletin
            .body
            .contains(r#"<p class="no-print"><a href="/stats/bulletin.xlsx"#)
    );
    let print = leader.get("/static/print.css").await;
    assert_eq!(print.status, 200);
    assert!(print.body.contains(
        "header.top, footer.foot, nav, .lang, form, button, .no-print { display: none !important; }"
    ));
    let (status, kind, xlsx) = leader.download("/stats/bulletin.xlsx").await;
    assert_eq!(status, 200);
    assert!(kind.contains("spreadsheetml"));
    same_figures(&workbook_texts(&xlsx), &on_page);
    let (status, kind, docx) = leader.download("/stats/bulletin.docx").await;
    assert_eq!(status, 200);
    assert!(kind.contains("wordprocessingml"));
    assert_eq!(
        document_texts(&docx),
        on_page,
        "the document says what the page says"
    );

    let _ = leader.get("/lang/en").await;
    for path in ["/stats", "/stats/bulletin", &href] {
        let english = leader.get(path).await;
        assert_eq!(english.status, 200);
        assert!(
            !has_chinese_outside_user_data(&english.body),
            "{path}: {}",
            english.body
        );
    }
    assert!(
        leader
            .get("/stats?period=2026-13")
            .await
            .body
            .contains("is not valid")
    );
    assert_eq!(handler.get("/stats").await.status, 403);
    assert_eq!(worker.get("/stats/bulletin.xlsx").await.status, 403);
}

on_both_backends!(figures_explain_themselves_and_the_bulletin_agrees);
