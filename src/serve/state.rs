//! What every request handler shares.

use std::net::IpAddr;
use std::sync::Arc;

use crate::classify::Classifier;
use crate::store::Store;

use super::audit::AuditLog;
use super::limit::{RateLimit, RateLimiter};
use super::metrics::Metrics;
use super::webhook::WebhookConfig;

/// The default limit on request bodies: 256 KiB.
pub const DEFAULT_MAX_BODY: usize = 256 * 1024;

/// Settings of the server.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Let `POST /v1/check` fetch, and webhooks deliver to, private and loopback addresses
    /// (tests only).
    pub allow_private: bool,
    /// Requests per partner token.
    pub rate_limit: RateLimit,
    /// Failed sign-ins per client address.
    pub auth_failure_limit: RateLimit,
    /// Largest request body accepted, in bytes.
    pub max_body: usize,
    /// Webhook delivery settings.
    pub webhooks: WebhookConfig,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            allow_private: false,
            rate_limit: RateLimit::default(),
            auth_failure_limit: RateLimit::per_minute(20),
            max_body: DEFAULT_MAX_BODY,
            webhooks: WebhookConfig::default(),
        }
    }
}

/// The rate limiters of the server.
#[derive(Debug)]
pub struct Limits {
    /// Requests per partner (by partner id).
    pub partners: RateLimiter<i64>,
    /// Failed sign-ins per client address (`None`: the address is unknown).
    pub failures: RateLimiter<Option<IpAddr>>,
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
    /// Rate limiters.
    pub limits: Arc<Limits>,
    /// Request and delivery counters.
    pub metrics: Arc<Metrics>,
    /// The buffered audit log.
    pub audit: AuditLog,
}

impl AppState {
    /// The state of a server on this store, with this classifier and settings.
    pub fn new(store: Arc<dyn Store>, classifier: Arc<Classifier>, config: ServeConfig) -> Self {
        let limits = Limits {
            partners: RateLimiter::new(config.rate_limit),
            failures: RateLimiter::new(config.auth_failure_limit),
        };
        AppState {
            audit: AuditLog::new(store.clone()),
            store,
            classifier,
            config: Arc::new(config),
            limits: Arc::new(limits),
            metrics: Arc::new(Metrics::default()),
        }
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
