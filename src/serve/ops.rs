//! `GET /healthz` and `GET /metrics`, for the people running the server. Neither needs a token:
//! they say nothing about any ad or partner.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::state::AppState;

/// The health route.
pub const HEALTHZ: &str = "/healthz";
/// The metrics route.
pub const METRICS: &str = "/metrics";

/// The health and metrics routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(HEALTHZ, get(healthz))
        .route(METRICS, get(metrics))
}

async fn counts(state: &AppState) -> Option<(u64, u64)> {
    let store = state.store.clone();
    match tokio::task::spawn_blocking(move || store.counts()).await {
        Ok(Ok(counts)) => Some(counts),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "The store could not be read for a health check.");
            None
        }
        Err(_) => None,
    }
}

/// 200 when the store answers, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> Response {
    let store = state.store.clone();
    match tokio::task::spawn_blocking(move || store.health()).await {
        Ok(Ok(())) => Json(serde_json::json!({"status": "ok"})).into_response(),
        outcome => {
            if let Ok(Err(e)) = outcome {
                tracing::error!(error = %e, "The store could not be read for a health check.");
            }
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable", "error": "the database cannot be read"})),
            )
                .into_response()
        }
    }
}

/// The counters in Prometheus text format.
async fn metrics(State(state): State<AppState>) -> Response {
    let counts = counts(&state).await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(counts),
    )
        .into_response()
}
