//! Webhook deliveries over HTTP: the handler of the outbox's delivery jobs
//! ([`jiedao_store::ledger::outbox::Deliver`]). Each sends one delivery as a signed JSON POST
//! (`X-Jiedao-Event`, `X-Jiedao-Delivery`, `X-Jiedao-Signature: sha256=…`); the store records
//! the attempt, and the job runner tries a failed one again with growing waits.
//!
//! Before every attempt the receiver's name is resolved and each address checked against the
//! deployment's [`WebhookReach`]; the request then goes to the address that was checked (so a
//! name cannot resolve to a public address for the check and a private one for the
//! connection). What the log keeps of a failure is coarse (could not resolve, address not
//! allowed, could not connect, timed out, the receiver's HTTP status): it must not become a
//! port scanner's report of the inside of the network.

use std::time::Duration;

use axum::http::{Request, header};
use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use jiedao_store::jobs::Registry;
use jiedao_store::ledger::outbox::{self, Attempt, Deliver, Outgoing};
use jiedao_store::webhooks::{self, Target, WebhookReach};

/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// The one address of `target` a delivery may go to under `reach`, or the coarse reason not.
async fn resolve(
    target: &Target,
    reach: WebhookReach,
) -> Result<std::net::SocketAddr, &'static str> {
    let found: Vec<std::net::SocketAddr> = match target.literal() {
        Some(ip) => vec![std::net::SocketAddr::new(ip, target.port)],
        None => tokio::time::timeout(
            TIMEOUT,
            tokio::net::lookup_host((target.host.as_str(), target.port)),
        )
        .await
        .map_err(|_| "could not resolve")?
        .map_err(|_| "could not resolve")?
        .collect(),
    };
    // Every address the name has must be allowed: a name pointing anywhere inside is refused.
    if found.iter().any(|address| !reach.allows(address.ip())) {
        return Err("address not allowed");
    }
    found.first().copied().ok_or("could not resolve")
}

/// Sends one delivery: the receiver's status, or (coarsely) what went wrong before it
/// answered.
async fn send(client: &HttpClient, delivery: &Outgoing, reach: WebhookReach) -> Attempt {
    let failed = |error: &str| Attempt {
        status: None,
        error: Some(error.to_owned()),
    };
    let Ok(target) = Target::parse(&delivery.url) else {
        return failed("address not allowed");
    };
    let address = match resolve(&target, reach).await {
        Ok(address) => address,
        Err(reason) => return failed(reason),
    };
    let body = Bytes::from(delivery.payload.clone());
    let signature = webhooks::sign(delivery.secret.as_bytes(), &body);
    let request = Request::post(format!("http://{address}{}", target.path))
        .header(header::HOST, target.authority())
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, "jiedao-webhooks")
        .header("x-jiedao-event", delivery.event.as_str())
        .header("x-jiedao-delivery", delivery.id.to_string())
        .header("x-jiedao-signature", format!("sha256={signature}"))
        .body(Full::new(body));
    let Ok(request) = request else {
        return failed("address not allowed");
    };
    match tokio::time::timeout(TIMEOUT, client.request(request)).await {
        Ok(Ok(response)) => {
            let status = response.status();
            Attempt {
                status: Some(status.as_u16()),
                error: (!status.is_success()).then(|| format!("HTTP {status}")),
            }
        }
        Ok(Err(_)) => failed("could not connect"),
        Err(_) => failed("timed out"),
    }
}

/// Adds the HTTP deliverer of webhook deliveries to `registry`.
pub fn register(registry: Registry) -> Registry {
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    registry.register(outbox::RETRY, move |context, job: Deliver| {
        let client = client.clone();
        async move {
            let reach = context.store().config().webhook_reach;
            outbox::deliver(&context, job, |delivery| async move {
                send(&client, &delivery, reach).await
            })
            .await
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check is made on what a name resolves to, not on how it is written.
    #[tokio::test]
    async fn names_are_checked_by_the_addresses_they_resolve_to() {
        let target = Target::parse("http://localhost:9/hook").expect("target");
        assert_eq!(
            resolve(&target, WebhookReach::Public).await,
            Err("address not allowed")
        );
        assert!(resolve(&target, WebhookReach::Local).await.is_ok());
        let literal = Target::parse("http://169.254.169.254/").expect("target");
        assert_eq!(
            resolve(&literal, WebhookReach::Local).await,
            Err("address not allowed")
        );
    }
}
