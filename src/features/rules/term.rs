//! Compiles the term syntax of the rule file into regular expressions over normalised text.
//!
//! A term is a phrase written the way an analyst would write it:
//! - words separated by single spaces; in the ad, spaces or punctuation (or nothing) may stand
//!   between two words, but not a sentence end or a line break;
//! - `word*`: the word may continue (`passport*` matches `passports`);
//! - `*` alone: any one word;
//! - `..` alone: any gap inside one sentence and line;
//! - `(a|b c|d*)`: alternatives, each one or more words.
//!
//! Words are normalised with [`normalize`](crate::features::normalize::normalize), exactly like
//! ad text, so accents, case and full-width forms in a term do not matter. A term that starts or
//! ends with a Latin letter or a digit matches whole words only; terms in other scripts match
//! anywhere, since Chinese, Japanese, Thai, Lao, Khmer and Burmese do not separate words, and
//! Korean, Arabic and Indic words take attached particles. (Whole-word matching uses ASCII word
//! boundaries, which keep the regex engine on its fast automaton path for any input.)

use crate::features::normalize::normalize;

/// What may stand between two words of a term. Normalisation has already turned punctuation
/// into single spaces, so this is one optional space (never a sentence end or a line break).
/// The small classes below keep the compiled rule set small: Unicode `\w` would be copied into
/// every gap of thousands of terms.
const WORD_GAP: &str = " ?";
/// What `..` stands for.
const SENTENCE_GAP: &str = r"(?:[^.!?。！？\n]|\.[0-9])*?";
/// What a lone `*` stands for: one run of characters without a space or sentence end.
const ANY_WORD: &str = r"[^ .!?。！？\n]+";
/// What follows `word*`.
const WORD_REST: &str = r"[^ .!?。！？\n]*";

/// Why a term could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TermError {
    /// The term is empty or only spaces.
    #[error("the term is empty")]
    Empty,
    /// A `(` has no `)`, or a `)` has no `(`.
    #[error("unbalanced parentheses")]
    UnbalancedParentheses,
    /// `(...)` inside `(...)`.
    #[error("alternatives cannot be nested")]
    NestedGroup,
    /// `(a||b)`, `()` or `(a|)`.
    #[error("an alternative inside (...) is empty")]
    EmptyAlternative,
    /// `..` or a lone `*` inside `(...)`.
    #[error("`..` and a lone `*` cannot be used inside (...)")]
    WildcardInGroup,
    /// The term is only wildcards.
    #[error("the term has no word to anchor it")]
    NoWord,
    /// A word disappears entirely after normalisation (only punctuation or invisible characters).
    #[error("the word `{0}` is empty after normalisation")]
    EmptyWord(String),
}

/// One piece of a parsed term.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Word(Word),
    AnyWord,
    SentenceGap,
    Choice(Vec<Vec<Word>>),
}

/// A normalised word and whether it may continue (`word*`).
#[derive(Debug, Clone, PartialEq)]
struct Word {
    text: String,
    open_end: bool,
}

/// Compiles one term into a regular expression (without anchors) over normalised text.
pub fn compile(term: &str) -> Result<String, TermError> {
    let pieces = parse(term)?;
    if !pieces
        .iter()
        .any(|p| matches!(p, Piece::Word(_) | Piece::Choice(_)))
    {
        return Err(TermError::NoWord);
    }
    let last = pieces.len() - 1;
    let mut out = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 && !is_gap(piece) && !is_gap(&pieces[i - 1]) {
            // A lone `*` is a whole word: a real space must separate it from its neighbours.
            let around_any_word =
                matches!(piece, Piece::AnyWord) || matches!(pieces[i - 1], Piece::AnyWord);
            out.push_str(if around_any_word { " " } else { WORD_GAP });
        }
        match piece {
            Piece::Word(word) => out.push_str(&word_regex(word, i == 0, i == last)),
            Piece::AnyWord => out.push_str(ANY_WORD),
            Piece::SentenceGap => out.push_str(SENTENCE_GAP),
            Piece::Choice(alternatives) => {
                let alts: Vec<String> = alternatives
                    .iter()
                    .map(|words| phrase_regex(words, i == 0, i == last))
                    .collect();
                out.push_str("(?:");
                out.push_str(&alts.join("|"));
                out.push(')');
            }
        }
    }
    Ok(out)
}

fn is_gap(piece: &Piece) -> bool {
    matches!(piece, Piece::SentenceGap)
}

fn phrase_regex(words: &[Word], at_start: bool, at_end: bool) -> String {
    let last = words.len() - 1;
    words
        .iter()
        .enumerate()
        .map(|(i, w)| word_regex(w, at_start && i == 0, at_end && i == last))
        .collect::<Vec<_>>()
        .join(WORD_GAP)
}

fn word_regex(word: &Word, at_start: bool, at_end: bool) -> String {
    let mut out = String::new();
    let first = word.text.chars().next();
    let last = word.text.chars().last();
    if at_start && first.is_some_and(needs_boundary) {
        out.push_str(r"(?-u:\b)");
    }
    for c in word.text.chars() {
        match c {
            // `1` in an ad may stand for `l`: normalisation reads it as `i`.
            'l' => out.push_str("[li]"),
            c => out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    if word.open_end {
        out.push_str(WORD_REST);
    } else if at_end && last.is_some_and(needs_boundary) {
        out.push_str(r"(?-u:\b)");
    }
    out
}

/// Whether a term starting or ending with `c` must start or end on a word boundary: Latin
/// letters (ASCII after normalisation) and digits.
fn needs_boundary(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

fn parse(term: &str) -> Result<Vec<Piece>, TermError> {
    let mut pieces = Vec::new();
    let mut rest = term.trim();
    if rest.is_empty() {
        return Err(TermError::Empty);
    }
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('(') {
            let close = after.find(')').ok_or(TermError::UnbalancedParentheses)?;
            let inner = &after[..close];
            if inner.contains('(') {
                return Err(TermError::NestedGroup);
            }
            pieces.push(Piece::Choice(parse_choice(inner)?));
            rest = after[close + 1..].trim_start();
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '(')
            .unwrap_or(rest.len());
        let token = &rest[..end];
        if token.contains(')') {
            return Err(TermError::UnbalancedParentheses);
        }
        pieces.push(match token {
            ".." => Piece::SentenceGap,
            "*" => Piece::AnyWord,
            _ => Piece::Word(parse_word(token)?),
        });
        rest = rest[end..].trim_start();
    }
    Ok(pieces)
}

fn parse_choice(inner: &str) -> Result<Vec<Vec<Word>>, TermError> {
    inner
        .split('|')
        .map(|alternative| {
            let words: Vec<&str> = alternative.split_whitespace().collect();
            if words.is_empty() {
                return Err(TermError::EmptyAlternative);
            }
            words
                .into_iter()
                .map(|w| match w {
                    ".." | "*" => Err(TermError::WildcardInGroup),
                    w => parse_word(w),
                })
                .collect()
        })
        .collect()
}

fn parse_word(token: &str) -> Result<Word, TermError> {
    let (body, open_end) = match token.strip_suffix('*') {
        Some(body) if !body.is_empty() => (body, true),
        _ => (token, false),
    };
    let text = normalize(body).as_str().to_string();
    if text.is_empty() {
        return Err(TermError::EmptyWord(token.to_string()));
    }
    Ok(Word { text, open_end })
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    fn matches(term: &str, ad: &str) -> bool {
        let re = Regex::new(&compile(term).unwrap()).unwrap();
        re.is_match(normalize(ad).as_str())
    }

    #[test]
    fn words_match_whole_words_with_flexible_gaps() {
        assert!(matches("no experience", "No experience needed"));
        assert!(matches("no experience", "NO-EXPERIENCE needed"));
        assert!(matches("no experience", "noexperience"));
        assert!(!matches("no experience", "casino experience"));
        assert!(!matches("visa", "visas"));
        assert!(!matches("no experience", "Fee: no. Experience counts"));
    }

    #[test]
    fn open_ended_words_match_inflections() {
        assert!(matches("passport*", "send passports"));
        assert!(matches(
            "deduct* from (salary|wage*)",
            "costs deducted from wages"
        ));
    }

    #[test]
    fn wildcards_match_one_word_or_a_short_gap() {
        assert!(matches("send * copy", "send a copy"));
        assert!(!matches("send * copy", "send copy"));
        assert!(
            !matches("send * copy", "sending copy"),
            "`*` is a whole word"
        );
        assert!(matches(
            "passport .. keep",
            "your passport, which the company will keep"
        ));
        assert!(!matches("passport .. keep", "passport. We keep"));
    }

    #[test]
    fn alternatives_can_hold_several_words() {
        let term = "(send|submit|upload) * (copy|photo|scan) of (your|the) passport";
        assert!(matches(term, "Please upload a scan of your passport"));
        assert!(matches(term, "SEND A PHOTO OF THE PASSPORT"));
        assert!(!matches(term, "bring the original of your passport"));
    }

    #[test]
    fn accents_case_and_obfuscation_do_not_matter() {
        assert!(matches("lương cao", "LUONG CAO"));
        assert!(matches("luong cao", "Lương cao"));
        assert!(matches("passport", "P@ssp0rt"));
        assert!(matches("telegram", "te1egram"));
        assert!(matches("whatsapp", "W.h.a.t.s.A.p.p"));
    }

    #[test]
    fn scripts_without_spaces_match_inside_text() {
        assert!(matches("包吃包住", "公司包吃包住，月薪3万"));
        assert!(matches("여권", "여권을 보내주세요"));
        assert!(matches("หนังสือเดินทาง", "ส่งรูปหนังสือเดินทางมาทางไลน์"));
        assert!(matches("护照 .. 保管", "到达后护照由公司统一保管"));
    }

    #[test]
    fn devanagari_matches_with_flexible_gaps() {
        assert!(matches("पासपोर्ट जमा", "आपको पासपोर्ट जमा करना होगा"));
        assert!(matches("visa", "ไม่ต้องมีvisaก็ได้"));
    }

    #[test]
    fn malformed_terms_are_rejected_with_a_reason() {
        assert_eq!(compile("  "), Err(TermError::Empty));
        assert_eq!(compile("(a|b"), Err(TermError::UnbalancedParentheses));
        assert_eq!(compile("a)"), Err(TermError::UnbalancedParentheses));
        assert_eq!(compile("((a))"), Err(TermError::NestedGroup));
        assert_eq!(compile("(a||b)"), Err(TermError::EmptyAlternative));
        assert_eq!(compile("(a|..)"), Err(TermError::WildcardInGroup));
        assert_eq!(compile(".. *"), Err(TermError::NoWord));
        assert_eq!(
            compile("\u{200B}"),
            Err(TermError::EmptyWord("\u{200B}".into()))
        );
    }

    proptest::proptest! {
        #[test]
        fn any_term_compiles_to_a_valid_regex_or_a_clear_error(term in "\\PC{0,30}") {
            if let Ok(re) = compile(&term) {
                proptest::prop_assert!(Regex::new(&re).is_ok(), "{re}");
            }
        }
    }
}
