//! The `jiedao` program: configuration, the commands, and the demo street. `main.rs` only
//! parses the command line; everything here is reachable from tests.

pub mod backup;
pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod generate;
pub mod harness;

use std::sync::Arc;

use jiedao_core::SystemClock;
use jiedao_store::Store;
use jiedao_web::{AppState, WebConfig};
use tokio::net::TcpListener;

/// Opens the database (migrating it) with the system clock.
pub async fn open_store(config: &config::Config) -> anyhow::Result<Store> {
    Ok(Store::open(config.store_config()?, Arc::new(SystemClock)).await?)
}

/// Serves `store` on `listener` until Ctrl-C or SIGTERM, with the background jobs running
/// and the ticker looking at every ledger's clocks each minute.
pub async fn serve(listener: TcpListener, store: Store, web: WebConfig) -> anyhow::Result<()> {
    let jobs = jiedao_web::jobs::registry().every(
        std::time::Duration::from_secs(60),
        &jiedao_store::ledger::clocks::Tick,
    )?;
    let state = AppState::new(store, web);
    jiedao_web::serve(listener, state, jobs, shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
