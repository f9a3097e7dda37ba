//! The politeness settings, as configured (durations in milliseconds) and as checked.

use std::time::Duration;

use serde::Deserialize;

/// Longest any configured duration may be: one day.
pub const MAX_SETTING: Duration = Duration::from_secs(24 * 60 * 60);

/// How politely one host is crawled. Built by [`Default`] or deserialised from milliseconds
/// (`min_delay_ms` ...), which checks the values ([`PolitenessConfig::validate`]); the pacer
/// ([`HostPacer::new`](super::HostPacer::new)) also clamps values built in code into range (no
/// concurrency below 1, no duration above [`MAX_SETTING`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawConfig")]
pub struct PolitenessConfig {
    /// Whether to pace at all. When `false` there are no delays, backoffs or pauses; only the
    /// concurrency bound remains (for benchmarks against local servers).
    pub enabled: bool,
    /// Shortest time between two request starts (`min_delay_ms`, default 1 s).
    pub min_delay: Duration,
    /// Most requests in flight at once (default 2).
    pub max_concurrency: usize,
    /// Longest robots.txt `Crawl-delay` honoured (`crawl_delay_cap_ms`, default 30 s).
    pub crawl_delay_cap: Duration,
    /// The delay is at least this many times the smoothed response time (default 2.0).
    pub latency_factor: f64,
    /// Cap on the delay that comes from response times (`max_delay_ms`, default 60 s); the
    /// minimum delay and the Crawl-delay are always honoured.
    pub max_delay: Duration,
    /// Pause after the first error in a row; each further error doubles it
    /// (`backoff_base_ms`, default 2 s).
    pub backoff_base: Duration,
    /// Longest pause after errors (`backoff_max_ms`, default 10 min).
    pub backoff_max: Duration,
    /// Longest `Retry-After` honoured (`retry_after_cap_ms`, default 1 h).
    pub retry_after_cap: Duration,
}

impl Default for PolitenessConfig {
    fn default() -> Self {
        PolitenessConfig {
            enabled: true,
            min_delay: Duration::from_secs(1),
            max_concurrency: 2,
            crawl_delay_cap: Duration::from_secs(30),
            latency_factor: 2.0,
            max_delay: Duration::from_secs(60),
            backoff_base: Duration::from_secs(2),
            backoff_max: Duration::from_secs(600),
            retry_after_cap: Duration::from_secs(3600),
        }
    }
}

/// A politeness setting that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// `max_concurrency` is 0: nothing could ever be fetched.
    #[error("max_concurrency must be at least 1")]
    ZeroConcurrency,
    /// `latency_factor` is negative or not a number.
    #[error("latency_factor must be a finite number of at least 0, not {0}")]
    LatencyFactor(f64),
    /// A duration is longer than [`MAX_SETTING`].
    #[error("{field} is {ms} ms; at most {} ms is allowed", MAX_SETTING.as_millis())]
    TooLong {
        /// The setting's name.
        field: &'static str,
        /// Its value.
        ms: u128,
    },
    /// A minimum is larger than its maximum.
    #[error("{low} must not be larger than {high}")]
    Order {
        /// The setting that should be smaller.
        low: &'static str,
        /// The setting that should be larger.
        high: &'static str,
    },
}

impl PolitenessConfig {
    /// Checks that the settings can be used together.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.max_concurrency == 0 {
            return Err(ConfigError::ZeroConcurrency);
        }
        if !self.latency_factor.is_finite() || self.latency_factor < 0.0 {
            return Err(ConfigError::LatencyFactor(self.latency_factor));
        }
        for (field, value) in [
            ("min_delay_ms", self.min_delay),
            ("crawl_delay_cap_ms", self.crawl_delay_cap),
            ("max_delay_ms", self.max_delay),
            ("backoff_base_ms", self.backoff_base),
            ("backoff_max_ms", self.backoff_max),
            ("retry_after_cap_ms", self.retry_after_cap),
        ] {
            if value > MAX_SETTING {
                let ms = value.as_millis();
                return Err(ConfigError::TooLong { field, ms });
            }
        }
        if self.min_delay > self.max_delay {
            return Err(ConfigError::Order {
                low: "min_delay_ms",
                high: "max_delay_ms",
            });
        }
        if self.backoff_base > self.backoff_max {
            return Err(ConfigError::Order {
                low: "backoff_base_ms",
                high: "backoff_max_ms",
            });
        }
        Ok(())
    }

    /// The settings brought into range, for configurations built in code.
    pub(super) fn clamped(&self) -> PolitenessConfig {
        let clamp = |d: Duration| d.min(MAX_SETTING);
        let factor = self.latency_factor;
        PolitenessConfig {
            enabled: self.enabled,
            min_delay: clamp(self.min_delay),
            max_concurrency: self.max_concurrency.max(1),
            crawl_delay_cap: clamp(self.crawl_delay_cap),
            latency_factor: if factor.is_finite() {
                factor.max(0.0)
            } else {
                0.0
            },
            max_delay: clamp(self.max_delay),
            backoff_base: clamp(self.backoff_base),
            backoff_max: clamp(self.backoff_max),
            retry_after_cap: clamp(self.retry_after_cap),
        }
    }
}

/// The configuration as written: durations in milliseconds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawConfig {
    enabled: bool,
    min_delay_ms: u64,
    max_concurrency: usize,
    crawl_delay_cap_ms: u64,
    latency_factor: f64,
    max_delay_ms: u64,
    backoff_base_ms: u64,
    backoff_max_ms: u64,
    retry_after_cap_ms: u64,
}

impl Default for RawConfig {
    fn default() -> Self {
        let d = PolitenessConfig::default();
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        RawConfig {
            enabled: d.enabled,
            min_delay_ms: ms(d.min_delay),
            max_concurrency: d.max_concurrency,
            crawl_delay_cap_ms: ms(d.crawl_delay_cap),
            latency_factor: d.latency_factor,
            max_delay_ms: ms(d.max_delay),
            backoff_base_ms: ms(d.backoff_base),
            backoff_max_ms: ms(d.backoff_max),
            retry_after_cap_ms: ms(d.retry_after_cap),
        }
    }
}

impl TryFrom<RawConfig> for PolitenessConfig {
    type Error = ConfigError;

    fn try_from(raw: RawConfig) -> Result<Self, ConfigError> {
        let config = PolitenessConfig {
            enabled: raw.enabled,
            min_delay: Duration::from_millis(raw.min_delay_ms),
            max_concurrency: raw.max_concurrency,
            crawl_delay_cap: Duration::from_millis(raw.crawl_delay_cap_ms),
            latency_factor: raw.latency_factor,
            max_delay: Duration::from_millis(raw.max_delay_ms),
            backoff_base: Duration::from_millis(raw.backoff_base_ms),
            backoff_max: Duration::from_millis(raw.backoff_max_ms),
            retry_after_cap: Duration::from_millis(raw.retry_after_cap_ms),
        };
        config.validate()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_section_gives_the_defaults() {
        let config: PolitenessConfig = toml::from_str("").unwrap();
        assert_eq!(config, PolitenessConfig::default());
        assert_eq!(config.min_delay, Duration::from_secs(1));
        assert_eq!(config.max_concurrency, 2);
        assert_eq!(config.backoff_max, Duration::from_secs(600));
    }

    #[test]
    fn durations_are_read_in_milliseconds() {
        let config: PolitenessConfig =
            toml::from_str("min_delay_ms = 250\nmax_concurrency = 4\nenabled = false\n").unwrap();
        assert_eq!(config.min_delay, Duration::from_millis(250));
        assert_eq!(config.max_concurrency, 4);
        assert!(!config.enabled);
        assert_eq!(
            config.crawl_delay_cap,
            Duration::from_secs(30),
            "default kept"
        );
    }

    #[test]
    fn unknown_keys_and_unusable_values_are_refused() {
        let error = |text: &str| {
            toml::from_str::<PolitenessConfig>(text)
                .unwrap_err()
                .to_string()
        };
        assert!(
            error("min_delay = 5").contains("unknown field"),
            "units are in the key"
        );
        assert!(error("max_concurrency = 0").contains("at least 1"));
        assert!(error("latency_factor = -1.0").contains("latency_factor"));
        assert!(error("min_delay_ms = 90000000").contains("at most"));
        assert!(error("min_delay_ms = 70000").contains("min_delay_ms must not be larger"));
        assert!(error("backoff_base_ms = 700000").contains("backoff_base_ms"));
    }

    #[test]
    fn values_built_in_code_are_clamped_into_range() {
        let wild = PolitenessConfig {
            max_concurrency: 0,
            latency_factor: f64::NAN,
            min_delay: Duration::MAX,
            ..PolitenessConfig::default()
        };
        assert!(wild.validate().is_err());
        let clamped = wild.clamped();
        assert_eq!(clamped.max_concurrency, 1);
        assert_eq!(clamped.latency_factor, 0.0);
        assert_eq!(clamped.min_delay, MAX_SETTING);
    }
}
