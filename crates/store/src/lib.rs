//! jiedao's database: one code path over SQLite (the embedded default) and PostgreSQL.
//!
//! Reads run on a pool of connections, each in a read-only transaction; writes go through the
//! single group-commit writer ([`db::writer`]). Modules hold one aggregate each; their functions
//! take a `&mut Conn` so several compose into one transaction, and every function that reads
//! scoped data takes a [`Scope`].

pub mod audit;
pub mod auth;
pub mod base_layers;
pub mod calendar;
pub mod cases;
pub mod categories;
pub mod clients;
pub(crate) mod db;
pub mod departments;
pub mod disputes;
pub mod economy;
pub mod error;
pub mod generated;
pub mod inspections;
pub mod integrity;
pub mod jobs;
pub mod ledger;
pub mod maintenance;
pub mod org;
pub mod personal;
pub mod petitions;
pub mod privacy;
pub mod reference;
pub mod refusal;
pub mod registry;
pub mod scope;
pub mod stats;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod users;
pub mod visits;
pub mod webhooks;

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use jiedao_core::calendar::WorkCalendar;
use jiedao_core::{Clock, GridCodeFormat};
use jiedao_geo::GridIndex;

use crate::categories::Catalog;
use crate::clients::ClientDirectory;

pub use auth::{LockoutPolicy, LoginOutcome, NewSession, SessionInfo};
pub use db::{Backend, Conn, Durability, Location};
pub use error::StoreError;
pub use org::GridRef;
pub use refusal::Refusal;
pub use scope::{Actor, Principal, Scope};

use db::open::{ConnectOptions, Purpose, connect};
use db::pool::Pool;
use db::writer::Writer;

/// How to reach the database and the policies the store enforces.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// `sqlite://FILE` or `postgres://...`
    pub url: String,
    pub durability: Durability,
    /// Reading connections kept open.
    pub readers: usize,
    /// Pieces of write work that may share one commit.
    pub max_batch: usize,
    /// A PostgreSQL schema to work in, created if missing (tests isolate themselves this way).
    pub pg_schema: Option<String>,
    pub grid_format: GridCodeFormat,
    pub lockout: LockoutPolicy,
    /// How long a login lasts.
    pub session_hours: i64,
    /// Overlaps and spill-overs smaller than this are rounding (square metres).
    pub boundary_tolerance_m2: f64,
    /// Where photos and files are kept.
    pub files_dir: std::path::PathBuf,
    /// The largest upload accepted, in bytes.
    pub max_upload_bytes: usize,
    /// Reports of the same category this close (metres) ...
    pub duplicate_radius_m: f64,
    /// ... and this close in time (hours) are offered as likely duplicates.
    pub duplicate_window_hours: i64,
    /// The key phone numbers are sealed with (from the deployment's key file); `None` makes
    /// a throwaway key at opening, for databases that live only as long as the process.
    pub data_key: Option<Arc<privacy::DataKey>>,
    /// Which receivers webhook deliveries may reach.
    pub webhook_reach: webhooks::WebhookReach,
}

impl StoreConfig {
    pub fn new(url: impl Into<String>) -> StoreConfig {
        StoreConfig {
            url: url.into(),
            durability: Durability::Full,
            readers: 4,
            max_batch: 1024,
            pg_schema: None,
            grid_format: GridCodeFormat::default(),
            lockout: LockoutPolicy::default(),
            session_hours: 12,
            boundary_tolerance_m2: jiedao_geo::DEFAULT_TOLERANCE_M2,
            files_dir: "jiedao-files".into(),
            max_upload_bytes: 10 * 1024 * 1024,
            duplicate_radius_m: 200.0,
            duplicate_window_hours: 72,
            data_key: None,
            webhook_reach: webhooks::WebhookReach::Public,
        }
    }
}

/// A value shared by every request and replaced whole when it changes.
struct Shared<T>(RwLock<Arc<T>>);

impl<T> Shared<T> {
    fn new(value: T) -> Self {
        Shared(RwLock::new(Arc::new(value)))
    }

    fn get(&self) -> Arc<T> {
        self.0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn set(&self, value: T) {
        *self
            .0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(value);
    }
}

struct Inner {
    config: StoreConfig,
    backend: Backend,
    readers: Pool,
    writer: Writer,
    /// SQLite only; stops with the store.
    checkpointer: Option<db::checkpointer::Checkpointer>,
    clock: Arc<dyn Clock>,
    grid_index: RwLock<Option<Arc<GridIndex<GridRef>>>>,
    /// Counts boundary changes, so caches of drawn boundaries know when to read them again.
    boundaries_version: std::sync::atomic::AtomicU64,
    catalog: Shared<Catalog>,
    calendar: Shared<WorkCalendar>,
    clients: Shared<ClientDirectory>,
    /// The reference mark the caches above were read at ([`reference`]).
    reference_mark: std::sync::Mutex<Option<String>>,
    files: ledger::attachments::FileStore,
    /// Told when a job was queued that should not wait for the runner's next look.
    jobs_due: tokio::sync::Notify,
    /// Counts the case changes this process committed (intake, actions, the ticker, imports),
    /// so live pages (the wall, the inbox) know when to read again: one number, whoever waits.
    case_changes: tokio::sync::watch::Sender<u64>,
    /// Marks the browsers people signed in from ([`auth`]'s known devices).
    device_key: Arc<privacy::DataKey>,
    /// Wrong logins under usernames no account has, held back by the same rule as accounts'.
    unknown_logins: std::sync::Mutex<auth::UnknownLogins>,
}

/// The database, shared by every request.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.inner.backend)
            .finish_non_exhaustive()
    }
}

/// The migration that added the held light of parked clocks (filled in once, when it runs).
const HELD_LIGHTS: &str = "0013_deadlines.sql";

/// Reference data every database starts with; each part adds only what is missing. Data the
/// migrations just `applied` left for Rust to fill is filled here.
fn seed(conn: &mut Conn, now: DateTime<Utc>, applied: &[String]) -> Result<(), StoreError> {
    let actor = Principal::system("seed").actor(None);
    departments::seed_platform_sets(conn, &actor, now)?;
    categories::seed(conn, &actor, now)?;
    calendar::seed(conn, &actor, now)?;
    if applied.iter().any(|name| name == HELD_LIGHTS) {
        let calendar = calendar::load(conn)?;
        let filled = cases::projection::fill_held_lights(conn, &calendar)?;
        if filled > 0 {
            tracing::info!(filled, "parked cases hold their lights");
        }
    }
    cases::ticker::seed_rules(conn)
}

/// Runs blocking `work` on tokio's blocking threads. A panic in it is raised again here as
/// the panic it is (a bug), not passed off as a failed write; a task the runtime dropped while
/// shutting down finds the store closed.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, StoreError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => Ok(value),
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(_) => Err(StoreError::Closed),
    }
}

/// `now`, cut to the microseconds both databases keep, so what is stored reads back equal.
fn truncate_to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    db::value::from_micros(db::value::to_micros(at)).unwrap_or(at)
}

impl Store {
    /// Connects, applies migrations and seeds reference data. Blocking: call it outside the
    /// async runtime or through [`Store::open`].
    pub fn open_blocking(config: StoreConfig, clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        let data_key = match &config.data_key {
            Some(key) => key.clone(),
            None => Arc::new(privacy::DataKey::random()?),
        };
        let options = ConnectOptions {
            location: config.url.parse()?,
            durability: config.durability,
            pg_schema: config.pg_schema.clone(),
            data_key: Some(data_key.clone()),
        };
        let mut writer_conn = connect(&options, Purpose::Write)?;
        let now = truncate_to_micros(clock.now());
        let applied = db::migrate::run(&mut writer_conn, now)?;
        if !applied.is_empty() {
            tracing::info!(?applied, "migrations applied");
        }
        writer_conn.begin_write()?;
        let seeded = seed(&mut writer_conn, now, &applied).and_then(|()| {
            let sealed = privacy::take_key(&mut writer_conn, &data_key, now)?;
            if sealed > 0 {
                tracing::info!(sealed, "phone numbers stored in the clear are now sealed");
            }
            if let Some(cases) = stats::rollup::follow_counting_rules(&mut writer_conn, now)? {
                tracing::info!(cases, "figures recounted under the current counting rules");
            }
            Ok(())
        });
        match seeded {
            Ok(()) => writer_conn.commit()?,
            Err(error) => {
                let _ = writer_conn.rollback();
                return Err(error);
            }
        }
        let catalog = categories::load(&mut writer_conn)?;
        let calendar = calendar::load(&mut writer_conn)?;
        let client_directory = clients::load(&mut writer_conn)?;
        let reference_mark = reference::mark(&mut writer_conn)?;
        let backend = writer_conn.backend();
        let reader_options = options.clone();
        let readers = Pool::new(
            config.readers,
            Box::new(move || connect(&reader_options, Purpose::Read)),
        );
        let sync_log = match (&options.location, options.durability) {
            (db::Location::Sqlite(path), Durability::Full) => {
                // Commits now only append to the log; the writer's syncer makes them durable.
                writer_conn.batch("PRAGMA synchronous = NORMAL")?;
                Some(path.clone())
            }
            _ => None,
        };
        let checkpointer = match &options.location {
            db::Location::Sqlite(path) => Some(db::checkpointer::Checkpointer::start(path)?),
            _ => None,
        };
        let writer = Writer::start(
            writer_conn,
            config.max_batch,
            sync_log,
            checkpointer
                .as_ref()
                .map(db::checkpointer::Checkpointer::due),
        )?;
        let files = ledger::attachments::FileStore::new(
            config.files_dir.clone(),
            config.max_upload_bytes,
            config.durability == Durability::Full,
        );
        Ok(Store {
            inner: Arc::new(Inner {
                config,
                backend,
                readers,
                writer,
                checkpointer,
                clock,
                grid_index: RwLock::new(None),
                boundaries_version: std::sync::atomic::AtomicU64::new(0),
                catalog: Shared::new(catalog),
                calendar: Shared::new(calendar),
                clients: Shared::new(client_directory),
                reference_mark: std::sync::Mutex::new(reference_mark),
                files,
                jobs_due: tokio::sync::Notify::new(),
                case_changes: tokio::sync::watch::Sender::new(0),
                device_key: data_key,
                unknown_logins: std::sync::Mutex::default(),
            }),
        })
    }

    /// [`Store::open_blocking`] from async code.
    pub async fn open(config: StoreConfig, clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        blocking(move || Store::open_blocking(config, clock)).await?
    }

    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    /// Closes every connection and waits for it, when this is the last handle on the store
    /// (returns false, closing nothing, while other handles remain). A SQLite database is left
    /// whole in its one file.
    pub fn close(self) -> bool {
        let Ok(inner) = Arc::try_unwrap(self.inner) else {
            return false;
        };
        let Inner {
            readers,
            writer,
            checkpointer,
            ..
        } = inner;
        drop(readers);
        writer.stop();
        if let Some(checkpointer) = checkpointer {
            checkpointer.stop();
        }
        true
    }

    pub fn config(&self) -> &StoreConfig {
        &self.inner.config
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// The current time at the precision the database keeps.
    pub fn now(&self) -> DateTime<Utc> {
        truncate_to_micros(self.inner.clock.now())
    }

    /// Runs `work` in a read-only transaction on a pooled connection. Blocking.
    pub fn read_blocking<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut Conn) -> Result<T, StoreError>,
    {
        let mut conn = self.inner.readers.get()?;
        conn.begin_read()?;
        let result = work(&mut conn);
        // A read-only transaction has nothing to keep; ending it frees the snapshot.
        let ended = conn.rollback();
        let value = result?;
        ended?;
        Ok(value)
    }

    /// Runs `work` in a read-only transaction, off the async threads.
    pub async fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut Conn) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let store = self.clone();
        blocking(move || store.read_blocking(work)).await?
    }

    /// Runs `work` in the writer's transaction; returns once it is durably committed. `work`
    /// may run a second time if another piece of its batch fails, so it must only use the
    /// database (see [`db::writer`]).
    pub async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnMut(&mut Conn) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        self.inner.writer.write(work).await
    }

    /// [`Store::write`] for callers outside the async runtime.
    pub fn write_blocking<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnMut(&mut Conn) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        self.inner.writer.write_blocking(work)
    }

    /// The grid a point (longitude, latitude) lies in, or `None` when it lies in no grid.
    pub async fn locate(&self, lon: f64, lat: f64) -> Result<Option<GridRef>, StoreError> {
        let cached = self
            .inner
            .grid_index
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        let index = match cached {
            Some(index) => index,
            None => {
                let shapes = self.read(org::grid_shapes).await?;
                let index = Arc::new(GridIndex::new(shapes));
                *self
                    .inner
                    .grid_index
                    .write()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(index.clone());
                index
            }
        };
        Ok(index.locate(lon, lat).cloned())
    }

    /// Hears of every case change this process commits (its value counts them). Holding
    /// one costs nothing while nothing changes; many changes between two looks are one wake.
    pub fn case_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.case_changes.subscribe()
    }

    /// Tells those waiting on [`Store::case_changes`] that cases changed.
    pub(crate) fn cases_changed(&self) {
        self.inner
            .case_changes
            .send_modify(|count| *count = count.wrapping_add(1));
    }

    /// The categories, as of the last change.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.inner.catalog.get()
    }

    /// The working calendar, as of the last change.
    pub fn calendar(&self) -> Arc<WorkCalendar> {
        self.inner.calendar.get()
    }

    /// The API clients allowed to report.
    pub fn clients(&self) -> Arc<ClientDirectory> {
        self.inner.clients.get()
    }

    pub fn files(&self) -> &ledger::attachments::FileStore {
        &self.inner.files
    }

    /// Reads the categories, calendar and clients again after one of them changed.
    pub async fn reload(&self) -> Result<(), StoreError> {
        let (catalog, calendar, clients, mark) = self
            .read(|conn| {
                Ok((
                    categories::load(conn)?,
                    calendar::load(conn)?,
                    clients::load(conn)?,
                    reference::mark(conn)?,
                ))
            })
            .await?;
        self.inner.catalog.set(catalog);
        self.inner.calendar.set(calendar);
        self.inner.clients.set(clients);
        *self
            .inner
            .reference_mark
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = mark;
        Ok(())
    }

    /// Reads the reference data again if another process (the command line, a second
    /// server) changed it since this store last read it; true when it did.
    pub async fn refresh(&self) -> Result<bool, StoreError> {
        let stored = self.read(reference::mark).await?;
        let seen = self
            .inner
            .reference_mark
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        if seen == stored {
            return Ok(false);
        }
        self.reload().await?;
        self.forget_grid_index();
        Ok(true)
    }

    /// Keeps this store's reference data in step with the database while a server runs: looks
    /// at the mark every `every` (see [`reference`]) until the task is aborted.
    pub fn follow_changes(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if let Err(error) = store.refresh().await {
                    tracing::warn!(%error, "reading the reference data again failed");
                }
            }
        })
    }

    /// Which boundaries are current: it changes whenever they do (see [`Store::forget_grid_index`]).
    pub fn boundaries_version(&self) -> u64 {
        self.inner
            .boundaries_version
            .load(std::sync::atomic::Ordering::Acquire)
    }

    /// Drops the cached grid index after the boundaries changed; the next lookup rebuilds it
    /// from the database, and [`Store::boundaries_version`] moves on.
    pub fn forget_grid_index(&self) {
        self.inner
            .boundaries_version
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        *self
            .inner
            .grid_index
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }

    /// Writes a consistent copy of a SQLite database to `to` while writing goes on
    /// (`VACUUM INTO` from a reading connection). PostgreSQL is backed up with `pg_dump`.
    pub async fn backup_sqlite(&self, to: std::path::PathBuf) -> Result<(), StoreError> {
        if self.backend() != Backend::Sqlite {
            return Err(StoreError::Config(
                "backup_sqlite needs a SQLite database; use pg_dump".into(),
            ));
        }
        if to.exists() {
            return Err(StoreError::Config(format!(
                "{} already exists",
                to.display()
            )));
        }
        let target = to.to_string_lossy().into_owned();
        let store = self.clone();
        blocking(move || {
            let mut conn = store.inner.readers.get()?;
            conn.execute("VACUUM INTO $1", &[&target]).map(|_| ())
        })
        .await?
    }

    /// Loads a boundary file all-or-nothing. Reading and checking it takes seconds for a
    /// detailed file, so they run on blocking threads against a snapshot of the tree, and the
    /// writer only writes (other writes wait for the inserts, not for the checks). If the tree
    /// around the file changed meanwhile, the file is checked again.
    pub async fn import_boundaries(
        &self,
        scope: &Scope,
        actor: Actor,
        text: String,
    ) -> Result<org::ImportSummary, StoreError> {
        /// Rounds of check-then-write before giving up on a tree that keeps changing.
        const ATTEMPTS: usize = 3;
        scope.require(jiedao_core::Capability::ManageOrg)?;
        let (at, format) = (self.now(), self.inner.config.grid_format);
        let tolerance = self.inner.config.boundary_tolerance_m2;
        let incoming = Arc::new(
            blocking(move || {
                let (incoming, problems) = jiedao_geo::read_boundaries(&text, &format);
                if problems.is_empty() {
                    Ok(incoming)
                } else {
                    Err(Refusal::Boundaries(problems))
                }
            })
            .await??,
        );
        let neighbourhood = org::Neighbourhood::of(&incoming, &format);
        for _ in 0..ATTEMPTS {
            let around = neighbourhood.clone();
            let surroundings = self
                .read(move |conn| org::surroundings(conn, &around))
                .await?;
            let (file, around) = (Arc::clone(&incoming), neighbourhood.clone());
            let checked = blocking(move || {
                org::check_boundaries(&file, around, surroundings, &format, tolerance)
            })
            .await??;
            let (scope, actor) = (scope.clone(), actor.clone());
            let loaded = self
                .write(move |conn| {
                    org::load_boundaries(conn, &scope, &actor, at, &checked, &format)
                })
                .await?;
            if let Some(summary) = loaded {
                self.forget_grid_index();
                return Ok(summary);
            }
        }
        Err(StoreError::Busy)
    }
}
