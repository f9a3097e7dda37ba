//! Flagged ads for partners, as JSON Lines, CSV or an Atom feed: the formats that the API's
//! `/v1/flagged`, `/v1/flagged.csv` and `/v1/flagged.atom` serve and that `lurewatch export`
//! writes for partners who cannot call an API.
//!
//! A [`FeedItem`] is one flagged ad as partners receive it: the ad's words, where it was seen,
//! its score, the red flags with the ad's own words as evidence, and its contacts. [`csv`] and
//! [`atom`] write items; [`pseudonym`] replaces contacts by keyed hashes; [`export`] pages through
//! the store and writes every matching ad.

pub mod atom;
pub mod csv;
mod jsonl;
pub mod pseudonym;

use std::io;

use serde::Serialize;

use crate::ad::Ad;
use crate::classify::{REVIEW_NOTE, Risk};
use crate::store::{
    AdStore, FeedDetails, FeedPage, FeedStore, FlaggedAd, FlaggedQuery, Millis, StoreError, rfc3339,
};
pub use jsonl::JsonlWriter;
use pseudonym::Pseudonymiser;

/// One flagged ad as partners receive it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedItem {
    /// The ad's id.
    pub id: String,
    /// Its title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its text.
    pub text: String,
    /// How to apply, as the ad writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The URL of the ad as first recorded.
    pub url: Option<String>,
    /// Every URL it was seen at.
    pub urls: Vec<String>,
    /// Its language tag, when known.
    pub language: Option<String>,
    /// The country it targets, when known.
    pub country: Option<String>,
    /// Score between 0 and 1.
    #[serde(serialize_with = "four_decimals")]
    pub score: f64,
    /// Risk band.
    pub risk: Risk,
    /// Ids of the red flags raised.
    pub flags: Vec<String>,
    /// The ad's own words behind each red flag.
    pub evidence: Vec<Evidence>,
    /// Contacts found in the ad (phone numbers, chat handles, e-mail addresses, links).
    pub contacts: Vec<Contact>,
    /// Version of the model or rule set that scored it.
    pub scorer_version: String,
    /// When it was first flagged (RFC 3339).
    pub flagged_at: String,
    /// That a flag is a lead for review.
    pub note: &'static str,
    /// Feed position.
    #[serde(skip)]
    pub seq: i64,
    /// When it was first flagged, in Unix milliseconds.
    #[serde(skip)]
    pub flagged_at_millis: Millis,
    /// The country whose phone numbering applies to numbers written without a country code.
    #[serde(skip)]
    pub region: Option<&'static str>,
}

/// The ad's own words behind a red flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The flag's id.
    pub flag: String,
    /// The flag's short title.
    pub label: String,
    /// The field the words are in.
    pub field: String,
    /// The words.
    pub text: String,
}

/// A contact found in an ad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// `phone`, `telegram`, `whatsapp`, `line`, `wechat`, `kakao`, `zalo`, `email` or `url`.
    pub kind: String,
    /// The normalised value (E.164 for numbers, lower-case handles), or its pseudonym.
    pub value: String,
}

impl FeedItem {
    /// The item of a flagged ad, with the details the feed query does not carry.
    pub fn new(flagged: FlaggedAd, details: Option<&FeedDetails>) -> FeedItem {
        let region = crate::features::signals::region_hint(&flagged.ad);
        let result = details.and_then(|d| d.result.as_ref());
        let Ad {
            id,
            title,
            text,
            contact,
            url,
            language,
            ..
        } = flagged.ad;
        FeedItem {
            id,
            title,
            text,
            contact,
            url,
            urls: details.map(|d| d.urls.clone()).unwrap_or_default(),
            language,
            country: flagged.country,
            score: flagged.score,
            risk: flagged.risk,
            flags: flagged.flag_ids,
            evidence: result.map(evidence).unwrap_or_default(),
            contacts: result.map(contacts).unwrap_or_default(),
            scorer_version: flagged.scorer_version,
            flagged_at: rfc3339(flagged.flagged_at),
            note: REVIEW_NOTE,
            seq: flagged.seq,
            flagged_at_millis: flagged.flagged_at,
            region,
        }
    }

    /// A title for lists: the ad's title, or the start of its text.
    pub fn headline(&self) -> String {
        let source = self
            .title
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or(&self.text);
        let line = source.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let mut headline: String = line.trim().chars().take(100).collect();
        if headline.len() < line.trim().len() {
            headline.push('…');
        }
        if headline.is_empty() {
            headline = format!("Ad {}", self.id);
        }
        headline
    }
}

/// Items for a page of flagged ads, reading their details in one query.
pub fn items<S: FeedStore + ?Sized>(
    store: &S,
    flagged: Vec<FlaggedAd>,
) -> Result<Vec<FeedItem>, StoreError> {
    let ids: Vec<String> = flagged.iter().map(|f| f.ad.id.clone()).collect();
    let details = store.feed_details(&ids)?;
    Ok(flagged
        .into_iter()
        .map(|f| {
            let d = details.get(&f.ad.id);
            FeedItem::new(f, d)
        })
        .collect())
}

/// The risk flags' evidence in a stored score result, each (flag, words) once.
fn evidence(result: &serde_json::Value) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = Vec::new();
    for flag in result["flags"].as_array().into_iter().flatten() {
        if flag["polarity"] != "risk" {
            continue;
        }
        let item = Evidence {
            flag: text_of(&flag["id"]),
            label: text_of(&flag["label"]),
            field: text_of(&flag["field"]),
            text: text_of(&flag["evidence"]),
        };
        if !out
            .iter()
            .any(|e| e.flag == item.flag && e.text == item.text)
        {
            out.push(item);
        }
    }
    out
}

/// The contacts in a stored score result, each (kind, value) once.
fn contacts(result: &serde_json::Value) -> Vec<Contact> {
    let mut out: Vec<Contact> = Vec::new();
    for entity in result["entities"].as_array().into_iter().flatten() {
        let contact = Contact {
            kind: text_of(&entity["kind"]),
            value: text_of(&entity["value"]),
        };
        if !contact.value.is_empty() && !out.contains(&contact) {
            out.push(contact);
        }
    }
    out
}

fn text_of(value: &serde_json::Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

fn four_decimals<S: serde::Serializer>(x: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((x * 10_000.0).round() / 10_000.0)
}

/// Why a date or time given as a bound was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date: use YYYY-MM-DD or an RFC 3339 time such as 2026-11-20T08:00:00Z")]
pub struct DateError(pub String);

/// Reads a time bound: RFC 3339, or `YYYY-MM-DD` meaning the start of that day (UTC), or with
/// `end_of_day` the start of the next day, so that `--to 2026-11-20` includes the 20th.
pub fn parse_time_bound(text: &str, end_of_day: bool) -> Result<Millis, DateError> {
    let text = text.trim();
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(time.timestamp_millis());
    }
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| DateError(text.to_string()))?;
    let day = if end_of_day {
        day.succ_opt().ok_or_else(|| DateError(text.to_string()))?
    } else {
        day
    };
    Ok(day
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
        .timestamp_millis())
}

/// Output formats of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
    /// An Atom 1.0 feed.
    Atom,
}

/// Writes items in one format.
pub trait ItemWriter {
    /// Writes one item.
    fn item(&mut self, item: &FeedItem) -> io::Result<()>;
    /// Ends the document and flushes.
    fn finish(&mut self) -> io::Result<()>;
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The output could not be written.
    #[error("cannot write the export: {0}")]
    Write(#[from] io::Error),
}

/// Ads read from the store per page during an export.
const EXPORT_PAGE: usize = 500;

/// Writes every flagged ad matching `query` (its page is ignored), oldest first, pseudonymised
/// when a pseudonymiser is given. Returns how many ads were written.
pub fn export<S: AdStore + FeedStore + ?Sized>(
    store: &S,
    query: &FlaggedQuery,
    pseudonymiser: Option<&Pseudonymiser>,
    writer: &mut dyn ItemWriter,
) -> Result<u64, ExportError> {
    let mut query = query.clone();
    let mut after = 0;
    let mut written = 0;
    loop {
        query.page = FeedPage::Since {
            after,
            limit: EXPORT_PAGE,
        };
        let page = store.flagged(&query)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for mut item in items(store, page)? {
            if let Some(p) = pseudonymiser {
                p.item(&mut item);
            }
            writer.item(&item)?;
            written += 1;
        }
    }
    writer.finish()?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_are_read_as_bounds() {
        let day = parse_time_bound("2026-11-20", false).unwrap();
        let end = parse_time_bound("2026-11-20", true).unwrap();
        assert_eq!(end - day, 86_400_000);
        assert_eq!(rfc3339(day), "2026-11-20T00:00:00.000Z");
        assert_eq!(
            parse_time_bound("2026-11-20T08:00:00+07:00", true).unwrap(),
            day + 3_600_000
        );
        let err = parse_time_bound("20/11/2026", false).unwrap_err();
        assert!(err.to_string().contains("YYYY-MM-DD"));
    }

    #[test]
    fn headlines_fall_back_to_the_text_and_are_cut() {
        let item = FeedItem {
            title: None,
            text: format!("\n  {}\nsecond line", "x".repeat(300)),
            ..sample()
        };
        assert!(item.headline().starts_with("xxx"));
        assert!(item.headline().ends_with('…'));
        assert_eq!(item.headline().chars().count(), 101);
        let empty = FeedItem {
            title: Some(" ".into()),
            text: String::new(),
            ..sample()
        };
        assert_eq!(empty.headline(), "Ad a1");
    }

    #[test]
    fn evidence_keeps_risk_flags_once_and_contacts_once() {
        let result = serde_json::json!({
            "flags": [
                {"id": "hub_place", "label": "Hub", "polarity": "risk", "field": "text", "evidence": "Poipet"},
                {"id": "hub_place", "label": "Hub", "polarity": "risk", "field": "text", "evidence": "Poipet"},
                {"id": "licensed", "label": "Licensed", "polarity": "protective", "field": "text", "evidence": "licence 12"}
            ],
            "entities": [
                {"kind": "phone", "value": "+66812345678", "field": "text", "raw": "081 234 5678"},
                {"kind": "phone", "value": "+66812345678", "field": "contact", "raw": "+66 81 234 5678"}
            ]
        });
        assert_eq!(evidence(&result).len(), 1);
        assert_eq!(contacts(&result).len(), 1);
        assert!(evidence(&serde_json::Value::Null).is_empty());
    }

    /// A plain item for tests.
    pub(crate) fn sample() -> FeedItem {
        FeedItem {
            id: "a1".into(),
            title: Some("Customer service".into()),
            text: "Free flight to Sihanoukville".into(),
            contact: None,
            url: Some("https://jobs.example/a1".into()),
            urls: vec!["https://jobs.example/a1".into()],
            language: Some("en".into()),
            country: Some("KH".into()),
            score: 0.97,
            risk: Risk::High,
            flags: vec!["hub_place".into()],
            evidence: vec![Evidence {
                flag: "hub_place".into(),
                label: "Names a known scam-compound location".into(),
                field: "text".into(),
                text: "Sihanoukville".into(),
            }],
            contacts: vec![],
            scorer_version: "test".into(),
            flagged_at: rfc3339(0),
            note: REVIEW_NOTE,
            seq: 1,
            flagged_at_millis: 0,
            region: None,
        }
    }
}
