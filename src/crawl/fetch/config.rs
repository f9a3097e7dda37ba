//! What the fetcher may do: timeouts, size limits, redirects, the user agent, and whether private
//! addresses are allowed.
//!
//! [`FetchConfig::default`] is what the crawler uses unless told otherwise. The user agent is
//! checked by [`validate_user_agent`] when a [`Fetcher`](super::Fetcher) is built: Lurewatch
//! always says who it is and how to reach its operators, and never poses as a browser.

use std::time::Duration;

use super::FetchError;

/// Five mebibytes: the default cap on a decompressed body.
pub const DEFAULT_MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

/// The default user agent: product, version, and where to read about the project.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "Lurewatch/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/lurewatch/lurewatch; job-ad safety research)"
);

/// Settings for a [`Fetcher`](super::Fetcher).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchConfig {
    /// The `User-Agent` header. Must name Lurewatch and give a contact; see
    /// [`validate_user_agent`].
    pub user_agent: String,
    /// Longest wait for DNS resolution plus a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Longest wait for the response headers or for the next piece of the body.
    pub read_timeout: Duration,
    /// Longest time for a whole fetch, redirects included, from the first request to the last
    /// body byte.
    pub total_timeout: Duration,
    /// Largest body accepted, counted after decompression (which is what stops gzip bombs). A
    /// `Content-Length` above it is refused before the body is read.
    pub max_body_bytes: usize,
    /// Most redirects followed in one fetch.
    pub max_redirects: usize,
    /// Longest URL fetched, in bytes, for the request and for every redirect target.
    pub max_url_len: usize,
    /// Allow loopback, private, link-local and other non-public addresses (`--allow-private`).
    /// Off by default: the crawler stays out of private networks.
    pub allow_private: bool,
    /// Stop at a redirect to another host (or port) instead of following it, and return it with
    /// its target in [`Fetched::redirect_to`](super::Fetched::redirect_to): the crawler then
    /// queues the target under its own host, so that host's robots.txt and pacing apply before
    /// anything is requested from it.
    pub stay_on_host: bool,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: DEFAULT_USER_AGENT.to_string(),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(20),
            total_timeout: Duration::from_secs(60),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_redirects: 5,
            max_url_len: 2048,
            allow_private: false,
            stay_on_host: false,
        }
    }
}

/// Browser tokens a Lurewatch user agent must not contain.
const BROWSER_TOKENS: [&str; 4] = ["chrome/", "safari/", "gecko/", "firefox/"];

/// Checks that a user agent identifies Lurewatch honestly: it contains "Lurewatch" (any case),
/// a contact (an `http://` or `https://` URL, or an e-mail address with `@`), and nothing that
/// makes it look like a browser (`Mozilla/` at the start, `Chrome/`, `Safari/`, `Gecko/`,
/// `Firefox/`).
pub fn validate_user_agent(user_agent: &str) -> Result<(), FetchError> {
    let refuse = |reason: &str| {
        Err(FetchError::InvalidUserAgent {
            user_agent: user_agent.to_string(),
            reason: reason.to_string(),
        })
    };
    let lower = user_agent.to_ascii_lowercase();
    if user_agent.trim().is_empty() {
        return refuse("it is empty");
    }
    if user_agent
        .bytes()
        .any(|b| b.is_ascii_control() || !b.is_ascii())
    {
        return refuse("it must be printable ASCII on one line");
    }
    if lower.starts_with("mozilla/") {
        return refuse("it starts with `Mozilla/`, like a browser; Lurewatch never poses as one");
    }
    // The user agent is ASCII (checked above), so offsets in `lower` are offsets in it too.
    let browser = BROWSER_TOKENS
        .iter()
        .find_map(|t| lower.find(t).map(|at| &user_agent[at..at + t.len()]));
    if let Some(token) = browser {
        return refuse(&format!(
            "it contains the browser token `{token}`; Lurewatch never poses as a browser"
        ));
    }
    if !lower.contains("lurewatch") {
        return refuse("it must contain \"Lurewatch\" so site operators know who is crawling");
    }
    if !(lower.contains("http://") || lower.contains("https://") || lower.contains('@')) {
        return refuse(
            "it must give a contact, an http(s):// URL or an e-mail address, \
             so site operators can reach us",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(ua: &str) -> String {
        match validate_user_agent(ua) {
            Err(FetchError::InvalidUserAgent { reason, .. }) => reason,
            other => panic!("{ua:?} should be refused, got {other:?}"),
        }
    }

    #[test]
    fn default_user_agent_is_valid_and_versioned() {
        assert!(validate_user_agent(DEFAULT_USER_AGENT).is_ok());
        assert!(
            DEFAULT_USER_AGENT.starts_with(&format!("Lurewatch/{} ", env!("CARGO_PKG_VERSION")))
        );
        assert!(validate_user_agent(&FetchConfig::default().user_agent).is_ok());
    }

    #[test]
    fn operator_user_agents_with_a_contact_are_accepted() {
        for ua in [
            "lurewatch-ngo/1.0 (ops@example.org)",
            "MyOrg LureWatch crawler (+http://example.org/crawler)",
        ] {
            assert!(validate_user_agent(ua).is_ok(), "{ua}");
        }
    }

    #[test]
    fn browser_strings_are_refused() {
        assert!(reason("Mozilla/5.0 Lurewatch (+https://x.org)").contains("Mozilla/"));
        assert!(reason("Lurewatch/1 (+https://x.org) Chrome/120.0").contains("Chrome"));
        assert!(reason("Lurewatch/1 (+https://x.org) Safari/537.36").contains("Safari"));
        assert!(reason("Lurewatch/1 (+https://x.org) Gecko/20100101").contains("Gecko"));
        assert!(reason("Lurewatch/1 (+https://x.org) firefox/120").contains("firefox"));
    }

    #[test]
    fn missing_name_or_contact_is_refused() {
        assert!(reason("SomeBot/1.0 (+https://example.org)").contains("Lurewatch"));
        assert!(reason("Lurewatch/1.0").contains("contact"));
        assert!(reason("").contains("empty"));
        assert!(reason("Lurewatch (a@b.org)\r\nX-Evil: 1").contains("one line"));
    }

    #[test]
    fn the_message_names_the_user_agent() {
        let err = validate_user_agent("Lurewatch/1.0").unwrap_err();
        assert!(err.to_string().contains("\"Lurewatch/1.0\""), "{err}");
    }
}
