//! The load the harnesses drive: intake through `POST /api/v1/cases` with a sensor client's
//! token, filing and dispatching through `POST /api/v1/cases/{id}/actions/…` as the demo's
//! shift lead, and reads of the case list and of single cases. Every write the server
//! acknowledges (a whole 2xx answer) is remembered, to be looked for after a crash.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::net::TcpStream;

use crate::bench::exchange;

/// Writes the server acknowledged.
#[derive(Debug, Default)]
pub struct Acknowledged {
    /// Case id → the number of history records the last acknowledged answer showed (1 for a
    /// case only taken in).
    pub cases: HashMap<String, usize>,
    /// Cases taken in but not yet dispatched.
    pub waiting: Vec<String>,
}

/// The kinds of request a client sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Intake,
    Dispatch,
    List,
    Show,
}

/// One request's outcome: when it was sent (since the load began), how long it took, whether
/// it succeeded.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub at: Duration,
    pub micros: u32,
    pub ok: bool,
}

/// What every client shares.
#[derive(Clone)]
pub struct Load {
    pub address: String,
    pub client_token: String,
    pub staff_token: String,
    pub department: String,
    pub category: String,
    pub acknowledged: Arc<Mutex<Acknowledged>>,
}

/// The body of an answer `exchange` left in `buffer`.
fn body(buffer: &[u8]) -> &[u8] {
    buffer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .and_then(|end| buffer.get(end + 4..))
        .unwrap_or(&[])
}

fn request(method: &str, path: &str, token: &str, extra: &str, json: Option<&str>) -> String {
    let json = json.unwrap_or("");
    format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n{extra}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{json}",
        json.len()
    )
}

/// The category reports are made under (占道经营).
pub const CATEGORY: &str = "E0502";

/// Signs the demo's shift lead in through the API; returns the session token.
pub async fn sign_in(address: &str) -> anyhow::Result<String> {
    let mut stream = TcpStream::connect(address).await?;
    let mut buffer = Vec::new();
    let json = format!(
        r#"{{"username":"shiftlead","password":"{}"}}"#,
        crate::demo::PASSWORD
    );
    let status = exchange(
        &mut stream,
        &mut buffer,
        request("POST", "/api/v1/login", "-", "", Some(&json)).as_bytes(),
    )
    .await?;
    if status != 200 {
        bail!("login as shiftlead: status {status}");
    }
    let answer: serde_json::Value = serde_json::from_slice(body(&buffer))?;
    answer
        .get("token")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .context("the login answer has no token")
}

impl Load {
    /// Sends one request of `kind` (`sequence` makes intake unique; a dispatch or a read with
    /// no case to act on reads the list instead); returns its status, or an error when the
    /// connection failed. Acknowledged writes are remembered.
    pub async fn send(
        &self,
        stream: &mut TcpStream,
        buffer: &mut Vec<u8>,
        kind: Kind,
        sequence: &str,
    ) -> anyhow::Result<u16> {
        match kind {
            Kind::Intake => self.intake(stream, buffer, sequence).await,
            Kind::Dispatch => {
                let waiting = self.lock().waiting.pop();
                match waiting {
                    Some(id) => self.dispatch(stream, buffer, id).await,
                    None => self.list(stream, buffer).await,
                }
            }
            Kind::List => self.list(stream, buffer).await,
            Kind::Show => {
                let id = self.lock().cases.keys().next().cloned();
                match id {
                    Some(id) => {
                        let text = request(
                            "GET",
                            &format!("/api/v1/cases/{id}"),
                            &self.staff_token,
                            "",
                            None,
                        );
                        exchange(stream, buffer, text.as_bytes()).await
                    }
                    None => self.list(stream, buffer).await,
                }
            }
        }
    }

    async fn intake(
        &self,
        stream: &mut TcpStream,
        buffer: &mut Vec<u8>,
        sequence: &str,
    ) -> anyhow::Result<u16> {
        let json = format!(
            r#"{{"description":"压力测试：占道经营 {sequence}","category":"{CATEGORY}","lon":120.1,"lat":30.29}}"#
        );
        let extra = format!("Idempotency-Key: harness-{sequence}\r\n");
        let text = request(
            "POST",
            "/api/v1/cases",
            &self.client_token,
            &extra,
            Some(&json),
        );
        let status = exchange(stream, buffer, text.as_bytes()).await?;
        if status == 201 {
            let answer: serde_json::Value = serde_json::from_slice(body(buffer))?;
            let id = answer
                .get("id")
                .and_then(serde_json::Value::as_str)
                .context("no id")?
                .to_owned();
            let mut acknowledged = self.lock();
            acknowledged.cases.insert(id.clone(), 1);
            acknowledged.waiting.push(id);
        }
        Ok(status)
    }

    /// Files the case (so it may be dispatched), then dispatches it.
    async fn dispatch(
        &self,
        stream: &mut TcpStream,
        buffer: &mut Vec<u8>,
        id: String,
    ) -> anyhow::Result<u16> {
        let steps = [
            (
                "file",
                format!(r#"{{"category":"{}","urgency":"normal"}}"#, self.category),
            ),
            (
                "dispatch",
                format!(r#"{{"department":"{}"}}"#, self.department),
            ),
        ];
        let mut status = 0;
        for (action, json) in steps {
            let path = format!("/api/v1/cases/{id}/actions/{action}");
            let text = request("POST", &path, &self.staff_token, "", Some(&json));
            status = exchange(stream, buffer, text.as_bytes()).await?;
            if status != 200 {
                break;
            }
            let answer: serde_json::Value = serde_json::from_slice(body(buffer))?;
            let records = answer
                .get("history")
                .and_then(serde_json::Value::as_array)
                .map_or(0, Vec::len);
            self.lock().cases.insert(id.clone(), records);
        }
        Ok(status)
    }

    async fn list(&self, stream: &mut TcpStream, buffer: &mut Vec<u8>) -> anyhow::Result<u16> {
        let text = request(
            "GET",
            "/api/v1/cases?page_size=20",
            &self.staff_token,
            "",
            None,
        );
        exchange(stream, buffer, text.as_bytes()).await
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Acknowledged> {
        self.acknowledged
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A client sending `kinds` in turn, one every `interval` (back to back when zero), until
    /// `until` or until the connection fails (the server died); returns its samples.
    pub async fn client(
        self,
        number: usize,
        kinds: Vec<Kind>,
        interval: Duration,
        began: Instant,
        until: Instant,
    ) -> Vec<Sample> {
        let mut samples = Vec::new();
        let Ok(mut stream) = TcpStream::connect(&self.address).await else {
            return samples;
        };
        let _ = stream.set_nodelay(true);
        let mut buffer = Vec::with_capacity(8192);
        let mut next = Instant::now();
        for sequence in 0_u64.. {
            if Instant::now() >= until {
                break;
            }
            let turn = usize::try_from(sequence).unwrap_or(0) % kinds.len().max(1);
            let Some(&kind) = kinds.get(turn) else {
                break;
            };
            let sent = Instant::now();
            let outcome = self
                .send(
                    &mut stream,
                    &mut buffer,
                    kind,
                    &format!("{number}-{sequence}-{:?}", began.elapsed().as_nanos()),
                )
                .await;
            let micros = u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX);
            let Ok(status) = outcome else { break };
            samples.push(Sample {
                at: sent - began,
                micros,
                ok: (200..300).contains(&status),
            });
            next += interval;
            if let Some(wait) = next.checked_duration_since(Instant::now()) {
                tokio::time::sleep(wait).await;
            }
        }
        samples
    }
}
