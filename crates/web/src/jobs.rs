//! The jobs the server runs (the store's own, and webhook deliveries over HTTP), and a 12345
//! import as the person who started it follows it: how far it got and what came of it.

use jiedao_core::{JobId, Lang, UserId};
use jiedao_store::cases::hotline::{Imported, Outcome};
use jiedao_store::jobs::{self, Registry, Status};
use jiedao_store::{Store, StoreError};

/// Every job a serving process runs.
pub fn registry() -> Registry {
    crate::deliver::register(jobs::standard())
}

/// An import as its owner's page shows it.
#[derive(Debug, Clone)]
pub struct Job {
    pub done: i64,
    pub total: i64,
    /// The outcome, or the reason it failed in the reader's language; none while it runs.
    pub result: Option<Result<Outcome, String>>,
}

impl Job {
    /// The import `id`, if `owner` started it.
    pub async fn followed(
        store: &Store,
        id: JobId,
        owner: UserId,
        lang: Lang,
    ) -> Result<Option<Job>, StoreError> {
        let Some(job) = store
            .read(move |conn| jobs::followed(conn, id, owner))
            .await?
        else {
            return Ok(None);
        };
        let internal = || jiedao_core::i18n::text(lang, "error.internal").to_owned();
        let result = match (job.status, job.result) {
            (Status::Done, Some(result)) => Some(match serde_json::from_str::<Imported>(&result) {
                Ok(imported) => imported.map_err(|reason| reason.get(lang).to_owned()),
                Err(_) => Err(internal()),
            }),
            (Status::Done | Status::Failed, _) => Some(Err(internal())),
            (Status::Queued | Status::Running, _) => None,
        };
        Ok(Some(Job {
            done: job.done,
            total: job.total,
            result,
        }))
    }
}
