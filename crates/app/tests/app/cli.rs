//! Black-box tests of the command line and the demo street, on SQLite (the command line takes
//! the same store paths the PostgreSQL scenarios cover). Messages are checked for the parts
//! that read the same in both languages, since the operator's language follows `LANG`.

use std::sync::Arc;

use clap::Parser;
use jiedao::cli::{Cli, demo_banner, run};
use jiedao::demo;
use jiedao_core::{OrgKind, SystemClock};
use jiedao_store::testing::{self, TestDb};
use jiedao_store::{Principal, departments, maintenance, org};

use crate::support::TestApp;

async fn jiedao(args: &[&str]) -> anyhow::Result<()> {
    let mut argv = vec!["jiedao"];
    argv.extend_from_slice(args);
    run(Cli::try_parse_from(argv)?).await
}

fn square(code: &str, lon: f64, lat: f64, size: f64) -> String {
    jiedao_store::testing::fixture::square(code, "网格", lon, lat, size)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_refuses_bad_codes_and_bad_boundary_files_whole() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let db = ["--database", url.as_str()];
    let with_db = |args: &[&'static str]| -> Vec<String> {
        args.iter()
            .map(|a| (*a).to_owned())
            .chain(db.iter().map(|a| (*a).to_owned()))
            .collect()
    };
    let call = |args: Vec<String>| async move {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        jiedao(&refs).await
    };

    call(with_db(&[
        "org",
        "add",
        "--code",
        "330106000000",
        "--name",
        "西湖区",
    ]))
    .await
    .expect("district");
    call(with_db(&[
        "org",
        "add",
        "--code",
        "330106008000",
        "--name",
        "测试街道",
    ]))
    .await
    .expect("street");
    let bad = call(with_db(&[
        "org",
        "add",
        "--code",
        "330106700000",
        "--name",
        "坏代码",
    ]))
    .await
    .expect_err("township 700");
    let message = format!("{bad:#}");
    assert!(
        message.contains("7-9") && message.contains("700"),
        "{message}"
    );

    let write = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.display().to_string()
    };
    let community =
        jiedao_store::testing::fixture::square("330106008001", "甲社区", 120.10, 30.25, 0.02);
    let overlapping = write(
        "overlap.geojson",
        jiedao_store::testing::fixture::collection(&[
            community.clone(),
            square("330106008001001", 120.10, 30.25, 0.01),
            square("330106008001002", 120.105, 30.25, 0.01),
        ]),
    );
    let refused = call(vec![
        "import".into(),
        "grids".into(),
        overlapping,
        "--database".into(),
        url.clone(),
    ])
    .await
    .expect_err("overlap");
    let message = format!("{refused:#}");
    assert!(
        message.contains("330106008001001") && message.contains("330106008001002"),
        "{message}"
    );
    let garbage = write(
        "garbage.geojson",
        "{\"type\": \"FeatureCollection\", \"features\": [".into(),
    );
    let refused = call(vec![
        "import".into(),
        "grids".into(),
        garbage,
        "--database".into(),
        url.clone(),
    ])
    .await
    .expect_err("not json");
    assert!(format!("{refused:#}").contains("GeoJSON"), "{refused:#}");

    let store = open_as_the_command_line_does(&url, None).await;
    let scope = Principal::system("test").scope();
    let units = store
        .read(move |conn| org::list(conn, &scope, None))
        .await
        .expect("units");
    assert_eq!(units.len(), 2, "a refused file loads nothing: {units:?}");
    drop(store);

    let good = write(
        "good.geojson",
        jiedao_store::testing::fixture::collection(&[
            community,
            square("330106008001001", 120.10, 30.25, 0.01),
            square("330106008001002", 120.11, 30.25, 0.01),
        ]),
    );
    call(vec![
        "import".into(),
        "grids".into(),
        good,
        "--database".into(),
        url.clone(),
    ])
    .await
    .expect("clean file loads");
    let add_user = |username: &'static str| {
        with_db(&[
            "user",
            "add",
            "--username",
            username,
            "--name",
            "甲",
            "--role",
            "grid_worker",
            "--org",
            "330106008001001",
        ])
    };
    call(add_user("gw1")).await.expect("first user");
    let duplicate = call(add_user("gw1")).await.expect_err("duplicate");
    assert!(format!("{duplicate:#}").contains("gw1"), "{duplicate:#}");
    call(with_db(&["audit", "verify"]))
        .await
        .expect("the audit chain is intact");

    let copy = dir.path().join("copy.db");
    let copy_arg = copy.display().to_string();
    call(vec![
        "backup".into(),
        "--to".into(),
        copy_arg,
        "--database".into(),
        url.clone(),
    ])
    .await
    .expect("backup");
    // The copy opens only with the data key of the database it was taken from.
    let copy_url = format!("sqlite://{}", copy.display());
    let own_key = jiedao::config::Config {
        database: copy_url.clone(),
        ..jiedao::config::Config::default()
    };
    let error = jiedao::open_store(&own_key)
        .await
        .expect_err("a new key does not open the copy");
    assert!(format!("{error:#}").contains("data key"), "{error:#}");
    let copied =
        open_as_the_command_line_does(&copy_url, Some(dir.path().join("cli.db.key"))).await;
    let users: i64 = copied
        .read(|conn| maintenance::count_rows(conn, "app_user"))
        .await
        .expect("count");
    assert_eq!(users, 1);

    // Restoring needs the data key beside the target, and then gives the same data back.
    let restored = dir.path().join("restored.db");
    let restore = || {
        call(vec![
            "restore".into(),
            "--from".into(),
            copy.display().to_string(),
            "--database".into(),
            format!("sqlite://{}", restored.display()),
        ])
    };
    let refused = restore().await.expect_err("no key");
    assert!(
        format!("{refused:#}").contains("data_key_file") && format!("{refused:#}").contains(".key"),
        "names the key file and the setting, in either language: {refused:#}"
    );
    assert!(!restored.exists(), "nothing restored without the key");
    std::fs::copy(
        dir.path().join("cli.db.key"),
        dir.path().join("restored.db.key"),
    )
    .expect("copy the key");
    restore().await.expect("restore with the key");
    let back =
        open_as_the_command_line_does(&format!("sqlite://{}", restored.display()), None).await;
    let users: i64 = back
        .read(|conn| maintenance::count_rows(conn, "app_user"))
        .await
        .expect("count");
    assert_eq!(users, 1);
}

/// The database at `url` as the command line opens it (its data key beside it, or `key`).
async fn open_as_the_command_line_does(
    url: &str,
    key: Option<std::path::PathBuf>,
) -> jiedao_store::Store {
    let mut config = jiedao::config::Config {
        database: url.to_owned(),
        ..jiedao::config::Config::default()
    };
    config.store.data_key_file = key;
    jiedao::open_store(&config).await.expect("open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_street_is_realistic_and_every_printed_login_reaches_its_home() {
    let db = TestDb::sqlite();
    let store = db.open(Arc::new(SystemClock)).await;
    assert!(!demo::exists(&store).await.expect("exists"));
    demo::create(&store).await.expect("demo");
    assert!(demo::exists(&store).await.expect("exists"));

    let scope = Principal::system("test").scope();
    let (units, departments) = store
        .read(move |conn| {
            Ok((
                org::list(conn, &scope, None)?,
                departments::list(conn, &scope)?,
            ))
        })
        .await
        .expect("read");
    let communities = units
        .iter()
        .filter(|u| u.kind == OrgKind::Community)
        .count();
    let grids: Vec<_> = units.iter().filter(|u| u.kind == OrgKind::Grid).collect();
    assert!(communities >= 8, "{communities} communities");
    assert!(grids.len() >= 50, "{} grids", grids.len());
    assert!(
        grids
            .iter()
            .all(|g| g.area_m2.is_some_and(|a| a > 50_000.0)),
        "every grid is drawn"
    );
    let platforms: std::collections::BTreeSet<&str> = departments
        .iter()
        .flat_map(|d| d.platforms.iter().map(String::as_str))
        .collect();
    assert!(
        platforms.len() >= 4,
        "departments on the platforms: {platforms:?}"
    );
    // A point in the street lands in one of its grids.
    let grid = store
        .locate(120.09, 30.285)
        .await
        .expect("locate")
        .expect("in a grid");
    assert!(grid.code.starts_with("330106090"), "{}", grid.code);

    let banner = demo_banner("sqlite://jiedao-demo.db", false, "127.0.0.1:8080");
    let app = TestApp::serve(db, store).await;
    for (username, _) in demo::LOGINS {
        assert!(banner.contains(username), "{username} is printed");
        let person = app.client();
        let login = person.login(username, demo::PASSWORD).await;
        assert_eq!(login.status, 303, "{username}: {}", login.body);
        let home = person.get("/home").await;
        assert_eq!(home.status, 200, "{username}");
        assert!(
            home.body.contains("明湖街道") || home.body.contains("青枫社区"),
            "{username}: {}",
            home.body
        );
    }
    assert!(banner.contains(demo::PASSWORD) && banner.contains("http://127.0.0.1:8080/"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_cases_are_made_by_the_engine_without_a_refusal() {
    let db = TestDb::sqlite();
    let settings = db.config();
    let config = jiedao::config::Config {
        database: settings.url.clone(),
        files: settings.files_dir.clone(),
        ..jiedao::config::Config::default()
    };
    let days = 20;
    let summary = demo::build(&config, days).await.expect("the demo's cases");
    assert_eq!(summary.refused, 0, "every planned action was allowed");
    assert!(summary.reported >= 150, "{summary:?}");
    assert!(summary.actions >= summary.reported * 4, "{summary:?}");
    assert!(
        summary.visits >= u64::try_from(days * 3).expect("days"),
        "{summary:?}"
    );

    let store = jiedao::open_store(&config).await.expect("open");
    let by_state = store.read(testing::cases_by_state).await.expect("states");
    let count = |state: &str| {
        by_state
            .iter()
            .find(|(s, _)| s == state)
            .map_or(0, |(_, n)| *n)
    };
    let total: i64 = by_state.iter().map(|(_, n)| n).sum();
    assert_eq!(total, i64::try_from(summary.reported).expect("count"));
    assert!(
        count("closed") + count("evaluated") > total / 2,
        "most are finished: {by_state:?}"
    );
    assert!(
        count("evaluated") > 0 && count("voided") > 0,
        "{by_state:?}"
    );
    assert!(
        total - count("closed") - count("evaluated") - count("voided") > 0,
        "the last days' cases are still on their way: {by_state:?}"
    );
    // Each case's projection is the sum of its history.
    let mismatched = store
        .read(testing::rows_off_their_history)
        .await
        .expect("history");
    assert_eq!(mismatched, 0);
    let photos: i64 = store
        .read(|conn| maintenance::count_rows(conn, "attachment"))
        .await
        .expect("photos");
    assert!(
        photos >= count("closed") + count("evaluated"),
        "after-photos"
    );
}

/// The `jiedao` program run on its own with `LANG=lang` and `env`: whether it succeeded, and
/// what it wrote (standard output, then standard error).
fn program(lang: &str, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_jiedao"));
    command
        .args(args)
        .env("LANG", lang)
        .env_remove("JIEDAO_LANG")
        .env_remove("JIEDAO_CONFIG")
        .env_remove("JIEDAO_DATABASE")
        .env("RUST_LOG", "warn");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("run jiedao");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

#[test]
fn configuration_and_restore_errors_speak_the_operators_language() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("nowhere.toml");
    let missing = missing.display().to_string();
    let (ok, out) = program("zh_CN.UTF-8", &["--config", &missing, "migrate"], &[]);
    assert!(!ok && out.contains("无法读取配置文件"), "{out}");
    let (ok, out) = program("en_US.UTF-8", &["--config", &missing, "migrate"], &[]);
    assert!(
        !ok && out.contains("reading the configuration file"),
        "{out}"
    );
    let (ok, out) = program("C.UTF-8", &["migrate"], &[("JIEDAO_READERS", "many")]);
    assert!(
        !ok && out.contains("JIEDAO_READERS") && out.contains("应为整数"),
        "Chinese by default: {out}"
    );
    let backup = dir.path().join("none.db").display().to_string();
    let target = format!("sqlite://{}", dir.path().join("new.db").display());
    let (ok, out) = program(
        "zh_CN.UTF-8",
        &["restore", "--from", &backup, "--database", &target],
        &[],
    );
    assert!(
        !ok && out.contains("备份文件") && out.contains("不存在"),
        "{out}"
    );
}

#[test]
fn every_command_and_argument_has_its_help_in_both_languages() {
    use clap::CommandFactory;
    use jiedao::cli::help;
    let mut missing = Vec::new();
    for (path, args) in help::entries(&Cli::command()) {
        for lang in jiedao_core::Lang::ALL {
            if !help::has_line(lang, &path) {
                missing.push(format!("{}: {}", lang.tag(), help::key(&path, None)));
            }
            for arg in &args {
                if !help::has_arg_text(lang, &path, arg) {
                    missing.push(format!("{}: {}", lang.tag(), help::key(&path, Some(arg))));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "add to [help] in locales/: {missing:#?}"
    );
    for lang in jiedao_core::Lang::ALL {
        help::localize(Cli::command(), lang).debug_assert();
    }
}

#[test]
fn help_speaks_the_operators_language() {
    let (ok, out) = program("zh_CN.UTF-8", &["--help"], &[]);
    assert!(ok, "{out}");
    for words in [
        "用法：",
        "命令",
        "运行 Web 应用",
        "案件分类",
        "显示帮助",
        "显示版本",
    ] {
        assert!(out.contains(words), "{words}: {out}");
    }
    assert!(!out.contains("Serve the web application"), "{out}");
    let (ok, out) = program("C.UTF-8", &["import", "holidays", "--help"], &[]);
    assert!(ok, "{out}");
    for words in ["国务院通知", "参数", "节假日文件", "选项", "--database"] {
        assert!(out.contains(words), "Chinese by default, {words}: {out}");
    }
    let (ok, out) = program("zh_CN.UTF-8", &["bench", "intake", "--help"], &[]);
    assert!(ok && out.contains("（默认：64）"), "{out}");
    let (ok, out) = program("en_US.UTF-8", &["--help"], &[]);
    assert!(ok, "{out}");
    for words in [
        "Usage:",
        "Commands:",
        "Serve the web application",
        "Print help",
    ] {
        assert!(out.contains(words), "{words}: {out}");
    }
    let (ok, out) = program("en_US.UTF-8", &["bench", "intake", "--help"], &[]);
    assert!(ok && out.contains("[default: 64]"), "{out}");
    // A mistake still names what was wrong, and exits with a failure.
    let (ok, out) = program("zh_CN.UTF-8", &["import", "nothing"], &[]);
    assert!(!ok && out.contains("nothing"), "{out}");
}
