//! Logging in and out: argon2 password hashes, lockout after repeated failures, and server-side
//! sessions whose tokens are kept only as hashes.
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

/// How many wrong passwords lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: i64,
    pub lock_minutes: i64,
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
}

#[derive(Debug, Clone)]
pub enum LoginOutcome {
    LoggedIn(NewSession),
    /// Unknown user or wrong password: the two are not told apart.
    WrongCredentials,
    /// Too many wrong passwords; try again after `until`.
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
        let username = username.trim().to_lowercase();
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
        if let Some(until) = candidate
            .as_ref()
            .and_then(|c| c.locked_until)
            .filter(|u| *u > now)
        {
            return Ok(LoginOutcome::Locked { until });
        }
        let stored_hash = candidate
            .as_ref()
            .map_or_else(|| decoy_hash().to_owned(), |c| c.password_hash.clone());
        let password = password.to_owned();
        let matches = crate::blocking(move || verify_password(&password, &stored_hash)).await?;
        let Some(candidate) = candidate else {
            return Ok(LoginOutcome::WrongCredentials);
        };
        let policy = self.config().lockout;
        let session_hours = self.config().session_hours;
        let (token, csrf_token) = (random_token()?, random_token()?);
        let actor = Actor {
            user_id: Some(candidate.id),
            name: username.clone(),
            ip: ip.clone(),
        };
        self.write(move |conn| {
            let target = format!("user:{username}");
            if !matches {
                let failures: i64 = conn.scalar(
                    "UPDATE app_user SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
                    &[&candidate.id],
                )?;
                if failures < policy.max_failures {
                    audit::record(conn, &actor, now, "auth.login_failed", &target, &failures)?;
                    return Ok(LoginOutcome::WrongCredentials);
                }
                let until = now + Duration::minutes(policy.lock_minutes);
                conn.execute(
                    "UPDATE app_user SET failed_logins = $1, locked_until = $2 WHERE id = $3",
                    &[&0_i64, &until, &candidate.id],
                )?;
                audit::record(conn, &actor, now, "auth.locked", &target, &until)?;
                return Ok(LoginOutcome::Locked { until });
            }
            // Another request may have locked the account while the password was checked.
            let locked: Option<DateTime<Utc>> = conn.scalar(
                "SELECT locked_until FROM app_user WHERE id = $1",
                &[&candidate.id],
            )?;
            if let Some(until) = locked.filter(|u| *u > now) {
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
            Ok(LoginOutcome::LoggedIn(NewSession {
                token: token.clone(),
                csrf_token: csrf_token.clone(),
                principal,
                expires_at,
            }))
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
