//! Ads, sightings and scores in SQLite.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::{SqliteStore, next_counter};
use crate::ad::Ad;
use crate::classify::{Risk, ScorerInfo};
use crate::store::{
    AdStore, AdWrite, FeedPage, FlaggedAd, FlaggedQuery, Millis, Scope, Sighting, StoreError,
    StoredAd, StoredScore, WriteReport,
};

/// Name of the counter that numbers feed positions.
const FEED_COUNTER: &str = "feed";

/// Most ads one feed page returns, whatever the caller asks.
pub const MAX_PAGE: usize = 1000;

impl AdStore for SqliteStore {
    fn write_ads(&self, writes: &[AdWrite]) -> Result<WriteReport, StoreError> {
        self.write(|tx| {
            let mut report = WriteReport::default();
            for write in writes {
                write_ad(tx, write, &mut report).map_err(|e| self.err(e))?;
            }
            Ok(report)
        })
    }

    fn flagged(&self, query: &FlaggedQuery) -> Result<Vec<FlaggedAd>, StoreError> {
        let (sql, values) = flagged_sql(query);
        self.read(|conn| {
            let mut statement = conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
            let rows = statement
                .query_map(rusqlite::params_from_iter(values), RawFlagged::from_row)
                .map_err(|e| self.err(e))?;
            let mut ads = Vec::new();
            for row in rows {
                let raw = row.map_err(|e| self.err(e))?;
                ads.push(raw.into_flagged(self)?);
            }
            Ok(ads)
        })
    }

    fn ad(&self, id: &str, scope: &Scope) -> Result<Option<StoredAd>, StoreError> {
        self.read(|conn| read_ad(self, conn, id, scope))
    }

    fn simhashes(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.read(|conn| {
            let mut statement = conn
                .prepare("SELECT id, simhash FROM ads WHERE simhash IS NOT NULL")
                .map_err(|e| self.err(e))?;
            let rows = statement
                .query_map([], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
                })
                .map_err(|e| self.err(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
        })
    }

    fn counts(&self) -> Result<(u64, u64), StoreError> {
        self.read(|conn| {
            // Both counts read an index, not the table: the flagged ads are exactly those in
            // the feed index whose latest score is flagged.
            conn.query_row(
                "SELECT (SELECT count(*) FROM ads),
                        (SELECT count(*) FROM ads WHERE flag_seq IS NOT NULL AND flagged = 1)",
                [],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
            )
            .map_err(|e| self.err(e))
        })
    }

    fn health(&self) -> Result<(), StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT count(*) FROM (SELECT 1 FROM ads LIMIT 1)",
                [],
                |_| Ok(()),
            )
            .map_err(|e| self.err(e))
        })
    }
}

/// The country an ad targets: its own `country` field if it has one, else the region its
/// language or script suggests.
pub fn ad_country(ad: &Ad) -> Option<String> {
    if let Some(serde_json::Value::String(country)) = ad.extra.get("country") {
        let country = country.trim();
        if country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic()) {
            return Some(country.to_ascii_uppercase());
        }
    }
    crate::features::signals::region_hint(ad).map(str::to_string)
}

pub(super) fn write_ad(
    tx: &Transaction<'_>,
    write: &AdWrite,
    report: &mut WriteReport,
) -> rusqlite::Result<()> {
    let ad = &write.ad;
    let record = serde_json::to_string(ad).map_err(|e| {
        rusqlite::Error::ToSqlConversionFailure(Box::new(e)) // an Ad always serialises
    })?;
    // One spelling of language tags (`zh_Hant` is `zh-Hant`), so SQL and scope checks agree.
    let language = ad.language.as_ref().map(|l| l.trim().replace('_', "-"));
    let inserted = tx.execute(
        "INSERT INTO ads (id, record, language, country, simhash, first_seen, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (id) DO NOTHING",
        params![
            ad.id,
            record,
            language,
            ad_country(ad),
            write.simhash.map(|h| h as i64),
            write.at
        ],
    )?;
    if inserted == 1 {
        report.new_ads += 1;
    } else {
        tx.execute(
            "UPDATE ads SET last_seen = max(last_seen, ?2), simhash = coalesce(simhash, ?3)
             WHERE id = ?1",
            params![ad.id, write.at, write.simhash.map(|h| h as i64)],
        )?;
        if write.score.is_some() {
            // A score belongs to the text it was computed on: if an input reuses an id for other
            // wording, the record is replaced, so flags and evidence offsets match the text
            // shown. (Near-duplicates found by the crawler carry no score and keep the first
            // wording.)
            let stored: String =
                tx.query_row("SELECT record FROM ads WHERE id = ?1", [&ad.id], |r| {
                    r.get(0)
                })?;
            let same = serde_json::from_str::<Ad>(&stored).is_ok_and(|old| {
                old.title == ad.title && old.text == ad.text && old.contact == ad.contact
            });
            if !same {
                tx.execute(
                    "UPDATE ads SET record = ?2, language = ?3, country = ?4 WHERE id = ?1",
                    params![ad.id, record, language, ad_country(ad)],
                )?;
            }
        }
    }
    if let Some((url, source)) = &write.seen {
        let inserted = tx.execute(
            "INSERT INTO ad_urls (ad_id, url, source, first_seen, last_seen)
             VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (ad_id, url) DO NOTHING",
            params![ad.id, url, source, write.at],
        )?;
        if inserted == 1 {
            report.new_sightings += 1;
        } else {
            tx.execute(
                "UPDATE ad_urls SET last_seen = max(last_seen, ?3) WHERE ad_id = ?1 AND url = ?2",
                params![ad.id, url, write.at],
            )?;
        }
    }
    if let Some(score) = &write.score {
        let was_flagged: bool =
            tx.query_row("SELECT flagged FROM ads WHERE id = ?1", [&ad.id], |r| {
                r.get(0)
            })?;
        let score_id: i64 = tx.query_row(
            "INSERT INTO scores (ad_id, scorer, version, score, flagged, risk, result, scored_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
            params![
                ad.id,
                score.scorer.name,
                score.scorer.version,
                score.score,
                score.flagged,
                score.risk.to_string(),
                score.result.to_string(),
                write.at
            ],
            |r| r.get(0),
        )?;
        report.scores += 1;
        tx.execute(
            "UPDATE ads SET score_id = ?2, score = ?3, flagged = ?4, risk = ?5, scorer_version = ?6
             WHERE id = ?1",
            params![
                ad.id,
                score_id,
                score.score,
                score.flagged,
                score.risk.to_string(),
                score.scorer.version
            ],
        )?;
        tx.execute("DELETE FROM ad_flags WHERE ad_id = ?1", [&ad.id])?;
        for flag in &score.flag_ids {
            tx.execute(
                "INSERT OR IGNORE INTO ad_flags (ad_id, flag_id) VALUES (?1, ?2)",
                params![ad.id, flag],
            )?;
        }
        tx.execute("DELETE FROM entities WHERE ad_id = ?1", [&ad.id])?;
        for (kind, value) in &score.entities {
            tx.execute(
                "INSERT OR IGNORE INTO entities (ad_id, kind, value) VALUES (?1, ?2, ?3)",
                params![ad.id, kind, value],
            )?;
        }
        if score.flagged && !was_flagged {
            // Flagged now and not before (first time, or again after a score that cleared it):
            // a new feed position, so pollers and webhooks hear of it.
            let seq = next_counter(tx, FEED_COUNTER)?;
            tx.execute(
                "UPDATE ads SET flag_seq = ?2, flagged_at = ?3 WHERE id = ?1",
                params![ad.id, seq, write.at],
            )?;
            queue_deliveries(tx, &ad.id, write.at)?;
            report.newly_flagged.push((ad.id.clone(), seq));
        }
    }
    Ok(())
}

/// Queues a webhook delivery of a newly flagged ad for every active webhook whose partner's
/// scope admits it. Done in the flagging transaction, so no delivery is ever lost.
fn queue_deliveries(tx: &Transaction<'_>, ad_id: &str, at: Millis) -> rusqlite::Result<()> {
    let (language, country): (Option<String>, Option<String>) = tx.query_row(
        "SELECT language, country FROM ads WHERE id = ?1",
        [ad_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut statement = tx.prepare_cached(
        "SELECT w.id, p.scope FROM webhooks w JOIN partners p ON p.id = w.partner_id
         WHERE w.active = 1 AND p.revoked_at IS NULL",
    )?;
    let hooks: Vec<(i64, String)> = statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (hook, scope) in hooks {
        let scope: Scope = serde_json::from_str(&scope).unwrap_or(Scope {
            // An unreadable scope admits nothing rather than everything.
            languages: vec!["-".into()],
            countries: vec!["-".into()],
        });
        if scope.admits(language.as_deref(), country.as_deref()) {
            tx.execute(
                "INSERT OR IGNORE INTO deliveries
                 (webhook_id, ad_id, state, next_attempt_at, created_at)
                 VALUES (?1, ?2, 'pending', ?3, ?3)",
                params![hook, ad_id, at],
            )?;
        }
    }
    Ok(())
}

/// SQL conditions restricting `ads` to a scope, appended to `sql` with their values.
pub(crate) fn scope_sql(scope: &Scope, sql: &mut String, values: &mut Vec<SqlValue>) {
    if !scope.languages.is_empty() {
        let alternatives: Vec<String> = scope
            .languages
            .iter()
            .map(|language| {
                let primary = crate::store::primary_language(language).to_ascii_lowercase();
                values.push(SqlValue::Text(primary.clone()));
                values.push(SqlValue::Text(format!("{primary}-%")));
                "(lower(language) = ? OR language LIKE ?)".to_string()
            })
            .collect();
        sql.push_str(&format!(" AND ({})", alternatives.join(" OR ")));
    }
    if !scope.countries.is_empty() {
        let marks: Vec<&str> = scope
            .countries
            .iter()
            .map(|c| {
                values.push(SqlValue::Text(c.to_ascii_uppercase()));
                "?"
            })
            .collect();
        sql.push_str(&format!(" AND country IN ({})", marks.join(", ")));
    }
}

/// The columns [`RawFlagged::from_row`] reads, from `ads`, for currently flagged ads.
pub(super) const FLAGGED_SELECT: &str =
    "SELECT flag_seq, record, score, risk, scorer_version, country, flagged_at, first_seen,
            last_seen, (SELECT group_concat(flag_id, ' ') FROM ad_flags f WHERE f.ad_id = ads.id)
     FROM ads WHERE flagged = 1 AND flag_seq IS NOT NULL";

fn flagged_sql(query: &FlaggedQuery) -> (String, Vec<SqlValue>) {
    let mut sql = String::from(FLAGGED_SELECT);
    let mut values = Vec::new();
    scope_sql(&query.scope, &mut sql, &mut values);
    if let Some(min) = query.min_score {
        sql.push_str(" AND score >= ?");
        values.push(SqlValue::Real(min));
    }
    if let Some(language) = &query.language {
        let primary = crate::store::primary_language(language).to_ascii_lowercase();
        sql.push_str(" AND (lower(language) = ? OR language LIKE ?)");
        values.push(SqlValue::Text(primary.clone()));
        values.push(SqlValue::Text(format!("{primary}-%")));
    }
    if let Some(country) = &query.country {
        sql.push_str(" AND country = ?");
        values.push(SqlValue::Text(country.to_ascii_uppercase()));
    }
    if let Some(flag) = &query.flag {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM ad_flags f WHERE f.ad_id = ads.id AND f.flag_id = ?)",
        );
        values.push(SqlValue::Text(flag.clone()));
    }
    if let Some(from) = query.from {
        sql.push_str(" AND flagged_at >= ?");
        values.push(SqlValue::Integer(from));
    }
    if let Some(to) = query.to {
        sql.push_str(" AND flagged_at < ?");
        values.push(SqlValue::Integer(to));
    }
    let limit = match query.page {
        FeedPage::Newest { before, limit } => {
            if let Some(before) = before {
                sql.push_str(" AND flag_seq < ?");
                values.push(SqlValue::Integer(before));
            }
            sql.push_str(" ORDER BY flag_seq DESC");
            limit
        }
        FeedPage::Since { after, limit } => {
            sql.push_str(" AND flag_seq > ? ORDER BY flag_seq ASC");
            values.push(SqlValue::Integer(after));
            limit
        }
    };
    sql.push_str(" LIMIT ?");
    values.push(SqlValue::Integer(limit.clamp(1, MAX_PAGE) as i64));
    (sql, values)
}

/// A feed row as read, before its JSON is parsed.
pub(super) struct RawFlagged {
    seq: i64,
    record: String,
    score: f64,
    risk: String,
    scorer_version: Option<String>,
    country: Option<String>,
    flagged_at: Millis,
    first_seen: Millis,
    last_seen: Millis,
    flags: Option<String>,
}

impl RawFlagged {
    pub(super) fn from_row(row: &Row<'_>) -> Result<RawFlagged, rusqlite::Error> {
        Ok(RawFlagged {
            seq: row.get(0)?,
            record: row.get(1)?,
            score: row.get(2)?,
            risk: row.get(3)?,
            scorer_version: row.get(4)?,
            country: row.get(5)?,
            flagged_at: row.get(6)?,
            first_seen: row.get(7)?,
            last_seen: row.get(8)?,
            flags: row.get(9)?,
        })
    }

    pub(super) fn into_flagged(self, store: &SqliteStore) -> Result<FlaggedAd, StoreError> {
        let ad: Ad = serde_json::from_str(&self.record)
            .map_err(|e| store.corrupt(format!("ad at feed position {}", self.seq), e))?;
        let mut flag_ids: Vec<String> = self
            .flags
            .unwrap_or_default()
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        flag_ids.sort();
        Ok(FlaggedAd {
            seq: self.seq,
            ad,
            score: self.score,
            risk: parse_risk(&self.risk),
            flag_ids,
            scorer_version: self.scorer_version.unwrap_or_default(),
            country: self.country,
            flagged_at: self.flagged_at,
            first_seen: self.first_seen,
            last_seen: self.last_seen,
        })
    }
}

fn parse_risk(risk: &str) -> Risk {
    match risk {
        "high" => Risk::High,
        "medium" => Risk::Medium,
        _ => Risk::Low,
    }
}

fn read_ad(
    store: &SqliteStore,
    conn: &Connection,
    id: &str,
    scope: &Scope,
) -> Result<Option<StoredAd>, StoreError> {
    type AdRow = (
        String,
        Option<String>,
        Option<String>,
        Millis,
        Millis,
        Option<i64>,
    );
    let row: Option<AdRow> = conn
        .query_row(
            "SELECT record, language, country, first_seen, last_seen, flag_seq FROM ads
             WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .optional()
        .map_err(|e| store.err(e))?;
    let Some((record, language, country, first_seen, last_seen, seq)) = row else {
        return Ok(None);
    };
    if !scope.admits(language.as_deref(), country.as_deref()) {
        return Ok(None);
    }
    let ad: Ad = serde_json::from_str(&record).map_err(|e| store.corrupt(format!("ad {id}"), e))?;
    let mut statement = conn
        .prepare_cached(
            "SELECT url, source, first_seen, last_seen FROM ad_urls WHERE ad_id = ?1
             ORDER BY first_seen, url",
        )
        .map_err(|e| store.err(e))?;
    let sightings = statement
        .query_map([id], |r| {
            Ok(Sighting {
                url: r.get(0)?,
                source: r.get(1)?,
                first_seen: r.get(2)?,
                last_seen: r.get(3)?,
            })
        })
        .map_err(|e| store.err(e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| store.err(e))?;
    let mut statement = conn
        .prepare_cached(
            "SELECT score, flagged, risk, scorer, version, scored_at, result FROM scores
             WHERE ad_id = ?1 ORDER BY id DESC",
        )
        .map_err(|e| store.err(e))?;
    let raw_scores = statement
        .query_map([id], |r| {
            Ok((
                r.get::<_, f64>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Millis>(5)?,
                r.get::<_, String>(6)?,
            ))
        })
        .map_err(|e| store.err(e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| store.err(e))?;
    let mut scores = Vec::with_capacity(raw_scores.len());
    for (score, flagged, risk, name, version, scored_at, result) in raw_scores {
        scores.push(StoredScore {
            score,
            flagged,
            risk: parse_risk(&risk),
            scorer: ScorerInfo { name, version },
            scored_at,
            result: serde_json::from_str(&result)
                .map_err(|e| store.corrupt(format!("score of ad {id}"), e))?,
        });
    }
    Ok(Some(StoredAd {
        ad,
        language,
        country,
        first_seen,
        last_seen,
        sightings,
        scores,
        seq,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use crate::store::AdWrite;

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
        (dir, store)
    }

    fn ad(id: &str, text: &str, language: &str) -> Ad {
        Ad {
            id: id.into(),
            text: text.into(),
            language: Some(language.into()),
            url: Some(format!("https://board.example/{id}")),
            ..Ad::default()
        }
    }

    const LURE: &str = "Customer service in Sihanoukville, Cambodia. No experience, salary \
        $2500/month, free flight and visa. Passport is kept by the company. Contact Telegram @hr_fast_job";

    #[test]
    fn scores_keep_their_history_and_feed_positions_are_assigned_once() {
        let (_dir, store) = store();
        let classifier = Classifier::embedded_rules().unwrap();
        let scored = classifier.classify(ad("a1", LURE, "en"));
        assert!(scored.flagged);
        let first = store.write_ads(&[AdWrite::scored(&scored, 1_000)]).unwrap();
        assert_eq!(first.new_ads, 1);
        assert_eq!(first.new_sightings, 1);
        assert_eq!(first.newly_flagged.len(), 1);
        let again = store.write_ads(&[AdWrite::scored(&scored, 2_000)]).unwrap();
        assert_eq!(again.new_ads, 0);
        assert!(
            again.newly_flagged.is_empty(),
            "still flagged: no new position"
        );
        let stored = store.ad("a1", &Scope::default()).unwrap().unwrap();
        assert_eq!(stored.scores.len(), 2, "re-scoring keeps the history");
        assert_eq!(stored.first_seen, 1_000);
        assert_eq!(stored.last_seen, 2_000);
        assert_eq!(stored.sightings.len(), 1);
        assert_eq!(stored.sightings[0].last_seen, 2_000);
        assert!(stored.scores[0].result["flags"].as_array().unwrap().len() > 1);
        assert_eq!(store.counts().unwrap(), (1, 1));
    }

    #[test]
    fn an_ad_flagged_again_gets_a_new_position_and_a_reused_id_gets_the_new_wording() {
        let (_dir, store) = store();
        let classifier = Classifier::embedded_rules().unwrap();
        let lure = classifier.classify(ad("x", LURE, "zh_Hant"));
        let first = store.write_ads(&[AdWrite::scored(&lure, 1)]).unwrap();
        let benign = classifier.classify(ad("x", "Barista wanted in Lisbon, contract.", "en"));
        store.write_ads(&[AdWrite::scored(&benign, 2)]).unwrap();
        let stored = store.ad("x", &Scope::default()).unwrap().unwrap();
        assert!(
            stored.ad.text.contains("Barista"),
            "the record matches its latest score"
        );
        assert!(store.flagged(&FlaggedQuery::default()).unwrap().is_empty());
        let again = store.write_ads(&[AdWrite::scored(&lure, 3)]).unwrap();
        assert_eq!(again.newly_flagged.len(), 1);
        assert!(
            again.newly_flagged[0].1 > first.newly_flagged[0].1,
            "a new feed position"
        );
        let stored = store.ad("x", &Scope::default()).unwrap().unwrap();
        assert_eq!(
            stored.language.as_deref(),
            Some("zh-Hant"),
            "one spelling of tags"
        );
        assert_eq!(stored.scores.len(), 3);
    }

    #[test]
    fn the_feed_filters_by_scope_language_flag_and_pages_by_cursor() {
        let (_dir, store) = store();
        let classifier = Classifier::embedded_rules().unwrap();
        let mut writes = Vec::new();
        for i in 0..10 {
            let language = if i % 2 == 0 { "en" } else { "pt-BR" };
            let scored = classifier.classify(ad(&format!("ad{i}"), LURE, language));
            writes.push(AdWrite::scored(&scored, 1_000 + i));
        }
        let benign = classifier.classify(ad("ok", "Barista wanted in Lisbon, contract.", "en"));
        writes.push(AdWrite::scored(&benign, 5_000));
        store.write_ads(&writes).unwrap();

        let all = store.flagged(&FlaggedQuery::default()).unwrap();
        assert_eq!(all.len(), 10);
        assert!(all.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
        assert!(
            all[0].flag_ids.iter().any(|f| f == "passport_handover"),
            "{:?}",
            all[0].flag_ids
        );

        let portuguese = FlaggedQuery {
            scope: Scope {
                languages: vec!["pt".into()],
                countries: vec![],
            },
            ..FlaggedQuery::default()
        };
        let seen = store.flagged(&portuguese).unwrap();
        assert_eq!(seen.len(), 5);
        assert!(
            seen.iter()
                .all(|a| a.ad.language.as_deref() == Some("pt-BR"))
        );
        assert!(
            store.ad("ad0", &portuguese.scope).unwrap().is_none(),
            "out of scope"
        );

        let mut cursor = None;
        let mut paged = Vec::new();
        loop {
            let page = store
                .flagged(&FlaggedQuery {
                    page: FeedPage::Newest {
                        before: cursor,
                        limit: 3,
                    },
                    ..FlaggedQuery::default()
                })
                .unwrap();
            let Some(last) = page.last() else { break };
            cursor = Some(last.seq);
            paged.extend(page.into_iter().map(|a| a.ad.id));
        }
        assert_eq!(
            paged,
            all.iter().map(|a| a.ad.id.clone()).collect::<Vec<_>>()
        );

        let since = store
            .flagged(&FlaggedQuery {
                page: FeedPage::Since {
                    after: all[3].seq,
                    limit: 100,
                },
                ..FlaggedQuery::default()
            })
            .unwrap();
        assert_eq!(since.len(), 3);
        let by_flag = store
            .flagged(&FlaggedQuery {
                flag: Some("no_such_flag".into()),
                ..FlaggedQuery::default()
            })
            .unwrap();
        assert!(by_flag.is_empty());
        let by_score = store
            .flagged(&FlaggedQuery {
                min_score: Some(1.01),
                ..FlaggedQuery::default()
            })
            .unwrap();
        assert!(by_score.is_empty());
    }
}
