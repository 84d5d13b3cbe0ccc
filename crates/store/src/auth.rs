//! Logging in and out: argon2 password hashes, a back-off after repeated failures, and
//! server-side sessions whose tokens are kept only as hashes.
//!
//! Guessing is held back without handing anyone a way to lock a person out: after
//! [`LockoutPolicy::max_failures`] wrong passwords in a row, each further attempt must wait a
//! minute, doubling with every failure up to [`LockoutPolicy::lock_minutes`]; attempts in the
//! wait are refused unchecked. A browser the person signed in from before carries a mark
//! ([`NewSession::device`]) that lets the right password through the wait, so a stranger
//! guessing at a known username delays only strangers. Usernames no account has are held back
//! by the same rule (kept in memory), so the answers never tell who exists, and every attempt
//! is audited with the address it came from.
//!
//! Hashing and verifying a password takes tens of milliseconds by design, so it is done on a
//! blocking thread before the write, never inside the shared writer.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use jiedao_core::UserId;
use sha2::{Digest, Sha256};

use crate::Store;
use crate::audit;
use crate::error::StoreError;
use crate::scope::{Actor, Principal, Scope, VerifiedUser};
use crate::users::{self, NewUser};

/// How many wrong passwords in a row start the back-off, and its longest wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: i64,
    pub lock_minutes: i64,
}

impl LockoutPolicy {
    /// How long to wait after `failures` wrong passwords in a row: nothing before
    /// `max_failures`, then one minute doubling with each failure, at most `lock_minutes`.
    pub fn wait_after(&self, failures: i64) -> Option<Duration> {
        let past = failures.checked_sub(self.max_failures)?;
        if past < 0 {
            return None;
        }
        let doublings = u32::try_from(past.min(30)).unwrap_or(30);
        let minutes = (1_i64 << doublings).min(self.lock_minutes).max(1);
        Some(Duration::minutes(minutes))
    }
}

/// Wrong logins under names no account has: how many in a row, and the wait they started.
#[derive(Debug, Default)]
pub(crate) struct UnknownLogins {
    names: std::collections::HashMap<String, (i64, Option<DateTime<Utc>>)>,
}

/// Unknown names remembered at most; past it, those no longer waiting are forgotten.
const UNKNOWN_NAMES_KEPT: usize = 100_000;

impl UnknownLogins {
    fn held_until(&self, name: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.names
            .get(name)
            .and_then(|(_, until)| *until)
            .filter(|until| *until > now)
    }

    /// Counts a failure; answers the failures so far and the wait it starts, if any.
    fn fail(
        &mut self,
        name: &str,
        now: DateTime<Utc>,
        policy: LockoutPolicy,
    ) -> (i64, Option<DateTime<Utc>>) {
        if self.names.len() >= UNKNOWN_NAMES_KEPT && !self.names.contains_key(name) {
            self.names
                .retain(|_, (_, until)| until.is_some_and(|until| until > now));
            if self.names.len() >= UNKNOWN_NAMES_KEPT {
                self.names.clear();
            }
        }
        let entry = self.names.entry(name.to_owned()).or_insert((0, None));
        entry.0 += 1;
        entry.1 = policy.wait_after(entry.0).map(|wait| now + wait);
        *entry
    }
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            max_failures: 5,
            lock_minutes: 15,
        }
    }
}

pub fn hash_password(password: &str) -> Result<String, StoreError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| StoreError::Query(format!("password hashing failed: {error}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of nothing anyone knows: unknown usernames are checked against it so that a wrong
/// username takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let mut secret = [0_u8; 24];
        let _ = getrandom::fill(&mut secret);
        hash_password(&URL_SAFE_NO_PAD.encode(secret)).unwrap_or_default()
    })
}

/// A random token for a cookie or a form, and the hash the database keeps of it.
pub fn random_token() -> Result<String, StoreError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|error| StoreError::Query(format!("no randomness: {error}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A session just opened: the token goes into the cookie, and is not kept anywhere else.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub principal: Principal,
    pub expires_at: DateTime<Utc>,
    /// The mark of a browser this person signed in from, for a long-lived cookie: with it the
    /// right password is let through a back-off (until the password changes).
    pub device: String,
}

#[derive(Debug, Clone)]
pub enum LoginOutcome {
    LoggedIn(Box<NewSession>),
    /// Unknown user or wrong password: the two are not told apart.
    WrongCredentials,
    /// Too many wrong passwords in a row under this username (known or not); try again after
    /// `until`.
    Locked {
        until: DateTime<Utc>,
    },
}

/// A live session: who it belongs to and the token its forms must carry.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub principal: Principal,
    pub csrf_token: String,
}

/// A wrong password (or unknown username), audited with its address; the answer is the same
/// for both, a wait once the failures in a row reach the policy's count.
fn failed(
    conn: &mut crate::Conn,
    actor: &Actor,
    now: DateTime<Utc>,
    target: &str,
    failures: i64,
    until: Option<DateTime<Utc>>,
) -> Result<LoginOutcome, StoreError> {
    match until {
        None => {
            audit::record(conn, actor, now, "auth.login_failed", target, &failures)?;
            Ok(LoginOutcome::WrongCredentials)
        }
        Some(until) => {
            audit::record(conn, actor, now, "auth.locked", target, &until)?;
            Ok(LoginOutcome::Locked { until })
        }
    }
}

/// Compares without stopping at the first difference.
fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

struct Candidate {
    id: UserId,
    password_hash: String,
    locked_until: Option<DateTime<Utc>>,
}

fn verified_user(conn: &mut crate::Conn, id: UserId) -> Result<VerifiedUser, StoreError> {
    conn.query_one(
        "SELECT u.id, u.username, u.display_name, u.role, u.org_unit_id, o.path, u.department_id,
             (SELECT d.id FROM department d WHERE d.community_id = u.org_unit_id AND d.active
              ORDER BY d.created_at, d.id LIMIT 1)
         FROM app_user u JOIN org_unit o ON o.id = u.org_unit_id WHERE u.id = $1",
        &[&id],
        |row| {
            Ok(VerifiedUser {
                user_id: row.get(0)?,
                username: row.get(1)?,
                display_name: row.get(2)?,
                role: row.get(3)?,
                org_unit: row.get(4)?,
                org_path: row.get(5)?,
                department: row.get(6)?,
                community_department: row.get(7)?,
            })
        },
    )
}

impl Store {
    /// Checks a username and password; on success opens a new session (a fresh token every
    /// time, so a token planted before login is worthless after it).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        ip: Option<String>,
    ) -> Result<LoginOutcome, StoreError> {
        self.login_from(username, password, ip, None).await
    }

    /// The mark of a browser `user` signed in from, valid until their password changes.
    fn device_mark(&self, user: UserId, password_hash: &str) -> String {
        self.inner
            .device_key
            .mark(&format!("known-device\n{user}\n{password_hash}"))
    }

    fn unknown_logins(&self) -> std::sync::MutexGuard<'_, UnknownLogins> {
        self.inner
            .unknown_logins
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// [`Store::login`] from a browser that may carry a known-device mark ([`NewSession::device`]).
    pub async fn login_from(
        &self,
        username: &str,
        password: &str,
        ip: Option<String>,
        device: Option<&str>,
    ) -> Result<LoginOutcome, StoreError> {
        // Usernames are at most 64 characters; longer names are held back under their start.
        let username: String = username.trim().to_lowercase().chars().take(64).collect();
        let lookup = username.clone();
        let candidate = self
            .read(move |conn| {
                conn.query_opt(
                    "SELECT id, password_hash, locked_until FROM app_user WHERE username = $1 AND active",
                    &[&lookup],
                    |row| {
                        Ok(Candidate {
                            id: row.get(0)?,
                            password_hash: row.get(1)?,
                            locked_until: row.get(2)?,
                        })
                    },
                )
            })
            .await?;
        let now = self.now();
        let policy = self.config().lockout;
        let known_device = candidate.as_ref().is_some_and(|c| {
            device.is_some_and(|mark| same_text(mark, &self.device_mark(c.id, &c.password_hash)))
        });
        let actor = Actor {
            user_id: candidate.as_ref().map(|c| c.id),
            name: username.clone(),
            ip: ip.clone(),
        };
        let target = format!("user:{username}");
        let held = match &candidate {
            Some(c) => c.locked_until.filter(|u| *u > now),
            None => self.unknown_logins().held_until(&username, now),
        };
        if let Some(until) = held.filter(|_| !known_device) {
            let (actor, target) = (actor.clone(), target.clone());
            self.write(move |conn| {
                audit::record(conn, &actor, now, "auth.login_held", &target, &until)
            })
            .await?;
            return Ok(LoginOutcome::Locked { until });
        }
        let stored_hash = candidate
            .as_ref()
            .map_or_else(|| decoy_hash().to_owned(), |c| c.password_hash.clone());
        let password = password.to_owned();
        let matches = crate::blocking(move || verify_password(&password, &stored_hash)).await?;
        let Some(candidate) = candidate else {
            let (failures, until) = self.unknown_logins().fail(&username, now, policy);
            return self
                .write(move |conn| failed(conn, &actor, now, &target, failures, until))
                .await;
        };
        let device = self.device_mark(candidate.id, &candidate.password_hash);
        let session_hours = self.config().session_hours;
        let (token, csrf_token) = (random_token()?, random_token()?);
        self.write(move |conn| {
            if !matches {
                let failures: i64 = conn.scalar(
                    "UPDATE app_user SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
                    &[&candidate.id],
                )?;
                let until = policy.wait_after(failures).map(|wait| now + wait);
                if until.is_some() {
                    conn.execute(
                        "UPDATE app_user SET locked_until = $1 WHERE id = $2",
                        &[&until, &candidate.id],
                    )?;
                }
                return failed(conn, &actor, now, &target, failures, until);
            }
            // Another request may have started a wait while the password was checked.
            let locked: Option<DateTime<Utc>> = conn.scalar(
                "SELECT locked_until FROM app_user WHERE id = $1",
                &[&candidate.id],
            )?;
            if let Some(until) = locked.filter(|u| *u > now && !known_device) {
                audit::record(conn, &actor, now, "auth.login_held", &target, &until)?;
                return Ok(LoginOutcome::Locked { until });
            }
            conn.execute(
                "UPDATE app_user SET failed_logins = $1, locked_until = NULL WHERE id = $2",
                &[&0_i64, &candidate.id],
            )?;
            conn.execute(
                "DELETE FROM session WHERE user_id = $1 AND expires_at <= $2",
                &[&candidate.id, &now],
            )?;
            let expires_at = now + Duration::hours(session_hours);
            conn.execute(
                "INSERT INTO session (token_hash, user_id, csrf_token, created_at, expires_at, ip)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&token_hash(&token), &candidate.id, &csrf_token, &now, &expires_at, &ip],
            )?;
            audit::record(conn, &actor, now, "auth.login", &target, &())?;
            let principal = Principal::verified(verified_user(conn, candidate.id)?);
            Ok(LoginOutcome::LoggedIn(Box::new(NewSession {
                token: token.clone(),
                csrf_token: csrf_token.clone(),
                principal,
                expires_at,
                device: device.clone(),
            })))
        })
        .await
    }

    /// The live session behind a cookie token, if there is one.
    pub async fn session(&self, token: &str) -> Result<Option<SessionInfo>, StoreError> {
        let hash = token_hash(token);
        let now = self.now();
        self.read(move |conn| {
            let found: Option<(UserId, String)> = conn.query_opt(
                "SELECT s.user_id, s.csrf_token FROM session s JOIN app_user u ON u.id = s.user_id
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active",
                &[&hash, &now],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            let Some((user_id, csrf_token)) = found else {
                return Ok(None);
            };
            Ok(Some(SessionInfo {
                principal: Principal::verified(verified_user(conn, user_id)?),
                csrf_token,
            }))
        })
        .await
    }

    /// Ends the session behind a token.
    pub async fn logout(&self, token: &str, actor: Actor) -> Result<(), StoreError> {
        let hash = token_hash(token);
        let now = self.now();
        self.write(move |conn| {
            let ended = conn.execute("DELETE FROM session WHERE token_hash = $1", &[&hash])?;
            if ended > 0 {
                let target = format!("user:{}", actor.name);
                audit::record(conn, &actor, now, "auth.logout", &target, &())?;
            }
            Ok(())
        })
        .await
    }

    /// Creates a user: the password is checked and hashed first, then the user is written.
    pub async fn create_user(
        &self,
        scope: &Scope,
        actor: Actor,
        new: NewUser,
    ) -> Result<UserId, StoreError> {
        users::check_password(&new.password)?;
        let password = new.password.clone();
        let hash = crate::blocking(move || hash_password(&password)).await??;
        let scope = scope.clone();
        let at = self.now();
        self.write(move |conn| users::create(conn, &scope, &actor, at, &new, &hash))
            .await
    }

    /// Sets a user's password (one's own, or as a user manager).
    pub async fn set_password(
        &self,
        scope: &Scope,
        actor: Actor,
        username: &str,
        password: &str,
    ) -> Result<(), StoreError> {
        users::check_password(password)?;
        let password = password.to_owned();
        let hash = crate::blocking(move || hash_password(&password)).await??;
        let (scope, username, at) = (scope.clone(), username.to_owned(), self.now());
        self.write(move |conn| users::set_password(conn, &scope, &actor, at, &username, &hash))
            .await
    }
}
