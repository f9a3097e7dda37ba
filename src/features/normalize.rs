//! Text normalisation that defeats obfuscation without losing track of the evidence.
//!
//! This is the first step of the features stage. Recruiters disguise the words that filters look
//! for: `ＴＥＬＥＧＲＡＭ`, `𝐓𝐞𝐥𝐞𝐠𝐫𝐚𝐦`, `p@ssp0rt`, `T e l e g r a m`, `tele🔥gram`, Cyrillic `р` in a Latin
//! word, zero-width spaces, stacks of combining marks. [`normalize`] turns all of these into plain
//! lower-case text that the red-flag rules match against, and keeps, for every byte of its output,
//! the byte range of the original text it came from. A rule match is therefore always reported as
//! the ad's own words ([`Normalized::source_range`]), never as the normalised form.
//!
//! The steps, in order:
//! 1. Clusters (a base character and its combining marks) are mapped one at a time: NFKC
//!    (full-width, mathematical and circled letters become plain), lower-casing, and, for Latin,
//!    Greek and Cyrillic letters only, removal of every accent (`lương` -> `luong`, `đ` -> `d`).
//!    Marks that belong to the base letter's own script are kept: in Thai, Khmer, Burmese, Lao,
//!    Devanagari and Arabic they are letters, not decoration. Stray marks are dropped, and
//!    zero-width and formatting characters are removed.
//! 2. In a token that mixes Latin with Cyrillic or Greek letters, look-alike letters become Latin.
//! 3. Leetspeak inside a word is undone (`p@ssp0rt`, `v1sa`).
//! 4. Separators inside a word are removed (`W.h.a.t.s.A.p.p`, `tele🔥gram`, `e-mail`), runs of
//!    four or more single letters separated by spaces are joined (`T e l e g r a m`), spaces between
//!    Chinese or Japanese characters are dropped, and runs of white space become one space.
//!
//! Rule patterns go through the same function, so a pattern written `lương cao` matches an ad
//! written `luong cao`, `LƯƠNG CAO` or `l-ư-ơ-n-g c@o`.

use std::ops::Range;

use unicode_general_category::{GeneralCategory, get_general_category};
use unicode_normalization::UnicodeNormalization;
use unicode_script::{Script, UnicodeScript};

/// Text after normalisation, with a map back to the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    text: String,
    /// For each normalised character, the byte range of the original text it came from.
    spans: Vec<Range<u32>>,
    /// For each byte of `text`, the index in `spans` of the character that byte belongs to.
    byte_to_char: Vec<u32>,
}

impl Normalized {
    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a byte range of the normalised text back to the byte range of the original text that
    /// produced it. The result always lies on character boundaries of the original.
    ///
    /// An empty or out-of-range `range` maps to an empty range at the nearest position.
    pub fn source_range(&self, range: Range<usize>) -> Range<usize> {
        if self.spans.is_empty() {
            return 0..0;
        }
        let start = range.start.min(self.text.len());
        let end = range.end.min(self.text.len());
        if start >= end {
            let at = match self.byte_to_char.get(start) {
                Some(&i) => self.spans[i as usize].start,
                None => self.spans[self.spans.len() - 1].end,
            };
            return at as usize..at as usize;
        }
        let first = self.byte_to_char[start] as usize;
        let last = self.byte_to_char[end - 1] as usize;
        self.spans[first].start as usize..self.spans[last].end as usize
    }
}

/// One normalised character and the original bytes it stands for.
#[derive(Debug, Clone, Copy)]
struct Unit {
    ch: char,
    /// The Latin letter this character imitates, judged before lower-casing (Greek `Μ` looks
    /// like `M`, its lower case `μ` like `u`).
    lookalike: Option<char>,
    start: u32,
    end: u32,
}

/// Normalises `original` for matching; see the module documentation for what it does.
///
/// Input longer than `u32::MAX` bytes is truncated at a character boundary: callers cap
/// records far below that.
pub fn normalize(original: &str) -> Normalized {
    let original = truncate_to_u32(original);
    let units = compose_hangul(name_flags(map_clusters(original)));
    let mut units = units;
    map_confusables(&mut units);
    undo_leetspeak(&mut units);
    let units = join_split_words(units);
    let units = collapse_whitespace(units);
    build(units)
}

fn truncate_to_u32(text: &str) -> &str {
    let max = u32::MAX as usize;
    if text.len() <= max {
        return text;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

fn build(units: Vec<Unit>) -> Normalized {
    let mut text = String::with_capacity(units.len());
    let mut spans = Vec::with_capacity(units.len());
    let mut byte_to_char = Vec::with_capacity(units.len());
    for (i, unit) in units.iter().enumerate() {
        text.push(unit.ch);
        spans.push(unit.start..unit.end);
        for _ in 0..unit.ch.len_utf8() {
            byte_to_char.push(i as u32);
        }
    }
    Normalized {
        text,
        spans,
        byte_to_char,
    }
}

// ---------------------------------------------------------------------------------------------
// Step 1: clusters.

fn is_mark(c: char) -> bool {
    matches!(
        get_general_category(c),
        GeneralCategory::NonspacingMark
            | GeneralCategory::SpacingMark
            | GeneralCategory::EnclosingMark
    ) || matches!(c, '\u{FF9E}' | '\u{FF9F}') // half-width katakana voicing marks
}

/// Characters that carry no letter: zero-width spaces and joiners, bidi controls, soft hyphens,
/// variation selectors, tag characters.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Scripts whose letters lose all accents. Everything else keeps the marks of its own script.
fn strips_accents(script: Script) -> bool {
    matches!(
        script,
        Script::Latin | Script::Greek | Script::Cyrillic | Script::Common | Script::Inherited
    )
}

fn map_clusters(original: &str) -> Vec<Unit> {
    let mut units = Vec::with_capacity(original.len());
    let mut chars = original.char_indices().peekable();
    let mut cluster = String::new();
    while let Some((start, base)) = chars.next() {
        cluster.clear();
        cluster.push(base);
        let mut end = start + base.len_utf8();
        while let Some(&(i, c)) = chars.peek() {
            if is_mark(c) || (is_invisible(c) && c != '\u{200B}' && c != '\u{FEFF}') {
                cluster.push(c);
                end = i + c.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let (start, end) = (start as u32, end as u32);
        if base.is_ascii() && cluster.len() == 1 {
            let ch = match base {
                '\n' => '\n',
                '\t' | '\r' | '\x0B' | '\x0C' => ' ',
                c if c.is_ascii_control() => continue,
                c => c.to_ascii_lowercase(),
            };
            units.push(Unit {
                ch,
                lookalike: None,
                start,
                end,
            });
            continue;
        }
        for (ch, lookalike) in map_cluster(&cluster) {
            units.push(Unit {
                ch,
                lookalike,
                start,
                end,
            });
        }
    }
    units
}

/// Maps one cluster (a base character and its marks) to its normalised characters, each with
/// the Latin letter it imitates, if any.
fn map_cluster(cluster: &str) -> Vec<(char, Option<char>)> {
    let mut out = Vec::with_capacity(2);
    if let Some(letter) = cluster.chars().next().and_then(enclosed_letter) {
        out.push((letter, None));
        return out;
    }
    for c in cluster.nfkc() {
        let lookalike = confusable(c);
        let before = out.len();
        map_lowercased(c.to_lowercase(), &mut out);
        if out.len() == before + 1 {
            out[before].1 = lookalike;
        }
    }
    out
}

fn map_lowercased(chars: impl Iterator<Item = char>, out: &mut Vec<(char, Option<char>)>) {
    let mut base_script = out
        .iter()
        .rev()
        .find(|(c, _)| !is_mark(*c))
        .map(|(c, _)| c.script());
    for c in chars {
        if is_invisible(c) {
            continue;
        }
        if c.is_control() {
            if c.is_whitespace() {
                out.push((' ', None));
            }
            continue;
        }
        if is_mark(c) {
            // A mark survives only on a base letter of its own script (Thai, Devanagari, ...).
            let keep = match base_script {
                Some(script) if !strips_accents(script) => {
                    let ext = c.script_extension();
                    !ext.is_common() && !ext.is_inherited() && ext.contains_script(script)
                }
                _ => false,
            };
            if keep {
                out.push((c, None));
            }
            continue;
        }
        let script = c.script();
        base_script = Some(script);
        if strips_accents(script) && !c.is_ascii() {
            let mut folded = Vec::with_capacity(2);
            fold_latin_like(c, &mut folded);
            out.extend(folded.into_iter().map(|c| (c, None)));
        } else {
            out.push((c, None));
        }
    }
}

/// The letter inside an enclosed or squared letter that NFKC leaves alone (`🅟`, `🅿`, `🇰`): emoji
/// letters used to spell words past filters. A regional-indicator letter is returned in upper
/// case so that [`name_flags`] can tell a flag from plain letters.
fn enclosed_letter(c: char) -> Option<char> {
    let (base, upper) = match c as u32 {
        0x1F150..=0x1F169 => (0x1F150, false), // negative circled
        0x1F170..=0x1F189 => (0x1F170, false), // negative squared
        0x1F1E6..=0x1F1FF => (0x1F1E6, true),  // regional indicators
        _ => return None,
    };
    let letter = char::from(b'a' + (c as u32 - base) as u8);
    Some(if upper {
        letter.to_ascii_uppercase()
    } else {
        letter
    })
}

/// A flag emoji is a pair of regional-indicator letters; it becomes the words `flag kh`, so rules
/// and destination detection can read `🇰🇭` as Cambodia.
fn name_flags(units: Vec<Unit>) -> Vec<Unit> {
    let is_indicator = |u: &Unit| u.ch.is_ascii_uppercase() && u.end - u.start == 4;
    let mut out = Vec::with_capacity(units.len());
    let mut i = 0;
    while i < units.len() {
        let u = units[i];
        if is_indicator(&u) && units.get(i + 1).is_some_and(is_indicator) {
            let second = units[i + 1];
            let (start, end) = (u.start, second.end);
            for ch in [' ', 'f', 'l', 'a', 'g', ' '] {
                out.push(Unit {
                    ch,
                    lookalike: None,
                    start,
                    end,
                });
            }
            out.push(Unit {
                ch: u.ch.to_ascii_lowercase(),
                lookalike: None,
                start,
                end,
            });
            out.push(Unit {
                ch: second.ch.to_ascii_lowercase(),
                lookalike: None,
                start,
                end,
            });
            out.push(Unit {
                ch: ' ',
                lookalike: None,
                start,
                end,
            });
            i += 2;
        } else {
            out.push(Unit {
                ch: u.ch.to_ascii_lowercase(),
                ..u
            });
            i += 1;
        }
    }
    out
}

/// Hangul written as separate letters (`동남ㅇㅏ`: compatibility jamo, which NFKC turns into
/// conjoining jamo one by one) is composed back into syllables (`동남아`).
fn compose_hangul(units: Vec<Unit>) -> Vec<Unit> {
    const L: std::ops::RangeInclusive<u32> = 0x1100..=0x1112;
    const V: std::ops::RangeInclusive<u32> = 0x1161..=0x1175;
    const T: std::ops::RangeInclusive<u32> = 0x11A8..=0x11C2;
    let mut out: Vec<Unit> = Vec::with_capacity(units.len());
    let mut i = 0;
    while i < units.len() {
        let (l, v) = (units[i].ch as u32, units.get(i + 1).map(|u| u.ch as u32));
        match v {
            Some(v) if L.contains(&l) && V.contains(&v) => {
                let t = units
                    .get(i + 2)
                    .map(|u| u.ch as u32)
                    .filter(|t| T.contains(t));
                let code =
                    0xAC00 + (l - 0x1100) * 588 + (v - 0x1161) * 28 + t.map_or(0, |t| t - 0x11A7);
                let last = i + 1 + usize::from(t.is_some());
                if let Some(ch) = char::from_u32(code) {
                    out.push(Unit {
                        ch,
                        lookalike: None,
                        start: units[i].start,
                        end: units[last].end,
                    });
                    i = last + 1;
                    continue;
                }
                out.push(units[i]);
                i += 1;
            }
            _ => {
                out.push(units[i]);
                i += 1;
            }
        }
    }
    out
}

/// Removes accents from a Latin, Greek or Cyrillic letter and folds letters that have no
/// decomposition (`đ`, `ø`, `ł`, `ß`, `æ`, final sigma).
fn fold_latin_like(c: char, out: &mut Vec<char>) {
    let folded: &[char] = match c {
        'đ' | 'ð' => &['d'],
        'ø' => &['o'],
        'ł' => &['l'],
        'ß' => &['s', 's'],
        'æ' => &['a', 'e'],
        'œ' => &['o', 'e'],
        'ı' => &['i'],
        'ħ' => &['h'],
        'ŧ' => &['t'],
        'ŀ' => &['l'],
        'ɑ' => &['a'],
        'ɡ' => &['g'],
        _ => &[],
    };
    if !folded.is_empty() {
        out.extend_from_slice(folded);
        return;
    }
    out.extend(c.nfd().filter(|d| !is_mark(*d)));
}

// ---------------------------------------------------------------------------------------------
// Step 2: look-alike Cyrillic and Greek letters.

/// The Latin letter a Cyrillic or Greek letter imitates, upper and lower case apart.
fn confusable(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic capitals and small letters
        'А' | 'а' => 'a',
        'В' | 'в' | 'Ь' | 'ь' => 'b',
        'Е' | 'е' | 'Ё' | 'ё' | 'Є' | 'є' => 'e',
        'І' | 'і' | 'Ї' | 'ї' | 'Ӏ' => 'i',
        'Ј' | 'ј' => 'j',
        'К' | 'к' => 'k',
        'М' | 'м' => 'm',
        'Н' | 'н' | 'Һ' | 'һ' => 'h',
        'О' | 'о' => 'o',
        'п' => 'n',
        'Р' | 'р' => 'p',
        'С' | 'с' => 'c',
        'Т' | 'т' => 't',
        'У' | 'у' | 'Ү' | 'ү' => 'y',
        'Х' | 'х' => 'x',
        'Ѕ' | 'ѕ' => 's',
        'ԁ' => 'd',
        'Ԛ' | 'ԛ' => 'q',
        'Ԝ' | 'ԝ' => 'w',
        // Greek capitals
        'Α' => 'a',
        'Β' => 'b',
        'Ε' => 'e',
        'Ζ' => 'z',
        'Η' => 'h',
        'Ι' => 'i',
        'Κ' => 'k',
        'Μ' => 'm',
        'Ν' => 'n',
        'Ο' => 'o',
        'Ρ' => 'p',
        'Τ' => 't',
        'Υ' => 'y',
        'Χ' => 'x',
        // Greek small letters
        'α' => 'a',
        'β' => 'b',
        'γ' => 'y',
        'ε' => 'e',
        'η' => 'n',
        'ι' => 'i',
        'κ' => 'k',
        'μ' => 'u',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'σ' | 'ς' => 'o',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'ω' => 'w',
        _ => return None,
    })
}

fn is_cyrillic_or_greek(c: char) -> bool {
    matches!(c.script(), Script::Cyrillic | Script::Greek)
}

/// Within each space-delimited token, maps look-alike letters to Latin when the token mixes
/// scripts, or when every letter of an all-Cyrillic/Greek token has a Latin look-alike.
/// Genuine Russian or Greek words, which contain letters without look-alikes, stay as they are.
fn map_confusables(units: &mut [Unit]) {
    for token in tokens(units) {
        let letters = units[token.clone()].iter().filter(|u| u.ch.is_alphabetic());
        let (mut latin, mut foreign, mut all_confusable, mut count) = (0, 0, true, 0);
        for u in letters {
            count += 1;
            if u.ch.script() == Script::Latin {
                latin += 1;
            } else if is_cyrillic_or_greek(u.ch) {
                foreign += 1;
                all_confusable &= u.lookalike.is_some();
            } else {
                all_confusable = false;
            }
        }
        let mixed = latin > 0 && foreign > 0;
        let disguised = latin == 0 && foreign == count && count >= 3 && all_confusable;
        if mixed || disguised {
            for u in &mut units[token] {
                if let Some(c) = u.lookalike {
                    u.ch = c;
                }
            }
        }
    }
}

/// Ranges of maximal runs of non-space units.
fn tokens(units: &[Unit]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, u) in units.iter().enumerate() {
        match (u.ch.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..units.len());
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Step 3: leetspeak.

fn leet(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '@' => 'a',
        '$' => 's',
        '!' => 'i',
        '|' => 'l',
        _ => return None,
    })
}

/// Undoes leetspeak inside word-like runs (letters mixed with the digits and symbols of
/// [`leet`]). A run is rewritten only when letters outnumber the substitutes and there are at
/// least two letters, so `RM8000`, `24h` and `5k` stay as they are. A substitute is replaced when
/// it has letters on both sides within the run (`p@ssp0rt`), or when it is a digit or `$` that
/// starts the run right before a letter (`$alary`, `5alary`).
fn undo_leetspeak(units: &mut [Unit]) {
    let in_run = |c: char| c.is_alphabetic() || leet(c).is_some();
    let mut i = 0;
    while i < units.len() {
        if !in_run(units[i].ch) {
            i += 1;
            continue;
        }
        let start = i;
        while i < units.len() && in_run(units[i].ch) {
            i += 1;
        }
        rewrite_leet_run(&mut units[start..i]);
    }
}

fn rewrite_leet_run(run: &mut [Unit]) {
    let letters = run.iter().filter(|u| u.ch.is_alphabetic()).count();
    let subs = run.len() - letters;
    if subs == 0 || letters < 2 || letters <= subs {
        return;
    }
    let first_letter = run.iter().position(|u| u.ch.is_alphabetic());
    let last_letter = run.iter().rposition(|u| u.ch.is_alphabetic());
    let (Some(first_letter), Some(last_letter)) = (first_letter, last_letter) else {
        return;
    };
    for (i, unit) in run.iter_mut().enumerate() {
        let Some(plain) = leet(unit.ch) else { continue };
        let inside = i > first_letter && i < last_letter;
        // `5alary`, `$alary`; but not ordinals and times (`1st`, `3pm`, `7am`).
        let leading = i == 0
            && first_letter == 1
            && letters >= 3
            && (unit.ch.is_ascii_digit() || unit.ch == '$');
        if inside || leading {
            unit.ch = plain;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Step 4: words split by separators, spaced letters, white space.

/// Characters that may be slipped between the letters of a word to hide it: emoji and other
/// symbols, and a few marks that never join two real words (`*`, `_`, `·`, `•`, `~`, `^`, `=`).
/// Dots, dashes, commas, slashes and apostrophes are left alone: `Telegram/WhatsApp` and
/// `Cambodia-based` are two words each. Dotted or dashed single letters (`W.h.a.t.s.A.p.p`) are
/// joined by [`join_spaced_letters`] instead.
fn is_word_splitter(c: char) -> bool {
    if matches!(c, '*' | '_' | '·' | '•' | '~' | '^' | '=') {
        return true;
    }
    matches!(
        get_general_category(c),
        GeneralCategory::OtherSymbol
            | GeneralCategory::ModifierSymbol
            | GeneralCategory::PrivateUse
            | GeneralCategory::Unassigned
    )
}

/// Punctuation and symbols, which may separate spaced-out letters.
fn is_punctuation_or_symbol(c: char) -> bool {
    matches!(
        get_general_category(c),
        GeneralCategory::ConnectorPunctuation
            | GeneralCategory::DashPunctuation
            | GeneralCategory::OpenPunctuation
            | GeneralCategory::ClosePunctuation
            | GeneralCategory::InitialPunctuation
            | GeneralCategory::FinalPunctuation
            | GeneralCategory::OtherPunctuation
            | GeneralCategory::MathSymbol
            | GeneralCategory::CurrencySymbol
            | GeneralCategory::ModifierSymbol
            | GeneralCategory::OtherSymbol
            | GeneralCategory::PrivateUse
            | GeneralCategory::Unassigned
    )
}

/// Sentence ends, kept so that rules do not match across sentences.
fn is_sentence_end(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '。' | '！' | '？')
}

/// Longest run of splitter characters removed from inside a word.
const MAX_SPLITTER_RUN: usize = 3;
/// Fewest single letters in a row, separated by spaces, that are joined into one word.
const MIN_SPACED_LETTERS: usize = 4;

fn join_split_words(units: Vec<Unit>) -> Vec<Unit> {
    let units = remove_inner_splitters(units);
    let mut units = join_spaced_letters(units);
    punctuation_to_spaces(&mut units);
    remove_spaces_between_ideographs(units)
}

/// Punctuation and symbols other than sentence ends become spaces, except `,` `.` `/` `:`
/// between two digits (`1,500`, `3.5`, `24/7`, `12:00`); a dash between digits (`18-30`) is a
/// range and becomes a space. Rules then see only words, numbers, spaces and sentence ends.
fn punctuation_to_spaces(units: &mut [Unit]) {
    for i in 0..units.len() {
        let c = units[i].ch;
        if !is_punctuation_or_symbol(c) || ends_sentence(units, i) {
            continue;
        }
        let between_digits = i > 0
            && i + 1 < units.len()
            && units[i - 1].ch.is_numeric()
            && units[i + 1].ch.is_numeric()
            && matches!(c, ',' | '.' | '/' | ':' | '،' | '٫');
        if !between_digits {
            units[i].ch = ' ';
        }
    }
}

/// Whether the character at `i` ends a sentence. `!`, `?` and their full-width forms always do;
/// a full stop does when white space or the end of the text follows it, unless it closes a
/// one-letter abbreviation (`S.A.`, `U.S.`). So `อ.เชียงแสน`, `No.5`, `Co.,Ltd` and `3.5` go on.
fn ends_sentence(units: &[Unit], i: usize) -> bool {
    let c = units[i].ch;
    if c != '.' {
        return is_sentence_end(c);
    }
    let next_is_gap = units.get(i + 1).is_none_or(|u| u.ch.is_whitespace());
    let single_letter_before =
        i > 0 && units[i - 1].ch.is_alphabetic() && (i < 2 || !units[i - 2].ch.is_alphanumeric());
    next_is_gap && !single_letter_before
}

/// `tele🔥gram`, `pass*port`: a short run of splitters with a letter directly on both sides is
/// removed.
fn remove_inner_splitters(units: Vec<Unit>) -> Vec<Unit> {
    let n = units.len();
    let mut keep = vec![true; n];
    let mut i = 0;
    while i < n {
        if !is_word_splitter(units[i].ch) {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && is_word_splitter(units[i].ch) {
            i += 1;
        }
        let letter_before = start > 0 && units[start - 1].ch.is_alphabetic();
        let letter_after = i < n && units[i].ch.is_alphabetic();
        if letter_before && letter_after && i - start <= MAX_SPLITTER_RUN {
            keep[start..i].iter_mut().for_each(|k| *k = false);
        }
    }
    units
        .into_iter()
        .zip(keep)
        .filter_map(|(u, k)| k.then_some(u))
        .collect()
}

/// `T e l e g r a m`, `W.h.a.t.s.A.p.p`, `p-a-s-s`: four or more single letters, each separated
/// from the next by a short run of spaces and punctuation, become one word; so do two or more
/// joined by single dots or dashes (`T.G`, `K-H`, `S.A.`).
fn join_spaced_letters(units: Vec<Unit>) -> Vec<Unit> {
    let n = units.len();
    let is_gap = |c: char| c.is_whitespace() || is_punctuation_or_symbol(c);
    let single_letter_at = |i: usize| {
        units[i].ch.is_alphabetic()
            && (i == 0 || !units[i - 1].ch.is_alphanumeric())
            && (i + 1 == n || !units[i + 1].ch.is_alphanumeric())
    };
    let mut keep = vec![true; n];
    let mut i = 0;
    while i < n {
        if !single_letter_at(i) {
            i += 1;
            continue;
        }
        // Collect a chain of single letters joined by short gaps.
        let mut letters = vec![i];
        let mut tight = true;
        let mut j = i + 1;
        loop {
            let gap_start = j;
            while j < n && is_gap(units[j].ch) && j - gap_start < MAX_SPLITTER_RUN {
                j += 1;
            }
            if j > gap_start && j < n && single_letter_at(j) {
                tight &= j - gap_start == 1 && matches!(units[gap_start].ch, '.' | '-');
                letters.push(j);
                j += 1;
            } else {
                break;
            }
        }
        // `T e l e g r a m` needs four letters; `T.G`, `K-H`, `S.A.` need two.
        let enough = if tight { 2 } else { MIN_SPACED_LETTERS };
        if letters.len() >= enough {
            let (first, last) = (letters[0], letters[letters.len() - 1]);
            for (k, flag) in keep.iter_mut().enumerate().take(last).skip(first) {
                *flag = letters.binary_search(&k).is_ok();
            }
            // The closing dot of an abbreviation (`S.A.`) goes too: it ends no sentence.
            if tight && units.get(last + 1).is_some_and(|u| u.ch == '.') {
                keep[last + 1] = false;
            }
            i = last + 1;
        } else {
            i += 1;
        }
    }
    units
        .into_iter()
        .zip(keep)
        .filter_map(|(u, k)| k.then_some(u))
        .collect()
}

fn is_ideograph(c: char) -> bool {
    matches!(
        c.script(),
        Script::Han | Script::Hiragana | Script::Katakana
    )
}

/// Chinese and Japanese are written without spaces; spaces slipped between characters (`护 照`)
/// are removed.
fn remove_spaces_between_ideographs(units: Vec<Unit>) -> Vec<Unit> {
    let n = units.len();
    let mut keep = vec![true; n];
    let mut i = 0;
    while i < n {
        if !units[i].ch.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && units[i].ch.is_whitespace() {
            i += 1;
        }
        if start > 0 && i < n && is_ideograph(units[start - 1].ch) && is_ideograph(units[i].ch) {
            keep[start..i].iter_mut().for_each(|k| *k = false);
        }
    }
    units
        .into_iter()
        .zip(keep)
        .filter_map(|(u, k)| k.then_some(u))
        .collect()
}

/// Runs of white space become one space, or one line break if the run held one; leading and
/// trailing white space is dropped. Line breaks are kept because rules do not match across them.
fn collapse_whitespace(units: Vec<Unit>) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::with_capacity(units.len());
    for u in units {
        if !u.ch.is_whitespace() {
            out.push(u);
            continue;
        }
        let ch = if u.ch == '\n' { '\n' } else { ' ' };
        match out.last_mut() {
            None => {}
            // A run of white space holding a line break becomes a line break.
            Some(last) if last.ch == ' ' && ch == '\n' => last.ch = ch,
            Some(last) if last.ch == ' ' || last.ch == '\n' => {}
            Some(_) => out.push(Unit { ch, ..u }),
        }
    }
    if out.last().is_some_and(|u| u.ch.is_whitespace()) {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        normalize(s).as_str().to_string()
    }

    /// The original text behind the first occurrence of `needle` in the normalised text.
    fn evidence<'a>(original: &'a str, needle: &str) -> &'a str {
        let n = normalize(original);
        let at = n.as_str().find(needle).expect("needle in normalised text");
        &original[n.source_range(at..at + needle.len())]
    }

    #[test]
    fn full_width_and_mathematical_letters_become_plain() {
        assert_eq!(norm("ＴＥＬＥＧＲＡＭ"), "telegram");
        assert_eq!(norm("𝐓𝐞𝐥𝐞𝐠𝐫𝐚𝐦"), "telegram");
        assert_eq!(norm("𝕎𝕙𝕒𝕥𝕤𝔸𝕡𝕡"), "whatsapp");
        assert_eq!(norm("Ⓥⓘⓢⓐ"), "visa");
        assert_eq!(norm("３０００"), "3000");
    }

    #[test]
    fn case_is_folded_and_latin_accents_removed() {
        assert_eq!(norm("VIỆC NHẸ LƯƠNG CAO"), "viec nhe luong cao");
        assert_eq!(norm("Đi làm"), "di lam");
        assert_eq!(norm("Sem experiência"), "sem experiencia");
        assert_eq!(norm("Straße"), "strasse");
    }

    #[test]
    fn zero_width_characters_are_removed() {
        assert_eq!(norm("pass\u{200B}port"), "passport");
        assert_eq!(norm("tele\u{200D}gram\u{FEFF}"), "telegram");
        assert_eq!(norm("vi\u{00AD}sa"), "visa");
    }

    #[test]
    fn stray_combining_marks_are_removed() {
        // Zalgo-style marks stacked on Latin letters.
        assert_eq!(
            norm("p\u{0336}a\u{0336}s\u{0336}s\u{0301}\u{0317}port"),
            "passport"
        );
        // A mark with no base letter.
        assert_eq!(norm("\u{0301}visa"), "visa");
    }

    #[test]
    fn thai_khmer_burmese_hindi_arabic_marks_survive() {
        for text in [
            "งานสบาย รายได้ดี ไม่ต้องมีประสบการณ์",
            "ការងារស្រួល ប្រាក់ខែខ្ពស់",
            "အလုပ်အကိုင် လစာကောင်း",
            "पासपोर्ट जमा करना होगा",
            "وظيفة براتب مرتفع",
            "اَلسَّلَامُ عَلَيْكُمْ",
        ] {
            assert_eq!(norm(text), text.to_lowercase(), "{text}");
        }
    }

    #[test]
    fn emoji_letters_flags_and_split_hangul_are_read() {
        assert_eq!(norm("🅿️ass🅿️ort"), "passport");
        assert_eq!(norm("🅚🅗 🅙🅞🅑"), "kh job");
        assert_eq!(norm("Job in 🇰🇭!"), "job in flag kh !");
        assert_eq!(norm("동남ㅇㅏ 사무직"), "동남아 사무직");
        assert_eq!(norm("T.G or K-H"), "tg or kh");
        assert_eq!(evidence("Work 🇲🇲 now", "flag mm"), "🇲🇲");
    }

    #[test]
    fn korean_and_japanese_stay_composed() {
        assert_eq!(norm("여권을 보내주세요"), "여권을 보내주세요");
        assert_eq!(norm("パスポート"), "パスポート");
        // Half-width katakana with voicing marks compose to the full-width form.
        assert_eq!(norm("ﾊﾟｽﾎﾟｰﾄ"), "パスポート");
    }

    #[test]
    fn cyrillic_and_greek_look_alikes_in_latin_words_are_mapped() {
        // Cyrillic р, о and Greek ο in otherwise Latin words.
        assert_eq!(norm("раssроrt"), "passport");
        assert_eq!(norm("TΕLΕGRΑΜ"), "telegram");
        assert_eq!(norm("Wһatsарр"), "whatsapp");
        // Genuine Russian stays Russian.
        assert_eq!(norm("Работа в Камбодже"), "работа в камбодже");
    }

    #[test]
    fn leetspeak_inside_words_is_undone() {
        assert_eq!(norm("p@ssp0rt"), "passport");
        assert_eq!(norm("V1SA"), "visa");
        assert_eq!(norm("h1gh s@l@ry"), "high salary");
        assert_eq!(norm("$alary"), "salary");
        assert_eq!(norm("pa$$port"), "passport");
    }

    #[test]
    fn numbers_and_amounts_are_not_leetspeak() {
        assert_eq!(norm("RM8000"), "rm8000");
        assert_eq!(norm("$1,500/month"), "1,500 month");
        assert_eq!(norm("24/7 support, 5k bonus"), "24/7 support 5k bonus");
        assert_eq!(norm("Call 0917 123 4567"), "call 0917 123 4567");
        assert_eq!(norm("age 18-30"), "age 18 30");
        assert_eq!(norm("1st shift 3pm 5th"), "1st shift 3pm 5th");
        assert_eq!(norm("3.5 hours"), "3.5 hours");
    }

    #[test]
    fn words_split_by_separators_and_emoji_are_joined() {
        assert_eq!(norm("W.h.a.t.s.A.p.p"), "whatsapp");
        assert_eq!(norm("tele🔥gram"), "telegram");
        assert_eq!(norm("tele👨\u{200D}💻gram"), "telegram");
        assert_eq!(norm("p-a-s-s-p-o-r-t"), "passport");
        assert_eq!(norm("Telegram/WhatsApp"), "telegram whatsapp");
        assert_eq!(norm("Cambodia-based"), "cambodia based");
    }

    #[test]
    fn spaced_letters_are_joined() {
        assert_eq!(norm("contact T e l e g r a m now"), "contact telegram now");
        assert_eq!(norm("T . E . L . E . G . R . A . M"), "telegram");
        assert_eq!(norm("p a s s p o r t"), "passport");
        // Three or fewer single letters are ordinary text.
        assert_eq!(norm("I am a cook"), "i am a cook");
    }

    #[test]
    fn spaces_between_chinese_characters_are_dropped() {
        assert_eq!(norm("交 护 照"), "交护照");
        assert_eq!(norm("月薪 3万"), "月薪 3万");
    }

    #[test]
    fn punctuation_becomes_space_but_sentence_ends_stay() {
        assert_eq!(
            norm("Free (food) & “lodging”; ok?"),
            "free food lodging ok?"
        );
        assert_eq!(norm("护照，保管。"), "护照保管。");
        assert_eq!(norm("don't"), "don t");
        assert_eq!(norm("Co.Ltd. No.5"), "co ltd. no 5");
        assert_eq!(
            norm("S.A. de C.V., Monterrey. Next"),
            "sa de cv monterrey. next"
        );
        assert_eq!(norm("age 18–30, 12:00"), "age 18 30 12:00");
    }

    #[test]
    fn white_space_is_collapsed() {
        assert_eq!(norm("  free \t flight  "), "free flight");
        assert_eq!(norm("free\n\n\tflight\r\n"), "free\nflight");
    }

    #[test]
    fn evidence_maps_back_to_the_original_text() {
        assert_eq!(evidence("Send your p@ssp0rt copy", "passport"), "p@ssp0rt");
        assert_eq!(
            evidence("Add me on T e l e g r a m!", "telegram"),
            "T e l e g r a m"
        );
        assert_eq!(
            evidence("ＴＥＬＥＧＲＡＭ only", "telegram"),
            "ＴＥＬＥＧＲＡＭ"
        );
        assert_eq!(evidence("VIỆC NHẸ LƯƠNG CAO", "luong cao"), "LƯƠNG CAO");
        assert_eq!(
            evidence("x pass\u{200B}port y", "passport"),
            "pass\u{200B}port"
        );
        assert_eq!(evidence("งานสบาย รายได้ดี", "รายได้ดี"), "รายได้ดี");
    }

    #[test]
    fn source_range_handles_empty_and_out_of_range() {
        let n = normalize("abc");
        assert_eq!(n.source_range(1..1), 1..1);
        assert_eq!(n.source_range(10..20), 3..3);
        assert_eq!(normalize("").source_range(0..5), 0..0);
    }

    #[test]
    fn normalisation_is_idempotent_on_examples() {
        for text in [
            "p@ssp0rt",
            "T e l e g r a m",
            "VIỆC NHẸ",
            "护 照",
            "ＴＥＬＥＧＲＡＭ",
        ] {
            let once = norm(text);
            assert_eq!(norm(&once), once, "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_input_maps_to_valid_original_ranges(text in "\\PC{0,80}") {
            let n = normalize(&text);
            for (i, _) in n.as_str().char_indices() {
                let r = n.source_range(i..n.as_str().len());
                proptest::prop_assert!(r.start <= r.end && r.end <= text.len());
                proptest::prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            }
        }

        #[test]
        fn arbitrary_unicode_never_panics(text in proptest::collection::vec(proptest::char::any(), 0..60)) {
            let text: String = text.into_iter().collect();
            let n = normalize(&text);
            let r = n.source_range(0..n.as_str().len());
            proptest::prop_assert!(r.end <= text.len());
        }
    }
}
