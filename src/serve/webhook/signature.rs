//! Signing webhook deliveries, and checking a signature the way a receiver should.
//!
//! Each delivery carries `X-Lurewatch-Timestamp: <unix seconds>` and
//! `X-Lurewatch-Signature: sha256=<hex>`, the HMAC-SHA256 of `<timestamp>.<body>` under the
//! webhook's secret. Signing the timestamp with the body lets a receiver refuse a delivery
//! captured and sent again later (a replay): [`verify_signature`] rejects timestamps further from
//! now than a tolerance. Within the tolerance, a receiver that must never act twice should also
//! remember the `X-Lurewatch-Delivery` ids it has seen.

use std::time::Duration;

use hmac::{KeyInit, Mac};

use crate::store::partner::hex;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Header carrying the Unix time (seconds) the delivery was signed at.
pub const TIMESTAMP_HEADER: &str = "X-Lurewatch-Timestamp";
/// Header carrying `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
pub const SIGNATURE_HEADER: &str = "X-Lurewatch-Signature";
/// Header carrying the delivery's id (the same on every retry of one delivery).
pub const DELIVERY_HEADER: &str = "X-Lurewatch-Delivery";

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The timestamp header is not a number.
    #[error("the timestamp is not a Unix time in seconds")]
    BadTimestamp,
    /// The timestamp is too far from now: a replay, or a badly wrong clock.
    #[error("the timestamp is {0} seconds away from now, more than allowed")]
    Stale(i64),
    /// The signature header is not `sha256=` and 64 hex digits.
    #[error("the signature header is not `sha256=` followed by 64 hex digits")]
    Malformed,
    /// The signature does not match: another secret, or a changed body or timestamp.
    #[error("the signature does not match the body")]
    Mismatch,
}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The signature header value for a body sent at `timestamp` (Unix seconds, as sent).
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex(&mac(secret, timestamp, body).finalize().into_bytes())
    )
}

/// Checks a delivery: the timestamp header is within `tolerance` of `now` (Unix seconds) and the
/// signature header is the HMAC of `<timestamp>.<body>` under `secret`. Compares in constant time.
pub fn verify_signature(
    secret: &str,
    timestamp: &str,
    body: &[u8],
    header: &str,
    now: i64,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let sent: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::BadTimestamp)?;
    let skew = now.saturating_sub(sent);
    if skew.unsigned_abs() > tolerance.as_secs() {
        return Err(SignatureError::Stale(skew));
    }
    let digits = header
        .trim()
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed)?;
    let tag = unhex(digits).ok_or(SignatureError::Malformed)?;
    mac(secret, timestamp.trim(), body)
        .verify_slice(&tag)
        .map_err(|_| SignatureError::Mismatch)
}

fn unhex(digits: &str) -> Option<Vec<u8>> {
    if digits.len() != 64 || !digits.is_ascii() {
        return None;
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTES_5: Duration = Duration::from_secs(300);

    #[test]
    fn a_signed_body_verifies_and_any_change_is_refused() {
        let body = br#"{"event":"ad.flagged"}"#;
        let header = sign("whsec_1", "1700000000", body);
        assert!(header.starts_with("sha256=") && header.len() == 7 + 64);
        assert_eq!(
            verify_signature(
                "whsec_1",
                "1700000000",
                body,
                &header,
                1_700_000_100,
                MINUTES_5
            ),
            Ok(())
        );
        let cases = [
            (
                "whsec_2",
                "1700000000",
                &body[..],
                header.clone(),
                SignatureError::Mismatch,
            ),
            (
                "whsec_1",
                "1700000001",
                &body[..],
                header.clone(),
                SignatureError::Mismatch,
            ),
            (
                "whsec_1",
                "1700000000",
                &b"{}"[..],
                header.clone(),
                SignatureError::Mismatch,
            ),
            (
                "whsec_1",
                "1700000000",
                &body[..],
                "sha1=abc".into(),
                SignatureError::Malformed,
            ),
            (
                "whsec_1",
                "1700000000",
                &body[..],
                "sha256=zz".into(),
                SignatureError::Malformed,
            ),
            (
                "whsec_1",
                "soon",
                &body[..],
                header.clone(),
                SignatureError::BadTimestamp,
            ),
        ];
        for (secret, ts, body, header, expected) in cases {
            assert_eq!(
                verify_signature(secret, ts, body, &header, 1_700_000_000, MINUTES_5),
                Err(expected)
            );
        }
    }

    #[test]
    fn an_old_delivery_sent_again_is_a_replay() {
        let header = sign("s", "1700000000", b"x");
        assert_eq!(
            verify_signature("s", "1700000000", b"x", &header, 1_700_000_301, MINUTES_5),
            Err(SignatureError::Stale(301))
        );
        assert!(matches!(
            verify_signature("s", "1700000000", b"x", &header, 1_699_999_000, MINUTES_5),
            Err(SignatureError::Stale(_))
        ));
    }
}
