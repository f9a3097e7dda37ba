//! The private-network guard, applied to every request and every redirect hop.
//!
//! Unless private addresses are allowed, a URL whose host is an IP literal is checked with
//! [`is_public`] by [`check_hop`] before anything is sent; a host name is resolved by
//! [`GuardedResolver`], which the HTTP client uses for every connection and which hands back
//! only public addresses. The client can therefore connect only to an address that was checked,
//! so a name cannot resolve to a public address for the check and a private one for the
//! connection (DNS rebinding). [`check_hop`] also refuses schemes other than http and https and
//! URLs longer than the limit.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use super::{FetchConfig, FetchError};
use crate::crawl::address::is_public;

/// Which addresses the fetcher may connect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AddressPolicy {
    /// Public addresses only (the default).
    PublicOnly,
    /// Any address (`--allow-private`).
    Any,
    /// Public addresses and loopback: lets tests put a server on 127.0.0.1 and still see other
    /// private addresses refused.
    #[cfg(test)]
    PublicOrLoopback,
}

impl AddressPolicy {
    /// The policy a configuration asks for.
    pub(super) fn from_config(config: &FetchConfig) -> AddressPolicy {
        if config.allow_private {
            AddressPolicy::Any
        } else {
            AddressPolicy::PublicOnly
        }
    }

    /// Whether a connection to `ip` is allowed.
    pub(super) fn allows(self, ip: IpAddr) -> bool {
        match self {
            AddressPolicy::PublicOnly => is_public(ip),
            AddressPolicy::Any => true,
            #[cfg(test)]
            AddressPolicy::PublicOrLoopback => ip.is_loopback() || is_public(ip),
        }
    }
}

/// Checks a URL before it is requested, first or after a redirect: http or https, no longer
/// than `config.max_url_len`, with a host, and (unless `config.allow_private`) not an IP literal
/// outside the public internet. Host names are checked when they are resolved.
pub fn check_hop(url: &Url, config: &FetchConfig) -> Result<(), FetchError> {
    check_hop_with(url, config.max_url_len, AddressPolicy::from_config(config))
}

/// [`check_hop`] with an explicit address policy.
pub(super) fn check_hop_with(
    url: &Url,
    max_url_len: usize,
    policy: AddressPolicy,
) -> Result<(), FetchError> {
    let invalid = |reason: String| FetchError::InvalidUrl {
        url: url.to_string(),
        reason,
    };
    let len = url.as_str().len();
    if len > max_url_len {
        return Err(invalid(format!(
            "the URL is {len} bytes long, more than the limit of {max_url_len}"
        )));
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "only http and https URLs are fetched, not {}:",
            url.scheme()
        )));
    }
    let ip = match url.host() {
        None => return Err(invalid("the URL has no host".to_string())),
        Some(Host::Domain(_)) => return Ok(()),
        Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
    };
    if policy.allows(ip) {
        Ok(())
    } else {
        Err(FetchError::PrivateAddress {
            url: Box::new(url.clone()),
            host: ip.to_string(),
            addresses: vec![ip],
        })
    }
}

/// Why the guarded resolver gave no address. Travels inside reqwest's error and is turned into
/// a [`FetchError`] by [`FetchError::from_reqwest`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum ResolveError {
    /// Every address the name resolved to is refused by the policy.
    #[error("{host} resolves only to non-public addresses")]
    Private {
        /// The name looked up.
        host: String,
        /// What it resolved to.
        addresses: Vec<IpAddr>,
    },
    /// The lookup itself failed.
    #[error("{host}: {reason}")]
    Lookup {
        /// The name looked up.
        host: String,
        /// What went wrong.
        reason: String,
        /// Whether trying again later may succeed.
        temporary: bool,
    },
}

impl ResolveError {
    /// The fetch error for `url`.
    pub(super) fn to_fetch_error(&self, url: Url) -> FetchError {
        let url = Box::new(url);
        match self {
            ResolveError::Private { host, addresses } => FetchError::PrivateAddress {
                url,
                host: host.clone(),
                addresses: addresses.clone(),
            },
            ResolveError::Lookup {
                host,
                reason,
                temporary,
            } => FetchError::Dns {
                url,
                reason: format!("{host}: {reason}"),
                temporary: *temporary,
            },
        }
    }
}

/// A DNS resolver for the HTTP client that returns only the addresses the policy allows.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    /// Which addresses may be returned.
    pub(super) policy: AddressPolicy,
    /// Longest wait for the system resolver.
    pub(super) timeout: Duration,
}

impl GuardedResolver {
    /// A resolver for any HTTP client that must stay out of private networks (webhook
    /// deliveries use it too): public addresses only unless `allow_private`.
    pub fn new(allow_private: bool, timeout: Duration) -> GuardedResolver {
        GuardedResolver {
            policy: if allow_private {
                AddressPolicy::Any
            } else {
                AddressPolicy::PublicOnly
            },
            timeout,
        }
    }

    /// Resolves `host` and keeps the allowed addresses, failing if none remain.
    pub(super) async fn lookup(&self, host: &str) -> Result<Vec<SocketAddr>, ResolveError> {
        let lookup_error = |reason: String, temporary: bool| ResolveError::Lookup {
            host: host.to_string(),
            reason,
            temporary,
        };
        let found: Vec<SocketAddr> =
            match tokio::time::timeout(self.timeout, tokio::net::lookup_host((host, 0))).await {
                Err(_) => {
                    return Err(lookup_error(
                        format!("no answer within {:?}", self.timeout),
                        true,
                    ));
                }
                Ok(Err(e)) => {
                    let reason = e.to_string();
                    let lower = reason.to_ascii_lowercase();
                    let temporary = e.kind() == std::io::ErrorKind::TimedOut
                        || lower.contains("temporary")
                        || lower.contains("try again");
                    return Err(lookup_error(reason, temporary));
                }
                Ok(Ok(addrs)) => addrs.collect(),
            };
        if found.is_empty() {
            return Err(lookup_error("no addresses found".to_string(), false));
        }
        let (allowed, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = found
            .into_iter()
            .partition(|addr| self.policy.allows(addr.ip()));
        if allowed.is_empty() {
            let mut addresses: Vec<IpAddr> = Vec::new();
            for ip in refused.iter().map(SocketAddr::ip) {
                if !addresses.contains(&ip) {
                    addresses.push(ip);
                }
            }
            tracing::debug!(
                host,
                ?addresses,
                "Refused a host with only non-public addresses."
            );
            return Err(ResolveError::Private {
                host: host.to_string(),
                addresses,
            });
        }
        if !refused.is_empty() {
            tracing::debug!(
                host,
                refused = refused.len(),
                "Dropped non-public addresses of a host."
            );
        }
        Ok(allowed)
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let resolver = self.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            match resolver.lookup(&host).await {
                Ok(addrs) => Ok(Box::new(addrs.into_iter()) as Addrs),
                Err(e) => Err(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str, policy: AddressPolicy) -> Result<(), FetchError> {
        check_hop_with(&Url::parse(url).unwrap(), 2048, policy)
    }

    fn refused_private(url: &str) {
        match check(url, AddressPolicy::PublicOnly) {
            Err(FetchError::PrivateAddress { .. }) => {}
            other => panic!("{url} must be refused as private, got {other:?}"),
        }
    }

    #[test]
    fn private_ip_literals_are_refused() {
        for url in [
            "http://127.0.0.1:8080/",
            "http://10.0.0.1/",
            "https://192.168.1.1/admin",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://[fd00::1]:81/",
            "http://[::ffff:127.0.0.1]/",
            "http://0x7f000001/",
            "http://2130706433/",
            "http://0/",
        ] {
            refused_private(url);
        }
    }

    #[test]
    fn public_literals_and_names_pass_the_hop_check() {
        for url in [
            "http://93.184.216.34/",
            "https://[2606:4700::1111]/",
            "https://jobs.example.com/ad/1",
            "http://localhost/",
        ] {
            assert!(check(url, AddressPolicy::PublicOnly).is_ok(), "{url}");
        }
    }

    #[test]
    fn allow_private_lifts_the_address_check_only() {
        let config = FetchConfig {
            allow_private: true,
            ..FetchConfig::default()
        };
        assert!(check_hop(&Url::parse("http://10.0.0.1/").unwrap(), &config).is_ok());
        assert!(check_hop(&Url::parse("ftp://10.0.0.1/").unwrap(), &config).is_err());
        let strict = FetchConfig::default();
        assert!(check_hop(&Url::parse("http://10.0.0.1/").unwrap(), &strict).is_err());
    }

    #[test]
    fn test_policy_allows_loopback_but_not_other_private_addresses() {
        assert!(check("http://127.0.0.1:9/", AddressPolicy::PublicOrLoopback).is_ok());
        assert!(check("http://10.0.0.1/", AddressPolicy::PublicOrLoopback).is_err());
    }

    #[test]
    fn other_schemes_long_urls_and_hostless_urls_are_invalid() {
        for url in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "data:text/plain,hi",
        ] {
            match check(url, AddressPolicy::Any) {
                Err(FetchError::InvalidUrl { reason, .. }) => {
                    assert!(reason.contains("http"), "{url}: {reason}")
                }
                other => panic!("{url}: {other:?}"),
            }
        }
        let long = format!("https://example.com/{}", "a".repeat(3000));
        match check(&long, AddressPolicy::Any) {
            Err(FetchError::InvalidUrl { reason, .. }) => assert!(reason.contains("2048")),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn resolver_refuses_names_that_resolve_only_to_private_addresses() {
        let resolver = GuardedResolver {
            policy: AddressPolicy::PublicOnly,
            timeout: Duration::from_secs(5),
        };
        match resolver.lookup("localhost").await {
            Err(ResolveError::Private { host, addresses }) => {
                assert_eq!(host, "localhost");
                assert!(!addresses.is_empty());
                assert!(addresses.iter().all(|ip| ip.is_loopback()));
            }
            other => panic!("localhost must be refused, got {other:?}"),
        }
        let open = GuardedResolver {
            policy: AddressPolicy::Any,
            ..resolver
        };
        let addrs = open.lookup("localhost").await.unwrap();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()));
    }

    #[tokio::test]
    async fn resolver_reports_unknown_names_as_lookup_failures() {
        let resolver = GuardedResolver {
            policy: AddressPolicy::Any,
            timeout: Duration::from_secs(5),
        };
        // `.invalid` never resolves (RFC 6761); without network the lookup fails either way.
        let err = resolver.lookup("no-such-host.invalid").await.unwrap_err();
        assert!(matches!(err, ResolveError::Lookup { .. }), "{err:?}");
    }
}
