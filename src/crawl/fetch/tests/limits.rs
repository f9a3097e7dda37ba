//! Limits: body size (declared, streamed, decompressed) and timeouts.

use std::io::Write;
use std::time::Instant;

use axum::Router;
use axum::http::header;
use axum::routing::get;

use super::*;

const MIB: usize = 1024 * 1024;

fn expect_too_large(result: Result<Fetched, FetchError>, limit: usize) {
    match result {
        Err(err @ FetchError::BodyTooLarge { .. }) => {
            assert!(
                matches!(err, FetchError::BodyTooLarge { limit: l, .. } if l == limit),
                "{err}"
            );
            assert_eq!(err.kind(), "body-too-large");
            assert!(!err.is_retryable());
        }
        other => panic!("expected a body over {limit} bytes to be refused, got {other:?}"),
    }
}

#[tokio::test]
async fn declared_length_over_the_limit_is_refused_before_reading() {
    // The server declares 10 MB and then sends nothing: reading would run into the read timeout.
    let (addr, _) = raw_server("127.0.0.1:0", |stream| async move {
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n";
        respond_raw(stream, head, Duration::from_secs(30)).await
    })
    .await
    .expect("bind");
    let fetcher = fetcher(FetchConfig {
        max_body_bytes: MIB,
        read_timeout: Duration::from_secs(10),
        ..loopback_config()
    });
    let started = Instant::now();
    expect_too_large(fetch_url(&fetcher, url(addr, "/")).await, MIB);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn streamed_body_without_length_stops_at_the_limit() {
    let (addr, _) = raw_server("127.0.0.1:0", |mut stream| async move {
        read_head(&mut stream).await;
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
            .await;
        let block = vec![b'x'; 64 * 1024];
        // Endless: only the client hanging up ends it.
        while stream.write_all(&block).await.is_ok() {}
    })
    .await
    .expect("bind");
    let fetcher = fetcher(FetchConfig {
        max_body_bytes: MIB,
        ..loopback_config()
    });
    expect_too_large(fetch_url(&fetcher, url(addr, "/")).await, MIB);
}

#[tokio::test]
async fn body_at_exactly_the_limit_is_accepted() {
    let router = Router::new().route("/", get(|| async { vec![b'y'; 1000] }));
    let (addr, _) = serve(router).await;
    let exact = fetcher(FetchConfig {
        max_body_bytes: 1000,
        ..loopback_config()
    });
    assert_eq!(
        fetch_url(&exact, url(addr, "/"))
            .await
            .expect("fits")
            .body
            .len(),
        1000
    );
    let smaller = fetcher(FetchConfig {
        max_body_bytes: 999,
        ..loopback_config()
    });
    expect_too_large(fetch_url(&smaller, url(addr, "/")).await, 999);
}

#[tokio::test]
async fn gzip_bomb_is_refused_quickly() {
    // 50 MiB of zeros compresses to about 50 KB.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![0u8; MIB];
    for _ in 0..50 {
        encoder.write_all(&block).expect("gzip");
    }
    let bomb = encoder.finish().expect("gzip");
    assert!(bomb.len() < 200 * 1024, "{} bytes", bomb.len());
    let router = Router::new().route(
        "/sitemap.xml",
        get(move || {
            let bomb = bomb.clone();
            async move {
                (
                    [
                        (header::CONTENT_ENCODING, "gzip"),
                        (header::CONTENT_TYPE, "application/xml"),
                    ],
                    bomb,
                )
            }
        }),
    );
    let (addr, _) = serve(router).await;
    let fetcher = fetcher(loopback_config());
    let started = Instant::now();
    expect_too_large(
        fetch_url(&fetcher, url(addr, "/sitemap.xml")).await,
        5 * MIB,
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

fn expect_timeout(result: Result<Fetched, FetchError>, mentions: &str) {
    match result {
        Err(err @ FetchError::Timeout { .. }) => {
            assert!(err.is_retryable());
            assert_eq!(err.kind(), "timeout");
            assert!(err.to_string().contains(mentions), "{err}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

fn quick_timeouts() -> FetchConfig {
    FetchConfig {
        read_timeout: Duration::from_millis(300),
        total_timeout: Duration::from_secs(10),
        ..loopback_config()
    }
}

#[tokio::test]
async fn server_that_never_answers_times_out() {
    let (addr, _) = raw_server("127.0.0.1:0", |mut stream| async move {
        read_head(&mut stream).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await
    .expect("bind");
    let started = Instant::now();
    expect_timeout(
        fetch_url(&fetcher(quick_timeouts()), url(addr, "/")).await,
        "read timeout",
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn body_that_stalls_times_out() {
    let (addr, _) = raw_server("127.0.0.1:0", |stream| async move {
        let partial = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b";
        respond_raw(stream, partial, Duration::from_secs(30)).await
    })
    .await
    .expect("bind");
    let started = Instant::now();
    expect_timeout(
        fetch_url(&fetcher(quick_timeouts()), url(addr, "/")).await,
        "read timeout",
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn trickling_body_hits_the_total_timeout() {
    // A byte every 100 ms never trips the read timeout, but the whole fetch is bounded.
    let (addr, _) = raw_server("127.0.0.1:0", |mut stream| async move {
        read_head(&mut stream).await;
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
            .await;
        for _ in 0..1000 {
            if stream.write_all(b"x").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("bind");
    let fetcher = fetcher(FetchConfig {
        read_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_millis(700),
        ..loopback_config()
    });
    let started = Instant::now();
    expect_timeout(fetch_url(&fetcher, url(addr, "/")).await, "total timeout");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
