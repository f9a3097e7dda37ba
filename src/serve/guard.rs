//! The guard that keeps the server's own requests out of private networks.
//!
//! A partner can name URLs the server will contact: a webhook, or an ad to check by its address.
//! Without a guard that is a way to reach the machines around the server (a router, a database,
//! the cloud metadata service at 169.254.169.254). [`check_url_target`] refuses a URL whose host is
//! an IP address or resolves to any non-public address; the delivery client's resolver
//! ([`delivery_client`]) drops non-public addresses again at connection time, so a name that
//! changes its answer between the check and the request (DNS rebinding) gains nothing. Neither
//! applies with `allow_private` (for tests on loopback).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use url::{Host, Url};

use crate::crawl::address::is_public;
use crate::crawl::fetch::GuardedResolver;

/// How long a name may take to resolve.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a URL may not be contacted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Not a URL at all.
    #[error("`{0}` is not a web address")]
    Invalid(String),
    /// Not http or https.
    #[error("only http and https addresses can be used, not `{0}`")]
    Scheme(String),
    /// User name or password inside the URL.
    #[error("the address must not contain a user name or password")]
    Credentials,
    /// The host is an IP address.
    #[error("addresses with a bare IP address ({0}) are not contacted; use the host's name")]
    IpLiteral(IpAddr),
    /// The host is a private, loopback or otherwise non-public address.
    #[error("{0} is a private or local network address; Lurewatch does not contact those")]
    PrivateIp(IpAddr),
    /// The host's name resolves to a private, loopback or otherwise non-public address. The
    /// message does not say which address, or tell this apart from a name that does not
    /// resolve, so the API cannot be used to map the server's own network.
    #[error(
        "{host} is on a private or local network, or cannot be found; Lurewatch only contacts public addresses"
    )]
    Private {
        /// The host as written.
        host: String,
        /// The address it resolves to (for the server's log only).
        ip: IpAddr,
    },
    /// The name does not resolve (worded like [`TargetError::Private`] on purpose).
    #[error(
        "{0} is on a private or local network, or cannot be found; Lurewatch only contacts public addresses"
    )]
    Unresolved(String),
}

/// Checks that `url` is an http(s) address on the public internet. With `allow_private` every
/// well-formed http(s) URL passes.
pub async fn check_url_target(url: &str, allow_private: bool) -> Result<Url, TargetError> {
    let parsed = Url::parse(url.trim()).map_err(|_| TargetError::Invalid(url.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(TargetError::Scheme(parsed.scheme().to_string()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(TargetError::Credentials);
    }
    let port = parsed.port_or_known_default().unwrap_or(80);
    let host = match parsed.host() {
        None => return Err(TargetError::Invalid(url.to_string())),
        Some(Host::Ipv4(ip)) => return ip_target(IpAddr::V4(ip), &parsed, allow_private),
        Some(Host::Ipv6(ip)) => return ip_target(IpAddr::V6(ip), &parsed, allow_private),
        Some(Host::Domain(name)) => name.to_string(),
    };
    if allow_private {
        return Ok(parsed);
    }
    let lookup = tokio::net::lookup_host((host.as_str(), port));
    let addresses: Vec<SocketAddr> = match tokio::time::timeout(RESOLVE_TIMEOUT, lookup).await {
        Ok(Ok(found)) => found.collect(),
        _ => Vec::new(),
    };
    if addresses.is_empty() {
        return Err(TargetError::Unresolved(host));
    }
    if let Some(private) = addresses.iter().find(|a| !is_public(a.ip())) {
        return Err(TargetError::Private {
            host,
            ip: private.ip(),
        });
    }
    Ok(parsed)
}

fn ip_target(ip: IpAddr, url: &Url, allow_private: bool) -> Result<Url, TargetError> {
    if allow_private {
        Ok(url.clone())
    } else if !is_public(ip) {
        Err(TargetError::PrivateIp(ip))
    } else {
        Err(TargetError::IpLiteral(ip))
    }
}

/// The HTTP client for webhook deliveries: no proxy, no redirects (a redirect could point
/// anywhere), the guarded resolver, and a time limit per request.
pub fn delivery_client(allow_private: bool, timeout: Duration) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(GuardedResolver::new(
            allow_private,
            RESOLVE_TIMEOUT,
        )))
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("Lurewatch-Webhook/", env!("CARGO_PKG_VERSION")))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn private_loopback_and_metadata_addresses_are_refused() {
        for url in [
            "http://127.0.0.1/x",
            "http://10.1.2.3:8080/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://2130706433/",
            "http://localhost:9/hook",
        ] {
            let err = check_url_target(url, false).await.unwrap_err();
            assert!(
                matches!(err, TargetError::Private { .. } | TargetError::PrivateIp(_)),
                "{url}: {err}"
            );
            assert!(
                err.to_string().contains("private or local network"),
                "{err}"
            );
            assert!(check_url_target(url, true).await.is_ok(), "{url} allowed");
        }
    }

    #[tokio::test]
    async fn only_plain_http_urls_with_a_host_name_are_accepted() {
        let refused = [
            ("ftp://example.com/", "only http and https"),
            ("not a url", "is not a web address"),
            ("http://user:pw@example.com/", "user name or password"),
            ("http://93.184.216.34/", "bare IP address"),
        ];
        for (url, message) in refused {
            let err = check_url_target(url, false).await.unwrap_err();
            assert!(err.to_string().contains(message), "{url}: {err}");
        }
    }

    #[tokio::test]
    async fn the_resolver_drops_private_addresses() {
        use reqwest::dns::{Name, Resolve};
        let resolver = GuardedResolver::new(false, RESOLVE_TIMEOUT);
        let name: Name = "localhost".parse().unwrap();
        assert!(resolver.resolve(name).await.is_err());
        let allowing = GuardedResolver::new(true, RESOLVE_TIMEOUT);
        let name: Name = "localhost".parse().unwrap();
        assert!(allowing.resolve(name).await.unwrap().next().is_some());
        assert!(delivery_client(false, Duration::from_secs(1)).is_ok());
    }
}
