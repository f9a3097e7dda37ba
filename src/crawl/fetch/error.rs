//! Why a fetch failed, in terms the crawler can act on.
//!
//! Every variant names the URL it concerns (the redirect hop, when the failure came after a
//! redirect) and a plain reason. [`FetchError::is_retryable`] tells passing trouble (timeouts,
//! refused connections, temporary DNS failures, interrupted bodies) from answers that will not
//! change; [`FetchError::kind`] is a short stable name for per-host error counts.
//! URLs are boxed to keep the error small on the `Result` path.
//! HTTP error statuses are not errors here: they come back as a
//! [`Fetched`](super::Fetched) with their status.

use std::error::Error as _;
use std::net::IpAddr;

use url::Url;

use super::guard::ResolveError;

/// Why a fetch (or building a fetcher) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The URL cannot be fetched: not http or https, too long, or without a host.
    #[error("cannot fetch {url}: {reason}")]
    InvalidUrl {
        /// The URL as written.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The host is, or resolves only to, loopback, private, link-local or other non-public
    /// addresses, and private addresses are not allowed.
    #[error(
        "refused to fetch {url}: {host} is a non-public address ({list}); \
         the crawler stays out of private networks unless --allow-private is given",
        list = join_addresses(.addresses)
    )]
    PrivateAddress {
        /// The URL refused.
        url: Box<Url>,
        /// Its host.
        host: String,
        /// The addresses the host is or resolved to.
        addresses: Vec<IpAddr>,
    },
    /// The host name could not be resolved.
    #[error("cannot fetch {url}: DNS lookup failed: {reason}")]
    Dns {
        /// The URL being fetched.
        url: Box<Url>,
        /// What the resolver said.
        reason: String,
        /// Whether the failure is temporary (the resolver said "try again", or timed out).
        temporary: bool,
    },
    /// No connection could be made (refused, reset, TLS failure, unreachable network).
    #[error("cannot connect for {url}: {reason}")]
    Connect {
        /// The URL being fetched.
        url: Box<Url>,
        /// What went wrong.
        reason: String,
    },
    /// A timeout ran out: connecting, waiting for the response, reading the body, or the whole
    /// fetch.
    #[error("fetching {url} timed out: {reason}")]
    Timeout {
        /// The URL being fetched.
        url: Box<Url>,
        /// Which timeout, and how long it was.
        reason: String,
    },
    /// The request failed for another reason (the server closed the connection, broke the
    /// protocol, ...).
    #[error("fetching {url} failed: {reason}")]
    Request {
        /// The URL being fetched.
        url: Box<Url>,
        /// What went wrong.
        reason: String,
    },
    /// Reading the body was interrupted, or the body could not be decompressed.
    #[error("reading the body of {url} failed: {reason}")]
    Body {
        /// The URL being fetched.
        url: Box<Url>,
        /// What went wrong.
        reason: String,
    },
    /// The body is larger than allowed (after decompression, or by its `Content-Length`).
    #[error("the body of {url} is larger than the limit of {limit} bytes")]
    BodyTooLarge {
        /// The URL being fetched.
        url: Box<Url>,
        /// The limit in bytes.
        limit: usize,
    },
    /// More redirects than allowed.
    #[error("{url} redirects more than {limit} times")]
    TooManyRedirects {
        /// The URL that redirected once too often.
        url: Box<Url>,
        /// The limit.
        limit: usize,
    },
    /// A redirect led back to a URL already in the chain.
    #[error("redirect loop: {url} was already visited in this fetch")]
    RedirectLoop {
        /// The URL visited twice.
        url: Box<Url>,
    },
    /// A redirect response without a usable `Location` header.
    #[error("{url} redirects without a usable Location: {reason}")]
    BadRedirect {
        /// The URL that redirected.
        url: Box<Url>,
        /// What is wrong with the `Location` header.
        reason: String,
    },
    /// The configured user agent is not acceptable.
    #[error("user agent {user_agent:?} is not allowed: {reason}")]
    InvalidUserAgent {
        /// The user agent given.
        user_agent: String,
        /// Why it is refused.
        reason: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {reason}")]
    Client {
        /// What went wrong.
        reason: String,
    },
}

impl FetchError {
    /// Whether trying again later may succeed: timeouts, connection failures, temporary DNS
    /// failures, interrupted requests and bodies. Refusals (private address, size limit,
    /// redirect problems, bad URL or configuration) and permanent DNS failures are not.
    pub fn is_retryable(&self) -> bool {
        match self {
            FetchError::Timeout { .. }
            | FetchError::Connect { .. }
            | FetchError::Request { .. }
            | FetchError::Body { .. } => true,
            FetchError::Dns { temporary, .. } => *temporary,
            FetchError::InvalidUrl { .. }
            | FetchError::PrivateAddress { .. }
            | FetchError::BodyTooLarge { .. }
            | FetchError::TooManyRedirects { .. }
            | FetchError::RedirectLoop { .. }
            | FetchError::BadRedirect { .. }
            | FetchError::InvalidUserAgent { .. }
            | FetchError::Client { .. } => false,
        }
    }

    /// The URL the failure concerns (the redirect hop, after a redirect), when it is a valid
    /// URL; `None` for an invalid URL and for configuration errors.
    pub fn url(&self) -> Option<&Url> {
        match self {
            FetchError::PrivateAddress { url, .. }
            | FetchError::Dns { url, .. }
            | FetchError::Connect { url, .. }
            | FetchError::Timeout { url, .. }
            | FetchError::Request { url, .. }
            | FetchError::Body { url, .. }
            | FetchError::BodyTooLarge { url, .. }
            | FetchError::TooManyRedirects { url, .. }
            | FetchError::RedirectLoop { url }
            | FetchError::BadRedirect { url, .. } => Some(url),
            FetchError::InvalidUrl { .. }
            | FetchError::InvalidUserAgent { .. }
            | FetchError::Client { .. } => None,
        }
    }

    /// A short, stable name for the kind of failure, for counting errors per host.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::InvalidUrl { .. } => "invalid-url",
            FetchError::PrivateAddress { .. } => "private-address",
            FetchError::Dns { .. } => "dns",
            FetchError::Connect { .. } => "connect",
            FetchError::Timeout { .. } => "timeout",
            FetchError::Request { .. } => "request",
            FetchError::Body { .. } => "body",
            FetchError::BodyTooLarge { .. } => "body-too-large",
            FetchError::TooManyRedirects { .. } => "too-many-redirects",
            FetchError::RedirectLoop { .. } => "redirect-loop",
            FetchError::BadRedirect { .. } => "bad-redirect",
            FetchError::InvalidUserAgent { .. } => "invalid-user-agent",
            FetchError::Client { .. } => "client",
        }
    }

    /// Maps a reqwest error from sending a request or reading a body for `url`. The guarded
    /// resolver's refusals and lookup failures are found in the error's source chain.
    pub(super) fn from_reqwest(url: &Url, err: reqwest::Error, reading_body: bool) -> FetchError {
        let url = Box::new(url.clone());
        let mut source = err.source();
        while let Some(inner) = source {
            if let Some(resolve) = inner.downcast_ref::<ResolveError>() {
                return resolve.to_fetch_error(*url);
            }
            source = inner.source();
        }
        let (timeout, connect) = (err.is_timeout(), err.is_connect());
        let body = reading_body || err.is_body() || err.is_decode();
        let reason = describe(err.without_url());
        if timeout {
            let reason = if connect {
                format!("no connection within the connect timeout ({reason})")
            } else {
                format!("no data within the read timeout ({reason})")
            };
            FetchError::Timeout { url, reason }
        } else if connect {
            FetchError::Connect { url, reason }
        } else if body {
            FetchError::Body { url, reason }
        } else {
            FetchError::Request { url, reason }
        }
    }
}

/// The error and its sources in one line, without the URL (which the variant carries).
fn describe(err: reqwest::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = inner.source();
    }
    parts.join(": ")
}

fn join_addresses(addresses: &[IpAddr]) -> String {
    if addresses.is_empty() {
        return "no addresses".to_string();
    }
    addresses
        .iter()
        .map(IpAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Box<Url> {
        Box::new(Url::parse("http://jobs.example/ad/1").unwrap())
    }

    #[test]
    fn passing_trouble_is_retryable_and_refusals_are_not() {
        let u = url();
        let timeout = FetchError::Timeout {
            url: u.clone(),
            reason: "read".into(),
        };
        let temp_dns = FetchError::Dns {
            url: u.clone(),
            reason: "again".into(),
            temporary: true,
        };
        let dns = FetchError::Dns {
            url: u.clone(),
            reason: "no such host".into(),
            temporary: false,
        };
        let private = FetchError::PrivateAddress {
            url: u.clone(),
            host: "10.0.0.1".into(),
            addresses: vec!["10.0.0.1".parse().unwrap()],
        };
        let large = FetchError::BodyTooLarge {
            url: u.clone(),
            limit: 5,
        };
        let looped = FetchError::RedirectLoop { url: u.clone() };
        let bad = FetchError::InvalidUrl {
            url: "ftp://x".into(),
            reason: "scheme".into(),
        };
        assert!(timeout.is_retryable() && temp_dns.is_retryable());
        assert!(
            FetchError::Connect {
                url: u.clone(),
                reason: "refused".into()
            }
            .is_retryable()
        );
        assert!(
            FetchError::Body {
                url: u,
                reason: "reset".into()
            }
            .is_retryable()
        );
        for err in [dns, private, large, looped, bad] {
            assert!(!err.is_retryable(), "{err}");
        }
    }

    #[test]
    fn kinds_are_short_stable_names() {
        let u = url();
        assert_eq!(
            FetchError::Timeout {
                url: u.clone(),
                reason: String::new()
            }
            .kind(),
            "timeout"
        );
        let private = FetchError::PrivateAddress {
            url: u,
            host: "h".into(),
            addresses: vec![],
        };
        assert_eq!(private.kind(), "private-address");
        assert_eq!(
            private.url().map(Url::as_str),
            Some("http://jobs.example/ad/1")
        );
        let config = FetchError::Client {
            reason: String::new(),
        };
        assert_eq!((config.kind(), config.url()), ("client", None));
    }

    #[test]
    fn private_address_message_names_url_host_and_addresses() {
        let err = FetchError::PrivateAddress {
            url: Box::new(Url::parse("http://localhost:8080/").unwrap()),
            host: "localhost".into(),
            addresses: vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()],
        };
        let text = err.to_string();
        for part in [
            "http://localhost:8080/",
            "localhost",
            "127.0.0.1, ::1",
            "--allow-private",
        ] {
            assert!(text.contains(part), "{text}");
        }
    }
}
