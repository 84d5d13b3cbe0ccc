//! The webhook deliverer: a task that sends the outbox's due deliveries as signed JSON POSTs
//! (`X-Jiedao-Event`, `X-Jiedao-Delivery`, `X-Jiedao-Signature: sha256=…`) and records each
//! attempt, so failures are retried with growing waits and the log shows what happened.

use std::time::Duration;

use axum::http::{Request, header};
use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use jiedao_store::Store;
use jiedao_store::ledger::outbox::{self, Outgoing};
use jiedao_store::webhooks;

/// How often the outbox is looked at.
const POLL: Duration = Duration::from_secs(1);
/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries sent per look.
const BATCH: i64 = 50;

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// Sends one delivery: the receiver's status, or what went wrong before it answered.
async fn send(client: &HttpClient, delivery: &Outgoing) -> (Option<u16>, Option<String>) {
    let body = Bytes::from(delivery.payload.clone());
    let signature = webhooks::sign(delivery.secret.as_bytes(), &body);
    let request = Request::post(delivery.url.as_str())
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, "jiedao-webhooks")
        .header("x-jiedao-event", delivery.event.as_str())
        .header("x-jiedao-delivery", delivery.id.to_string())
        .header("x-jiedao-signature", format!("sha256={signature}"))
        .body(Full::new(body));
    let request = match request {
        Ok(request) => request,
        Err(error) => return (None, Some(error.to_string())),
    };
    match tokio::time::timeout(TIMEOUT, client.request(request)).await {
        Ok(Ok(response)) => {
            let status = response.status();
            let error = (!status.is_success()).then(|| format!("HTTP {status}"));
            (Some(status.as_u16()), error)
        }
        Ok(Err(error)) => (None, Some(error.to_string())),
        Err(_) => (None, Some("timed out".to_owned())),
    }
}

/// One pass over the due deliveries; returns how many were attempted.
pub async fn deliver_due(store: &Store, client: &HttpClient) -> usize {
    let now = store.now();
    let due = match store.read(move |conn| outbox::due(conn, now, BATCH)).await {
        Ok(due) => due,
        Err(error) => {
            tracing::error!(%error, "reading the webhook outbox failed");
            return 0;
        }
    };
    let count = due.len();
    for delivery in due {
        let (status, error) = send(client, &delivery).await;
        let at = store.now();
        let recorded = store
            .write(move |conn| outbox::attempted(conn, &delivery, status, error.as_deref(), at))
            .await;
        if let Err(error) = recorded {
            tracing::error!(%error, "recording a webhook attempt failed");
        }
    }
    count
}

/// Starts the deliverer for the life of the process.
pub fn start(store: Store) {
    tokio::spawn(async move {
        let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
        loop {
            deliver_due(&store, &client).await;
            tokio::time::sleep(POLL).await;
        }
    });
}
