//! Marks the evidence of red flags in an ad's own text.
//!
//! A flag quotes its evidence as byte offsets into one field of the ad. [`highlight`] returns the
//! field as HTML with each piece of evidence wrapped in
//! `<mark class="evidence" data-flag="ID" title="LABEL">…</mark>` and everything escaped. Spans
//! come from a stored score and are not trusted: a span that is empty, reversed, past the end of
//! the text or not on a character boundary is skipped (its flag is still listed on the page).
//! Overlapping spans are merged into one mark naming every flag involved, so marks never nest or
//! cross.

use std::fmt::Write as _;

use super::html::esc;

/// A piece of evidence to mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span<'a> {
    /// Byte offset where it starts.
    pub start: usize,
    /// Byte offset where it ends (exclusive).
    pub end: usize,
    /// The flag's id.
    pub flag: &'a str,
    /// The flag's short title.
    pub label: &'a str,
    /// Whether the flag speaks for the ad (a protective sign) rather than against it.
    pub protective: bool,
}

impl Span<'_> {
    /// Whether the span can be cut out of `text`.
    fn fits(&self, text: &str) -> bool {
        self.start < self.end
            && self.end <= text.len()
            && text.is_char_boundary(self.start)
            && text.is_char_boundary(self.end)
    }
}

/// A run of overlapping spans.
struct Region<'a> {
    start: usize,
    end: usize,
    spans: Vec<Span<'a>>,
}

/// The text as escaped HTML with every usable span marked; see the module documentation.
pub fn highlight(text: &str, spans: &[Span<'_>]) -> String {
    let mut usable: Vec<Span<'_>> = spans.iter().copied().filter(|s| s.fits(text)).collect();
    usable.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end), s.flag));
    let mut regions: Vec<Region<'_>> = Vec::new();
    for span in usable {
        match regions.last_mut() {
            Some(region) if span.start < region.end => {
                region.end = region.end.max(span.end);
                region.spans.push(span);
            }
            _ => regions.push(Region {
                start: span.start,
                end: span.end,
                spans: vec![span],
            }),
        }
    }
    let mut out = String::with_capacity(text.len() + regions.len() * 80);
    let mut at = 0;
    for region in &regions {
        out.push_str(&esc(&text[at..region.start]));
        let mut flags: Vec<&str> = Vec::new();
        let mut labels: Vec<&str> = Vec::new();
        for span in &region.spans {
            if !flags.contains(&span.flag) {
                flags.push(span.flag);
            }
            if !labels.contains(&span.label) {
                labels.push(span.label);
            }
        }
        let polarity = if region.spans.iter().all(|s| s.protective) {
            "protective"
        } else {
            "risk"
        };
        let _ = write!(
            out,
            "<mark class=\"evidence\" data-flag=\"{}\" data-polarity=\"{polarity}\" title=\"{}\">{}</mark>",
            esc(&flags.join(" ")),
            esc(&labels.join("; ")),
            esc(&text[region.start..region.end])
        );
        at = region.end;
    }
    out.push_str(&esc(&text[at..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize, flag: &'static str) -> Span<'static> {
        Span {
            start,
            end,
            flag,
            label: flag,
            protective: false,
        }
    }

    #[test]
    fn evidence_is_wrapped_and_everything_escaped() {
        let text = "Send <passport> & go";
        let html = highlight(text, &[span(5, 15, "passport_handover")]);
        assert_eq!(
            html,
            "Send <mark class=\"evidence\" data-flag=\"passport_handover\" data-polarity=\"risk\" \
             title=\"passport_handover\">&lt;passport&gt;</mark> &amp; go"
        );
    }

    #[test]
    fn labels_are_escaped_in_the_title() {
        let spans = [Span {
            start: 0,
            end: 1,
            flag: "a\"b",
            label: "<x> \"y\"",
            protective: true,
        }];
        let html = highlight("z", &spans);
        assert!(html.contains("data-flag=\"a&quot;b\""), "{html}");
        assert!(html.contains("title=\"&lt;x&gt; &quot;y&quot;\""), "{html}");
        assert!(html.contains("data-polarity=\"protective\""));
    }

    #[test]
    fn overlapping_spans_become_one_mark_naming_each_flag_once() {
        let text = "free flight and visa now";
        let html = highlight(
            text,
            &[
                span(0, 11, "free_travel"),
                span(5, 20, "visa"),
                span(0, 11, "free_travel"),
                span(16, 20, "visa_only"),
            ],
        );
        assert_eq!(html.matches("<mark").count(), 1, "{html}");
        assert!(
            html.contains("data-flag=\"free_travel visa visa_only\""),
            "{html}"
        );
        assert!(html.contains(">free flight and visa</mark> now"), "{html}");
    }

    #[test]
    fn touching_and_nested_spans() {
        let html = highlight(
            "abcdef",
            &[span(0, 3, "a"), span(3, 6, "b"), span(1, 2, "c")],
        );
        assert_eq!(html.matches("<mark").count(), 2, "{html}");
        assert!(html.contains("data-flag=\"a c\""), "{html}");
        assert!(html.contains(">abc</mark><mark"), "{html}");
    }

    #[test]
    fn bad_spans_are_skipped_without_panicking() {
        let text = "short";
        let html = highlight(
            text,
            &[
                span(2, 99, "past_end"),
                span(4, 2, "reversed"),
                span(3, 3, "empty"),
                span(usize::MAX - 1, usize::MAX, "huge"),
            ],
        );
        assert_eq!(html, "short");
        assert_eq!(highlight("", &[span(0, 1, "x")]), "");
    }

    #[test]
    fn multibyte_text_keeps_characters_whole() {
        // Thai: each character is 3 bytes. "งานดี" then an emoji (4 bytes).
        let text = "งานดี 😀 ok";
        let good = span(0, 9, "thai");
        let inside_char = span(1, 9, "cut_thai");
        let emoji = span(16, 20, "emoji");
        let inside_emoji = span(16, 18, "cut_emoji");
        let html = highlight(text, &[good, inside_char, emoji, inside_emoji]);
        assert!(html.contains(">งาน</mark>"), "{html}");
        assert!(html.contains(">😀</mark>"), "{html}");
        assert!(!html.contains("cut_"), "{html}");
        assert_eq!(html.matches("<mark").count(), 2);
    }
}
