//! The caller's webhooks and their deliveries: `POST /v1/webhooks` registers a URL and returns
//! its signing secret once, `GET /v1/webhooks` lists them, `DELETE /v1/webhooks/{id}` stops one,
//! `GET /v1/deliveries` shows recent deliveries. A partner only ever sees and changes its own.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::params::{DEFAULT_LIMIT, MAX_LIMIT, parse_limit};
use super::{JsonBody, db};
use crate::serve::auth::Caller;
use crate::serve::errors::ApiError;
use crate::serve::guard::check_url_target;
use crate::serve::state::AppState;
use crate::store::partner::{DeliveryInfo, Webhook, hex};
use crate::store::{now_millis, rfc3339};

/// Most active webhooks per partner.
pub const MAX_WEBHOOKS: usize = 10;

/// Longest webhook URL accepted, in bytes.
const MAX_URL_BYTES: usize = 2048;

fn webhook_json(hook: &Webhook) -> Value {
    json!({
        "id": hook.id,
        "url": hook.url,
        "active": hook.active,
        "created_at": rfc3339(hook.created_at),
    })
}

fn delivery_json(d: &DeliveryInfo) -> Value {
    json!({
        "id": d.id,
        "webhook_id": d.webhook_id,
        "ad_id": d.ad_id,
        "state": d.state,
        "attempts": d.attempts,
        "created_at": rfc3339(d.created_at),
        "delivered_at": d.delivered_at.map(rfc3339),
        "last_error": d.last_error,
    })
}

/// `POST /v1/webhooks` with `{"url": "https://..."}`.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let url = match body.get("url") {
        Some(Value::String(url)) if url.len() <= MAX_URL_BYTES => url.trim().to_string(),
        Some(Value::String(_)) => {
            return Err(ApiError::bad_request(format!(
                "`url` is longer than {MAX_URL_BYTES} bytes"
            )));
        }
        _ => {
            return Err(ApiError::bad_request(
                "`url` is needed: where to POST flagged ads",
            ));
        }
    };
    if let Some(unknown) = body.keys().find(|k| k.as_str() != "url") {
        return Err(ApiError::bad_request(format!(
            "unknown field `{unknown}`; a webhook has only `url`"
        )));
    }
    let checked = check_url_target(&url, state.config.allow_private)
        .await
        .map_err(|refused| ApiError::bad_request(refused.to_string()))?;
    let partner = caller.0.id;
    let secret = format!("whsec_{}", hex(&rand::random::<[u8; 32]>()));
    let hook_secret = secret.clone();
    let hook = db(&state, move |store| {
        let active = store.webhooks(partner)?.iter().filter(|w| w.active).count();
        if active >= MAX_WEBHOOKS {
            return Err(crate::store::StoreError::Conflict(format!(
                "you have {MAX_WEBHOOKS} active webhooks already; delete one first"
            )));
        }
        store.add_webhook(partner, checked.as_str(), &hook_secret, now_millis())
    })
    .await?;
    let mut answer = webhook_json(&hook);
    answer["secret"] = json!(secret);
    answer["note"] = json!(
        "Keep the secret now: it is shown only this once. Each delivery is signed with it: \
         X-Lurewatch-Signature is sha256=<hex HMAC-SHA256(secret, \"<X-Lurewatch-Timestamp>.<body>\")>."
    );
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `GET /v1/webhooks`.
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let partner = caller.0.id;
    let hooks = db(&state, move |store| store.webhooks(partner)).await?;
    let hooks: Vec<Value> = hooks.iter().map(webhook_json).collect();
    Ok(Json(json!({ "webhooks": hooks })).into_response())
}

/// `DELETE /v1/webhooks/{id}`: no more deliveries to it.
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = path
        .ok()
        .and_then(|Path(id)| id.parse::<i64>().ok())
        .ok_or_else(|| ApiError::not_found("there is no webhook with that id"))?;
    let partner = caller.0.id;
    db(&state, move |store| store.deactivate_webhook(partner, id))
        .await
        .map_err(|e| {
            if e.status == StatusCode::NOT_FOUND {
                ApiError::not_found(format!("you have no webhook with id {id}"))
            } else {
                e
            }
        })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /v1/deliveries?limit=N`: the caller's latest deliveries, newest first.
pub async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut limit = DEFAULT_LIMIT;
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match name.as_ref() {
            "limit" => limit = parse_limit(value.trim(), MAX_LIMIT)?,
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter `{other}`; the only parameter is limit"
                )));
            }
        }
    }
    let partner = caller.0.id;
    let found = db(&state, move |store| store.deliveries(partner, limit)).await?;
    let found: Vec<Value> = found.iter().map(delivery_json).collect();
    Ok(Json(json!({ "deliveries": found })).into_response())
}
