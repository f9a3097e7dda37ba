//! Redirects: followed by hand, recorded, checked hop by hop, with loops and limits refused.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

use super::*;

fn redirect(status: StatusCode, location: String) -> axum::response::Response {
    (status, [(header::LOCATION, location)]).into_response()
}

fn host(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn router() -> Router {
    Router::new()
        .route(
            "/r/1",
            get(|| async { redirect(StatusCode::FOUND, "2#top".into()) }),
        )
        .route(
            "/r/2",
            get(|| async { redirect(StatusCode::MOVED_PERMANENTLY, "/r/3".into()) }),
        )
        .route(
            "/r/3",
            get(|headers: HeaderMap| async move {
                redirect(
                    StatusCode::SEE_OTHER,
                    format!("http://{}/final", host(&headers)),
                )
            }),
        )
        .route("/final", get(|| async { "final" }))
        .route(
            "/loop/a",
            get(|| async { redirect(StatusCode::TEMPORARY_REDIRECT, "/loop/b".into()) }),
        )
        .route(
            "/loop/b",
            get(|| async { redirect(StatusCode::PERMANENT_REDIRECT, "/loop/a".into()) }),
        )
        .route(
            "/count/{n}",
            get(|Path(n): Path<u32>| async move {
                match n {
                    0 => "arrived".into_response(),
                    n => redirect(StatusCode::FOUND, format!("/count/{}", n - 1)),
                }
            }),
        )
        .route("/no-location", get(|| async { StatusCode::FOUND }))
        .route(
            "/to-ftp",
            get(|| async { redirect(StatusCode::FOUND, "ftp://files.example/x".into()) }),
        )
        .route(
            "/to-long",
            get(|| async { redirect(StatusCode::FOUND, format!("/{}", "a".repeat(3000))) }),
        )
        .route(
            "/multiple-choices",
            get(|| async { redirect(StatusCode::MULTIPLE_CHOICES, "/final".into()) }),
        )
}

#[tokio::test]
async fn redirects_are_followed_and_recorded() {
    let (addr, hits) = serve(router()).await;
    let fetched = fetch_url(&fetcher(loopback_config()), url(addr, "/r/1"))
        .await
        .expect("fetch");
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body, b"final");
    assert_eq!(fetched.url, url(addr, "/r/1"));
    assert_eq!(fetched.final_url, url(addr, "/final"));
    assert_eq!(
        fetched.redirects,
        vec![url(addr, "/r/2"), url(addr, "/r/3"), url(addr, "/final")]
    );
    assert_eq!(hits.count(), 4);
}

#[tokio::test]
async fn redirect_loop_is_refused() {
    let (addr, hits) = serve(router()).await;
    match fetch_url(&fetcher(loopback_config()), url(addr, "/loop/a")).await {
        Err(FetchError::RedirectLoop { url: looped }) => assert_eq!(*looped, url(addr, "/loop/a")),
        other => panic!("expected a redirect loop, got {other:?}"),
    }
    assert_eq!(hits.count(), 2);
}

#[tokio::test]
async fn redirect_limit_is_enforced_exactly() {
    let (addr, _) = serve(router()).await;
    let fetcher = fetcher(FetchConfig {
        max_redirects: 3,
        ..loopback_config()
    });
    let within = fetch_url(&fetcher, url(addr, "/count/3"))
        .await
        .expect("three redirects are allowed");
    assert_eq!(
        (within.redirects.len(), within.body.as_slice()),
        (3, &b"arrived"[..])
    );
    match fetch_url(&fetcher, url(addr, "/count/4")).await {
        Err(err @ FetchError::TooManyRedirects { limit: 3, .. }) => {
            assert_eq!(err.kind(), "too-many-redirects");
            assert!(!err.is_retryable());
        }
        other => panic!("expected too many redirects, got {other:?}"),
    }
}

#[tokio::test]
async fn unusable_redirect_targets_are_errors() {
    let (addr, _) = serve(router()).await;
    let fetcher = fetcher(loopback_config());
    match fetch_url(&fetcher, url(addr, "/no-location")).await {
        Err(FetchError::BadRedirect { url: from, reason }) => {
            assert_eq!(*from, url(addr, "/no-location"));
            assert!(reason.contains("missing"), "{reason}");
        }
        other => panic!("expected a bad redirect, got {other:?}"),
    }
    match fetch_url(&fetcher, url(addr, "/to-ftp")).await {
        Err(FetchError::InvalidUrl { url, reason }) => {
            assert_eq!(url, "ftp://files.example/x");
            assert!(reason.contains("http"), "{reason}");
        }
        other => panic!("expected an invalid URL, got {other:?}"),
    }
    match fetch_url(&fetcher, url(addr, "/to-long")).await {
        Err(FetchError::InvalidUrl { reason, .. }) => assert!(reason.contains("2048"), "{reason}"),
        other => panic!("expected an invalid URL, got {other:?}"),
    }
}

#[tokio::test]
async fn other_3xx_statuses_are_returned_not_followed() {
    let (addr, _) = serve(router()).await;
    let fetched = fetch_url(&fetcher(loopback_config()), url(addr, "/multiple-choices"))
        .await
        .expect("fetch");
    assert_eq!(fetched.status, 300);
    assert!(fetched.redirects.is_empty());
}
