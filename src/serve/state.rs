//! What every request handler shares.

use std::sync::Arc;

use crate::classify::Classifier;
use crate::store::Store;

/// Settings of the server.
#[derive(Debug, Clone, Default)]
pub struct ServeConfig {
    /// Let `POST /v1/check` fetch, and webhooks deliver to, private and loopback addresses
    /// (tests only).
    pub allow_private: bool,
}

/// Shared state of the server. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Where ads, partners and reviews are kept: any backend behind the [`Store`] traits.
    pub store: Arc<dyn Store>,
    /// Scores ads sent to `POST /v1/check`.
    pub classifier: Arc<Classifier>,
    /// Settings.
    pub config: Arc<ServeConfig>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
