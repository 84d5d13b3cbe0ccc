//! Live pages through HTTP (issue 18): the command centre's wall and the inbox follow the
//! cases over server-sent events, scoped to the reader, bounded per account, and refused to
//! those who may not see them.

use std::time::Duration;

use jiedao_store::testing::FIXTURE_PASSWORD;
use jiedao_store::{Backend, on_both_backends};

use crate::cases::resident_reports;
use crate::support::{Client, TestApp};

/// How long a test waits for the next event before it fails.
const PATIENCE: Duration = Duration::from_secs(20);

/// An open event stream, read one event at a time.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    async fn open(person: &Client, path: &str) -> Events {
        let response = person.open_stream(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let kind = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(kind.starts_with("text/event-stream"), "{kind}");
        Events {
            response,
            buffer: String::new(),
        }
    }

    /// The data of the next `live` event (keep-alive comments are skipped).
    async fn next(&mut self) -> String {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let event: String = self.buffer.drain(..end + 2).collect();
                if event.lines().any(|line| line == "event: live") {
                    return event
                        .lines()
                        .filter_map(|line| {
                            line.strip_prefix("data: ").or(line.strip_prefix("data:"))
                        })
                        .collect::<Vec<_>>()
                        .join("\n");
                }
                continue;
            }
            let chunk = tokio::time::timeout(PATIENCE, self.response.chunk())
                .await
                .expect("an event in time")
                .expect("the stream")
                .expect("the stream is still open");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

async fn signed_in(app: &TestApp, username: &str) -> Client {
    let person = app.client();
    assert_eq!(person.login(username, FIXTURE_PASSWORD).await.status, 303);
    person
}

async fn the_wall_follows_intake_without_a_reload(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let lead = signed_in(&app, "shiftlead").await;
    let page = lead.get("/wall").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("指挥中心") && page.body.contains(r#"data-live="/wall/events""#));
    assert!(page.body.contains("今日暂无受理"), "{}", page.body);
    assert!(
        !page.body.contains(r#"class="main-nav""#),
        "the wall has no navigation bar"
    );

    let mut wall = Events::open(&lead, "/wall/events").await;
    let first = wall.next().await;
    assert!(first.contains("今日暂无受理"), "{first}");
    assert!(
        !first.contains("<html"),
        "an event carries the live part only"
    );

    let (_, _) = resident_reports(&app).await;
    let after = wall.next().await;
    assert!(!after.contains("今日暂无受理"), "{after}");
    assert!(after.contains("居民上报"), "by channel: {after}");
    assert!(
        after.contains("alert-new"),
        "the new case rolls in: {after}"
    );

    // Staff of community B do not see community A's case on their wall.
    let other = signed_in(&app, "staff_b").await;
    let mut theirs = Events::open(&other, "/wall/events").await;
    assert!(theirs.next().await.contains("今日暂无受理"));
}

async fn the_inbox_counts_new_work_live(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let intake = signed_in(&app, "intake").await;
    let page = intake.get("/inbox").await;
    assert!(
        page.body.contains("data-sound"),
        "intake operators may turn on a sound"
    );
    assert!(page.body.contains(r#"data-count="0""#), "{}", page.body);
    let mut inbox = Events::open(&intake, "/inbox/events").await;
    assert!(inbox.next().await.contains(r#"data-count="0""#));
    resident_reports(&app).await;
    let after = inbox.next().await;
    assert!(after.contains(r#"data-count="1""#), "{after}");

    let leader = signed_in(&app, "leader").await;
    assert!(!leader.get("/inbox").await.body.contains("data-sound"));
}

async fn live_streams_are_bounded_and_refused_out_of_role(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let lead = signed_in(&app, "shiftlead").await;
    let mut open = Vec::new();
    for _ in 0..8 {
        open.push(Events::open(&lead, "/wall/events").await);
    }
    let refused = lead.open_stream("/inbox/events").await;
    assert_eq!(refused.status(), 429, "one account holds at most eight");
    open.pop();
    // The place is given back once the server notices the stream is gone.
    let mut back = None;
    for _ in 0..200 {
        let response = lead.open_stream("/wall/events").await;
        if response.status() == 200 {
            back = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(back.is_some(), "a closed stream's place is given back");

    let resident = signed_in(&app, "resident_a").await;
    for path in ["/wall", "/wall/events", "/inbox/events"] {
        assert_eq!(resident.open_stream(path).await.status(), 403, "{path}");
    }
    let admin = signed_in(&app, "admin").await;
    assert_eq!(admin.open_stream("/wall/events").await.status(), 403);
    assert_eq!(app.client().open_stream("/wall/events").await.status(), 303);
}

on_both_backends!(
    the_wall_follows_intake_without_a_reload,
    the_inbox_counts_new_work_live,
    live_streams_are_bounded_and_refused_out_of_role,
);
