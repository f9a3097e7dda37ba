//! The streaming pass over a feed: quick-xml events in, ads out, with no document tree.
//!
//! Only the direct children of an item or entry are read as its fields; the text of a field is
//! collected (up to [`MAX_FIELD_BYTES`]) and cleaned when its element ends. Fields holding HTML
//! keep nested elements as markup for the HTML-to-text step.

use quick_xml::NsReader;
use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::{BytesRef, BytesStart, Event};
use url::Url;

use super::entry::{Entry, Field, plain_text};
use super::prolog::kind_of_root;
use super::vocab::{Attrs, Mode, Vocab, entry_field, vocab};
use super::{Feed, FeedError, FeedKind, MAX_FIELD_BYTES};
use crate::ad::Ad;
use crate::crawl::canonical::canonicalize;
use crate::crawl::jsonld::html_to_text;

/// What a captured element's text is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    FeedTitle,
    FeedLanguage,
    Entry(Field),
}

/// An element whose text is being collected.
#[derive(Debug)]
struct Capture {
    target: Target,
    depth: usize,
    mode: Mode,
    buf: String,
}

impl Capture {
    /// Appends text, ignoring what goes beyond [`MAX_FIELD_BYTES`].
    fn push(&mut self, text: &str) {
        let room = MAX_FIELD_BYTES.saturating_sub(self.buf.len());
        let mut end = text.len().min(room);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        self.buf.push_str(&text[..end]);
    }

    /// The collected text, cleaned.
    fn text(&self) -> String {
        let text = match self.mode {
            Mode::Plain => plain_text(&self.buf),
            Mode::Html | Mode::Xhtml => html_to_text(&self.buf),
        };
        match self.target {
            Target::Entry(
                Field::Content | Field::Description | Field::Encoded | Field::Summary,
            ) => text,
            _ => text.split_whitespace().collect::<Vec<_>>().join(" "),
        }
    }
}

/// The state of one pass over a feed.
struct Pass<'p> {
    page: &'p Url,
    max_entries: usize,
    kind: Option<FeedKind>,
    depth: usize,
    /// Depth of `<channel>` (RSS) or `<feed>` (Atom), whose children describe the feed.
    container: Option<usize>,
    /// `xml:base` values in force, innermost last, with the depth that set them.
    bases: Vec<(usize, Url)>,
    /// At most two deep: an Atom `<author>` and its `<name>`.
    captures: Vec<Capture>,
    entry: Option<Entry>,
    title: Option<String>,
    language: Option<String>,
    root_language: Option<String>,
    ads: Vec<Ad>,
    truncated: bool,
}

/// Reads a feed document, already UTF-8.
pub(super) fn read(text: &str, page: &Url, max_entries: usize) -> Result<Feed, FeedError> {
    let mut reader = NsReader::from_str(text);
    reader.config_mut().allow_dangling_amp = true;
    let mut pass = Pass {
        page,
        max_entries,
        kind: None,
        depth: 0,
        container: None,
        bases: Vec::new(),
        captures: Vec::new(),
        entry: None,
        title: None,
        language: None,
        root_language: None,
        ads: Vec::new(),
        truncated: false,
    };
    loop {
        let (vocab, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => {
                let vocab = match &event {
                    Event::Start(e) | Event::Empty(e) => {
                        vocab(&ns, e.name().prefix().as_ref().map(|p| p.as_ref()))
                    }
                    _ => Vocab::Other,
                };
                (vocab, event)
            }
            Err(e) => {
                return Err(FeedError::Xml {
                    position: reader.error_position(),
                    message: e.to_string(),
                });
            }
        };
        match event {
            Event::Start(e) => pass.start(&e, vocab, false)?,
            Event::Empty(e) => {
                pass.start(&e, vocab, true)?;
                pass.end(&lower(e.local_name().as_ref()), true);
            }
            Event::End(e) => pass.end(&lower(e.local_name().as_ref()), false),
            Event::Text(t) => pass.text(&t.xml10_content().unwrap_or_default()),
            Event::CData(t) => pass.text(&t.xml10_content().unwrap_or_default()),
            Event::GeneralRef(r) => pass.reference(&r),
            Event::Eof => break,
            _ => {}
        }
        if pass.truncated {
            break;
        }
    }
    if !pass.truncated && pass.depth > 0 {
        return Err(FeedError::Xml {
            position: text.len() as u64,
            message: format!(
                "unexpected end of document with {} element(s) open",
                pass.depth
            ),
        });
    }
    let kind = pass.kind.ok_or(FeedError::NotAFeed)?;
    let language = pass.language.or(pass.root_language);
    let mut ads = pass.ads;
    for ad in &mut ads {
        if ad.language.is_none() {
            ad.language.clone_from(&language);
        }
    }
    Ok(Feed {
        kind,
        title: pass.title,
        ads,
        truncated: pass.truncated,
    })
}

/// A local name, lower-cased for matching.
fn lower(local_name: &[u8]) -> String {
    String::from_utf8_lossy(local_name).to_ascii_lowercase()
}

fn base_of<'a>(bases: &'a [(usize, Url)], page: &'a Url) -> &'a Url {
    bases.last().map_or(page, |(_, url)| url)
}

impl Pass<'_> {
    fn start(&mut self, element: &BytesStart, vocab: Vocab, empty: bool) -> Result<(), FeedError> {
        self.depth += 1;
        let depth = self.depth;
        let local = lower(element.local_name().as_ref());
        if self.kind.is_none() {
            let kind = kind_of_root(&local).ok_or(FeedError::NotAFeed)?;
            self.kind = Some(kind);
            if kind == FeedKind::Atom {
                self.container = Some(depth);
            }
        }
        if let Some(top) = self.captures.last_mut() {
            if top.mode != Mode::Plain {
                let attrs = String::from_utf8_lossy(element.attributes_raw());
                let close = if empty { "/>" } else { ">" };
                top.push(&format!("<{local}{attrs}{close}"));
                return Ok(());
            }
        }
        let attrs = Attrs::of(element);
        if let Some(base) = &attrs.base {
            if let Ok(url) = base_of(&self.bases, self.page).join(base.trim()) {
                self.bases.push((depth, url));
            }
        }
        if depth == 1 {
            self.root_language = attrs.lang.clone().filter(|l| !l.trim().is_empty());
        }
        if let Some(top) = self.captures.last() {
            if top.target == Target::Entry(Field::Author) && local == "name" {
                self.capture(Target::Entry(Field::AuthorName), Mode::Plain);
            }
            return Ok(());
        }
        let base = base_of(&self.bases, self.page);
        if let Some(entry) = &mut self.entry {
            if depth == entry.depth + 1 {
                if let (Vocab::Feed, "link", Some(href)) = (vocab, local.as_str(), &attrs.href) {
                    if let Ok(url) = canonicalize(href.trim(), Some(base)) {
                        entry.add_link(attrs.rel.as_deref(), url);
                    }
                } else if let Some((field, mode)) = entry_field(vocab, &local, &attrs) {
                    self.capture(Target::Entry(field), mode);
                }
            }
            return Ok(());
        }
        match (vocab, local.as_str()) {
            (Vocab::Feed, "item" | "entry") if depth >= 2 => {
                if self.ads.len() >= self.max_entries {
                    self.truncated = true;
                } else {
                    self.entry = Some(Entry::new(depth, attrs.lang));
                }
            }
            (Vocab::Feed, "channel") if self.container.is_none() => self.container = Some(depth),
            (Vocab::Feed, "title") if self.container == Some(depth - 1) && self.title.is_none() => {
                if let Some(mode) = Mode::of_type(attrs.kind.as_deref()) {
                    self.capture(Target::FeedTitle, mode);
                }
            }
            (Vocab::Feed | Vocab::Dc, "language") if self.container == Some(depth - 1) => {
                self.capture(Target::FeedLanguage, Mode::Plain);
            }
            _ => {}
        }
        Ok(())
    }

    fn capture(&mut self, target: Target, mode: Mode) {
        self.captures.push(Capture {
            target,
            depth: self.depth,
            mode,
            buf: String::new(),
        });
    }

    fn end(&mut self, local: &str, empty: bool) {
        let depth = self.depth;
        if self.captures.last().is_some_and(|c| c.depth == depth) {
            if let Some(capture) = self.captures.pop() {
                self.finish(capture);
            }
        } else if let Some(top) = self.captures.last_mut() {
            if top.mode != Mode::Plain && !empty {
                top.push(&format!("</{local}>"));
            }
        } else if self.entry.as_ref().is_some_and(|e| e.depth == depth) {
            if let Some(ad) = self.entry.take().and_then(|e| e.into_ad(self.page)) {
                self.ads.push(ad);
            }
        }
        if self.bases.last().is_some_and(|(d, _)| *d == depth) {
            self.bases.pop();
        }
        self.depth = depth.saturating_sub(1);
    }

    fn finish(&mut self, capture: Capture) {
        let text = capture.text();
        match capture.target {
            Target::FeedTitle => self.title = Some(text).filter(|t| !t.is_empty()),
            Target::FeedLanguage if self.language.is_none() && !text.is_empty() => {
                self.language = Some(text);
            }
            Target::FeedLanguage => {}
            Target::Entry(field) => {
                if let Some(entry) = &mut self.entry {
                    entry.set(field, text, base_of(&self.bases, self.page));
                }
            }
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(top) = self.captures.last_mut() {
            match top.mode {
                Mode::Xhtml => top.push(&escape(text)),
                Mode::Plain | Mode::Html => top.push(text),
            }
        }
    }

    fn reference(&mut self, reference: &BytesRef) {
        let Some(top) = self.captures.last_mut() else {
            return;
        };
        let name = reference.decode().unwrap_or_default();
        let mut utf8 = [0; 4];
        let resolved = match reference.resolve_char_ref() {
            Ok(Some(c)) => Some(&*c.encode_utf8(&mut utf8)),
            Ok(None) => resolve_predefined_entity(&name),
            Err(_) => return,
        };
        match (top.mode, resolved) {
            (Mode::Plain | Mode::Html, Some(text)) => top.push(text),
            // Left for the HTML parser (XHTML) or as written (an entity XML does not define).
            _ => top.push(&format!("&{name};")),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::tests::{ATOM, RSS, page};
    use super::super::{MAX_FIELD_BYTES, looks_like_feed, parse_feed};
    use super::*;

    #[test]
    fn at_most_max_entries_are_read() {
        let feed = parse_feed(RSS.as_bytes(), &page(), 1).unwrap();
        assert_eq!(feed.ads.len(), 1);
        assert!(feed.truncated);
        let feed = parse_feed(RSS.as_bytes(), &page(), 2).unwrap();
        assert_eq!(feed.ads.len(), 2);
        assert!(feed.truncated, "a third item followed");
        assert!(!parse_feed(RSS.as_bytes(), &page(), 3).unwrap().truncated);
    }

    #[test]
    fn long_fields_are_cut_at_a_character_boundary() {
        let long = "é".repeat(MAX_FIELD_BYTES);
        let body = format!("<rss><channel><item><title>{long}</title></item></channel></rss>");
        let feed = parse_feed(body.as_bytes(), &page(), 10).unwrap();
        let title = feed.ads[0].title.clone().unwrap();
        assert_eq!(title.len(), MAX_FIELD_BYTES);
        assert!(title.chars().all(|c| c == 'é'));
    }

    #[test]
    fn broken_xml_is_an_error_with_a_position() {
        let truncated = &RSS[..RSS.find("<guid isPermaLink=\"false\">job-77").unwrap() + 10];
        match parse_feed(truncated.as_bytes(), &page(), 10) {
            Err(FeedError::Xml { position, message }) => {
                assert!(
                    position > 0 && position <= truncated.len() as u64,
                    "{position}"
                );
                assert!(!message.is_empty());
            }
            other => panic!("expected an XML error, got {other:?}"),
        }
        let mismatched = "<rss><channel><item><title>x</item></channel></rss>";
        assert!(matches!(
            parse_feed(mismatched.as_bytes(), &page(), 10),
            Err(FeedError::Xml { position, .. }) if position >= 26
        ));
        let unclosed = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>x</title>";
        assert!(matches!(
            parse_feed(unclosed.as_bytes(), &page(), 10),
            Err(FeedError::Xml { .. })
        ));
    }

    #[test]
    fn other_documents_are_not_feeds() {
        for body in [
            "<html><body>jobs</body></html>",
            "",
            "just text",
            "<?xml version=\"1.0\"?>",
        ] {
            assert_eq!(
                parse_feed(body.as_bytes(), &page(), 10),
                Err(FeedError::NotAFeed),
                "{body}"
            );
        }
    }

    /// Edits a valid feed: each `(position, kind, byte)` deletes, duplicates or replaces a byte.
    fn mutate(base: &str, edits: &[(usize, u8, u8)]) -> Vec<u8> {
        let mut bytes = base.as_bytes().to_vec();
        for &(at, kind, byte) in edits {
            if bytes.is_empty() {
                break;
            }
            let at = at % bytes.len();
            match kind % 3 {
                0 => {
                    bytes.remove(at);
                }
                1 => bytes.insert(at, byte),
                _ => bytes[at] = byte,
            }
        }
        bytes
    }

    proptest! {
        #[test]
        fn any_bytes_are_survived(body in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = looks_like_feed(&body, None);
            let _ = parse_feed(&body, &page(), 5);
        }

        #[test]
        fn mutated_feeds_are_survived(
            which in 0..2usize,
            edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..12),
        ) {
            let body = mutate([RSS, ATOM][which], &edits);
            let _ = looks_like_feed(&body, Some("text/xml"));
            if let Ok(feed) = parse_feed(&body, &page(), 2) {
                prop_assert!(feed.ads.len() <= 2);
                for ad in &feed.ads {
                    prop_assert!(ad.title.is_some() || !ad.text.is_empty());
                }
            }
        }
    }
}
