//! Chat links: `t.me`, `wa.me`, `chat.whatsapp.com`, `line.me`, `lin.ee`,
//! `zalo.me`, `open.kakao.com` and `pf.kakao.com`, each normalised to the
//! contact it opens.
//!
//! This pass runs first: a chat link is reported as its app, not as a URL, and
//! nothing inside it is read again.

use std::sync::LazyLock;

use phonenumber::country::Id as Region;
use regex::{Captures, Regex};

use super::chat_ids::{line_id, plain_id, telegram_username};
use super::phone::e164;
use super::{EntityKind, Extractor, overlaps};

type LinkFn = fn(&Captures<'_>) -> Option<(EntityKind, String)>;

/// Links that identify a chat contact, with the function that normalises each.
static LINKS: LazyLock<Vec<(Regex, LinkFn)>> = LazyLock::new(|| {
    let tg_host = r"\b(?:t\.me|telegram\.me|telegram\.dog)/";
    let link = |pattern: &str, f: LinkFn| (Regex::new(pattern).expect("link regex"), f);
    vec![
        link(
            &format!(r"(?i){tg_host}(?:\+|joinchat/)([a-z0-9_-]{{5,64}})"),
            telegram_invite,
        ),
        link(&format!(r"(?i){tg_host}(?:s/)?([a-z0-9_]+)"), telegram_link),
        link(r"(?i)\btg://resolve\?domain=([a-z0-9_]+)", telegram_link),
        link(r"(?i)\bwa\.me/message/([a-z0-9]{6,40})", whatsapp_business),
        link(r"(?i)\bwa\.me/(?:\+|%2B)?([0-9]{7,15})\b", whatsapp_number),
        link(
            r"(?i)(?:\b(?:api|web)\.whatsapp\.com/send/?|\bwhatsapp://send/?)\?(?:[^\s#&]*&)*phone=(?:\+|%2B)?([0-9]{7,15})\b",
            whatsapp_number,
        ),
        link(
            r"(?i)\bchat\.whatsapp\.com/(?:invite/)?([a-z0-9]{10,40})\b",
            whatsapp_group,
        ),
        link(
            r"(?i)\bline\.me/(?:R/)?ti/p/(~|@|%40)?([a-z0-9_-]+(?:\.[a-z0-9_-]+)*)",
            line_link,
        ),
        link(r"(?i)\blin\.ee/([a-z0-9_-]+)", line_short_link),
        link(r"(?i)\bzalo\.me/g/([a-z0-9]+)", zalo_group),
        link(r"(?i)\bzalo\.me/(\+?[0-9]{8,13})\b", zalo_number),
        link(r"(?i)\bopen\.kakao\.com/o/([a-z0-9]+)", kakao_open_chat),
        link(r"(?i)\bpf\.kakao\.com/(_[a-z0-9]+)", kakao_channel),
    ]
});

/// Telegram paths that are not usernames (`|`-separated).
const TELEGRAM_RESERVED: &str = "joinchat|addstickers|addemoji|addtheme|addlist|share|proxy|socks|setlanguage|confirmphone|login|boost|contact|invoice";

impl Extractor<'_> {
    /// Reports chat links and claims their spans.
    pub(super) fn messaging_links(&mut self) {
        for (re, normalise) in LINKS.iter() {
            for caps in re.captures_iter(self.text) {
                let whole = caps.get(0).expect("group 0");
                let span = (whole.start(), whole.end());
                if self.link_spans.iter().any(|&s| overlaps(s, span)) {
                    continue;
                }
                if let Some((kind, value)) = normalise(&caps) {
                    self.link_spans.push(span);
                    self.claimed.push(span);
                    self.push(kind, value, span.0, span.1);
                }
            }
        }
    }
}

fn cap<'c>(caps: &'c Captures<'_>, i: usize) -> Option<&'c str> {
    caps.get(i).map(|m| m.as_str())
}

/// `t.me/+Code` invite links; `t.me/+6591234567` is a link to a phone number.
fn telegram_invite(caps: &Captures<'_>) -> Option<(EntityKind, String)> {
    let code = cap(caps, 1)?;
    let value = if code.bytes().all(|b| b.is_ascii_digit()) {
        e164(None, code)?
    } else {
        format!("t.me/+{code}")
    };
    Some((EntityKind::Telegram, value))
}

fn telegram_link(caps: &Captures<'_>) -> Option<(EntityKind, String)> {
    let name = cap(caps, 1)?;
    if TELEGRAM_RESERVED
        .split('|')
        .any(|r| r.eq_ignore_ascii_case(name))
    {
        return None;
    }
    Some((EntityKind::Telegram, telegram_username(name)?))
}

fn whatsapp_number(caps: &Captures<'_>) -> Option<(EntityKind, String)> {
    Some((EntityKind::Whatsapp, e164(None, cap(caps, 1)?)?))
}

fn whatsapp_group(caps: &Captures<'_>) -> Option<(EntityKind, String)> {
    let code = cap(caps, 1)?;
    Some((EntityKind::Whatsapp, format!("chat.whatsapp.com/{code}")))
}

fn whatsapp_business(caps: &Captures<'_>) -> Option<(EntityKind, String)> {
    Some((
        EntityKind::Whatsapp,
        format!("wa.me/message/{}", cap(caps, 1)?),
    ))
}

fn line_link(caps: &Captures<'_>) -> Option<(EntityKind, String)> {
    let id = cap(caps, 2)?;
    let value = match cap(caps, 1) {
        Some("~") => plain_id(id)?,
        Some(_) => line_id(id, true)?,
        None => format!("line.me/ti/p/{id}"),
    };
    Some((EntityKind::Line, value))
}

fn line_short_link(caps: &Captures<'_>) -> Option<(EntityKind, String)> {
    Some((EntityKind::Line, format!("lin.ee/{}", cap(caps, 1)?)))
}

fn zalo_group(caps: &Captures<'_>) -> Option<(EntityKind, String)> {
    Some((EntityKind::Zalo, format!("zalo.me/g/{}", cap(caps, 1)?)))
}

fn zalo_number(caps: &Captures<'_>) -> Option<(EntityKind, String)> {
    let number = cap(caps, 1)?;
    let value = match number.strip_prefix('+') {
        Some(international) => e164(None, international)?,
        None => e164(Some(Region::VN), number).or_else(|| e164(None, number))?,
    };
    Some((EntityKind::Zalo, value))
}

fn kakao_open_chat(caps: &Captures<'_>) -> Option<(EntityKind, String)> {
    Some((
        EntityKind::Kakao,
        format!("open.kakao.com/o/{}", cap(caps, 1)?),
    ))
}

fn kakao_channel(caps: &Captures<'_>) -> Option<(EntityKind, String)> {
    Some((EntityKind::Kakao, format!("pf.kakao.com/{}", cap(caps, 1)?)))
}

#[cfg(test)]
mod tests {
    use crate::features::entities::EntityKind::*;
    use crate::features::entities::tests::{find, one};

    #[test]
    fn telegram_invites_keep_case() {
        assert_eq!(
            find(
                "Join t.me/+AbCdEfGh123 or https://t.me/joinchat/XyZ_12345",
                None
            ),
            vec![
                (Telegram, "t.me/+AbCdEfGh123".to_string()),
                (Telegram, "t.me/+XyZ_12345".to_string())
            ]
        );
    }

    #[test]
    fn whatsapp_links() {
        assert_eq!(
            find("Chat: https://wa.me/639171234567?text=hi", None),
            one(Whatsapp, "+639171234567")
        );
        assert_eq!(
            find("api.whatsapp.com/send?phone=85512345678&text=job", None),
            one(Whatsapp, "+85512345678")
        );
        assert_eq!(
            find("Group: https://chat.whatsapp.com/AbCdEf1234567890", None),
            one(Whatsapp, "chat.whatsapp.com/AbCdEf1234567890")
        );
    }

    #[test]
    fn line_links() {
        assert_eq!(
            find("https://line.me/ti/p/~JobsBKK.", None),
            one(Line, "jobsbkk")
        );
        assert_eq!(
            find("line.me/R/ti/p/%40OfficialHR", None),
            one(Line, "@officialhr")
        );
        assert_eq!(
            find("https://lin.ee/AbC123x", None),
            one(Line, "lin.ee/AbC123x")
        );
    }
}
