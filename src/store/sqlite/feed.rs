//! Feed reads in SQLite: one flagged ad by id, and the URLs and latest results of a page of ads.

use std::collections::HashMap;

use rusqlite::OptionalExtension;
use rusqlite::types::Value as SqlValue;

use super::SqliteStore;
use super::ads::{FLAGGED_SELECT, RawFlagged, scope_sql};
use crate::store::feed::{FeedDetails, FeedStore};
use crate::store::{FlaggedAd, Scope, StoreError};

/// Most ids looked up in one statement (SQLite allows 32766 parameters).
const IDS_PER_STATEMENT: usize = 500;

impl FeedStore for SqliteStore {
    fn flagged_ad(&self, id: &str, scope: &Scope) -> Result<Option<FlaggedAd>, StoreError> {
        let mut sql = format!("{FLAGGED_SELECT} AND id = ?");
        let mut values = vec![SqlValue::Text(id.to_string())];
        scope_sql(scope, &mut sql, &mut values);
        self.read(|conn| {
            let raw = conn
                .query_row(
                    &sql,
                    rusqlite::params_from_iter(values),
                    RawFlagged::from_row,
                )
                .optional()
                .map_err(|e| self.err(e))?;
            raw.map(|raw| raw.into_flagged(self)).transpose()
        })
    }

    fn feed_details(&self, ids: &[String]) -> Result<HashMap<String, FeedDetails>, StoreError> {
        let mut details: HashMap<String, FeedDetails> = HashMap::with_capacity(ids.len());
        self.read(|conn| {
            for chunk in ids.chunks(IDS_PER_STATEMENT) {
                let marks = vec!["?"; chunk.len()].join(", ");
                let mut statement = conn
                    .prepare(&format!(
                        "SELECT a.id, s.result FROM ads a LEFT JOIN scores s ON s.id = a.score_id
                         WHERE a.id IN ({marks})"
                    ))
                    .map_err(|e| self.err(e))?;
                let rows = statement
                    .query_map(rusqlite::params_from_iter(chunk), |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
                    })
                    .map_err(|e| self.err(e))?;
                for row in rows {
                    let (id, result) = row.map_err(|e| self.err(e))?;
                    let result = match result {
                        Some(text) => Some(
                            serde_json::from_str(&text)
                                .map_err(|e| self.corrupt(format!("score of ad {id}"), e))?,
                        ),
                        None => None,
                    };
                    details.insert(
                        id,
                        FeedDetails {
                            urls: Vec::new(),
                            result,
                        },
                    );
                }
                let mut statement = conn
                    .prepare(&format!(
                        "SELECT ad_id, url FROM ad_urls WHERE ad_id IN ({marks})
                         ORDER BY ad_id, first_seen, url"
                    ))
                    .map_err(|e| self.err(e))?;
                let rows = statement
                    .query_map(rusqlite::params_from_iter(chunk), |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                    })
                    .map_err(|e| self.err(e))?;
                for row in rows {
                    let (id, url) = row.map_err(|e| self.err(e))?;
                    if let Some(entry) = details.get_mut(&id) {
                        entry.urls.push(url);
                    }
                }
            }
            Ok(details)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ad::Ad;
    use crate::classify::Classifier;
    use crate::store::{AdStore, AdWrite};

    const LURE: &str = "Customer service in Sihanoukville, Cambodia. No experience, salary \
        $2500/month, free flight and visa. Passport is kept by the company. Telegram @hr_fast_job";

    fn write(store: &SqliteStore, id: &str, text: &str, url: &str, language: &str) {
        let classifier = Classifier::embedded_rules().unwrap();
        let scored = classifier.classify(Ad {
            id: id.into(),
            text: text.into(),
            url: Some(url.into()),
            language: Some(language.into()),
            ..Ad::default()
        });
        store.write_ads(&[AdWrite::scored(&scored, 1_000)]).unwrap();
    }

    #[test]
    fn a_flagged_ad_is_found_by_id_within_scope_with_all_its_urls() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
        write(&store, "a", LURE, "https://one.example/a", "en");
        write(&store, "a", LURE, "https://two.example/a", "en");
        write(
            &store,
            "ok",
            "Barista in Lisbon, contract.",
            "https://b.example",
            "en",
        );

        let found = store.flagged_ad("a", &Scope::default()).unwrap().unwrap();
        assert_eq!(found.ad.id, "a");
        assert!(found.flag_ids.iter().any(|f| f == "passport_handover"));
        let thai = Scope {
            languages: vec!["th".into()],
            countries: vec![],
        };
        assert!(store.flagged_ad("a", &thai).unwrap().is_none());
        assert!(store.flagged_ad("ok", &Scope::default()).unwrap().is_none());
        assert!(
            store
                .flagged_ad("nope", &Scope::default())
                .unwrap()
                .is_none()
        );

        let details = store
            .feed_details(&["a".into(), "ok".into(), "nope".into()])
            .unwrap();
        assert_eq!(
            details["a"].urls,
            ["https://one.example/a", "https://two.example/a"]
        );
        let flags = details["a"].result.as_ref().unwrap()["flags"]
            .as_array()
            .unwrap();
        assert!(flags.iter().any(|f| f["id"] == "passport_handover"));
        assert!(details.contains_key("ok"));
        assert!(!details.contains_key("nope"));
    }
}
