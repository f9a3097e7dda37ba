//! Chat ids written as text: an id right after a cue word (`TG: name`,
//! `微信：abc123`, `Line ID: xyz`) and `@handles` next to a Telegram or LINE
//! cue, checked against each app's id rules and lower-cased.
//!
//! A plain English cue word ("telegram", "line") needs a colon, an "id" word
//! or an `@` before the id, so that "Join our Telegram group" yields nothing.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use super::cues::{Before, Cue, CueKind};
use super::{EntityKind, Extractor};

/// `@name` not yet known to belong to any app.
static HANDLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[@＠]([A-Za-z0-9_][A-Za-z0-9_.]*)").expect("handle regex"));

/// What may follow a cue word before an id: an optional "id" word, an optional
/// colon, an optional `@`, then the id (ASCII or full-width ASCII).
static ID_AFTER_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[ \t\x{3000}]*((?i:id|username|user ?name)\b|号|號|账号|帳號|賬號|아이디|ไอดี)?[ \t\x{3000}]*([:：=]?)[ \t\x{3000}]*([@＠]?)([A-Za-z0-9Ａ-Ｚａ-ｚ０-９][A-Za-z0-9Ａ-Ｚａ-ｚ０-９._\-＿－．]*)",
    )
    .expect("id regex")
});

/// An id written right after a cue word.
struct IdToken<'t> {
    raw: &'t str,
    /// Start of the evidence (the `@` if there is one).
    start: usize,
    end: usize,
    at: bool,
    /// A colon, an "id" word or an `@` stands between cue and id.
    strong: bool,
    cue_ascii: bool,
}

impl<'t> Extractor<'t> {
    /// Ids written right after a cue: `TG: name`, `微信：abc123`, `Line ID: xyz`.
    pub(super) fn cue_ids(&mut self) {
        for idx in 0..self.cues.len() {
            let Some(token) = self.id_after(self.cues[idx]) else {
                continue;
            };
            for kind in self.group_back(idx) {
                if let Some(value) = id_value(kind, &token) {
                    self.push(kind, value, token.start, token.end);
                }
            }
        }
    }

    fn id_after(&self, cue: Cue) -> Option<IdToken<'t>> {
        if !matches!(cue.kind, CueKind::Contact(_)) {
            return None;
        }
        let limit = ceil_char_boundary(self.text, cue.end.saturating_add(160));
        let tail = &self.text[cue.end..limit];
        let caps = ID_AFTER_CUE.captures(tail)?;
        let token = caps.get(4)?;
        if token.end() == tail.len() && limit < self.text.len() {
            return None; // maybe cut short by the limit: far too long for an id
        }
        let next = self.text[cue.end + token.end()..].chars().next();
        if matches!(next, Some('@' | '＠')) {
            return None; // the local part of an e-mail address
        }
        let raw = token.as_str().trim_end_matches(['.', '-', '．', '－']);
        let at = caps.get(3).filter(|m| !m.is_empty());
        let start = cue.end + at.unwrap_or(token).start();
        let end = cue.end + token.start() + raw.len();
        if raw.is_empty() || self.is_claimed(start, end) {
            return None;
        }
        Some(IdToken {
            raw,
            start,
            end,
            at: at.is_some(),
            strong: at.is_some()
                || caps.get(1).is_some()
                || caps.get(2).is_some_and(|m| !m.is_empty()),
            cue_ascii: cue.ascii,
        })
    }

    /// `@name` with a Telegram or LINE cue near it.
    pub(super) fn handles(&mut self) {
        for caps in HANDLE.captures_iter(self.text) {
            let (at, name) = (caps.get(0).expect("group 0"), caps.get(1).expect("group 1"));
            let prev = self.text[..at.start()].chars().next_back();
            if prev.is_some_and(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c)) {
                continue; // inside an e-mail address or a word
            }
            let raw = name.as_str().trim_end_matches('.');
            let end = name.start() + raw.len();
            let next = self.text[name.end()..].chars().next();
            if raw.contains('.') || matches!(next, Some('@' | '＠')) {
                continue;
            }
            if self.is_claimed(at.start(), end) {
                continue;
            }
            let mut kinds = match self.context_before(at.start()) {
                Before::Kinds(kinds) => kinds,
                _ => Vec::new(),
            };
            kinds.extend(self.context_after(end));
            for kind in kinds {
                let value = match kind {
                    EntityKind::Telegram => telegram_username(raw),
                    EntityKind::Line => line_id(raw, true),
                    _ => None,
                };
                if let Some(value) = value {
                    self.push(kind, value, at.start(), end);
                }
            }
        }
    }
}

/// The first char boundary at or after `idx` (the text length past the end).
fn ceil_char_boundary(text: &str, mut idx: usize) -> usize {
    if idx >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(idx) {
        idx += 1;
    }
    idx
}

/// NFKC (full-width letters become ASCII) and ASCII lower case; `None` if the
/// result is not ASCII.
fn fold(raw: &str) -> Option<String> {
    let folded: String = raw.nfkc().collect();
    folded.is_ascii().then(|| folded.to_ascii_lowercase())
}

/// `@name` for a valid Telegram username (5-32 of `[a-z0-9_]`, starting with a letter).
pub(super) fn telegram_username(raw: &str) -> Option<String> {
    let name = fold(raw.trim_start_matches(['@', '＠']))?;
    let bytes = name.as_bytes();
    let ok = (5..=32).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && !name.ends_with('_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_');
    ok.then(|| format!("@{name}"))
}

/// A WeChat id: 6-20 chars, a letter first, then `[a-z0-9_-]`.
fn wechat_id(raw: &str) -> Option<String> {
    let id = fold(raw)?;
    let bytes = id.as_bytes();
    let ok = (6..=20).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'));
    ok.then_some(id)
}

/// A LINE or KakaoTalk style id: 4-20 of `[a-z0-9._-]`, not a phone number.
pub(super) fn plain_id(raw: &str) -> Option<String> {
    let id = fold(raw)?;
    let ok = (4..=20).contains(&id.len())
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
        && !looks_like_number(&id);
    ok.then_some(id)
}

fn looks_like_number(id: &str) -> bool {
    id.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-'))
        && id.bytes().filter(u8::is_ascii_digit).count() >= 8
}

/// A LINE id; official accounts keep their `@`.
pub(super) fn line_id(raw: &str, official: bool) -> Option<String> {
    let id = plain_id(raw.trim_start_matches(['@', '＠']))?;
    Some(if official { format!("@{id}") } else { id })
}

/// The value of an id written after a cue of `kind`. A plain English cue word
/// ("telegram", "line") needs a colon, an "id" word or an `@` before the id,
/// except that WeChat and Kakao ids containing a digit are accepted anyway.
fn id_value(kind: EntityKind, token: &IdToken<'_>) -> Option<String> {
    let has_digit = token.raw.chars().any(char::is_numeric);
    let accepted = token.strong
        || !token.cue_ascii
        || (matches!(kind, EntityKind::Wechat | EntityKind::Kakao) && has_digit);
    if !accepted {
        return None;
    }
    match kind {
        EntityKind::Telegram => telegram_username(token.raw),
        EntityKind::Wechat => wechat_id(token.raw),
        EntityKind::Kakao => plain_id(token.raw),
        EntityKind::Line => line_id(token.raw, token.at),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::features::entities::EntityKind::*;
    use crate::features::entities::tests::{find, one};

    #[test]
    fn telegram_handles_and_links() {
        assert_eq!(
            find("Apply via Telegram: @Jobs_Asia_2024", None),
            one(Telegram, "@jobs_asia_2024")
        );
        assert_eq!(
            find("more info https://t.me/s/ThaiJobsHub", None),
            one(Telegram, "@thaijobshub")
        );
        assert_eq!(
            find("TG: recruiter_ph", None),
            one(Telegram, "@recruiter_ph")
        );
        assert_eq!(
            find("telegram.me/Recruiter_PH and t.me/recruiter_ph", None),
            one(Telegram, "@recruiter_ph")
        );
    }

    #[test]
    fn telegram_chinese_and_thai() {
        assert_eq!(
            find("高薪急招，联系飞机：@HR_Manager88", None),
            one(Telegram, "@hr_manager88")
        );
        assert_eq!(
            find("纸飞机 abc_jobs 详聊", None),
            one(Telegram, "@abc_jobs")
        );
        assert_eq!(
            find("ติดต่อ เทเลแกรม @siam_jobs ได้เลย", None),
            one(Telegram, "@siam_jobs")
        );
    }

    #[test]
    fn telegram_negatives() {
        // An e-mail is not a handle, even next to a Telegram cue.
        assert_eq!(
            find("Telegram or email hr.team@company.com", None),
            one(Email, "hr.team@company.com")
        );
        assert_eq!(
            find("TG: jobs@company.com", None),
            one(Email, "jobs@company.com")
        );
        // A handle without a cue could be any app.
        assert!(find("follow @some_user for updates", None).is_empty());
        // An English word after the cue is not a username.
        assert!(find("Join our Telegram group today", None).is_empty());
        // Tele-sales is a job, not Telegram.
        assert_eq!(
            find("Tele-sales agent 0917 123 4567", Some("PH")),
            one(Phone, "+639171234567")
        );
        // Telegram's own paths are not users.
        assert_eq!(
            find("https://t.me/addstickers/FunnyCats", None),
            one(Url, "https://t.me/addstickers/FunnyCats")
        );
    }

    #[test]
    fn line_ids() {
        assert_eq!(find("Line ID: Thai_Jobs99", None), one(Line, "thai_jobs99"));
        assert_eq!(find("Line: @abc1234", None), one(Line, "@abc1234"));
        assert_eq!(find("สนใจแอดไลน์ @JobsBKK ด่วน", None), one(Line, "@jobsbkk"));
        assert_eq!(find("ไอดีไลน์: nong.job", None), one(Line, "nong.job"));
        assert!(find("in line with the law, apply now", None).is_empty());
    }

    #[test]
    fn wechat_ids() {
        assert_eq!(find("微信：abc_123456", None), one(Wechat, "abc_123456"));
        assert_eq!(find("有意者加V：Jobs8888", None), one(Wechat, "jobs8888"));
        assert_eq!(
            find("WeChat ID: HR-Zhang88", None),
            one(Wechat, "hr-zhang88")
        );
        assert_eq!(find("vx：ｊｏｂｓ２０２４", None), one(Wechat, "jobs2024"));
        assert!(find("Download the WeChat app today", None).is_empty());
    }

    #[test]
    fn kakao() {
        assert_eq!(
            find("카톡 아이디: korea_job1 으로 연락주세요", None),
            one(Kakao, "korea_job1")
        );
        assert_eq!(
            find("https://open.kakao.com/o/sAbCdEf", None),
            one(Kakao, "open.kakao.com/o/sAbCdEf")
        );
    }
}
