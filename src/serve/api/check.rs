//! `POST /v1/check`: scores an ad sent in the body and answers with the record `lurewatch score`
//! writes for it.
//!
//! The body is one ad record, with the same fields as `score` reads. An ad given only by its
//! `url` would have to be fetched; the address is checked first ([`check_url_target`]: no IP
//! addresses, nothing that resolves to a private or local network), and fetching itself is not
//! available yet (501).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::JsonBody;
use crate::ad::{Ad, RecordError};
use crate::serve::errors::ApiError;
use crate::serve::guard::check_url_target;
use crate::serve::state::AppState;

/// `POST /v1/check`.
pub async fn check(
    State(state): State<AppState>,
    JsonBody(record): JsonBody,
) -> Result<Response, ApiError> {
    let url = match record.get("url") {
        Some(Value::String(url)) => Some(url.clone()),
        _ => None,
    };
    let ad = match (Ad::from_object(record), url) {
        (Ok(ad), _) => ad,
        (Err(RecordError::NoText), Some(url)) => {
            check_url_target(&url, state.config.allow_private)
                .await
                .map_err(|refused| ApiError::bad_request(refused.to_string()))?;
            return Err(ApiError::new(
                StatusCode::NOT_IMPLEMENTED,
                "fetching by URL is not available yet; send the ad's text in `text`",
            ));
        }
        (Err(e), _) => return Err(ApiError::bad_request(format!("the ad cannot be read: {e}"))),
    };
    let classifier = state.classifier.clone();
    let scored = tokio::task::spawn_blocking(move || classifier.classify(ad))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "Scoring an ad stopped unexpectedly.");
            ApiError::internal()
        })?;
    Ok(Json(scored).into_response())
}
