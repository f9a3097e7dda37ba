//! Sitemaps: the list of a board's pages, with their last-modified dates.
//!
//! [`parse_sitemap`] reads a `<urlset>` (pages) or a `<sitemapindex>` (more sitemaps), plain or
//! gzip-compressed. Decompression stops at a size limit, so a gzip bomb costs nothing; at most
//! 50,000 entries are read, the protocol's own limit. Each `<loc>` is canonicalised and `<lastmod>`
//! kept as written, for skipping pages that have not changed since the last crawl.

use std::io::Read;

use quick_xml::Reader;
use quick_xml::events::Event;
use url::Url;

use super::canonical::canonicalize;

/// The sitemap protocol's limit on entries per file.
pub const MAX_ENTRIES: usize = 50_000;

/// What a sitemap lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SitemapKind {
    /// `<sitemapindex>`: other sitemaps.
    Index,
    /// `<urlset>`: pages.
    UrlSet,
}

/// One `<url>` or `<sitemap>` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapEntry {
    /// The canonical URL.
    pub loc: Url,
    /// `<lastmod>` as written (W3C datetime), if any.
    pub lastmod: Option<String>,
}

/// A parsed sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sitemap {
    /// Index or URL set.
    pub kind: SitemapKind,
    /// The entries, in file order.
    pub entries: Vec<SitemapEntry>,
}

/// Why a sitemap could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SitemapError {
    /// Decompressed, the sitemap is larger than allowed.
    #[error("sitemap is larger than {limit} bytes once decompressed")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The gzip stream is broken.
    #[error("sitemap gzip stream: {0}")]
    Gzip(String),
    /// The XML is broken.
    #[error("sitemap XML at byte {position}: {message}")]
    Xml {
        /// Where the parser stopped.
        position: u64,
        /// What it found.
        message: String,
    },
    /// The root element is neither `<urlset>` nor `<sitemapindex>`.
    #[error("not a sitemap (root element `{0}`)")]
    NotASitemap(String),
}

/// Reads a sitemap body, gzip-compressed or not, decompressing at most `max_bytes`.
pub fn parse_sitemap(body: &[u8], max_bytes: usize) -> Result<Sitemap, SitemapError> {
    let xml = if body.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(body)
            .take(max_bytes as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| SitemapError::Gzip(e.to_string()))?;
        out
    } else {
        body.to_vec()
    };
    if xml.len() > max_bytes {
        return Err(SitemapError::TooLarge { limit: max_bytes });
    }
    parse_xml(&xml)
}

fn parse_xml(xml: &[u8]) -> Result<Sitemap, SitemapError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut kind = None;
    let mut entries = Vec::new();
    let (mut loc, mut lastmod) = (String::new(), None::<String>);
    let mut text = String::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| SitemapError::Xml {
                position: reader.buffer_position(),
                message: e.to_string(),
            })?;
        match event {
            Event::Start(start) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).to_lowercase();
                if path.is_empty() {
                    kind = Some(match name.as_str() {
                        "urlset" => SitemapKind::UrlSet,
                        "sitemapindex" => SitemapKind::Index,
                        _ => return Err(SitemapError::NotASitemap(name)),
                    });
                }
                path.push(name);
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.decode().unwrap_or_default()),
            Event::CData(t) => text.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap_or_default();
                if let Ok(c) = quick_xml::escape::unescape(&format!("&{name};")) {
                    text.push_str(&c);
                }
            }
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                match name.as_str() {
                    "loc" => loc = text.trim().to_string(),
                    "lastmod" => lastmod = Some(text.trim().to_string()).filter(|s| !s.is_empty()),
                    "url" | "sitemap" => {
                        if let Ok(url) = canonicalize(&loc, None) {
                            entries.push(SitemapEntry {
                                loc: url,
                                lastmod: lastmod.take(),
                            });
                            if entries.len() >= MAX_ENTRIES {
                                break;
                            }
                        }
                        loc.clear();
                        lastmod = None;
                    }
                    _ => {}
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let kind = kind.ok_or_else(|| SitemapError::NotASitemap(String::new()))?;
    Ok(Sitemap { kind, entries })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const URLSET: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://jobs.example/ad/1?utm_source=sm&amp;id=1</loc><lastmod>2026-10-01</lastmod></url>
  <url><loc> https://jobs.example/ad/2 </loc></url>
  <url><loc>not a url</loc></url>
</urlset>"#;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn url_sets_give_canonical_pages_and_lastmod() {
        let s = parse_sitemap(URLSET.as_bytes(), 1 << 20).unwrap();
        assert_eq!(s.kind, SitemapKind::UrlSet);
        assert_eq!(s.entries.len(), 2, "the invalid <loc> is skipped");
        assert_eq!(s.entries[0].loc.as_str(), "https://jobs.example/ad/1?id=1");
        assert_eq!(s.entries[0].lastmod.as_deref(), Some("2026-10-01"));
        assert_eq!(s.entries[1].lastmod, None);
    }

    #[test]
    fn gzipped_indexes_are_read() {
        let index = r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <sitemap><loc>https://jobs.example/sitemap-ads.xml.gz</loc><lastmod>2026-11-01T10:00:00Z</lastmod></sitemap>
        </sitemapindex>"#;
        let s = parse_sitemap(&gzip(index.as_bytes()), 1 << 20).unwrap();
        assert_eq!(s.kind, SitemapKind::Index);
        assert_eq!(
            s.entries[0].loc.as_str(),
            "https://jobs.example/sitemap-ads.xml.gz"
        );
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_limit() {
        let bomb = gzip(&vec![b' '; 10 << 20]);
        assert!(bomb.len() < 100 << 10, "compresses well");
        assert_eq!(
            parse_sitemap(&bomb, 1 << 20),
            Err(SitemapError::TooLarge { limit: 1 << 20 })
        );
    }

    #[test]
    fn other_documents_are_refused() {
        assert_eq!(
            parse_sitemap(b"<html><body/></html>", 1 << 20),
            Err(SitemapError::NotASitemap("html".into()))
        );
        assert!(matches!(
            parse_sitemap(b"<urlset><url><loc>x</url>", 1 << 20),
            Err(SitemapError::Xml { .. })
        ));
        assert!(matches!(
            parse_sitemap(&[0x1f, 0x8b, 1, 2, 3], 1 << 20),
            Err(SitemapError::Gzip(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_are_survived(body in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = parse_sitemap(&body, 1 << 16);
        }
    }
}
