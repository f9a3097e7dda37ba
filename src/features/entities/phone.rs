//! Phone numbers: runs of digits in any of ten scripts, split into numbers and
//! normalised to E.164 with the `phonenumber` metadata.
//!
//! A run of digit groups is read from the left; the widest window of groups
//! that is a valid number wins. Numbers with `+` or `00` need no region; others
//! are read in the caller's region, or as a chat app's convention dictates
//! (Zalo: Vietnam, WeChat: China, any chat app: an international number
//! without its `+`). The kinds come from the cue group next to the number.

use std::sync::LazyLock;

use phonenumber::Mode;
use phonenumber::country::Id as Region;
use regex::Regex;

use super::cues::Before;
use super::lookalikes::{glued_after, glued_before, is_money, mark_amounts, not_a_phone_shape};
use super::{EntityKind, Extractor};

/// Code points of the digit zero in the scripts whose digits we read as phone
/// digits: ASCII, full-width, Arabic-Indic, Persian, Devanagari, Bengali, Thai,
/// Lao, Myanmar, Khmer.
const DIGIT_ZEROS: [u32; 10] = [
    0x30, 0xFF10, 0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0xED0, 0x1040, 0x17E0,
];

/// Characters allowed between the digit groups of one phone number.
const PHONE_SEPARATORS: &str = r" \t\x{A0}\x{2000}-\x{200A}\x{202F}\x{3000}.\-\x{2010}-\x{2015}\x{2212}\x{FF0D}\x{FF0E}()\x{FF08}\x{FF09}";

/// A run of digits, separated by at most three separator characters, with an
/// optional leading plus. Runs are split into numbers later.
static PHONE_RUN: LazyLock<Regex> = LazyLock::new(|| {
    let digits: String = DIGIT_ZEROS
        .iter()
        .map(|z| format!(r"\x{{{z:X}}}-\x{{{:X}}}", z + 9))
        .collect();
    let sep = PHONE_SEPARATORS;
    Regex::new(&format!(
        r"(?:[+\x{{FF0B}}][ \t]?)?[{digits}](?:[{sep}]{{1,3}}[{digits}]|[{digits}])*"
    ))
    .expect("phone run regex")
});

/// A maximal run of digits of a phone candidate.
#[derive(Debug)]
pub(super) struct Group {
    pub(super) digits: String,
    start: usize,
    end: usize,
    /// Offset of a `+` right before the group.
    pub(super) plus_at: Option<usize>,
    /// The separator characters between the previous group and this one.
    pub(super) sep: String,
    /// Part of a thousands-grouped amount such as `8.000.000`.
    pub(super) in_amount: bool,
}

/// A phone number found in a run of digit groups.
struct PhoneHit {
    kinds: Vec<EntityKind>,
    value: String,
    start: usize,
    end: usize,
}

impl Extractor<'_> {
    /// Reports phone numbers, as phones or as the chat app their cue names.
    pub(super) fn phones(&mut self) {
        for run in PHONE_RUN.find_iter(self.text) {
            let groups = split_groups(run.as_str(), run.start());
            if !groups.is_empty() {
                self.phone_run(&groups, run.start(), run.end());
            }
        }
    }

    /// Splits one run of digit groups into numbers: from the leftmost group,
    /// the longest window of groups that is a valid number wins.
    fn phone_run(&mut self, groups: &[Group], run_start: usize, run_end: usize) {
        let first = usize::from(glued_before(self.text, run_start));
        let last = groups.len() - usize::from(glued_after(self.text, run_end));
        let mut i = first;
        while i < last {
            let mut widest = i;
            let mut total = 0;
            for (k, group) in groups.iter().enumerate().take(last).skip(i) {
                total += group.digits.len();
                if total > 17 {
                    break;
                }
                widest = k;
            }
            let hit = (i..=widest)
                .rev()
                .find_map(|j| self.phone_window(&groups[i..=j]).map(|hit| (j, hit)));
            match hit {
                Some((j, hit)) => {
                    for kind in hit.kinds {
                        self.push(kind, hit.value.clone(), hit.start, hit.end);
                    }
                    i = j + 1;
                }
                // The tail of a failed `+…` number is not a number of its own:
                // `+52 1 55 1234 5678` must not yield `55 1234 5678`.
                None if groups[i].plus_at.is_some() => break,
                None => i += 1,
            }
        }
    }

    /// The kinds and E.164 value of a window of digit groups, if it is a number.
    fn phone_window(&self, w: &[Group]) -> Option<PhoneHit> {
        let digits: String = w.iter().map(|g| g.digits.as_str()).collect();
        if !(7..=17).contains(&digits.len()) {
            return None;
        }
        let start = with_open_paren(self.text, w);
        let end = w[w.len() - 1].end;
        if self.is_claimed(start, end) || not_a_phone_shape(w) || is_money(self.text, start, end) {
            return None;
        }
        let mut cued = match self.context_before(start) {
            Before::Veto => return None,
            Before::Kinds(kinds) => kinds,
            Before::Nothing => Vec::new(),
        };
        cued.extend(self.context_after(end));
        let value = if w[0].plus_at.is_some() {
            e164(None, &digits).or_else(|| e164(None, &without_trunk_zero(w)?))?
        } else {
            self.parse_number(&digits, &cued)?
        };
        let mut kinds: Vec<EntityKind> = cued
            .iter()
            .copied()
            .filter(|k| {
                matches!(
                    k,
                    EntityKind::Telegram
                        | EntityKind::Whatsapp
                        | EntityKind::Wechat
                        | EntityKind::Zalo
                )
            })
            .collect();
        if kinds.is_empty() || cued.contains(&EntityKind::Phone) {
            kinds.push(EntityKind::Phone);
        }
        Some(PhoneHit {
            kinds,
            value,
            start,
            end,
        })
    }

    /// E.164 for `digits` written without `+`: international after `00`, else
    /// national in the default region (and VN for Zalo, CN for WeChat), else,
    /// for a chat app, international without its `+`.
    fn parse_number(&self, digits: &str, cued: &[EntityKind]) -> Option<String> {
        if let Some(rest) = digits.strip_prefix("00").filter(|r| !r.starts_with('0')) {
            return e164(None, rest);
        }
        let mut regions: Vec<Region> = self.region.into_iter().collect();
        if cued.contains(&EntityKind::Zalo) {
            regions.push(Region::VN);
        }
        if cued.contains(&EntityKind::Wechat) {
            regions.push(Region::CN);
        }
        let by_region = regions.into_iter().find_map(|r| e164(Some(r), digits));
        let bare_international = cued.iter().any(|k| k.is_messaging()) && !digits.starts_with('0');
        by_region.or_else(|| bare_international.then(|| e164(None, digits)).flatten())
    }
}

/// Parses `digits` as a national number of `region`, or as an international
/// number (country code first) when `region` is `None`; E.164 if valid.
pub(super) fn e164(region: Option<Region>, digits: &str) -> Option<String> {
    let parsed = match region {
        Some(region) => phonenumber::parse(Some(region), digits),
        None => phonenumber::parse(None, format!("+{digits}")),
    };
    let number = parsed.ok()?;
    phonenumber::is_valid(&number).then(|| number.format().mode(Mode::E164).to_string())
}

fn digit_value(c: char) -> Option<u8> {
    let cp = u32::from(c);
    DIGIT_ZEROS
        .iter()
        .find(|&&zero| (zero..zero + 10).contains(&cp))
        .and_then(|&zero| u8::try_from(cp - zero).ok())
}

fn split_groups(run: &str, offset: usize) -> Vec<Group> {
    let mut groups = Vec::new();
    let mut current: Option<Group> = None;
    let mut plus_at = None;
    let mut sep = String::new();
    for (i, c) in run.char_indices() {
        let pos = offset + i;
        if let Some(d) = digit_value(c) {
            let group = current.get_or_insert_with(|| Group {
                digits: String::new(),
                start: pos,
                end: pos,
                plus_at: plus_at.take(),
                sep: std::mem::take(&mut sep),
                in_amount: false,
            });
            group.digits.push(char::from(b'0' + d));
            group.end = pos + c.len_utf8();
        } else {
            groups.extend(current.take());
            if c == '+' || c == '＋' {
                plus_at = Some(pos);
            } else {
                sep.push(c);
            }
        }
    }
    groups.extend(current);
    mark_amounts(&mut groups);
    groups
}

/// `+63 0917 …` and `+44 (0)20 …` written with the national trunk zero: the
/// digits without it, if the zero opens the group after the country code.
fn without_trunk_zero(w: &[Group]) -> Option<String> {
    let (code, next) = (w.first()?, w.get(1)?);
    if code.digits.len() > 3 || !next.digits.starts_with('0') {
        return None;
    }
    let rest = w[2..].iter().map(|g| g.digits.as_str());
    Some(
        [code.digits.as_str(), &next.digits[1..]]
            .into_iter()
            .chain(rest)
            .collect(),
    )
}

/// Start of the evidence: the `+` or first digit, or an opening parenthesis
/// before it that the number closes, as in `(02) 8123 4567`.
fn with_open_paren(text: &str, w: &[Group]) -> usize {
    let start = w[0].plus_at.unwrap_or(w[0].start);
    let closes = w.get(1).is_some_and(|g| g.sep.contains([')', '）']));
    match text[..start].chars().next_back() {
        Some(c @ ('(' | '（')) if closes => start - c.len_utf8(),
        _ => start,
    }
}

#[cfg(test)]
mod tests {
    use crate::features::entities::EntityKind::*;
    use crate::features::entities::tests::{evidence, find, one};

    #[test]
    fn phone_tagalog_with_salary() {
        let ad = "Hiring! Sahod ₱35,000 kada buwan, edad 18-30. Tumawag sa 0917 123 4567.";
        assert_eq!(find(ad, Some("PH")), one(Phone, "+639171234567"));
        assert_eq!(evidence(ad, Some("PH")), vec!["0917 123 4567"]);
    }

    #[test]
    fn phone_international_without_region() {
        let ad = "Call +855 12 345 678 or 00855 12 345 679 now";
        assert_eq!(
            find(ad, None),
            vec![
                (Phone, "+85512345678".to_string()),
                (Phone, "+85512345679".to_string())
            ]
        );
    }

    #[test]
    fn phone_national_needs_region() {
        assert!(find("Call 0917 123 4567", None).is_empty());
        assert_eq!(
            find("Call 0917-123-4567", Some("ph")),
            one(Phone, "+639171234567")
        );
    }

    #[test]
    fn phone_full_width_chinese() {
        let ad = "高薪招聘，电话：１３８ １２３４ ５６７８";
        assert_eq!(find(ad, Some("CN")), one(Phone, "+8613812345678"));
        assert_eq!(evidence(ad, Some("CN")), vec!["１３８ １２３４ ５６７８"]);
    }

    #[test]
    fn phone_thai_digits() {
        let ad = "สนใจโทร ๐๘๑-๒๓๔-๕๖๗๘ ด่วน";
        assert_eq!(find(ad, Some("TH")), one(Phone, "+66812345678"));
    }

    #[test]
    fn phone_spaced_out_digits() {
        assert_eq!(
            find("Tel 0 9 1 7 1 2 3 4 5 6 7", Some("PH")),
            one(Phone, "+639171234567")
        );
    }

    #[test]
    fn phone_two_numbers_and_parentheses() {
        let ad = "Contact (+63) 917-123-4567 / 0918 765 4321";
        assert_eq!(
            find(ad, Some("PH")),
            vec![
                (Phone, "+639171234567".to_string()),
                (Phone, "+639187654321".to_string())
            ]
        );
    }

    #[test]
    fn phone_spanish_and_swahili() {
        assert_eq!(
            find("Llámanos al +52 55 1234 5678, sueldo $15,000 al mes", None),
            one(Phone, "+525512345678")
        );
        assert_eq!(
            find(
                "Kazi Thailand! Mshahara KSh 80,000. Piga simu 0712 345 678 kwa maelezo.",
                Some("KE")
            ),
            one(Phone, "+254712345678")
        );
    }

    #[test]
    fn phone_trunk_zero_and_parentheses() {
        let ad = "Call +63 0917 123 4567 or +44 (0)20 7946 0958, Manila (02) 8123 4567";
        assert_eq!(
            find(ad, Some("PH")),
            vec![
                (Phone, "+639171234567".to_string()),
                (Phone, "+442079460958".to_string()),
                (Phone, "+63281234567".to_string())
            ]
        );
        assert_eq!(
            evidence(ad, Some("PH")),
            vec!["+63 0917 123 4567", "+44 (0)20 7946 0958", "(02) 8123 4567"]
        );
    }

    #[test]
    fn phone_tail_of_a_failed_international_number_is_dropped() {
        // `+52 1 …` (an old Mexican mobile prefix) is not valid; its tail must
        // not become a Philippine number.
        assert!(find("WhatsApp: +52 1 55 1234 5678", Some("PH")).is_empty());
    }

    #[test]
    fn telegram_phone_number() {
        assert_eq!(
            find("Telegram +66 81 234 5678", None),
            one(Telegram, "+66812345678")
        );
        assert_eq!(
            find("https://t.me/+66812345678", None),
            one(Telegram, "+66812345678")
        );
    }

    #[test]
    fn wechat_phone() {
        assert_eq!(
            find("微信 13812345678", None),
            one(Wechat, "+8613812345678")
        );
    }

    #[test]
    fn zalo() {
        assert_eq!(
            find("Việc nhẹ lương cao. Liên hệ Zalo: 0912 345 678", None),
            one(Zalo, "+84912345678")
        );
        assert_eq!(find("zalo.me/0912345678", None), one(Zalo, "+84912345678"));
        assert_eq!(
            find("Zalo/SĐT: 0912.345.678", Some("VN")),
            vec![
                (Phone, "+84912345678".to_string()),
                (Zalo, "+84912345678".to_string())
            ]
        );
    }
}
