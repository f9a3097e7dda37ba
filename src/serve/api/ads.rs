//! `GET /v1/ads/{id}` (one ad with everything known about it) and `POST /v1/ads/{id}/review`
//! (an analyst's decision on it).
//!
//! A partner sees only ads in its scope and only its own reviews. An ad that exists outside the
//! caller's scope is refused with 403 on both routes; an id that does not exist is 404.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{JsonBody, db};
use crate::classify::REVIEW_NOTE;
use crate::serve::auth::Caller;
use crate::serve::errors::ApiError;
use crate::serve::state::AppState;
use crate::store::partner::{Decision, Review};
use crate::store::{Scope, StoredAd, now_millis, rfc3339};

/// Longest review note kept, in characters.
const MAX_NOTE_CHARS: usize = 4000;

/// Longest ad id accepted, in bytes.
const MAX_ID_BYTES: usize = 512;

fn ad_id(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    match path {
        Ok(Path(id)) if !id.trim().is_empty() && id.len() <= MAX_ID_BYTES => Ok(id),
        _ => Err(ApiError::not_found("there is no ad with that id")),
    }
}

/// The ad if the caller may see it; 403 if it exists outside the scope, 404 if it does not.
async fn visible_ad(state: &AppState, caller: &Caller, id: &str) -> Result<StoredAd, ApiError> {
    let scope = caller.0.scope.clone();
    let lookup = id.to_string();
    let (inside, exists) = db(state, move |store| {
        let inside = store.ad(&lookup, &scope)?;
        let exists = inside.is_some() || store.ad(&lookup, &Scope::default())?.is_some();
        Ok((inside, exists))
    })
    .await?;
    match (inside, exists) {
        (Some(ad), _) => Ok(ad),
        (None, true) => Err(ApiError::forbidden(
            "this ad is outside your organisation's scope (its languages or countries)",
        )),
        (None, false) => Err(ApiError::not_found(format!(
            "there is no ad with id `{id}`"
        ))),
    }
}

/// `GET /v1/ads/{id}`.
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = ad_id(path)?;
    let stored = visible_ad(&state, &caller, &id).await?;
    let partner = caller.0.id;
    let lookup = id.clone();
    let reviews = db(&state, move |store| store.reviews_of(&lookup, partner)).await?;
    Ok(Json(ad_json(&stored, &reviews)).into_response())
}

/// The JSON of one ad for its partner.
fn ad_json(stored: &StoredAd, reviews: &[Review]) -> Value {
    let latest = stored.scores.first();
    let result = latest.map(|s| &s.result);
    let field = |name: &str| {
        result
            .and_then(|r| r.get(name))
            .cloned()
            .unwrap_or(Value::Null)
    };
    json!({
        "id": stored.ad.id,
        "ad": stored.ad,
        "language": stored.language,
        "country": stored.country,
        "flagged": latest.is_some_and(|s| s.flagged),
        "score": latest.map(|s| (s.score * 10_000.0).round() / 10_000.0),
        "risk": latest.map(|s| s.risk),
        "scorer": latest.map(|s| &s.scorer),
        "scored_at": latest.map(|s| rfc3339(s.scored_at)),
        "flags": field("flags"),
        "entities": field("entities"),
        "salaries": field("salaries"),
        "pay": field("pay"),
        "reasons": field("reasons"),
        "urls": stored.sightings.iter().map(|s| &s.url).collect::<Vec<_>>(),
        "sightings": stored.sightings.iter().map(|s| json!({
            "url": s.url,
            "source": s.source,
            "first_seen": rfc3339(s.first_seen),
            "last_seen": rfc3339(s.last_seen),
        })).collect::<Vec<_>>(),
        "first_seen": rfc3339(stored.first_seen),
        "last_seen": rfc3339(stored.last_seen),
        "history": stored.scores.iter().map(|s| json!({
            "score": (s.score * 10_000.0).round() / 10_000.0,
            "flagged": s.flagged,
            "risk": s.risk,
            "scorer": s.scorer,
            "scored_at": rfc3339(s.scored_at),
        })).collect::<Vec<_>>(),
        "review_state": reviews.first().map_or("unreviewed", |r| r.decision.name()),
        "reviews": reviews.iter().map(review_json).collect::<Vec<_>>(),
        "note": REVIEW_NOTE,
    })
}

fn review_json(review: &Review) -> Value {
    json!({
        "id": review.id,
        "ad_id": review.ad_id,
        "decision": review.decision,
        "note": review.note,
        "reviewed_at": rfc3339(review.reviewed_at),
    })
}

/// `POST /v1/ads/{id}/review` with `{"decision": "confirmed"|"dismissed", "note": "..."}`.
pub async fn review(
    State(state): State<AppState>,
    caller: Caller,
    path: Result<Path<String>, PathRejection>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id = ad_id(path)?;
    let decision = body
        .get("decision")
        .and_then(Value::as_str)
        .and_then(Decision::from_name)
        .ok_or_else(|| {
            ApiError::bad_request("`decision` must be \"confirmed\" or \"dismissed\"")
        })?;
    let note = match body.get("note") {
        None | Some(Value::Null) => None,
        Some(Value::String(note)) if note.chars().count() <= MAX_NOTE_CHARS => {
            Some(note.trim().to_string()).filter(|n| !n.is_empty())
        }
        Some(Value::String(_)) => {
            return Err(ApiError::bad_request(format!(
                "`note` is longer than {MAX_NOTE_CHARS} characters"
            )));
        }
        Some(_) => return Err(ApiError::bad_request("`note` must be text")),
    };
    if let Some(unknown) = body
        .keys()
        .find(|k| !matches!(k.as_str(), "decision" | "note"))
    {
        return Err(ApiError::bad_request(format!(
            "unknown field `{unknown}`; a review has `decision` and `note`"
        )));
    }
    visible_ad(&state, &caller, &id).await?;
    let partner = caller.0.id;
    let review = db(&state, move |store| {
        store.add_review(&id, partner, decision, note.as_deref(), now_millis())
    })
    .await?;
    let mut body = review_json(&review);
    body["review_state"] = json!(review.decision.name());
    Ok((StatusCode::CREATED, Json(body)).into_response())
}
