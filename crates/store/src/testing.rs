//! Throwaway databases for tests, on either backend: a temporary SQLite file, or a fresh
//! PostgreSQL schema when `TEST_PG_URL` is set. With `JIEDAO_REQUIRE_PG=1` (as CI sets it) a
//! missing `TEST_PG_URL` fails the PostgreSQL variant instead of skipping it.

use std::sync::Arc;

use jiedao_core::Clock;

use crate::{Backend, Durability, Store, StoreConfig};

/// A data key for one test database (reopening it reads what was sealed).
fn test_key() -> Arc<crate::privacy::DataKey> {
    Arc::new(crate::privacy::DataKey::random().unwrap_or_else(|error| panic!("test key: {error}")))
}

/// A database that disappears with the value.
pub struct TestDb {
    config: StoreConfig,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => Some(TestDb::sqlite()),
            Backend::Postgres => TestDb::postgres(),
        }
    }

    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("temp dir: {error}"));
        let mut config =
            StoreConfig::new(format!("sqlite://{}", dir.path().join("test.db").display()));
        config.files_dir = dir.path().join("files");
        config.data_key = Some(test_key());
        // Tests need no protection from power loss; NORMAL keeps them quick.
        config.durability = Durability::Normal;
        config.readers = 2;
        // Tests' webhook receivers listen on this machine.
        config.webhook_reach = crate::webhooks::WebhookReach::Local;
        TestDb {
            config,
            _dir: Some(dir),
            pg: None,
        }
    }

    /// A fresh schema on the PostgreSQL at `TEST_PG_URL`, or `None` (skip) when it is unset.
    pub fn postgres() -> Option<TestDb> {
        let Ok(url) = std::env::var("TEST_PG_URL") else {
            assert!(
                std::env::var("JIEDAO_REQUIRE_PG").as_deref() != Ok("1"),
                "JIEDAO_REQUIRE_PG=1 but TEST_PG_URL is not set"
            );
            eprintln!("TEST_PG_URL is not set: skipping the PostgreSQL variant");
            return None;
        };
        let mut suffix = [0_u8; 8];
        let _ = getrandom::fill(&mut suffix);
        let schema = format!(
            "t_{}",
            suffix
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("temp dir: {error}"));
        let mut config = StoreConfig::new(url.clone());
        config.pg_schema = Some(schema.clone());
        config.data_key = Some(test_key());
        config.readers = 2;
        config.files_dir = dir.path().join("files");
        config.webhook_reach = crate::webhooks::WebhookReach::Local;
        Some(TestDb {
            config,
            _dir: Some(dir),
            pg: Some((url, schema)),
        })
    }

    pub fn config(&self) -> StoreConfig {
        self.config.clone()
    }

    /// The configuration the store will be opened with, to change before opening.
    pub fn config_mut(&mut self) -> &mut StoreConfig {
        &mut self.config
    }

    pub async fn open(&self, clock: Arc<dyn Clock>) -> Store {
        Store::open(self.config(), clock)
            .await
            .unwrap_or_else(|error| panic!("opening the test store: {error}"))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((url, schema)) = self.pg.take() {
            let _ = crate::maintenance::drop_pg_schema(&url, &schema);
        }
    }
}

/// Runs each named `async fn(Backend)` as two tests, `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::Backend::Postgres).await;
                }
            }
        )+
    };
}

/// The password of every fixture user.
pub const FIXTURE_PASSWORD: &str = "Passw0rd-test";

/// A small street for tests: 测试街道 with communities A and B, two grids each, two departments
/// and a user for every role. Squares of 0.01° side; A lies west of B.
pub mod fixture {
    pub const DISTRICT: &str = "330106000000";
    pub const STREET: &str = "330106008000";
    pub const COMMUNITY_A: &str = "330106008001";
    pub const COMMUNITY_B: &str = "330106008002";
    pub const GRID_A1: &str = "330106008001001";
    pub const GRID_A2: &str = "330106008001002";
    pub const GRID_B1: &str = "330106008002001";
    pub const GRID_B2: &str = "330106008002002";
    pub const DEPARTMENT: &str = "城管中队";
    /// The code of [`DEPARTMENT`].
    pub const DEPARTMENT_CODE: &str = "cgzd";

    /// (username, role, node code, department)
    pub const USERS: [(&str, jiedao_core::Role, &str, Option<&str>); 12] = {
        use jiedao_core::Role::*;
        [
            ("admin", Administrator, STREET, None),
            ("leader", Leader, STREET, None),
            ("shiftlead", ShiftLead, STREET, None),
            ("intake", IntakeOperator, STREET, None),
            ("dispatcher", Dispatcher, STREET, None),
            ("handler", DepartmentHandler, STREET, Some(DEPARTMENT)),
            ("staff_a", CommunityStaff, COMMUNITY_A, None),
            ("staff_b", CommunityStaff, COMMUNITY_B, None),
            ("worker_a1", GridWorker, GRID_A1, None),
            ("worker_b1", GridWorker, GRID_B1, None),
            ("resident_a", Resident, COMMUNITY_A, None),
            ("resident_b", Resident, COMMUNITY_B, None),
        ]
    };

    /// A GeoJSON feature: a square of `size` degrees with its south-west corner at (lon, lat).
    pub fn square(code: &str, name: &str, lon: f64, lat: f64, size: f64) -> String {
        let (east, north) = (lon + size, lat + size / 2.0);
        format!(
            r#"{{"type":"Feature","properties":{{"code":"{code}","name":"{name}"}},"geometry":{{"type":"Polygon","coordinates":[[[{lon},{lat}],[{east},{lat}],[{east},{north}],[{lon},{north}],[{lon},{lat}]]]}}}}"#
        )
    }

    pub fn collection(features: &[String]) -> String {
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        )
    }

    /// The whole tree as one boundary file.
    pub fn boundaries() -> String {
        collection(&[
            format!(
                r#"{{"type":"Feature","properties":{{"code":"{DISTRICT}","name":"西湖区"}},"geometry":null}}"#
            ),
            square(STREET, "测试街道", 120.10, 30.25, 0.04),
            square(COMMUNITY_A, "甲社区", 120.10, 30.25, 0.02),
            square(COMMUNITY_B, "乙社区", 120.12, 30.25, 0.02),
            square(GRID_A1, "甲社区第一网格", 120.10, 30.25, 0.01),
            square(GRID_A2, "甲社区第二网格", 120.11, 30.25, 0.01),
            square(GRID_B1, "乙社区第一网格", 120.12, 30.25, 0.01),
            square(GRID_B2, "乙社区第二网格", 120.13, 30.25, 0.01),
        ])
    }
}

/// Loads [`fixture`] into `store`.
pub async fn load_fixture(store: &Store) {
    use crate::departments::{self, DepartmentKind, NewDepartment};
    use crate::users::NewUser;
    let system = crate::Principal::system("test");
    let scope = system.scope();
    store
        .import_boundaries(&scope, system.actor(None), fixture::boundaries())
        .await
        .unwrap_or_else(|error| panic!("fixture boundaries: {error:?}"));
    for (name, kind, community, platform) in [
        (
            fixture::DEPARTMENT,
            DepartmentKind::Stationed,
            None,
            "jianguan",
        ),
        ("平安办", DepartmentKind::Office, None, "zongzhi"),
        (
            "甲社区",
            DepartmentKind::Community,
            Some(fixture::COMMUNITY_A),
            "zongzhi",
        ),
    ] {
        let new = NewDepartment {
            code: (name == fixture::DEPARTMENT).then(|| fixture::DEPARTMENT_CODE.into()),
            street_code: fixture::STREET.into(),
            name: name.into(),
            kind,
            community_code: community.map(str::to_owned),
            platforms: vec![("zj2021".into(), platform.into())],
        };
        let (scope, actor, at) = (scope.clone(), system.actor(None), store.now());
        store
            .write(move |conn| departments::add(conn, &scope, &actor, at, &new))
            .await
            .unwrap_or_else(|error| panic!("fixture department: {error:?}"));
    }
    for (username, role, org, department) in fixture::USERS {
        let new = NewUser {
            username: username.into(),
            display_name: format!("测试{username}"),
            role,
            org_code: org.into(),
            department: department.map(str::to_owned),
            password: FIXTURE_PASSWORD.into(),
        };
        store
            .create_user(&scope, system.actor(None), new)
            .await
            .unwrap_or_else(|error| panic!("fixture user {username}: {error:?}"));
    }
}

/// Logs a fixture user in and returns who they are.
pub async fn principal(store: &Store, username: &str) -> crate::Principal {
    match store.login(username, FIXTURE_PASSWORD, None).await {
        Ok(crate::LoginOutcome::LoggedIn(session)) => session.principal,
        other => panic!("login of {username}: {other:?}"),
    }
}

/// The id of the department named `name` (the fixture's or the demo's).
pub async fn department_id(store: &Store, name: &'static str) -> jiedao_core::DepartmentId {
    let scope = crate::Principal::system("test").scope();
    store
        .read(move |conn| crate::departments::list(conn, &scope))
        .await
        .unwrap_or_else(|error| panic!("departments: {error}"))
        .into_iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no department {name}"))
        .id
}

/// Raw SQL for the store's own scenario tests (`crates/store/tests`), which tamper with the
/// audit log, make probe tables and count rows behind the store's back. Other crates hold no
/// SQL (a test of the `jiedao` crate scans for it), so they do not use this.
pub mod sql {
    use crate::db::{Conn, Row, ToValue, value::FromColumn};
    use crate::error::StoreError;

    pub fn execute(conn: &mut Conn, sql: &str, params: &[&dyn ToValue]) -> Result<u64, StoreError> {
        conn.execute(sql, params)
    }

    pub fn batch(conn: &mut Conn, sql: &str) -> Result<(), StoreError> {
        conn.batch(sql)
    }

    pub fn scalar<T: FromColumn>(
        conn: &mut Conn,
        sql: &str,
        params: &[&dyn ToValue],
    ) -> Result<T, StoreError> {
        conn.scalar(sql, params)
    }

    pub fn query<T>(
        conn: &mut Conn,
        sql: &str,
        params: &[&dyn ToValue],
        read: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        conn.query(sql, params, read)
    }

    pub fn query_one<T>(
        conn: &mut Conn,
        sql: &str,
        params: &[&dyn ToValue],
        read: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        conn.query_one(sql, params, read)
    }
}

/// A reporter's row as stored, phone still sealed: what tests of sealing and erasure look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReporter {
    pub case_id: jiedao_core::CaseId,
    /// The description of the reporter's case.
    pub description: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub anonymous: bool,
}

/// Every reporter's row as stored, phones sealed as they are on disk.
pub fn stored_reporters(conn: &mut crate::Conn) -> Result<Vec<StoredReporter>, crate::StoreError> {
    conn.query(
        "SELECT r.case_id, f.description, r.name, r.phone, r.anonymous
           FROM case_reporter r JOIN case_file f ON f.id = r.case_id
          ORDER BY f.reported_at, r.id",
        &[],
        |row| {
            Ok(StoredReporter {
                case_id: row.get(0)?,
                description: row.get(1)?,
                name: row.get(2)?,
                phone: row.get(3)?,
                anonymous: row.get(4)?,
            })
        },
    )
}

/// The id of the case numbered `number`, whatever its street.
pub fn case_id(
    conn: &mut crate::Conn,
    number: &str,
) -> Result<Option<jiedao_core::CaseId>, crate::StoreError> {
    conn.query_opt(
        "SELECT id FROM case_file WHERE number = $1",
        &[&number],
        |row| row.get(0),
    )
}

/// How many cases are in each state, by the state's stored name, in name order.
pub fn cases_by_state(conn: &mut crate::Conn) -> Result<Vec<(String, i64)>, crate::StoreError> {
    conn.query(
        "SELECT state, COUNT(*) FROM case_file GROUP BY state ORDER BY state",
        &[],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

/// How many cases' rows record a history length other than the records their history holds.
pub fn rows_off_their_history(conn: &mut crate::Conn) -> Result<i64, crate::StoreError> {
    conn.scalar(
        "SELECT COUNT(*) FROM case_file f
          WHERE f.event_count <> (SELECT COUNT(*) FROM case_event e WHERE e.case_id = f.id)",
        &[],
    )
}

/// A PNG of `width` × `height` pixels as its header declares them, with one tiny compressed
/// row behind: what a decompression bomb looks like to a reader that trusts the header. Made
/// here, never kept in git.
pub fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFF_u32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
        let mut typed = kind.to_vec();
        typed.extend_from_slice(data);
        out.extend_from_slice(&typed);
        out.extend_from_slice(&crc32(&typed).to_be_bytes());
    }
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    // 8-bit greyscale, deflate, adaptive filtering, no interlace.
    header.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &header);
    // A zlib stream of one stored empty block: decoding runs out of data, after the header.
    chunk(
        &mut out,
        b"IDAT",
        &[
            0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01,
        ],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}
