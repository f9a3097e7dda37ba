//! `lurewatch serve`: the partner API on an address, until Ctrl-C or SIGTERM.

use std::io::Write;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use lurewatch::classify::Classifier;
use lurewatch::serve::limit::RateLimit;
use lurewatch::serve::state::DEFAULT_MAX_BODY;
use lurewatch::serve::{AppState, ServeConfig};

use super::{DbArg, Exit};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub addr: String,
    #[command(flatten)]
    pub db: DbArg,
    /// Let webhooks and `POST /v1/check` reach private and loopback addresses. For tests only.
    #[arg(long)]
    pub allow_private: bool,
    /// Requests allowed per partner token, such as 300/min, 10/s or 5000/h.
    #[arg(long, default_value = "300/min", value_name = "N/min")]
    pub rate_limit: RateLimit,
    /// Largest request body accepted, in bytes (larger ones get 413).
    #[arg(long, default_value_t = DEFAULT_MAX_BODY, value_name = "BYTES")]
    pub max_body: usize,
}

pub fn run(args: ServeArgs, classifier: Classifier) -> anyhow::Result<Exit> {
    let store = args.db.open()?;
    let config = ServeConfig {
        allow_private: args.allow_private,
        rate_limit: args.rate_limit,
        max_body: args.max_body,
        ..ServeConfig::default()
    };
    let state = AppState::new(Arc::new(store), Arc::new(classifier), config);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let local = listener
            .local_addr()
            .context("cannot read the address listened on")?;
        println!("lurewatch: listening on http://{local}");
        let _ = std::io::stdout().flush();
        if args.allow_private {
            eprintln!(
                "lurewatch: --allow-private is on: webhooks may reach private and loopback addresses. Use it for tests only."
            );
        }
        if !local.ip().is_loopback() {
            eprintln!(
                "lurewatch: the API speaks plain HTTP; put it behind a proxy that adds TLS before partners use it."
            );
        }
        lurewatch::serve::serve(listener, state, shutdown_signal())
            .await
            .context("the server stopped")?;
        eprintln!("lurewatch: stopped.");
        Ok(Exit::Ok)
    })
}

/// Completes on Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
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
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
