//! What a fetch brings back: status, validators, Retry-After, robots directives and the body.
//!
//! Every HTTP status arrives here, errors included, so the crawler can honour a 429's or 503's
//! `Retry-After`, drop a 404'd ad, or keep the copy it has after a 304.

use std::time::{Duration, SystemTime};

use reqwest::header::{self, HeaderMap};
use url::Url;

use super::charset::decode_html;
use super::directives::RobotsDirectives;

/// A completed fetch: the last response of the redirect chain and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The URL as requested.
    pub url: Url,
    /// The URL that gave the final response (the last redirect target, or `url`).
    pub final_url: Url,
    /// The redirect targets followed, in order; empty when there was no redirect.
    pub redirects: Vec<Url>,
    /// The final HTTP status (any status, errors included).
    pub status: u16,
    /// The `Content-Type` header, as sent.
    pub content_type: Option<String>,
    /// The `ETag` header, for a conditional re-fetch with `If-None-Match`.
    pub etag: Option<String>,
    /// The `Last-Modified` header, for a conditional re-fetch with `If-Modified-Since`.
    pub last_modified: Option<String>,
    /// How long the server asks us to wait (`Retry-After`, in seconds or as an HTTP date; a
    /// date in the past is zero; an unreadable value is `None`).
    pub retry_after: Option<Duration>,
    /// The `X-Robots-Tag` directives that apply to Lurewatch. A page's own `<meta name="robots">`
    /// is read with [`RobotsDirectives::from_html`] and [`merged`](RobotsDirectives::merge) by
    /// the caller.
    pub robots: RobotsDirectives,
    /// The body, decompressed.
    pub body: Vec<u8>,
    /// From sending the first request to receiving the last body byte.
    pub elapsed: Duration,
    /// With [`FetchConfig::stay_on_host`](super::FetchConfig::stay_on_host): the other host's
    /// URL that the final response (a redirect, with an empty body) pointed to.
    pub redirect_to: Option<Url>,
}

impl Fetched {
    /// Whether the server answered 304 Not Modified to a conditional request: the copy the
    /// crawler has is still current, and `body` is empty.
    pub fn not_modified(&self) -> bool {
        self.status == 304
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text, decoded with the charset from a byte-order mark, the `Content-Type`
    /// header, the document's own declaration, or detection (see
    /// [`decode_html`]).
    pub fn text(&self) -> String {
        decode_html(
            &self.body,
            self.content_type.as_deref(),
            Some(&self.final_url),
        )
        .0
    }
}

/// The header fields of a response that [`Fetched`] keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ResponseHeaders {
    /// `Content-Type`.
    pub(super) content_type: Option<String>,
    /// `ETag`.
    pub(super) etag: Option<String>,
    /// `Last-Modified`.
    pub(super) last_modified: Option<String>,
    /// `Retry-After`, parsed.
    pub(super) retry_after: Option<Duration>,
    /// `X-Robots-Tag`, parsed.
    pub(super) robots: RobotsDirectives,
}

impl ResponseHeaders {
    /// Reads the fields from a header map; values that are not visible ASCII are ignored.
    pub(super) fn read(headers: &HeaderMap, now: SystemTime) -> ResponseHeaders {
        let text = |name: header::HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        ResponseHeaders {
            content_type: text(header::CONTENT_TYPE),
            etag: text(header::ETAG),
            last_modified: text(header::LAST_MODIFIED),
            retry_after: text(header::RETRY_AFTER).and_then(|v| parse_retry_after(&v, now)),
            robots: RobotsDirectives::from_x_robots_tag(
                headers
                    .get_all("x-robots-tag")
                    .iter()
                    .filter_map(|v| v.to_str().ok()),
            ),
        }
    }
}

/// Parses a `Retry-After` value: delta-seconds (`120`) or an HTTP date, which is turned into the
/// time left after `now` (zero if it has passed). Anything else is `None`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<u64>().ok().map(Duration::from_secs);
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> SystemTime {
        // Sun, 06 Nov 1994 08:49:37 GMT
        SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777)
    }

    #[test]
    fn retry_after_in_seconds() {
        assert_eq!(parse_retry_after("2", now()), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after(" 120 ", now()),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after("0", now()), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_as_http_date_is_relative_to_now() {
        let later = "Sun, 06 Nov 1994 08:51:37 GMT";
        assert_eq!(
            parse_retry_after(later, now()),
            Some(Duration::from_secs(120))
        );
        let past = "Sun, 06 Nov 1994 08:00:00 GMT";
        assert_eq!(parse_retry_after(past, now()), Some(Duration::ZERO));
    }

    #[test]
    fn unreadable_retry_after_is_none() {
        for value in [
            "",
            "soon",
            "-5",
            "1.5",
            "99999999999999999999999",
            "Sun, 99 Nov",
        ] {
            assert_eq!(parse_retry_after(value, now()), None, "{value:?}");
        }
    }

    #[test]
    fn headers_are_read_and_robots_parsed() {
        let mut map = HeaderMap::new();
        map.insert(
            header::CONTENT_TYPE,
            "text/html; charset=utf-8".parse().unwrap(),
        );
        map.insert(header::ETAG, "\"v1\"".parse().unwrap());
        map.insert(header::RETRY_AFTER, "30".parse().unwrap());
        map.append("x-robots-tag", "googlebot: nofollow".parse().unwrap());
        map.append("x-robots-tag", "noindex".parse().unwrap());
        let read = ResponseHeaders::read(&map, now());
        assert_eq!(
            read.content_type.as_deref(),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(read.etag.as_deref(), Some("\"v1\""));
        assert_eq!(read.last_modified, None);
        assert_eq!(read.retry_after, Some(Duration::from_secs(30)));
        assert_eq!(
            read.robots,
            RobotsDirectives {
                noindex: true,
                nofollow: false
            }
        );
    }
}
