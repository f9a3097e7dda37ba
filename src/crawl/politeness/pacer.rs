//! The pacer of one host: request spacing, concurrency, adaptive delay, backoff.

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{MAX_SETTING, PolitenessConfig};

/// Weight of the newest response time in the smoothed latency.
const LATENCY_ALPHA: f64 = 0.3;

/// How a request to the host ended, as far as pacing is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A response came back after `latency` (any status that is not one of the below, 404
    /// included).
    Success {
        /// Time from the request's start to its response.
        latency: Duration,
    },
    /// A 5xx response other than 503.
    ServerError,
    /// 429, or 503, with the `Retry-After` it gave (see [`retry_after`](super::retry_after)).
    Throttled {
        /// How long the host asked to wait.
        retry_after: Option<Duration>,
    },
    /// No response: connection refused or reset, timeout, TLS failure.
    NetworkError,
}

/// Paces the requests to one host. Spacing is measured between request starts.
#[derive(Debug, Clone)]
pub struct HostPacer {
    config: PolitenessConfig,
    crawl_delay: Duration,
    last_start: Option<Instant>,
    paused_until: Option<Instant>,
    in_flight: usize,
    /// Smoothed response time in seconds.
    latency: Option<f64>,
    error_streak: u32,
    rng: StdRng,
}

impl HostPacer {
    /// A pacer for a host not yet visited, with jitter from a random seed.
    pub fn new(config: &PolitenessConfig) -> Self {
        Self::with_seed(config, rand::random())
    }

    /// A pacer whose jitter comes from `seed`, for reproducible runs.
    pub fn with_seed(config: &PolitenessConfig, seed: u64) -> Self {
        HostPacer {
            config: config.clamped(),
            crawl_delay: Duration::ZERO,
            last_start: None,
            paused_until: None,
            in_flight: 0,
            latency: None,
            error_streak: 0,
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// Sets the host's robots.txt `Crawl-delay`, honoured up to the configured cap.
    pub fn set_crawl_delay(&mut self, delay: Option<Duration>) {
        self.crawl_delay = delay.unwrap_or_default().min(self.config.crawl_delay_cap);
    }

    /// The spacing now required between request starts: the longest of the minimum delay,
    /// the Crawl-delay and `latency_factor` × the smoothed response time (that last one capped
    /// at `max_delay`). Zero when politeness is disabled. Backoff pauses are separate.
    pub fn current_delay(&self) -> Duration {
        if !self.config.enabled {
            return Duration::ZERO;
        }
        let adaptive = self.latency.map_or(Duration::ZERO, |seconds| {
            Duration::try_from_secs_f64(seconds * self.config.latency_factor)
                .unwrap_or(self.config.max_delay)
                .min(self.config.max_delay)
        });
        self.config.min_delay.max(self.crawl_delay).max(adaptive)
    }

    /// The earliest time, not before `now`, at which a request may start; `None` while the
    /// most requests allowed are in flight.
    pub fn next_start(&self, now: Instant) -> Option<Instant> {
        if self.in_flight >= self.config.max_concurrency {
            return None;
        }
        let spaced = self.last_start.map(|t| later(t, self.current_delay()));
        Some(
            [Some(now), spaced, self.paused_until]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(now),
        )
    }

    /// Starts a request at `now` if one may start then; `false` means ask [`next_start`] when.
    ///
    /// [`next_start`]: HostPacer::next_start
    pub fn try_start(&mut self, now: Instant) -> bool {
        match self.next_start(now) {
            Some(at) if at <= now => {
                self.in_flight += 1;
                self.last_start = Some(now);
                true
            }
            _ => false,
        }
    }

    /// Ends a request started by [`try_start`](HostPacer::try_start): a success updates the
    /// smoothed response time and clears the error streak; an error lengthens the streak and
    /// pauses the host for the backoff (or for the `Retry-After`, capped).
    pub fn finish(&mut self, now: Instant, outcome: Outcome) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let pause = match outcome {
            Outcome::Success { latency } => {
                let seconds = latency.min(MAX_SETTING).as_secs_f64();
                self.latency = Some(self.latency.map_or(seconds, |old| {
                    LATENCY_ALPHA * seconds + (1.0 - LATENCY_ALPHA) * old
                }));
                self.error_streak = 0;
                return;
            }
            Outcome::Throttled {
                retry_after: Some(wait),
            } => {
                self.error_streak = self.error_streak.saturating_add(1);
                wait.min(self.config.retry_after_cap)
            }
            Outcome::ServerError | Outcome::NetworkError | Outcome::Throttled { .. } => {
                self.error_streak = self.error_streak.saturating_add(1);
                self.backoff()
            }
        };
        if self.config.enabled {
            let until = later(now, pause);
            self.paused_until = Some(self.paused_until.map_or(until, |p| p.max(until)));
        }
    }

    /// Requests started and not yet finished.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Errors in a row since the last success.
    pub fn error_streak(&self) -> u32 {
        self.error_streak
    }

    /// The smoothed response time, once a response has been seen.
    pub fn smoothed_latency(&self) -> Option<Duration> {
        self.latency
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
    }

    /// Until when the host is paused after errors, if it ever was.
    pub fn paused_until(&self) -> Option<Instant> {
        self.paused_until
    }

    /// `min(backoff_max, backoff_base × 2^(streak − 1))`, of which a random half is waived
    /// ("equal jitter": the pause is between half and all of it, so it still grows).
    fn backoff(&mut self) -> Duration {
        let full = backoff_ceiling(&self.config, self.error_streak);
        let half = full / 2;
        half + (full - half).mul_f64(self.rng.random::<f64>())
    }
}

/// The un-jittered backoff after `streak` errors in a row.
fn backoff_ceiling(config: &PolitenessConfig, streak: u32) -> Duration {
    let doublings = streak.saturating_sub(1).min(31);
    config
        .backoff_base
        .saturating_mul(1 << doublings)
        .min(config.backoff_max)
}

/// `t + d`; durations are clamped to [`MAX_SETTING`], so this does not overflow in practice.
fn later(t: Instant, d: Duration) -> Instant {
    t.checked_add(d).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    fn pacer() -> (HostPacer, Instant) {
        (
            HostPacer::with_seed(&PolitenessConfig::default(), 7),
            Instant::now(),
        )
    }

    #[test]
    fn starts_are_spaced_by_the_minimum_delay() {
        let (mut p, t0) = pacer();
        assert_eq!(p.next_start(t0), Some(t0));
        assert!(p.try_start(t0));
        assert_eq!(p.next_start(t0 + secs(0.4)), Some(t0 + secs(1.0)));
        assert!(!p.try_start(t0 + secs(0.999)));
        assert!(p.try_start(t0 + secs(1.0)));
        assert_eq!(p.in_flight(), 2);
    }

    #[test]
    fn crawl_delay_is_honoured_up_to_the_cap() {
        let (mut p, _) = pacer();
        p.set_crawl_delay(Some(secs(5.0)));
        assert_eq!(p.current_delay(), secs(5.0));
        p.set_crawl_delay(Some(secs(3600.0)));
        assert_eq!(p.current_delay(), secs(30.0));
        p.set_crawl_delay(Some(secs(0.2)));
        assert_eq!(
            p.current_delay(),
            secs(1.0),
            "never below the minimum delay"
        );
        p.set_crawl_delay(None);
        assert_eq!(p.current_delay(), secs(1.0));
    }

    #[test]
    fn no_more_than_max_concurrency_requests_are_in_flight() {
        let (mut p, t0) = pacer();
        assert!(p.try_start(t0));
        assert!(p.try_start(t0 + secs(1.0)));
        assert_eq!(p.next_start(t0 + secs(10.0)), None);
        assert!(!p.try_start(t0 + secs(10.0)));
        let latency = secs(0.1);
        p.finish(t0 + secs(10.0), Outcome::Success { latency });
        assert_eq!(p.next_start(t0 + secs(10.0)), Some(t0 + secs(10.0)));
        assert!(p.try_start(t0 + secs(10.0)));
    }

    #[test]
    fn the_delay_follows_slow_responses_and_comes_back() {
        let (mut p, t0) = pacer();
        for _ in 0..20 {
            p.finish(t0, Outcome::Success { latency: secs(3.0) });
        }
        let slow = p.current_delay();
        assert!(
            slow > secs(5.9) && slow <= secs(6.0),
            "2 × 3 s, got {slow:?}"
        );
        p.finish(t0, Outcome::Success { latency: secs(0.1) });
        let easing = p.current_delay();
        assert!(
            easing < slow && easing > secs(4.0),
            "smoothed, not jumping: {easing:?}"
        );
        for _ in 0..20 {
            p.finish(t0, Outcome::Success { latency: secs(0.1) });
        }
        assert_eq!(p.current_delay(), secs(1.0), "back to the minimum");
        for _ in 0..5 {
            p.finish(
                t0,
                Outcome::Success {
                    latency: secs(500.0),
                },
            );
        }
        assert_eq!(p.current_delay(), secs(60.0), "capped at max_delay");
    }

    #[test]
    fn errors_back_off_exponentially_within_bounds() {
        let (mut p, t0) = pacer();
        let mut pauses = Vec::new();
        for streak in 1..=12u32 {
            p.finish(t0, Outcome::ServerError);
            let pause = p.next_start(t0).unwrap() - t0;
            let ceiling = secs(2.0 * 2f64.powi(streak as i32 - 1)).min(secs(600.0));
            assert!(
                pause >= ceiling / 2 && pause <= ceiling,
                "{streak}: {pause:?}"
            );
            assert_eq!(p.error_streak(), streak);
            pauses.push(pause);
            p.paused_until = None;
        }
        assert!(
            pauses[11] >= secs(300.0),
            "capped at backoff_max, half of it at least"
        );
        p.finish(t0, Outcome::Success { latency: secs(0.1) });
        assert_eq!(p.error_streak(), 0);
        p.finish(t0, Outcome::NetworkError);
        assert!(
            p.next_start(t0).unwrap() - t0 <= secs(2.0),
            "the streak restarted"
        );
    }

    #[test]
    fn backoff_is_jittered() {
        let t0 = Instant::now();
        let pauses: Vec<Duration> = (0..8)
            .map(|seed| {
                let mut p = HostPacer::with_seed(&PolitenessConfig::default(), seed);
                p.finish(t0, Outcome::NetworkError);
                p.next_start(t0).unwrap() - t0
            })
            .collect();
        assert!(pauses.iter().all(|d| *d >= secs(1.0) && *d <= secs(2.0)));
        assert!(pauses.windows(2).any(|w| w[0] != w[1]), "{pauses:?}");
        let again = |seed| {
            let mut p = HostPacer::with_seed(&PolitenessConfig::default(), seed);
            p.finish(t0, Outcome::NetworkError);
            p.paused_until()
        };
        assert_eq!(again(3), again(3), "a seed reproduces the jitter");
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let (mut p, t0) = pacer();
        assert!(p.try_start(t0));
        let retry_after = Some(secs(120.0));
        p.finish(t0 + secs(1.0), Outcome::Throttled { retry_after });
        assert_eq!(p.next_start(t0 + secs(2.0)), Some(t0 + secs(121.0)));
        let retry_after = Some(secs(86_400.0 * 7.0));
        p.finish(t0 + secs(1.0), Outcome::Throttled { retry_after });
        assert_eq!(p.next_start(t0 + secs(2.0)), Some(t0 + secs(3601.0)));
        let (mut q, t0) = pacer();
        q.finish(t0, Outcome::Throttled { retry_after: None });
        let pause = q.next_start(t0).unwrap() - t0;
        assert!(
            pause >= secs(1.0) && pause <= secs(2.0),
            "backoff without Retry-After"
        );
    }

    #[test]
    fn disabled_politeness_has_no_delays_but_bounds_concurrency() {
        let config = PolitenessConfig {
            enabled: false,
            ..PolitenessConfig::default()
        };
        let mut p = HostPacer::with_seed(&config, 1);
        let t0 = Instant::now();
        p.set_crawl_delay(Some(secs(10.0)));
        assert_eq!(p.current_delay(), Duration::ZERO);
        assert!(p.try_start(t0));
        assert!(p.try_start(t0));
        assert!(!p.try_start(t0), "still at most two in flight");
        p.finish(
            t0,
            Outcome::Throttled {
                retry_after: Some(secs(60.0)),
            },
        );
        p.finish(t0, Outcome::ServerError);
        assert_eq!(p.next_start(t0), Some(t0));
    }

    #[test]
    fn finishing_more_than_was_started_does_not_underflow() {
        let (mut p, t0) = pacer();
        p.finish(t0, Outcome::NetworkError);
        assert_eq!(p.in_flight(), 0);
    }
}
