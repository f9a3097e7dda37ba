//! Turning one fetch into what the store records: the page's state, its ads (deduplicated and
//! optionally scored) and the links to queue.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use url::Url;

use super::super::config::CrawlConfig;
use super::super::dedup::{DuplicateIndex, simhash};
use super::super::extract::{Page, extract};
use super::super::fetch::{FetchError, Fetched};
use super::super::politeness::Outcome;
use super::host_key;
use crate::classify::Classifier;
use crate::store::{AdWrite, Millis, PageOutcome, PageState, QueuedUrl, ScoreRecord, rfc3339};

/// What reading a page needs besides the page.
#[derive(Clone)]
pub(super) struct Reader {
    pub config: Arc<CrawlConfig>,
    pub duplicates: Arc<Mutex<DuplicateIndex>>,
    pub classifier: Option<Arc<Classifier>>,
}

/// A page read, ready to be recorded.
#[derive(Debug)]
pub(super) struct ReadPage {
    pub queued: QueuedUrl,
    pub outcome: PageOutcome,
    pub pacing: Outcome,
    pub status: Option<u16>,
    pub error_kind: Option<String>,
    pub ads_found: u64,
    pub duplicates: u64,
    pub flagged: u64,
    pub skipped: bool,
}

impl Reader {
    /// Reads the result of fetching `queued`.
    pub fn read(
        &self,
        queued: &QueuedUrl,
        fetched: Result<Fetched, FetchError>,
        now: Millis,
    ) -> ReadPage {
        let mut page = ReadPage {
            queued: queued.clone(),
            outcome: PageOutcome::new(queued.url.clone(), PageState::Done, now),
            pacing: Outcome::NetworkError,
            status: None,
            error_kind: None,
            ads_found: 0,
            duplicates: 0,
            flagged: 0,
            skipped: false,
        };
        let fetched = match fetched {
            Ok(fetched) => fetched,
            Err(error) => {
                page.error_kind = Some(error.kind().to_string());
                page.pacing = if error.is_retryable() {
                    Outcome::NetworkError
                } else {
                    // Refused before or without talking to the host: nothing to pace.
                    Outcome::Success {
                        latency: Duration::ZERO,
                    }
                };
                page.outcome.state = if error.is_retryable() {
                    self.retry(queued, now, None, error.to_string())
                } else {
                    PageState::Failed(error.to_string())
                };
                return page;
            }
        };
        let status = fetched.status;
        page.status = Some(status);
        if let Some(target) = &fetched.redirect_to {
            page.pacing = Outcome::Success {
                latency: fetched.elapsed,
            };
            self.redirected(queued, target, now, &mut page);
            return page;
        }
        page.outcome.status = Some(status);
        page.outcome.etag = fetched.etag.clone();
        page.outcome.last_modified = fetched.last_modified.clone();
        match status {
            429 | 503 => {
                page.pacing = Outcome::Throttled {
                    retry_after: fetched.retry_after,
                };
                page.error_kind = Some(format!("http-{status}"));
                page.outcome.state = self.retry(
                    queued,
                    now,
                    fetched.retry_after,
                    format!("HTTP {status} (the site asked us to slow down)"),
                );
            }
            500..=599 => {
                page.pacing = Outcome::ServerError;
                page.error_kind = Some(format!("http-{status}"));
                page.outcome.state = self.retry(queued, now, None, format!("HTTP {status}"));
            }
            304 => {
                page.pacing = Outcome::Success {
                    latency: fetched.elapsed,
                };
                page.skipped = true;
                page.outcome.unchanged = true;
                page.outcome.state = PageState::Skipped("not modified since the last crawl".into());
            }
            200..=299 => {
                page.pacing = Outcome::Success {
                    latency: fetched.elapsed,
                };
                self.read_body(queued, &fetched, now, &mut page);
            }
            _ => {
                page.pacing = Outcome::Success {
                    latency: fetched.elapsed,
                };
                page.error_kind = Some(format!("http-{status}"));
                page.outcome.state = PageState::Failed(format!("HTTP {status}"));
            }
        }
        page
    }

    /// A retry after a temporary failure, or giving up after the last attempt.
    fn retry(
        &self,
        queued: &QueuedUrl,
        now: Millis,
        retry_after: Option<Duration>,
        reason: String,
    ) -> PageState {
        let attempts = queued.attempts + 1;
        if attempts >= self.config.limits.max_attempts {
            return PageState::Failed(format!("{reason}; gave up after {attempts} attempts"));
        }
        let politeness = &self.config.politeness;
        let wait = match retry_after {
            Some(wait) => wait.min(politeness.retry_after_cap),
            None => {
                let doubled = politeness
                    .backoff_base
                    .saturating_mul(1 << queued.attempts.min(16));
                let jitter = rand::random::<f64>() * 0.5 + 0.75;
                doubled.min(politeness.backoff_max).mul_f64(jitter)
            }
        };
        PageState::Retry {
            at: now.saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX)),
            reason,
        }
    }

    fn read_body(&self, queued: &QueuedUrl, fetched: &Fetched, now: Millis, page: &mut ReadPage) {
        if host_key(&fetched.final_url).as_deref() != Some(queued.host.as_str()) {
            // The fetcher stops at redirects to other hosts; should one get through, it is
            // still read under its own host.
            self.redirected(queued, &fetched.final_url, now, page);
            return;
        }
        let content = extract(
            Page {
                url: &fetched.final_url,
                kind: queued.kind,
                content_type: fetched.content_type.as_deref(),
                body: &fetched.body,
                max_bytes: self.config.limits.max_body_bytes,
            },
            &self.config.profiles,
        );
        let robots = fetched.robots.merge(content.robots);
        if let Some(problem) = &content.problem {
            page.error_kind = Some("unreadable".into());
            page.outcome.state = PageState::Failed(problem.clone());
            return;
        }
        if robots.noindex && !content.ads.is_empty() {
            page.skipped = true;
            page.outcome.state = PageState::Skipped("the page asks not to be indexed".into());
        } else {
            for ad in content.ads {
                page.ads_found += 1;
                self.add_ad(ad, &fetched.final_url, now, page);
            }
        }
        if !robots.nofollow {
            page.outcome.discovered = self.links(queued, &fetched.final_url, content.links, now);
        }
    }

    /// A redirect to another host: the target is queued under its own host, so that host's
    /// robots.txt and pacing apply before anything is requested from it.
    fn redirected(&self, queued: &QueuedUrl, target: &Url, now: Millis, page: &mut ReadPage) {
        tracing::info!(url = %queued.url, to = %target, "Redirected to another host.");
        if !matches!(target.scheme(), "http" | "https")
            || target.as_str().len() > self.config.limits.max_url_len
        {
            page.error_kind = Some("bad-redirect".into());
            page.outcome.state =
                PageState::Failed(format!("redirected to an unusable URL {target}"));
            return;
        }
        if let Some(host) = host_key(target) {
            page.outcome.discovered.push(QueuedUrl {
                url: target.to_string(),
                host,
                depth: queued.depth,
                next_fetch_at: now,
                attempts: 0,
                parent: Some(queued.url.clone()),
                etag: None,
                last_modified: None,
                ..queued.clone()
            });
        }
    }

    fn add_ad(&self, mut ad: crate::ad::Ad, page_url: &Url, now: Millis, page: &mut ReadPage) {
        if ad.url.is_none() {
            ad.url = Some(page_url.to_string());
        }
        ad.extra
            .insert("fetched_at".into(), Value::String(rfc3339(now)));
        if ad.id.is_empty() {
            ad.id = ad.content_id();
        }
        let hash = simhash(&format!(
            "{}\n{}",
            ad.title.as_deref().unwrap_or(""),
            ad.text
        ));
        // Scored before duplicates are known: a duplicate's score is dropped in `commit`.
        let score = self
            .classifier
            .as_ref()
            .map(|classifier| ScoreRecord::from_scored(&classifier.classify(ad.clone())));
        let seen = ad.url.clone().map(|url| (url, ad.source.clone()));
        page.outcome.ads.push(AdWrite {
            ad,
            seen,
            at: now,
            simhash: Some(hash),
            score,
        });
    }

    /// Maps each ad that repeats an earlier one onto that ad's id (so it is stored as one more
    /// sighting, without a score of its own) and records the page with `write`, all while
    /// holding the duplicate index: an ad is in the index only once it is in the store, so the
    /// first wording of an ad is the one kept.
    pub fn commit<T>(&self, page: &mut ReadPage, write: impl FnOnce(&PageOutcome) -> T) -> T {
        let mut index = self.duplicates.lock().unwrap_or_else(|p| p.into_inner());
        for ad in &mut page.outcome.ads {
            let Some(hash) = ad.simhash else { continue };
            match index.find(hash).map(str::to_string) {
                Some(existing) if existing != ad.ad.id => {
                    page.duplicates += 1;
                    ad.ad.id = existing;
                    ad.score = None;
                }
                Some(_) => {}
                None => index.insert(&ad.ad.id, hash),
            }
        }
        page.flagged = page
            .outcome
            .ads
            .iter()
            .filter(|a| a.score.as_ref().is_some_and(|s| s.flagged))
            .count() as u64;
        let result = write(&page.outcome);
        drop(index);
        result
    }

    /// The links worth queueing: http(s), not too long, not too deep, on the page's host when
    /// the configuration says so.
    fn links(
        &self,
        queued: &QueuedUrl,
        page_url: &Url,
        links: Vec<super::super::extract::Link>,
        now: Millis,
    ) -> Vec<QueuedUrl> {
        let limits = &self.config.limits;
        let page_host = host_key(page_url);
        let mut seen = std::collections::HashSet::new();
        let mut out: Vec<QueuedUrl> = Vec::new();
        for link in links {
            let depth = if link.continues {
                queued.depth
            } else {
                queued.depth + 1
            };
            if depth > limits.max_depth {
                tracing::debug!(url = %link.url, "Not followed: deeper than limits.max_depth.");
                continue;
            }
            if !matches!(link.url.scheme(), "http" | "https")
                || link.url.as_str().len() > limits.max_url_len
            {
                continue;
            }
            let Some(host) = host_key(&link.url) else {
                continue;
            };
            if self.config.rules.stay_on_host && Some(&host) != page_host.as_ref() {
                continue;
            }
            if !seen.insert(link.url.to_string()) {
                continue;
            }
            out.push(QueuedUrl {
                url: link.url.to_string(),
                host,
                kind: link.kind,
                depth,
                next_fetch_at: now,
                attempts: 0,
                parent: Some(queued.url.clone()),
                etag: None,
                last_modified: None,
                lastmod: link.lastmod,
            });
        }
        out
    }
}
