//! Analysts' decisions as labelled training data: `lurewatch reviews export`.
//!
//! The latest review of each reviewed ad becomes one JSON Lines record in the format of the
//! labelled corpus (`corpus/ads.jsonl`, read by
//! [`read_labelled`](crate::classify::train::read_labelled)): the ad as stored, plus `label`
//! (`lure` for a confirmed ad, `legit` for a dismissed one), `kind` (`review_lure` or
//! `review_legit`), `group`, and the review itself as extra fields (`reviewer`, `review_note`,
//! `reviewed_at`). `lurewatch train --extra FILE` adds them to the training corpus.
//!
//! **Groups.** Grouped cross-validation keeps each group in one fold. Reviewed ads that share a
//! contact (a phone number, a chat handle, an e-mail address; not web links, which are often
//! shared by unrelated ads) very likely come from one recruiter, so they get one group,
//! `review:<smallest ad id among them>`; evaluation then never trains on a recruiter's ad and
//! tests on the same recruiter's next one.

use std::collections::HashMap;
use std::io::Write;

use serde_json::{Map, Value};

use crate::ad::Ad;
use crate::store::partner::{Decision, Review};
use crate::store::{Scope, Store, StoreError, rfc3339};

/// Why the export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// `--partner` names no partner.
    #[error("no partner is named `{0}`")]
    UnknownPartner(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The output could not be written.
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
}

/// What was exported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Records written.
    pub written: usize,
    /// Of which confirmed lures.
    pub lures: usize,
    /// Of which dismissed, legitimate.
    pub legit: usize,
}

/// The labelled record of one review; see the module documentation. Fields of the ad with the
/// names the record adds are replaced.
pub fn labelled_record(
    review: &Review,
    ad: &Ad,
    reviewer: &str,
    group: &str,
) -> Map<String, Value> {
    let mut record = match serde_json::to_value(ad) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let (label, kind) = match review.decision {
        Decision::Confirmed => ("lure", "review_lure"),
        Decision::Dismissed => ("legit", "review_legit"),
    };
    let mut add = |key: &str, value: Value| {
        record.remove(key);
        record.insert(key.to_string(), value);
    };
    add("label", label.into());
    add("kind", kind.into());
    add("group", group.into());
    add("reviewer", reviewer.into());
    add("review_decision", review.decision.name().into());
    add(
        "review_note",
        review.note.clone().map_or(Value::Null, Value::String),
    );
    add("reviewed_at", rfc3339(review.reviewed_at).into());
    record
}

/// Writes the latest review of every reviewed ad (only `partner`'s when given) as labelled JSON
/// Lines, oldest review first.
pub fn export_reviews(
    store: &dyn Store,
    partner: Option<&str>,
    out: &mut dyn Write,
) -> Result<ExportSummary, ExportError> {
    let partners = store.partners()?;
    let names: HashMap<i64, &str> = partners.iter().map(|p| (p.id, p.name.as_str())).collect();
    let partner_id = match partner {
        Some(name) => Some(
            partners
                .iter()
                .find(|p| p.name == name)
                .map(|p| p.id)
                .ok_or_else(|| ExportError::UnknownPartner(name.to_string()))?,
        ),
        None => None,
    };
    let reviews = store.latest_reviews(partner_id)?;
    let groups = recruiter_groups(store, &reviews)?;
    let mut summary = ExportSummary::default();
    for ((review, ad), group) in reviews.iter().zip(&groups) {
        let reviewer = names.get(&review.partner_id).copied().unwrap_or("unknown");
        let record = labelled_record(review, ad, reviewer, group);
        serde_json::to_writer(&mut *out, &record).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
        summary.written += 1;
        match review.decision {
            Decision::Confirmed => summary.lures += 1,
            Decision::Dismissed => summary.legit += 1,
        }
    }
    out.flush()?;
    Ok(summary)
}

/// The group of each reviewed ad: ads linked by a shared contact form one group.
fn recruiter_groups(
    store: &dyn Store,
    reviews: &[(Review, Ad)],
) -> Result<Vec<String>, StoreError> {
    let mut parent: Vec<usize> = (0..reviews.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut first_with: HashMap<(String, String), usize> = HashMap::new();
    for (i, (_, ad)) in reviews.iter().enumerate() {
        let Some(stored) = store.ad(&ad.id, &Scope::default())? else {
            continue;
        };
        let Some(latest) = stored.scores.first() else {
            continue;
        };
        for entity in latest
            .result
            .get("entities")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(kind), Some(value)) = (
                entity.get("kind").and_then(Value::as_str),
                entity.get("value").and_then(Value::as_str),
            ) else {
                continue;
            };
            if kind == "url" || value.is_empty() {
                continue;
            }
            match first_with.get(&(kind.to_string(), value.to_string())) {
                Some(&j) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    parent[a.max(b)] = a.min(b);
                }
                None => {
                    first_with.insert((kind.to_string(), value.to_string()), i);
                }
            }
        }
    }
    let mut smallest: HashMap<usize, &str> = HashMap::new();
    for (i, (_, ad)) in reviews.iter().enumerate() {
        let r = root(&mut parent, i);
        let id = smallest.entry(r).or_insert(ad.id.as_str());
        if ad.id.as_str() < *id {
            *id = ad.id.as_str();
        }
    }
    Ok((0..reviews.len())
        .map(|i| format!("review:{}", smallest[&root(&mut parent, i)]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use crate::classify::train::LabelledAd;
    use crate::store::{AdStore, AdWrite, PartnerStore, ReviewStore, SqliteStore};

    fn lure(id: &str, handle: &str) -> AdWrite {
        let classifier = Classifier::embedded_rules().unwrap();
        let scored = classifier.classify(Ad {
            id: id.into(),
            language: Some("en".into()),
            text: format!(
                "Customer service in Sihanoukville. Salary $2500/month, free flight and visa. \
                 Telegram {handle}"
            ),
            ..Ad::default()
        });
        AdWrite::scored(&scored, 1_000)
    }

    #[test]
    fn reviews_become_labelled_records_that_read_back_grouped_by_recruiter() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
        store
            .write_ads(&[
                lure("b", "@same_hr"),
                lure("a", "@same_hr"),
                lure("c", "@other_hr"),
            ])
            .unwrap();
        let p = store
            .add_partner("ngo", &Scope::default(), "h", "x", 0)
            .unwrap();
        let q = store
            .add_partner("hotline", &Scope::default(), "h2", "y", 0)
            .unwrap();
        store
            .add_review("b", p.id, Decision::Dismissed, None, 1)
            .unwrap();
        store
            .add_review(
                "b",
                p.id,
                Decision::Confirmed,
                Some("same handle as a known lure"),
                2,
            )
            .unwrap();
        store
            .add_review("a", p.id, Decision::Confirmed, None, 3)
            .unwrap();
        store
            .add_review("c", q.id, Decision::Dismissed, Some("real agency"), 4)
            .unwrap();

        let mut out = Vec::new();
        let summary = export_reviews(&store, None, &mut out).unwrap();
        assert_eq!(
            summary,
            ExportSummary {
                written: 3,
                lures: 2,
                legit: 1
            }
        );
        let text = String::from_utf8(out).unwrap();
        let path = dir.path().join("reviews.jsonl");
        std::fs::write(&path, &text).unwrap();
        let ads: Vec<LabelledAd> = crate::classify::train::read_labelled(&path).unwrap();
        let by_id = |id: &str| ads.iter().find(|a| a.ad.id == id).unwrap();
        assert!(by_id("b").lure && by_id("a").lure && !by_id("c").lure);
        assert_eq!(by_id("a").group, "review:a");
        assert_eq!(
            by_id("b").group,
            "review:a",
            "same Telegram handle, same group"
        );
        assert_eq!(by_id("c").group, "review:c");
        assert_eq!(by_id("c").kind, "review_legit");
        let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["id"], "b", "oldest latest-review first");
        assert_eq!(first["review_note"], "same handle as a known lure");
        assert_eq!(first["reviewer"], "ngo");
        assert_eq!(first["reviewed_at"], "1970-01-01T00:00:00.002Z");

        let mut out = Vec::new();
        let only = export_reviews(&store, Some("hotline"), &mut out).unwrap();
        assert_eq!(only.written, 1);
        assert!(matches!(
            export_reviews(&store, Some("nobody"), &mut Vec::new()),
            Err(ExportError::UnknownPartner(_))
        ));
    }

    #[test]
    fn fields_named_like_the_label_are_replaced() {
        let ad = Ad::from_object(
            serde_json::json!({"id": "x", "text": "t", "label": "legit", "group": "g"})
                .as_object()
                .unwrap()
                .clone(),
        )
        .unwrap();
        let review = Review {
            id: 1,
            ad_id: "x".into(),
            partner_id: 1,
            decision: Decision::Confirmed,
            note: None,
            reviewed_at: 0,
        };
        let record = labelled_record(&review, &ad, "ngo", "review:x");
        assert_eq!(record["label"], "lure");
        assert_eq!(record["group"], "review:x");
        assert_eq!(record.keys().filter(|k| *k == "label").count(), 1);
    }
}
