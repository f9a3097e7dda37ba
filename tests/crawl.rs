//! End-to-end crawler tests against fixture job-board sites served on loopback addresses.

mod support;

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use flate2::Compression;
use flate2::write::GzEncoder;
use lurewatch::classify::Classifier;
use lurewatch::crawl::config::CrawlConfig;
use lurewatch::crawl::engine::{CrawlReport, Crawler};
use lurewatch::store::{AdStore, CrawlStore, Scope, SqliteStore, Store, StoredAd};
use support::sites::{Site, base, job_posting_page, legitimate_text, listen, lure_text, status};

/// A configuration for fixture sites: private addresses allowed, short delays.
fn config(extra: &str) -> CrawlConfig {
    let mut config = CrawlConfig::from_toml_str(&format!(
        "[politeness]\nmin_delay_ms = 20\nbackoff_base_ms = 100\n{extra}"
    ))
    .expect("test configuration");
    config.allow_private = true;
    config
}

struct Crawl {
    _dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    report: CrawlReport,
}

impl Crawl {
    fn ads(&self) -> Vec<StoredAd> {
        self.store
            .run_ads(self.report.run)
            .unwrap()
            .iter()
            .map(|id| self.store.ad(id, &Scope::default()).unwrap().unwrap())
            .collect()
    }

    fn texts(&self) -> Vec<String> {
        self.ads().into_iter().map(|a| a.ad.text).collect()
    }
}

async fn crawl(config: CrawlConfig, seeds: &[String]) -> Crawl {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("crawl.db")).unwrap());
    let report = crawl_into(&store, config, seeds, false).await;
    Crawl {
        _dir: dir,
        store,
        report,
    }
}

async fn crawl_into(
    store: &Arc<SqliteStore>,
    config: CrawlConfig,
    seeds: &[String],
    score: bool,
) -> CrawlReport {
    let classifier = score.then(|| Arc::new(Classifier::embedded_rules().unwrap()));
    let dyn_store: Arc<dyn Store> = store.clone();
    let crawler = Crawler::new(config, dyn_store, classifier).unwrap();
    crawler
        .run(seeds, &mut (), std::future::pending())
        .await
        .unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

const LISTING_PROFILE: &str = r#"
[[profile]]
name = "fixture-board"
hosts = ["127.0.0.1"]
ad_links = "a.job"
next_page = "a.next"
title = "h1"
body = ".description"
company = ".company"
salary = ".salary"
"#;

fn profile_ad_page(n: usize) -> String {
    format!(
        "<html><body><h1>Job {n}</h1><div class=company>Board Co</div>\
         <div class=description><p>{}</p></div><span class=salary>$1,800</span></body></html>",
        lure_text(n)
    )
}

fn listing_page(ads: std::ops::Range<usize>, next: Option<&str>) -> String {
    let mut html = String::from("<html><body><ul>");
    for n in ads {
        html.push_str(&format!(
            "<li><a class=job href=\"/job/{n}?utm_source=list\">Job {n}</a></li>"
        ));
    }
    html.push_str("</ul>");
    if let Some(next) = next {
        html.push_str(&format!("<a class=next href=\"{next}\">next</a>"));
    }
    html.push_str("</body></html>");
    html
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_ld_board_is_found_through_robots_txt_and_a_sitemap_index_with_a_gzip_child() {
    let listener = listen("127.0.0.1").await;
    let root = base(&listener);
    let urlset = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
        <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
          <url><loc>{root}/ad/1</loc><lastmod>2026-11-01</lastmod></url>
          <url><loc>{root}/ad/2</loc></url>
        </urlset>"#
    );
    let index = format!(
        r#"<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
           <sitemap><loc>{root}/sitemap-1.xml.gz</loc></sitemap></sitemapindex>"#
    );
    let board = Site::builder()
        .page(
            "/robots.txt",
            "text/plain",
            format!("User-agent: *\nAllow: /\nSitemap: {root}/sitemap_index.xml\n"),
        )
        .html(
            "/",
            "<html><body><p>Welcome to the board.</p></body></html>",
        )
        .page("/sitemap_index.xml", "application/xml", index)
        .page(
            "/sitemap-1.xml.gz",
            "application/gzip",
            gzip(urlset.as_bytes()),
        )
        .html("/ad/1", &job_posting_page("Typist", &lure_text(1), ""))
        .html(
            "/ad/2",
            &job_posting_page("Barista", &legitimate_text(2), ""),
        )
        .serve(listener);
    let result = crawl(config(""), &[board.url("/")]).await;
    let ads = result.ads();
    assert_eq!(ads.len(), 2, "{}", result.report);
    assert!(ads.iter().any(|a| a.ad.text.contains("passport")));
    assert!(ads.iter().all(|a| a.ad.extra["extractor"] == "json-ld"));
    assert!(ads.iter().all(|a| a.ad.extra.contains_key("fetched_at")));
    assert!(ads.iter().all(|a| a.sightings[0].url.starts_with(&root)));
    assert_eq!(board.hits_for("/ad/1").len(), 1);
    assert_eq!(board.hits_for("/sitemap-1.xml.gz").len(), 1);
    let agent = board.hits()[0].user_agent.clone().unwrap_or_default();
    assert!(
        agent.starts_with("Lurewatch/"),
        "honest user agent: {agent}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_selector_profile_board_is_followed_through_its_pages() {
    let board = Site::builder()
        .html("/list", &listing_page(1..4, Some("/list?page=2")))
        .html("/list?page=2", &listing_page(4..6, None))
        .html("/job/1", &profile_ad_page(1))
        .html("/job/2", &profile_ad_page(2))
        .html("/job/3", &profile_ad_page(3))
        .html("/job/4", &profile_ad_page(4))
        .html("/job/5", &profile_ad_page(5))
        .start("127.0.0.1")
        .await;
    let result = crawl(config(LISTING_PROFILE), &[board.url("/list")]).await;
    let ads = result.ads();
    assert_eq!(ads.len(), 5, "{}", result.report);
    assert!(
        ads.iter()
            .all(|a| a.ad.extra["extractor"] == "profile:fixture-board")
    );
    assert!(
        ads.iter()
            .all(|a| a.ad.company.as_deref() == Some("Board Co"))
    );
    assert!(
        ads.iter()
            .all(|a| !a.sightings[0].url.contains("utm_source")),
        "canonical URLs"
    );
    assert_eq!(board.hits_for("/job/4").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_preview_page_is_read_message_by_message_with_older_pages() {
    let message = |id: usize, text: &str| {
        format!(
            r#"<div class="tgme_widget_message" data-post="kh_jobs/{id}">
                 <div class="tgme_widget_message_text">{text}</div>
                 <a class="tgme_widget_message_date" href="https://t.me/kh_jobs/{id}"><time datetime="2026-11-0{}T08:00:00+00:00">08:00</time></a>
               </div>"#,
            id % 9 + 1
        )
    };
    let newest = format!(
        r#"<html><body><a class="tme_messages_more" data-before="101" href="/s/kh_jobs?before=101"></a>{}{}</body></html>"#,
        message(101, &lure_text(11)),
        message(102, &lure_text(12))
    );
    let older = format!(
        "<html><body>{}{}</body></html>",
        message(99, &lure_text(13)),
        message(100, &legitimate_text(14))
    );
    let channel = Site::builder()
        .html("/s/kh_jobs", &newest)
        .html("/s/kh_jobs?before=101", &older)
        .start("127.0.0.1")
        .await;
    let result = crawl(config(""), &[channel.url("/s/kh_jobs")]).await;
    let ads = result.ads();
    assert_eq!(ads.len(), 4, "{}", result.report);
    assert!(ads.iter().all(|a| a.ad.extra["extractor"] == "channel"));
    assert!(
        ads.iter()
            .any(|a| a.sightings[0].url == "https://t.me/kh_jobs/99")
    );
    assert!(ads.iter().all(|a| a.ad.posted_at.is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_rss_feed_gives_one_ad_per_item() {
    let rss = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Jobs</title>
        <item><title>Typing job</title><link>http://127.0.0.1/jobs/1</link>
          <description><![CDATA[<p>{}</p>]]></description><pubDate>Sun, 01 Nov 2026 08:00:00 GMT</pubDate></item>
        <item><title>Barista</title><link>http://127.0.0.1/jobs/2</link>
          <description>{}</description></item>
        </channel></rss>"#,
        lure_text(21),
        legitimate_text(22)
    );
    let feeds = Site::builder()
        .page("/jobs.rss", "application/rss+xml", rss)
        .start("127.0.0.1")
        .await;
    let result = crawl(config(""), &[feeds.url("/jobs.rss")]).await;
    let ads = result.ads();
    assert_eq!(ads.len(), 2, "{}", result.report);
    assert!(ads.iter().all(|a| a.ad.extra["extractor"] == "feed"));
    assert!(
        ads.iter()
            .any(|a| a.ad.text.contains("passport") && !a.ad.text.contains("<p>"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_txt_disallow_and_crawl_delay_are_obeyed() {
    let mut listing = listing_page(1..4, None);
    listing = listing.replace(
        "</ul>",
        "<li><a class=job href=\"/private/job\">secret</a></li></ul>",
    );
    let board = Site::builder()
        .page(
            "/robots.txt",
            "text/plain",
            "User-agent: *\nDisallow: /private\nCrawl-delay: 1\n",
        )
        .html("/list", &listing)
        .html("/job/1", &profile_ad_page(1))
        .html("/job/2", &profile_ad_page(2))
        .html("/job/3", &profile_ad_page(3))
        .html("/private/job", &profile_ad_page(4))
        .start("127.0.0.1")
        .await;
    let result = crawl(config(LISTING_PROFILE), &[board.url("/list")]).await;
    assert_eq!(result.ads().len(), 3, "{}", result.report);
    assert!(
        board.hits_for("/private/job").is_empty(),
        "disallowed path fetched"
    );
    let host = result.report.hosts.values().next().unwrap();
    assert_eq!(host.skipped, 1);
    assert_eq!(
        host.pages, 4,
        "the summary counts the pages: {}",
        result.report
    );
    let times: Vec<_> = board.hits().iter().map(|h| h.at).collect();
    assert_eq!(times.len(), 5, "robots.txt, the listing and three ads");
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= Duration::from_millis(950),
            "requests {gap:?} apart, Crawl-delay is 1 s"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_with_retry_after_is_waited_out_and_retried() {
    let page = job_posting_page("Typist", &lure_text(31), "");
    let board = Site::builder()
        .dynamic("/ad/1", move |ctx| {
            if ctx.earlier == 0 {
                status(429, &[("retry-after", "1")], b"slow down".to_vec())
            } else {
                status(
                    200,
                    &[("content-type", "text/html")],
                    page.clone().into_bytes(),
                )
            }
        })
        .start("127.0.0.1")
        .await;
    let result = crawl(config(""), &[board.url("/ad/1")]).await;
    assert_eq!(result.ads().len(), 1, "{}", result.report);
    let hits = board.hits_for("/ad/1");
    assert_eq!(hits.len(), 2);
    assert!(
        hits[1].at - hits[0].at >= Duration::from_millis(950),
        "Retry-After honoured"
    );
    let host = result.report.hosts.values().next().unwrap();
    assert_eq!(host.statuses.get(&429), Some(&1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_followed_and_a_redirect_loop_fails_with_its_reason() {
    let board = Site::builder()
        .dynamic("/old", |_| {
            status(301, &[("location", "/ad/1")], Vec::new())
        })
        .html("/ad/1", &job_posting_page("Typist", &lure_text(41), ""))
        .dynamic("/loop-a", |_| {
            status(302, &[("location", "/loop-b")], Vec::new())
        })
        .dynamic("/loop-b", |_| {
            status(302, &[("location", "/loop-a")], Vec::new())
        })
        .start("127.0.0.1")
        .await;
    let result = crawl(config(""), &[board.url("/old"), board.url("/loop-a")]).await;
    let ads = result.ads();
    assert_eq!(ads.len(), 1, "{}", result.report);
    assert!(
        ads[0].sightings[0].url.ends_with("/ad/1"),
        "the ad is where the redirect led"
    );
    assert_eq!(result.report.errors(), 1, "{}", result.report);
    assert!(
        result.report.to_string().contains("redirect"),
        "{}",
        result.report
    );
    assert!(board.hits_for("/loop-a").len() <= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ad_reposted_on_two_hosts_is_one_ad_with_two_urls() {
    let text = lure_text(51);
    let repost = text.replace("@recruit_51", "@recruit_51_backup") + " 🔥🔥";
    let first = Site::builder()
        .html("/ad/1", &job_posting_page("Typist", &text, ""))
        .start("127.0.0.1")
        .await;
    let second = Site::builder()
        .html("/post/9", &job_posting_page("Typist", &repost, ""))
        .start("127.0.0.1")
        .await;
    let result = crawl(config(""), &[first.url("/ad/1"), second.url("/post/9")]).await;
    let ads = result.ads();
    assert_eq!(ads.len(), 1, "{}", result.report);
    let urls: Vec<&str> = ads[0].sightings.iter().map(|s| s.url.as_str()).collect();
    assert_eq!(urls.len(), 2, "{urls:?}");
    assert_eq!(result.report.duplicates, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_and_a_gzip_bomb_are_refused_and_the_crawl_goes_on() {
    let big = "<html><body>".to_string() + &"x".repeat(2 << 20) + "</body></html>";
    let bomb = gzip(&vec![b' '; 50 << 20]);
    let board = Site::builder()
        .html("/big", &big)
        .dynamic("/bomb", move |_| {
            status(
                200,
                &[("content-type", "text/html"), ("content-encoding", "gzip")],
                bomb.clone(),
            )
        })
        .html("/ad/1", &job_posting_page("Typist", &lure_text(61), ""))
        .start("127.0.0.1")
        .await;
    let result = crawl(
        config("[limits]\nmax_body_bytes = 1048576\n"),
        &[board.url("/big"), board.url("/bomb"), board.url("/ad/1")],
    )
    .await;
    assert_eq!(result.ads().len(), 1, "{}", result.report);
    assert_eq!(result.report.errors(), 2, "{}", result.report);
    let failed = result.store.frontier_counts(result.report.run).unwrap();
    assert!(failed.contains(&("failed".to_string(), 2)), "{failed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_html_and_a_thai_page_without_a_charset_are_read() {
    let broken = format!(
        "<html><body><div><p>unclosed <b>tags <table><tr><td>{}",
        job_posting_page("Typist", &lure_text(71), "<div>")
    );
    let thai_text = "รับสมัครพนักงานบริการลูกค้า ทำงานที่สีหนุวิลล์ กัมพูชา เงินเดือน 45,000 บาท \
                     ไม่ต้องมีประสบการณ์ บริษัทออกค่าตั๋วเครื่องบินและวีซ่าให้ ติดต่อไลน์ @thai_job_kh";
    let html = format!(
        "<html><body><h1>งานด่วน</h1><div class=description><p>{thai_text}</p></div></body></html>"
    );
    let (encoded, _, unmappable) = encoding_rs::WINDOWS_874.encode(&html);
    assert!(!unmappable);
    let thai_bytes = encoded.into_owned();
    let board = Site::builder()
        .html("/broken", &broken)
        .dynamic("/thai", move |_| {
            status(200, &[("content-type", "text/html")], thai_bytes.clone())
        })
        .start("127.0.0.1")
        .await;
    let profile = LISTING_PROFILE.to_string();
    let result = crawl(
        config(&profile),
        &[board.url("/broken"), board.url("/thai")],
    )
    .await;
    let texts = result.texts();
    assert_eq!(texts.len(), 2, "{}", result.report);
    assert!(
        texts
            .iter()
            .any(|t| t.contains("สีหนุวิลล์") && t.contains("วีซ่า")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t.contains("passport")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_addresses_are_refused_unless_allowed() {
    let board = Site::builder()
        .html("/ad/1", &job_posting_page("Typist", &lure_text(81), ""))
        .start("127.0.0.1")
        .await;
    let mut strict = config("");
    strict.allow_private = false;
    let result = crawl(strict, &[board.url("/ad/1")]).await;
    assert!(result.ads().is_empty());
    assert!(
        board.hits().is_empty(),
        "nothing may be requested from a private address"
    );
    let errors: Vec<&String> = result
        .report
        .hosts
        .values()
        .flat_map(|h| h.errors.keys())
        .collect();
    assert_eq!(errors.len(), 1, "{}", result.report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recrawl_asks_conditionally_and_keeps_the_ads() {
    let page = job_posting_page("Typist", &lure_text(91), "");
    let board = Site::builder()
        .dynamic("/ad/1", move |ctx| {
            let matches = ctx
                .headers
                .get("if-none-match")
                .is_some_and(|v| v.as_bytes() == b"\"v1\"");
            if matches {
                status(304, &[("etag", "\"v1\"")], Vec::new())
            } else {
                status(
                    200,
                    &[("content-type", "text/html"), ("etag", "\"v1\"")],
                    page.clone().into_bytes(),
                )
            }
        })
        .start("127.0.0.1")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("crawl.db")).unwrap());
    let seeds = [board.url("/ad/1")];
    let first = crawl_into(&store, config(""), &seeds, true).await;
    assert_eq!(first.ads_found, 1);
    assert_eq!(first.flagged, 1, "scored as found");
    let again = crawl_into(
        &store,
        config("[rules]\nrecrawl_after_hours = 0.0\n"),
        &seeds,
        true,
    )
    .await;
    assert_ne!(again.run, first.run);
    let hits = board.hits_for("/ad/1");
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[1].if_none_match.as_deref(), Some("\"v1\""));
    assert_eq!(
        store.counts().unwrap(),
        (1, 1),
        "the ad is kept and still flagged"
    );
    let third = crawl_into(&store, config(""), &seeds, true).await;
    assert_eq!(third.pages, 0, "a recent page is not fetched again");
    assert_eq!(board.hits_for("/ad/1").len(), 2);
}

fn lurewatch() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_lurewatch"))
}

fn job_paths_fetched(site: &Site) -> Vec<String> {
    site.hits()
        .into_iter()
        .map(|h| h.target)
        .filter(|t| t.starts_with("/job/"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crawl_killed_with_sigkill_resumes_with_nothing_lost_and_nothing_finished_refetched() {
    let mut builder = Site::builder().html("/list", &listing_page(1..21, None));
    for n in 1..21 {
        builder = builder.html(&format!("/job/{n}"), &profile_ad_page(n));
    }
    let board = builder.start("127.0.0.1").await;
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("crawl.toml");
    std::fs::write(
        &config_path,
        format!("[politeness]\nmin_delay_ms = 150\nmax_concurrency = 1\n{LISTING_PROFILE}"),
    )
    .unwrap();
    let db = dir.path().join("crawl.db");
    let out = dir.path().join("ads.jsonl");
    let command = |out: &std::path::Path| {
        let mut command = lurewatch();
        command
            .arg("crawl")
            .arg("--config")
            .arg(&config_path)
            .arg("--db")
            .arg(&db)
            .arg("-o")
            .arg(out)
            .arg("--allow-private")
            .arg("-q")
            .arg(board.url("/list"));
        command
    };
    let mut child = command(&out).spawn().unwrap();
    let started = std::time::Instant::now();
    while job_paths_fetched(&board).len() < 6 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the crawl did not get going"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    let _ = child.wait();
    assert!(!out.exists(), "the killed crawl wrote no output");
    let finished: Vec<String> = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mut statement = conn
            .prepare("SELECT url FROM frontier WHERE state = 'done' AND url LIKE '%/job/%'")
            .unwrap();
        statement
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(finished.len() >= 4, "{finished:?}");
    assert!(finished.len() < 20, "killed too late to test anything");

    let status = command(&out).status().unwrap();
    assert!(status.success(), "{status:?}");
    let lines = std::fs::read_to_string(&out).unwrap();
    assert_eq!(lines.lines().count(), 20, "every ad, once");
    let ids: std::collections::BTreeSet<String> = lines
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 20, "every ad, once");
    let fetched = job_paths_fetched(&board);
    for url in &finished {
        let path = url.split_once("127.0.0.1").unwrap().1;
        let path = &path[path.find('/').unwrap()..];
        let times = fetched.iter().filter(|p| p.as_str() == path).count();
        assert_eq!(
            times, 1,
            "{path} was finished before the kill but fetched {times} times"
        );
    }
    for n in 1..21 {
        let path = format!("/job/{n}");
        let times = fetched.iter().filter(|p| **p == path).count();
        assert!((1..=2).contains(&times), "{path} fetched {times} times");
    }
}

#[test]
fn the_example_configuration_is_printed_and_a_misspelt_key_is_named() {
    let output = lurewatch()
        .args(["crawl", "--example-config"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("[politeness]") && text.contains("user_agent"));
    CrawlConfig::from_toml_str(&text).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[limits]\nmax_depht = 2\n").unwrap();
    let output = lurewatch()
        .arg("crawl")
        .arg("--config")
        .arg(&path)
        .arg("--db")
        .arg(dir.path().join("x.db"))
        .arg("http://example.com/")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("max_depht") && error.contains("bad.toml"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_another_host_obeys_that_hosts_robots_txt() {
    let target = Site::builder()
        .page(
            "/robots.txt",
            "text/plain",
            "User-agent: *\nDisallow: /secret\n",
        )
        .html("/secret", &job_posting_page("Typist", &lure_text(101), ""))
        .html("/open", &job_posting_page("Typist", &lure_text(102), ""))
        .start("127.0.0.1")
        .await;
    let to_secret = target.url("/secret");
    let to_open = target.url("/open");
    let origin = Site::builder()
        .dynamic("/out", move |_| {
            status(302, &[("location", &to_secret)], Vec::new())
        })
        .dynamic("/elsewhere", move |_| {
            status(301, &[("location", &to_open)], Vec::new())
        })
        .start("127.0.0.1")
        .await;
    let result = crawl(config(""), &[origin.url("/out"), origin.url("/elsewhere")]).await;
    assert_eq!(result.texts().len(), 1, "{}", result.report);
    assert_eq!(
        target.hits_for("/robots.txt").len(),
        1,
        "the target host's robots.txt is read"
    );
    assert!(
        target.hits_for("/secret").is_empty(),
        "robots.txt disallows it: never requested"
    );
    assert_eq!(
        target.hits_for("/open").len(),
        1,
        "fetched once, under its own host"
    );
    assert_eq!(
        target.hits()[0].target,
        "/robots.txt",
        "nothing requested before robots.txt"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_robots_txt_server_error_means_wait_and_ask_again() {
    let board = Site::builder()
        .dynamic("/robots.txt", |ctx| {
            if ctx.earlier == 0 {
                status(503, &[], Vec::new())
            } else {
                status(
                    200,
                    &[("content-type", "text/plain")],
                    b"User-agent: *\nAllow: /\n".to_vec(),
                )
            }
        })
        .html("/ad/1", &job_posting_page("Typist", &lure_text(111), ""))
        .start("127.0.0.1")
        .await;
    let result = crawl(config(""), &[board.url("/ad/1")]).await;
    assert_eq!(result.texts().len(), 1, "{}", result.report);
    let hits = board.hits();
    assert_eq!(hits.len(), 3, "robots.txt twice, then the page");
    assert_eq!(
        hits[2].target, "/ad/1",
        "nothing fetched before robots.txt answered"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_pagination_is_not_cut_by_the_depth_limit_but_noindex_and_nofollow_are_obeyed() {
    let mut builder = Site::builder();
    for page in 1..=8 {
        let next = (page < 8).then(|| format!("/list?page={}", page + 1));
        builder = builder.html(
            &format!("/list?page={page}"),
            &listing_page(page..page + 1, next.as_deref()),
        );
        builder = builder.html(&format!("/job/{page}"), &profile_ad_page(page));
    }
    let hidden = profile_ad_page(50);
    let board = builder
        .dynamic("/job/50", move |_| {
            status(
                200,
                &[("content-type", "text/html"), ("x-robots-tag", "noindex")],
                hidden.clone().into_bytes(),
            )
        })
        .html(
            "/nofollow",
            &listing_page(60..61, None).replace(
                "<html>",
                "<html><head><meta name=\"robots\" content=\"nofollow\"></head>",
            ),
        )
        .start("127.0.0.1")
        .await;
    let result = crawl(
        config(&format!("[limits]\nmax_depth = 2\n{LISTING_PROFILE}")),
        &[
            board.url("/list?page=1"),
            board.url("/job/50"),
            board.url("/nofollow"),
        ],
    )
    .await;
    assert_eq!(
        result.texts().len(),
        8,
        "all eight pages of the listing: {}",
        result.report
    );
    assert!(
        board.hits_for("/job/60").is_empty(),
        "nofollow page's links are not followed"
    );
    assert_eq!(board.hits_for("/job/50").len(), 1);
    assert!(
        !result.texts().iter().any(|t| t.contains("#50 ")),
        "noindex page's ad not kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_run_tries_failed_pages_and_old_links_again() {
    let page = job_posting_page("Typist", &lure_text(121), "");
    let board = Site::builder()
        .html("/list", &listing_page(1..2, None))
        .dynamic("/job/1", move |ctx| {
            if ctx.earlier == 0 {
                status(500, &[], Vec::new())
            } else {
                status(
                    200,
                    &[("content-type", "text/html")],
                    page.clone().into_bytes(),
                )
            }
        })
        .start("127.0.0.1")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("crawl.db")).unwrap());
    let seeds = [board.url("/list")];
    let once = format!("[limits]\nmax_attempts = 1\n{LISTING_PROFILE}");
    let first = crawl_into(&store, config(&once), &seeds, false).await;
    assert_eq!(first.ads_found, 0);
    let again = format!(
        "[limits]\nmax_attempts = 1\n[rules]\nrecrawl_after_hours = 0.0\n{LISTING_PROFILE}"
    );
    let second = crawl_into(&store, config(&again), &seeds, false).await;
    assert_eq!(second.ads_found, 1, "{second}");
    assert_eq!(board.hits_for("/job/1").len(), 2);
    assert_eq!(board.hits_for("/list").len(), 2);
}
