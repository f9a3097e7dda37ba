//! Partners, reviews, webhooks, deliveries and the audit log in SQLite.

use rusqlite::{OptionalExtension, Row, params};

use super::SqliteStore;
use crate::ad::Ad;
use crate::store::partner::{
    AttemptResult, AuditEntry, AuditStore, Decision, DeliveryAttempt, DeliveryInfo, DeliveryStore,
    DueDelivery, Partner, PartnerStore, Review, ReviewStore, Webhook,
};
use crate::store::{Millis, Scope, StoreError};

const PARTNER_COLUMNS: &str = "id, name, scope, token_hint, created_at, revoked_at";

impl SqliteStore {
    fn partner_from_row(&self, row: &Row<'_>) -> rusqlite::Result<Result<Partner, StoreError>> {
        let name: String = row.get(1)?;
        let scope: String = row.get(2)?;
        let scope = match serde_json::from_str::<Scope>(&scope) {
            Ok(scope) => scope,
            Err(e) => return Ok(Err(self.corrupt(format!("scope of partner {name}"), e))),
        };
        Ok(Ok(Partner {
            id: row.get(0)?,
            name,
            scope,
            token_hint: row.get(3)?,
            created_at: row.get(4)?,
            revoked_at: row.get(5)?,
        }))
    }
}

impl PartnerStore for SqliteStore {
    fn add_partner(
        &self,
        name: &str,
        scope: &Scope,
        token_hash: &str,
        token_hint: &str,
        at: Millis,
    ) -> Result<Partner, StoreError> {
        let scope_json = serde_json::to_string(scope).unwrap_or_else(|_| "{}".into());
        self.write(|tx| {
            let taken: bool = tx
                .query_row("SELECT 1 FROM partners WHERE name = ?1", [name], |_| {
                    Ok(true)
                })
                .optional()
                .map_err(|e| self.err(e))?
                .unwrap_or(false);
            if taken {
                return Err(StoreError::Conflict(format!(
                    "a partner named `{name}` exists already"
                )));
            }
            let id: i64 = tx
                .query_row(
                    "INSERT INTO partners (name, token_hash, token_hint, scope, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                    params![name, token_hash, token_hint, scope_json, at],
                    |r| r.get(0),
                )
                .map_err(|e| self.err(e))?;
            Ok(Partner {
                id,
                name: name.to_string(),
                scope: scope.clone(),
                token_hint: token_hint.to_string(),
                created_at: at,
                revoked_at: None,
            })
        })
    }

    fn partners(&self) -> Result<Vec<Partner>, StoreError> {
        self.read(|conn| {
            let mut statement = conn
                .prepare(&format!(
                    "SELECT {PARTNER_COLUMNS} FROM partners ORDER BY id"
                ))
                .map_err(|e| self.err(e))?;
            let rows = statement
                .query_map([], |r| self.partner_from_row(r))
                .map_err(|e| self.err(e))?;
            let mut partners = Vec::new();
            for row in rows {
                partners.push(row.map_err(|e| self.err(e))??);
            }
            Ok(partners)
        })
    }

    fn revoke_partner(&self, name: &str, at: Millis) -> Result<Partner, StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE partners SET revoked_at = coalesce(revoked_at, ?2) WHERE name = ?1",
                params![name, at],
            )
            .map_err(|e| self.err(e))?;
            tx.execute(
                "UPDATE webhooks SET active = 0
                 WHERE partner_id = (SELECT id FROM partners WHERE name = ?1)",
                [name],
            )
            .map_err(|e| self.err(e))?;
            tx.query_row(
                &format!("SELECT {PARTNER_COLUMNS} FROM partners WHERE name = ?1"),
                [name],
                |r| self.partner_from_row(r),
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or_else(|| StoreError::NotFound(format!("partner `{name}`")))?
        })
    }

    fn partner_by_token_hash(&self, token_hash: &str) -> Result<Option<Partner>, StoreError> {
        self.read(|conn| {
            conn.query_row(
                &format!("SELECT {PARTNER_COLUMNS} FROM partners WHERE token_hash = ?1"),
                [token_hash],
                |r| self.partner_from_row(r),
            )
            .optional()
            .map_err(|e| self.err(e))?
            .transpose()
        })
    }
}

fn review_from_row(row: &Row<'_>) -> rusqlite::Result<Review> {
    let decision: String = row.get(3)?;
    Ok(Review {
        id: row.get(0)?,
        ad_id: row.get(1)?,
        partner_id: row.get(2)?,
        decision: Decision::from_name(&decision).unwrap_or(Decision::Dismissed),
        note: row.get(4)?,
        reviewed_at: row.get(5)?,
    })
}

const REVIEW_COLUMNS: &str = "id, ad_id, partner_id, decision, note, reviewed_at";

impl ReviewStore for SqliteStore {
    fn add_review(
        &self,
        ad_id: &str,
        partner_id: i64,
        decision: Decision,
        note: Option<&str>,
        at: Millis,
    ) -> Result<Review, StoreError> {
        self.write(|tx| {
            let exists = tx
                .query_row("SELECT 1 FROM ads WHERE id = ?1", [ad_id], |_| Ok(()))
                .optional()
                .map_err(|e| self.err(e))?
                .is_some();
            if !exists {
                return Err(StoreError::NotFound(format!("ad `{ad_id}`")));
            }
            tx.query_row(
                &format!(
                    "INSERT INTO reviews (ad_id, partner_id, decision, note, reviewed_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) RETURNING {REVIEW_COLUMNS}"
                ),
                params![ad_id, partner_id, decision.name(), note, at],
                review_from_row,
            )
            .map_err(|e| self.err(e))
        })
    }

    fn reviews_of(&self, ad_id: &str, partner_id: i64) -> Result<Vec<Review>, StoreError> {
        self.read(|conn| {
            let mut statement = conn
                .prepare_cached(&format!(
                    "SELECT {REVIEW_COLUMNS} FROM reviews WHERE ad_id = ?1 AND partner_id = ?2
                     ORDER BY id DESC"
                ))
                .map_err(|e| self.err(e))?;
            statement
                .query_map(params![ad_id, partner_id], review_from_row)
                .map_err(|e| self.err(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.err(e))
        })
    }

    fn latest_reviews(&self, partner_id: Option<i64>) -> Result<Vec<(Review, Ad)>, StoreError> {
        self.read(|conn| {
            let mut statement = conn
                .prepare(
                    "SELECT r.id, r.ad_id, r.partner_id, r.decision, r.note, r.reviewed_at, a.record
                     FROM reviews r JOIN ads a ON a.id = r.ad_id
                     WHERE r.id IN (SELECT max(id) FROM reviews
                                    WHERE ?1 IS NULL OR partner_id = ?1 GROUP BY ad_id)
                     ORDER BY r.id",
                )
                .map_err(|e| self.err(e))?;
            let rows = statement
                .query_map([partner_id], |r| {
                    Ok((review_from_row(r)?, r.get::<_, String>(6)?))
                })
                .map_err(|e| self.err(e))?;
            let mut reviews = Vec::new();
            for row in rows {
                let (review, record) = row.map_err(|e| self.err(e))?;
                let ad: Ad = serde_json::from_str(&record)
                    .map_err(|e| self.corrupt(format!("ad {}", review.ad_id), e))?;
                reviews.push((review, ad));
            }
            Ok(reviews)
        })
    }
}

const WEBHOOK_COLUMNS: &str = "id, partner_id, url, secret, created_at, active";

fn webhook_from_row(row: &Row<'_>) -> rusqlite::Result<Webhook> {
    Ok(Webhook {
        id: row.get(0)?,
        partner_id: row.get(1)?,
        url: row.get(2)?,
        secret: row.get(3)?,
        created_at: row.get(4)?,
        active: row.get(5)?,
    })
}

impl DeliveryStore for SqliteStore {
    fn add_webhook(
        &self,
        partner_id: i64,
        url: &str,
        secret: &str,
        at: Millis,
    ) -> Result<Webhook, StoreError> {
        self.write(|tx| {
            tx.query_row(
                &format!(
                    "INSERT INTO webhooks (partner_id, url, secret, created_at) VALUES (?1, ?2, ?3, ?4)
                     RETURNING {WEBHOOK_COLUMNS}"
                ),
                params![partner_id, url, secret, at],
                webhook_from_row,
            )
            .map_err(|e| self.err(e))
        })
    }

    fn webhooks(&self, partner_id: i64) -> Result<Vec<Webhook>, StoreError> {
        self.read(|conn| {
            let mut statement = conn
                .prepare_cached(&format!(
                    "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE partner_id = ?1 ORDER BY id"
                ))
                .map_err(|e| self.err(e))?;
            statement
                .query_map([partner_id], webhook_from_row)
                .map_err(|e| self.err(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.err(e))
        })
    }

    fn deactivate_webhook(&self, partner_id: i64, webhook_id: i64) -> Result<(), StoreError> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE webhooks SET active = 0 WHERE id = ?1 AND partner_id = ?2",
                    params![webhook_id, partner_id],
                )
                .map_err(|e| self.err(e))?;
            if changed == 0 {
                return Err(StoreError::NotFound(format!("webhook {webhook_id}")));
            }
            Ok(())
        })
    }

    fn due_deliveries(&self, now: Millis, limit: usize) -> Result<Vec<DueDelivery>, StoreError> {
        self.read(|conn| {
            let mut statement = conn
                .prepare_cached(
                    "SELECT d.id, d.ad_id, d.attempts, w.id, w.partner_id, w.url, w.secret,
                            w.created_at, w.active
                     FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
                     WHERE d.state = 'pending' AND d.next_attempt_at <= ?1 AND w.active = 1
                     ORDER BY d.next_attempt_at, d.id LIMIT ?2",
                )
                .map_err(|e| self.err(e))?;
            statement
                .query_map(params![now, limit as i64], |r| {
                    Ok(DueDelivery {
                        id: r.get(0)?,
                        ad_id: r.get(1)?,
                        attempts: r.get(2)?,
                        webhook: Webhook {
                            id: r.get(3)?,
                            partner_id: r.get(4)?,
                            url: r.get(5)?,
                            secret: r.get(6)?,
                            created_at: r.get(7)?,
                            active: r.get(8)?,
                        },
                    })
                })
                .map_err(|e| self.err(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.err(e))
        })
    }

    fn record_attempt(
        &self,
        delivery_id: i64,
        attempt: &DeliveryAttempt,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO delivery_attempts (delivery_id, attempted_at, status, error, duration_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    delivery_id,
                    attempt.at,
                    attempt.status,
                    attempt.error,
                    attempt.duration_ms
                ],
            )
            .map_err(|e| self.err(e))?;
            let (state, next, delivered) = match attempt.next {
                AttemptResult::Delivered => ("delivered", attempt.at, Some(attempt.at)),
                AttemptResult::RetryAt(at) => ("pending", at, None),
                AttemptResult::GiveUp => ("failed", attempt.at, None),
            };
            tx.execute(
                "UPDATE deliveries SET state = ?2, attempts = attempts + 1, next_attempt_at = ?3,
                        delivered_at = ?4, last_error = ?5
                 WHERE id = ?1",
                params![delivery_id, state, next, delivered, attempt.error],
            )
            .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    fn deliveries(&self, partner_id: i64, limit: usize) -> Result<Vec<DeliveryInfo>, StoreError> {
        self.read(|conn| {
            let mut statement = conn
                .prepare_cached(
                    "SELECT d.id, d.webhook_id, d.ad_id, d.state, d.attempts, d.created_at,
                            d.delivered_at, d.last_error
                     FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
                     WHERE w.partner_id = ?1 ORDER BY d.id DESC LIMIT ?2",
                )
                .map_err(|e| self.err(e))?;
            statement
                .query_map(params![partner_id, limit as i64], |r| {
                    Ok(DeliveryInfo {
                        id: r.get(0)?,
                        webhook_id: r.get(1)?,
                        ad_id: r.get(2)?,
                        state: r.get(3)?,
                        attempts: r.get(4)?,
                        created_at: r.get(5)?,
                        delivered_at: r.get(6)?,
                        last_error: r.get(7)?,
                    })
                })
                .map_err(|e| self.err(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.err(e))
        })
    }
}

impl AuditStore for SqliteStore {
    fn audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        self.write(|tx| {
            let mut statement = tx
                .prepare_cached(
                    "INSERT INTO audit (at, partner_id, action, target, outcome, detail)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(|e| self.err(e))?;
            for e in entries {
                statement
                    .execute(params![
                        e.at,
                        e.partner_id,
                        e.action,
                        e.target,
                        e.outcome,
                        e.detail
                    ])
                    .map_err(|e| self.err(e))?;
            }
            Ok(())
        })
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(|conn| {
            let mut statement = conn
                .prepare_cached(
                    "SELECT at, partner_id, action, target, outcome, detail FROM audit
                     ORDER BY id DESC LIMIT ?1",
                )
                .map_err(|e| self.err(e))?;
            statement
                .query_map([limit as i64], |r| {
                    Ok(AuditEntry {
                        at: r.get(0)?,
                        partner_id: r.get(1)?,
                        action: r.get(2)?,
                        target: r.get(3)?,
                        outcome: r.get(4)?,
                        detail: r.get(5)?,
                    })
                })
                .map_err(|e| self.err(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.err(e))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use crate::store::partner::{hash_token, new_token, token_hint};
    use crate::store::{AdStore, AdWrite};

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
        (dir, store)
    }

    fn lure(id: &str, language: &str) -> AdWrite {
        let classifier = Classifier::embedded_rules().unwrap();
        let scored = classifier.classify(Ad {
            id: id.into(),
            language: Some(language.into()),
            text:
                "Customer service in Sihanoukville, Cambodia. No experience, salary $2500/month, \
                   free flight and visa. Passport kept by the company. Telegram @hr_fast_job"
                    .into(),
            ..Ad::default()
        });
        assert!(scored.flagged);
        AdWrite::scored(&scored, 1_000)
    }

    #[test]
    fn partners_are_found_by_token_hash_and_revoked_by_name() {
        let (_dir, store) = store();
        let token = new_token();
        let scope = Scope {
            languages: vec!["th".into()],
            countries: vec![],
        };
        let added = store
            .add_partner(
                "hotline",
                &scope,
                &hash_token(&token),
                &token_hint(&token),
                5,
            )
            .unwrap();
        assert!(matches!(
            store.add_partner("hotline", &scope, "other", "x", 6),
            Err(StoreError::Conflict(_))
        ));
        let found = store
            .partner_by_token_hash(&hash_token(&token))
            .unwrap()
            .unwrap();
        assert_eq!(found, added);
        assert!(
            store.partner_by_token_hash(&token).unwrap().is_none(),
            "raw token is not stored"
        );
        let revoked = store.revoke_partner("hotline", 9).unwrap();
        assert_eq!(revoked.revoked_at, Some(9));
        assert!(!store.partners().unwrap()[0].is_active());
        assert!(matches!(
            store.revoke_partner("nobody", 9),
            Err(StoreError::NotFound(_))
        ));
    }

    #[test]
    fn a_newly_flagged_ad_is_queued_for_in_scope_webhooks_and_attempts_are_logged() {
        let (_dir, store) = store();
        let thai = store
            .add_partner(
                "thai",
                &Scope {
                    languages: vec!["th".into()],
                    countries: vec![],
                },
                "h1",
                "x",
                0,
            )
            .unwrap();
        let all = store
            .add_partner("all", &Scope::default(), "h2", "y", 0)
            .unwrap();
        let thai_hook = store
            .add_webhook(thai.id, "https://t.example/hook", "s1", 0)
            .unwrap();
        let all_hook = store
            .add_webhook(all.id, "https://a.example/hook", "s2", 0)
            .unwrap();
        store.write_ads(&[lure("en1", "en")]).unwrap();
        let due = store.due_deliveries(2_000, 10).unwrap();
        assert_eq!(due.len(), 1, "only the partner whose scope admits the ad");
        assert_eq!(due[0].webhook.id, all_hook.id);
        assert!(store.deliveries(thai.id, 10).unwrap().is_empty());
        store
            .record_attempt(
                due[0].id,
                &DeliveryAttempt {
                    at: 2_000,
                    status: Some(500),
                    error: Some("HTTP 500".into()),
                    duration_ms: 3,
                    next: AttemptResult::RetryAt(4_000),
                },
            )
            .unwrap();
        assert!(
            store.due_deliveries(3_000, 10).unwrap().is_empty(),
            "backing off"
        );
        let retry = store.due_deliveries(4_000, 10).unwrap();
        assert_eq!(retry[0].attempts, 1);
        store
            .record_attempt(
                retry[0].id,
                &DeliveryAttempt {
                    at: 4_000,
                    status: Some(204),
                    error: None,
                    duration_ms: 2,
                    next: AttemptResult::Delivered,
                },
            )
            .unwrap();
        let info = store.deliveries(all.id, 10).unwrap();
        assert_eq!(info[0].state, "delivered");
        assert_eq!(info[0].attempts, 2);
        assert!(store.due_deliveries(10_000, 10).unwrap().is_empty());
        let _ = thai_hook;
    }

    #[test]
    fn reviews_are_per_partner_and_the_latest_one_is_exported() {
        let (_dir, store) = store();
        store.write_ads(&[lure("a", "en")]).unwrap();
        assert!(matches!(
            store.add_review("missing", 1, Decision::Confirmed, None, 0),
            Err(StoreError::NotFound(_))
        ));
        let p = store
            .add_partner("p", &Scope::default(), "h", "x", 0)
            .unwrap();
        let q = store
            .add_partner("q", &Scope::default(), "h2", "x", 0)
            .unwrap();
        store
            .add_review("a", p.id, Decision::Dismissed, Some("looks fine"), 1)
            .unwrap();
        store
            .add_review(
                "a",
                p.id,
                Decision::Confirmed,
                Some("same handle as a known lure"),
                2,
            )
            .unwrap();
        assert_eq!(store.reviews_of("a", p.id).unwrap().len(), 2);
        assert!(store.reviews_of("a", q.id).unwrap().is_empty());
        let latest = store.latest_reviews(Some(p.id)).unwrap();
        assert_eq!(latest.len(), 1);
        assert_eq!(latest[0].0.decision, Decision::Confirmed);
        assert_eq!(latest[0].1.id, "a");
        assert!(store.latest_reviews(Some(q.id)).unwrap().is_empty());
        store
            .audit(&[AuditEntry {
                at: 3,
                partner_id: Some(p.id),
                action: "POST /v1/ads/a/review".into(),
                target: Some("a".into()),
                outcome: 200,
                detail: None,
            }])
            .unwrap();
        assert_eq!(store.audit_log(10).unwrap()[0].outcome, 200);
    }
}
