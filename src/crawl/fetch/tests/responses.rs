//! Ordinary responses: bodies, compression, validators, Retry-After, robots headers, charsets.

use std::io::Write;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::routing::get;
use encoding_rs::WINDOWS_874;

use super::*;
use crate::crawl::fetch::{DEFAULT_USER_AGENT, RobotsDirectives};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

const PAGE: &str = "<html><body><h1>Customer service, Sihanoukville</h1></body></html>";

#[tokio::test]
async fn gzip_body_is_decompressed_and_the_request_identifies_lurewatch() {
    let router = Router::new().route(
        "/ad",
        get(|headers: HeaderMap| async move {
            let accepts_gzip = headers
                .get(header::ACCEPT_ENCODING)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("gzip"));
            let agent = headers.get(header::USER_AGENT).cloned();
            if !accepts_gzip
                || agent.as_ref().and_then(|v| v.to_str().ok()) != Some(DEFAULT_USER_AGENT)
            {
                return (StatusCode::BAD_REQUEST, HeaderMap::new(), Vec::new());
            }
            let mut out = HeaderMap::new();
            out.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            out.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            (StatusCode::OK, out, gzip(PAGE.as_bytes()))
        }),
    );
    let (addr, hits) = serve(router).await;
    let fetched = fetch_url(&fetcher(loopback_config()), url(addr, "/ad"))
        .await
        .expect("fetch");
    assert_eq!(fetched.status, 200);
    assert!(fetched.is_success());
    assert_eq!(fetched.body, PAGE.as_bytes());
    assert_eq!(fetched.text(), PAGE);
    assert_eq!(
        fetched.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(fetched.url, url(addr, "/ad"));
    assert_eq!(fetched.final_url, fetched.url);
    assert!(fetched.redirects.is_empty());
    assert!(!fetched.not_modified());
    assert!(fetched.elapsed > Duration::ZERO && fetched.elapsed < Duration::from_secs(5));
    assert_eq!(hits.count(), 1);
}

const ETAG: &str = "\"v1\"";
const LAST_MODIFIED: &str = "Sat, 01 Nov 2026 10:00:00 GMT";

async fn conditional(headers: HeaderMap) -> (StatusCode, HeaderMap, &'static str) {
    let mut out = HeaderMap::new();
    out.insert(header::ETAG, HeaderValue::from_static(ETAG));
    out.insert(
        header::LAST_MODIFIED,
        HeaderValue::from_static(LAST_MODIFIED),
    );
    let matches = |name, want: &str| headers.get(name).is_some_and(|v| v == want);
    if matches(header::IF_NONE_MATCH, ETAG) || matches(header::IF_MODIFIED_SINCE, LAST_MODIFIED) {
        (StatusCode::NOT_MODIFIED, out, "")
    } else {
        (StatusCode::OK, out, "fresh copy")
    }
}

#[tokio::test]
async fn conditional_refetch_gets_304() {
    let (addr, hits) = serve(Router::new().route("/ad", get(conditional))).await;
    let fetcher = fetcher(loopback_config());
    let first = fetch_url(&fetcher, url(addr, "/ad"))
        .await
        .expect("first fetch");
    assert_eq!(
        (first.status, first.body.as_slice()),
        (200, &b"fresh copy"[..])
    );
    assert_eq!(first.etag.as_deref(), Some(ETAG));
    assert_eq!(first.last_modified.as_deref(), Some(LAST_MODIFIED));

    let by_etag = FetchRequest {
        etag: first.etag.clone(),
        ..FetchRequest::new(url(addr, "/ad"))
    };
    let again = fetcher.fetch(&by_etag).await.expect("conditional fetch");
    assert!(again.not_modified());
    assert!(again.body.is_empty());
    assert_eq!(again.etag.as_deref(), Some(ETAG));

    let by_date = FetchRequest {
        last_modified: first.last_modified.clone(),
        ..FetchRequest::new(url(addr, "/ad"))
    };
    assert!(
        fetcher
            .fetch(&by_date)
            .await
            .expect("by date")
            .not_modified()
    );

    let stale = FetchRequest {
        etag: Some("\"v0\"".into()),
        ..FetchRequest::new(url(addr, "/ad"))
    };
    assert_eq!(fetcher.fetch(&stale).await.expect("stale").status, 200);
    assert_eq!(hits.count(), 4);
}

#[tokio::test]
async fn error_statuses_are_returned_with_retry_after() {
    let router = Router::new()
        .route(
            "/busy",
            get(|| async {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, "2")],
                    "slow down",
                )
            }),
        )
        .route(
            "/down",
            get(|| async {
                let when = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, when)],
                    "maintenance",
                )
            }),
        )
        .route(
            "/bad",
            get(|| async {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, "soon")],
                )
            }),
        );
    let (addr, _) = serve(router).await;
    let fetcher = fetcher(loopback_config());

    let busy = fetch_url(&fetcher, url(addr, "/busy"))
        .await
        .expect("429 is a response");
    assert_eq!(busy.status, 429);
    assert_eq!(busy.retry_after, Some(Duration::from_secs(2)));
    assert_eq!(busy.body, b"slow down");

    let down = fetch_url(&fetcher, url(addr, "/down"))
        .await
        .expect("503 is a response");
    assert_eq!(down.status, 503);
    let wait = down.retry_after.expect("HTTP date parsed");
    assert!(
        wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
        "{wait:?}"
    );

    let bad = fetch_url(&fetcher, url(addr, "/bad"))
        .await
        .expect("response");
    assert_eq!(bad.retry_after, None);

    let missing = fetch_url(&fetcher, url(addr, "/nothing-here"))
        .await
        .expect("404 is a response");
    assert_eq!(missing.status, 404);
    assert!(!missing.is_success());
}

#[tokio::test]
async fn unlabelled_thai_page_is_decoded_by_text() {
    let thai = "งานด่วน รายได้ดี ไม่ต้องมีประสบการณ์ ทำงานที่กัมพูชา บริษัทออกค่าตั๋วเครื่องบินและวีซ่าให้";
    let (bytes, _, unmappable) = WINDOWS_874.encode(thai);
    assert!(!unmappable);
    let body = bytes.into_owned();
    let router = Router::new().route(
        "/th",
        get(move || {
            let body = body.clone();
            async move { ([(header::CONTENT_TYPE, "text/html")], body) }
        }),
    );
    let (addr, _) = serve(router).await;
    let fetched = fetch_url(&fetcher(loopback_config()), url(addr, "/th"))
        .await
        .expect("fetch");
    assert!(
        std::str::from_utf8(&fetched.body).is_err(),
        "the body is not UTF-8"
    );
    assert_eq!(fetched.text(), thai);
}

#[tokio::test]
async fn x_robots_tag_is_parsed_for_lurewatch_only() {
    let router = Router::new().route(
        "/ad",
        get(|| async {
            let mut out = HeaderMap::new();
            out.append(
                "x-robots-tag",
                HeaderValue::from_static("googlebot: noindex"),
            );
            out.append(
                "x-robots-tag",
                HeaderValue::from_static("lurewatch: nofollow"),
            );
            (out, "ad")
        }),
    );
    let (addr, _) = serve(router).await;
    let fetched = fetch_url(&fetcher(loopback_config()), url(addr, "/ad"))
        .await
        .expect("fetch");
    assert_eq!(
        fetched.robots,
        RobotsDirectives {
            noindex: false,
            nofollow: true
        }
    );
}

#[tokio::test]
async fn refused_connection_is_a_retryable_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    let target = url(addr, "/");
    match fetch_url(&fetcher(loopback_config()), target.clone()).await {
        Err(err @ FetchError::Connect { .. }) => {
            assert!(err.is_retryable());
            assert_eq!(err.kind(), "connect");
            assert!(err.to_string().contains(target.as_str()), "{err}");
        }
        other => panic!("expected a connect error, got {other:?}"),
    }
}
