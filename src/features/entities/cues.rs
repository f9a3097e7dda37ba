//! Cue words: the words that say what the contact next to them is ("WhatsApp",
//! "微信", "โทร", "tel", "Zalo", ...) or that it is not a contact at all (a
//! salary, a licence number), in the languages of the ads.
//!
//! Cues joined by "or", "/" and the like form a group ("WhatsApp/Telegram:"),
//! and a contact takes the kinds of the group that stands right before it, or
//! in brackets right after it ("0917 123 4567 (WhatsApp/Viber)").

use std::cmp::Reverse;
use std::sync::LazyLock;

use regex::Regex;

use super::{EntityKind, Extractor};

/// What a cue word announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CueKind {
    /// The contact that follows is of this kind (`Phone` for "tel", "call", ...).
    Contact(EntityKind),
    /// The number that follows is money ("salary", "gaji", "เงินเดือน", ...).
    Amount,
    /// The number that follows is a licence or registration number.
    Licence,
    /// A word that looks like a cue but is not one ("tele-sales"), or a generic
    /// "contact" word: it ends the reach of earlier cues but joins no group.
    Neutral,
}

/// The cue words of each kind, in the languages of the ads.
static CUE_PATTERNS: LazyLock<Vec<(CueKind, Regex)>> = LazyLock::new(|| {
    use EntityKind::*;
    let cue = |kind, pattern: &str| (kind, Regex::new(pattern).expect("cue regex"));
    vec![
        cue(
            CueKind::Contact(Phone),
            r"(?i)\b(?:tel|telp|phone|telephone|ph|mob|mobile|cell|cellphone|cp|hp|call|text|sms|viber|hotline|nomor|telepono|tawag|n[uú]mero|tel[eé]fono|celular|m[oó]vil|llamar|ll[aá]manos|simu|piga|namba|s[đd]t|điện thoại|dien thoai|gọi)\b|โทร(?:ศัพท์)?|เบอร์(?:โทร)?|電話|电话|手机|手機|致电|전화|핸드폰|휴대폰|연락처",
        ),
        cue(
            CueKind::Contact(Telegram),
            r"(?i)\b(?:telegram|telegrama|tg|tele)\b|电报|電報|纸飞机|紙飛機|飞机|飛機|เทเลแกรม|텔레그램|テレグラム|تلگرام|تيليجرام|تلغرام",
        ),
        cue(
            CueKind::Contact(Whatsapp),
            r"(?i)\b(?:whats ?app|whatsap|watsapp|watsap|wasap|wassap|whatapp|wsp|wpp)\b|(?-i:\bWA\b)|واتساب|واتس اب|ワッツアップ|왓츠앱|วอทส์แอพ|วอทส์แอป",
        ),
        cue(
            CueKind::Contact(Wechat),
            r"(?i)\b(?:we ?chat|weixin|vx|wx)\b|微信|威信|薇信|[VvＶｖ]信|卫星|衛星|加[VvＶｖ]|위챗|วีแชท",
        ),
        cue(CueKind::Contact(Zalo), r"(?i)\bzalo\b"),
        cue(
            CueKind::Contact(Line),
            r"(?i)\b(?:id ?line|line(?: ?id)?)\b|ไอดีไลน์|ไลน์ไอดี|ไลน์|ライン|라인",
        ),
        cue(
            CueKind::Contact(Kakao),
            r"(?i)\b(?:kakao ?talk|kakao)\b|카카오톡|카카오|카톡",
        ),
        cue(
            CueKind::Amount,
            r"(?i)\b(?:salary|salaries|sahod|sweldo|suweldo|gaji|upah|sueldo|salario|lương|luong|thu nhập|mshahara|income|earn|earnings|commission|bonus|allowance|up to)\b|เงินเดือน|รายได้|工资|薪资|薪水|月薪|底薪|收入|월급|급여|연봉",
        ),
        cue(
            CueKind::Licence,
            r"(?i)\b(?:licen[cs]e[ds]?|lisensya|permit|registration|reg\.? ?no|poea|dmw|passport|ref|reference|giấy phép)\b|\b(?:TIN|SEC|DTI)\b|ใบอนุญาต|许可证|执照",
        ),
        cue(
            CueKind::Neutral,
            r"(?i)\btele[ -]?(?:sales?|marketing|com\w*|medicine|work)\b|\b(?:contact(?: us)?|hubungi|kontak|liên hệ|lien he|contáctanos|wasiliana)\b|ติดต่อ|联系|聯繫|연락",
        ),
    ]
});

/// Words that join two cues into one group ("WhatsApp or Telegram: ..."; `|`-separated).
const JOINER_WORDS: &str = "or|and|o|y|atau|dan|và|hoặc|na|au|或|หรือ|และ";

/// Punctuation that may stand between a cue and its contact.
const CONNECTORS: &str = ":：-–—=>→»•·|/()（）[]【】「」#*~\u{FE0F}📞☎📱✆👉";

/// A cue word found in the text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cue {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) kind: CueKind,
    /// The cue is written in ASCII (and so may be an ordinary English word).
    pub(super) ascii: bool,
}

/// What the text before a phone candidate says about it.
pub(super) enum Before {
    Nothing,
    Kinds(Vec<EntityKind>),
    Veto,
}

impl Extractor<'_> {
    /// Finds the cue words outside claimed spans, keeping the longest of
    /// overlapping ones.
    pub(super) fn collect_cues(&mut self) {
        let mut cues: Vec<Cue> = Vec::new();
        for (kind, re) in CUE_PATTERNS.iter() {
            for m in re.find_iter(self.text) {
                if !self.is_claimed(m.start(), m.end()) {
                    cues.push(Cue {
                        start: m.start(),
                        end: m.end(),
                        kind: *kind,
                        ascii: m.as_str().is_ascii(),
                    });
                }
            }
        }
        // Longest first at equal starts, then drop overlaps: the kept cues are
        // disjoint, so they are sorted by end as well as by start.
        cues.sort_by_key(|c| (c.start, Reverse(c.end)));
        for cue in cues {
            if self.cues.last().is_none_or(|last| cue.start >= last.end) {
                self.cues.push(cue);
            }
        }
    }

    /// The kinds of the cue at `idx` and of the cues joined to it before it
    /// ("WhatsApp / Telegram: ...").
    pub(super) fn group_back(&self, idx: usize) -> Vec<EntityKind> {
        let mut kinds = Vec::new();
        let mut i = idx;
        loop {
            if let CueKind::Contact(kind) = self.cues[i].kind {
                kinds.push(kind);
            }
            if i == 0 {
                break;
            }
            let (prev, cur) = (&self.cues[i - 1], &self.cues[i]);
            if !matches!(prev.kind, CueKind::Contact(_))
                || !is_joiner(&self.text[prev.end..cur.start])
            {
                break;
            }
            i -= 1;
        }
        kinds
    }

    /// The cue group that ends shortly before `pos`, if nothing but connecting
    /// words stand between.
    pub(super) fn context_before(&self, pos: usize) -> Before {
        let idx = self.cues.partition_point(|c| c.end <= pos);
        let Some(cue) = idx.checked_sub(1).map(|i| self.cues[i]) else {
            return Before::Nothing;
        };
        let gap = &self.text[cue.end..pos];
        match cue.kind {
            // Another contact between cue and candidate takes the cue for itself.
            CueKind::Contact(_)
                if gap_ok(gap) && !gap.contains(['@', '＠']) && !self.is_claimed(cue.end, pos) =>
            {
                Before::Kinds(self.group_back(idx - 1))
            }
            CueKind::Amount | CueKind::Licence
                if gap.len() <= 24 && !gap.contains('\n') && !gap.chars().any(char::is_numeric) =>
            {
                Before::Veto
            }
            _ => Before::Nothing,
        }
    }

    /// The kinds of a cue group in brackets right after `pos`: `... (WhatsApp/Viber)`.
    pub(super) fn context_after(&self, pos: usize) -> Vec<EntityKind> {
        let idx = self.cues.partition_point(|c| c.start < pos);
        let Some(first) = self.cues.get(idx) else {
            return Vec::new();
        };
        let between = self.text.get(pos..first.start).filter(|b| b.len() <= 8);
        if !matches!(between.map(str::trim), Some("(" | "[" | "（" | "【")) {
            return Vec::new();
        }
        let mut kinds = Vec::new();
        let mut i = idx;
        while let Some(cue) = self.cues.get(i) {
            if let CueKind::Contact(kind) = cue.kind {
                kinds.push(kind);
            }
            match self.cues.get(i + 1) {
                Some(next) if is_joiner(&self.text[cue.end..next.start]) => i += 1,
                _ => break,
            }
        }
        kinds
    }
}

/// Only connecting words or punctuation between two cues.
fn is_joiner(between: &str) -> bool {
    if between.len() > 16 {
        return false;
    }
    let core =
        between.trim_matches(|c: char| c.is_whitespace() || "/,&|+・、:：-–()（）".contains(c));
    core.is_empty() || JOINER_WORDS.split('|').any(|w| w == core.to_lowercase())
}

/// The text between a cue and a contact is short and does not end a sentence.
fn gap_ok(gap: &str) -> bool {
    if gap.len() > 128 {
        return false;
    }
    let core = gap.trim_matches(|c: char| c.is_whitespace() || CONNECTORS.contains(c));
    if core.is_empty() {
        return gap.len() <= 64;
    }
    gap.chars().count() <= 32
        && !gap.contains(['\n', '\r', '!', '?', '。', '！', '？', ';', '；'])
        && !has_sentence_dot(gap)
}

/// A full stop after a word longer than an abbreviation ("No.", "Tel.").
fn has_sentence_dot(gap: &str) -> bool {
    let mut chars = gap.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let followed_by_space = chars.peek().is_some_and(|&(_, n)| n.is_whitespace());
        if c == '.' && followed_by_space {
            let word = gap[..i]
                .chars()
                .rev()
                .take_while(|c| !c.is_whitespace())
                .count();
            if word > 3 {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::features::entities::EntityKind::*;
    use crate::features::entities::tests::{find, one};

    #[test]
    fn whatsapp_cues_in_several_languages() {
        assert_eq!(
            find("Lowongan kerja! Hubungi WA: 0812-3456-7890", Some("ID")),
            one(Whatsapp, "+6281234567890")
        );
        assert_eq!(
            find("للتواصل واتساب: +971 50 123 4567", None),
            one(Whatsapp, "+971501234567")
        );
        assert_eq!(
            find("Tuma ujumbe WhatsApp 0712 345 678", Some("KE")),
            one(Whatsapp, "+254712345678")
        );
        assert_eq!(
            find("Escríbenos por WhatsApp al 55 1234 5678", Some("MX")),
            one(Whatsapp, "+525512345678")
        );
        // Swahili "wa" ("of") is not a WhatsApp cue; "WA" is.
        assert_eq!(
            find("Wakala wa ajira 0712 345 678", Some("KE")),
            one(Phone, "+254712345678")
        );
        // International number written without its plus.
        assert_eq!(
            find("WhatsApp 639171234567", None),
            one(Whatsapp, "+639171234567")
        );
    }

    #[test]
    fn whatsapp_and_phone_groups() {
        assert_eq!(
            find("+63 917 123 4567 (WhatsApp/Viber)", None),
            vec![
                (Phone, "+639171234567".to_string()),
                (Whatsapp, "+639171234567".to_string())
            ]
        );
        assert_eq!(
            find("WhatsApp/Telegram: +855 12 345 678", None),
            vec![
                (Telegram, "+85512345678".to_string()),
                (Whatsapp, "+85512345678".to_string())
            ]
        );
        // The nearest cue wins.
        assert_eq!(
            find("WhatsApp +855 12 345 678. Call +855 12 345 679", None),
            vec![
                (Whatsapp, "+85512345678".to_string()),
                (Phone, "+85512345679".to_string())
            ]
        );
    }
}
