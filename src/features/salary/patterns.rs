//! The vocabulary compiled once: anchored regexes that read what stands
//! around a number, and indexes that map a matched word back to its entry.
//!
//! Alternations list longer words first, so "US$" wins over "$" and "lương
//! tháng" over "lương".

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::Period;
use super::markers::{BIG, BOTH, CI, GLUED, MARKERS, Marker, PRE, SUF};
use super::number::{MULTS, Mult};
use super::words::{
    AFTER, COUNT_NOUNS, GAP_FILLERS, PERIOD_CONNECTORS, PERIOD_WORDS, PeriodWord, SALARY_WORDS,
    SLASH,
};

/// A letter of the Latin script (ASCII, Latin-1 and Latin Extended, Vietnamese).
pub(super) fn is_latin_letter(c: char) -> bool {
    c.is_alphabetic()
        && (c.is_ascii() || matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}'))
}

/// An ASCII digit or a Latin letter.
pub(super) fn is_latin_alnum(c: char) -> bool {
    c.is_ascii_digit() || is_latin_letter(c)
}

/// Literal words as one regex alternation, longest first. Spaces inside a
/// word match any run of white space; with `bounds`, ASCII-letter edges get
/// an ASCII word boundary (a Unicode `\b` would keep the regex engine off its
/// fast path on non-ASCII text).
const ASCII_BOUNDARY: &str = r"(?-u:\b)";

fn alternation<'a>(words: impl IntoIterator<Item = (&'a str, bool)>, bounds: bool) -> String {
    let mut words: Vec<(&str, bool)> = words.into_iter().collect();
    words.sort_by(|a, b| {
        b.0.chars()
            .count()
            .cmp(&a.0.chars().count())
            .then(a.0.cmp(b.0))
    });
    words.dedup_by(|a, b| a.0 == b.0);
    let items: Vec<String> = words
        .iter()
        .map(|&(word, case_insensitive)| {
            let mut p = regex::escape(word).replace(' ', r"\s+");
            if bounds && word.starts_with(|c: char| c.is_ascii_alphabetic()) {
                p.insert_str(0, ASCII_BOUNDARY);
            }
            if bounds && word.ends_with(|c: char| c.is_ascii_alphabetic()) {
                p.push_str(ASCII_BOUNDARY);
            }
            if case_insensitive {
                format!("(?i:{p})")
            } else {
                p
            }
        })
        .collect();
    items.join("|")
}

fn compile(pattern: &str) -> Regex {
    match Regex::new(pattern) {
        Ok(re) => re,
        Err(e) => panic!("salary: a built-in pattern does not compile: {e}"),
    }
}

fn marker_alternation(allowed: u8, excluded: u8, bounds: bool) -> String {
    alternation(
        MARKERS
            .iter()
            .filter(|m| m.flags & allowed != 0 && m.flags & excluded == 0)
            .map(|m| (m.text, m.flags & CI != 0)),
        bounds,
    )
}

/// Case-insensitive words from a `|`-separated list.
fn ci(list: &'static str) -> impl Iterator<Item = (&'static str, bool)> {
    list.split('|')
        .map(|w| (w.trim(), true))
        .filter(|(w, _)| !w.is_empty())
}

/// Currency marker just before the number (searched in a short window).
pub(super) static PRE_CURRENCY: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        "({})[ \\t:：]*$",
        marker_alternation(PRE, 0, false)
    ))
});

/// Currency marker before the second number of a range.
pub(super) static PRE_CURRENCY_AHEAD: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        "^({})[ \\t:：]*",
        marker_alternation(PRE, 0, false)
    ))
});

/// Currency marker after the amount.
pub(super) static SUF_CURRENCY: LazyLock<Regex> =
    LazyLock::new(|| compile(&format!("^[ \\t]*({})", marker_alternation(SUF, 0, false))));

/// Currency named between a salary word and the amount ("Salary (USD): 2,000").
pub(super) static GAP_CURRENCY: LazyLock<Regex> =
    LazyLock::new(|| compile(&marker_alternation(BOTH, BIG | GLUED, true)));

pub(super) static MULTIPLIER: LazyLock<Regex> = LazyLock::new(|| {
    let words = MULTS.iter().map(|m| (m.text, true));
    compile(&format!("^[ \\t]?({})", alternation(words, false)))
});

pub(super) static TAIL: LazyLock<Regex> = LazyLock::new(|| compile("^( ?)([0-9]{1,4})"));

pub(super) static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    let words = "- | ~ | to | 至 | 到 | đến | tới | hingga | sampai | s/d | ถึง | hanggang | até | hasta | a";
    compile(&format!(
        "^[ \\t]*(?:{})[ \\t]*",
        alternation(ci(words), false)
    ))
});

pub(super) static PERIOD_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    let connectors = alternation(ci(PERIOD_CONNECTORS), true);
    let words = alternation(PERIOD_WORDS.iter().map(|p| (p.text, true)), true);
    compile(&format!("^[ \\t]*(?:({connectors})[ \\t]*)?({words})"))
});

/// Marks skipped between an amount and its period ("Rs 15,000/- per month").
pub(super) static SKIP_BEFORE_PERIOD: LazyLock<Regex> =
    LazyLock::new(|| compile("^[ \\t]*(?:/-|/=|,-|\\.-|\\+|以上|左右|起|多|余)"));

pub(super) static PERCENT: LazyLock<Regex> = LazyLock::new(|| {
    let words = "% | percent | per cent | persen | phần trăm | เปอร์เซ็นต์ | प्रतिशत";
    compile(&format!("^[ \\t]*(?:{})", alternation(ci(words), true)))
});

pub(super) static COUNT_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        "^[ \\t]*(?:{})",
        alternation(ci(COUNT_NOUNS), true)
    ))
});

pub(super) static SALARY_WORD: LazyLock<Regex> = LazyLock::new(|| {
    compile(&alternation(
        SALARY_WORDS.iter().map(|(w, _)| (*w, true)),
        true,
    ))
});

/// Period cues before the amount: period words and salary words with a period.
pub(super) static PERIOD_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    let period_words = PERIOD_WORDS
        .iter()
        .filter(|p| p.flags & (AFTER | SLASH) == 0)
        .map(|p| (p.text, true));
    let salary_words = SALARY_WORDS
        .iter()
        .filter(|(_, p)| p.is_some())
        .map(|(w, _)| (*w, true));
    compile(&alternation(period_words.chain(salary_words), true))
});

/// What may stand between a salary (or period) word and the amount.
static GAP: LazyLock<Regex> = LazyLock::new(|| {
    let words = ci(GAP_FILLERS)
        .chain(ci(PERIOD_CONNECTORS))
        .chain(PERIOD_WORDS.iter().map(|p| (p.text, true)))
        .chain(SALARY_WORDS.iter().map(|(w, _)| (*w, true)));
    compile(&format!(
        r#"^(?:[\s:：,，\-=()（）\[\]【】「」"'~*·•]|{}|{})*$"#,
        alternation(words, true),
        marker_alternation(BOTH, BIG | GLUED, true)
    ))
});

const MAX_GAP_CHARS: usize = 40;

pub(super) fn gap_ok(gap: &str) -> bool {
    gap.chars().count() <= MAX_GAP_CHARS && GAP.is_match(gap)
}

pub(super) fn only_spacing(gap: &str) -> bool {
    gap.chars()
        .all(|c| c.is_whitespace() || c == ':' || c == '：')
}

/// Lookup key of a word: lower case, white space runs as one space.
fn word_key(word: &str) -> String {
    word.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

type Index<T> = HashMap<String, Vec<&'static T>>;

/// Items by [`word_key`] of their text, in list order.
fn index<T>(items: &'static [T], text: impl Fn(&T) -> &str) -> Index<T> {
    let mut map: Index<T> = HashMap::new();
    for item in items {
        map.entry(word_key(text(item))).or_default().push(item);
    }
    map
}

static MARKER_INDEX: LazyLock<Index<Marker>> = LazyLock::new(|| index(MARKERS, |m| m.text));
static MULT_INDEX: LazyLock<Index<Mult>> = LazyLock::new(|| index(MULTS, |m| m.text));
static PERIOD_INDEX: LazyLock<Index<PeriodWord>> =
    LazyLock::new(|| index(PERIOD_WORDS, |p| p.text));
static SALARY_INDEX: LazyLock<Index<(&str, Option<Period>)>> =
    LazyLock::new(|| index(SALARY_WORDS, |(w, _)| w));

fn lookup<T>(index: &'static Index<T>, text: &str) -> impl Iterator<Item = &'static T> {
    index.get(&word_key(text)).into_iter().flatten().copied()
}

pub(super) fn lookup_marker(text: &str, allowed: u8) -> Option<&'static Marker> {
    let allowed_here = |m: &&Marker| m.flags & allowed != 0;
    MARKERS
        .iter()
        .filter(allowed_here)
        .find(|m| m.text == text)
        .or_else(|| {
            lookup(&MARKER_INDEX, text)
                .filter(allowed_here)
                .find(|m| m.flags & CI != 0)
        })
}

pub(super) fn lookup_mult(text: &str) -> Option<&'static Mult> {
    lookup(&MULT_INDEX, text).next()
}

pub(super) fn lookup_period_word(text: &str) -> Option<&'static PeriodWord> {
    lookup(&PERIOD_INDEX, text).next()
}

/// Period of a cue found before the amount, with its flags.
pub(super) fn lookup_period_cue(text: &str) -> Option<(Period, u8)> {
    if let Some(p) = lookup_period_word(text) {
        return Some((p.period, p.flags));
    }
    lookup(&SALARY_INDEX, text).find_map(|(_, p)| p.map(|p| (p, 0)))
}
