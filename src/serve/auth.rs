//! Who is calling: a bearer token turned into a partner.
//!
//! [`require_partner`] guards the `/v1` routes: it refuses a request without a valid token (401),
//! throttles clients whose sign-ins keep failing, applies the partner's rate limit (429), and
//! hands the partner to the handler as [`Caller`].

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::ApiError;
use super::limit::retry_after_seconds;
use super::state::AppState;
use crate::store::partner::{Partner, hash_token};
use crate::store::{Store, StoreError};

/// The partner making a request, for handlers behind [`require_partner`].
#[derive(Debug, Clone)]
pub struct Caller(pub Arc<Partner>);

/// The partner who made a request, left in the response's extensions for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditCaller(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Caller, ApiError> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::unauthorized(AuthError::Missing.to_string()))
    }
}

/// The client's address, when the server was started with connection info.
pub fn client_ip(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// Middleware: lets a request through only with a valid, unrevoked token within its rate limit.
pub async fn require_partner(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let ip = client_ip(request.extensions());
    let now = Instant::now();
    let token = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .unwrap_or_default()
        .to_string();
    let store = state.store.clone();
    let found =
        tokio::task::spawn_blocking(move || partner_for_token(store.as_ref(), &token)).await;
    let partner = match found {
        Ok(Ok(partner)) => Arc::new(partner),
        Ok(Err(AuthError::Store(e))) => return ApiError::from(e).into_response(),
        Ok(Err(refused)) => {
            // Only refused tokens are counted, so a flood of bad tokens from one address (a
            // proxy shared by many clients, say) never locks out a partner with a valid one.
            if let Err(wait) = state.limits.failures.check(&ip, now) {
                return ApiError::too_many(
                    "too many failed sign-ins from your address; wait before trying again",
                    retry_after_seconds(wait),
                )
                .into_response();
            }
            return ApiError::unauthorized(refused.to_string()).into_response();
        }
        Err(_) => return ApiError::internal().into_response(),
    };
    let id = partner.id;
    let mut response = match state.limits.partners.check(&id, now) {
        Err(wait) => ApiError::too_many(
            format!(
                "rate limit of {} requests a minute reached; wait before sending more",
                state.limits.partners.limit().per_minute
            ),
            retry_after_seconds(wait),
        )
        .into_response(),
        Ok(()) => {
            request.extensions_mut().insert(Caller(partner));
            next.run(request).await
        }
    };
    response.extensions_mut().insert(AuditCaller(id));
    response
}

/// Why a token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No token was given.
    #[error("a partner token is needed: send the header `Authorization: Bearer <token>`")]
    Missing,
    /// The token is unknown.
    #[error("this token is not valid; check that it was copied whole")]
    Unknown,
    /// The token was revoked.
    #[error("this token was revoked; ask the Lurewatch operator for a new one")]
    Revoked,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The active partner holding `token`.
pub fn partner_for_token(store: &dyn Store, token: &str) -> Result<Partner, AuthError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(AuthError::Missing);
    }
    match store.partner_by_token_hash(&hash_token(token))? {
        None => Err(AuthError::Unknown),
        Some(partner) if !partner.is_active() => Err(AuthError::Revoked),
        Some(partner) => Ok(partner),
    }
}

/// The token of an `Authorization: Bearer <token>` header value.
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::partner::{new_token, token_hint};
    use crate::store::{PartnerStore, Scope, SqliteStore};

    #[test]
    fn tokens_are_checked_against_the_stored_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
        let token = new_token();
        store
            .add_partner(
                "ngo",
                &Scope::default(),
                &hash_token(&token),
                &token_hint(&token),
                0,
            )
            .unwrap();
        assert_eq!(partner_for_token(&store, &token).unwrap().name, "ngo");
        assert!(matches!(
            partner_for_token(&store, "lw_nope"),
            Err(AuthError::Unknown)
        ));
        assert!(matches!(
            partner_for_token(&store, " "),
            Err(AuthError::Missing)
        ));
        store.revoke_partner("ngo", 1).unwrap();
        assert!(matches!(
            partner_for_token(&store, &token),
            Err(AuthError::Revoked)
        ));
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
    }
}
