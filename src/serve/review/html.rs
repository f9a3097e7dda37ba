//! The building blocks of the review pages: escaping, the page shell with its stylesheet and the
//! reminder every page carries, and small formatting helpers.
//!
//! Pages are plain strings of HTML built with `write!`: every value that comes from an ad, a
//! partner or a request goes through [`esc`] (or [`path_segment`] inside a URL path), and
//! nothing else is ever interpolated. No JavaScript, no external resources.

use std::fmt::Write as _;

use crate::classify::Risk;
use crate::store::Millis;

/// The sentence every review page shows.
pub const REMINDER: &str = "A flag is a lead for human review, never proof of trafficking.";

/// HTML-escapes text for element content and quoted attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes text for one URL path segment (everything but RFC 3986 unreserved
/// characters), so any ad id makes a working link.
pub fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The link to an ad's review page.
pub fn ad_href(id: &str) -> String {
    format!("/review/ads/{}", path_segment(id))
}

/// A time as analysts read it: `2026-11-22 05:01 UTC`.
pub fn when(at: Millis) -> String {
    match chrono::DateTime::from_timestamp_millis(at) {
        Some(t) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
        None => "unknown time".to_string(),
    }
}

/// A score as a whole percentage (`87%`). The ends read `>99%` and `<1%`: a score is a lead's
/// strength, never certainty.
pub fn percent(score: f64) -> String {
    if !score.is_finite() {
        "?".to_string()
    } else if score >= 0.995 {
        ">99%".to_string()
    } else if score < 0.005 {
        "<1%".to_string()
    } else {
        format!("{:.0}%", score * 100.0)
    }
}

/// A risk band in words.
pub fn risk_words(risk: Risk) -> &'static str {
    match risk {
        Risk::High => "High risk",
        Risk::Medium => "Medium risk",
        Risk::Low => "Low risk",
    }
}

/// The first `max` words of a text, with `…` when cut.
pub fn first_words(text: &str, max: usize) -> String {
    let mut words = text.split_whitespace();
    let mut out: Vec<&str> = words.by_ref().take(max).collect();
    if words.next().is_some() {
        out.push("…");
    }
    let joined = out.join(" ");
    if joined.chars().count() > max * 12 {
        let mut cut: String = joined.chars().take(max * 12).collect();
        cut.push('…');
        return cut;
    }
    joined
}

/// Who is looking at a page, for its header: the partner's name and the CSRF token that the
/// log-out form carries.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    /// The partner's name.
    pub partner: &'a str,
    /// The session's CSRF token.
    pub csrf: &'a str,
}

/// The hidden form field carrying the CSRF token.
pub fn csrf_field(csrf: &str) -> String {
    format!(r#"<input type="hidden" name="csrf" value="{}">"#, esc(csrf))
}

const STYLE: &str = "
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;color:#1a1a1a;background:#f6f6f3}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.6rem 1rem;background:#233043;color:#fff}
header a{color:#fff;font-weight:600;text-decoration:none}
header form{display:inline}
.reminder{margin:0;padding:.5rem 1rem;background:#fff4c2;border-bottom:1px solid #e0c94f;font-weight:600}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
a{color:#0b4f9c}
.box{background:#fff;border:1px solid #d5d5cf;border-radius:6px;padding:.75rem 1rem;margin:.75rem 0}
.ad-text{white-space:pre-wrap;overflow-wrap:anywhere}
mark.evidence{background:#ffd54f;padding:0 .1em;border-bottom:2px solid #b26a00}
mark.evidence[data-polarity=protective]{background:#c8e6c9;border-bottom-color:#2e7d32}
.score{font-weight:700}
.band-high{color:#a30000}.band-medium{color:#8a4b00}.band-low{color:#2e5e2e}
ul.ads{list-style:none;padding:0;margin:0}
ul.ads li{background:#fff;border:1px solid #d5d5cf;border-radius:6px;padding:.75rem 1rem;margin:.6rem 0}
.muted{color:#555;font-size:.92rem}
.tags span{display:inline-block;background:#eef1f6;border-radius:3px;padding:0 .4em;margin:.1em .2em .1em 0;font-size:.9rem}
form.filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.5rem 1rem;align-items:end}
label{display:block;font-weight:600;font-size:.92rem}
input,select,textarea,button{font:inherit;max-width:100%}
input[type=text],input[type=password],input[type=number],input[type=date],select,textarea{width:100%;padding:.35rem;border:1px solid #888;border-radius:4px}
button{padding:.45rem .9rem;border-radius:4px;border:1px solid #233043;background:#233043;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#233043}
button.confirm{background:#a30000;border-color:#a30000}
button.dismiss{background:#2e5e2e;border-color:#2e5e2e}
.error{background:#fde8e8;border:1px solid #c62828;padding:.5rem 1rem;border-radius:4px}
.ok{background:#e6f4ea;border:1px solid #2e7d32;padding:.5rem 1rem;border-radius:4px}
ul.sightings li{margin:.4rem 0;overflow-wrap:anywhere}
dt{font-weight:600}dd{margin:0 0 .5rem 0;overflow-wrap:anywhere}
blockquote{margin:.25rem 0 .25rem 1rem;padding-left:.5rem;border-left:3px solid #ffd54f}
footer{max-width:60rem;margin:2rem auto;padding:0 1rem;color:#555;font-size:.9rem}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
";

/// A whole page: the shell with the stylesheet, the header (with the partner's name and a
/// log-out button when someone is logged in), the reminder, and `body` inside `<main>`.
/// `body` must already be escaped HTML.
pub fn page(title: &str, viewer: Option<Viewer<'_>>, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + STYLE.len() + 1024);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>{} · Lurewatch review</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header><a href=\"/review\">Lurewatch review</a>",
        esc(title)
    );
    if let Some(viewer) = viewer {
        let _ = write!(
            out,
            "<span>Signed in as <strong>{}</strong> \
             <form method=\"post\" action=\"/review/logout\">{}\
             <button type=\"submit\" class=\"secondary\">Log out</button></form></span>",
            esc(viewer.partner),
            csrf_field(viewer.csrf)
        );
    }
    let _ = write!(
        out,
        "</header>\n<p class=\"reminder\" role=\"note\">{REMINDER}</p>\n<main>\n{body}\n</main>\n\
         <footer>Lurewatch finds warning signs that scam-centre recruiters often use. Genuine \
         employers can show some of them, and a careful lure can show none: check the employer \
         with official sources before acting.</footer>\n</body>\n</html>\n"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(esc("ไทย 😀"), "ไทย 😀");
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(path_segment("c1-en_0001.x~"), "c1-en_0001.x~");
        assert_eq!(path_segment("a/b c?é"), "a%2Fb%20c%3F%C3%A9");
        assert_eq!(ad_href("../x"), "/review/ads/..%2Fx");
    }

    #[test]
    fn every_page_has_the_reminder_and_a_language() {
        let html = page("T<", None, "<p>x</p>");
        assert!(html.contains(REMINDER));
        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.contains("T&lt; · Lurewatch review"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("Log out"));
        let html = page(
            "x",
            Some(Viewer {
                partner: "<ngo>",
                csrf: "c\"",
            }),
            "",
        );
        assert!(html.contains("&lt;ngo&gt;") && html.contains("value=\"c&quot;\""));
    }

    #[test]
    fn numbers_and_words_are_formatted_for_people() {
        assert_eq!(percent(0.8749), "87%");
        assert_eq!(percent(0.9999), ">99%");
        assert_eq!(percent(0.001), "<1%");
        assert_eq!(percent(f64::NAN), "?");
        assert_eq!(risk_words(Risk::High), "High risk");
        assert_eq!(when(0), "1970-01-01 00:00 UTC");
        assert_eq!(first_words("a b  c\nd", 3), "a b c …");
        assert_eq!(first_words("a b", 3), "a b");
    }
}
