//! The private-network guard: nothing inside a private network is requested, first hop or later.

use axum::Router;
use axum::http::{StatusCode, header};
use axum::routing::get;

use super::*;
use crate::crawl::fetch::guard::AddressPolicy;

/// A server that would answer anything, counting connections, on `bind`.
async fn bystander(bind: &str) -> Option<(SocketAddr, Hits)> {
    raw_server(bind, |stream| async move {
        respond_raw(
            stream,
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            Duration::ZERO,
        )
        .await
    })
    .await
}

fn assert_private(
    result: Result<Fetched, FetchError>,
    want_url: &Url,
    want_host: &str,
) -> Vec<std::net::IpAddr> {
    match result {
        Err(err @ FetchError::PrivateAddress { .. }) => {
            assert_eq!(err.kind(), "private-address");
            assert!(!err.is_retryable());
            let FetchError::PrivateAddress {
                url,
                host,
                addresses,
            } = err
            else {
                unreachable!()
            };
            assert_eq!(&*url, want_url);
            assert_eq!(host, want_host);
            assert!(!addresses.is_empty());
            addresses
        }
        other => panic!("{want_url} must be refused as private, got {other:?}"),
    }
}

#[tokio::test]
async fn loopback_is_refused_by_default_without_a_request() {
    let (v4, v4_hits) = bystander("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let strict = fetcher(FetchConfig::default());

    let literal = url(v4, "/");
    assert_private(
        fetch_url(&strict, literal.clone()).await,
        &literal,
        "127.0.0.1",
    );

    let name = Url::parse(&format!("http://localhost:{}/", v4.port())).expect("url");
    let addresses = assert_private(fetch_url(&strict, name.clone()).await, &name, "localhost");
    assert!(addresses.iter().all(|ip| ip.is_loopback()), "{addresses:?}");

    let mapped = Url::parse(&format!("http://[::ffff:127.0.0.1]:{}/", v4.port())).expect("url");
    assert_private(
        fetch_url(&strict, mapped.clone()).await,
        &mapped,
        "::ffff:127.0.0.1",
    );

    // An IPv6 loopback server, where the machine has IPv6; the refusal holds either way.
    let v6 = bystander("[::1]:0").await;
    let port = v6.as_ref().map_or(v4.port(), |(addr, _)| addr.port());
    let v6_url = Url::parse(&format!("http://[::1]:{port}/")).expect("url");
    assert_private(fetch_url(&strict, v6_url.clone()).await, &v6_url, "::1");

    assert_eq!(v4_hits.count(), 0, "nothing may reach the server");
    if let Some((_, v6_hits)) = v6 {
        assert_eq!(v6_hits.count(), 0, "nothing may reach the IPv6 server");
    }

    // The same server is reachable once private addresses are allowed.
    let open = fetcher(loopback_config());
    assert_eq!(
        fetch_url(&open, literal).await.expect("allowed").body,
        b"ok"
    );
    assert_eq!(fetch_url(&open, name).await.expect("allowed").body, b"ok");
    assert_eq!(v4_hits.count(), 2);
}

#[tokio::test]
async fn redirects_into_private_networks_are_refused_at_the_hop() {
    let router = Router::new()
        .route(
            "/to-private",
            get(|| async {
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, "http://10.0.0.1/admin")],
                )
            }),
        )
        .route(
            "/to-metadata",
            get(|| async {
                let to = "http://169.254.169.254/latest/meta-data/";
                (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to)])
            }),
        )
        .route(
            "/to-mapped",
            get(|| async {
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, "http://[::ffff:192.168.0.1]/")],
                )
            }),
        )
        .route("/ok", get(|| async { "ok" }));
    let (addr, hits) = serve(router).await;
    // Loopback is allowed so the test server can answer; every other private address is not.
    let fetcher =
        Fetcher::with_policy(loopback_config(), AddressPolicy::PublicOrLoopback).expect("fetcher");
    assert_eq!(
        fetch_url(&fetcher, url(addr, "/ok"))
            .await
            .expect("loopback allowed")
            .body,
        b"ok"
    );

    let cases = [
        ("/to-private", "http://10.0.0.1/admin", "10.0.0.1"),
        (
            "/to-metadata",
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254",
        ),
        (
            "/to-mapped",
            "http://[::ffff:c0a8:1]/",
            "::ffff:192.168.0.1",
        ),
    ];
    for (path, target, host) in cases {
        let target = Url::parse(target).expect("url");
        assert_private(fetch_url(&fetcher, url(addr, path)).await, &target, host);
    }
    assert_eq!(
        hits.count(),
        4,
        "only the test server's own pages were requested"
    );
}

#[tokio::test]
async fn bad_first_urls_are_refused_before_connecting() {
    let (addr, hits) = bystander("127.0.0.1:0").await.expect("bind");
    let fetcher = fetcher(FetchConfig {
        max_url_len: 64,
        ..loopback_config()
    });
    let long = url(addr, &format!("/{}", "x".repeat(100)));
    assert!(matches!(
        fetch_url(&fetcher, long).await,
        Err(FetchError::InvalidUrl { .. })
    ));
    let ftp = Url::parse(&format!("ftp://{addr}/")).expect("url");
    assert!(matches!(
        fetch_url(&fetcher, ftp).await,
        Err(FetchError::InvalidUrl { .. })
    ));
    assert_eq!(hits.count(), 0);
}
