//! Middleware around every request: counts it in the metrics and writes it to the audit log.
//!
//! The audit entry says who (the partner, or none when the token was missing or wrong), what
//! (method and route template), on what (the path and query as sent), when, and the outcome (the
//! HTTP status), with the client address and, for a refusal, the reason. Health checks and metric
//! scrapes that succeed are counted but not audited, so probes do not bury the partners' calls.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::auth::{AuditCaller, client_ip};
use super::errors::ErrorMessage;
use super::state::AppState;
use crate::store::now_millis;
use crate::store::partner::AuditEntry;

/// Route label of requests no route matched.
pub const UNMATCHED: &str = "unmatched";

/// Longest target kept in an audit entry, in bytes.
const MAX_TARGET: usize = 512;

/// Routes whose successful requests are not audited.
const QUIET_ROUTES: [&str; 2] = ["/healthz", "/metrics"];

/// Middleware: measures, counts and audits a request.
pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let ip = client_ip(request.extensions());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let route = route.as_deref().unwrap_or(UNMATCHED);
    state.metrics.observe(route, status, started.elapsed());
    if QUIET_ROUTES.contains(&route) && response.status().is_success() {
        return response;
    }
    let mut detail: Vec<String> = Vec::new();
    if let Some(ip) = ip {
        detail.push(format!("client {ip}"));
    }
    if let Some(ErrorMessage(message)) = response.extensions().get::<ErrorMessage>() {
        detail.push(message.clone());
    }
    state.audit.record(AuditEntry {
        at: now_millis(),
        partner_id: response.extensions().get::<AuditCaller>().map(|c| c.0),
        action: format!("{method} {route}"),
        target: Some(truncate(target, MAX_TARGET)),
        outcome: status,
        detail: (!detail.is_empty()).then(|| detail.join("; ")),
    });
    response
}

/// The text cut to at most `max` bytes, at a character boundary.
fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_targets_are_cut_at_a_character_boundary() {
        assert_eq!(truncate("ééé".into(), 3), "é");
        assert_eq!(truncate("abc".into(), 10), "abc");
    }
}
