//! The fetcher against real servers on 127.0.0.1, started inside each test: axum for ordinary
//! responses, a raw TCP responder where a test needs to stall or misbehave.

mod limits;
mod private;
mod redirects;
mod responses;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use super::{FetchConfig, FetchError, FetchRequest, Fetched, Fetcher};

/// Settings for fetching from loopback test servers, with short timeouts.
fn loopback_config() -> FetchConfig {
    FetchConfig {
        allow_private: true,
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(5),
        total_timeout: Duration::from_secs(20),
        ..FetchConfig::default()
    }
}

fn fetcher(config: FetchConfig) -> Fetcher {
    Fetcher::new(config).expect("valid test configuration")
}

fn url(addr: SocketAddr, path: &str) -> Url {
    Url::parse(&format!("http://{addr}{path}")).expect("valid test URL")
}

async fn fetch_url(fetcher: &Fetcher, url: Url) -> Result<Fetched, FetchError> {
    fetcher.fetch(&FetchRequest::new(url)).await
}

/// Counts the requests a server has seen.
#[derive(Clone, Default)]
struct Hits(Arc<AtomicUsize>);

impl Hits {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    fn add(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

async fn count_request(State(hits): State<Hits>, request: Request, next: Next) -> Response {
    hits.add();
    next.run(request).await
}

/// Serves an axum router on 127.0.0.1; returns its address and a request counter.
async fn serve(router: Router) -> (SocketAddr, Hits) {
    let hits = Hits::default();
    let router = router.layer(middleware::from_fn_with_state(hits.clone(), count_request));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (addr, hits)
}

/// A raw TCP responder on `bind`: runs `respond` on every connection, counting connections.
async fn raw_server<F, Fut>(bind: &str, respond: F) -> Option<(SocketAddr, Hits)>
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind(bind).await.ok()?;
    let addr = listener.local_addr().ok()?;
    let hits = Hits::default();
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.add();
            tokio::spawn(respond(stream));
        }
    });
    Some((addr, hits))
}

/// Reads a request head (up to the blank line).
async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// Reads the request, then writes `response` and keeps the connection open for `linger`.
async fn respond_raw(mut stream: TcpStream, response: &[u8], linger: Duration) {
    read_head(&mut stream).await;
    let _ = stream.write_all(response).await;
    let _ = stream.flush().await;
    tokio::time::sleep(linger).await;
}

#[tokio::test]
async fn fetcher_is_cheap_to_share_across_tasks() {
    fn assert_shareable<T: Clone + Send + Sync + 'static>() {}
    assert_shareable::<Fetcher>();

    let router = Router::new().route("/{n}", axum::routing::get(|| async { "ok" }));
    let (addr, hits) = serve(router).await;
    let fetcher = fetcher(loopback_config());
    let tasks: Vec<_> = (0..8)
        .map(|n| {
            let fetcher = fetcher.clone();
            tokio::spawn(async move { fetch_url(&fetcher, url(addr, &format!("/{n}"))).await })
        })
        .collect();
    for task in tasks {
        let fetched = task.await.expect("task").expect("fetch");
        assert_eq!((fetched.status, fetched.body.as_slice()), (200, &b"ok"[..]));
    }
    assert_eq!(hits.count(), 8);
}

#[tokio::test]
async fn browser_user_agents_are_refused_when_building() {
    let config = FetchConfig {
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) Lurewatch (+https://x.org)".into(),
        ..FetchConfig::default()
    };
    match Fetcher::new(config) {
        Err(FetchError::InvalidUserAgent { reason, .. }) => assert!(reason.contains("Mozilla")),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let config = FetchConfig {
        user_agent: "Lurewatch/0.1".into(),
        ..FetchConfig::default()
    };
    assert!(matches!(
        Fetcher::new(config),
        Err(FetchError::InvalidUserAgent { .. })
    ));
}
