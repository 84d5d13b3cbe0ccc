//! Pages that follow the cases live (the wall, the inbox), over server-sent events: the page
//! opens `…/events` (`static/live.js`), and each event carries the page's live part rendered
//! again, which the script swaps in.
//!
//! What it costs is bounded. Nothing polls the database: a stream waits on the store's count
//! of case changes ([`jiedao_store::Store::case_changes`], one number whoever waits) and reads
//! again, with its viewer's scope, only after something changed (changes within `SETTLE` are
//! one read), or once every `FALLBACK` for what another process changed. Only signed-in staff
//! open streams, at most `PER_ACCOUNT` each and `LIMIT` in all (more are answered 429), and a
//! stream ends after `LIFETIME`, so a disabled account's screen stops following and the browser
//! reconnects through the session check; it ends at once when the server shuts down.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use jiedao_core::UserId;
use jiedao_store::Principal;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;

use crate::AppState;
use crate::context::SignedIn;
use crate::failure::Failure;

/// Live streams one server holds at once.
const LIMIT: usize = 512;
/// Live streams one account holds at once (a wall, a desk, a phone, a few tabs).
const PER_ACCOUNT: usize = 8;
/// Changes this close together are read once.
const SETTLE: Duration = Duration::from_millis(500);
/// With no change heard, read again this often (changes made by another process).
const FALLBACK: Duration = Duration::from_secs(60);
/// A stream ends after this long; the browser opens another through the session check.
const LIFETIME: Duration = Duration::from_secs(600);
/// How long the browser waits before reconnecting.
const RETRY: Duration = Duration::from_secs(3);

/// The live streams a server holds.
pub struct Live {
    permits: Arc<Semaphore>,
    per_account: Mutex<HashMap<UserId, usize>>,
    closing: watch::Sender<bool>,
}

impl Default for Live {
    fn default() -> Self {
        Live {
            permits: Arc::new(Semaphore::new(LIMIT)),
            per_account: Mutex::default(),
            closing: watch::Sender::new(false),
        }
    }
}

impl Live {
    /// Ends every stream (the server is shutting down) and refuses new ones.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    fn accounts(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, usize>> {
        self.per_account
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// A place for one more stream of `user`, or `TooMany`.
    fn admit(self: &Arc<Self>, user: UserId) -> Result<Ticket, Failure> {
        if *self.closing.borrow() {
            return Err(Failure::TooMany(RETRY.as_secs()));
        }
        let permit = Arc::clone(&self.permits)
            .try_acquire_owned()
            .map_err(|_| Failure::TooMany(RETRY.as_secs()))?;
        let mut accounts = self.accounts();
        let held = accounts.entry(user).or_insert(0);
        if *held >= PER_ACCOUNT {
            return Err(Failure::TooMany(RETRY.as_secs()));
        }
        *held += 1;
        Ok(Ticket {
            live: Arc::clone(self),
            user,
            _permit: permit,
        })
    }
}

/// One admitted stream's place, given back when the stream is dropped (the browser left).
struct Ticket {
    live: Arc<Live>,
    user: UserId,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut accounts = self.live.accounts();
        if let Some(held) = accounts.get_mut(&self.user) {
            *held = held.saturating_sub(1);
            if *held == 0 {
                accounts.remove(&self.user);
            }
        }
    }
}

struct Follow<F> {
    _ticket: Ticket,
    changes: watch::Receiver<u64>,
    closing: watch::Receiver<bool>,
    render: F,
    ends: Instant,
    first: bool,
}

/// Waits until the live part should be read again; `false` when the stream should end.
async fn next_read(
    changes: &mut watch::Receiver<u64>,
    closing: &mut watch::Receiver<bool>,
    ends: Instant,
) -> bool {
    let changed = tokio::select! {
        changed = changes.changed() => {
            if changed.is_err() {
                return false;
            }
            true
        }
        () = tokio::time::sleep(FALLBACK) => false,
        () = tokio::time::sleep_until(ends) => return false,
        _ = closing.wait_for(|closed| *closed) => return false,
    };
    if changed {
        tokio::select! {
            () = tokio::time::sleep(SETTLE) => {}
            _ = closing.wait_for(|closed| *closed) => return false,
        }
        changes.borrow_and_update();
    }
    Instant::now() < ends
}

/// The event stream of a live page for the signed-in `me`: its live part as `render` makes
/// it for them (given the state and their principal), at once and after every change.
pub fn page_events<R, Fut>(app: &AppState, me: &SignedIn, render: R) -> Result<Response, Failure>
where
    R: Fn(AppState, Principal) -> Fut + Send + 'static,
    Fut: Future<Output = Result<String, Failure>> + Send + 'static,
{
    let user = me.principal.user_id().ok_or(Failure::Internal)?;
    let (state, principal) = (app.clone(), me.principal.clone());
    let stream = follow(&app.live, app.store.case_changes(), user, move || {
        render(state.clone(), principal.clone())
    })?;
    Ok(stream.into_response())
}

/// A stream of `live` events for `user`, each the live part as `render` makes it: at once,
/// then after every change. The stream ends when `render` fails.
fn follow<F, Fut>(
    live: &Arc<Live>,
    changes: watch::Receiver<u64>,
    user: UserId,
    render: F,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>> + use<F, Fut>>, Failure>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = Result<String, Failure>> + Send,
{
    let state = Follow {
        _ticket: live.admit(user)?,
        changes,
        closing: live.closing.subscribe(),
        render,
        ends: Instant::now() + LIFETIME,
        first: true,
    };
    let stream = futures_util::stream::unfold(state, |mut state| async move {
        if !state.first && !next_read(&mut state.changes, &mut state.closing, state.ends).await {
            return None;
        }
        state.first = false;
        let html = (state.render)().await.ok()?;
        // An event's data may not hold a carriage return; the page needs none.
        let event = Event::default()
            .event("live")
            .retry(RETRY)
            .data(html.replace('\r', ""));
        Some((Ok(event), state))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_account_holds_a_few_streams_and_gives_them_back() {
        let live = Arc::new(Live::default());
        let user = UserId::new();
        let held: Vec<Ticket> = (0..PER_ACCOUNT)
            .map(|_| live.admit(user).expect("admitted"))
            .collect();
        assert!(matches!(live.admit(user), Err(Failure::TooMany(_))));
        assert!(live.admit(UserId::new()).is_ok(), "others still get in");
        drop(held);
        assert!(live.admit(user).is_ok(), "places are given back");
        assert!(live.accounts().is_empty());
        live.close();
        assert!(
            live.admit(user).is_err(),
            "a closing server takes no new streams"
        );
    }
}
