//! What a crawl did: counts per host and per status, for the final summary.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// Counts for one host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HostReport {
    /// Pages fetched (any response, robots.txt not counted).
    pub pages: u64,
    /// Ads found on its pages (duplicates included).
    pub ads: u64,
    /// Responses per HTTP status.
    pub statuses: BTreeMap<u16, u64>,
    /// Failures per kind (`timeout`, `private-address`, `robots`, ...).
    pub errors: BTreeMap<String, u64>,
    /// URLs skipped (robots.txt, noindex, limits).
    pub skipped: u64,
}

/// Counts for a whole crawl.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CrawlReport {
    /// The run's number in the store.
    pub run: i64,
    /// Whether an interrupted run was resumed.
    pub resumed: bool,
    /// Whether the crawl stopped early (Ctrl-C); running again resumes it.
    pub interrupted: bool,
    /// Pages fetched.
    pub pages: u64,
    /// Ads found (duplicates included).
    pub ads_found: u64,
    /// Ads new to the store.
    pub new_ads: u64,
    /// Ads recognised as a (near-)duplicate of one seen before.
    pub duplicates: u64,
    /// Ads flagged for review (with scoring on).
    pub flagged: u64,
    /// URLs still queued when the crawl stopped (limits reached or interrupted).
    pub left_queued: u64,
    /// Per host.
    pub hosts: BTreeMap<String, HostReport>,
}

impl CrawlReport {
    /// Failures, all hosts together.
    pub fn errors(&self) -> u64 {
        self.hosts.values().flat_map(|h| h.errors.values()).sum()
    }

    pub(super) fn host(&mut self, host: &str) -> &mut HostReport {
        self.hosts.entry(host.to_string()).or_default()
    }
}

impl fmt::Display for CrawlReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Crawl run {}{}: {} pages fetched, {} ads found ({} new, {} duplicates), {} flagged for review, {} errors.",
            self.run,
            if self.resumed { " (resumed)" } else { "" },
            self.pages,
            self.ads_found,
            self.new_ads,
            self.duplicates,
            self.flagged,
            self.errors()
        )?;
        for (host, report) in &self.hosts {
            let statuses: Vec<String> = report
                .statuses
                .iter()
                .map(|(status, n)| format!("{status}×{n}"))
                .collect();
            let errors: Vec<String> = report
                .errors
                .iter()
                .map(|(kind, n)| format!("{kind}×{n}"))
                .collect();
            writeln!(
                f,
                "  {host}: {} pages, {} ads, {} skipped; status {}; errors {}",
                report.pages,
                report.ads,
                report.skipped,
                if statuses.is_empty() {
                    "-".into()
                } else {
                    statuses.join(" ")
                },
                if errors.is_empty() {
                    "none".into()
                } else {
                    errors.join(" ")
                },
            )?;
        }
        if self.interrupted || self.left_queued > 0 {
            writeln!(
                f,
                "{} URLs are still queued; run the same command again to go on.",
                self.left_queued
            )?;
        }
        Ok(())
    }
}
