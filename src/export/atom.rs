//! Flagged ads as an Atom 1.0 feed (RFC 4287), for feed readers.
//!
//! One entry per ad: its headline as the title, the time it was flagged, a link to where it was
//! seen, a summary in plain words (score, risk, the red flags with the ad's own words, and the
//! reminder that a flag is a lead for review), the ad's text as content and each flag as a
//! category. Text is escaped with quick-xml, and characters that XML 1.0 cannot carry at all
//! (most control characters) are dropped.

use std::io::{self, Write};

use quick_xml::escape::escape;

use super::{FeedItem, ItemWriter};
use crate::store::{Millis, rfc3339};

/// What the feed says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedMeta {
    /// The feed's permanent id (an IRI, such as `urn:lurewatch:feed:flagged`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its own URL, if it has one.
    pub self_url: Option<String>,
    /// The URL of the next page, if any.
    pub next_url: Option<String>,
    /// When it last changed.
    pub updated: Millis,
}

/// Writes items as Atom entries.
pub struct AtomWriter<W: Write> {
    out: io::BufWriter<W>,
    meta: FeedMeta,
    started: bool,
}

impl<W: Write> std::fmt::Debug for AtomWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AtomWriter")
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

impl<W: Write> AtomWriter<W> {
    /// A writer of the feed described by `meta` to `out`.
    pub fn new(out: W, meta: FeedMeta) -> AtomWriter<W> {
        AtomWriter {
            out: io::BufWriter::new(out),
            meta,
            started: false,
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        let m = &self.meta;
        let mut head = String::from(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
        );
        head.push_str(&element("id", &m.id));
        head.push_str(&element("title", &m.title));
        head.push_str(&element(
            "subtitle",
            "Job ads flagged as possible scam-centre trafficking lures. Each is a lead for human review, not proof of trafficking or wrongdoing.",
        ));
        head.push_str(&element("updated", &rfc3339(m.updated)));
        head.push_str("<author><name>Lurewatch</name></author>\n");
        head.push_str("<generator>Lurewatch</generator>\n");
        if let Some(url) = &m.self_url {
            head.push_str(&link("self", url, Some("application/atom+xml")));
        }
        if let Some(url) = &m.next_url {
            head.push_str(&link("next", url, Some("application/atom+xml")));
        }
        self.out.write_all(head.as_bytes())
    }
}

impl<W: Write> ItemWriter for AtomWriter<W> {
    fn item(&mut self, item: &FeedItem) -> io::Result<()> {
        self.start()?;
        self.out.write_all(entry(item).as_bytes())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.start()?;
        self.out.write_all(b"</feed>\n")?;
        self.out.flush()
    }
}

/// One `<entry>`.
fn entry(item: &FeedItem) -> String {
    let mut s = String::from("<entry>\n");
    s.push_str(&element("id", &format!("urn:lurewatch:ad:{}", item.id)));
    s.push_str(&element(
        "title",
        &format!(
            "{} ({} risk, score {:.2})",
            item.headline(),
            item.risk,
            item.score
        ),
    ));
    s.push_str(&element("updated", &item.flagged_at));
    s.push_str(&element("published", &item.flagged_at));
    // Only web links: a feed reader would follow a `javascript:` or `data:` link from input.
    let web = |u: &&String| {
        let lower = u.trim_start().to_ascii_lowercase();
        lower.starts_with("https://") || lower.starts_with("http://")
    };
    let mut links: Vec<&String> = item.url.iter().filter(web).collect();
    for url in item.urls.iter().filter(web) {
        if !links.contains(&url) {
            links.push(url);
        }
    }
    for (i, url) in links.iter().enumerate() {
        s.push_str(&link(
            if i == 0 { "alternate" } else { "related" },
            url,
            None,
        ));
    }
    for flag in &item.flags {
        let label = item
            .evidence
            .iter()
            .find(|e| &e.flag == flag)
            .map(|e| e.label.as_str());
        s.push_str(&format!("<category term=\"{}\"", attr(flag)));
        if let Some(label) = label {
            s.push_str(&format!(" label=\"{}\"", attr(label)));
        }
        s.push_str("/>\n");
    }
    s.push_str(&element_typed("summary", &summary(item)));
    let mut content = String::new();
    if let Some(title) = &item.title {
        content.push_str(title);
        content.push_str("\n\n");
    }
    content.push_str(&item.text);
    if let Some(contact) = &item.contact {
        content.push_str("\n\nContact: ");
        content.push_str(contact);
    }
    s.push_str(&element_typed("content", &content));
    s.push_str("</entry>\n");
    s
}

/// The plain-words summary of an entry.
pub fn summary(item: &FeedItem) -> String {
    let mut s = format!(
        "Score {:.2}, {} risk. {}\n",
        item.score, item.risk, item.note
    );
    if item.evidence.is_empty() && !item.flags.is_empty() {
        s.push_str(&format!("Red flags: {}.\n", item.flags.join(", ")));
    }
    for e in &item.evidence {
        if e.text.is_empty() {
            s.push_str(&format!("- {}\n", e.label));
        } else {
            s.push_str(&format!("- {}: \"{}\"\n", e.label, e.text));
        }
    }
    if let (Some(language), Some(country)) = (&item.language, &item.country) {
        s.push_str(&format!("Language {language}, country {country}.\n"));
    }
    s
}

fn element(name: &str, text: &str) -> String {
    format!("<{name}>{}</{name}>\n", text_escape(text))
}

fn element_typed(name: &str, text: &str) -> String {
    format!("<{name} type=\"text\">{}</{name}>\n", text_escape(text))
}

fn link(rel: &str, href: &str, kind: Option<&str>) -> String {
    let kind = kind
        .map(|k| format!(" type=\"{}\"", attr(k)))
        .unwrap_or_default();
    format!("<link rel=\"{rel}\" href=\"{}\"{kind}/>\n", attr(href))
}

fn text_escape(text: &str) -> String {
    escape(xml_chars(text).as_str()).into_owned()
}

fn attr(text: &str) -> String {
    // Line breaks in attributes would be normalised to spaces by a parser; write them so.
    let flat: String = xml_chars(text)
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .collect();
    escape(flat.as_str()).into_owned()
}

/// The text without characters XML 1.0 forbids (C0 controls other than tab, line feed and
/// carriage return; U+FFFE and U+FFFF; lone surrogates cannot occur in a Rust string).
fn xml_chars(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r')
                || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}' && c != '\u{7F}')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::sample;

    fn feed(items: &[FeedItem]) -> String {
        let mut out = Vec::new();
        let mut writer = AtomWriter::new(
            &mut out,
            FeedMeta {
                id: "urn:lurewatch:feed:test".into(),
                title: "Flagged <ads> & more".into(),
                self_url: Some("http://127.0.0.1/v1/flagged.atom?a=1&b=2".into()),
                next_url: None,
                updated: 0,
            },
        );
        for item in items {
            writer.item(item).unwrap();
        }
        writer.finish().unwrap();
        drop(writer);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn awkward_text_is_escaped_and_the_feed_parses() {
        let item = FeedItem {
            title: Some("<b>Boss</b> & \"friends\" 'quoted' 🚀".into()),
            text: "งานแอดมิน เงินเดือนสูง \u{0}\u{1b}bell & <script>".into(),
            ..sample()
        };
        let xml = feed(&[item]);
        assert!(!xml.contains("<script>") && !xml.contains('\u{1b}'));
        let parsed: atom_syndication::Feed = xml.parse().unwrap();
        assert_eq!(parsed.title().as_str(), "Flagged <ads> & more");
        let entry = &parsed.entries()[0];
        assert_eq!(entry.id(), "urn:lurewatch:ad:a1");
        assert!(
            entry
                .title()
                .as_str()
                .starts_with("<b>Boss</b> & \"friends\"")
        );
        assert_eq!(entry.links()[0].href(), "https://jobs.example/a1");
        let summary = entry.summary().unwrap().as_str();
        assert!(summary.contains("\"Sihanoukville\""), "{summary}");
        assert!(summary.contains("not proof"));
        let content = entry.content().unwrap().value().unwrap();
        assert!(content.contains("งานแอดมิน") && content.contains("bell & <script>"));
        assert_eq!(
            parsed.links()[0].href(),
            "http://127.0.0.1/v1/flagged.atom?a=1&b=2"
        );
    }

    #[test]
    fn an_empty_feed_is_still_a_feed() {
        let parsed: atom_syndication::Feed = feed(&[]).parse().unwrap();
        assert!(parsed.entries().is_empty());
        assert_eq!(parsed.id(), "urn:lurewatch:feed:test");
    }
}
