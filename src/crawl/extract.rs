//! Reading a fetched page: which extractor applies, the ads it yields and the links to follow.
//!
//! The order is the one the crawler promises: a sitemap or a feed is recognised first (by what
//! was expected and by sniffing the body); an HTML page is then read for schema.org
//! `JobPosting` JSON-LD, then with a site profile that applies to its host, then as a channel
//! preview page. HTML pages also yield their `rel=canonical` URL, `<meta name="robots">`
//! directives and advertised feeds.

use std::sync::LazyLock;

use scraper::{Html, Selector};
use serde_json::Value;
use url::Url;

use super::canonical::canonicalize;
use super::channel::channel_page;
use super::feed::{looks_like_feed, parse_feed};
use super::fetch::{RobotsDirectives, decode_html};
use super::jsonld::job_postings;
use super::profile::SiteProfile;
use super::sitemap::{SitemapKind, parse_sitemap};
use crate::ad::Ad;
use crate::store::PageKind;

/// Most ads read from one feed.
const MAX_FEED_ENTRIES: usize = 1_000;

/// A link found on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The canonical URL.
    pub url: Url,
    /// What it is expected to be.
    pub kind: PageKind,
    /// `lastmod` from the sitemap that listed it.
    pub lastmod: Option<String>,
    /// A next-page or older-messages link: it continues the page it is on, so it does not count
    /// as a level of depth.
    pub continues: bool,
}

/// What a page held.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageContent {
    /// The ads, each with its URL, extractor and source.
    pub ads: Vec<Ad>,
    /// Links to follow.
    pub links: Vec<Link>,
    /// The extractor that read the page (`sitemap`, `feed`, `json-ld`, `profile:NAME`,
    /// `channel`), if any did.
    pub extractor: Option<String>,
    /// `<meta name="robots">` directives of an HTML page.
    pub robots: RobotsDirectives,
    /// Why the page could not be read, if it could not.
    pub problem: Option<String>,
}

/// A fetched page to read.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    /// Where it was finally fetched from (after redirects).
    pub url: &'a Url,
    /// What it was expected to be.
    pub kind: PageKind,
    /// The `Content-Type` header.
    pub content_type: Option<&'a str>,
    /// The body, decompressed.
    pub body: &'a [u8],
    /// Most bytes a gzip-compressed sitemap may inflate to.
    pub max_bytes: usize,
}

/// Reads a page with the first extractor that recognises it.
///
/// What the page was expected to be is a hint: a "sitemap" or "feed" that turns out to be an
/// HTML page is read as one.
pub fn extract(page: Page<'_>, profiles: &[SiteProfile]) -> PageContent {
    let sniffed_sitemap = looks_like_sitemap(page.body);
    if sniffed_sitemap || page.kind == PageKind::Sitemap {
        let content = sitemap(page);
        if content.problem.is_none() || sniffed_sitemap || is_gzip(page.body) {
            return content;
        }
    }
    let sniffed_feed = looks_like_feed(page.body, page.content_type);
    if sniffed_feed || page.kind == PageKind::Feed {
        match parse_feed(page.body, page.url, MAX_FEED_ENTRIES) {
            Ok(feed) => {
                return PageContent {
                    ads: feed.ads,
                    extractor: Some("feed".into()),
                    ..PageContent::default()
                };
            }
            Err(e) if sniffed_feed => {
                return PageContent {
                    problem: Some(e.to_string()),
                    ..PageContent::default()
                };
            }
            Err(_) => {}
        }
    }
    let (html, _) = decode_html(page.body, page.content_type, Some(page.url));
    html_page(&html, page.url, profiles)
}

fn is_gzip(body: &[u8]) -> bool {
    body.starts_with(&[0x1f, 0x8b])
}

fn looks_like_sitemap(body: &[u8]) -> bool {
    let head = &body[..body.len().min(1024)];
    let head = String::from_utf8_lossy(head);
    head.contains("<urlset") || head.contains("<sitemapindex")
}

fn sitemap(page: Page<'_>) -> PageContent {
    match parse_sitemap(page.body, page.max_bytes) {
        Ok(map) => {
            let kind = match map.kind {
                SitemapKind::Index => PageKind::Sitemap,
                SitemapKind::UrlSet => PageKind::Page,
            };
            PageContent {
                links: map
                    .entries
                    .into_iter()
                    .map(|entry| Link {
                        url: entry.loc,
                        kind,
                        lastmod: entry.lastmod,
                        continues: false,
                    })
                    .collect(),
                extractor: Some("sitemap".into()),
                ..PageContent::default()
            }
        }
        Err(e) => PageContent {
            problem: Some(e.to_string()),
            ..PageContent::default()
        },
    }
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("a valid built-in selector")
}

static CANONICAL: LazyLock<Selector> = LazyLock::new(|| selector("link[rel=canonical][href]"));
static FEED_LINKS: LazyLock<Selector> = LazyLock::new(|| {
    selector(
        "link[rel=alternate][type='application/rss+xml'][href], \
         link[rel=alternate][type='application/atom+xml'][href]",
    )
});

fn html_page(html: &str, url: &Url, profiles: &[SiteProfile]) -> PageContent {
    let robots = RobotsDirectives::from_html(html);
    let (canonical, feeds) = {
        let document = Html::parse_document(html);
        let canonical = document
            .select(&CANONICAL)
            .find_map(|l| l.value().attr("href"))
            .and_then(|href| canonicalize(href, Some(url)).ok());
        let feeds: Vec<Link> = document
            .select(&FEED_LINKS)
            .filter_map(|l| l.value().attr("href"))
            .filter_map(|href| canonicalize(href, Some(url)).ok())
            .map(|url| Link {
                url,
                kind: PageKind::Feed,
                lastmod: None,
                continues: false,
            })
            .collect();
        (canonical, feeds)
    };
    let mut content = PageContent {
        robots,
        links: feeds,
        ..PageContent::default()
    };
    let postings = job_postings(html, url);
    if !postings.is_empty() {
        content.ads = postings;
        content.extractor = Some("json-ld".into());
    }
    if let Some(profile) = profiles.iter().find(|p| p.applies_to(url)) {
        let listing = profile.listing(html, url);
        let found_links = !listing.ads.is_empty() || listing.next.is_some();
        content
            .links
            .extend(listing.ads.into_iter().map(|url| Link {
                url,
                kind: PageKind::Page,
                lastmod: None,
                continues: false,
            }));
        content.links.extend(listing.next.map(|url| Link {
            url,
            kind: PageKind::Page,
            lastmod: None,
            continues: true,
        }));
        if content.ads.is_empty() {
            if let Some(ad) = profile.ad(html, url) {
                content.ads.push(ad);
            }
        }
        if content.extractor.is_none() && (found_links || !content.ads.is_empty()) {
            content.extractor = Some(format!("profile:{}", profile.name()));
        }
    }
    if content.extractor.is_none() {
        let channel = channel_page(html, url);
        if !channel.ads.is_empty() || channel.older.is_some() {
            content.ads = channel.ads;
            content.links.extend(channel.older.map(|url| Link {
                url,
                kind: PageKind::Page,
                lastmod: None,
                continues: true,
            }));
            content.extractor = Some("channel".into());
        }
    }
    if let Some(canonical) = canonical.filter(|c| c != url) {
        for ad in &mut content.ads {
            ad.extra
                .insert("canonical_url".into(), Value::String(canonical.to_string()));
        }
    }
    content
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crawl::profile::SiteProfile;

    fn page<'a>(url: &'a Url, kind: PageKind, body: &'a [u8]) -> Page<'a> {
        Page {
            url,
            kind,
            content_type: Some("text/html"),
            body,
            max_bytes: 1 << 20,
        }
    }

    #[test]
    fn json_ld_comes_first_and_canonical_and_feeds_are_recorded() {
        let url = Url::parse("https://jobs.example/ad/1?utm_source=x").unwrap();
        let html = br#"<html><head>
            <link rel="canonical" href="https://jobs.example/ad/1">
            <link rel="alternate" type="application/rss+xml" href="/feed.xml">
            <script type="application/ld+json">{"@type":"JobPosting","title":"Typist",
              "description":"Typing job in Bavet, free visa"}</script></head><body></body></html>"#;
        let content = extract(page(&url, PageKind::Page, html), &[]);
        assert_eq!(content.extractor.as_deref(), Some("json-ld"));
        assert_eq!(content.ads.len(), 1);
        assert_eq!(
            content.ads[0].extra["canonical_url"],
            "https://jobs.example/ad/1"
        );
        assert_eq!(
            content.links[0].url.as_str(),
            "https://jobs.example/feed.xml"
        );
        assert_eq!(content.links[0].kind, PageKind::Feed);
    }

    #[test]
    fn a_profile_gives_links_and_ads_and_a_sitemap_gives_links() {
        let profile = SiteProfile::from_toml_str(
            "name = \"b\"\nhosts = [\"b.example\"]\nad_links = \"a.job\"\nnext_page = \"a.next\"\n\
             title = \"h1\"\nbody = \".d\"\n",
        )
        .unwrap();
        let url = Url::parse("https://b.example/list").unwrap();
        let html = br#"<a class="job" href="/ad/1">1</a><a class="next" href="/list?p=2">next</a>"#;
        let content = extract(
            page(&url, PageKind::Page, html),
            std::slice::from_ref(&profile),
        );
        assert_eq!(content.extractor.as_deref(), Some("profile:b"));
        assert_eq!(content.links.len(), 2);
        let sitemap =
            br#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <url><loc>https://b.example/ad/9</loc><lastmod>2026-11-01</lastmod></url></urlset>"#;
        let content = extract(page(&url, PageKind::Page, sitemap), &[]);
        assert_eq!(content.extractor.as_deref(), Some("sitemap"));
        assert_eq!(content.links[0].lastmod.as_deref(), Some("2026-11-01"));
    }

    #[test]
    fn an_expected_feed_that_is_an_html_page_is_read_as_a_page() {
        let url = Url::parse("https://t.me/s/feedjobs_kh").unwrap();
        let html = br#"<div class="tgme_widget_message" data-post="feedjobs_kh/5">
            <div class="tgme_widget_message_text">Typing job, free visa</div></div>"#;
        let content = extract(page(&url, PageKind::Feed, html), &[]);
        assert_eq!(content.extractor.as_deref(), Some("channel"), "{content:?}");
        assert_eq!(content.ads.len(), 1);
        let content = extract(page(&url, PageKind::Sitemap, html), &[]);
        assert_eq!(content.extractor.as_deref(), Some("channel"));
    }

    #[test]
    fn garbage_is_read_without_panicking() {
        let url = Url::parse("https://b.example/").unwrap();
        for body in [
            &b""[..],
            b"\xff\xfe\x00<",
            b"<urlset",
            b"<rss><channel><item>",
            b"<html><<<>",
        ] {
            for kind in [PageKind::Page, PageKind::Feed, PageKind::Sitemap] {
                let _ = extract(page(&url, kind, body), &[]);
            }
        }
    }
}
