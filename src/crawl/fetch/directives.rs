//! Robots directives for a single page: `X-Robots-Tag` headers and `<meta name="robots">`.
//!
//! `noindex` asks that the page not be kept, `nofollow` that its links not be followed; `none`
//! means both and `all` neither. Only directives for everyone or for Lurewatch apply: in
//! `X-Robots-Tag: googlebot: noindex` the `noindex` is Google's business, while
//! `lurewatch: noindex` and a plain `noindex` are ours. In HTML, `<meta name="robots">` and
//! `<meta name="lurewatch">` apply (names in any case).

use scraper::{Html, Selector};

use crate::crawl::robots::AGENT_TOKEN;

/// What a page asks crawlers to do with it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RobotsDirectives {
    /// Do not keep (index) this page.
    pub noindex: bool,
    /// Do not follow the links on this page.
    pub nofollow: bool,
}

/// Directives that take a value after a colon, so `name: value` is not a user-agent scope.
const VALUED: [&str; 4] = [
    "unavailable_after",
    "max-snippet",
    "max-image-preview",
    "max-video-preview",
];

impl RobotsDirectives {
    /// Reads `X-Robots-Tag` header values (one per header line). Each value is a comma list; a
    /// `name:` prefix scopes the directives after it, up to the next scope, to that user agent.
    pub fn from_x_robots_tag<'a>(values: impl IntoIterator<Item = &'a str>) -> RobotsDirectives {
        let mut found = RobotsDirectives::default();
        for value in values {
            let mut applies = true;
            for part in value.split(',') {
                let mut directive = part.trim();
                if let Some((before, after)) = directive.split_once(':') {
                    let scope = before.trim();
                    if is_agent_name(scope) {
                        applies = scope.eq_ignore_ascii_case(AGENT_TOKEN);
                        directive = after.trim();
                    }
                }
                if applies {
                    found.apply(directive);
                }
            }
        }
        found
    }

    /// Reads `<meta name="robots" content="...">` and `<meta name="lurewatch" content="...">`
    /// from an HTML document.
    pub fn from_html(html: &str) -> RobotsDirectives {
        let mut found = RobotsDirectives::default();
        let Ok(meta) = Selector::parse("meta[name][content]") else {
            return found;
        };
        let document = Html::parse_document(html);
        for element in document.select(&meta) {
            let name = element.value().attr("name").unwrap_or_default().trim();
            if name.eq_ignore_ascii_case("robots") || name.eq_ignore_ascii_case(AGENT_TOKEN) {
                let content = element.value().attr("content").unwrap_or_default();
                content.split(',').for_each(|d| found.apply(d.trim()));
            }
        }
        found
    }

    /// Both sets of directives together: the stricter wins.
    pub fn merge(self, other: RobotsDirectives) -> RobotsDirectives {
        RobotsDirectives {
            noindex: self.noindex || other.noindex,
            nofollow: self.nofollow || other.nofollow,
        }
    }

    fn apply(&mut self, directive: &str) {
        let directive = directive.trim();
        if directive.eq_ignore_ascii_case("noindex") {
            self.noindex = true;
        } else if directive.eq_ignore_ascii_case("nofollow") {
            self.nofollow = true;
        } else if directive.eq_ignore_ascii_case("none") {
            self.noindex = true;
            self.nofollow = true;
        }
        // `all`, `index`, `follow` and anything unknown ask for nothing.
    }
}

/// Whether the text before a colon names a user agent rather than a valued directive.
fn is_agent_name(scope: &str) -> bool {
    !scope.is_empty()
        && !VALUED.iter().any(|v| scope.eq_ignore_ascii_case(v))
        && scope
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(values: &[&str]) -> RobotsDirectives {
        RobotsDirectives::from_x_robots_tag(values.iter().copied())
    }

    const NOINDEX: RobotsDirectives = RobotsDirectives {
        noindex: true,
        nofollow: false,
    };
    const NOFOLLOW: RobotsDirectives = RobotsDirectives {
        noindex: false,
        nofollow: true,
    };
    const BOTH: RobotsDirectives = RobotsDirectives {
        noindex: true,
        nofollow: true,
    };

    #[test]
    fn plain_and_comma_listed_directives() {
        assert_eq!(tag(&["noindex"]), NOINDEX);
        assert_eq!(tag(&["NoFollow"]), NOFOLLOW);
        assert_eq!(tag(&["noindex, nofollow"]), BOTH);
        assert_eq!(tag(&["noindex", "nofollow"]), BOTH);
        assert_eq!(tag(&["none"]), BOTH);
        assert_eq!(tag(&["all"]), RobotsDirectives::default());
        assert_eq!(tag(&["index, follow"]), RobotsDirectives::default());
        assert_eq!(tag(&[]), RobotsDirectives::default());
    }

    #[test]
    fn scoped_directives_apply_only_to_lurewatch() {
        assert_eq!(tag(&["googlebot: noindex"]), RobotsDirectives::default());
        assert_eq!(tag(&["lurewatch: noindex"]), NOINDEX);
        assert_eq!(tag(&["LureWatch: none"]), BOTH);
        assert_eq!(
            tag(&["googlebot: noindex, nofollow"]),
            RobotsDirectives::default()
        );
        assert_eq!(tag(&["googlebot: noindex", "nofollow"]), NOFOLLOW);
        assert_eq!(tag(&["nofollow, googlebot: noindex"]), NOFOLLOW);
        assert_eq!(tag(&["googlebot: noindex, lurewatch: nofollow"]), NOFOLLOW);
    }

    #[test]
    fn valued_directives_are_not_scopes() {
        let value = "unavailable_after: 25 Jun 2010 15:00:00 PST, noindex";
        assert_eq!(tag(&[value]), NOINDEX);
        assert_eq!(tag(&["max-snippet: 20, nofollow"]), NOFOLLOW);
    }

    #[test]
    fn html_meta_robots_and_lurewatch() {
        let html = r#"<html><head><META NAME="Robots" CONTENT="NOINDEX"></head></html>"#;
        assert_eq!(RobotsDirectives::from_html(html), NOINDEX);
        let html = r#"<meta name="lurewatch" content="nofollow"><meta name="googlebot" content="noindex">"#;
        assert_eq!(RobotsDirectives::from_html(html), NOFOLLOW);
        let html = r#"<meta name="robots" content="none">"#;
        assert_eq!(RobotsDirectives::from_html(html), BOTH);
        assert_eq!(
            RobotsDirectives::from_html("<p>no meta</p>"),
            RobotsDirectives::default()
        );
    }

    #[test]
    fn merge_keeps_the_stricter() {
        assert_eq!(NOINDEX.merge(NOFOLLOW), BOTH);
        assert_eq!(RobotsDirectives::default().merge(NOINDEX), NOINDEX);
    }
}
