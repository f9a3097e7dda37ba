//! Text folding before the scan, with a map back to the caller's byte offsets.
//!
//! Full-width and other-script digits become ASCII, odd spaces, dashes and
//! quotes become plain ones, invisible characters are dropped, and each
//! character cluster is put in Unicode NFC, so that the patterns need to know
//! only one spelling. Every folded byte remembers the source span it came
//! from, so a mention found in the folded text is reported in the original.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The input with digits, spaces and dashes folded, plus the source span of
/// every folded byte.
pub(super) struct Folded {
    pub(super) text: String,
    src_start: Vec<usize>,
    src_end: Vec<usize>,
}

impl Folded {
    pub(super) fn new(input: &str) -> Folded {
        let mut folded = Folded {
            text: String::with_capacity(input.len()),
            src_start: Vec::with_capacity(input.len()),
            src_end: Vec::with_capacity(input.len()),
        };
        let mut chars = input.char_indices().peekable();
        while let Some((start, first)) = chars.next() {
            let mut end = start + first.len_utf8();
            while let Some(&(i, c)) = chars.peek() {
                if !is_combining_mark(c) {
                    break;
                }
                end = i + c.len_utf8();
                chars.next();
            }
            if first.is_ascii() && end == start + 1 {
                folded.push(first, start, end);
                continue;
            }
            let cluster = input.get(start..end).unwrap_or_default();
            for c in cluster.nfc() {
                if let Some(c) = fold_char(c) {
                    folded.push(c, start, end);
                }
            }
        }
        folded
    }

    fn push(&mut self, c: char, start: usize, end: usize) {
        self.text.push(c);
        for _ in 0..c.len_utf8() {
            self.src_start.push(start);
            self.src_end.push(end);
        }
    }

    /// Maps a folded byte range back to the source text.
    pub(super) fn source_span(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end {
            return None;
        }
        Some((*self.src_start.get(start)?, *self.src_end.get(end - 1)?))
    }
}

fn fold_char(c: char) -> Option<char> {
    let folded = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' => ' ',
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => return None,
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' => '-',
        '\u{301C}' | '\u{223C}' => '~',
        '\u{2018}' | '\u{2019}' | '\u{02BC}' => '\'',
        '\u{FFE0}' => '¢',
        '\u{FFE1}' => '£',
        '\u{FFE5}' => '¥',
        '\u{FFE6}' => '₩',
        '\u{FE69}' => '$',
        _ => fold_digit(c).unwrap_or(c),
    };
    Some(folded)
}

/// Decimal digits of other scripts (Arabic-Indic, Devanagari, Bengali, Thai,
/// Lao, Myanmar, Khmer) to ASCII.
fn fold_digit(c: char) -> Option<char> {
    const ZEROS: [u32; 8] = [
        0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x0ED0, 0x1040, 0x17E0,
    ];
    let cp = c as u32;
    let zero = ZEROS.iter().find(|&&z| (z..z + 10).contains(&cp))?;
    char::from_digit(cp - zero, 10)
}

#[cfg(test)]
mod tests {
    use crate::features::salary::Period::Month;
    use crate::features::salary::tests::expect_one;

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Job in KH. 月薪３０００美元 + free visa";
        let s = expect_one(text, None, "USD", 3000.0, 3000.0, Month);
        assert_eq!(&text[s.start..s.end], "月薪３０００美元");

        let text = "Salary: $1,500/month, apply now";
        let s = expect_one(text, None, "USD", 1500.0, 1500.0, Month);
        assert_eq!(&text[s.start..s.end], "$1,500/month");

        // Vietnamese typed in decomposed form (NFD).
        let text = "lu\u{1b0}\u{323}o\u{31b}ng 15-20 trie\u{302}\u{323}u/tha\u{301}ng";
        let s = expect_one(text, None, "VND", 15e6, 20e6, Month);
        assert_eq!(
            &text[s.start..s.end],
            "15-20 trie\u{302}\u{323}u/tha\u{301}ng"
        );
    }
}
