//! Intake clients: other systems allowed to report cases through the API (a sensor platform,
//! the 12345 hotline's system). Each has a bearer token, shown once when created and kept only
//! as a hash; the store holds a [`ClientDirectory`] in memory so authenticating a request costs
//! one hash and one lookup.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jiedao_core::case::Channel;
use jiedao_core::{Capability, ClientId, OrgPath, OrgUnitId};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::Store;
use crate::audit;
use crate::auth::random_token;
use crate::db::Conn;
use crate::error::StoreError;
use crate::org;
use crate::refusal::Refusal;
use crate::scope::{Actor, Scope};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntakeClient {
    pub id: ClientId,
    pub name: String,
    pub street_id: OrgUnitId,
    pub street_path: OrgPath,
    pub channel: Channel,
    pub active: bool,
}

impl IntakeClient {
    /// The audit and history name of the client.
    pub fn actor(&self, ip: Option<String>) -> Actor {
        Actor {
            user_id: None,
            name: format!("client:{}", self.name),
            ip,
        }
    }
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Active clients by token hash.
#[derive(Debug, Clone, Default)]
pub struct ClientDirectory(HashMap<Vec<u8>, IntakeClient>);

impl ClientDirectory {
    pub fn authenticate(&self, token: &str) -> Option<&IntakeClient> {
        self.0.get(&token_hash(token)).filter(|c| c.active)
    }
}

pub fn load(conn: &mut Conn) -> Result<ClientDirectory, StoreError> {
    let rows: Vec<(Vec<u8>, IntakeClient, String)> = conn.query(
        "SELECT c.token_hash, c.id, c.name, c.street_id, o.path, c.channel, c.active
         FROM intake_client c JOIN org_unit o ON o.id = c.street_id",
        &[],
        |row| {
            Ok((
                row.get(0)?,
                IntakeClient {
                    id: row.get(1)?,
                    name: row.get(2)?,
                    street_id: row.get(3)?,
                    street_path: row.get(4)?,
                    channel: Channel::Staff,
                    active: row.get(6)?,
                },
                row.get(5)?,
            ))
        },
    )?;
    Ok(ClientDirectory(
        rows.into_iter()
            .map(|(hash, mut client, channel)| {
                client.channel = Channel::parse(&channel).unwrap_or(Channel::Staff);
                (hash, client)
            })
            .collect(),
    ))
}

/// Registers a client for a street; returns it with its token (shown this once).
pub fn create(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    name: &str,
    street_code: &str,
    channel: Channel,
) -> Result<(IntakeClient, String), StoreError> {
    scope.require(Capability::ManageSettings)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(Refusal::EmptyField {
            field: "field.name",
        }
        .into());
    }
    Refusal::check_length(name, jiedao_core::limits::NAME)?;
    let street = org::street_in_scope(conn, scope, street_code)?;
    let token = random_token()?;
    let client = IntakeClient {
        id: ClientId::new(),
        name: name.to_owned(),
        street_id: street.id,
        street_path: street.path,
        channel,
        active: true,
    };
    conn.execute(
        "INSERT INTO intake_client (id, name, token_hash, street_id, channel, active, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &client.id,
            &client.name,
            &token_hash(&token),
            &client.street_id,
            &channel.as_str(),
            &true,
            &at,
        ],
    )
    .map_err(|error| {
        if error.is_unique_violation() {
            Refusal::DuplicateClient {
                name: name.to_owned(),
            }
            .into()
        } else {
            error
        }
    })?;
    audit::record(
        conn,
        actor,
        at,
        "client.create",
        &format!("client:{name}"),
        &serde_json::json!({ "street": street_code, "channel": channel.as_str() }),
    )?;
    crate::reference::changed(conn, at)?;
    Ok((client, token))
}

/// Stops a client: its token is refused from now on (by a running server within a second, see
/// [`crate::reference`]). The cases it reported stay.
pub fn remove(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    name: &str,
) -> Result<(), StoreError> {
    scope.require(Capability::ManageSettings)?;
    let name = name.trim();
    let path: Option<OrgPath> = conn.query_opt(
        "SELECT o.path FROM intake_client c JOIN org_unit o ON o.id = c.street_id
         WHERE c.name = $1 AND c.active",
        &[&name],
        |row| row.get(0),
    )?;
    let path = path.ok_or_else(|| Refusal::NotFound {
        what: "noun.client",
        key: name.to_owned(),
    })?;
    if !scope.covers(&path) {
        return Err(Refusal::OutOfScope.into());
    }
    conn.execute(
        "UPDATE intake_client SET active = FALSE WHERE name = $1",
        &[&name],
    )?;
    audit::record(
        conn,
        actor,
        at,
        "client.remove",
        &format!("client:{name}"),
        &serde_json::json!({}),
    )?;
    crate::reference::changed(conn, at)?;
    Ok(())
}

/// Every client, for administrators.
pub fn list(
    conn: &mut Conn,
    scope: &Scope,
) -> Result<Vec<(IntakeClient, String, DateTime<Utc>)>, StoreError> {
    scope.require(Capability::ManageSettings)?;
    let (low, high) = scope.path_range();
    conn.query(
        "SELECT c.id, c.name, c.street_id, o.path, c.channel, c.active, o.name, c.created_at
         FROM intake_client c JOIN org_unit o ON o.id = c.street_id
         WHERE o.path >= $1 AND o.path < $2 ORDER BY c.created_at",
        &[&low, &high],
        |row| {
            let channel: String = row.get(4)?;
            Ok((
                IntakeClient {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    street_id: row.get(2)?,
                    street_path: row.get(3)?,
                    channel: Channel::parse(&channel).unwrap_or(Channel::Staff),
                    active: row.get(5)?,
                },
                row.get(6)?,
                row.get(7)?,
            ))
        },
    )
}

impl Store {
    /// The active client a token belongs to. A token not known here is looked for again
    /// after reading the reference data afresh, when it changed: a client added a moment ago
    /// by another process (the command line) reports at once.
    pub async fn client(&self, token: &str) -> Result<Option<IntakeClient>, StoreError> {
        if let Some(client) = self.clients().authenticate(token) {
            return Ok(Some(client.clone()));
        }
        if !self.refresh().await? {
            return Ok(None);
        }
        Ok(self.clients().authenticate(token).cloned())
    }

    /// Registers a client (see [`create`]) and lets it report at once; returns it with its
    /// token.
    pub async fn add_client(
        &self,
        scope: Scope,
        actor: Actor,
        name: String,
        street_code: String,
        channel: Channel,
    ) -> Result<(IntakeClient, String), StoreError> {
        let at = self.now();
        let created = self
            .write(move |conn| create(conn, &scope, &actor, at, &name, street_code.trim(), channel))
            .await?;
        self.reload().await?;
        Ok(created)
    }
}
