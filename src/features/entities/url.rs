//! Web links (`http://`, `https://`, `www.`) other than chat links, normalised
//! to scheme + lower-cased host + path + query.
//!
//! Every URL's span is claimed, so digits inside a link are never read as a
//! phone number.

use std::sync::LazyLock;

use regex::Regex;

use super::{EntityKind, Extractor, overlaps};

/// A web link, up to the first character that cannot be part of one.
static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:https?://|www\.)[a-z0-9._~:/?#\[\]@!$&()*+,;=%-]+").expect("url regex")
});

impl Extractor<'_> {
    /// Reports web links that are not chat links, and claims every link's span.
    pub(super) fn urls(&mut self) {
        for m in URL.find_iter(self.text) {
            let raw = trim_url(m.as_str());
            let span = (m.start(), m.start() + raw.len());
            if raw.is_empty() {
                continue;
            }
            self.claimed.push(span);
            if self.overlaps_link(span) {
                continue; // already reported as a chat link
            }
            if let Some(value) = normalise_url(raw) {
                self.push(EntityKind::Url, value, span.0, span.1);
            }
        }
    }

    fn overlaps_link(&self, span: (usize, usize)) -> bool {
        self.link_spans.iter().any(|&s| overlaps(s, span))
    }
}

/// Drops trailing punctuation that ends the sentence rather than the URL.
fn trim_url(mut url: &str) -> &str {
    loop {
        let unbalanced = |open: char, close: char| {
            url.ends_with(close) && url.matches(close).count() > url.matches(open).count()
        };
        if url.ends_with(['.', ',', ';', ':', '!', '?', '\''])
            || unbalanced('(', ')')
            || unbalanced('[', ']')
        {
            url = &url[..url.len() - 1];
        } else {
            return url;
        }
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Scheme + lower-cased host (user info dropped) + path + query.
fn normalise_url(raw: &str) -> Option<String> {
    let (scheme, rest) = if let Some(rest) = strip_prefix_ignore_case(raw, "https://") {
        ("https", rest)
    } else if let Some(rest) = strip_prefix_ignore_case(raw, "http://") {
        ("http", rest)
    } else {
        ("https", raw)
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let host = authority.rsplit('@').next().unwrap_or_default();
    if !valid_host(host) {
        return None;
    }
    let host = host.to_ascii_lowercase().replacen(".:", ":", 1);
    let host = host.trim_end_matches('.');
    let tail = if tail == "/" { "" } else { tail };
    Some(format!("{scheme}://{host}{tail}"))
}

fn valid_host(host_port: &str) -> bool {
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, ""));
    let host = host.strip_suffix('.').unwrap_or(host);
    host.contains('.')
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && port.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use crate::features::entities::EntityKind::*;
    use crate::features::entities::tests::{evidence, find, one};

    #[test]
    fn urls() {
        let ad = "Apply: HTTPS://Jobs.Example.COM/Apply?id=7#top.";
        assert_eq!(
            find(ad, None),
            one(Url, "https://jobs.example.com/Apply?id=7")
        );
        assert_eq!(
            evidence(ad, None),
            vec!["HTTPS://Jobs.Example.COM/Apply?id=7#top"]
        );
        assert_eq!(
            find("(see www.Example.com/x)", None),
            one(Url, "https://www.example.com/x")
        );
        assert_eq!(
            find("http://example.com/ and http://example.com", None),
            one(Url, "http://example.com")
        );
        // Numbers inside URLs are not phone numbers.
        assert_eq!(
            find("https://example.com/ad/09171234567", Some("PH")),
            one(Url, "https://example.com/ad/09171234567")
        );
    }
}
