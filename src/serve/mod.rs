//! Stage 4, the feed: `lurewatch serve`, an authenticated HTTP API of flagged ads for partner
//! organisations, with a review page for analysts.
//!
//! [`state`] holds what every request handler shares (the store, the classifier, settings) and
//! [`auth`] turns a bearer token into a partner. The router is assembled by [`router`].

pub mod auth;
pub mod review;
pub mod state;

use axum::Router;

pub use state::{AppState, ServeConfig};

/// The whole application: API, review page, health and metrics.
pub fn router(state: AppState) -> Router {
    Router::new().merge(review::routes()).with_state(state)
}
