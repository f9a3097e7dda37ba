//! Rate limits: a token bucket per key.
//!
//! Each partner token gets a bucket holding up to `burst` requests that refills at `per_minute`;
//! a request takes one, and when the bucket is empty the answer is 429 with `Retry-After` (the
//! seconds until one is back). A second limiter counts failed sign-ins per client address, so
//! guessing tokens is throttled long before it could succeed.

use std::collections::HashMap;
use std::hash::Hash;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Buckets kept before idle (full) ones are dropped.
const PRUNE_ABOVE: usize = 10_000;

/// A rate: requests per minute, and how many may come at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests per minute, sustained.
    pub per_minute: f64,
    /// Requests allowed at once after a quiet spell.
    pub burst: u32,
}

impl RateLimit {
    /// `per_minute` requests a minute, all of which may come at once.
    pub fn per_minute(per_minute: u32) -> RateLimit {
        RateLimit {
            per_minute: f64::from(per_minute),
            burst: per_minute.max(1),
        }
    }
}

impl Default for RateLimit {
    /// 300 requests a minute per token.
    fn default() -> Self {
        RateLimit::per_minute(300)
    }
}

/// Why a rate was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a rate: write it as a number of requests per second, minute or hour, such as 120/min, 5/s or 1000/h"
)]
pub struct RateError(String);

impl FromStr for RateLimit {
    type Err = RateError;

    /// Reads `N/s`, `N/min`, `N/h` or a bare `N` (per minute).
    fn from_str(text: &str) -> Result<RateLimit, RateError> {
        let error = || RateError(text.to_string());
        let (count, unit) = text.trim().split_once('/').unwrap_or((text.trim(), "min"));
        let count: u32 = count.trim().parse().map_err(|_| error())?;
        let minutes_per_unit = match unit.trim() {
            "s" | "sec" | "second" => 1.0 / 60.0,
            "m" | "min" | "minute" => 1.0,
            "h" | "hour" => 60.0,
            _ => return Err(error()),
        };
        if count == 0 {
            return Err(error());
        }
        Ok(RateLimit {
            per_minute: f64::from(count) / minutes_per_unit,
            burst: count,
        })
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Token buckets, one per key.
#[derive(Debug)]
pub struct RateLimiter<K> {
    limit: RateLimit,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    /// A limiter applying `limit` to every key.
    pub fn new(limit: RateLimit) -> RateLimiter<K> {
        RateLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The limit applied.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Takes one request from `key`'s bucket, or says how long until one is available.
    pub fn check(&self, key: &K, now: Instant) -> Result<(), Duration> {
        self.with_bucket(key, now, true)
    }

    /// Whether `key` has a request left, without taking it.
    pub fn peek(&self, key: &K, now: Instant) -> Result<(), Duration> {
        self.with_bucket(key, now, false)
    }

    fn with_bucket(&self, key: &K, now: Instant, take: bool) -> Result<(), Duration> {
        let capacity = f64::from(self.limit.burst.max(1));
        let per_second = self.limit.per_minute / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.updated).as_secs_f64() * per_second
                    < capacity
            });
        }
        let bucket = buckets.entry(key.clone()).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.updated = now.max(bucket.updated);
        if bucket.tokens >= 1.0 {
            if take {
                bucket.tokens -= 1.0;
            }
            Ok(())
        } else if per_second > 0.0 {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        } else {
            Err(Duration::from_secs(3600))
        }
    }
}

/// Whole seconds to announce in `Retry-After` for a wait (rounded up, at least 1).
pub fn retry_after_seconds(wait: Duration) -> u64 {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    seconds.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_read_per_second_minute_or_hour() {
        assert_eq!("120/min".parse::<RateLimit>().unwrap().per_minute, 120.0);
        assert_eq!("5/s".parse::<RateLimit>().unwrap().per_minute, 300.0);
        assert_eq!("5/s".parse::<RateLimit>().unwrap().burst, 5);
        assert_eq!("600/h".parse::<RateLimit>().unwrap().per_minute, 10.0);
        assert_eq!("30".parse::<RateLimit>().unwrap().per_minute, 30.0);
        for bad in ["0/min", "x/min", "5/day", "", "-1"] {
            let err = bad.parse::<RateLimit>().unwrap_err();
            assert!(err.to_string().contains("120/min"), "{bad}");
        }
    }

    #[test]
    fn a_bucket_empties_then_refills_and_keys_are_separate() {
        let limiter = RateLimiter::new(RateLimit::per_minute(3));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(&"a", t0).is_ok());
        }
        let wait = limiter.check(&"a", t0).unwrap_err();
        assert!(wait > Duration::from_secs(19) && wait <= Duration::from_secs(20));
        assert_eq!(retry_after_seconds(wait), 20);
        assert!(
            limiter.check(&"b", t0).is_ok(),
            "another key has its own bucket"
        );
        assert!(limiter.check(&"a", t0 + Duration::from_secs(20)).is_ok());
        assert!(limiter.check(&"a", t0 + Duration::from_secs(20)).is_err());
    }

    #[test]
    fn peeking_takes_nothing() {
        let limiter = RateLimiter::new(RateLimit::per_minute(1));
        let t0 = Instant::now();
        assert!(limiter.peek(&1, t0).is_ok());
        assert!(limiter.peek(&1, t0).is_ok());
        assert!(limiter.check(&1, t0).is_ok());
        assert!(limiter.peek(&1, t0).is_err());
        assert_eq!(retry_after_seconds(Duration::from_millis(10)), 1);
    }
}
