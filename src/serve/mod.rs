//! Stage 4, the feed: `lurewatch serve`, an authenticated HTTP API of flagged ads for partner
//! organisations, with a review page for analysts.
//!
//! [`state`] holds what every request handler shares (the store, the classifier, settings,
//! limiters, metrics, the audit log); [`auth`] turns a bearer token into a partner; [`api`] has
//! the `/v1` handlers and [`ops`] the health and metrics routes; [`observe`] counts and audits
//! every request; [`webhook`] delivers newly flagged ads; [`guard`] keeps the server's own
//! requests out of private networks; [`openapi`] describes the API. The router is assembled by
//! [`router`]; [`serve`] runs it with the delivery worker and shuts down cleanly.

pub mod api;
pub mod audit;
pub mod auth;
pub mod errors;
pub mod guard;
pub mod limit;
pub mod metrics;
pub mod observe;
pub mod openapi;
pub mod ops;
pub mod review;
pub mod state;
pub mod webhook;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use tokio::net::TcpListener;

pub use state::{AppState, ServeConfig};

/// The whole application: API, review page, health and metrics.
pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_body;
    Router::new()
        .merge(api::routes(state.clone()))
        .merge(ops::routes())
        .merge(review::routes(state.clone()))
        // Further route groups are merged here, above the layers, so they are counted and
        // audited too.
        .fallback(errors::not_found)
        .method_not_allowed_fallback(errors::method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            observe::observe,
        ))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` completes, delivering webhooks
/// meanwhile; then finishes the requests under way, stops the deliveries and writes the audit
/// entries still buffered.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let worker = webhook::Worker::spawn(state.clone());
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    worker.stop().await;
    state.audit.flush().await;
    served
}
