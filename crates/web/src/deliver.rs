//! Webhook deliveries over HTTP: the handler of the outbox's delivery jobs
//! ([`jiedao_store::ledger::outbox::Deliver`]). Each sends one delivery as a signed JSON POST
//! (`X-Jiedao-Event`, `X-Jiedao-Delivery`, `X-Jiedao-Signature: sha256=…`); the store records
//! the attempt, and the job runner tries a failed one again with growing waits.

use std::time::Duration;

use axum::http::{Request, header};
use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use jiedao_store::jobs::Registry;
use jiedao_store::ledger::outbox::{self, Attempt, Deliver, Outgoing};
use jiedao_store::webhooks;

/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// Sends one delivery: the receiver's status, or what went wrong before it answered.
async fn send(client: &HttpClient, delivery: &Outgoing) -> Attempt {
    let failed = |error: String| Attempt {
        status: None,
        error: Some(error),
    };
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
        Err(error) => return failed(error.to_string()),
    };
    match tokio::time::timeout(TIMEOUT, client.request(request)).await {
        Ok(Ok(response)) => {
            let status = response.status();
            Attempt {
                status: Some(status.as_u16()),
                error: (!status.is_success()).then(|| format!("HTTP {status}")),
            }
        }
        Ok(Err(error)) => failed(error.to_string()),
        Err(_) => failed("timed out".to_owned()),
    }
}

/// Adds the HTTP deliverer of webhook deliveries to `registry`.
pub fn register(registry: Registry) -> Registry {
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    registry.register(outbox::RETRY, move |context, job: Deliver| {
        let client = client.clone();
        async move {
            outbox::deliver(&context, job, |delivery| async move {
                send(&client, &delivery).await
            })
            .await
        }
    })
}
