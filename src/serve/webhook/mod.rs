//! Webhook deliveries: each newly flagged ad is POSTed to every partner webhook whose scope
//! admits it.
//!
//! The store queues a delivery in the same transaction that flags the ad, so none is lost. The
//! worker here polls for due deliveries, sends each as JSON signed with the webhook's secret
//! ([`signature`]), and records every attempt. A 2xx answer is a delivery; anything else (another
//! status, a redirect, a refused connection, a time-out, an address that turned private) is
//! tried again after an exponentially growing, jittered wait, up to a number of attempts.
//!
//! The body is `{"event": "ad.flagged", "delivery_id": <id>, "ad": <flagged ad>}`, the ad as
//! `GET /v1/flagged` lists it. The same delivery keeps its id across retries; receivers should
//! ignore an id they have processed already.

pub mod signature;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::guard::{check_url_target, delivery_client};
use super::metrics::DeliveryOutcome;
use super::state::AppState;
use crate::export::{FeedItem, items};
use crate::store::partner::{AttemptResult, DeliveryAttempt, DueDelivery};
use crate::store::{Scope, StoreError, now_millis};
pub use signature::{
    DELIVERY_HEADER, SIGNATURE_HEADER, SignatureError, TIMESTAMP_HEADER, sign, verify_signature,
};

/// Most delivery attempts under way at once.
const MAX_IN_FLIGHT: usize = 32;

/// Delivery settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookConfig {
    /// How often to look for due deliveries.
    pub poll_interval: Duration,
    /// Wait after the first failure; doubled after each further one.
    pub first_retry: Duration,
    /// Longest wait between attempts.
    pub max_retry: Duration,
    /// Attempts before giving up.
    pub max_attempts: u32,
    /// Time limit of one attempt.
    pub timeout: Duration,
}

impl Default for WebhookConfig {
    /// Polls every second; retries after 1 s, 2 s, 4 s … up to 10 minutes apart, 8 attempts in
    /// all; 10 seconds per attempt.
    fn default() -> Self {
        WebhookConfig {
            poll_interval: Duration::from_secs(1),
            first_retry: Duration::from_secs(1),
            max_retry: Duration::from_secs(600),
            max_attempts: 8,
            timeout: Duration::from_secs(10),
        }
    }
}

impl WebhookConfig {
    /// The wait after the `failures`-th failed attempt (1 for the first), before jitter.
    pub fn backoff(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(30);
        self.first_retry
            .saturating_mul(1 << doublings)
            .min(self.max_retry)
    }
}

/// Adds up to a quarter of the wait at random, so retries from many deliveries spread out.
fn jittered(wait: Duration) -> Duration {
    let quarter = wait.as_millis() as u64 / 4;
    wait + Duration::from_millis(rand::random_range(0..=quarter))
}

/// The running delivery worker.
#[derive(Debug)]
pub struct Worker {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Worker {
    /// Starts delivering for the server with this state.
    pub fn spawn(state: AppState) -> Worker {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let client = match delivery_client(
                state.config.allow_private,
                state.config.webhooks.timeout,
            ) {
                Ok(client) => client,
                Err(e) => {
                    tracing::error!(error = %e, "Webhook client could not be built; no deliveries.");
                    return;
                }
            };
            // Attempts run side by side and new ones start as soon as they are due, so a slow
            // receiver holds up only its own deliveries.
            let mut attempts = tokio::task::JoinSet::new();
            let mut in_flight: HashSet<i64> = HashSet::new();
            loop {
                start_due(&state, &client, &mut attempts, &mut in_flight).await;
                tokio::select! {
                    _ = stopped.changed() => {
                        while attempts.join_next().await.is_some() {}
                        return;
                    }
                    Some(Ok(id)) = attempts.join_next(), if !attempts.is_empty() => {
                        in_flight.remove(&id);
                    }
                    _ = tokio::time::sleep(state.config.webhooks.poll_interval) => {}
                }
            }
        });
        Worker { stop, task }
    }

    /// Stops after the attempts under way.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts an attempt at every due delivery not already being attempted, up to
/// [`MAX_IN_FLIGHT`] at once; each task returns its delivery's id when done.
async fn start_due(
    state: &AppState,
    client: &reqwest::Client,
    attempts: &mut tokio::task::JoinSet<i64>,
    in_flight: &mut HashSet<i64>,
) {
    if in_flight.len() >= MAX_IN_FLIGHT {
        return;
    }
    let store = state.store.clone();
    let wanted = MAX_IN_FLIGHT + in_flight.len();
    let due = tokio::task::spawn_blocking(move || store.due_deliveries(now_millis(), wanted)).await;
    let due = match due {
        Ok(Ok(due)) => due,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "Due webhook deliveries could not be read.");
            return;
        }
        Err(_) => return,
    };
    for delivery in due {
        if in_flight.len() >= MAX_IN_FLIGHT {
            break;
        }
        if !in_flight.insert(delivery.id) {
            continue;
        }
        let state = state.clone();
        let client = client.clone();
        attempts.spawn(async move {
            let id = delivery.id;
            attempt(&state, &client, delivery).await;
            id
        });
    }
}

/// One attempt at one delivery, recorded.
async fn attempt(state: &AppState, client: &reqwest::Client, delivery: DueDelivery) {
    let at = now_millis();
    let started = Instant::now();
    // `last`: no point trying again.
    let (status, error, last) = match payload(state, &delivery).await {
        Ok(Some(body)) => {
            let (status, error) = send(state, client, &delivery, body).await;
            (status, error, false)
        }
        Ok(None) => (None, Some("the ad is no longer flagged".to_string()), true),
        Err(e) => {
            tracing::error!(error = %e, delivery = delivery.id, "Webhook payload could not be read.");
            (None, Some("the ad could not be read".to_string()), false)
        }
    };
    let config = &state.config.webhooks;
    let failures = delivery.attempts + 1;
    let (next, outcome) = if error.is_none() {
        (AttemptResult::Delivered, DeliveryOutcome::Delivered)
    } else if last || failures >= config.max_attempts {
        (AttemptResult::GiveUp, DeliveryOutcome::Failed)
    } else {
        let wait = jittered(config.backoff(failures));
        let retry_at = at + wait.as_millis() as i64;
        (AttemptResult::RetryAt(retry_at), DeliveryOutcome::Retry)
    };
    match &error {
        None => {
            tracing::info!(delivery = delivery.id, url = %delivery.webhook.url, "Webhook delivered.")
        }
        Some(why) => {
            tracing::warn!(delivery = delivery.id, url = %delivery.webhook.url, attempt = failures, error = %why, "Webhook delivery failed.")
        }
    }
    state.metrics.delivery(outcome);
    let record = DeliveryAttempt {
        at,
        status,
        error,
        duration_ms: started.elapsed().as_millis() as i64,
        next,
    };
    let store = state.store.clone();
    let id = delivery.id;
    let written = tokio::task::spawn_blocking(move || store.record_attempt(id, &record)).await;
    if !matches!(written, Ok(Ok(()))) {
        tracing::error!(delivery = id, "Webhook attempt could not be recorded.");
    }
}

/// The body of a delivery, or `None` if the ad is no longer flagged.
async fn payload(state: &AppState, delivery: &DueDelivery) -> Result<Option<Vec<u8>>, String> {
    let store = state.store.clone();
    let ad_id = delivery.ad_id.clone();
    let item = tokio::task::spawn_blocking(move || -> Result<Option<FeedItem>, StoreError> {
        let Some(flagged) = store.flagged_ad(&ad_id, &Scope::default())? else {
            return Ok(None);
        };
        Ok(items(store.as_ref(), vec![flagged])?.pop())
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    Ok(item.map(|ad| {
        let body = serde_json::json!({"event": "ad.flagged", "delivery_id": delivery.id, "ad": ad});
        body.to_string().into_bytes()
    }))
}

/// Sends a signed body; returns the receiver's status and what went wrong, if anything.
async fn send(
    state: &AppState,
    client: &reqwest::Client,
    delivery: &DueDelivery,
    body: Vec<u8>,
) -> (Option<u16>, Option<String>) {
    let url = match check_url_target(&delivery.webhook.url, state.config.allow_private).await {
        Ok(url) => url,
        Err(refused) => return (None, Some(refused.to_string())),
    };
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let signature = sign(&delivery.webhook.secret, &timestamp, &body);
    let sent = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(TIMESTAMP_HEADER, &timestamp)
        .header(SIGNATURE_HEADER, signature)
        .header(DELIVERY_HEADER, delivery.id.to_string())
        .header("X-Lurewatch-Event", "ad.flagged")
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => (Some(response.status().as_u16()), None),
        Ok(response) => {
            let status = response.status().as_u16();
            (
                Some(status),
                Some(format!("the receiver answered HTTP {status}")),
            )
        }
        Err(e) if e.is_timeout() => (None, Some("the receiver did not answer in time".into())),
        Err(e) => (
            None,
            Some(format!("could not reach the receiver: {}", error_chain(&e))),
        ),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitter_adds_at_most_a_quarter() {
        let config = WebhookConfig::default();
        let waits: Vec<u64> = (1..=5).map(|n| config.backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16]);
        assert_eq!(config.backoff(40), Duration::from_secs(600));
        for _ in 0..100 {
            let j = jittered(Duration::from_secs(4));
            assert!(j >= Duration::from_secs(4) && j <= Duration::from_secs(5));
        }
    }
}
