//! One item or entry of a feed: the fields read from it, and the [`Ad`] they make.

use chrono::{DateTime, SecondsFormat};
use serde_json::{Map, Value};
use url::Url;

use super::EXTRACTOR;
use crate::ad::Ad;
use crate::crawl::canonical::canonicalize;

/// Most categories kept per entry.
const MAX_CATEGORIES: usize = 64;

/// A field of an entry that has text content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Field {
    /// `<title>`.
    Title,
    /// `<content:encoded>`.
    Encoded,
    /// Atom `<content>`.
    Content,
    /// RSS `<description>`.
    Description,
    /// Atom `<summary>`.
    Summary,
    /// RSS `<link>` with the URL as text.
    LinkText,
    /// RSS `<guid>`, with whether it is a permalink.
    Guid { permalink: bool },
    /// Atom `<id>`.
    Id,
    /// RSS `<pubDate>`.
    PubDate,
    /// `<dc:date>`.
    DcDate,
    /// Atom `<published>` (or Atom 0.3 `<issued>`).
    Published,
    /// Atom `<updated>` (or Atom 0.3 `<modified>`).
    Updated,
    /// `<author>`: an RSS email address, or an Atom person.
    Author,
    /// The `<name>` of an Atom `<author>`.
    AuthorName,
    /// `<dc:creator>`.
    Creator,
    /// `<category>` or `<dc:subject>`, with the Atom `label` or `term` for an empty element.
    Category { fallback: Option<String> },
}

/// The fields read so far from one item or entry.
#[derive(Debug, Default)]
pub(super) struct Entry {
    /// The depth of the `<item>` or `<entry>` element.
    pub depth: usize,
    /// Its `xml:lang`.
    pub language: Option<String>,
    title: Option<String>,
    encoded: Option<String>,
    content: Option<String>,
    description: Option<String>,
    summary: Option<String>,
    link: Option<Url>,
    other_link: Option<Url>,
    guid: Option<String>,
    guid_is_permalink: bool,
    id: Option<String>,
    dates: [Option<String>; 4],
    author: Option<String>,
    author_name: Option<String>,
    creator: Option<String>,
    categories: Vec<String>,
}

fn keep_first(slot: &mut Option<String>, value: String) {
    if slot.is_none() {
        *slot = Some(value);
    }
}

impl Entry {
    /// An entry whose element is at `depth`.
    pub fn new(depth: usize, language: Option<String>) -> Self {
        Entry {
            depth,
            language: language.filter(|l| !l.trim().is_empty()),
            ..Entry::default()
        }
    }

    /// Records a field's text (already cleaned); the first non-empty value of a field wins.
    /// `base` resolves a relative `<link>`.
    pub fn set(&mut self, field: Field, value: String, base: &Url) {
        let value = match (value.is_empty(), &field) {
            (true, Field::Category { fallback: Some(f) }) => f.trim().to_string(),
            _ => value,
        };
        if value.is_empty() {
            return;
        }
        match field {
            Field::Title => keep_first(&mut self.title, value),
            Field::Encoded => keep_first(&mut self.encoded, value),
            Field::Content => keep_first(&mut self.content, value),
            Field::Description => keep_first(&mut self.description, value),
            Field::Summary => keep_first(&mut self.summary, value),
            Field::LinkText => {
                if self.link.is_none() {
                    self.link = canonicalize(&value, Some(base)).ok();
                }
            }
            Field::Guid { permalink } => {
                if self.guid.is_none() {
                    self.guid = Some(value);
                    self.guid_is_permalink = permalink;
                }
            }
            Field::Id => keep_first(&mut self.id, value),
            Field::PubDate => keep_first(&mut self.dates[0], value),
            Field::DcDate => keep_first(&mut self.dates[1], value),
            Field::Published => keep_first(&mut self.dates[2], value),
            Field::Updated => keep_first(&mut self.dates[3], value),
            Field::Author => keep_first(&mut self.author, value),
            Field::AuthorName => keep_first(&mut self.author_name, value),
            Field::Creator => keep_first(&mut self.creator, value),
            Field::Category { .. } => {
                if self.categories.len() < MAX_CATEGORIES && !self.categories.contains(&value) {
                    self.categories.push(value);
                }
            }
        }
    }

    /// Records a link with an `href`: an `alternate` one (the default relation) is the entry's
    /// URL, another is used only when there is no alternate.
    pub fn add_link(&mut self, rel: Option<&str>, url: Url) {
        let rel = rel.map(str::trim).unwrap_or("alternate");
        if rel.is_empty() || rel.eq_ignore_ascii_case("alternate") {
            self.link.get_or_insert(url);
        } else {
            self.other_link.get_or_insert(url);
        }
    }

    /// The ad, unless the entry has neither title nor text.
    pub fn into_ad(self, page: &Url) -> Option<Ad> {
        let text = [self.encoded, self.content, self.description, self.summary]
            .into_iter()
            .flatten()
            .next()
            .unwrap_or_default();
        if self.title.is_none() && text.is_empty() {
            return None;
        }
        let permalink = self
            .guid
            .as_deref()
            .filter(|_| self.guid_is_permalink)
            .and_then(|g| canonicalize(g, None).ok());
        let url = self.link.or(self.other_link).or(permalink);
        let posted_at = self.dates.into_iter().flatten().next();
        let company = self
            .author_name
            .or_else(|| self.author.map(|a| person_name(&a)))
            .or(self.creator);
        let mut extra = Map::new();
        extra.insert("extractor".into(), Value::String(EXTRACTOR.into()));
        if let Some(guid) = self.guid.or(self.id) {
            extra.insert("feed_guid".into(), Value::String(guid));
        }
        if !self.categories.is_empty() {
            let categories = self.categories.into_iter().map(Value::String).collect();
            extra.insert("categories".into(), Value::Array(categories));
        }
        let mut ad = Ad {
            id: String::new(),
            title: self.title,
            text,
            company,
            location: None,
            salary: None,
            contact: None,
            url: url.map(String::from),
            source: page.host_str().map(str::to_string),
            posted_at: posted_at.map(|d| normalise_date(&d)),
            language: self.language,
            extra,
        };
        ad.id = ad.content_id();
        Some(ad)
    }
}

/// The name in an RSS `author` written `email (Name)`, else the text as given.
fn person_name(author: &str) -> String {
    author
        .split_once('(')
        .filter(|(email, _)| email.contains('@'))
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .unwrap_or(author)
        .to_string()
}

/// A date as RFC 3339 when it reads as RFC 3339 or RFC 2822 (a wrong weekday forgiven), else
/// as given.
pub(super) fn normalise_date(raw: &str) -> String {
    let raw = raw.trim();
    let without_weekday = raw.split_once(',').map_or(raw, |(_, rest)| rest.trim());
    DateTime::parse_from_rfc3339(raw)
        .or_else(|_| DateTime::parse_from_rfc2822(raw))
        .or_else(|_| DateTime::parse_from_rfc2822(without_weekday))
        .map(|d| d.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .unwrap_or_else(|_| raw.to_string())
}

/// Plain text with each line's whitespace collapsed and blank lines dropped.
pub(super) fn plain_text(text: &str) -> String {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_normalised_to_rfc3339_when_they_can_be_read() {
        let cases = [
            (
                "Fri, 02 Oct 2026 08:15:00 +0700",
                "2026-10-02T08:15:00+07:00",
            ),
            ("Fri, 02 Oct 2026 08:15:00 GMT", "2026-10-02T08:15:00Z"),
            ("Mon, 02 Oct 2026 08:15:00 +0000", "2026-10-02T08:15:00Z"),
            ("2 Oct 2026 08:15 -0500", "2026-10-02T08:15:00-05:00"),
            ("2026-10-02T08:15:00Z", "2026-10-02T08:15:00Z"),
            (
                "2026-10-02T08:15:00.250+07:00",
                "2026-10-02T08:15:00.250+07:00",
            ),
            ("2026-10-02", "2026-10-02"),
            ("  last Tuesday ", "last Tuesday"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise_date(raw), want, "{raw}");
        }
    }

    #[test]
    fn the_name_in_an_rss_author_is_preferred_to_the_address() {
        assert_eq!(
            person_name("hr@golden.example (Golden Star HR)"),
            "Golden Star HR"
        );
        assert_eq!(person_name("hr@golden.example"), "hr@golden.example");
        assert_eq!(
            person_name("Golden Star (Cambodia)"),
            "Golden Star (Cambodia)"
        );
    }

    #[test]
    fn an_alternate_link_beats_other_relations_and_the_guid() {
        let page = Url::parse("https://jobs.example/feed").unwrap();
        let mut entry = Entry::new(2, None);
        entry.set(Field::Title, "Typist".into(), &page);
        entry.set(
            Field::Guid { permalink: true },
            "https://jobs.example/guid/1".into(),
            &page,
        );
        entry.add_link(
            Some("related"),
            Url::parse("https://jobs.example/r").unwrap(),
        );
        entry.add_link(None, Url::parse("https://jobs.example/ad/1").unwrap());
        let ad = entry.into_ad(&page).unwrap();
        assert_eq!(ad.url.as_deref(), Some("https://jobs.example/ad/1"));
        assert_eq!(ad.extra["feed_guid"], "https://jobs.example/guid/1");
    }

    #[test]
    fn an_entry_without_title_or_text_is_no_ad() {
        let page = Url::parse("https://jobs.example/feed").unwrap();
        let mut entry = Entry::new(2, None);
        entry.set(
            Field::Guid { permalink: true },
            "https://jobs.example/1".into(),
            &page,
        );
        entry.set(Field::Description, String::new(), &page);
        assert_eq!(entry.into_ad(&page), None);
    }

    #[test]
    fn a_permalink_guid_is_the_url_when_there_is_no_link() {
        let page = Url::parse("https://jobs.example/feed").unwrap();
        let ad_with = |guid: &str, permalink: bool| {
            let mut entry = Entry::new(2, None);
            entry.set(Field::Title, "Typist".into(), &page);
            entry.set(Field::Guid { permalink }, guid.into(), &page);
            entry.into_ad(&page).unwrap().url
        };
        assert_eq!(
            ad_with("https://jobs.example/ad/9", true).as_deref(),
            Some("https://jobs.example/ad/9")
        );
        assert_eq!(ad_with("https://jobs.example/ad/9", false), None);
        assert_eq!(ad_with("ad-9", true), None, "not a URL");
    }
}
