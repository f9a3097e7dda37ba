//! Crawl benchmark against a local fixture site: 2,000 ad pages spread over 10 hosts
//! (127.0.0.2 to 127.0.0.11), half found through sitemaps (JSON-LD pages), half through
//! listing pages read with a site profile.
//!
//! Measured, each against a baseline from the same run:
//! - crawl with politeness off: pages per second, against fetching the same pages with a plain
//!   HTTP client at the same concurrency (no robots.txt, extraction, dedup or store);
//! - crawl with the shipped politeness (1 s between requests to a host), on the first 30 pages
//!   of every host: pages per second, and the per-host rate seen by the servers, against the
//!   configured limit;
//! - CPU time per page for extraction (criterion), against parsing the HTML alone.
//!
//! Run with `cargo bench --bench crawl`; the figures are printed at the end.

#[path = "../tests/support/sites.rs"]
mod sites;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use url::Url;

use lurewatch::crawl::config::CrawlConfig;
use lurewatch::crawl::engine::Crawler;
use lurewatch::crawl::extract::{Page, extract};
use lurewatch::store::{PageKind, SqliteStore, Store};
use sites::{Site, base, job_posting_page, legitimate_text, listen, lure_text, words};

const HOSTS: usize = 10;
const PAGES_PER_HOST: usize = 200;

/// An ad page of realistic weight: navigation, footer and the posting.
fn ad_page(n: usize) -> String {
    let text = if n % 3 == 0 {
        lure_text(n)
    } else {
        legitimate_text(n)
    };
    let nav: String = (0..40)
        .map(|i| format!("<li><a href=\"/category/{i}\">{}</a></li>", words(i, 2)))
        .collect();
    let footer = words(n + 1, 120);
    job_posting_page(
        &format!("Job {n}"),
        &text,
        &format!(
            "<nav><ul>{nav}</ul></nav><div class=description><p>{text}</p></div>\
             <h1>Job {n}</h1><footer><p>{footer}</p></footer>"
        ),
    )
}

fn listing(base: &str, ads: std::ops::Range<usize>) -> String {
    let links: String = ads
        .map(|n| format!("<li><a class=job href=\"{base}/job/{n}\">Job {n}</a></li>"))
        .collect();
    format!("<html><body><ul>{links}</ul></body></html>")
}

struct Fixture {
    sites: Vec<Site>,
    seeds: Vec<String>,
    pages: Vec<String>,
    profile: String,
}

async fn fixture() -> Fixture {
    let mut sites = Vec::new();
    let mut seeds = Vec::new();
    let mut pages = Vec::new();
    let mut hosts = Vec::new();
    for h in 0..HOSTS {
        let ip = format!("127.0.0.{}", h + 2);
        let listener = listen(&ip).await;
        let root = base(&listener);
        let ads = h * PAGES_PER_HOST..(h + 1) * PAGES_PER_HOST;
        let mut builder = Site::builder();
        if h % 2 == 0 {
            let entries: String = ads
                .clone()
                .map(|n| format!("<url><loc>{root}/job/{n}</loc></url>"))
                .collect();
            builder = builder
                .page(
                    "/robots.txt",
                    "text/plain",
                    format!("User-agent: *\nAllow: /\nSitemap: {root}/sitemap.xml\n"),
                )
                .page(
                    "/sitemap.xml",
                    "application/xml",
                    format!(
                        "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{entries}</urlset>"
                    ),
                )
                .html("/", "<html><body>Board</body></html>");
        } else {
            builder = builder
                .page("/robots.txt", "text/plain", "User-agent: *\nAllow: /\n")
                .html("/", &listing(&root, ads.clone()));
            hosts.push(ip.clone());
        }
        for n in ads {
            builder = builder.html(&format!("/job/{n}"), &ad_page(n));
            pages.push(format!("{root}/job/{n}"));
        }
        seeds.push(format!("{root}/"));
        sites.push(builder.serve(listener));
    }
    let profile = format!(
        "[[profile]]\nname = \"bench\"\nhosts = {hosts:?}\nad_links = \"a.job\"\n\
         title = \"h1\"\nbody = \".description\"\n"
    );
    Fixture {
        sites,
        seeds,
        pages,
        profile,
    }
}

struct CrawlRun {
    pages: u64,
    ads: u64,
    elapsed: Duration,
}

async fn crawl(fixture: &Fixture, politeness: &str, limits: &str) -> CrawlRun {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(dir.path().join("bench.db")).expect("store"));
    let mut config = CrawlConfig::from_toml_str(&format!(
        "[politeness]\n{politeness}\n[limits]\n{limits}\n{}",
        fixture.profile
    ))
    .expect("bench configuration");
    config.allow_private = true;
    let crawler = Crawler::new(config, store, None).expect("crawler");
    let started = Instant::now();
    let report = crawler
        .run(&fixture.seeds, &mut (), std::future::pending())
        .await
        .expect("crawl");
    CrawlRun {
        pages: report.pages,
        ads: report.ads_found,
        elapsed: started.elapsed(),
    }
}

/// The baseline: the same pages fetched with a plain client, `concurrency` at a time.
async fn plain_fetch(pages: &[String], concurrency: usize) -> Duration {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let started = Instant::now();
    let queue = Arc::new(std::sync::Mutex::new(pages.to_vec()));
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let client = client.clone();
        let queue = queue.clone();
        workers.push(tokio::spawn(async move {
            loop {
                let next = queue.lock().expect("queue").pop();
                let Some(url) = next else { break };
                let body = client.get(&url).send().await.expect("get");
                black_box(body.bytes().await.expect("body"));
            }
        }));
    }
    for worker in workers {
        worker.await.expect("worker");
    }
    started.elapsed()
}

fn bench_extraction(c: &mut Criterion) {
    let html = ad_page(3);
    let url = Url::parse("http://127.0.0.2/job/3").expect("url");
    let mut group = c.benchmark_group("extraction");
    group.bench_function("parse HTML only (baseline)", |b| {
        b.iter(|| black_box(scraper::Html::parse_document(black_box(&html))))
    });
    group.bench_function("extract a page", |b| {
        b.iter(|| {
            black_box(extract(
                Page {
                    url: &url,
                    kind: PageKind::Page,
                    content_type: Some("text/html; charset=utf-8"),
                    body: black_box(html.as_bytes()),
                    max_bytes: 5 << 20,
                },
                &[],
            ))
        })
    });
    group.finish();
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let fixture = runtime.block_on(fixture());
    println!(
        "Fixture: {} ad pages on {} hosts.",
        fixture.pages.len(),
        fixture.sites.len()
    );

    let baseline = runtime.block_on(plain_fetch(&fixture.pages, 16));
    let off = runtime.block_on(crawl(
        &fixture,
        "enabled = false\nmax_concurrency = 4",
        "concurrency = 16",
    ));
    let plain_rate = fixture.pages.len() as f64 / baseline.as_secs_f64();
    let off_rate = off.pages as f64 / off.elapsed.as_secs_f64();
    println!(
        "Politeness off: {} pages ({} ads) in {:.1} s = {off_rate:.0} pages/s; plain fetching of \
         the same pages: {plain_rate:.0} pages/s; the crawler runs at {:.2}x the plain rate.",
        off.pages,
        off.ads,
        off.elapsed.as_secs_f64(),
        off_rate / plain_rate
    );

    let before: Vec<usize> = fixture.sites.iter().map(|s| s.hits().len()).collect();
    let polite = runtime.block_on(crawl(&fixture, "", "max_pages_per_host = 30"));
    let polite_rate = polite.pages as f64 / polite.elapsed.as_secs_f64();
    let (most, smallest) = per_host_rate_since(&fixture.sites, &before);
    println!(
        "Politeness on (1 s between requests to a host, robots.txt obeyed): {} pages in {:.1} s \
         = {polite_rate:.1} pages/s over {} hosts; per host at most {most} requests in any \
         10-second window (limit 10) and a smallest gap between arrivals of {:.3} s (limit: \
         1.000 s between request starts).",
        polite.pages,
        polite.elapsed.as_secs_f64(),
        fixture.sites.len(),
        smallest.as_secs_f64()
    );

    let mut c = Criterion::default().configure_from_args();
    bench_extraction(&mut c);
    c.final_summary();
}

/// The most requests to one host in any ten-second window, and the smallest gap between two
/// requests to one host (robots.txt included) as they arrived at the server, counting only
/// requests after `before`. The crawler spaces request starts; arrival times add a few
/// milliseconds of jitter.
fn per_host_rate_since(sites: &[Site], before: &[usize]) -> (usize, Duration) {
    let mut most = 0;
    let mut smallest = Duration::MAX;
    for (site, skip) in sites.iter().zip(before) {
        let times: Vec<Instant> = site.hits().iter().skip(*skip).map(|h| h.at).collect();
        for (i, start) in times.iter().enumerate() {
            let within = times[i..]
                .iter()
                .take_while(|t| **t - *start < Duration::from_secs(10))
                .count();
            most = most.max(within);
        }
        for pair in times.windows(2) {
            smallest = smallest.min(pair[1] - pair[0]);
        }
    }
    (most, smallest)
}
