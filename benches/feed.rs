//! Feed benchmark: a store of 100,000 scored ads behind `lurewatch serve`.
//!
//! Measured, each against a baseline from the same run:
//! - scoring and inserting 100,000 ads (the shipped model, all cores, batches of 1,000 ads per
//!   transaction), against scoring the same ads without storing them;
//! - `GET /v1/flagged` (a page of 50, newest first, half the requests with a cursor) with 8
//!   concurrent clients for 10 s: requests per second and p50/p99 latency, against `GET /healthz`
//!   under the same load (the cost of the HTTP stack and the clients themselves);
//! - the store's flagged-ads query alone (criterion), against counting the ads.
//!
//! Clients and server share the machine's cores, so the figures are a floor. Run with
//! `cargo bench --bench feed`; the figures are printed as they are measured.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use rayon::prelude::*;

use lurewatch::ad::Ad;
use lurewatch::classify::Classifier;
use lurewatch::serve::limit::RateLimit;
use lurewatch::serve::{AppState, ServeConfig, router};
use lurewatch::store::partner::{hash_token, new_token, token_hint};
use lurewatch::store::{
    AdStore, AdWrite, FeedPage, FlaggedQuery, PartnerStore, Scope, SqliteStore, Store,
};

const ADS: usize = 100_000;
const CLIENTS: usize = 8;
const LOAD_SECONDS: u64 = 10;

/// 100,000 distinct ads built from the labelled corpus (lures and legitimate ads in 15
/// languages), each with a reference number so no two are the same.
fn ads() -> Vec<Ad> {
    let corpus =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/ads.jsonl"))
            .expect("corpus/ads.jsonl");
    let base: Vec<Ad> = corpus
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(l).ok())
        .filter_map(|v| Ad::from_object(v).ok())
        .collect();
    (0..ADS)
        .map(|n| {
            let mut ad = base[n % base.len()].clone();
            ad.text = format!("{} (ref {n})", ad.text);
            ad.id = ad.content_id();
            ad.url = Some(format!("https://board{}.example/ad/{n}", n % 37));
            ad
        })
        .collect()
}

fn score_and_insert(store: &SqliteStore, classifier: &Classifier, ads: &[Ad]) -> Duration {
    let started = Instant::now();
    for chunk in ads.chunks(1_000) {
        let writes: Vec<AdWrite> = chunk
            .par_iter()
            .map(|ad| AdWrite::scored(&classifier.classify(ad.clone()), 1_000))
            .collect();
        store.write_ads(&writes).expect("write");
    }
    started.elapsed()
}

fn score_only(classifier: &Classifier, ads: &[Ad]) -> Duration {
    let started = Instant::now();
    for chunk in ads.chunks(1_000) {
        let scored: Vec<_> = chunk
            .par_iter()
            .map(|ad| classifier.classify(ad.clone()))
            .collect();
        black_box(scored);
    }
    started.elapsed()
}

struct Load {
    requests: usize,
    p50: Duration,
    p99: Duration,
    elapsed: Duration,
}

async fn load(base: String, token: String, path_of: fn(usize, &str) -> String) -> Load {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let deadline = Instant::now() + Duration::from_secs(LOAD_SECONDS);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let client = client.clone();
        let base = base.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut cursor = String::new();
            let mut n = c;
            while Instant::now() < deadline {
                let url = format!("{base}{}", path_of(n, &cursor));
                let sent = Instant::now();
                let response = client
                    .get(&url)
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("request");
                assert!(
                    response.status().is_success(),
                    "{url}: {}",
                    response.status()
                );
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                latencies.push(sent.elapsed());
                cursor = body["next_cursor"].as_str().unwrap_or_default().to_string();
                n += 1;
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("client"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Load {
        requests: latencies.len(),
        p50: at(0.50),
        p99: at(0.99),
        elapsed,
    }
}

fn flagged_path(n: usize, cursor: &str) -> String {
    if n % 2 == 1 && !cursor.is_empty() {
        format!("/v1/flagged?limit=50&cursor={cursor}")
    } else {
        "/v1/flagged?limit=50".to_string()
    }
}

fn health_path(_: usize, _: &str) -> String {
    "/healthz".to_string()
}

fn report(name: &str, load: &Load) -> f64 {
    let rate = load.requests as f64 / load.elapsed.as_secs_f64();
    println!(
        "{name}: {} requests in {:.1} s = {rate:.0} requests/s; p50 {:.2} ms, p99 {:.2} ms",
        load.requests,
        load.elapsed.as_secs_f64(),
        load.p50.as_secs_f64() * 1e3,
        load.p99.as_secs_f64() * 1e3
    );
    rate
}

fn main() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Arc::new(SqliteStore::open(dir.path().join("feed.db")).expect("store"));
    let classifier = Arc::new(Classifier::embedded().expect("shipped model"));
    let ads = ads();

    let scoring = score_only(&classifier, &ads);
    let inserting = score_and_insert(&store, &classifier, &ads);
    let (stored, flagged) = store.counts().expect("counts");
    println!(
        "Score and insert {ADS} ads: {:.1} s ({:.0} ads/s); scoring alone: {:.1} s; storing adds \
         {:.0}% ({stored} ads stored, {flagged} flagged).",
        inserting.as_secs_f64(),
        ADS as f64 / inserting.as_secs_f64(),
        scoring.as_secs_f64(),
        (inserting.as_secs_f64() / scoring.as_secs_f64() - 1.0) * 100.0
    );

    let token = new_token();
    store
        .add_partner(
            "bench",
            &Scope::default(),
            &hash_token(&token),
            &token_hint(&token),
            0,
        )
        .expect("partner");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let config = ServeConfig {
        rate_limit: RateLimit::per_minute(100_000_000),
        ..ServeConfig::default()
    };
    let dyn_store: Arc<dyn Store> = store.clone();
    let state = AppState::new(dyn_store, classifier.clone(), config);
    let base = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        base
    });
    let health = runtime.block_on(load(base.clone(), token.clone(), health_path));
    let feed = runtime.block_on(load(base, token, flagged_path));
    let health_rate = report("GET /healthz (baseline)", &health);
    let feed_rate = report(
        &format!("GET /v1/flagged, {CLIENTS} clients, {stored} ads in the store"),
        &feed,
    );
    println!(
        "/v1/flagged serves {:.2}x the request rate of /healthz.",
        feed_rate / health_rate
    );

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("store");
    group.bench_function("count ads (baseline)", |b| {
        b.iter(|| black_box(store.counts().expect("counts")))
    });
    group.bench_function("first page of 50 flagged ads", |b| {
        b.iter(|| {
            black_box(
                store
                    .flagged(&FlaggedQuery {
                        page: FeedPage::Newest {
                            before: None,
                            limit: 50,
                        },
                        ..FlaggedQuery::default()
                    })
                    .expect("flagged"),
            )
        })
    });
    group.finish();
    c.final_summary();
}
