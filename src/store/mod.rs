//! The store: where crawled and scored ads, the crawl frontier, partners, reviews and deliveries
//! are kept.
//!
//! Everything else in Lurewatch talks to storage through the traits here ([`AdStore`],
//! [`FeedStore`], [`CrawlStore`], [`PartnerStore`], [`ReviewStore`], [`DeliveryStore`], [`AuditStore`]), so a second backend (PostgreSQL, for deployments on several machines) can be
//! added without touching the crawler or the feed. The one backend today is [`SqliteStore`]: a
//! single SQLite file in WAL mode, migrated on open ([`schema`]).
//!
//! Writes that belong together go in one transaction: a crawled page is marked done together
//! with the ads found on it and the links it led to, so a crawl killed at any moment resumes
//! without losing an ad or fetching a finished page again.

pub mod feed;
pub mod partner;
pub mod schema;
mod sqlite;

use serde::{Deserialize, Serialize};

use crate::ad::Ad;
use crate::classify::{Risk, ScoredAd, ScorerInfo};

pub use feed::{FeedDetails, FeedStore};
pub use partner::{AuditStore, DeliveryStore, PartnerStore, ReviewStore};
pub use sqlite::{MAX_PAGE, SqliteStore, ad_country};

/// The default database file.
pub const DEFAULT_DB: &str = "lurewatch.db";

/// Unix time in milliseconds (UTC).
pub type Millis = i64;

/// The current time in Unix milliseconds.
pub fn now_millis() -> Millis {
    chrono::Utc::now().timestamp_millis()
}

/// Formats Unix milliseconds as RFC 3339 (`2026-11-22T05:01:02.345Z`).
pub fn rfc3339(at: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or queried.
    #[error("database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: String,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer Lurewatch.
    #[error(
        "database {path} has schema version {found}, newer than this Lurewatch knows ({known}); upgrade Lurewatch"
    )]
    TooNew {
        /// The database file.
        path: String,
        /// Its schema version.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// A stored record could not be read back.
    #[error("database {path}: stored {what} is unreadable: {reason}")]
    Corrupt {
        /// The database file.
        path: String,
        /// Which record.
        what: String,
        /// Why.
        reason: String,
    },
    /// Something named in a request does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// A request conflicts with what is stored.
    #[error("{0}")]
    Conflict(String),
}

/// Which ads a partner may see. Empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Language tags (primary subtag compared: `pt` covers `pt-BR`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// ISO 3166 alpha-2 country codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
}

impl Scope {
    /// Whether an ad with this language and country is inside the scope.
    pub fn admits(&self, language: Option<&str>, country: Option<&str>) -> bool {
        let language_ok = self.languages.is_empty()
            || language.is_some_and(|l| {
                let primary = primary_language(l);
                self.languages
                    .iter()
                    .any(|s| primary_language(s).eq_ignore_ascii_case(primary))
            });
        let country_ok = self.countries.is_empty()
            || country.is_some_and(|c| self.countries.iter().any(|s| s.eq_ignore_ascii_case(c)));
        language_ok && country_ok
    }

    /// Whether the scope admits everything.
    pub fn is_everything(&self) -> bool {
        self.languages.is_empty() && self.countries.is_empty()
    }

    /// The ads both scopes admit, or `None` when no ad can be in both (for example a partner
    /// limited to Thai asked for Vietnamese ads).
    pub fn intersect(&self, other: &Scope) -> Option<Scope> {
        fn both(
            a: &[String],
            b: &[String],
            same: impl Fn(&str, &str) -> bool,
        ) -> Option<Vec<String>> {
            match (a.is_empty(), b.is_empty()) {
                (true, _) => Some(b.to_vec()),
                (_, true) => Some(a.to_vec()),
                _ => {
                    let kept: Vec<String> = b
                        .iter()
                        .filter(|x| a.iter().any(|y| same(x, y)))
                        .cloned()
                        .collect();
                    (!kept.is_empty()).then_some(kept)
                }
            }
        }
        Some(Scope {
            languages: both(&self.languages, &other.languages, |x, y| {
                // `pt-BR` inside `pt` keeps `pt-BR`; `pt` inside `pt-BR` is `pt-BR`'s primary.
                primary_language(x).eq_ignore_ascii_case(primary_language(y))
            })?,
            countries: both(&self.countries, &other.countries, |x, y| {
                x.eq_ignore_ascii_case(y)
            })?,
        })
    }
}

/// The primary subtag of a language tag, lower-cased by the caller's comparison.
pub fn primary_language(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or(tag)
}

/// A well-formed language tag (2–3 letters, then subtags of 1–8 letters or digits), or `None`.
pub fn language_tag(text: &str) -> Option<String> {
    let text = text.trim();
    let mut parts = text.split(['-', '_']);
    let primary = parts.next()?;
    let primary_ok =
        (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    (primary_ok && rest_ok).then(|| text.to_string())
}

/// A two-letter country code, upper-cased, or `None`.
pub fn country_code(text: &str) -> Option<String> {
    let text = text.trim();
    (text.len() == 2 && text.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| text.to_ascii_uppercase())
}

/// Where and when an ad was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sighting {
    /// The page or message URL.
    pub url: String,
    /// The site, board or channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// First time it was seen there.
    pub first_seen: Millis,
    /// Last time it was seen there.
    pub last_seen: Millis,
}

/// A score to record, taken from a [`ScoredAd`].
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRecord {
    /// Score between 0 and 1.
    pub score: f64,
    /// Whether it is a lead for review.
    pub flagged: bool,
    /// Risk band.
    pub risk: Risk,
    /// The scorer and its version.
    pub scorer: ScorerInfo,
    /// The ids of the risk flags raised.
    pub flag_ids: Vec<String>,
    /// Contacts as (kind, normalised value), for linking ads.
    pub entities: Vec<(String, String)>,
    /// Everything the scorer said (flags with evidence, entities, salaries, pay, reasons), as
    /// the `score` command writes it.
    pub result: serde_json::Value,
}

impl ScoreRecord {
    /// The record of a scored ad.
    pub fn from_scored(scored: &ScoredAd) -> ScoreRecord {
        let mut flag_ids: Vec<String> = scored
            .flags
            .iter()
            .filter(|f| f.polarity == crate::features::rules::Polarity::Risk)
            .map(|f| f.id.clone())
            .collect();
        flag_ids.sort();
        flag_ids.dedup();
        let mut entities: Vec<(String, String)> = scored
            .entities
            .iter()
            .map(|e| (entity_kind_name(e.entity.kind), e.entity.value.clone()))
            .collect();
        entities.sort();
        entities.dedup();
        let result = serde_json::json!({
            "flags": scored.flags,
            "entities": scored.entities,
            "salaries": scored.salaries,
            "pay": scored.pay,
            "reasons": scored.reasons,
        });
        ScoreRecord {
            score: scored.score,
            flagged: scored.flagged,
            risk: scored.risk,
            scorer: scored.scorer.clone(),
            flag_ids,
            entities,
            result,
        }
    }
}

/// The stored name of an entity kind (its serde name, such as `phone` or `telegram`).
pub fn entity_kind_name(kind: crate::features::entities::EntityKind) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{kind:?}").to_lowercase(),
    }
}

/// One ad to write: the record, where it was seen, and optionally its score.
#[derive(Debug, Clone)]
pub struct AdWrite {
    /// The ad. Its id is the key: the crawler gives a near-duplicate the id of the ad it
    /// repeats, so it is stored as one more sighting of that ad. When the id exists already, the
    /// stored record is kept (the first sighting's wording).
    pub ad: Ad,
    /// Where it was seen now, if anywhere.
    pub seen: Option<(String, Option<String>)>,
    /// When.
    pub at: Millis,
    /// SimHash of its text, for near-duplicate detection across runs.
    pub simhash: Option<u64>,
    /// Its score, if scored.
    pub score: Option<ScoreRecord>,
}

impl AdWrite {
    /// An ad with its score, seen at its own `url` (if any) now.
    pub fn scored(scored: &ScoredAd, at: Millis) -> AdWrite {
        AdWrite {
            ad: scored.ad.clone(),
            seen: scored
                .ad
                .url
                .clone()
                .map(|url| (url, scored.ad.source.clone())),
            at,
            simhash: None,
            score: Some(ScoreRecord::from_scored(scored)),
        }
    }
}

/// What a write changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Ads stored for the first time.
    pub new_ads: u64,
    /// New (ad, URL) pairs.
    pub new_sightings: u64,
    /// Scores recorded.
    pub scores: u64,
    /// Ads flagged for the first time, with their feed position.
    pub newly_flagged: Vec<(String, i64)>,
    /// URLs newly queued in the frontier.
    pub queued: Vec<String>,
}

/// Filters and page of a flagged-ads query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlaggedQuery {
    /// Only ads this scope admits.
    pub scope: Scope,
    /// Lowest score.
    pub min_score: Option<f64>,
    /// Language (primary subtag compared).
    pub language: Option<String>,
    /// Country code.
    pub country: Option<String>,
    /// Only ads raising this flag.
    pub flag: Option<String>,
    /// Flagged at or after.
    pub from: Option<Millis>,
    /// Flagged before.
    pub to: Option<Millis>,
    /// Which page.
    pub page: FeedPage,
}

/// A page of the feed. Positions are the ads' `seq`s, which only grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedPage {
    /// Newest first, starting below `before` (or at the newest).
    Newest {
        /// Exclusive upper bound.
        before: Option<i64>,
        /// Most ads.
        limit: usize,
    },
    /// Oldest first, after `after`: for catching up with what is new.
    Since {
        /// Exclusive lower bound.
        after: i64,
        /// Most ads.
        limit: usize,
    },
}

impl Default for FeedPage {
    fn default() -> Self {
        FeedPage::Newest {
            before: None,
            limit: 50,
        }
    }
}

/// A flagged ad as the feed lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlaggedAd {
    /// Feed position (the cursor).
    pub seq: i64,
    /// The ad.
    #[serde(flatten)]
    pub ad: Ad,
    /// Latest score.
    pub score: f64,
    /// Risk band.
    pub risk: Risk,
    /// The risk flags raised.
    pub flag_ids: Vec<String>,
    /// Model or rule-set version that scored it.
    pub scorer_version: String,
    /// Country the ad targets, when known.
    pub country: Option<String>,
    /// When it was first flagged.
    pub flagged_at: Millis,
    /// First seen anywhere.
    pub first_seen: Millis,
    /// Last seen anywhere.
    pub last_seen: Millis,
}

/// A past or present score of an ad.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredScore {
    /// Score between 0 and 1.
    pub score: f64,
    /// Whether it was a lead.
    pub flagged: bool,
    /// Risk band.
    pub risk: Risk,
    /// Scorer and version.
    pub scorer: ScorerInfo,
    /// When.
    pub scored_at: Millis,
    /// Flags with evidence, entities, salaries, pay and reasons.
    pub result: serde_json::Value,
}

/// Everything stored about one ad.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredAd {
    /// The ad as first recorded.
    pub ad: Ad,
    /// Language, when known.
    pub language: Option<String>,
    /// Country the ad targets, when known.
    pub country: Option<String>,
    /// First seen anywhere.
    pub first_seen: Millis,
    /// Last seen anywhere.
    pub last_seen: Millis,
    /// Every URL it was seen at.
    pub sightings: Vec<Sighting>,
    /// Scores, newest first.
    pub scores: Vec<StoredScore>,
    /// Feed position, if it was ever flagged.
    pub seq: Option<i64>,
}

/// Ads, their sightings and their scores.
pub trait AdStore: Send + Sync {
    /// Writes ads, sightings and scores in one transaction.
    fn write_ads(&self, writes: &[AdWrite]) -> Result<WriteReport, StoreError>;

    /// Flagged ads matching a query, in page order.
    fn flagged(&self, query: &FlaggedQuery) -> Result<Vec<FlaggedAd>, StoreError>;

    /// One ad with its sightings and score history, if it exists and the scope admits it.
    fn ad(&self, id: &str, scope: &Scope) -> Result<Option<StoredAd>, StoreError>;

    /// SimHashes of stored ads, for rebuilding the near-duplicate index.
    fn simhashes(&self) -> Result<Vec<(String, u64)>, StoreError>;

    /// Number of stored ads and of currently flagged ones.
    fn counts(&self) -> Result<(u64, u64), StoreError>;

    /// Whether the store can be read (a cheap query, for health checks).
    fn health(&self) -> Result<(), StoreError>;
}

/// What a frontier entry is expected to be, which decides how it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageKind {
    /// A seed or a link: read by whatever extractor recognises it.
    Page,
    /// A sitemap or sitemap index.
    Sitemap,
    /// An RSS or Atom feed.
    Feed,
}

impl PageKind {
    /// Its stored name.
    pub fn name(self) -> &'static str {
        match self {
            PageKind::Page => "page",
            PageKind::Sitemap => "sitemap",
            PageKind::Feed => "feed",
        }
    }

    /// The kind with this stored name.
    pub fn from_name(name: &str) -> Option<PageKind> {
        match name {
            "page" => Some(PageKind::Page),
            "sitemap" => Some(PageKind::Sitemap),
            "feed" => Some(PageKind::Feed),
            _ => None,
        }
    }
}

/// A URL waiting to be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedUrl {
    /// The canonical URL.
    pub url: String,
    /// Its host (the politeness key).
    pub host: String,
    /// What it is expected to be.
    pub kind: PageKind,
    /// Links followed from a seed to reach it (seeds are 0).
    pub depth: u32,
    /// Not before this time.
    pub next_fetch_at: Millis,
    /// Fetches tried so far.
    pub attempts: u32,
    /// The page it was found on.
    pub parent: Option<String>,
    /// `ETag` of the last fetch, for a conditional request.
    pub etag: Option<String>,
    /// `Last-Modified` of the last fetch.
    pub last_modified: Option<String>,
    /// `lastmod` from the sitemap that listed it.
    pub lastmod: Option<String>,
}

impl QueuedUrl {
    /// A URL found for the first time: no attempts, no validators, due at `now`.
    pub fn new(url: String, host: String, kind: PageKind, depth: u32, now: Millis) -> QueuedUrl {
        QueuedUrl {
            url,
            host,
            kind,
            depth,
            next_fetch_at: now,
            attempts: 0,
            parent: None,
            etag: None,
            last_modified: None,
            lastmod: None,
        }
    }
}

/// How a fetch of a frontier URL ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageState {
    /// Fetched and read; nothing more to do in this run.
    Done,
    /// Not fetched by choice (robots.txt, a limit, not modified).
    Skipped(String),
    /// Failed for good, with the reason.
    Failed(String),
    /// Failed for now: try again at this time.
    Retry {
        /// When.
        at: Millis,
        /// Why.
        reason: String,
    },
}

/// The outcome of one frontier URL, written with everything found on it.
#[derive(Debug, Clone)]
pub struct PageOutcome {
    /// The URL, as queued.
    pub url: String,
    /// How it ended.
    pub state: PageState,
    /// HTTP status, if there was a response.
    pub status: Option<u16>,
    /// Validators for the next conditional request.
    pub etag: Option<String>,
    /// See `etag`.
    pub last_modified: Option<String>,
    /// When it was fetched.
    pub fetched_at: Millis,
    /// The server said the page has not changed (304): the ads seen at this URL before are
    /// still there, and count as seen by this run.
    pub unchanged: bool,
    /// Links to queue (already canonical and filtered by the caller).
    pub discovered: Vec<QueuedUrl>,
    /// Ads found on it.
    pub ads: Vec<AdWrite>,
}

impl PageOutcome {
    /// An outcome with nothing found: no response details, ads or links yet.
    pub fn new(url: String, state: PageState, fetched_at: Millis) -> PageOutcome {
        PageOutcome {
            url,
            state,
            status: None,
            etag: None,
            last_modified: None,
            fetched_at,
            unchanged: false,
            discovered: Vec::new(),
            ads: Vec::new(),
        }
    }
}

/// The crawl frontier and crawl runs.
pub trait CrawlStore: Send + Sync {
    /// Resumes the unfinished run, or starts a new one. Returns its id and whether it resumed.
    fn begin_run(&self, now: Millis) -> Result<(i64, bool), StoreError>;

    /// Marks a run finished.
    fn finish_run(&self, run: i64, now: Millis) -> Result<(), StoreError>;

    /// Queues URLs for a run and returns those actually queued. A URL queued already stays as
    /// it is; one finished in this run is left alone (a resumed crawl never fetches it again);
    /// one finished or failed in an earlier run is queued again, keeping its validators for a
    /// conditional request, if it was fetched before `refetch_before` or failed, or if a newer
    /// sitemap `lastmod` says it changed (an unchanged `lastmod` keeps it from being fetched).
    fn enqueue(
        &self,
        run: i64,
        urls: &[QueuedUrl],
        refetch_before: Millis,
    ) -> Result<Vec<String>, StoreError>;

    /// Every queued URL.
    fn queued(&self) -> Result<Vec<QueuedUrl>, StoreError>;

    /// Records how a URL ended, with its ads, in one transaction, and queues the links found on
    /// it as [`CrawlStore::enqueue`] does (the report lists those queued).
    fn complete(
        &self,
        run: i64,
        outcome: &PageOutcome,
        refetch_before: Millis,
    ) -> Result<WriteReport, StoreError>;

    /// Pages fetched per host in a run so far (finished, failed or waiting for a retry), for
    /// applying the run's page limits after a resume.
    fn fetched_per_host(&self, run: i64) -> Result<Vec<(String, u64)>, StoreError>;

    /// Ids of the ads sighted in a run, in the order they were first sighted.
    fn run_ads(&self, run: i64) -> Result<Vec<String>, StoreError>;

    /// Counts of frontier URLs per state, for a run.
    fn frontier_counts(&self, run: i64) -> Result<Vec<(String, u64)>, StoreError>;
}

/// Every part of the store.
pub trait Store:
    AdStore + FeedStore + CrawlStore + PartnerStore + ReviewStore + DeliveryStore + AuditStore
{
}

impl<T> Store for T where
    T: AdStore + FeedStore + CrawlStore + PartnerStore + ReviewStore + DeliveryStore + AuditStore
{
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(languages: &[&str], countries: &[&str]) -> Scope {
        Scope {
            languages: languages.iter().map(|s| s.to_string()).collect(),
            countries: countries.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn scopes_intersect_by_primary_language_and_country() {
        let partner = scope(&["th", "pt"], &[]);
        assert_eq!(
            partner.intersect(&scope(&["pt-BR"], &["br"])),
            Some(scope(&["pt-BR"], &["br"]))
        );
        assert_eq!(partner.intersect(&Scope::default()), Some(partner.clone()));
        assert_eq!(Scope::default().intersect(&partner), Some(partner.clone()));
        assert_eq!(partner.intersect(&scope(&["vi"], &[])), None);
        assert_eq!(
            scope(&[], &["KH"]).intersect(&scope(&[], &["MM"])),
            None,
            "no country in both"
        );
        assert!(scope(&["pt"], &[]).admits(Some("pt-BR"), None));
    }

    #[test]
    fn language_tags_and_country_codes_are_checked() {
        assert_eq!(language_tag("pt-BR").as_deref(), Some("pt-BR"));
        assert_eq!(language_tag("zh_Hant").as_deref(), Some("zh_Hant"));
        for bad in ["", "p", "port", "1x", "pt-", "pt-toolongsubtag"] {
            assert_eq!(language_tag(bad), None, "{bad}");
        }
        assert_eq!(country_code("kh").as_deref(), Some("KH"));
        assert_eq!(country_code("KHM"), None);
    }
}
