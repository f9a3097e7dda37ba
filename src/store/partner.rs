//! Partners, their reviews and webhooks, webhook deliveries and the audit log.
//!
//! A partner (an NGO, a hotline, a platform's trust-and-safety team) holds one bearer token.
//! Only a SHA-256 hash of it is stored: tokens are 256 random bits, so a fast hash is enough
//! (nothing to brute-force), and a stolen database reveals no usable token.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Millis, Scope, StoreError};
use crate::ad::Ad;

/// Prefix of every partner token, so a leaked one is recognisable in logs and scanners.
pub const TOKEN_PREFIX: &str = "lw_";

/// A new random partner token: the prefix and 64 hex digits (256 bits from the OS's
/// cryptographic generator).
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{TOKEN_PREFIX}{}", hex(&bytes))
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The part of a token shown in listings, enough to tell tokens apart.
pub fn token_hint(token: &str) -> String {
    let visible: String = token.chars().take(TOKEN_PREFIX.len() + 6).collect();
    format!("{visible}…")
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A partner organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Partner {
    /// Its number.
    pub id: i64,
    /// Its unique name.
    pub name: String,
    /// What it may see.
    pub scope: Scope,
    /// The start of its token, for telling tokens apart.
    pub token_hint: String,
    /// When it was added.
    pub created_at: Millis,
    /// When its token was revoked, if it was.
    pub revoked_at: Option<Millis>,
}

impl Partner {
    /// Whether its token still works.
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

/// An analyst's decision on a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// The ad is a lure.
    Confirmed,
    /// The ad is not a lure.
    Dismissed,
}

impl Decision {
    /// Its stored name.
    pub fn name(self) -> &'static str {
        match self {
            Decision::Confirmed => "confirmed",
            Decision::Dismissed => "dismissed",
        }
    }

    /// The decision with this name.
    pub fn from_name(name: &str) -> Option<Decision> {
        match name {
            "confirmed" => Some(Decision::Confirmed),
            "dismissed" => Some(Decision::Dismissed),
            _ => None,
        }
    }
}

/// A review of an ad by a partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    /// Its number.
    pub id: i64,
    /// The ad.
    pub ad_id: String,
    /// The partner who reviewed it.
    pub partner_id: i64,
    /// The decision.
    pub decision: Decision,
    /// The analyst's note.
    pub note: Option<String>,
    /// When.
    pub reviewed_at: Millis,
}

/// A partner's webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Webhook {
    /// Its number.
    pub id: i64,
    /// Its partner.
    pub partner_id: i64,
    /// Where flagged ads are POSTed.
    pub url: String,
    /// The key that signs deliveries (HMAC-SHA256). Kept in clear: the server must sign with it.
    #[serde(skip)]
    pub secret: String,
    /// When it was registered.
    pub created_at: Millis,
    /// Whether deliveries are made.
    pub active: bool,
}

/// A delivery waiting to be attempted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    /// Its number.
    pub id: i64,
    /// The webhook.
    pub webhook: Webhook,
    /// The ad to deliver.
    pub ad_id: String,
    /// Attempts so far.
    pub attempts: u32,
}

/// A delivery as a partner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryInfo {
    /// Its number.
    pub id: i64,
    /// The webhook.
    pub webhook_id: i64,
    /// The ad.
    pub ad_id: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    /// Attempts so far.
    pub attempts: u32,
    /// When it was queued.
    pub created_at: Millis,
    /// When it was delivered.
    pub delivered_at: Option<Millis>,
    /// The last failure.
    pub last_error: Option<String>,
}

/// How one delivery attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    /// When it started.
    pub at: Millis,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// What went wrong, if anything.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
    /// What happens next.
    pub next: AttemptResult,
}

/// The state a delivery is left in after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptResult {
    /// The receiver accepted it.
    Delivered,
    /// Try again at this time.
    RetryAt(Millis),
    /// Give up.
    GiveUp,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// When.
    pub at: Millis,
    /// Who (no partner: an unauthenticated or operator action).
    pub partner_id: Option<i64>,
    /// What (`GET /v1/flagged`, `partner add`).
    pub action: String,
    /// On what (an ad id, a partner name).
    pub target: Option<String>,
    /// Outcome (an HTTP status for requests).
    pub outcome: u16,
    /// Anything else worth keeping.
    pub detail: Option<String>,
}

/// Partners and their tokens.
pub trait PartnerStore: Send + Sync {
    /// Adds a partner whose token hashes to `token_hash`. Fails with
    /// [`StoreError::Conflict`] if the name is taken.
    fn add_partner(
        &self,
        name: &str,
        scope: &Scope,
        token_hash: &str,
        token_hint: &str,
        at: Millis,
    ) -> Result<Partner, StoreError>;

    /// Every partner, revoked ones included.
    fn partners(&self) -> Result<Vec<Partner>, StoreError>;

    /// Revokes a partner's token. Fails with [`StoreError::NotFound`] for an unknown name.
    fn revoke_partner(&self, name: &str, at: Millis) -> Result<Partner, StoreError>;

    /// The partner holding the token with this hash, revoked or not.
    fn partner_by_token_hash(&self, token_hash: &str) -> Result<Option<Partner>, StoreError>;
}

/// Reviews of ads.
pub trait ReviewStore: Send + Sync {
    /// Records a review. Fails with [`StoreError::NotFound`] if the ad does not exist.
    fn add_review(
        &self,
        ad_id: &str,
        partner_id: i64,
        decision: Decision,
        note: Option<&str>,
        at: Millis,
    ) -> Result<Review, StoreError>;

    /// A partner's reviews of one ad, newest first.
    fn reviews_of(&self, ad_id: &str, partner_id: i64) -> Result<Vec<Review>, StoreError>;

    /// The latest review of every reviewed ad with the ad itself, oldest first; only one
    /// partner's when `partner_id` is given.
    fn latest_reviews(&self, partner_id: Option<i64>) -> Result<Vec<(Review, Ad)>, StoreError>;
}

/// Webhooks and their deliveries.
pub trait DeliveryStore: Send + Sync {
    /// Registers a webhook.
    fn add_webhook(
        &self,
        partner_id: i64,
        url: &str,
        secret: &str,
        at: Millis,
    ) -> Result<Webhook, StoreError>;

    /// A partner's webhooks.
    fn webhooks(&self, partner_id: i64) -> Result<Vec<Webhook>, StoreError>;

    /// Stops a partner's webhook. Fails with [`StoreError::NotFound`] if the partner has no
    /// such webhook.
    fn deactivate_webhook(&self, partner_id: i64, webhook_id: i64) -> Result<(), StoreError>;

    /// Pending deliveries due at `now`, oldest first.
    fn due_deliveries(&self, now: Millis, limit: usize) -> Result<Vec<DueDelivery>, StoreError>;

    /// Logs an attempt and moves the delivery on.
    fn record_attempt(&self, delivery_id: i64, attempt: &DeliveryAttempt)
    -> Result<(), StoreError>;

    /// A partner's deliveries, newest first.
    fn deliveries(&self, partner_id: i64, limit: usize) -> Result<Vec<DeliveryInfo>, StoreError>;
}

/// The audit log.
pub trait AuditStore: Send + Sync {
    /// Appends entries.
    fn audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError>;

    /// The newest entries, newest first.
    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_prefixed_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == TOKEN_PREFIX.len() + 64);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
        assert_eq!(hash_token(&a).len(), 64);
        assert!(!hash_token(&a).contains(&a[3..]));
        assert!(token_hint(&a).starts_with(&a[..9]));
    }
}
