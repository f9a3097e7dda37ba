//! The crawl loop: one queue and one pacer per host, robots.txt first, fetches in parallel up to
//! a global limit, every finished page recorded in the store with what was found on it.
//!
//! The loop owns all per-host state; fetches run as tokio tasks and the reading of each page
//! (HTML parsing, extraction, deduplication, scoring, the store transaction) runs on the
//! blocking pool. Because a page is marked done in the same transaction that stores its ads and
//! queues its links, a crawl killed at any point resumes from the store with nothing lost and
//! nothing finished fetched again (a page in flight at the kill is fetched again: it was not
//! finished).

mod host;
mod page;
mod report;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;
use url::Url;

use super::config::CrawlConfig;
use super::dedup::DuplicateIndex;
use super::fetch::{FetchError, FetchRequest, Fetcher};
use super::robots::{RobotsFetch, RobotsPolicy};
use crate::classify::Classifier;
use crate::store::{
    Millis, PageKind, PageOutcome, PageState, QueuedUrl, Store, StoreError, now_millis,
};
use host::{Host, RobotsState};
use page::{ReadPage, Reader};
pub use report::{CrawlReport, HostReport};

/// Attempts at robots.txt of a host that errs (5xx or unreachable) before its URLs are given up.
const ROBOTS_ATTEMPTS: u32 = 3;

/// Why a crawl could not run.
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// A seed is not a usable URL.
    #[error("seed `{seed}`: {reason}")]
    Seed {
        /// The seed as given.
        seed: String,
        /// Why.
        reason: String,
    },
}

/// Progress of a crawl, for a display.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Pages fetched.
    pub fetched: u64,
    /// URLs waiting.
    pub queued: u64,
    /// Ads found.
    pub ads: u64,
    /// Failures.
    pub errors: u64,
}

/// Told about the crawl as it goes.
pub trait CrawlObserver: Send {
    /// Called after every page.
    fn progress(&mut self, progress: &Progress) {
        let _ = progress;
    }
}

impl CrawlObserver for () {}

/// The politeness key of a URL: its host and explicit port, as robots.txt applies per origin.
pub fn host_key(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// What a seed URL is expected to be, from its path.
pub fn seed_kind(url: &Url) -> PageKind {
    let path = url.path().to_ascii_lowercase();
    if path.contains("sitemap") && (path.ends_with(".xml") || path.ends_with(".xml.gz")) {
        PageKind::Sitemap
    } else if path.ends_with(".rss")
        || path.ends_with(".atom")
        || path
            .split('/')
            .any(|segment| segment == "feed" || segment == "rss")
    {
        PageKind::Feed
    } else {
        PageKind::Page
    }
}

/// A crawler: configuration, store, HTTP client and (optionally) a classifier for scoring.
pub struct Crawler {
    config: Arc<CrawlConfig>,
    store: Arc<dyn Store>,
    fetcher: Fetcher,
    classifier: Option<Arc<Classifier>>,
}

/// A finished task of the crawl loop.
enum Done {
    Robots {
        host: String,
        fetch: Result<(u16, Vec<u8>), FetchError>,
        elapsed: Duration,
    },
    Page {
        host: String,
        read: Box<ReadPage>,
        report: Result<crate::store::WriteReport, StoreError>,
    },
    Recorded {
        result: Result<(), StoreError>,
    },
}

impl Crawler {
    /// A crawler writing into `store`; with a classifier, ads are scored as they are found.
    pub fn new(
        config: CrawlConfig,
        store: Arc<dyn Store>,
        classifier: Option<Arc<Classifier>>,
    ) -> Result<Crawler, CrawlError> {
        let fetcher = Fetcher::new(config.fetch_config())?;
        Ok(Crawler {
            config: Arc::new(config),
            store,
            fetcher,
            classifier,
        })
    }

    /// Queues the seeds, resumes or starts a run, and crawls until the queue is empty, a limit is
    /// reached or `stop` resolves (Ctrl-C). The run is marked finished unless interrupted.
    pub async fn run(
        &self,
        seeds: &[String],
        observer: &mut dyn CrawlObserver,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<CrawlReport, CrawlError> {
        let now = now_millis();
        let seeds = self.seed_urls(seeds, now)?;
        let store = self.store.clone();
        let (run, resumed) = blocking(move || store.begin_run(now)).await?;
        let refetch_before = now.saturating_sub(
            i64::try_from(self.config.recrawl_after().as_millis()).unwrap_or(i64::MAX),
        );
        let store = self.store.clone();
        blocking(move || store.enqueue(run, &seeds, refetch_before)).await?;
        let store = self.store.clone();
        let prior: HashMap<String, u64> = blocking(move || store.fetched_per_host(run))
            .await?
            .into_iter()
            .collect();
        let store = self.store.clone();
        let queued = blocking(move || store.queued()).await?;
        let store = self.store.clone();
        let mut index = DuplicateIndex::new();
        for (id, hash) in blocking(move || store.simhashes()).await? {
            index.insert(&id, hash);
        }
        let mut state = Loop {
            crawler: self,
            run,
            refetch_before,
            run_pages: prior.values().sum(),
            prior,
            deferred: 0,
            hosts: HashMap::new(),
            order: Vec::new(),
            next_host: 0,
            tasks: JoinSet::new(),
            report: CrawlReport {
                run,
                resumed,
                ..CrawlReport::default()
            },
            reader: Reader {
                config: self.config.clone(),
                duplicates: Arc::new(Mutex::new(index)),
                classifier: self.classifier.clone(),
            },
            progress: Progress::default(),
        };
        for url in queued {
            state.push(url);
        }
        let interrupted = state.run(observer, stop).await?;
        let mut report = state.report;
        report.interrupted = interrupted;
        report.left_queued = state
            .hosts
            .values()
            .map(|h| h.queue.len() as u64)
            .sum::<u64>()
            + state.deferred;
        if !interrupted {
            let store = self.store.clone();
            blocking(move || store.finish_run(run, now_millis())).await?;
        }
        Ok(report)
    }

    fn seed_urls(&self, seeds: &[String], now: Millis) -> Result<Vec<QueuedUrl>, CrawlError> {
        seeds
            .iter()
            .map(|seed| {
                let url = super::canonical::canonicalize(seed.trim(), None).map_err(|e| {
                    CrawlError::Seed {
                        seed: seed.clone(),
                        reason: e.to_string(),
                    }
                })?;
                let host = host_key(&url).ok_or_else(|| CrawlError::Seed {
                    seed: seed.clone(),
                    reason: "has no host".into(),
                })?;
                Ok(QueuedUrl::new(
                    url.to_string(),
                    host,
                    seed_kind(&url),
                    0,
                    now,
                ))
            })
            .collect()
    }
}

/// Runs a store call on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// The state of the crawl loop.
struct Loop<'a> {
    crawler: &'a Crawler,
    run: i64,
    /// Pages finished by an earlier run before this time are fetched again.
    refetch_before: Millis,
    /// Pages fetched in this run, earlier processes of a resumed run included.
    run_pages: u64,
    /// Pages fetched per host by earlier processes of a resumed run.
    prior: HashMap<String, u64>,
    /// URLs left queued for the next run (their host's robots.txt could not be had).
    deferred: u64,
    hosts: HashMap<String, Host>,
    /// Hosts in the order they are offered a turn (round robin).
    order: Vec<String>,
    next_host: usize,
    tasks: JoinSet<Done>,
    report: CrawlReport,
    reader: Reader,
    progress: Progress,
}

impl Loop<'_> {
    fn push(&mut self, url: QueuedUrl) {
        let config = &self.crawler.config;
        if !self.hosts.contains_key(&url.host) {
            self.order.push(url.host.clone());
            let robots = if config.rules.robots_txt {
                RobotsState::Unknown
            } else {
                RobotsState::Ready(RobotsPolicy::AllowAll)
            };
            let mut host = Host::new(&config.politeness, robots);
            host.fetched = self.prior.get(&url.host).copied().unwrap_or(0);
            self.hosts.insert(url.host.clone(), host);
        }
        if let Some(host) = self.hosts.get_mut(&url.host) {
            host.queue.push_back(url);
        }
    }

    /// Crawls until nothing is left to do; returns whether `stop` cut it short.
    async fn run(
        &mut self,
        observer: &mut dyn CrawlObserver,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<bool, CrawlError> {
        tokio::pin!(stop);
        let mut stopping = false;
        loop {
            let wake = if stopping { None } else { self.launch() };
            if self.tasks.is_empty() && (stopping || wake.is_none()) {
                return Ok(stopping);
            }
            let sleep = tokio::time::sleep_until(
                wake.map(tokio::time::Instant::from_std)
                    .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600)),
            );
            tokio::select! {
                done = self.tasks.join_next(), if !self.tasks.is_empty() => {
                    match done {
                        Some(Ok(done)) => self.finish(done)?,
                        Some(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                        _ => {}
                    }
                    self.progress.queued = self.hosts.values().map(|h| h.queue.len() as u64).sum();
                    observer.progress(&self.progress);
                }
                () = sleep => {}
                () = &mut stop, if !stopping => {
                    tracing::warn!("Stopping: finishing the pages in flight; run again to resume.");
                    stopping = true;
                }
            }
        }
    }

    /// Starts what may start now; returns when to look again (`None`: nothing left to wait for,
    /// apart from tasks in flight).
    fn launch(&mut self) -> Option<Instant> {
        let limits = &self.crawler.config.limits;
        let now = Instant::now();
        let now_ms = now_millis();
        let mut wake: Option<Instant> = None;
        let mut soonest = |at: Instant| wake = Some(wake.map_or(at, |w: Instant| w.min(at)));
        let hosts = self.order.len();
        for turn in 0..hosts {
            if self.tasks.len() >= limits.concurrency {
                // A task finishing wakes the loop; the next turn starts with the host not served.
                self.next_host = (self.next_host + turn) % hosts;
                return wake.or(Some(now + Duration::from_secs(3600)));
            }
            let key = self.order[(self.next_host + turn) % hosts].clone();
            let Some(host) = self.hosts.get_mut(&key) else {
                continue;
            };
            if host.queue.is_empty()
                || self.run_pages >= limits.max_pages
                || host.fetched >= limits.max_pages_per_host
            {
                continue;
            }
            match &host.robots {
                RobotsState::Unknown => {
                    if host.pacer.try_start(now) {
                        host.robots = RobotsState::Fetching;
                        let url = robots_url(&host.queue[0].url);
                        self.spawn_robots(key, url);
                    } else if let Some(at) = host.pacer.next_start(now) {
                        soonest(at);
                    }
                    continue;
                }
                RobotsState::Fetching => continue,
                RobotsState::Unavailable => {
                    // Left queued in the store for the next run.
                    self.deferred += host.queue.len() as u64;
                    host.queue.clear();
                    continue;
                }
                RobotsState::Refused { kind, reason } => {
                    let (kind, reason) = (kind.clone(), reason.clone());
                    let urls: Vec<QueuedUrl> = host.queue.drain(..).collect();
                    self.fail_all(&key, urls, &kind, &reason);
                    continue;
                }
                RobotsState::Waiting { until, .. } => {
                    if *until > now {
                        soonest(*until);
                    } else {
                        host.robots = RobotsState::Unknown;
                        soonest(now);
                    }
                    continue;
                }
                RobotsState::Ready(_) => {}
            }
            let Some(position) = host.queue.iter().position(|q| q.next_fetch_at <= now_ms) else {
                let earliest = host.queue.iter().map(|q| q.next_fetch_at).min();
                if let Some(at) = earliest {
                    let wait = u64::try_from(at.saturating_sub(now_ms)).unwrap_or(0);
                    soonest(now + Duration::from_millis(wait));
                }
                continue;
            };
            let RobotsState::Ready(policy) = &host.robots else {
                continue;
            };
            if !policy.allows(&host.queue[position].url) {
                let Some(url) = host.queue.remove(position) else {
                    continue;
                };
                tracing::info!(url = %url.url, "Skipped: robots.txt disallows it.");
                self.report.host(&key).skipped += 1;
                self.record(skipped(&url, "disallowed by robots.txt", now_ms));
                soonest(now);
                continue;
            }
            if host.pacer.try_start(now) {
                let Some(url) = host.queue.remove(position) else {
                    continue;
                };
                host.fetched += 1;
                self.run_pages += 1;
                self.report.pages += 1;
                self.spawn_page(key, url);
                soonest(now);
            } else if let Some(at) = host.pacer.next_start(now) {
                soonest(at);
            }
        }
        self.next_host = (self.next_host + 1) % hosts.max(1);
        wake
    }

    fn spawn_robots(&mut self, host: String, url: Option<Url>) {
        let fetcher = self.crawler.fetcher.clone();
        self.tasks.spawn(async move {
            let started = Instant::now();
            let fetch = match url {
                Some(url) => match fetcher.fetch(&FetchRequest::new(url)).await {
                    Ok(fetched) => Ok((fetched.status, fetched.body)),
                    Err(e) => {
                        tracing::info!(host = %host, error = %e, "robots.txt could not be fetched.");
                        Err(e)
                    }
                },
                None => Err(FetchError::InvalidUrl {
                    url: host.clone(),
                    reason: "no robots.txt URL for this host".into(),
                }),
            };
            Done::Robots {
                host,
                fetch,
                elapsed: started.elapsed(),
            }
        });
    }

    fn spawn_page(&mut self, host: String, queued: QueuedUrl) {
        let fetcher = self.crawler.fetcher.clone();
        let reader = self.reader.clone();
        let store = self.crawler.store.clone();
        let run = self.run;
        let refetch_before = self.refetch_before;
        self.tasks.spawn(async move {
            let fetched = match Url::parse(&queued.url) {
                Ok(url) => {
                    let request = FetchRequest {
                        url,
                        etag: queued.etag.clone(),
                        last_modified: queued.last_modified.clone(),
                    };
                    fetcher.fetch(&request).await
                }
                Err(e) => Err(FetchError::InvalidUrl {
                    url: queued.url.clone(),
                    reason: e.to_string(),
                }),
            };
            let outcome = tokio::task::spawn_blocking(move || {
                let mut read = reader.read(&queued, fetched, now_millis());
                let report = reader.commit(&mut read, |outcome| {
                    store.complete(run, outcome, refetch_before)
                });
                (read, report)
            })
            .await;
            match outcome {
                Ok((read, report)) => Done::Page {
                    host,
                    read: Box::new(read),
                    report,
                },
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            }
        });
    }

    /// Records an outcome decided without fetching (robots.txt, a host given up).
    fn record(&mut self, outcome: PageOutcome) {
        let store = self.crawler.store.clone();
        let run = self.run;
        self.tasks.spawn(async move {
            let result =
                blocking(move || store.complete(run, &outcome, Millis::MIN).map(|_| ())).await;
            Done::Recorded { result }
        });
    }

    fn finish(&mut self, done: Done) -> Result<(), CrawlError> {
        match done {
            Done::Robots {
                host,
                fetch,
                elapsed,
            } => self.finish_robots(host, fetch, elapsed),
            Done::Page { host, read, report } => {
                let report = report?;
                self.finish_page(host, *read, report);
            }
            Done::Recorded { result, .. } => result?,
        }
        Ok(())
    }

    fn finish_robots(
        &mut self,
        key: String,
        fetch: Result<(u16, Vec<u8>), FetchError>,
        elapsed: Duration,
    ) {
        let now = Instant::now();
        let config = &self.crawler.config;
        let policy = match &fetch {
            Ok((status, body)) => RobotsPolicy::from_fetch(RobotsFetch::Response(*status, body)),
            Err(e) if !e.is_retryable() => {
                // No retry can help (a private address, a redirect loop, a bad URL): the host's
                // pages would fail the same way.
                let (kind, reason) = (e.kind().to_string(), format!("robots.txt: {e}"));
                tracing::warn!(host = %key, reason = %reason, "Giving up the host.");
                if let Some(host) = self.hosts.get_mut(&key) {
                    host.pacer.finish(
                        now,
                        super::politeness::Outcome::Success { latency: elapsed },
                    );
                    host.robots = RobotsState::Refused {
                        kind: kind.clone(),
                        reason: reason.clone(),
                    };
                    let urls: Vec<QueuedUrl> = host.queue.drain(..).collect();
                    self.fail_all(&key, urls, &kind, &reason);
                }
                return;
            }
            Err(_) => RobotsPolicy::from_fetch(RobotsFetch::Unreachable),
        };
        let Some(host) = self.hosts.get_mut(&key) else {
            return;
        };
        host.pacer.finish(
            now,
            match &policy {
                RobotsPolicy::Wait => super::politeness::Outcome::ServerError,
                _ => super::politeness::Outcome::Success { latency: elapsed },
            },
        );
        if let RobotsPolicy::Wait = policy {
            let attempts = host.robots_attempts + 1;
            host.robots_attempts = attempts;
            if attempts >= ROBOTS_ATTEMPTS {
                // RFC 9309: while robots.txt is unavailable, assume complete disallow. The URLs
                // stay queued in the store for the next run.
                tracing::warn!(host = %key, "robots.txt keeps failing: leaving the host's URLs for the next run.");
                let left = host.queue.len() as u64;
                host.queue.clear();
                host.robots = RobotsState::Unavailable;
                self.deferred += left;
                *self
                    .report
                    .host(&key)
                    .errors
                    .entry("robots-unavailable".into())
                    .or_default() += 1;
                self.progress.errors += 1;
            } else {
                let wait = config
                    .politeness
                    .backoff_base
                    .max(Duration::from_millis(200))
                    * 2u32.pow(attempts);
                host.robots = RobotsState::Waiting {
                    until: now + wait.min(config.politeness.backoff_max),
                };
            }
            return;
        }
        host.pacer
            .set_crawl_delay(policy.crawl_delay(config.politeness.crawl_delay_cap));
        let sitemaps: Vec<String> = if config.rules.robots_sitemaps {
            policy.sitemaps().to_vec()
        } else {
            Vec::new()
        };
        host.robots = RobotsState::Ready(policy);
        if !sitemaps.is_empty() {
            self.queue_sitemaps(&key, &sitemaps);
        }
    }

    /// Fails URLs of a host for a reason that applies to all of them.
    fn fail_all(&mut self, key: &str, urls: Vec<QueuedUrl>, kind: &str, reason: &str) {
        if urls.is_empty() {
            return;
        }
        *self
            .report
            .host(key)
            .errors
            .entry(kind.to_string())
            .or_default() += urls.len() as u64;
        self.progress.errors += urls.len() as u64;
        for url in urls {
            tracing::warn!(url = %url.url, reason = %reason, "Page failed.");
            let outcome = PageOutcome {
                state: PageState::Failed(reason.to_string()),
                ..skipped(&url, "", now_millis())
            };
            self.record(outcome);
        }
    }

    fn queue_sitemaps(&mut self, key: &str, sitemaps: &[String]) {
        let now = now_millis();
        let urls: Vec<QueuedUrl> = sitemaps
            .iter()
            .filter_map(|s| super::canonical::canonicalize(s, None).ok())
            .filter(|url| {
                !self.crawler.config.rules.stay_on_host || host_key(url).as_deref() == Some(key)
            })
            .filter_map(|url| {
                let host = host_key(&url)?;
                Some(QueuedUrl::new(
                    url.to_string(),
                    host,
                    PageKind::Sitemap,
                    0,
                    now,
                ))
            })
            .collect();
        if urls.is_empty() {
            return;
        }
        // Queued synchronously: a few rows, and the loop must know them before going on.
        match self
            .crawler
            .store
            .enqueue(self.run, &urls, self.refetch_before)
        {
            Ok(queued) => {
                let queued: std::collections::HashSet<String> = queued.into_iter().collect();
                for url in urls {
                    if queued.contains(&url.url) {
                        self.push(url);
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "Could not queue the sitemaps of robots.txt."),
        }
    }

    fn finish_page(&mut self, key: String, read: ReadPage, written: crate::store::WriteReport) {
        let now = Instant::now();
        if let Some(host) = self.hosts.get_mut(&key) {
            host.pacer.finish(now, read.pacing);
        }
        let outcome = &read.outcome;
        match &outcome.state {
            PageState::Retry { reason, .. } => {
                tracing::info!(url = %outcome.url, reason = %reason, "Will retry.");
            }
            PageState::Failed(reason) => {
                tracing::warn!(url = %outcome.url, reason = %reason, "Page failed.");
            }
            PageState::Done | PageState::Skipped(_) => {
                tracing::info!(url = %outcome.url, status = ?read.status, ads = read.ads_found, "Fetched.");
            }
        }
        self.progress.fetched += 1;
        self.progress.ads += read.ads_found;
        self.report.ads_found += read.ads_found;
        self.report.duplicates += read.duplicates;
        self.report.flagged += read.flagged;
        self.report.new_ads += written.new_ads;
        let host_report = self.report.host(&key);
        host_report.pages += 1;
        host_report.ads += read.ads_found;
        host_report.skipped += u64::from(read.skipped);
        if let Some(status) = read.status {
            *host_report.statuses.entry(status).or_default() += 1;
        }
        if let Some(kind) = &read.error_kind {
            *host_report.errors.entry(kind.clone()).or_default() += 1;
            self.progress.errors += 1;
        }
        if let PageState::Retry { at, .. } = outcome.state {
            // Back in the queue, not fetched again before `at`; the store has the same.
            let again = QueuedUrl {
                next_fetch_at: at,
                attempts: read.queued.attempts + 1,
                ..read.queued.clone()
            };
            if let Some(host) = self.hosts.get_mut(&key) {
                host.queue.push_back(again);
            }
        }
        let queued: std::collections::HashSet<&String> = written.queued.iter().collect();
        let found: Vec<QueuedUrl> = outcome
            .discovered
            .iter()
            .filter(|q| queued.contains(&q.url))
            .cloned()
            .collect();
        for url in found {
            self.push(url);
        }
    }
}

fn robots_url(page: &str) -> Option<Url> {
    let mut url = Url::parse(page).ok()?;
    url.set_path("/robots.txt");
    url.set_query(None);
    url.set_fragment(None);
    Some(url)
}

fn skipped(url: &QueuedUrl, why: &str, now: Millis) -> PageOutcome {
    PageOutcome::new(url.url.clone(), PageState::Skipped(why.to_string()), now)
}
