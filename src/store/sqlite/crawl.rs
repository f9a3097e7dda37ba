//! The crawl frontier and crawl runs in SQLite.

use rusqlite::{OptionalExtension, Transaction, params};

use super::SqliteStore;
use super::ads::write_ad;
use crate::store::{
    CrawlStore, Millis, PageKind, PageOutcome, PageState, QueuedUrl, StoreError, WriteReport,
};

impl CrawlStore for SqliteStore {
    fn begin_run(&self, now: Millis) -> Result<(i64, bool), StoreError> {
        self.write(|tx| {
            let open: Option<i64> = tx
                .query_row(
                    "SELECT id FROM crawl_runs WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| self.err(e))?;
            if let Some(run) = open {
                return Ok((run, true));
            }
            let run = tx
                .query_row(
                    "INSERT INTO crawl_runs (started_at) VALUES (?1) RETURNING id",
                    [now],
                    |r| r.get(0),
                )
                .map_err(|e| self.err(e))?;
            Ok((run, false))
        })
    }

    fn finish_run(&self, run: i64, now: Millis) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE crawl_runs SET finished_at = ?2 WHERE id = ?1",
                params![run, now],
            )
            .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    fn enqueue(
        &self,
        run: i64,
        urls: &[QueuedUrl],
        refetch_before: Millis,
    ) -> Result<Vec<String>, StoreError> {
        self.write(|tx| {
            let mut queued = Vec::new();
            for url in urls {
                if enqueue_one(tx, run, url, refetch_before).map_err(|e| self.err(e))? {
                    queued.push(url.url.clone());
                }
            }
            Ok(queued)
        })
    }

    fn queued(&self) -> Result<Vec<QueuedUrl>, StoreError> {
        self.read(|conn| {
            let mut statement = conn
                .prepare(
                    "SELECT url, host, kind, depth, next_fetch_at, attempts, parent, etag,
                            last_modified, lastmod
                     FROM frontier WHERE state = 'queued' ORDER BY depth, next_fetch_at, url",
                )
                .map_err(|e| self.err(e))?;
            let rows = statement
                .query_map([], |r| {
                    let kind: String = r.get(2)?;
                    Ok((
                        kind,
                        QueuedUrl {
                            url: r.get(0)?,
                            host: r.get(1)?,
                            kind: PageKind::Page,
                            depth: r.get(3)?,
                            next_fetch_at: r.get(4)?,
                            attempts: r.get(5)?,
                            parent: r.get(6)?,
                            etag: r.get(7)?,
                            last_modified: r.get(8)?,
                            lastmod: r.get(9)?,
                        },
                    ))
                })
                .map_err(|e| self.err(e))?;
            let mut queued = Vec::new();
            for row in rows {
                let (kind, mut url) = row.map_err(|e| self.err(e))?;
                url.kind = PageKind::from_name(&kind)
                    .ok_or_else(|| self.corrupt(format!("frontier entry {}", url.url), kind))?;
                queued.push(url);
            }
            Ok(queued)
        })
    }

    fn complete(
        &self,
        run: i64,
        outcome: &PageOutcome,
        refetch_before: Millis,
    ) -> Result<WriteReport, StoreError> {
        self.write(|tx| {
            let (state, next, error) = match &outcome.state {
                PageState::Done => ("done", outcome.fetched_at, None),
                PageState::Skipped(why) => ("skipped", outcome.fetched_at, Some(why.as_str())),
                PageState::Failed(why) => ("failed", outcome.fetched_at, Some(why.as_str())),
                PageState::Retry { at, reason } => ("queued", *at, Some(reason.as_str())),
            };
            tx.execute(
                "UPDATE frontier SET state = ?2, next_fetch_at = ?3, attempts = attempts + 1,
                        etag = coalesce(?4, etag), last_modified = coalesce(?5, last_modified),
                        fetched_at = ?6, status = ?7, error = ?8, run_id = ?9
                 WHERE url = ?1",
                params![
                    outcome.url,
                    state,
                    next,
                    outcome.etag,
                    outcome.last_modified,
                    outcome.fetched_at,
                    outcome.status,
                    error,
                    run
                ],
            )
            .map_err(|e| self.err(e))?;
            let mut report = WriteReport::default();
            if outcome.unchanged {
                tx.execute(
                    "UPDATE ad_urls SET last_seen = max(last_seen, ?2) WHERE url = ?1",
                    params![outcome.url, outcome.fetched_at],
                )
                .map_err(|e| self.err(e))?;
                tx.execute(
                    "UPDATE ads SET last_seen = max(last_seen, ?2)
                     WHERE id IN (SELECT ad_id FROM ad_urls WHERE url = ?1)",
                    params![outcome.url, outcome.fetched_at],
                )
                .map_err(|e| self.err(e))?;
                let ids: Vec<String> = {
                    let mut statement = tx
                        .prepare_cached("SELECT ad_id FROM ad_urls WHERE url = ?1 ORDER BY ad_id")
                        .map_err(|e| self.err(e))?;
                    statement
                        .query_map([&outcome.url], |r| r.get(0))
                        .map_err(|e| self.err(e))?
                        .collect::<Result<_, _>>()
                        .map_err(|e| self.err(e))?
                };
                for id in ids {
                    add_run_ad(tx, run, &id).map_err(|e| self.err(e))?;
                }
            }
            for url in &outcome.discovered {
                if enqueue_one(tx, run, url, refetch_before).map_err(|e| self.err(e))? {
                    report.queued.push(url.url.clone());
                }
            }
            for write in &outcome.ads {
                write_ad(tx, write, &mut report).map_err(|e| self.err(e))?;
                add_run_ad(tx, run, &write.ad.id).map_err(|e| self.err(e))?;
            }
            Ok(report)
        })
    }

    fn fetched_per_host(&self, run: i64) -> Result<Vec<(String, u64)>, StoreError> {
        self.read(|conn| {
            let mut statement = conn
                .prepare(
                    "SELECT host, count(*) FROM frontier
                     WHERE run_id = ?1 AND attempts > 0 AND fetched_at IS NOT NULL
                     GROUP BY host ORDER BY host",
                )
                .map_err(|e| self.err(e))?;
            let counts = statement
                .query_map([run], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
                .map_err(|e| self.err(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.err(e))?;
            Ok(counts)
        })
    }

    fn run_ads(&self, run: i64) -> Result<Vec<String>, StoreError> {
        self.read(|conn| {
            let mut statement = conn
                .prepare("SELECT ad_id FROM run_ads WHERE run_id = ?1 ORDER BY seq")
                .map_err(|e| self.err(e))?;
            let ids = statement
                .query_map([run], |r| r.get(0))
                .map_err(|e| self.err(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.err(e))?;
            Ok(ids)
        })
    }

    fn frontier_counts(&self, run: i64) -> Result<Vec<(String, u64)>, StoreError> {
        self.read(|conn| {
            let mut statement = conn
                .prepare(
                    "SELECT state, count(*) FROM frontier WHERE run_id = ?1 GROUP BY state
                     ORDER BY state",
                )
                .map_err(|e| self.err(e))?;
            let counts = statement
                .query_map([run], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
                .map_err(|e| self.err(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.err(e))?;
            Ok(counts)
        })
    }
}

/// Records that a run saw an ad.
fn add_run_ad(tx: &Transaction<'_>, run: i64, ad_id: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO run_ads (run_id, ad_id, seq)
         VALUES (?1, ?2, (SELECT coalesce(max(seq), 0) + 1 FROM run_ads WHERE run_id = ?1))",
        params![run, ad_id],
    )?;
    Ok(())
}

/// Queues one URL (see [`CrawlStore::enqueue`]); returns whether it was queued.
fn enqueue_one(
    tx: &Transaction<'_>,
    run: i64,
    url: &QueuedUrl,
    refetch_before: Millis,
) -> rusqlite::Result<bool> {
    let inserted = tx.execute(
        "INSERT INTO frontier (url, host, kind, depth, state, next_fetch_at, run_id, parent, lastmod)
         VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?6, ?7, ?8) ON CONFLICT (url) DO NOTHING",
        params![
            url.url,
            url.host,
            url.kind.name(),
            url.depth,
            url.next_fetch_at,
            run,
            url.parent,
            url.lastmod
        ],
    )?;
    if inserted == 1 {
        return Ok(true);
    }
    let (state, run_of_row, fetched_at, lastmod): (String, i64, Option<Millis>, Option<String>) =
        tx.query_row(
            "SELECT state, run_id, fetched_at, lastmod FROM frontier WHERE url = ?1",
            [&url.url],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
    if state == "queued" {
        tx.execute(
            "UPDATE frontier SET depth = min(depth, ?2) WHERE url = ?1",
            params![url.url, url.depth],
        )?;
        return Ok(false);
    }
    if run_of_row == run {
        // Finished in this run: a resumed crawl never fetches it again.
        return Ok(false);
    }
    let changed = match (&url.lastmod, &lastmod) {
        // A failure of an earlier run is tried again.
        _ if state == "failed" => true,
        // The sitemap says when the page changed: trust it.
        (Some(new), Some(old)) => new > old,
        (Some(_), None) => true,
        (None, _) => fetched_at.is_none_or(|at| at < refetch_before),
    };
    if !changed {
        return Ok(false);
    }
    tx.execute(
        "UPDATE frontier SET state = 'queued', run_id = ?2, depth = ?3, next_fetch_at = ?4,
                attempts = 0, lastmod = coalesce(?5, lastmod), error = NULL
         WHERE url = ?1",
        params![url.url, run, url.depth, url.next_fetch_at, url.lastmod],
    )?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ad::Ad;
    use crate::store::{AdStore, AdWrite, Scope};

    fn queued(url: &str, lastmod: Option<&str>) -> QueuedUrl {
        QueuedUrl {
            url: url.into(),
            host: "board.example".into(),
            kind: PageKind::Page,
            depth: 0,
            next_fetch_at: 0,
            attempts: 0,
            parent: None,
            etag: None,
            last_modified: None,
            lastmod: lastmod.map(str::to_string),
        }
    }

    fn done(url: &str, at: Millis, ads: Vec<AdWrite>, discovered: Vec<QueuedUrl>) -> PageOutcome {
        PageOutcome {
            url: url.into(),
            state: PageState::Done,
            status: Some(200),
            etag: Some("\"v1\"".into()),
            last_modified: None,
            fetched_at: at,
            unchanged: false,
            discovered,
            ads,
        }
    }

    #[test]
    fn a_page_is_finished_with_its_ads_and_links_and_a_resumed_run_skips_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
        let (run, resumed) = store.begin_run(10).unwrap();
        assert!(!resumed);
        assert_eq!(
            store
                .enqueue(run, &[queued("https://b.example/", None)], 0)
                .unwrap(),
            ["https://b.example/"]
        );
        let ad = Ad {
            id: "lw-1".into(),
            text: "Typing job".into(),
            ..Ad::default()
        };
        let write = AdWrite {
            ad,
            seen: Some(("https://b.example/ad/1".into(), Some("b.example".into()))),
            at: 20,
            simhash: Some(u64::MAX),
            score: None,
        };
        let outcome = done(
            "https://b.example/",
            20,
            vec![write],
            vec![queued("https://b.example/ad/2", None)],
        );
        let report = store.complete(run, &outcome, 0).unwrap();
        assert_eq!(report.queued, ["https://b.example/ad/2"]);
        assert_eq!(report.new_ads, 1);
        let left: Vec<String> = store.queued().unwrap().into_iter().map(|q| q.url).collect();
        assert_eq!(left, ["https://b.example/ad/2"]);
        // Re-seeding in the same run does not queue the finished page again.
        assert!(
            store
                .enqueue(run, &[queued("https://b.example/", None)], 1_000)
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.begin_run(30).unwrap(), (run, true));
        assert_eq!(store.run_ads(run).unwrap(), ["lw-1"]);
        assert_eq!(store.simhashes().unwrap(), [("lw-1".to_string(), u64::MAX)]);
        assert!(store.ad("lw-1", &Scope::default()).unwrap().is_some());
    }

    #[test]
    fn a_new_run_refetches_old_pages_and_pages_whose_lastmod_moved() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
        let (run, _) = store.begin_run(0).unwrap();
        let urls = [
            queued("https://b.example/old", None),
            queued("https://b.example/same", Some("2026-01-01")),
            queued("https://b.example/moved", Some("2026-01-01")),
            queued("https://b.example/recent", None),
            queued("https://b.example/broken", None),
        ];
        store.enqueue(run, &urls, 0).unwrap();
        for url in &urls {
            let mut outcome = done(&url.url, 100, vec![], vec![]);
            if url.url.ends_with("recent") {
                outcome.fetched_at = 250;
            }
            if url.url.ends_with("broken") {
                outcome.state = PageState::Failed("HTTP 500".into());
            }
            store.complete(run, &outcome, 0).unwrap();
        }
        store.finish_run(run, 200).unwrap();
        let (next, resumed) = store.begin_run(300).unwrap();
        assert!(!resumed && next != run);
        let again = [
            queued("https://b.example/old", None),
            queued("https://b.example/same", Some("2026-01-01")),
            queued("https://b.example/moved", Some("2026-02-01")),
            queued("https://b.example/recent", None),
            queued("https://b.example/broken", None),
        ];
        assert_eq!(
            store.enqueue(next, &again, 150).unwrap(),
            [
                "https://b.example/old",
                "https://b.example/moved",
                "https://b.example/broken"
            ]
        );
        let queued: Vec<QueuedUrl> = store.queued().unwrap();
        let urls: Vec<&str> = queued.iter().map(|q| q.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://b.example/broken",
                "https://b.example/moved",
                "https://b.example/old"
            ]
        );
        assert!(
            queued.iter().all(|q| q.etag.as_deref() == Some("\"v1\"")),
            "validators kept"
        );
    }

    #[test]
    fn a_retry_stays_queued_with_its_time() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
        let (run, _) = store.begin_run(0).unwrap();
        store
            .enqueue(run, &[queued("https://b.example/", None)], 0)
            .unwrap();
        let mut outcome = done("https://b.example/", 5, vec![], vec![]);
        outcome.state = PageState::Retry {
            at: 9_000,
            reason: "HTTP 503".into(),
        };
        store.complete(run, &outcome, 0).unwrap();
        let queued = store.queued().unwrap();
        assert_eq!(queued[0].next_fetch_at, 9_000);
        assert_eq!(queued[0].attempts, 1);
        assert_eq!(
            store.frontier_counts(run).unwrap(),
            [("queued".to_string(), 1)]
        );
    }
}
