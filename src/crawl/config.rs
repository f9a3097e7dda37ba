//! The crawl configuration: a TOML file with limits, politeness and site profiles.
//!
//! Every section is optional and every key has a default, so an empty file is a valid
//! configuration; unknown keys are refused, so a misspelt limit is an error and not silently
//! ignored. [`EXAMPLE`] is a commented example (`lurewatch crawl --example-config`), checked by a
//! test to parse into exactly the defaults.

use std::time::Duration;

use serde::Deserialize;

use super::fetch::{DEFAULT_MAX_BODY_BYTES, DEFAULT_USER_AGENT, FetchConfig};
use super::politeness::PolitenessConfig;
use super::profile::{ProfileConfig, ProfileError, SiteProfile};

/// Longest re-crawl interval accepted: ten years.
const MAX_RECRAWL_HOURS: f64 = 87_600.0;

/// A commented example configuration with the default values.
pub const EXAMPLE: &str = include_str!("example-config.toml");

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The TOML is malformed or has unknown keys; the message names the line and key.
    #[error("{0}")]
    Toml(String),
    /// A site profile is unusable.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// A value is out of range.
    #[error("`{key}`: {reason}")]
    Value {
        /// The key.
        key: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// Crawl limits.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Links followed from a seed (seeds are depth 0).
    pub max_depth: u32,
    /// Pages fetched in one run, all hosts together.
    pub max_pages: u64,
    /// Pages fetched from one host in one run.
    pub max_pages_per_host: u64,
    /// Largest response body, after decompression, in bytes.
    pub max_body_bytes: usize,
    /// Redirects followed per fetch.
    pub max_redirects: usize,
    /// Longest URL queued or fetched.
    pub max_url_len: usize,
    /// Seconds to wait for a connection.
    pub connect_timeout_secs: f64,
    /// Seconds to wait for the next bytes of a response.
    pub read_timeout_secs: f64,
    /// Seconds a whole fetch may take.
    pub total_timeout_secs: f64,
    /// Attempts at a page that keeps failing with a temporary error before it is given up.
    pub max_attempts: u32,
    /// Fetches in flight, all hosts together.
    pub concurrency: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 5,
            max_pages: 10_000,
            max_pages_per_host: 2_000,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_redirects: 5,
            max_url_len: 2_048,
            connect_timeout_secs: 10.0,
            read_timeout_secs: 20.0,
            total_timeout_secs: 60.0,
            max_attempts: 4,
            concurrency: 16,
        }
    }
}

/// What to follow and obey.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    /// Obey robots.txt (RFC 9309). Turning this off is for your own sites only.
    pub robots_txt: bool,
    /// Queue the sitemaps that a host's robots.txt lists.
    pub robots_sitemaps: bool,
    /// Follow links only to the host of the page they are on (sitemaps and feeds included).
    pub stay_on_host: bool,
    /// Hours after which a page fetched by an earlier run is fetched again, with a conditional
    /// request (seeds and the links found on pages alike; pages that failed are always tried
    /// again, and a sitemap `lastmod` overrides this either way).
    pub recrawl_after_hours: f64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            robots_txt: true,
            robots_sitemaps: true,
            stay_on_host: true,
            recrawl_after_hours: 24.0,
        }
    }
}

/// The configuration as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default = "default_user_agent")]
    user_agent: String,
    #[serde(default)]
    limits: Limits,
    #[serde(default)]
    rules: Rules,
    #[serde(default)]
    politeness: Option<PolitenessConfig>,
    #[serde(default, rename = "profile")]
    profiles: Vec<ProfileConfig>,
}

fn default_user_agent() -> String {
    DEFAULT_USER_AGENT.to_string()
}

/// A checked crawl configuration.
#[derive(Debug, Clone)]
pub struct CrawlConfig {
    /// The User-Agent sent with every request: it names Lurewatch and a contact.
    pub user_agent: String,
    /// Limits.
    pub limits: Limits,
    /// What to follow and obey.
    pub rules: Rules,
    /// Per-host pacing.
    pub politeness: PolitenessConfig,
    /// Site profiles.
    pub profiles: Vec<SiteProfile>,
    /// Fetch private and loopback addresses (tests and your own sites only).
    pub allow_private: bool,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig {
            user_agent: default_user_agent(),
            limits: Limits::default(),
            rules: Rules::default(),
            politeness: PolitenessConfig::default(),
            profiles: Vec::new(),
            allow_private: false,
        }
    }
}

impl CrawlConfig {
    /// Reads a configuration from TOML.
    pub fn from_toml_str(text: &str) -> Result<CrawlConfig, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Toml(e.to_string()))?;
        let profiles = raw
            .profiles
            .into_iter()
            .map(SiteProfile::from_config)
            .collect::<Result<Vec<_>, _>>()?;
        let config = CrawlConfig {
            user_agent: raw.user_agent,
            limits: raw.limits,
            rules: raw.rules,
            politeness: raw.politeness.unwrap_or_default(),
            profiles,
            allow_private: false,
        };
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let positive = |key: &'static str, secs: f64| {
            if secs.is_finite() && secs > 0.0 && secs <= 86_400.0 {
                Ok(())
            } else {
                Err(ConfigError::Value {
                    key,
                    reason: format!("must be between 0 and 86400 seconds, not {secs}"),
                })
            }
        };
        positive(
            "limits.connect_timeout_secs",
            self.limits.connect_timeout_secs,
        )?;
        positive("limits.read_timeout_secs", self.limits.read_timeout_secs)?;
        positive("limits.total_timeout_secs", self.limits.total_timeout_secs)?;
        let hours = self.rules.recrawl_after_hours;
        if !(hours.is_finite() && (0.0..=MAX_RECRAWL_HOURS).contains(&hours)) {
            return Err(ConfigError::Value {
                key: "rules.recrawl_after_hours",
                reason: format!(
                    "must be between 0 and {MAX_RECRAWL_HOURS} (ten years), not {hours}"
                ),
            });
        }
        for (key, value) in [
            ("limits.concurrency", self.limits.concurrency as u64),
            ("limits.max_attempts", u64::from(self.limits.max_attempts)),
            ("limits.max_body_bytes", self.limits.max_body_bytes as u64),
            ("limits.max_url_len", self.limits.max_url_len as u64),
        ] {
            if value == 0 {
                return Err(ConfigError::Value {
                    key,
                    reason: "must be at least 1".into(),
                });
            }
        }
        super::fetch::validate_user_agent(&self.user_agent).map_err(|e| ConfigError::Value {
            key: "user_agent",
            reason: e.to_string(),
        })
    }

    /// The fetcher's settings.
    pub fn fetch_config(&self) -> FetchConfig {
        FetchConfig {
            user_agent: self.user_agent.clone(),
            connect_timeout: Duration::from_secs_f64(self.limits.connect_timeout_secs),
            read_timeout: Duration::from_secs_f64(self.limits.read_timeout_secs),
            total_timeout: Duration::from_secs_f64(self.limits.total_timeout_secs),
            max_body_bytes: self.limits.max_body_bytes,
            max_redirects: self.limits.max_redirects,
            max_url_len: self.limits.max_url_len,
            allow_private: self.allow_private,
            stay_on_host: true,
        }
    }

    /// How long before an earlier run's page is fetched again.
    pub fn recrawl_after(&self) -> Duration {
        Duration::from_secs_f64(self.rules.recrawl_after_hours * 3600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_parses_to_the_defaults() {
        let example = CrawlConfig::from_toml_str(EXAMPLE).unwrap();
        let defaults = CrawlConfig::default();
        assert_eq!(example.limits, defaults.limits);
        assert_eq!(example.rules, defaults.rules);
        assert_eq!(example.politeness, defaults.politeness);
        assert_eq!(example.user_agent, defaults.user_agent);
        assert_eq!(example.profiles.len(), 1, "the example shows one profile");
        let empty = CrawlConfig::from_toml_str("").unwrap();
        assert_eq!(empty.limits, defaults.limits);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused_by_name() {
        let err = CrawlConfig::from_toml_str("[limits]\nmax_pages_per_hots = 3\n").unwrap_err();
        assert!(err.to_string().contains("max_pages_per_hots"), "{err}");
        let err = CrawlConfig::from_toml_str("[rules]\nrecrawl_after_hours = 1e300\n").unwrap_err();
        assert!(err.to_string().contains("recrawl_after_hours"), "{err}");
        let err = CrawlConfig::from_toml_str("[limits]\nconcurrency = 0\n").unwrap_err();
        assert!(err.to_string().contains("limits.concurrency"), "{err}");
        let err = CrawlConfig::from_toml_str(
            "user_agent = \"Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0\"\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("user_agent"), "{err}");
    }
}
