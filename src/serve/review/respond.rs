//! Responses shared by the review handlers: HTML with protective headers, redirects, problem
//! pages, form bodies, and store work run off the async threads.

use std::collections::HashMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::html::Viewer;
use super::pages::problem_page;
use crate::store::StoreError;

/// An HTML response with headers that keep it private and inert: not cached, not framed, no
/// scripts or outside resources, no referrer sent when a link is followed.
pub fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, Html(body)).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CACHE_CONTROL, "no-store"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// A 303 redirect, optionally setting a cookie.
pub fn see_other(to: &str, cookie: Option<String>) -> Response {
    let mut response = Redirect::to(to).into_response();
    if let Some(value) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

pub fn server_error(viewer: Option<Viewer<'_>>, error: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %error, "Review page failed.");
    html(
        StatusCode::INTERNAL_SERVER_ERROR,
        problem_page(
            "Something went wrong",
            viewer,
            "The server could not do this just now. Try again; if it keeps happening, tell the \
             Lurewatch operator.",
        ),
    )
}

/// Runs blocking store work off the async worker threads.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, String> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// The fields of a form body (`application/x-www-form-urlencoded`); the first value of a name
/// counts.
pub fn form(body: &[u8]) -> HashMap<String, String> {
    let mut fields = HashMap::new();
    for (key, value) in url::form_urlencoded::parse(body) {
        fields
            .entry(key.into_owned())
            .or_insert_with(|| value.into_owned());
    }
    fields
}

/// The page for a form whose CSRF token does not match the session.
pub fn expired_form() -> Response {
    html(
        StatusCode::FORBIDDEN,
        problem_page(
            "This form has expired",
            None,
            "Nothing was changed. Go back, reload the page and try again.",
        ),
    )
}
