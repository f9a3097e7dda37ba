//! The crawler's HTTP fetcher: one GET, with redirects, limits and the private-network guard.
//!
//! [`Fetcher::fetch`] sends a request (conditional when the caller has an `ETag` or
//! `Last-Modified` from the last crawl), follows up to [`FetchConfig::max_redirects`] redirects
//! itself so that every hop is checked ([`check_hop`]: http or https, length, address), streams
//! the body with a cap on its decompressed size, and returns a [`Fetched`] for every HTTP status,
//! errors included, so the caller can honour `Retry-After` or drop a vanished ad. Failures to get
//! a response at all are [`FetchError`]s, which say whether a retry may help.
//!
//! Unless [`FetchConfig::allow_private`] is set, the fetcher never connects to loopback, private,
//! link-local or other non-public addresses: IP literals are checked before sending, and host
//! names are resolved by a resolver that hands the client only public addresses, so what was
//! checked is what is connected to. No environment proxy is used. [`charset`] turns bodies into
//! text; [`directives`] reads `X-Robots-Tag` and `<meta name="robots">`.

pub mod charset;
mod config;
pub mod directives;
mod error;
mod guard;
mod response;

/// Whether two URLs are on the same host and port (the crawler's politeness key).
fn same_host(a: &Url, b: &Url) -> bool {
    a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port() == b.port()
}

#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{self, HeaderValue};
use tokio::time::timeout_at;
use url::Url;

pub use charset::decode_html;
pub use config::{DEFAULT_MAX_BODY_BYTES, DEFAULT_USER_AGENT, FetchConfig, validate_user_agent};
pub use directives::RobotsDirectives;
pub use error::FetchError;
pub use guard::{GuardedResolver, check_hop};
pub use response::{Fetched, parse_retry_after};

use guard::{AddressPolicy, check_hop_with};
use response::ResponseHeaders;

/// The `Accept` header: pages, feeds and sitemaps first, anything else after.
const ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// One thing to fetch, with the validators from the last time it was fetched. The validators
/// are sent on every hop, since they came from the final response of the last fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRequest {
    /// The URL to fetch.
    pub url: Url,
    /// The `ETag` seen last time, sent as `If-None-Match`.
    pub etag: Option<String>,
    /// The `Last-Modified` seen last time, sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

impl FetchRequest {
    /// An unconditional request for `url`.
    pub fn new(url: Url) -> FetchRequest {
        FetchRequest {
            url,
            etag: None,
            last_modified: None,
        }
    }
}

/// An HTTP client for the crawler. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    config: Arc<FetchConfig>,
    policy: AddressPolicy,
}

impl Fetcher {
    /// A fetcher with these settings. Fails if the user agent is not acceptable (see
    /// [`validate_user_agent`]) or the HTTP client cannot be built.
    pub fn new(config: FetchConfig) -> Result<Fetcher, FetchError> {
        let policy = AddressPolicy::from_config(&config);
        Fetcher::with_policy(config, policy)
    }

    fn with_policy(config: FetchConfig, policy: AddressPolicy) -> Result<Fetcher, FetchError> {
        validate_user_agent(&config.user_agent)?;
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.as_str())
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .referer(false)
            .dns_resolver(GuardedResolver {
                policy,
                timeout: config.connect_timeout,
            })
            .build()
            .map_err(|e| FetchError::Client {
                reason: e.to_string(),
            })?;
        Ok(Fetcher {
            client,
            config: Arc::new(config),
            policy,
        })
    }

    /// The settings this fetcher was built with.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// Fetches a URL, following redirects. Any HTTP status is a `Fetched`; an error means no
    /// final response could be had (or it was refused).
    pub async fn fetch(&self, request: &FetchRequest) -> Result<Fetched, FetchError> {
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + self.config.total_timeout;
        let start = without_fragment(&request.url);
        let mut redirects = Vec::new();
        let mut current = request.url.clone();
        loop {
            check_hop_with(&current, self.config.max_url_len, self.policy)?;
            let response = timeout_at(deadline, self.send(&current, request))
                .await
                .map_err(|_| self.total_timeout(&current))??;
            let status = response.status();
            tracing::debug!(url = %current, status = status.as_u16(), "Got a response.");
            if is_followed_redirect(status) {
                let next = redirect_target(&current, response.headers())?;
                if self.config.stay_on_host && !same_host(&next, &request.url) {
                    let headers = ResponseHeaders::read(response.headers(), SystemTime::now());
                    return Ok(Fetched {
                        url: request.url.clone(),
                        final_url: current,
                        redirects,
                        status: status.as_u16(),
                        content_type: headers.content_type,
                        etag: None,
                        last_modified: None,
                        retry_after: headers.retry_after,
                        robots: headers.robots,
                        body: Vec::new(),
                        elapsed: started.elapsed(),
                        redirect_to: Some(next),
                    });
                }
                if next == start || redirects.contains(&next) {
                    return Err(FetchError::RedirectLoop {
                        url: Box::new(next),
                    });
                }
                if redirects.len() >= self.config.max_redirects {
                    return Err(FetchError::TooManyRedirects {
                        url: Box::new(current),
                        limit: self.config.max_redirects,
                    });
                }
                redirects.push(next.clone());
                current = next;
                continue;
            }
            let headers = ResponseHeaders::read(response.headers(), SystemTime::now());
            let body = timeout_at(deadline, self.read_body(&current, response))
                .await
                .map_err(|_| self.total_timeout(&current))??;
            return Ok(Fetched {
                url: request.url.clone(),
                final_url: current,
                redirects,
                status: status.as_u16(),
                content_type: headers.content_type,
                etag: headers.etag,
                last_modified: headers.last_modified,
                retry_after: headers.retry_after,
                robots: headers.robots,
                body,
                elapsed: started.elapsed(),
                redirect_to: None,
            });
        }
    }

    /// Sends one GET, with the request's validators when they are valid header values.
    async fn send(
        &self,
        url: &Url,
        request: &FetchRequest,
    ) -> Result<reqwest::Response, FetchError> {
        let mut builder = self
            .client
            .get(url.clone())
            .header(header::ACCEPT, HeaderValue::from_static(ACCEPT));
        let validators = [
            (header::IF_NONE_MATCH, &request.etag),
            (header::IF_MODIFIED_SINCE, &request.last_modified),
        ];
        for (name, value) in validators {
            if let Some(value) = value {
                match HeaderValue::from_str(value.trim()) {
                    Ok(value) => builder = builder.header(name, value),
                    Err(_) => tracing::debug!(url = %url, %name, "Skipped an unusable validator."),
                }
            }
        }
        builder
            .send()
            .await
            .map_err(|e| FetchError::from_reqwest(url, e, false))
    }

    /// Reads the body, decompressed, refusing it once it is larger than the limit (at once when
    /// its `Content-Length` says so).
    async fn read_body(
        &self,
        url: &Url,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>, FetchError> {
        let limit = self.config.max_body_bytes;
        let too_large = || FetchError::BodyTooLarge {
            url: Box::new(url.clone()),
            limit,
        };
        let declared = response.content_length();
        if declared.is_some_and(|len| len > limit as u64) {
            return Err(too_large());
        }
        let capacity = declared.map_or(0, |len| len as usize).min(limit);
        let mut body = Vec::with_capacity(capacity);
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| FetchError::from_reqwest(url, e, true))?
        {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn total_timeout(&self, url: &Url) -> FetchError {
        FetchError::Timeout {
            url: Box::new(url.clone()),
            reason: format!(
                "the whole fetch took longer than the total timeout of {:?}",
                self.config.total_timeout
            ),
        }
    }
}

/// The redirect statuses that are followed: 301, 302, 303, 307, 308.
fn is_followed_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// Where a redirect points: its `Location` resolved against the current URL, without fragment.
fn redirect_target(current: &Url, headers: &header::HeaderMap) -> Result<Url, FetchError> {
    let bad = |reason: String| FetchError::BadRedirect {
        url: Box::new(current.clone()),
        reason,
    };
    let value = headers
        .get(header::LOCATION)
        .ok_or_else(|| bad("the Location header is missing".to_string()))?;
    let location = std::str::from_utf8(value.as_bytes())
        .map_err(|_| bad("the Location header is not UTF-8".to_string()))?
        .trim();
    if location.is_empty() {
        return Err(bad("the Location header is empty".to_string()));
    }
    let next = current
        .join(location)
        .map_err(|e| bad(format!("cannot resolve {location:?}: {e}")))?;
    Ok(without_fragment(&next))
}

fn without_fragment(url: &Url) -> Url {
    let mut url = url.clone();
    url.set_fragment(None);
    url
}
