//! Reading a JSON request body within the size limit.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde_json::{Map, Value};

use crate::serve::errors::ApiError;
use crate::serve::state::AppState;

/// A request body that is one JSON object, no larger than the server's limit (413 otherwise).
#[derive(Debug, Clone, PartialEq)]
pub struct JsonBody(pub Map<String, Value>);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<JsonBody, ApiError> {
        let limit = state.config.max_body;
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > limit as u64) {
            return Err(ApiError::too_large(limit));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::too_large(limit)
                } else {
                    ApiError::bad_request("the request body could not be read")
                }
            })?;
        if bytes.len() > limit {
            return Err(ApiError::too_large(limit));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(JsonBody(map)),
            Ok(_) => Err(ApiError::bad_request("the body must be a JSON object")),
            Err(e) => Err(ApiError::bad_request(format!(
                "the body is not valid JSON ({e})"
            ))),
        }
    }
}
