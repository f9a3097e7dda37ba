//! One amount in a mention: the number, its multiplier ("15tr5", "1万5千"),
//! the currency markers written before and after it, and the second half of a
//! range ("15-20 triệu", "$1,500 to $2,000").
//!
//! This is also where a number is turned away when it is not pay: glued to a
//! word or an id, part of a phone number, date or time, or a percentage.

use super::markers::{GLUED, PRE, SUF};
use super::number::{Mult, Num, parse_number};
use super::patterns::{
    MULTIPLIER, PERCENT, PRE_CURRENCY, PRE_CURRENCY_AHEAD, RANGE, SUF_CURRENCY, TAIL,
    is_latin_alnum, is_latin_letter, lookup_marker, lookup_mult,
};
use super::scan::{Found, Scanner, Side, char_at, char_before, window_start};

impl Scanner<'_> {
    /// Rejects numbers glued to letters or to ids, phones, dates and times.
    pub(super) fn clean_before(&self, at: usize) -> bool {
        let Some(prev) = char_before(self.s, at) else {
            return true;
        };
        if is_latin_alnum(prev) || matches!(prev, '+' | '#' | '@' | '_') {
            return false;
        }
        let before = char_before(self.s, at - prev.len_utf8());
        match prev {
            '-' | '/' | '.' => !before.is_some_and(is_latin_alnum),
            ':' | ',' => !before.is_some_and(|c| c.is_ascii_digit()),
            _ => true,
        }
    }

    pub(super) fn prefix_currency(&self, num_start: usize, floor: usize) -> Option<Found> {
        let lo = window_start(self.s, num_start, floor, 24);
        let window = self.s.get(lo..num_start)?;
        let m = PRE_CURRENCY.captures(window)?.get(1)?;
        let marker = lookup_marker(m.as_str(), PRE)?;
        let start = lo + m.start();
        let glued_to_word = marker.text.starts_with(|c: char| c.is_ascii_alphabetic())
            && char_before(self.s, start).is_some_and(is_latin_alnum);
        (!glued_to_word).then_some(Found {
            start,
            end: lo + m.end(),
            marker,
        })
    }

    fn suffix_currency(&self, from: usize) -> Option<Found> {
        let m = SUF_CURRENCY.captures(self.rest(from))?.get(1)?;
        let marker = lookup_marker(m.as_str(), SUF)?;
        let (start, end) = (from + m.start(), from + m.end());
        if marker.flags & GLUED != 0 && start != from {
            return None;
        }
        let ends_in_letter = marker.text.chars().last().is_some_and(is_latin_letter);
        if ends_in_letter && char_at(self.s, end).is_some_and(is_latin_alnum) {
            return None;
        }
        // "₱20,000 ₱30,000": a marker that also goes before numbers and is
        // followed by one belongs to the next amount.
        if marker.flags & PRE != 0 {
            let rest = self.rest(end).trim_start_matches([' ', '\t', ':']);
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
        }
        Some(Found { start, end, marker })
    }

    fn multiplier(&self, from: usize) -> Option<(&'static Mult, usize, usize)> {
        let m = MULTIPLIER.captures(self.rest(from))?.get(1)?;
        let mult = lookup_mult(m.as_str())?;
        let end = from + m.end();
        let ends_in_letter = mult.text.chars().last().is_some_and(is_latin_letter);
        if ends_in_letter && char_at(self.s, end).is_some_and(char::is_alphabetic) {
            return None;
        }
        Some((mult, from + m.start(), end))
    }

    /// "1万5" (+5,000), "1万5千", "15tr5", "1억 2천만": the part after a multiplier.
    fn mult_tail(&self, from: usize, factor: f64) -> Option<(f64, usize)> {
        let caps = TAIL.captures(self.rest(from))?;
        let spaced = caps.get(1).is_some_and(|m| !m.as_str().is_empty());
        let digits = caps.get(2)?;
        let d: f64 = digits.as_str().parse().ok()?;
        let digits_end = from + digits.end();
        if let Some((m2, _, end2)) = self.multiplier(digits_end) {
            let add = d * m2.factor;
            return (m2.factor < factor && add < factor).then_some((add, end2));
        }
        let next = char_at(self.s, digits_end);
        let continues = next.is_some_and(|c| c.is_ascii_digit() || c.is_alphabetic())
            || (matches!(next, Some(',' | '.'))
                && char_at(self.s, digits_end + 1).is_some_and(|c| c.is_ascii_digit()));
        let bare = !spaced && digits.as_str().len() == 1 && !continues;
        bare.then_some((d * factor / 10.0, digits_end))
    }

    /// Number plus multiplier and currency after it; `None` when the number
    /// is glued to a word, or is a percentage, time or date.
    pub(super) fn side(&self, num: Num) -> Option<Side> {
        let mult = self.multiplier(num.end);
        let mut side = Side {
            raw: num.value,
            factor: 1.0,
            extra: 0.0,
            grouped: num.grouped,
            mult: None,
            end: num.end,
            suffix: None,
        };
        if let Some((m, _, end)) = mult {
            side.mult = Some(m);
            side.factor = m.factor;
            side.end = end;
            let tail = if m.tail {
                self.mult_tail(end, m.factor)
            } else {
                None
            };
            if let Some((extra, tail_end)) = tail {
                side.extra = extra;
                side.end = tail_end;
            }
        }
        side.suffix = self.suffix_currency(side.end);
        if char_at(self.s, num.end).is_some_and(is_latin_letter) {
            let glued = match mult {
                Some((_, start, _)) => start == num.end,
                None => side.suffix.is_some_and(|f| f.start == num.end),
            };
            if !glued {
                return None;
            }
        }
        let after = self.rest(num.end);
        let mut chars = after.chars();
        let time_or_date = matches!(chars.next(), Some(':' | '/'))
            && chars.next().is_some_and(|c| c.is_ascii_digit());
        if time_or_date || PERCENT.is_match(after) {
            return None;
        }
        Some(side)
    }

    /// The second half of a range ("- 30,000", "~5万", "to $2,000", "đến 20 triệu").
    pub(super) fn range_right(&self, from: usize) -> Option<(Option<Found>, Side)> {
        let connector = RANGE.find(self.rest(from))?;
        let mut pos = from + connector.end();
        let prefix = PRE_CURRENCY_AHEAD
            .captures(self.rest(pos))
            .and_then(|caps| {
                let m = caps.get(1)?;
                let marker = lookup_marker(m.as_str(), PRE)?;
                Some((
                    caps.get(0)?.end(),
                    Found {
                        start: pos + m.start(),
                        end: pos + m.end(),
                        marker,
                    },
                ))
            });
        if let Some((skip, _)) = prefix {
            pos += skip;
        }
        if !self.rest(pos).starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let num = parse_number(self.s, pos).ok()?;
        let side = self.side(num)?;
        Some((prefix.map(|(_, f)| f), side))
    }
}

#[cfg(test)]
mod tests {
    use crate::features::salary::tests::{close, find};

    #[test]
    fn adjacent_prefixed_amounts_are_separate() {
        let found = find("₱20,000 ₱30,000", None);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(close(found[1].min, 30000.0));
    }

    macro_rules! negative {
        ($($name:ident: $text:expr;)*) => {$(
            #[test]
            fn $name() {
                for default in [None, Some("THB")] {
                    let found = find($text, default);
                    assert!(found.is_empty(), "{:?} ({default:?}) -> {found:#?}", $text);
                }
            }
        )*};
    }

    negative! {
        no_phone_local: "Call 0917 123 4567 now";
        no_phone_international: "WhatsApp +63 917 123 4567";
        no_phone_dashes: "Tel: 081-234-5678";
        no_year: "Founded in 2025, hiring since 2019.";
        no_dates: "Apply before 15/03/2025 or 2025-03-15 or 15.03.2025";
        no_licence: "DMW License No. 123-LB-031522-R";
        no_registration: "SEC Reg. No. CS201912345";
        no_age_range: "Age 18-30 only";
        no_age_words: "Age: 18 to 30 years old";
        no_24_7: "24/7 support";
        no_percent: "50% commission";
        no_count: "5 slots left";
        no_salary_then_age: "Salary negotiable, age 18-30";
        no_salary_percent: "Salary: 50% commission";
        no_salary_then_sentence: "Salary negotiable. 5 slots";
        no_room_numbers: "Room 305, Building 12";
        no_count_wan: "10万人";
        no_glued_codes: "COVID19 H1B 4G 5G";
        no_hours: "Work 12 hours a day";
        no_time: "Interview 9:30 am";
        no_version: "version 1.2.3";
        no_lone_symbol: "$ and ₱";
        no_small_p: "Plan P2 and R5";
        no_thirteenth_month: "lương tháng 13";
    }
}
