//! RSS and Atom job feeds: one ad per item or entry.
//!
//! Many boards and agencies publish their latest ads as a feed. [`looks_like_feed`] tells a
//! feed from other responses by content type or by its root element, and [`parse_feed`] reads
//! RSS 2.0 (and 0.9x), RSS 1.0 (RDF) and Atom 1.0 (and 0.3) with quick-xml's streaming reader.
//! Each item or entry with a title or text becomes an [`Ad`](crate::ad::Ad):
//!
//! | ad field | RSS | Atom |
//! |---|---|---|
//! | `title` | `title` | `title` |
//! | `text` | `content:encoded`, else `description` (HTML turned into text) | `content`, else `summary` |
//! | `url` | `link`, else `guid` when it is a permalink URL | `link rel="alternate"`, else another `link` |
//! | `posted_at` | `pubDate`, else `dc:date` | `published`, else `updated` |
//! | `company` | the name in `author`, else `dc:creator` | `author/name`, else `dc:creator` |
//! | `language` | the item's `xml:lang`, else the channel's `language` | `xml:lang` of the entry or feed |
//!
//! Dates are rewritten as RFC 3339 when they read as RFC 3339 or RFC 2822, else kept as given.
//! An entry without a link has no `url` (the feed's own URL is not the ad's page). `source` is
//! the host of the feed's URL; the extra fields are `extractor` (`"feed"`), `feed_guid` (the
//! `guid` or `id`) and `categories`. Relative links are resolved against `xml:base` (itself
//! resolved against the feed's URL) and canonicalised. Text fields are cut
//! at [`MAX_FIELD_BYTES`], and at most `max_entries` ads are read.
//!
//! The body should be UTF-8. A body in another encoding is decoded when a byte-order mark or
//! its XML declaration names the encoding; a body that is valid UTF-8 is read as UTF-8 whatever
//! its declaration says, since the caller may have decoded it already. Bare `&` in text, common
//! in hand-made feeds, is read as text; other malformed XML is an error.

mod entry;
mod prolog;
mod reader;
mod vocab;

use url::Url;

use crate::ad::Ad;

/// Name recorded in each ad's `extractor` field.
pub const EXTRACTOR: &str = "feed";

/// Longest text kept from one field (title, content, description...), in bytes.
pub const MAX_FIELD_BYTES: usize = 100 * 1024;

/// Content types that name a feed whatever the body looks like.
const FEED_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/x-rss+xml",
    "application/x-atom+xml",
];

/// The feed format, told by the root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    /// `<rss>`: RSS 2.0 and 0.9x.
    Rss2,
    /// `<rdf:RDF>`: RSS 1.0 and 0.90.
    Rss1,
    /// `<feed>`: Atom 1.0 and 0.3.
    Atom,
}

/// A parsed feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    /// The format.
    pub kind: FeedKind,
    /// The channel's or feed's title, if it has one.
    pub title: Option<String>,
    /// One ad per item or entry with a title or text, in document order.
    pub ads: Vec<Ad>,
    /// Whether reading stopped at `max_entries` with more entries left.
    pub truncated: bool,
}

/// Why a feed could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    /// The XML is broken or ends too early.
    #[error("feed XML at byte {position}: {message}")]
    Xml {
        /// Byte offset in the (UTF-8) document where the parser stopped.
        position: u64,
        /// What it found.
        message: String,
    },
    /// The root element is not `<rss>`, `<rdf:RDF>` or `<feed>`, or there is none.
    #[error("not an RSS or Atom feed")]
    NotAFeed,
    /// The body is not UTF-8 and its XML declaration names an encoding that is not known.
    #[error("feed declares an unknown character encoding `{0}`")]
    Encoding(String),
}

/// Whether a response is a feed: its content type says so (`application/rss+xml`,
/// `application/atom+xml`, `application/rdf+xml`), or its root element is `rss`, `rdf:RDF` or
/// `feed`. The root is checked whatever the declared type, since servers label feeds `text/xml`,
/// `application/xml`, `text/plain` or even `text/html`; only a feed's root element passes.
pub fn looks_like_feed(body: &[u8], content_type: Option<&str>) -> bool {
    let essence = content_type
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase());
    if essence.is_some_and(|t| FEED_TYPES.contains(&t.as_str())) {
        return true;
    }
    prolog::root_name(body).is_some_and(|root| prolog::kind_of_root(&root).is_some())
}

/// Reads a feed fetched from `page`, keeping at most `max_entries` ads.
pub fn parse_feed(body: &[u8], page: &Url, max_entries: usize) -> Result<Feed, FeedError> {
    let text = prolog::decode(body)?;
    reader::read(&text, page, max_entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An RSS 2.0 job feed: CDATA HTML, entities, Media RSS, an empty item.
    pub(super) const RSS: &str = include_str!("../../../tests/data/feed_jobs.rss");
    /// An Atom job feed: `xml:base`, several link relations, XHTML, HTML and text content.
    pub(super) const ATOM: &str = include_str!("../../../tests/data/feed_jobs.atom");

    pub(super) fn page() -> Url {
        Url::parse("https://jobs.example.com/feeds/latest.xml").unwrap()
    }

    fn parse(body: &str) -> Feed {
        parse_feed(body.as_bytes(), &page(), 100).unwrap()
    }

    #[test]
    fn rss_items_become_ads_with_cdata_html_turned_into_text() {
        let feed = parse(RSS);
        assert_eq!(feed.kind, FeedKind::Rss2);
        assert_eq!(feed.title.as_deref(), Some("Overseas Jobs & Visas"));
        assert!(!feed.truncated);
        assert_eq!(
            feed.ads.len(),
            2,
            "the item with neither title nor text is skipped"
        );
        let ad = &feed.ads[0];
        assert_eq!(
            ad.title.as_deref(),
            Some("Customer Service (Sihanoukville)")
        );
        assert_eq!(
            ad.text, "Work in Sihanoukville, no experience.\nFree flight\nVisa & dorm",
            "content:encoded is preferred to description"
        );
        assert_eq!(ad.url.as_deref(), Some("https://jobs.example.com/ad/77"));
        assert_eq!(ad.posted_at.as_deref(), Some("2026-10-02T08:15:00+07:00"));
        assert_eq!(ad.company.as_deref(), Some("Golden Star Tech"));
        assert_eq!(ad.source.as_deref(), Some("jobs.example.com"));
        assert_eq!(ad.language.as_deref(), Some("en-us"));
        assert_eq!(ad.extra["extractor"], "feed");
        assert_eq!(ad.extra["feed_guid"], "job-77");
        assert_eq!(
            ad.extra["categories"],
            serde_json::json!(["Customer Service", "Cambodia"])
        );
        assert_eq!(ad.id, ad.content_id());
    }

    #[test]
    fn a_permalink_guid_stands_in_for_the_link_and_entities_are_decoded() {
        let ad = &parse(RSS).ads[1];
        assert_eq!(ad.url.as_deref(), Some("https://jobs.example.com/ad/78"));
        assert_eq!(ad.text, "Typing & data entry, $1500/month — apply now");
        assert_eq!(ad.company.as_deref(), Some("Golden HR"));
        assert_eq!(ad.posted_at.as_deref(), Some("2026-10-03"), "kept as given");
        assert!(!ad.extra.contains_key("categories"));
    }

    #[test]
    fn atom_entries_resolve_links_against_xml_base_and_prefer_alternate() {
        let feed = parse(ATOM);
        assert_eq!(feed.kind, FeedKind::Atom);
        assert_eq!(feed.title.as_deref(), Some("Board jobs"));
        let ad = &feed.ads[0];
        assert_eq!(ad.title.as_deref(), Some("Translator (Myawaddy)"));
        assert_eq!(
            ad.url.as_deref(),
            Some("https://board.example/jobs/asia/ad-12")
        );
        assert_eq!(ad.text, "Chinese & Thai.\nSalary <b> 30,000 บาท\nfree visa");
        assert_eq!(ad.posted_at.as_deref(), Some("2026-10-01T09:00:00Z"));
        assert_eq!(ad.company.as_deref(), Some("Shwe Recruit"));
        assert_eq!(ad.language.as_deref(), Some("th"), "the feed's xml:lang");
        assert_eq!(ad.extra["feed_guid"], "tag:board.example,2026:12");
        assert_eq!(ad.extra["categories"], serde_json::json!(["Translation"]));
    }

    #[test]
    fn atom_falls_back_to_other_links_summary_and_updated() {
        let feed = parse(ATOM);
        let ad = &feed.ads[1];
        assert_eq!(ad.url.as_deref(), Some("https://board.example/api/13"));
        assert_eq!(
            ad.text, "Night shift & dorm",
            "out-of-line content is skipped"
        );
        assert_eq!(ad.posted_at.as_deref(), Some("2026-10-06T10:00:00Z"));
        assert_eq!(ad.language.as_deref(), Some("en"));
        let plain = &feed.ads[2];
        assert_eq!(plain.title.as_deref(), Some("Salary <$500 & bonus"));
        assert_eq!(
            plain.text, "Line one\nline two",
            "type=text is not read as HTML"
        );
        assert_eq!(plain.url, None);
    }

    #[test]
    fn rss_1_0_items_outside_the_channel_are_read() {
        let rdf = r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://jobs.example.com/rss">
    <title>RDF jobs</title>
    <items><rdf:Seq><rdf:li rdf:resource="https://jobs.example.com/ad/5"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://jobs.example.com/ad/5">
    <title>Casino host, Laos</title>
    <link>https://jobs.example.com/ad/5</link>
    <description>Golden Triangle SEZ, housing provided</description>
    <dc:date>2026-09-30T12:00:00+07:00</dc:date>
    <dc:creator>Kings Roman HR</dc:creator>
    <dc:subject>Hospitality</dc:subject>
  </item>
</rdf:RDF>"#;
        let feed = parse(rdf);
        assert_eq!(feed.kind, FeedKind::Rss1);
        assert_eq!(feed.title.as_deref(), Some("RDF jobs"));
        let ad = &feed.ads[0];
        assert_eq!(ad.url.as_deref(), Some("https://jobs.example.com/ad/5"));
        assert_eq!(ad.posted_at.as_deref(), Some("2026-09-30T12:00:00+07:00"));
        assert_eq!(ad.company.as_deref(), Some("Kings Roman HR"));
        assert_eq!(ad.extra["categories"], serde_json::json!(["Hospitality"]));
    }

    #[test]
    fn undeclared_prefixes_bare_ampersands_and_html_entities_are_tolerated() {
        let sloppy = "<rss><channel><item><title>Sales & Marketing</title>\
            <content:encoded>&lt;p&gt;Bonus&nbsp;&amp;amp; commission&lt;/p&gt;</content:encoded>\
            <description>ignored</description></item></channel></rss>";
        let ad = &parse(sloppy).ads[0];
        assert_eq!(ad.title.as_deref(), Some("Sales & Marketing"));
        assert_eq!(
            ad.text, "Bonus & commission",
            "&nbsp; is left to the HTML parser"
        );
    }

    #[test]
    fn a_declared_legacy_encoding_is_decoded() {
        let mut body =
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><item><title>Caf"
                .to_vec();
        body.extend([0xe9]);
        body.extend(b" staff</title></item></channel></rss>");
        let feed = parse_feed(&body, &page(), 10).unwrap();
        assert_eq!(feed.ads[0].title.as_deref(), Some("Café staff"));
        body[30..40].copy_from_slice(b"x-klingon\"");
        assert!(matches!(
            parse_feed(&body, &page(), 10),
            Err(FeedError::Encoding(_))
        ));
    }

    #[test]
    fn feeds_are_recognised_by_content_type_or_root_element() {
        assert!(looks_like_feed(
            b"",
            Some("application/rss+xml; charset=utf-8")
        ));
        assert!(looks_like_feed(b"", Some("Application/Atom+XML")));
        assert!(looks_like_feed(RSS.as_bytes(), Some("text/xml")));
        assert!(looks_like_feed(ATOM.as_bytes(), Some("application/xml")));
        assert!(looks_like_feed(ATOM.as_bytes(), None));
        assert!(
            looks_like_feed(RSS.as_bytes(), Some("text/html")),
            "mislabelled"
        );
        assert!(!looks_like_feed(
            b"<?xml version=\"1.0\"?><urlset/>",
            Some("text/xml")
        ));
        assert!(!looks_like_feed(
            b"<!doctype html><html></html>",
            Some("text/html")
        ));
        assert!(!looks_like_feed(b"\x89PNG\r\n\x1a\n", Some("image/png")));
    }

    #[test]
    fn feeds_written_by_atom_syndication_are_read() {
        use atom_syndication::{ContentBuilder, EntryBuilder, FeedBuilder, LinkBuilder};
        let date = chrono::DateTime::parse_from_rfc3339("2026-10-07T06:30:00+07:00").unwrap();
        let entry = EntryBuilder::default()
            .title("IT support, Bavet <urgent> & well paid")
            .id("urn:uuid:1")
            .updated(date)
            .links(vec![
                LinkBuilder::default()
                    .href("https://atom.example/ad/1")
                    .rel("alternate")
                    .build(),
            ])
            .content(
                ContentBuilder::default()
                    .value(Some("<p>Free <i>flight</i></p>".to_string()))
                    .content_type(Some("html".to_string()))
                    .build(),
            )
            .build();
        let written = FeedBuilder::default()
            .title("Generated")
            .id("urn:uuid:feed")
            .entries(vec![entry])
            .build()
            .to_string();
        let feed = parse(&written);
        assert_eq!(feed.title.as_deref(), Some("Generated"));
        let ad = &feed.ads[0];
        assert_eq!(
            ad.title.as_deref(),
            Some("IT support, Bavet <urgent> & well paid")
        );
        assert_eq!(ad.text, "Free flight");
        assert_eq!(ad.url.as_deref(), Some("https://atom.example/ad/1"));
        assert_eq!(ad.posted_at.as_deref(), Some("2026-10-07T06:30:00+07:00"));
    }
}
