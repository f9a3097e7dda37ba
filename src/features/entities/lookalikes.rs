//! Numbers that look like phone numbers but are not: dates and year lists, age
//! ranges, clock times, money amounts ("Rp 8.000.000", "25000 PHP"), and ids
//! glued to a word ("POEA-123-LB-456789-R").
//!
//! Precision matters more than recall here: a salary read as a phone number
//! would become a key that links unrelated ads.

use super::phone::Group;

/// Currency symbols and codes that mark the number after them as money (`|`-separated).
const CURRENCY_BEFORE: &str = "$|€|£|¥|₱|₫|฿|₹|₩|₦|₭|៛|円|元|php|usd|us$|rm|rp|idr|thb|vnd|myr|kes|ksh|kshs|tzs|tsh|ugx|rmb|cny|eur|sgd|hkd|mmk|khr|lak|inr|aed|usdt";

/// Currency words and units that mark the number before them as money (`|`-separated).
const CURRENCY_AFTER: &str = "usd|us$|$|php|pesos|peso|dollars|dollar|rmb|元|块|万|萬|千|k|triệu|trieu|tr|đ|vnd|vnđ|juta|jt|rb|ribu|rp|idr|baht|บาท|thb|myr|rm|ksh|kes|shillings|shilling|tzs|ugx|/month|/mo|per month|a month|monthly|%|円|원|만원|yen|eur|€|sgd|mmk|kyat|khr|riel|usdt|bulan|mes|tháng";

/// Marks chains like `8.000.000`: a group of 1-3 digits followed by at least
/// two `.`-separated groups of exactly three.
pub(super) fn mark_amounts(groups: &mut [Group]) {
    let dotted = |g: &Group| matches!(g.sep.as_str(), "." | "．");
    let mut a = 0;
    while a < groups.len() {
        let chain = groups[a + 1..]
            .iter()
            .take_while(|g| dotted(g) && g.digits.len() == 3)
            .count();
        let starts = a == 0 || !dotted(&groups[a]);
        let ends = groups.get(a + 1 + chain).is_none_or(|g| !dotted(g));
        if starts && ends && chain >= 2 && groups[a].digits.len() <= 3 {
            groups[a..=a + chain]
                .iter_mut()
                .for_each(|g| g.in_amount = true);
        }
        a += chain + 1;
    }
}

/// The run is glued to a word before it (`ID123…`, `POEA-123…`).
pub(super) fn glued_before(text: &str, start: usize) -> bool {
    let mut before = text[..start].chars().rev();
    match before.next() {
        Some(c) if c.is_ascii_alphanumeric() || c == '_' => true,
        Some('-') => before.next().is_some_and(|c| c.is_ascii_alphabetic()),
        _ => false,
    }
}

/// The run is glued to a word after it (`…456789-R`, `…4567abc`).
pub(super) fn glued_after(text: &str, end: usize) -> bool {
    let mut after = text[end..].chars();
    match after.next() {
        Some(c) if c.is_ascii_alphanumeric() || c == '_' => true,
        Some('-') => after.next().is_some_and(|c| c.is_ascii_alphabetic()),
        _ => false,
    }
}

/// Dates, year lists, age ranges, clock times and thousands-grouped amounts.
pub(super) fn not_a_phone_shape(w: &[Group]) -> bool {
    let seps: Vec<&str> = w[1..].iter().map(|g| g.sep.trim()).collect();
    let lens: Vec<usize> = w.iter().map(|g| g.digits.len()).collect();
    let value = |g: &Group| g.digits.parse::<u32>().unwrap_or(u32::MAX);
    let is_year = |g: &Group| g.digits.len() == 4 && (1900..=2099).contains(&value(g));

    let years = w.len() >= 2 && w.iter().all(is_year);
    let same_date_sep = seps.len() == 2
        && seps[0] == seps[1]
        && matches!(seps[0], "-" | "." | "/" | "–" | "－" | "．");
    let date = same_date_sep && {
        let (a, b, c) = (value(&w[0]), value(&w[1]), value(&w[2]));
        let day_month = |x: u32, y: u32| (1..=31).contains(&x) && (1..=12).contains(&y);
        let ymd = is_year(&w[0]) && (day_month(b, c) || day_month(c, b));
        let dmy = lens[0] <= 2
            && lens[1] <= 2
            && (lens[2] == 2 || is_year(&w[2]))
            && (day_month(a, b) || day_month(b, a));
        ymd || dmy
    };
    // `18-30 0917…`, but not `09-17 …` or the spaced-out `1-2-3-4-…`.
    let range = w[0].plus_at.is_none()
        && w.len() >= 2
        && !w[0].digits.starts_with('0')
        && lens[0] <= 2
        && lens[1] <= 2
        && matches!(seps[0], "-" | "–" | "—" | "~" | "－")
        && seps.get(1).is_none_or(|s| *s != seps[0]);
    let clock = w.len() <= 4
        && lens.iter().all(|&l| l <= 2)
        && seps.iter().any(|s| matches!(*s, "." | "．"))
        && seps
            .iter()
            .all(|s| matches!(*s, "." | "．" | "-" | "–" | "~" | "－"));
    let amount = w.iter().any(|g| g.in_amount);
    let compact_date = w.len() == 1 && lens[0] == 8 && {
        let part = |r: std::ops::Range<usize>| w[0].digits[r].parse::<u32>().unwrap_or(0);
        let (ymd, dmy) = (
            (part(0..4), part(4..6), part(6..8)),
            (part(4..8), part(2..4), part(0..2)),
        );
        [ymd, dmy].iter().any(|&(y, m, d)| {
            (1900..=2099).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)
        })
    };
    years || date || compact_date || range || clock || amount
}

/// A currency symbol or code right before the number, or a currency or unit
/// right after it.
pub(super) fn is_money(text: &str, start: usize, end: usize) -> bool {
    let before =
        text[..start].trim_end_matches(|c: char| c.is_whitespace() || ":：=~≈".contains(c));
    let cut = before.char_indices().rev().nth(7).map_or(0, |(i, _)| i);
    let before = before[cut..].to_lowercase();
    let after: String = text[end..]
        .trim_start()
        .chars()
        .take(12)
        .collect::<String>()
        .to_lowercase();
    CURRENCY_BEFORE
        .split('|')
        .any(|t| ends_with_word(&before, t))
        || CURRENCY_AFTER
            .split('|')
            .any(|t| starts_with_word(&after, t))
}

/// `hay` ends with `token`, and a word token is not the tail of a longer word.
fn ends_with_word(hay: &str, token: &str) -> bool {
    hay.strip_suffix(token).is_some_and(|rest| {
        !token.starts_with(spaced_letter) || !rest.ends_with(char::is_alphabetic)
    })
}

/// `hay` starts with `token`, and a word token is not the head of a longer word.
fn starts_with_word(hay: &str, token: &str) -> bool {
    hay.strip_prefix(token).is_some_and(|rest| {
        !token.ends_with(spaced_letter) || !rest.starts_with(char::is_alphabetic)
    })
}

/// A letter of a script that separates words with spaces (not Thai, Lao,
/// Myanmar, Khmer or CJK, where a word can run straight into the next).
fn spaced_letter(c: char) -> bool {
    c.is_alphabetic()
        && !matches!(u32::from(c), 0x0E00..=0x0EFF | 0x1000..=0x109F | 0x1780..=0x17FF | 0x2E80..)
}

#[cfg(test)]
mod tests {
    use crate::features::entities::EntityKind::*;
    use crate::features::entities::tests::{evidence, find, one};

    #[test]
    fn phone_negatives() {
        let region = Some("PH");
        for text in [
            "Salary: 30,000 - 50,000 PHP per month",
            "Salary 25000 - 35000",
            "Start date 2024-05-12 or 12.05.2024",
            "Ages 18-30, 2019 2020 2021 2022",
            "POEA-123-LB-456789-R",
            "License No. 1234567890",
            "Gaji Rp 8.000.000 - 12.000.000 per bulan",
            "Lương 15.000.000 - 20.000.000 đ/tháng",
            "Shift 08.00-17.00",
            "Order ID12345678901",
            "Posted 20240601. Ref: 20240601-1234",
            "Sweldo: 25000-35000 kada buwan",
            "Sahod 1.000.000",
        ] {
            assert!(
                find(text, region).is_empty(),
                "{text}: {:?}",
                find(text, region)
            );
        }
        assert!(find("Gaji Rp 8.000.000 - 12.000.000 per bulan", Some("ID")).is_empty());
        assert!(find("Lương 15.000.000 - 20.000.000 đ/tháng", Some("VN")).is_empty());
        assert!(find("月薪8000-15000元，包吃住", Some("CN")).is_empty());
        assert!(find("Malipo 80 000 KSh kwa mwezi", Some("KE")).is_empty());
    }

    #[test]
    fn phone_vietnamese_word_after_number_is_not_a_currency() {
        // "để" starts with "đ" (dong) but is a word.
        assert_eq!(
            find("Liên hệ 0912 345 678 để biết thêm chi tiết", Some("VN")),
            one(Phone, "+84912345678")
        );
    }

    #[test]
    fn phone_after_age_range() {
        let ad = "Age 18-30 0917 123 4567";
        assert_eq!(find(ad, Some("PH")), one(Phone, "+639171234567"));
        assert_eq!(evidence(ad, Some("PH")), vec!["0917 123 4567"]);
    }
}
