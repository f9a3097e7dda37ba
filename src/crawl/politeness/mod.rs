//! Per-host politeness: when the next request to one host may start.
//!
//! The crawl engine keeps one [`HostPacer`] per host and asks it before each request. The pacer
//! keeps request starts at least [`HostPacer::current_delay`] apart: the configured minimum,
//! the host's robots.txt `Crawl-delay` (up to a cap), or a multiple of the host's smoothed
//! response time (an exponentially weighted average), whichever is longest. It bounds the
//! requests in flight, and after errors pauses the host: for the `Retry-After` of a 429 or 503
//! (capped), or else for an exponential backoff, `backoff_base × 2^(errors in a row − 1)` up to
//! `backoff_max`, with equal jitter (a random pause between half and all of it, so pauses still
//! grow while hosts shared by many crawlers are not hit in step).
//!
//! It is pure logic: the caller passes the time in, so the pacer does no I/O, never sleeps, and
//! behaves the same in every test run (jitter comes from a seedable generator).
//!
//! Configuration gives durations in milliseconds, the unit in each key's name; every key is
//! optional (these are the defaults) and unknown keys are refused:
//!
//! ```toml
//! enabled = true
//! min_delay_ms = 1000
//! max_concurrency = 2
//! crawl_delay_cap_ms = 30000
//! latency_factor = 2.0
//! max_delay_ms = 60000
//! backoff_base_ms = 2000
//! backoff_max_ms = 600000
//! retry_after_cap_ms = 3600000
//! ```

mod config;
mod pacer;

use std::time::{Duration, SystemTime};

pub use config::{ConfigError, MAX_SETTING, PolitenessConfig};
pub use pacer::{HostPacer, Outcome};

/// Reads a `Retry-After` header value, delay-seconds or an HTTP date, as a wait from `now`
/// (zero for a date already past). `None` when it is neither.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Fri, 06 Nov 2026 08:49:37 GMT").unwrap();
        assert_eq!(retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(
            retry_after("Fri, 06 Nov 2026 08:51:37 GMT", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            retry_after("Fri, 06 Nov 2026 08:00:00 GMT", now),
            Some(Duration::ZERO),
            "a date already past"
        );
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("-5", now), None);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Wait(u64),
        Start,
        Finish(u8, u64),
        CrawlDelay(Option<u64>),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..4000u64).prop_map(Op::Wait),
            Just(Op::Start),
            (0..4u8, 0..20_000u64).prop_map(|(k, ms)| Op::Finish(k, ms)),
            proptest::option::of(0..60_000u64).prop_map(Op::CrawlDelay),
        ]
    }

    proptest! {
        #[test]
        fn starts_are_never_closer_than_the_minimum_delay(
            min_delay_ms in 0..3000u64,
            max_concurrency in 1..4usize,
            seed in any::<u64>(),
            ops in proptest::collection::vec(op(), 1..120),
        ) {
            let config = PolitenessConfig {
                min_delay: Duration::from_millis(min_delay_ms),
                max_concurrency,
                ..PolitenessConfig::default()
            };
            let mut p = HostPacer::with_seed(&config, seed);
            let mut now = Instant::now();
            let mut last_start: Option<Instant> = None;
            for op in ops {
                match op {
                    Op::Wait(ms) => now += Duration::from_millis(ms),
                    Op::Start => {
                        let next = p.next_start(now);
                        prop_assert!(next.is_none_or(|at| at >= now));
                        let started = p.try_start(now);
                        prop_assert_eq!(started, next == Some(now));
                        if started {
                            if let Some(last) = last_start {
                                prop_assert!(now - last >= config.min_delay);
                            }
                            last_start = Some(now);
                        }
                    }
                    Op::Finish(kind, ms) => {
                        let outcome = match kind {
                            0 => Outcome::Success { latency: Duration::from_millis(ms) },
                            1 => Outcome::ServerError,
                            2 => Outcome::Throttled { retry_after: Some(Duration::from_millis(ms)) },
                            _ => Outcome::NetworkError,
                        };
                        p.finish(now, outcome);
                    }
                    Op::CrawlDelay(ms) => p.set_crawl_delay(ms.map(Duration::from_millis)),
                }
                prop_assert!(p.in_flight() <= max_concurrency);
                prop_assert!(p.current_delay() >= config.min_delay);
            }
        }
    }
}
