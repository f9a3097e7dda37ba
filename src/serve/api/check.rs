//! `POST /v1/check`: scores an ad sent in the body and answers with the record `lurewatch score`
//! writes for it.
//!
//! The body is one ad record, with the same fields as `score` reads. An ad given only by its
//! `url` is fetched with the crawler's fetcher and read by the crawler's extractors (JSON-LD,
//! channel pages, feeds); the address is checked first ([`check_url_target`]: no IP addresses,
//! nothing that resolves to a private or local network), and the fetcher checks every address
//! again after DNS resolution and on every redirect.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::JsonBody;
use crate::ad::{Ad, RecordError};
use crate::crawl::extract::{Page, extract};
use crate::crawl::fetch::{FetchConfig, FetchRequest, Fetcher};
use crate::serve::errors::ApiError;
use crate::serve::guard::check_url_target;
use crate::serve::state::AppState;
use crate::store::PageKind;

/// Fetches the page at `url` and reads the first job ad on it.
async fn fetch_ad(url: url::Url, allow_private: bool) -> Result<Ad, ApiError> {
    let fetcher = Fetcher::new(FetchConfig {
        allow_private,
        max_redirects: 3,
        total_timeout: std::time::Duration::from_secs(20),
        ..FetchConfig::default()
    })
    .map_err(|e| {
        tracing::error!(error = %e, "Cannot build the fetcher.");
        ApiError::internal()
    })?;
    let fetched = fetcher
        .fetch(&FetchRequest::new(url.clone()))
        .await
        .map_err(|e| {
            // The details (addresses, connection errors) stay in the server's log: told to the
            // caller they would map the network around the server.
            tracing::info!(url = %url, error = %e, "POST /v1/check could not fetch the ad.");
            let reason = match e.kind() {
                "private-address" => {
                    "the address is on a private or local network, or cannot be found".to_string()
                }
                kind => format!("the fetch failed ({kind})"),
            };
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                format!("could not fetch the ad: {reason}"),
            )
        })?;
    if !fetched.is_success() {
        return Err(ApiError::new(
            StatusCode::BAD_GATEWAY,
            format!(
                "could not fetch the ad: the site answered HTTP {}",
                fetched.status
            ),
        ));
    }
    let content = tokio::task::spawn_blocking(move || {
        extract(
            Page {
                url: &fetched.final_url,
                kind: PageKind::Page,
                content_type: fetched.content_type.as_deref(),
                body: &fetched.body,
                max_bytes: fetched.body.len().max(1),
            },
            &[],
        )
    })
    .await
    .map_err(|_| ApiError::internal())?;
    content.ads.into_iter().next().ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("no job ad was found at {url}; send the ad's text in `text`"),
        )
    })
}

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
            let url = check_url_target(&url, state.config.allow_private)
                .await
                .map_err(|refused| ApiError::bad_request(refused.to_string()))?;
            fetch_ad(url, state.config.allow_private).await?
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
