//! Stage 1 of the pipeline: crawl. Collects job ads from boards, channel pages, feeds and
//! sitemaps, politely and resumably (`lurewatch crawl`).
//!
//! [`engine`] runs the crawl: one queue and one [`politeness`] pacer per host, robots.txt first
//! ([`robots`], RFC 9309), fetches through [`fetch`] (redirects, size limits, charset detection,
//! and the [`address`] guard that keeps the crawler out of private networks, applied after DNS
//! resolution and on every redirect), and a frontier kept in the store so a killed crawl
//! resumes. [`extract`] reads each page with the first extractor that recognises it:
//! [`sitemap`], [`feed`] (RSS and Atom), [`jsonld`] (schema.org `JobPosting`), [`profile`]
//! (CSS selectors from the [`config`] file) and [`channel`] (`t.me/s/<channel>` pages).
//! [`canonical`] gives every URL one spelling and [`dedup`] recognises an ad re-posted with
//! small edits, so an ad seen on five sites is one ad with five URLs.

pub mod address;
pub mod canonical;
pub mod channel;
pub mod config;
pub mod dedup;
pub mod engine;
pub mod extract;
pub mod feed;
pub mod fetch;
pub mod jsonld;
pub mod politeness;
pub mod profile;
pub mod robots;
pub mod sitemap;
