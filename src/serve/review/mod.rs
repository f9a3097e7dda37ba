//! The review page for analysts: server-rendered HTML under `/review`, usable without
//! JavaScript, for partners logged in with their token.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /review/login`, `POST /review/login` | paste the partner token; starts a session ([`session`]) |
//! | `POST /review/logout` | ends it |
//! | `GET /review` | flagged ads in the partner's scope, newest first, with filters ([`list`]) |
//! | `GET /review/ads/{id}` | one ad with its evidence marked and its score explained ([`ad_page`]) |
//! | `POST /review/ads/{id}/decision` | confirm or dismiss it, with an optional note |
//!
//! A browser that is not logged in is sent to the login page; an ad that does not exist or is
//! outside the partner's scope gets the same friendly "not found" page. Decisions are recorded
//! with [`ReviewStore::add_review`](crate::store::ReviewStore::add_review) and can be exported as
//! labelled training data ([`export`]), which `lurewatch train --extra` reads.

pub mod ad_page;
pub mod export;
pub mod highlight;
pub mod html;
pub mod list;
pub mod pages;
mod respond;
pub mod session;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{DefaultBodyLimit, Extension, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};

use super::AppState;
use super::auth::{AuditCaller, AuthError, partner_for_token};
use crate::store::now_millis;
use crate::store::partner::{AuditEntry, Decision, Partner, hash_token};
use ad_page::{AdView, MAX_NOTE, ad_page};
use html::{Viewer, ad_href};
use list::{Filters, Row, list_page};
use pages::{login_page, not_found_page, problem_page};
use respond::{blocking, expired_form, form, html, see_other, server_error};
use session::{COOKIE_NAME, Session, Sessions, cookie, csrf_ok, is_https};

/// Largest form body read.
const MAX_FORM: usize = 64 * 1024;

/// The review routes, to merge into the server's router. Each call has its own sessions.
///
/// Every request of a logged-in analyst counts against their partner's rate limit, like API
/// calls, and the audit log records which partner made it.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/review", get(list_handler))
        .route("/review/", get(|| async { Redirect::to("/review") }))
        .route("/review/login", get(login_form).post(login))
        .route("/review/logout", post(logout))
        .route("/review/ads/{id}", get(ad_handler))
        .route("/review/ads/{id}/decision", post(decide))
        .layer(axum::middleware::from_fn_with_state(state, attribute))
        .layer(Extension(Arc::new(Sessions::new())))
        .layer(DefaultBodyLimit::max(MAX_FORM))
}

/// Middleware: applies the partner's rate limit to a logged-in analyst's requests and names
/// the partner in the response for the audit log.
async fn attribute(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let token_hash = request
        .extensions()
        .get::<Arc<Sessions>>()
        .zip(cookie(request.headers(), COOKIE_NAME))
        .and_then(|(sessions, id)| sessions.get(id, now_millis()))
        .map(|session| session.token_hash);
    let partner = match token_hash {
        Some(hash) => {
            let store = state.store.clone();
            blocking(move || store.partner_by_token_hash(&hash))
                .await
                .ok()
                .flatten()
                .filter(Partner::is_active)
        }
        None => None,
    };
    if let Some(partner) = &partner {
        if let Err(wait) = state
            .limits
            .partners
            .check(&partner.id, std::time::Instant::now())
        {
            let seconds = super::limit::retry_after_seconds(wait);
            let mut response = html(
                StatusCode::TOO_MANY_REQUESTS,
                problem_page(
                    "Too many requests",
                    None,
                    &format!(
                        "Your organisation has reached its limit of requests a minute. \
                         Please wait {seconds} seconds and try again."
                    ),
                ),
            );
            if let Ok(value) = axum::http::HeaderValue::from_str(&seconds.to_string()) {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, value);
            }
            response.extensions_mut().insert(AuditCaller(partner.id));
            return response;
        }
    }
    let mut response = next.run(request).await;
    if let Some(partner) = partner {
        response.extensions_mut().insert(AuditCaller(partner.id));
    }
    response
}

/// A logged-in partner and their session.
struct LoggedIn {
    session: Session,
    partner: Partner,
    csrf: String,
}

impl LoggedIn {
    fn viewer(&self) -> Viewer<'_> {
        Viewer {
            partner: &self.partner.name,
            csrf: &self.csrf,
        }
    }
}

/// The partner behind the request's session, or the response that sends the browser to the
/// login page. The partner is looked up again on every request, so a revoked token stops
/// working at once.
async fn logged_in(
    state: &AppState,
    sessions: &Sessions,
    headers: &HeaderMap,
) -> Result<LoggedIn, Response> {
    let secure = is_https(headers);
    let to_login = || see_other("/review/login", Some(session::clear_cookie(secure)));
    let Some(id) = cookie(headers, COOKIE_NAME) else {
        return Err(see_other("/review/login", None));
    };
    let Some(session) = sessions.get(id, now_millis()) else {
        return Err(to_login());
    };
    let store = state.store.clone();
    let hash = session.token_hash.clone();
    match blocking(move || store.partner_by_token_hash(&hash)).await {
        Ok(Some(partner)) if partner.is_active() => Ok(LoggedIn {
            csrf: session.csrf(),
            session,
            partner,
        }),
        Ok(_) => {
            sessions.end(&session.id);
            Err(to_login())
        }
        Err(e) => Err(server_error(None, &e)),
    }
}

/// Records an action in the audit log; a failure is logged, not shown.
async fn audit(state: &AppState, entry: AuditEntry) {
    let store = state.store.clone();
    if let Err(e) = blocking(move || store.audit(&[entry])).await {
        tracing::warn!(error = %e, "Could not write the audit log.");
    }
}

async fn login_form(Extension(sessions): Extension<Arc<Sessions>>, headers: HeaderMap) -> Response {
    let live = cookie(&headers, COOKIE_NAME).and_then(|id| sessions.get(id, now_millis()));
    if live.is_some() {
        return see_other("/review", None);
    }
    html(StatusCode::OK, login_page(None))
}

async fn login(
    State(state): State<AppState>,
    Extension(sessions): Extension<Arc<Sessions>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = form(&body).remove("token").unwrap_or_default();
    let token = token.trim().to_string();
    let store = state.store.clone();
    let checked = tokio::task::spawn_blocking(move || {
        partner_for_token(store.as_ref(), &token).map(|p| (p, hash_token(&token)))
    })
    .await;
    let (status, problem) = match checked {
        Ok(Ok((partner, token_hash))) => {
            let session = sessions.start(&token_hash, now_millis());
            audit(
                &state,
                entry(Some(partner.id), "POST /review/login", None, 303),
            )
            .await;
            return see_other(
                "/review",
                Some(session::set_cookie(&session, is_https(&headers))),
            );
        }
        Ok(Err(AuthError::Missing)) => (StatusCode::BAD_REQUEST, "Paste your token first."),
        Ok(Err(AuthError::Unknown)) => (
            StatusCode::UNAUTHORIZED,
            "That token was not accepted. Check that you pasted all of it, starting with lw_.",
        ),
        Ok(Err(AuthError::Revoked)) => (
            StatusCode::UNAUTHORIZED,
            "That token has been revoked. Ask the Lurewatch operator for a new one.",
        ),
        Ok(Err(AuthError::Store(e))) => return server_error(None, &e),
        Err(e) => return server_error(None, &e),
    };
    audit(
        &state,
        entry(None, "POST /review/login", None, status.as_u16()),
    )
    .await;
    html(status, login_page(Some(problem)))
}

async fn logout(
    Extension(sessions): Extension<Arc<Sessions>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let secure = is_https(&headers);
    if let Some(session) =
        cookie(&headers, COOKIE_NAME).and_then(|id| sessions.get(id, now_millis()))
    {
        let given = form(&body).remove("csrf").unwrap_or_default();
        if !csrf_ok(&session, &given) {
            return expired_form();
        }
        sessions.end(&session.id);
    }
    see_other("/review/login", Some(session::clear_cookie(secure)))
}

async fn list_handler(
    State(state): State<AppState>,
    Extension(sessions): Extension<Arc<Sessions>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let who = match logged_in(&state, &sessions, &headers).await {
        Ok(who) => who,
        Err(response) => return response,
    };
    let filters = Filters::from_query(query.as_deref().unwrap_or(""));
    let (query, problems) = filters.query(&who.partner.scope);
    let store = state.store.clone();
    let partner = who.partner.id;
    let rows = blocking(move || {
        let mut rows = Vec::new();
        for ad in store.flagged(&query)? {
            let decision = store
                .reviews_of(&ad.ad.id, partner)?
                .first()
                .map(|r| (r.decision, r.reviewed_at));
            rows.push(Row { ad, decision });
        }
        Ok(rows)
    })
    .await;
    match rows {
        Ok(rows) => html(
            StatusCode::OK,
            list_page(
                who.viewer(),
                &filters,
                &problems,
                &rows,
                state.classifier.extractor().rules(),
            ),
        ),
        Err(e) => server_error(Some(who.viewer()), &e),
    }
}

async fn ad_handler(
    State(state): State<AppState>,
    Extension(sessions): Extension<Arc<Sessions>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    let who = match logged_in(&state, &sessions, &headers).await {
        Ok(who) => who,
        Err(response) => return response,
    };
    let Ok(Path(id)) = path else {
        return html(StatusCode::NOT_FOUND, not_found_page(Some(who.viewer())));
    };
    let store = state.store.clone();
    let (scope, partner) = (who.partner.scope.clone(), who.partner.id);
    let found = blocking(move || match store.ad(&id, &scope)? {
        Some(stored) => {
            let reviews = store.reviews_of(&id, partner)?;
            Ok(Some((stored, reviews)))
        }
        None => Ok(None),
    })
    .await;
    let saved = url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "saved")
        .and_then(|(_, v)| Decision::from_name(&v));
    let notice = saved.map(|d| format!("Saved: you {} this ad.", d.name()));
    match found {
        Ok(Some((stored, reviews))) => html(
            StatusCode::OK,
            ad_page(
                who.viewer(),
                AdView {
                    stored: &stored,
                    reviews: &reviews,
                    rules: state.classifier.extractor().rules(),
                    notice: notice.as_deref(),
                },
            ),
        ),
        Ok(None) => html(StatusCode::NOT_FOUND, not_found_page(Some(who.viewer()))),
        Err(e) => server_error(Some(who.viewer()), &e),
    }
}

async fn decide(
    State(state): State<AppState>,
    Extension(sessions): Extension<Arc<Sessions>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    let who = match logged_in(&state, &sessions, &headers).await {
        Ok(who) => who,
        Err(response) => return response,
    };
    let Ok(Path(id)) = path else {
        return html(StatusCode::NOT_FOUND, not_found_page(Some(who.viewer())));
    };
    let mut fields = form(&body);
    if !csrf_ok(&who.session, &fields.remove("csrf").unwrap_or_default()) {
        return expired_form();
    }
    let Some(decision) = fields
        .remove("decision")
        .and_then(|d| Decision::from_name(d.trim()))
    else {
        return html(
            StatusCode::BAD_REQUEST,
            problem_page(
                "Choose confirm or dismiss",
                Some(who.viewer()),
                "Nothing was saved: press either Confirm or Dismiss on the ad's page.",
            ),
        );
    };
    let note: String = fields
        .remove("note")
        .unwrap_or_default()
        .trim()
        .chars()
        .take(MAX_NOTE)
        .collect();
    let store = state.store.clone();
    let (scope, partner) = (who.partner.scope.clone(), who.partner.id);
    let ad_id = id.clone();
    let recorded = blocking(move || {
        if store.ad(&ad_id, &scope)?.is_none() {
            return Ok(false);
        }
        let note = (!note.is_empty()).then_some(note.as_str());
        store.add_review(&ad_id, partner, decision, note, now_millis())?;
        Ok(true)
    })
    .await;
    let action = "POST /review/ads/{id}/decision";
    match recorded {
        Ok(true) => {
            let target = Some(format!("{id} {}", decision.name()));
            audit(&state, entry(Some(partner), action, target, 303)).await;
            see_other(&format!("{}?saved={}", ad_href(&id), decision.name()), None)
        }
        Ok(false) => {
            audit(&state, entry(Some(partner), action, Some(id), 404)).await;
            html(StatusCode::NOT_FOUND, not_found_page(Some(who.viewer())))
        }
        Err(e) => server_error(Some(who.viewer()), &e),
    }
}

fn entry(partner: Option<i64>, action: &str, target: Option<String>, outcome: u16) -> AuditEntry {
    AuditEntry {
        at: now_millis(),
        partner_id: partner,
        action: action.to_string(),
        target,
        outcome,
        detail: None,
    }
}
