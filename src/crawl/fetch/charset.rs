//! Turning fetched bytes into text: which character encoding a page or feed is in.
//!
//! [`decode_html`] follows the order browsers use, simplified: a byte-order mark; the `charset`
//! parameter of `Content-Type`; the document's own declaration in its first 1024 bytes (an XML
//! declaration `<?xml ... encoding="...">`, or `<meta charset>` / `<meta http-equiv=
//! "Content-Type" content="...; charset=...">` as in the WHATWG prescan); UTF-8 when the bytes
//! are valid UTF-8; otherwise `chardetng`, guided by the site's top-level domain. Labels are
//! read with `encoding_rs`, so `tis-620` is windows-874, `gb2312` is GBK and so on. Invalid
//! byte sequences become U+FFFD; nothing here panics.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};
use url::{Host, Url};

/// How far into a document its own encoding declaration is looked for.
const PRESCAN_BYTES: usize = 1024;

/// Decodes an HTML or XML body. Returns the text and the encoding used.
pub fn decode_html(
    body: &[u8],
    content_type: Option<&str>,
    url: Option<&Url>,
) -> (String, &'static Encoding) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(body) {
        let rest = body.get(bom_len..).unwrap_or_default();
        return (decode_with(encoding, rest), encoding);
    }
    let head = &body[..body.len().min(PRESCAN_BYTES)];
    let encoding = content_type
        .and_then(charset_from_content_type)
        .or_else(|| declared_in_document(head))
        .unwrap_or_else(|| detect(body, url));
    (decode_with(encoding, body), encoding)
}

fn decode_with(encoding: &'static Encoding, bytes: &[u8]) -> String {
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

/// The encoding named by the `charset` parameter of a `Content-Type` value.
pub fn charset_from_content_type(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        Encoding::for_label(value.as_bytes())
    })
}

/// The encoding a document declares for itself near its start. A declaration of UTF-16 in
/// bytes that are readable as ASCII is taken to mean UTF-8, as browsers do.
fn declared_in_document(head: &[u8]) -> Option<&'static Encoding> {
    let declared = xml_declaration(head).or_else(|| meta_prescan(head))?;
    Some(if declared == UTF_16BE || declared == UTF_16LE {
        UTF_8
    } else if declared == X_USER_DEFINED {
        WINDOWS_1252
    } else {
        declared
    })
}

/// `<?xml version="1.0" encoding="...">` at the very start.
fn xml_declaration(head: &[u8]) -> Option<&'static Encoding> {
    let rest = head.strip_prefix(b"<?xml")?;
    let end = find(rest, b"?>")?;
    let decl = &rest[..end];
    let at = find_ci(decl, b"encoding")?;
    let mut pos = at + b"encoding".len();
    skip_space(decl, &mut pos);
    if decl.get(pos) != Some(&b'=') {
        return None;
    }
    pos += 1;
    skip_space(decl, &mut pos);
    let quote = *decl.get(pos).filter(|q| matches!(q, b'"' | b'\''))?;
    let value = &decl[pos + 1..];
    let end = value.iter().position(|&b| b == quote)?;
    Encoding::for_label(&value[..end])
}

/// The WHATWG prescan, simplified: `<meta charset>` or `<meta http-equiv="content-type"
/// content="...charset=...">`, skipping comments.
fn meta_prescan(head: &[u8]) -> Option<&'static Encoding> {
    let mut pos = 0;
    while pos < head.len() {
        let rest = &head[pos..];
        if rest.starts_with(b"<!--") {
            pos += 4 + find(&rest[4..], b"-->").map_or(rest.len(), |end| end + 3);
            continue;
        }
        let is_meta = rest.len() > 5
            && rest[..5].eq_ignore_ascii_case(b"<meta")
            && matches!(rest[5], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/');
        if !is_meta {
            pos += 1;
            continue;
        }
        pos += 5;
        let (mut charset, mut content, mut pragma) = (None, None, false);
        while let Some((name, value)) = next_attribute(head, &mut pos) {
            match name.as_slice() {
                b"charset" if charset.is_none() => charset = Some(value),
                b"content" if content.is_none() => content = Some(value),
                b"http-equiv" => pragma |= value.eq_ignore_ascii_case(b"content-type"),
                _ => {}
            }
        }
        let found = match (charset, content) {
            (Some(label), _) => Encoding::for_label(label.trim_ascii()),
            (None, Some(content)) if pragma => charset_from_meta_content(&content),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The next `name=value` attribute of a tag, the name lower-cased; `None` at `>` or the end.
fn next_attribute(bytes: &[u8], pos: &mut usize) -> Option<(Vec<u8>, Vec<u8>)> {
    while bytes.get(*pos).is_some_and(|b| is_space(*b) || *b == b'/') {
        *pos += 1;
    }
    if bytes.get(*pos).is_none_or(|b| *b == b'>') {
        *pos += 1;
        return None;
    }
    let start = *pos;
    while bytes
        .get(*pos)
        .is_some_and(|b| !is_space(*b) && !matches!(b, b'=' | b'/' | b'>'))
    {
        *pos += 1;
    }
    let name = bytes[start..*pos].to_ascii_lowercase();
    skip_space(bytes, pos);
    if bytes.get(*pos) != Some(&b'=') {
        return Some((name, Vec::new()));
    }
    *pos += 1;
    skip_space(bytes, pos);
    let value = match bytes.get(*pos) {
        Some(&quote) if quote == b'"' || quote == b'\'' => {
            let from = *pos + 1;
            let len = bytes[from..].iter().position(|&b| b == quote);
            *pos = len.map_or(bytes.len(), |len| from + len + 1);
            bytes[from..from + len.unwrap_or(bytes.len() - from)].to_vec()
        }
        _ => {
            let from = *pos;
            while bytes.get(*pos).is_some_and(|b| !is_space(*b) && *b != b'>') {
                *pos += 1;
            }
            bytes[from..*pos].to_vec()
        }
    };
    Some((name, value))
}

/// `charset=...` inside a `<meta content>` value.
fn charset_from_meta_content(content: &[u8]) -> Option<&'static Encoding> {
    let mut from = 0;
    while let Some(at) = find_ci(&content[from..], b"charset") {
        let mut pos = from + at + b"charset".len();
        skip_space(content, &mut pos);
        if content.get(pos) != Some(&b'=') {
            from = pos;
            continue;
        }
        pos += 1;
        skip_space(content, &mut pos);
        let value = match content.get(pos) {
            Some(&quote) if quote == b'"' || quote == b'\'' => {
                let rest = &content[pos + 1..];
                &rest[..rest.iter().position(|&b| b == quote)?]
            }
            _ => {
                let rest = &content[pos..];
                let end = rest.iter().position(|&b| is_space(b) || b == b';');
                &rest[..end.unwrap_or(rest.len())]
            }
        };
        return Encoding::for_label(value);
    }
    None
}

/// UTF-8 if the bytes are valid UTF-8, otherwise `chardetng`'s guess.
fn detect(body: &[u8], url: Option<&Url>) -> &'static Encoding {
    if std::str::from_utf8(body).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(body, true);
    let tld = url.and_then(top_level_domain);
    detector.guess(tld.as_deref().map(str::as_bytes), false)
}

/// The rightmost label of a URL's host name, in the form `chardetng` requires (lower-case
/// ASCII, no dot), or `None`.
fn top_level_domain(url: &Url) -> Option<String> {
    let Some(Host::Domain(domain)) = url.host() else {
        return None;
    };
    let label = domain.trim_end_matches('.').rsplit('.').next()?;
    let label = label.to_ascii_lowercase();
    let usable = !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    usable.then_some(label)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn skip_space(bytes: &[u8], pos: &mut usize) {
    while bytes.get(*pos).is_some_and(|b| is_space(*b)) {
        *pos += 1;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn find_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use encoding_rs::{BIG5, GBK, SHIFT_JIS, WINDOWS_874, WINDOWS_1251};
    use proptest::prelude::*;

    use super::*;

    fn encode(encoding: &'static Encoding, text: &str) -> Vec<u8> {
        let (bytes, used, unmappable) = encoding.encode(text);
        assert_eq!(used, encoding);
        assert!(
            !unmappable,
            "{text} is not representable in {}",
            encoding.name()
        );
        bytes.into_owned()
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    const THAI: &str = "งานด่วน รายได้ดี ไม่ต้องมีประสบการณ์ ทำงานที่กัมพูชา \
                        บริษัทออกค่าตั๋วเครื่องบินและวีซ่าให้ สนใจติดต่อทางไลน์";

    #[test]
    fn unlabelled_thai_in_windows_874_is_detected() {
        let body = encode(
            WINDOWS_874,
            &format!("<html><body><p>{THAI}</p></body></html>"),
        );
        let (text, used) = decode_html(
            &body,
            Some("text/html"),
            Some(&url("https://jobs.example.co.th/")),
        );
        assert_eq!(used, WINDOWS_874);
        assert!(text.contains(THAI), "{text}");
        let (text, used) = decode_html(&body, None, None);
        assert_eq!(used, WINDOWS_874);
        assert!(text.contains("งานด่วน รายได้ดี"));
    }

    #[test]
    fn tis_620_label_is_windows_874() {
        let body = encode(WINDOWS_874, THAI);
        let (text, used) = decode_html(&body, Some("text/html; charset=TIS-620"), None);
        assert_eq!(used, WINDOWS_874);
        assert_eq!(text, THAI);
    }

    #[test]
    fn gbk_with_only_a_meta_charset() {
        let page = "<html><head><meta charset=\"gb2312\"><title>招聘</title></head>\
                    <body>高薪招聘客服，包机票签证，无需经验</body></html>";
        let body = encode(GBK, page);
        let (text, used) = decode_html(&body, Some("text/html"), None);
        assert_eq!(used, GBK);
        assert_eq!(text, page);
    }

    #[test]
    fn meta_http_equiv_content_type() {
        let page = "<!-- <meta charset=\"utf-8\"> --><META HTTP-EQUIV='Content-Type' \
                    CONTENT='text/html; charset=Shift_JIS'>高収入の求人、未経験歓迎";
        let body = encode(SHIFT_JIS, page);
        let (text, used) = decode_html(&body, None, None);
        assert_eq!(used, SHIFT_JIS);
        assert_eq!(text, page);
    }

    #[test]
    fn big5_from_the_content_type_header() {
        let page = "<p>海外高薪工作，免費機票，工作輕鬆</p>";
        let body = encode(BIG5, page);
        let (text, used) = decode_html(&body, Some("text/html; charset=\"big5\""), None);
        assert_eq!(used, BIG5);
        assert_eq!(text, page);
    }

    #[test]
    fn header_wins_over_meta_and_bom_wins_over_both() {
        let page = "<meta charset=\"utf-8\"><p>Работа за границей, высокая зарплата</p>";
        let body = encode(WINDOWS_1251, page);
        let (text, used) = decode_html(&body, Some("text/html;charset=windows-1251"), None);
        assert_eq!((used, text.as_str()), (WINDOWS_1251, page));
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice("<p>Работа</p>".as_bytes());
        let (text, used) = decode_html(&with_bom, Some("text/html; charset=windows-1251"), None);
        assert_eq!((used, text.as_str()), (UTF_8, "<p>Работа</p>"));
    }

    #[test]
    fn unlabelled_windows_1251_is_detected_with_a_tld_hint() {
        let page = "<p>Работа в Камбодже: оператор колл-центра, высокая зарплата, \
                    бесплатный перелёт и виза, опыт не нужен. Пишите в Телеграм.</p>";
        let body = encode(WINDOWS_1251, page);
        let (text, used) = decode_html(&body, None, Some(&url("http://rabota.example.ru/")));
        assert_eq!((used, text.as_str()), (WINDOWS_1251, page));
    }

    #[test]
    fn xml_declaration_names_the_encoding() {
        let feed =
            "<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss><title>Работа</title></rss>";
        let body = encode(WINDOWS_1251, feed);
        let (text, used) = decode_html(&body, Some("application/rss+xml"), None);
        assert_eq!((used, text.as_str()), (WINDOWS_1251, feed));
        let utf16_label = b"<?xml version='1.0' encoding='UTF-16'?><a/>";
        assert_eq!(decode_html(utf16_label, None, None).1, UTF_8);
    }

    #[test]
    fn valid_utf8_without_labels_is_utf8() {
        let page = "<p>งานด่วน 高薪 Работа</p>";
        assert_eq!(
            decode_html(page.as_bytes(), None, None),
            (page.to_string(), UTF_8)
        );
    }

    #[test]
    fn unknown_labels_fall_through() {
        let page = "<meta charset=\"no-such-charset\"><p>plain</p>";
        let (_, used) = decode_html(page.as_bytes(), Some("text/html; charset=bogus"), None);
        assert_eq!(used, UTF_8);
    }

    #[test]
    fn unusable_hosts_give_no_tld_hint() {
        assert_eq!(top_level_domain(&url("http://93.184.216.34/")), None);
        assert_eq!(
            top_level_domain(&url("http://jobs.example.TH./")).as_deref(),
            Some("th")
        );
        assert_eq!(
            top_level_domain(&url("http://例子.中国/")).as_deref(),
            Some("xn--fiqs8s")
        );
    }

    proptest! {
        #[test]
        fn never_panics(body in proptest::collection::vec(any::<u8>(), 0..2048),
                        content_type in proptest::option::of(".{0,60}"),
                        host in "[a-zA-Z0-9.-]{1,20}") {
            let url = Url::parse(&format!("http://{host}/")).ok();
            let _ = decode_html(&body, content_type.as_deref(), url.as_ref());
        }

        #[test]
        fn meta_prefixed_garbage_never_panics(tail in proptest::collection::vec(any::<u8>(), 0..300)) {
            for prefix in [&b"<meta "[..], b"<meta charset=\"", b"<?xml encoding=", b"<!--",
                           b"<meta http-equiv=content-type content=\"charset="] {
                let mut body = prefix.to_vec();
                body.extend_from_slice(&tail);
                let _ = decode_html(&body, None, None);
            }
        }
    }
}
