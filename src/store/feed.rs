//! What the partner feed reads beyond the flagged-ads query: one flagged ad by id (for webhook
//! deliveries) and, for a page of ads, every URL each was seen at and its latest score's details
//! (flags with evidence, contacts), so a page is read in two queries rather than one per ad.

use std::collections::HashMap;

use super::{FlaggedAd, Scope, StoreError};

/// The details of a flagged ad that the feed query does not carry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedDetails {
    /// Every URL the ad was seen at, first seen first.
    pub urls: Vec<String>,
    /// Its latest score's result (flags with evidence, entities, salaries, pay, reasons), as
    /// stored in [`super::ScoreRecord::result`].
    pub result: Option<serde_json::Value>,
}

/// Reads for the partner feed.
pub trait FeedStore: Send + Sync {
    /// The flagged ad with this id, if it is flagged now and the scope admits it.
    fn flagged_ad(&self, id: &str, scope: &Scope) -> Result<Option<FlaggedAd>, StoreError>;

    /// Sighting URLs and latest score results of these ads, by id. Unknown ids are left out.
    fn feed_details(&self, ids: &[String]) -> Result<HashMap<String, FeedDetails>, StoreError>;
}
