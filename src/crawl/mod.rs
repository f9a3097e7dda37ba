//! Stage 1 of the pipeline: crawl. Collects job ads from boards, channel pages, feeds and
//! sitemaps.
//!
//! This stage is being built. What exists: [`canonical`] gives every page one URL spelling,
//! [`dedup`] recognises an ad re-posted with small edits, so an ad seen on five sites becomes one
//! ad with five URLs, [`jsonld`] extracts schema.org `JobPosting` records from a page, and
//! [`profile`] applies a board's CSS-selector profile to its listing and ad pages, and
//! [`channel`] reads public channel preview pages (`t.me/s/<channel>`), one ad per message;
//! [`robots`] applies robots.txt with RFC 9309 semantics; [`sitemap`] reads sitemaps and
//! sitemap indexes, gzip included, with a decompression limit; [`address`] tells public
//! addresses from private ones, for the guard that keeps the crawler out of private networks;
//! [`feed`] reads RSS and Atom job feeds, one ad per item or entry; [`politeness`] paces the
//! requests to one host (minimum delay, Crawl-delay, concurrency, adaptive throttling, backoff
//! and `Retry-After`) as pure logic for the fetcher to consult.
//! Fetching, the frontier and the `crawl` command come next.

pub mod address;
pub mod canonical;
pub mod channel;
pub mod dedup;
pub mod feed;
pub mod fetch;
pub mod jsonld;
pub mod politeness;
pub mod profile;
pub mod robots;
pub mod sitemap;
