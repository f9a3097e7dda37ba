//! What the elements and attributes of a feed mean: vocabularies, content modes, the entry
//! field each element holds.
//!
//! Elements are matched by local name and by vocabulary: the feed's own (no namespace, or an
//! RSS or Atom namespace), `content:`, `dc:`, or other. The vocabulary comes from the resolved
//! namespace, or from the conventional prefix when the namespace is unknown or undeclared, so
//! `<media:title>` never passes for a title and a sloppy undeclared `content:encoded` still
//! counts.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::BytesStart;
use quick_xml::events::attributes::Attribute;
use quick_xml::name::{Namespace, ResolveResult};

use super::entry::Field;

/// Which vocabulary an element belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Vocab {
    /// RSS or Atom itself.
    Feed,
    /// `http://purl.org/rss/1.0/modules/content/`.
    Content,
    /// Dublin Core.
    Dc,
    /// Any other extension (`media:`, `itunes:`, ...).
    Other,
}

const FEED_NAMESPACES: &[&[u8]] = &[
    b"http://www.w3.org/2005/Atom",
    b"http://purl.org/atom/ns#",
    b"http://purl.org/rss/1.0/",
    b"http://my.netscape.com/rdf/simple/0.9/",
    b"http://backend.userland.com/rss2",
    b"http://blogs.law.harvard.edu/tech/rss",
];

pub(super) fn vocab(resolved: &ResolveResult, prefix: Option<&[u8]>) -> Vocab {
    match resolved {
        ResolveResult::Bound(Namespace(b"http://purl.org/rss/1.0/modules/content/")) => {
            Vocab::Content
        }
        ResolveResult::Bound(Namespace(b"http://purl.org/dc/elements/1.1/")) => Vocab::Dc,
        ResolveResult::Bound(Namespace(ns)) if FEED_NAMESPACES.contains(ns) => Vocab::Feed,
        _ => match prefix.map(|p| p.to_ascii_lowercase()).as_deref() {
            None | Some(b"atom") => Vocab::Feed,
            Some(b"content") => Vocab::Content,
            Some(b"dc") => Vocab::Dc,
            Some(_) => Vocab::Other,
        },
    }
}

/// How a captured field's text is turned into plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Text as it is.
    Plain,
    /// The text is HTML source (escaped or in CDATA).
    Html,
    /// The children are XHTML elements.
    Xhtml,
}

impl Mode {
    /// The mode an Atom `type` attribute gives; `None` for content that is not text.
    pub(super) fn of_type(kind: Option<&str>) -> Option<Mode> {
        let kind = kind.unwrap_or("text").trim().to_ascii_lowercase();
        match kind.as_str() {
            "text" => Some(Mode::Plain),
            "html" => Some(Mode::Html),
            "xhtml" | "application/xhtml+xml" => Some(Mode::Xhtml),
            k if k.contains("html") => Some(Mode::Html),
            k if k.starts_with("text/") => Some(Mode::Plain),
            _ => None,
        }
    }
}

/// The attributes the feed formats use.
#[derive(Debug, Default)]
pub(super) struct Attrs {
    /// `xml:base`.
    pub base: Option<String>,
    /// `xml:lang`.
    pub lang: Option<String>,
    /// Atom `type` of a text construct or content.
    pub kind: Option<String>,
    /// Atom link `href`.
    pub href: Option<String>,
    /// Atom link `rel`.
    pub rel: Option<String>,
    /// Atom `src` of out-of-line content.
    pub src: Option<String>,
    /// RSS guid `isPermaLink`.
    pub is_perma_link: Option<String>,
    /// Atom category `term`.
    pub term: Option<String>,
    /// Atom category `label`.
    pub label: Option<String>,
}

impl Attrs {
    pub(super) fn of(element: &BytesStart) -> Attrs {
        let mut out = Attrs::default();
        for attr in element.attributes().with_checks(false).flatten() {
            let slot = match (attr.key.as_ref(), attr.key.local_name().as_ref()) {
                (b"xml:base", _) => &mut out.base,
                (b"xml:lang", _) => &mut out.lang,
                (_, b"type") => &mut out.kind,
                (_, b"href") => &mut out.href,
                (_, b"rel") => &mut out.rel,
                (_, b"src") => &mut out.src,
                (_, b"isPermaLink") => &mut out.is_perma_link,
                (_, b"term") => &mut out.term,
                (_, b"label") => &mut out.label,
                _ => continue,
            };
            slot.get_or_insert_with(|| value(&attr));
        }
        out
    }
}

/// An attribute's value; raw when it has a bare `&` or an unknown entity.
fn value(attr: &Attribute) -> String {
    attr.normalized_value(XmlVersion::Implicit1_0)
        .map(Cow::into_owned)
        .unwrap_or_else(|_| String::from_utf8_lossy(&attr.value).into_owned())
}

/// The entry field an element holds, and how its text is read.
pub(super) fn entry_field(vocab: Vocab, local: &str, attrs: &Attrs) -> Option<(Field, Mode)> {
    let typed = || Mode::of_type(attrs.kind.as_deref());
    let plain = |field| Some((field, Mode::Plain));
    match (vocab, local) {
        (Vocab::Feed, "title") => Some((Field::Title, typed()?)),
        (Vocab::Feed, "content") if attrs.src.is_none() => Some((Field::Content, typed()?)),
        (Vocab::Feed, "summary") => Some((Field::Summary, typed()?)),
        (Vocab::Feed, "description") => Some((Field::Description, Mode::Html)),
        (Vocab::Content, "encoded") => Some((Field::Encoded, Mode::Html)),
        (Vocab::Feed, "link") => plain(Field::LinkText),
        (Vocab::Feed, "guid") => plain(Field::Guid {
            permalink: !attrs
                .is_perma_link
                .as_deref()
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("false")),
        }),
        (Vocab::Feed, "id") => plain(Field::Id),
        (Vocab::Feed, "pubdate") => plain(Field::PubDate),
        (Vocab::Dc, "date") => plain(Field::DcDate),
        (Vocab::Feed, "published" | "issued") => plain(Field::Published),
        (Vocab::Feed, "updated" | "modified") => plain(Field::Updated),
        (Vocab::Feed, "author") => plain(Field::Author),
        (Vocab::Dc, "creator") => plain(Field::Creator),
        (Vocab::Feed, "category") | (Vocab::Dc, "subject") => plain(Field::Category {
            fallback: attrs.label.clone().or_else(|| attrs.term.clone()),
        }),
        _ => None,
    }
}
