//! Before the parse: the document's character encoding, and the name of its root element.
//!
//! Feeds should be UTF-8, and [`decode`] reads them as such when they are (whatever the
//! declaration says, since a caller may already have decoded the body). Otherwise a byte-order
//! mark, the UTF-16 signature of `<?`, or the `encoding` of the XML declaration chooses an
//! `encoding_rs` decoder. [`root_name`] reads past the prolog (BOM, whitespace, declaration,
//! processing instructions, comments, doctype) to the first element.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};
use quick_xml::Reader;
use quick_xml::events::Event;

use super::{FeedError, FeedKind};

/// How much of a body is read to find its root element.
const SNIFF_BYTES: usize = 64 * 1024;

/// Where the XML declaration must end, if there is one.
const DECLARATION_BYTES: usize = 1024;

/// The document as UTF-8 text.
pub(super) fn decode(body: &[u8]) -> Result<Cow<'_, str>, FeedError> {
    if let Some((encoding, bom)) = Encoding::for_bom(body) {
        return Ok(transcode(encoding, &body[bom..]));
    }
    if body.starts_with(b"<\0?\0") {
        return Ok(transcode(UTF_16LE, body));
    }
    if body.starts_with(b"\0<\0?") {
        return Ok(transcode(UTF_16BE, body));
    }
    if let Ok(text) = std::str::from_utf8(body) {
        return Ok(Cow::Borrowed(text));
    }
    match declared_encoding(body) {
        // Without a BOM or the UTF-16 signature the bytes are ASCII-compatible, so a declared
        // UTF-16 is wrong; `output_encoding` reads those as UTF-8.
        Some(label) => Encoding::for_label(label.as_bytes())
            .map(|encoding| transcode(encoding.output_encoding(), body))
            .ok_or(FeedError::Encoding(label)),
        None => Ok(String::from_utf8_lossy(body)),
    }
}

fn transcode<'a>(encoding: &'static Encoding, bytes: &'a [u8]) -> Cow<'a, str> {
    encoding.decode_without_bom_handling(bytes).0
}

/// The `encoding` named by an XML declaration at the start of `body`.
fn declared_encoding(body: &[u8]) -> Option<String> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &body[start..body.len().min(start + DECLARATION_BYTES)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let declaration = std::str::from_utf8(&head[..end]).ok()?;
    let after = &declaration[declaration.find("encoding")? + "encoding".len()..];
    let value = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = value.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let value = &value[1..];
    Some(value[..value.find(quote)?].trim().to_string())
}

/// The local name of the root element, if the body is XML with one.
pub(super) fn root_name(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(SNIFF_BYTES)];
    let text = match decode(head) {
        Ok(text) => text,
        // A declared encoding we cannot read still has an ASCII root element name.
        Err(_) => String::from_utf8_lossy(head),
    };
    let mut reader = Reader::from_str(text.trim_start_matches('\u{feff}'));
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) => {
                return Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
            }
            Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            _ => return None,
        }
    }
}

/// The kind of feed a root element starts.
pub(super) fn kind_of_root(local_name: &str) -> Option<FeedKind> {
    match local_name.to_ascii_lowercase().as_str() {
        "rss" => Some(FeedKind::Rss2),
        "rdf" => Some(FeedKind::Rss1),
        "feed" => Some(FeedKind::Atom),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_found_past_bom_declaration_comments_and_doctype() {
        let body = "\u{feff}  <?xml version=\"1.0\"?>\n<?xml-stylesheet href=\"s.xsl\"?>\n<!-- a <feed> in a comment -->\n<!DOCTYPE rss [ <!ENTITY nbsp \"&#160;\"> ]>\n<rss version=\"2.0\"><channel/></rss>";
        assert_eq!(root_name(body.as_bytes()).as_deref(), Some("rss"));
        assert_eq!(
            root_name(b"<rdf:RDF xmlns:rdf=\"x\"/>").as_deref(),
            Some("RDF")
        );
        assert_eq!(root_name(b"not xml <rss>"), None);
        assert_eq!(root_name(b""), None);
    }

    #[test]
    fn utf8_is_read_as_is_whatever_the_declaration_says() {
        let body = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>Café</rss>";
        assert_eq!(decode(body.as_bytes()).unwrap(), body);
    }

    #[test]
    fn a_declared_single_byte_encoding_is_decoded() {
        let mut body = b"<?xml version='1.0' encoding='windows-1252'?><rss>Caf".to_vec();
        body.extend([0xe9, 0x80]);
        body.extend(b"</rss>");
        assert!(decode(&body).unwrap().ends_with("<rss>Café€</rss>"));
    }

    #[test]
    fn utf16_with_a_bom_or_the_signature_is_decoded() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><feed>ok</feed>";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&le).unwrap(), text);
        assert_eq!(decode(&be).unwrap(), text);
        let with_bom = [&[0xff, 0xfe][..], &le].concat();
        assert_eq!(decode(&with_bom).unwrap(), text);
        assert_eq!(root_name(&with_bom).as_deref(), Some("feed"));
    }

    #[test]
    fn an_unknown_declared_encoding_is_an_error() {
        let body = b"<?xml version=\"1.0\" encoding=\"x-klingon\"?><rss>\xff</rss>";
        assert_eq!(decode(body), Err(FeedError::Encoding("x-klingon".into())));
        assert_eq!(root_name(body).as_deref(), Some("rss"));
    }

    #[test]
    fn invalid_utf8_without_a_declaration_is_read_with_replacement_characters() {
        assert_eq!(
            decode(b"<rss>a\xffb</rss>").unwrap(),
            "<rss>a\u{fffd}b</rss>"
        );
    }
}
