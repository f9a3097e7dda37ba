//! The partner API under `/v1`: every route needs a partner token ([`super::auth`]) and sees
//! only what the partner's scope admits.
//!
//! [`ENDPOINTS`] lists every route with its method; [`routes`] builds the router from the same
//! table, so the OpenAPI document's test can check that it describes every route there is.

mod ads;
mod body;
mod check;
mod flagged;
mod params;
mod webhooks;

use axum::Router;
use axum::http::Method;
use axum::middleware;
use axum::routing::{MethodRouter, delete, get, post};

pub use body::JsonBody;
pub use params::{Cursor, FlaggedParams};

use super::errors::ApiError;
use super::state::AppState;
use crate::store::{Store, StoreError};

/// Flagged ads, JSON.
pub const FLAGGED: &str = "/v1/flagged";
/// Flagged ads, CSV.
pub const FLAGGED_CSV: &str = "/v1/flagged.csv";
/// Flagged ads, Atom.
pub const FLAGGED_ATOM: &str = "/v1/flagged.atom";
/// One ad.
pub const AD: &str = "/v1/ads/{id}";
/// Review of one ad.
pub const REVIEW: &str = "/v1/ads/{id}/review";
/// Score an ad.
pub const CHECK: &str = "/v1/check";
/// The caller's webhooks.
pub const WEBHOOKS: &str = "/v1/webhooks";
/// One webhook.
pub const WEBHOOK: &str = "/v1/webhooks/{id}";
/// The caller's webhook deliveries.
pub const DELIVERIES: &str = "/v1/deliveries";
/// This API's description.
pub const OPENAPI: &str = "/v1/openapi.json";

/// Every `/v1` route: method and path template.
pub const ENDPOINTS: &[(Method, &str)] = &[
    (Method::GET, FLAGGED),
    (Method::GET, FLAGGED_CSV),
    (Method::GET, FLAGGED_ATOM),
    (Method::GET, AD),
    (Method::POST, REVIEW),
    (Method::POST, CHECK),
    (Method::POST, WEBHOOKS),
    (Method::GET, WEBHOOKS),
    (Method::DELETE, WEBHOOK),
    (Method::GET, DELIVERIES),
    (Method::GET, OPENAPI),
];

/// The handler of one endpoint of [`ENDPOINTS`].
fn handler(method: &Method, path: &str) -> Option<MethodRouter<AppState>> {
    Some(match (method.as_str(), path) {
        ("GET", FLAGGED) => get(flagged::json),
        ("GET", FLAGGED_CSV) => get(flagged::csv),
        ("GET", FLAGGED_ATOM) => get(flagged::atom),
        ("GET", AD) => get(ads::show),
        ("POST", REVIEW) => post(ads::review),
        ("POST", CHECK) => post(check::check),
        ("POST", WEBHOOKS) => post(webhooks::create),
        ("GET", WEBHOOKS) => get(webhooks::list),
        ("DELETE", WEBHOOK) => delete(webhooks::remove),
        ("GET", DELIVERIES) => get(webhooks::deliveries),
        ("GET", OPENAPI) => get(super::openapi::serve),
        _ => return None,
    })
}

/// The `/v1` routes, behind the partner check.
pub fn routes(state: AppState) -> Router<AppState> {
    let mut router = Router::new();
    for (method, path) in ENDPOINTS {
        if let Some(handler) = handler(method, path) {
            router = router.route(path, handler);
        }
    }
    router.route_layer(middleware::from_fn_with_state(
        state,
        super::auth::require_partner,
    ))
}

/// Runs a store call on the blocking pool, turning its failure into an API error.
pub async fn db<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
{
    let store = state.store.clone();
    match tokio::task::spawn_blocking(move || f(store.as_ref())).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(e) => {
            tracing::error!(error = %e, "A store call stopped unexpectedly.");
            Err(ApiError::internal())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_has_a_handler() {
        for (method, path) in ENDPOINTS {
            assert!(handler(method, path).is_some(), "{method} {path}");
        }
    }
}
