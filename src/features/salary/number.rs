//! Numbers: a digit run with its thousands separators and decimal mark, and the
//! multiplier words that scale it ("k", "万", "triệu", "juta", "lakh", ...).
//!
//! A separator followed by exactly three digits groups thousands (`,` `.` `'`
//! or a space); otherwise `,` or `.` is a decimal mark. Tokens that cannot be
//! an amount (phone numbers, dates, versions, ids) are rejected whole, so the
//! scan resumes after them.

use super::Period;
use super::markers::{CJK_UNITS, MALAY, SOUTH_ASIA};

/// End of the run of ASCII digits that starts at `from`.
pub(super) fn digit_run_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// End of a digits-and-separators run, for skipping a rejected token whole.
fn token_end(bytes: &[u8], from: usize) -> usize {
    let mut i = digit_run_end(bytes, from);
    while matches!(bytes.get(i), Some(b',' | b'.' | b'\'' | b' '))
        && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
    {
        i = digit_run_end(bytes, i + 1);
    }
    i
}

/// A parsed number.
#[derive(Clone, Copy)]
pub(super) struct Num {
    pub(super) end: usize,
    pub(super) value: f64,
    /// Written with thousands separators.
    pub(super) grouped: bool,
}

/// Parses the number whose first digit is at `start`; `Err` holds where a
/// rejected token (phone, date, version, id) ends.
pub(super) fn parse_number(s: &str, start: usize) -> Result<Num, usize> {
    let bytes = s.as_bytes();
    let int_end = digit_run_end(bytes, start);
    let first = s.get(start..int_end).ok_or(int_end)?;
    let reject = || token_end(bytes, start);
    if first.is_empty() || (first.len() > 1 && first.starts_with('0')) || first.len() >= 10 {
        return Err(reject());
    }
    let mut digits = first.to_string();
    let mut fraction: Option<&str> = None;
    let mut thousands: Option<u8> = None;
    let mut pos = int_end;
    while let Some(&sep) = bytes.get(pos) {
        if !matches!(sep, b',' | b'.' | b'\'' | b' ') {
            break;
        }
        let group_end = digit_run_end(bytes, pos + 1);
        let group = s.get(pos + 1..group_end).unwrap_or_default();
        if group.is_empty() {
            break;
        }
        let is_thousands = group.len() == 3
            && first.len() <= 3
            && first != "0"
            && thousands.is_none_or(|t| t == sep);
        if is_thousands {
            digits.push_str(group);
            thousands = Some(sep);
            pos = group_end;
            continue;
        }
        if matches!(sep, b' ' | b'\'') {
            break;
        }
        // ',' or '.' not followed by a thousands group: a decimal mark, unless
        // that is ambiguous ("1500.000") or the token goes on ("12.05.2025").
        let ambiguous = group.len() == 3 && thousands.is_none();
        let goes_on = matches!(bytes.get(group_end), Some(b',' | b'.'))
            && bytes.get(group_end + 1).is_some_and(u8::is_ascii_digit);
        if thousands == Some(sep) || ambiguous || goes_on {
            return Err(reject());
        }
        fraction = Some(group);
        pos = group_end;
        break;
    }
    let literal = match fraction {
        Some(f) => format!("{digits}.{f}"),
        None => digits,
    };
    let value: f64 = literal.parse().map_err(|_| reject())?;
    if !value.is_finite() || value <= 0.0 {
        return Err(reject());
    }
    Ok(Num {
        end: pos,
        value,
        grouped: thousands.is_some(),
    })
}

/// A number multiplier ("k", "万", "triệu", "lakh"...).
pub(super) struct Mult {
    pub(super) text: &'static str,
    pub(super) factor: f64,
    /// The currency (family) the word implies when no marker is written.
    pub(super) family: Option<&'static str>,
    /// The period the word implies ("LPA" = lakh per annum).
    pub(super) period: Option<Period>,
    /// May be followed by a digit continuing it ("1万5", "15tr5", "1억 2천만").
    pub(super) tail: bool,
}

const fn mu(text: &'static str, factor: f64, family: Option<&'static str>, tail: bool) -> Mult {
    Mult {
        text,
        factor,
        family,
        period: None,
        tail,
    }
}

pub(super) static MULTS: &[Mult] = &[
    mu("k", 1e3, None, true),
    mu("thousand", 1e3, None, false),
    mu("million", 1e6, None, false),
    mu("millions", 1e6, None, false),
    mu("mil", 1e3, None, false),
    mu("millones", 1e6, None, false),
    mu("millón", 1e6, None, false),
    mu("milhões", 1e6, None, false),
    mu("milhão", 1e6, None, false),
    mu("lakh", 1e5, Some(SOUTH_ASIA), false),
    mu("lakhs", 1e5, Some(SOUTH_ASIA), false),
    mu("lac", 1e5, Some(SOUTH_ASIA), false),
    mu("lacs", 1e5, Some(SOUTH_ASIA), false),
    mu("crore", 1e7, Some(SOUTH_ASIA), false),
    mu("crores", 1e7, Some(SOUTH_ASIA), false),
    mu("cr", 1e7, Some(SOUTH_ASIA), false),
    Mult {
        text: "lpa",
        factor: 1e5,
        family: Some(SOUTH_ASIA),
        period: Some(Period::Year),
        tail: false,
    },
    mu("लाख", 1e5, Some(SOUTH_ASIA), false),
    mu("करोड\u{93C}", 1e7, Some(SOUTH_ASIA), false),
    mu("करोड", 1e7, Some(SOUTH_ASIA), false),
    mu("हज\u{93C}ार", 1e3, Some(SOUTH_ASIA), false),
    mu("हजार", 1e3, Some(SOUTH_ASIA), false),
    mu("juta", 1e6, Some(MALAY), false),
    mu("jt", 1e6, Some(MALAY), false),
    mu("ribu", 1e3, Some(MALAY), false),
    mu("rb", 1e3, Some(MALAY), false),
    mu("triệu", 1e6, Some("VND"), true),
    mu("trieu", 1e6, Some("VND"), true),
    mu("tr", 1e6, Some("VND"), true),
    mu("củ", 1e6, Some("VND"), true),
    mu("tỷ", 1e9, Some("VND"), true),
    mu("tỉ", 1e9, Some("VND"), true),
    mu("nghìn", 1e3, Some("VND"), false),
    mu("ngàn", 1e3, Some("VND"), false),
    mu("nghin", 1e3, Some("VND"), false),
    mu("ngan", 1e3, Some("VND"), false),
    mu("千", 1e3, Some(CJK_UNITS), true),
    mu("仟", 1e3, Some(CJK_UNITS), true),
    mu("万", 1e4, Some(CJK_UNITS), true),
    mu("萬", 1e4, Some(CJK_UNITS), true),
    mu("千万", 1e7, Some(CJK_UNITS), false),
    mu("千萬", 1e7, Some(CJK_UNITS), false),
    mu("百万", 1e6, Some(CJK_UNITS), false),
    mu("百萬", 1e6, Some(CJK_UNITS), false),
    mu("亿", 1e8, Some(CJK_UNITS), true),
    mu("億", 1e8, Some(CJK_UNITS), true),
    mu("천", 1e3, Some("KRW"), false),
    mu("만", 1e4, Some("KRW"), true),
    mu("백만", 1e6, Some("KRW"), false),
    mu("천만", 1e7, Some("KRW"), false),
    mu("억", 1e8, Some("KRW"), true),
    mu("พัน", 1e3, Some("THB"), false),
    mu("หมื่น", 1e4, Some("THB"), true),
    mu("แสน", 1e5, Some("THB"), true),
    mu("ล้าน", 1e6, Some("THB"), true),
    mu("libo", 1e3, Some("PHP"), false),
];
