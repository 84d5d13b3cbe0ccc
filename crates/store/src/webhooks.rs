//! Webhooks: other systems subscribe to a street's events, and read how their deliveries went.
//! Each recorded change puts a delivery for every matching subscription into the ledger
//! kernel's outbox ([`crate::ledger::outbox`]), in the change's own transaction; a deliverer
//! sends them signed with HMAC-SHA256 ([`sign`]), and every attempt's outcome stays in the
//! outbox as the delivery log. A subscription with a template is a notice channel (an SMS
//! gateway, a 浙政钉 work notice): it is sent the template filled with the case's facts.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Utc};
use jiedao_core::case::ActionKind;
use jiedao_core::{Capability, OrgKind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit;
use crate::auth::random_token;
use crate::db::Conn;
use crate::error::StoreError;
use crate::org;
use crate::refusal::Refusal;
use crate::scope::{Actor, Scope};

/// The longest address kept.
const MAX_URL: usize = 500;

/// A subscription.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Webhook {
    pub id: uuid::Uuid,
    pub street_code: String,
    pub url: String,
    /// Action codes, or `*` for every change.
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// For a notice channel: the body sent, with places for the case's facts.
    pub template: Option<String>,
}

/// One delivery and how its attempts went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    pub id: uuid::Uuid,
    pub event: String,
    pub payload: String,
    pub attempts: i64,
    /// pending, delivered or failed (given up).
    pub status: String,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub next_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// HMAC-SHA256 (RFC 2104) of `body` under `secret`, as lowercase hex: the
/// `X-Jiedao-Signature: sha256=…` a receiver recomputes to trust a delivery.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut key = [0_u8; BLOCK];
    let digest;
    let source = if secret.len() > BLOCK {
        digest = Sha256::digest(secret);
        digest.as_slice()
    } else {
        secret
    };
    for (slot, byte) in key.iter_mut().zip(source) {
        *slot = *byte;
    }
    let pad = |byte: u8| key.map(|k| k ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(body)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    outer.iter().map(|b| format!("{b:02x}")).collect()
}

/// Which receivers deliveries may reach, by the addresses their names resolve to. Link-local
/// addresses (169.254.0.0/16, the cloud metadata service; fe80::/10), unspecified, multicast
/// and broadcast ones are never reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookReach {
    /// Public addresses only (the default).
    #[default]
    Public,
    /// Also private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7): receivers on
    /// the office's own network.
    Private,
    /// Also this machine (127/8, ::1): a local proxy, and tests.
    Local,
}

impl WebhookReach {
    /// Whether a delivery may go to `ip`.
    pub fn allows(self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        match class(ip) {
            AddressClass::Never => false,
            AddressClass::Loopback => self == WebhookReach::Local,
            AddressClass::Private => self != WebhookReach::Public,
            AddressClass::Public => true,
        }
    }
}

enum AddressClass {
    Never,
    Loopback,
    Private,
    Public,
}

fn class(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if v4.is_loopback() {
                AddressClass::Loopback
            } else if v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || a == 0
                || a >= 240
            {
                AddressClass::Never
            } else if v4.is_private() || (a == 100 && (64..128).contains(&b)) {
                AddressClass::Private
            } else {
                AddressClass::Public
            }
        }
        IpAddr::V6(v6) => {
            let first = v6.segments().first().copied().unwrap_or(0);
            if v6 == Ipv6Addr::LOCALHOST {
                AddressClass::Loopback
            } else if v6.is_unspecified() || v6.is_multicast() || (first & 0xffc0) == 0xfe80 {
                AddressClass::Never
            } else if (first & 0xfe00) == 0xfc00 {
                AddressClass::Private
            } else {
                AddressClass::Public
            }
        }
    }
}

/// Where a subscription's address points: the host as written, its port, and the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// A name, or an address (IPv6 without brackets).
    pub host: String,
    pub port: u16,
    /// The path and query, `/` at least.
    pub path: String,
}

impl Target {
    /// Reads `http://host[:port][/path]`; refuses credentials (`user:password@`) and anything
    /// else.
    pub fn parse(url: &str) -> Result<Target, Refusal> {
        let url = url.trim();
        let rest = url.strip_prefix("http://").ok_or(Refusal::BadWebhookUrl)?;
        let fits = url.len() <= MAX_URL
            && !url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '\\');
        let (authority, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
        if !fits || authority.is_empty() || authority.contains('@') {
            return Err(Refusal::BadWebhookUrl);
        }
        let (host, port) = match authority.strip_prefix('[') {
            Some(bracketed) => {
                let (host, after) = bracketed.split_once(']').ok_or(Refusal::BadWebhookUrl)?;
                host.parse::<Ipv6Addr>()
                    .map_err(|_| Refusal::BadWebhookUrl)?;
                (host, after.strip_prefix(':'))
            }
            None => match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            },
        };
        let port = match port {
            Some(port) => port.parse::<u16>().map_err(|_| Refusal::BadWebhookUrl)?,
            None => 80,
        };
        let host_ok = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-_:".contains(c));
        if !host_ok || port == 0 {
            return Err(Refusal::BadWebhookUrl);
        }
        let path = path.split('#').next().unwrap_or_default();
        Ok(Target {
            host: host.to_ascii_lowercase(),
            port,
            path: if path.starts_with('/') {
                path.to_owned()
            } else {
                format!("/{path}")
            },
        })
    }

    /// The address the host names itself, when it is one.
    pub fn literal(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }

    /// `Host:` as the receiver expects it.
    pub fn authority(&self) -> String {
        let host = match self.literal() {
            Some(IpAddr::V6(_)) => format!("[{}]", self.host),
            _ => self.host.clone(),
        };
        if self.port == 80 {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// An address deliveries may be sent to under `reach`, as far as can be told before resolving
/// its name (which the deliverer does before every attempt).
fn check_url(url: &str, reach: WebhookReach) -> Result<String, Refusal> {
    let target = Target::parse(url)?;
    let local_name = target.host == "localhost" || target.host.ends_with(".localhost");
    let refused = match target.literal() {
        Some(ip) => !reach.allows(ip),
        None => local_name && !reach.allows(IpAddr::V4(Ipv4Addr::LOCALHOST)),
    };
    if refused {
        return Err(Refusal::WebhookAddressNotAllowed);
    }
    Ok(url.trim().to_owned())
}

/// `dispute.<action>` or `dispute.high_risk` (a dispute turned high-risk: the leader's alert).
fn is_dispute_event(event: &str) -> bool {
    event.strip_prefix("dispute.").is_some_and(|action| {
        action == "high_risk" || jiedao_core::dispute::ActionKind::parse(action).is_some()
    })
}

fn check_events(events: &[String]) -> Result<Vec<String>, Refusal> {
    let events: Vec<String> = events.iter().map(|e| e.trim().to_owned()).collect();
    if events.is_empty() {
        return Ok(vec!["*".to_owned()]);
    }
    for event in &events {
        // A case's action, a petition's (信访) or a dispute's (调解) names an event.
        if event != "*"
            && ActionKind::parse(event).is_none()
            && jiedao_core::petition::ActionKind::parse(event).is_none()
            && !is_dispute_event(event)
        {
            return Err(Refusal::UnknownEvent {
                name: event.chars().take(40).collect(),
            });
        }
    }
    Ok(events)
}

/// Subscribes `url` to a street's events; returns the subscription and its signing secret
/// (shown this once to the caller; kept to sign deliveries).
#[expect(
    clippy::too_many_arguments,
    reason = "one subscription's inputs, and the reach the deployment allows"
)]
pub fn create(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    street_code: &str,
    url: &str,
    events: &[String],
    template: Option<&str>,
    reach: WebhookReach,
) -> Result<(Webhook, String), StoreError> {
    scope.require(Capability::ManageSettings)?;
    let url = check_url(url, reach)?;
    let events = check_events(events)?;
    let template = template.filter(|t| !t.trim().is_empty());
    if let Some(template) = template {
        jiedao_core::notice::check(template).map_err(Refusal::Template)?;
    }
    let street = org::current_by_code(conn, street_code)?
        .filter(|u| u.kind == OrgKind::Street)
        .ok_or_else(|| Refusal::UnknownOrgUnit {
            code: street_code.chars().take(40).collect(),
        })?;
    if !scope.covers(&street.path) {
        return Err(Refusal::OutOfScope.into());
    }
    let secret = random_token()?;
    let webhook = Webhook {
        id: uuid::Uuid::now_v7(),
        street_code: street.code,
        url,
        events,
        active: true,
        created_at: at,
        template: template.map(str::to_owned),
    };
    conn.execute(
        "INSERT INTO webhook (id, street_id, url, secret, events, active, created_at, created_by, template)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            &webhook.id,
            &street.id,
            &webhook.url,
            &secret,
            &webhook.events.join(","),
            &true,
            &at,
            &actor.name,
            &webhook.template,
        ],
    )?;
    audit::record(
        conn,
        actor,
        at,
        "webhook.create",
        &format!("webhook:{}", webhook.id),
        &(&webhook.url, &webhook.events),
    )?;
    Ok((webhook, secret))
}

const SELECT_WEBHOOK: &str =
    "SELECT w.id, o.code, w.url, w.events, w.active, w.created_at, w.template
    FROM webhook w JOIN org_unit o ON o.id = w.street_id";

fn read_webhook(row: &crate::db::Row<'_>) -> Result<Webhook, StoreError> {
    let events: String = row.get(3)?;
    Ok(Webhook {
        id: row.get(0)?,
        street_code: row.get(1)?,
        url: row.get(2)?,
        events: events.split(',').map(str::to_owned).collect(),
        active: row.get(4)?,
        created_at: row.get(5)?,
        template: row.get(6)?,
    })
}

/// The subscriptions of the streets within the scope, newest first.
pub fn list(conn: &mut Conn, scope: &Scope) -> Result<Vec<Webhook>, StoreError> {
    scope.require(Capability::ManageSettings)?;
    let (low, high) = scope.path_range();
    conn.query(
        &format!("{SELECT_WEBHOOK} WHERE o.path >= $1 AND o.path < $2 ORDER BY w.created_at DESC"),
        &[&low, &high],
        read_webhook,
    )
}

/// One subscription within the scope.
fn within(conn: &mut Conn, scope: &Scope, id: uuid::Uuid) -> Result<Webhook, StoreError> {
    scope.require(Capability::ManageSettings)?;
    let (low, high) = scope.path_range();
    conn.query_opt(
        &format!("{SELECT_WEBHOOK} WHERE w.id = $1 AND o.path >= $2 AND o.path < $3"),
        &[&id, &low, &high],
        read_webhook,
    )?
    .ok_or_else(|| {
        Refusal::NotFound {
            what: "noun.webhook",
            key: id.to_string(),
        }
        .into()
    })
}

/// Ends a subscription; its deliveries still waiting are given up, its log is kept.
pub fn remove(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    id: uuid::Uuid,
) -> Result<(), StoreError> {
    within(conn, scope, id)?;
    conn.execute(
        "UPDATE webhook SET active = $1 WHERE id = $2",
        &[&false, &id],
    )?;
    conn.execute(
        "UPDATE webhook_delivery SET next_at = NULL, status = $1 WHERE webhook_id = $2 AND next_at IS NOT NULL",
        &[&"failed", &id],
    )?;
    audit::record(
        conn,
        actor,
        at,
        "webhook.remove",
        &format!("webhook:{id}"),
        &(),
    )?;
    Ok(())
}

/// A subscription's latest deliveries, newest first.
pub fn deliveries(
    conn: &mut Conn,
    scope: &Scope,
    id: uuid::Uuid,
    limit: i64,
) -> Result<Vec<Delivery>, StoreError> {
    within(conn, scope, id)?;
    conn.query(
        "SELECT id, event, payload, attempts, status, last_status, last_error, created_at, next_at, delivered_at
         FROM webhook_delivery WHERE webhook_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        &[&id, &limit.clamp(1, 500)],
        |row| {
            Ok(Delivery {
                id: row.get(0)?,
                event: row.get(1)?,
                payload: row.get(2)?,
                attempts: row.get(3)?,
                status: row.get(4)?,
                last_status: row.get(5)?,
                last_error: row.get(6)?,
                created_at: row.get(7)?,
                next_at: row.get(8)?,
                delivered_at: row.get(9)?,
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disputes_events_are_subscribed_to_by_their_names() {
        let events = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        assert!(check_events(&events(&["dispute.agree", "dispute.high_risk", "dispatch"])).is_ok());
        assert!(check_events(&events(&["dispute.dispatch"])).is_err());
        assert!(check_events(&events(&["dispute."])).is_err());
    }

    #[test]
    fn signatures_follow_rfc_4231() {
        // RFC 4231, test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            sign(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn only_plain_http_addresses_and_known_events() {
        let reach = WebhookReach::Private;
        assert!(check_url("http://10.0.0.5:8080/hook", reach).is_ok());
        assert!(check_url("https://example.org/hook", reach).is_err());
        assert!(check_url("http://a b", reach).is_err());
        assert!(check_url("http://", reach).is_err());
        assert_eq!(check_events(&[]), Ok(vec!["*".to_owned()]));
        assert!(check_events(&["close".into(), "dispatch".into()]).is_ok());
        assert!(check_events(&["explode".into()]).is_err());
    }

    #[test]
    fn internal_addresses_and_credentials_are_refused() {
        let public = WebhookReach::Public;
        for url in [
            "http://127.0.0.1:1/",
            "http://[::1]:8080/x",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fe80::1]/",
            "http://0.0.0.0/",
            "http://10.0.0.5/",
            "http://192.168.1.1/",
            "http://[::ffff:127.0.0.1]/",
            "http://[fd00::1]/",
            "http://localhost:9/",
        ] {
            assert_eq!(
                check_url(url, public),
                Err(Refusal::WebhookAddressNotAllowed),
                "{url}"
            );
        }
        for url in [
            "http://user:pw@example.org/",
            "http://example.org@127.0.0.1/",
            "http://:80/",
            "http://example.org:99999/",
        ] {
            assert_eq!(check_url(url, public), Err(Refusal::BadWebhookUrl), "{url}");
        }
        assert!(check_url("http://example.org:8080/hook?x=1", public).is_ok());
        assert!(check_url("http://10.0.0.5/", WebhookReach::Private).is_ok());
        assert!(check_url("http://127.0.0.1/", WebhookReach::Private).is_err());
        assert!(check_url("http://169.254.169.254/", WebhookReach::Local).is_err());
        assert!(check_url("http://127.0.0.1:9/", WebhookReach::Local).is_ok());
        let target = Target::parse("http://[::1]:8080/a?b").expect("target");
        assert_eq!((target.host.as_str(), target.port), ("::1", 8080));
        assert_eq!(target.authority(), "[::1]:8080");
        assert_eq!(target.path, "/a?b");
        assert_eq!(Target::parse("http://example.org").expect("t").path, "/");
    }
}
