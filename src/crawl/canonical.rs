//! URL canonicalisation: one spelling per page, so an ad seen through many links is one ad.
//!
//! The same page is linked as `HTTPS://Jobs.Example.com:443/ad?id=7&utm_source=fb#apply`,
//! `https://jobs.example.com/ad?utm_campaign=x&id=7` and so on. [`canonicalize`] reduces them to
//! `https://jobs.example.com/ad?id=7`: scheme and host lower-cased (the `url` crate does this and
//! drops default ports), fragment dropped, tracking and session parameters removed, the remaining
//! query parameters sorted, `;jsessionid=` path parameters removed, and an empty query dropped.

use url::Url;

/// Query parameters that track a visit rather than name a page. A name ending in `*` is a prefix.
const TRACKING_PARAMETERS: &[&str] = &[
    "utm_*",
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "ref",
    "ref_src",
    "referrer",
    "source",
    "si",
    "sid",
    "sessionid",
    "session_id",
    "phpsessid",
    "jsessionid",
    "aspsessionid*",
    "cfid",
    "cftoken",
    "trk",
    "trkinfo",
    "spm",
    "share",
    "from",
];

/// Why a URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// The text is not a URL.
    #[error("not a URL: {url}: {reason}")]
    Invalid {
        /// The text given.
        url: String,
        /// The parser's reason.
        reason: String,
    },
    /// Only `http` and `https` are crawled.
    #[error("not an http(s) URL: {0}")]
    Scheme(String),
}

fn is_tracking(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    TRACKING_PARAMETERS
        .iter()
        .any(|p| match p.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == *p,
        })
}

/// Parses `raw` (absolute, or relative to `base`) and returns its canonical form.
pub fn canonicalize(raw: &str, base: Option<&Url>) -> Result<Url, UrlError> {
    let invalid = |reason: String| UrlError::Invalid {
        url: raw.to_string(),
        reason,
    };
    let raw = raw.trim();
    let mut url = match base {
        Some(base) => base.join(raw),
        None => Url::parse(raw),
    }
    .map_err(|e| invalid(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UrlError::Scheme(url.to_string()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host".into()));
    }
    url.set_fragment(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let path = strip_path_session(url.path());
    url.set_path(&path);
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(&pairs);
    }
    Ok(url)
}

/// Removes `;jsessionid=...`-style parameters from each path segment.
fn strip_path_session(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment.find(';') {
            Some(at) if is_tracking(segment[at + 1..].split('=').next().unwrap_or("")) => {
                &segment[..at]
            }
            _ => segment,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(raw: &str) -> String {
        canonicalize(raw, None).unwrap().to_string()
    }

    #[test]
    fn spellings_of_one_page_become_one_url() {
        let expected = "https://jobs.example.com/ad?id=7";
        for raw in [
            "HTTPS://Jobs.Example.com:443/ad?id=7&utm_source=fb#apply",
            "https://jobs.example.com/ad?utm_campaign=x&id=7",
            "https://jobs.example.com/ad?id=7&fbclid=abc&sid=99",
            "https://user:pw@jobs.example.com/ad?id=7",
            "  https://jobs.example.com/ad?id=7  ",
        ] {
            assert_eq!(canon(raw), expected, "{raw}");
        }
    }

    #[test]
    fn query_parameters_are_sorted_and_empty_queries_dropped() {
        assert_eq!(
            canon("http://a.example/x?b=2&a=1"),
            "http://a.example/x?a=1&b=2"
        );
        assert_eq!(
            canon("http://a.example:80/x?utm_medium=y"),
            "http://a.example/x"
        );
    }

    #[test]
    fn session_ids_in_paths_are_removed() {
        assert_eq!(
            canon("https://a.example/jobs;jsessionid=ABC123/view"),
            "https://a.example/jobs/view"
        );
    }

    #[test]
    fn relative_links_resolve_against_the_page() {
        let base = Url::parse("https://a.example/list/page2?x=1").unwrap();
        assert_eq!(
            canonicalize("../ad/9?utm_source=z", Some(&base))
                .unwrap()
                .as_str(),
            "https://a.example/ad/9"
        );
    }

    #[test]
    fn only_http_urls_with_a_host_are_accepted() {
        assert!(matches!(
            canonicalize("mailto:hr@example.com", None),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(
            canonicalize("not a url", None),
            Err(UrlError::Invalid { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn canonicalisation_is_idempotent_and_never_panics(raw in "\\PC{0,60}") {
            if let Ok(url) = canonicalize(&format!("https://a.example/{raw}"), None) {
                let again = canonicalize(url.as_str(), None).unwrap();
                proptest::prop_assert_eq!(again, url);
            }
            let _ = canonicalize(&raw, None);
        }
    }
}
