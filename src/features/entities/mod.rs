//! Entity extraction: phone numbers, messaging contacts, e-mail addresses and URLs.
//!
//! This module is part of the *features* stage of Lurewatch. Recruiters who lure
//! people into scam centres rarely give a company address; they give a phone
//! number, a Telegram or WhatsApp contact, a LINE, WeChat, KakaoTalk or Zalo id,
//! an e-mail address or a link. [`find_entities`] finds those contacts in the
//! text of a job ad and reports each one with the byte span of its evidence, so
//! that a report can quote it.
//!
//! Each entity carries a *normalised* value. The same recruiter writes the same
//! contact in many ways across ads and platforms — `0917 123 4567`,
//! `+63-917-123-4567`, `wa.me/639171234567`, `＋６３ ９１７…`, `t.me/Jobs_PH`,
//! `@jobs_ph` — and later stages link ads that share a contact. That only
//! works if every spelling of one contact yields one key, and if things that are
//! not contacts (salaries, dates, age ranges, licence numbers) never become keys
//! that link unrelated ads. So the rules here favour precision: a number is kept
//! only when the `phonenumber` metadata says it is a valid number, and an id
//! without a link is kept only when a cue word for its app stands next to it.
//!
//! **Files.** `find_entities` runs one pass per family over the text, each
//! adding to a shared `Extractor`: `chat_links` (t.me, wa.me, line.me, zalo.me,
//! kakao links), `url`, `email`, then `cues` (the cue words that say which app
//! a contact is for), `chat_ids` (ids after a cue, `@handles`) and `phone`
//! (numbers, with `lookalikes` turning away dates, ranges, amounts and ids).
//! Spans taken by links, URLs and e-mail addresses are not read again.
//!
//! The module depends only on `phonenumber`, `regex`, `serde` and
//! `unicode-normalization`; all regexes are compiled once.

mod chat_ids;
mod chat_links;
mod cues;
mod email;
mod lookalikes;
mod phone;
mod url;

use std::collections::HashSet;

use phonenumber::country::Id as Region;

use cues::Cue;

/// The kind of contact an [`Entity`] is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A telephone number (value: E.164).
    Phone,
    /// A Telegram username, invite link or a phone number given for Telegram.
    Telegram,
    /// A WhatsApp number or group invite.
    Whatsapp,
    /// A LINE id, official account or LINE link code.
    Line,
    /// A WeChat id or a phone number given for WeChat.
    Wechat,
    /// A KakaoTalk id or open-chat / channel link.
    Kakao,
    /// A Zalo number or group link.
    Zalo,
    /// An e-mail address.
    Email,
    /// Any other web link.
    Url,
}

impl EntityKind {
    /// Every kind, in declaration order.
    pub const ALL: [EntityKind; 9] = [
        EntityKind::Phone,
        EntityKind::Telegram,
        EntityKind::Whatsapp,
        EntityKind::Line,
        EntityKind::Wechat,
        EntityKind::Kakao,
        EntityKind::Zalo,
        EntityKind::Email,
        EntityKind::Url,
    ];

    /// True for chat apps (Telegram, WhatsApp, LINE, WeChat, KakaoTalk, Zalo):
    /// moving the conversation to a chat app is itself a recruitment signal.
    pub fn is_messaging(self) -> bool {
        !matches!(
            self,
            EntityKind::Phone | EntityKind::Email | EntityKind::Url
        )
    }

    /// A human-readable name for reports, e.g. `"Telegram"` or `"phone number"`.
    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Phone => "phone number",
            EntityKind::Telegram => "Telegram",
            EntityKind::Whatsapp => "WhatsApp",
            EntityKind::Line => "LINE",
            EntityKind::Wechat => "WeChat",
            EntityKind::Kakao => "KakaoTalk",
            EntityKind::Zalo => "Zalo",
            EntityKind::Email => "e-mail address",
            EntityKind::Url => "URL",
        }
    }
}

/// A contact found in a text.
///
/// `value` is the normalised key used to link ads from the same recruiter:
///
/// | kind | value |
/// | --- | --- |
/// | `Phone` | E.164, e.g. `+639171234567` (only numbers the `phonenumber` metadata calls valid) |
/// | `Telegram` | `@username` lower-cased; invite links as `t.me/+Code` (case kept); a number given for Telegram as E.164 |
/// | `Whatsapp` | E.164; group invites as `chat.whatsapp.com/Code`, business links as `wa.me/message/Code` (case kept) |
/// | `Line` | id lower-cased (`@id` for official accounts); `line.me/ti/p/Code` and `lin.ee/Code` links with case kept |
/// | `Wechat` | id lower-cased, or a number given for WeChat as E.164 |
/// | `Kakao` | id lower-cased; `open.kakao.com/o/Code` and `pf.kakao.com/_Code` with case kept |
/// | `Zalo` | E.164; group links as `zalo.me/g/Code` (case kept) |
/// | `Email` | lower-cased, de-obfuscated (`name [at] example [dot] com` → `name@example.com`) |
/// | `Url` | scheme + lower-cased host + path + query, fragment dropped; `www.` links get `https://` |
///
/// Case is kept where the service treats codes as case-sensitive, so that the
/// value still opens the same chat.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entity {
    /// What kind of contact this is.
    pub kind: EntityKind,
    /// The normalised value (see the type documentation): the key used to link ads.
    pub value: String,
    /// Byte offset in the input where the evidence starts (a char boundary).
    pub start: usize,
    /// Byte offset in the input where the evidence ends (a char boundary, exclusive).
    pub end: usize,
}

/// Finds the contacts in `text`.
///
/// `default_region`: ISO 3166 alpha-2 (e.g. `"PH"`) used for numbers written
/// without a country code; `None` (or an unknown code) means only numbers with
/// `+` or `00` and a country code are accepted. Chat apps add fallbacks that
/// follow their conventions: a number given for Zalo is also tried as
/// Vietnamese, one given for WeChat as Chinese, and one given for any chat app
/// as an international number written without its `+` (`WhatsApp 63917…`).
///
/// Identical (kind, value) pairs are reported once, at their first position;
/// the result is sorted by start offset.
pub fn find_entities(text: &str, default_region: Option<&str>) -> Vec<Entity> {
    let mut ex = Extractor::new(text, parse_region(default_region));
    ex.messaging_links();
    ex.urls();
    ex.emails();
    ex.collect_cues();
    ex.cue_ids();
    ex.handles();
    ex.phones();
    ex.finish()
}

fn parse_region(region: Option<&str>) -> Option<Region> {
    region?.trim().to_ascii_uppercase().parse().ok()
}

/// The state shared by the passes of [`find_entities`] (one file each): the
/// text, what has been found, and the spans no later pass may read again.
struct Extractor<'t> {
    text: &'t str,
    region: Option<Region>,
    found: Vec<Entity>,
    /// Spans of links, URLs and e-mail addresses: nothing else is read inside them.
    claimed: Vec<(usize, usize)>,
    /// Spans of chat links, which suppress a URL entity for the same link.
    link_spans: Vec<(usize, usize)>,
    cues: Vec<Cue>,
}

impl<'t> Extractor<'t> {
    fn new(text: &'t str, region: Option<Region>) -> Self {
        Extractor {
            text,
            region,
            found: Vec::new(),
            claimed: Vec::new(),
            link_spans: Vec::new(),
            cues: Vec::new(),
        }
    }

    fn push(&mut self, kind: EntityKind, value: String, start: usize, end: usize) {
        if !value.is_empty() && start < end {
            self.found.push(Entity {
                kind,
                value,
                start,
                end,
            });
        }
    }

    fn is_claimed(&self, start: usize, end: usize) -> bool {
        self.claimed
            .iter()
            .any(|&span| overlaps(span, (start, end)))
    }

    fn finish(self) -> Vec<Entity> {
        let mut found = self.found;
        found.sort_by_key(|e| (e.start, e.end, e.kind));
        let mut seen = HashSet::new();
        found.retain(|e| seen.insert((e.kind, e.value.clone())));
        found
    }
}

/// The byte spans `a` and `b` share at least one byte.
fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntityKind::*;

    pub(super) fn find(text: &str, region: Option<&str>) -> Vec<(EntityKind, String)> {
        find_entities(text, region)
            .into_iter()
            .map(|e| (e.kind, e.value))
            .collect()
    }

    pub(super) fn evidence<'a>(text: &'a str, region: Option<&str>) -> Vec<&'a str> {
        find_entities(text, region)
            .into_iter()
            .map(|e| &text[e.start..e.end])
            .collect()
    }

    pub(super) fn one(kind: EntityKind, value: &str) -> Vec<(EntityKind, String)> {
        vec![(kind, value.to_string())]
    }

    #[test]
    fn dedup_keeps_first_and_sorts() {
        let ad = "WA wa.me/639171234567 Telegram: @JobsPH, t.me/jobsph, +63 917 123 4567";
        let found = find_entities(ad, None);
        let kinds: Vec<_> = found.iter().map(|e| (e.kind, e.value.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                (Whatsapp, "+639171234567"),
                (Telegram, "@jobsph"),
                (Phone, "+639171234567")
            ]
        );
        assert!(found.windows(2).all(|w| w[0].start <= w[1].start));
        assert_eq!(&ad[found[1].start..found[1].end], "@JobsPH");
    }

    #[test]
    fn unknown_region_is_none() {
        assert!(find("Call 0917 123 4567", Some("XX")).is_empty());
    }

    #[test]
    fn kind_helpers() {
        assert!(Telegram.is_messaging() && Zalo.is_messaging());
        assert!(!Phone.is_messaging() && !Email.is_messaging() && !Url.is_messaging());
        assert_eq!(Telegram.label(), "Telegram");
        assert_eq!(Phone.label(), "phone number");
        assert!(EntityKind::ALL.iter().all(|k| !k.label().is_empty()));
        fn serde_both<T: serde::Serialize + serde::de::DeserializeOwned>() {}
        serde_both::<Entity>();
        serde_both::<EntityKind>();
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn region() -> impl Strategy<Value = Option<&'static str>> {
            prop::sample::select(vec![
                None,
                Some("PH"),
                Some("VN"),
                Some("TH"),
                Some("CN"),
                Some("XX"),
            ])
        }

        /// Text built from the pieces the extractor reacts to.
        fn adlike() -> impl Strategy<Value = String> {
            let pieces = prop::sample::select(vec![
                "0",
                "9",
                "17",
                "123",
                "4567",
                "+",
                "00",
                " ",
                "-",
                ".",
                "(",
                ")",
                "@",
                "at",
                "[at]",
                "[dot]",
                "com",
                "t.me/",
                "wa.me/",
                "https://",
                "www.",
                "/",
                ":",
                "：",
                "Telegram",
                "WA",
                "微信",
                "飞机",
                "ไลน์",
                "Line ID",
                "Zalo",
                "카톡",
                "salary",
                "₱",
                "jobs_ph",
                "x",
                "é",
                "０",
                "９",
                "๐",
                "\n",
                "😀",
                "加V",
                "tg",
                "?",
                "#",
            ]);
            prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
        }

        fn check(text: &str, region: Option<&str>) -> Result<(), TestCaseError> {
            for e in find_entities(text, region) {
                prop_assert!(e.start < e.end && e.end <= text.len(), "{e:?}");
                prop_assert!(text.is_char_boundary(e.start) && text.is_char_boundary(e.end));
                prop_assert!(!e.value.is_empty(), "{e:?}");
                if e.kind == EntityKind::Phone {
                    prop_assert!(e.value.starts_with('+'), "{e:?}");
                    prop_assert!(e.value[1..].bytes().all(|b| b.is_ascii_digit()), "{e:?}");
                }
            }
            Ok(())
        }

        /// `0917 123 4567` written with random separators, maybe full-width,
        /// maybe as `+63 917…`, between cue-ish words.
        fn formatted_number() -> impl Strategy<Value = String> {
            let seps =
                prop::collection::vec(prop::sample::select(vec!["", "", " ", "-", "  "]), 11);
            let around = (
                prop::sample::select(vec!["", "Tel: ", "Call ", "📞 ", "Tumawag sa ", "电话："]),
                prop::sample::select(vec!["", ".", " now", "!", "，谢谢", " (Viber)"]),
            );
            (seps, any::<bool>(), any::<bool>(), around).prop_map(
                |(seps, international, full_width, (before, after))| {
                    let digits = if international {
                        "+639171234567"
                    } else {
                        "09171234567"
                    };
                    let mut number = String::new();
                    for (i, c) in digits.chars().enumerate() {
                        number.push(match c.to_digit(10) {
                            Some(d) if full_width => char::from_u32(0xFF10 + d).unwrap_or(c),
                            _ => c,
                        });
                        if i + 1 < digits.len() && c != '+' {
                            number.push_str(seps[i.min(10)]);
                        }
                    }
                    format!("{before}{number}{after}")
                },
            )
        }

        proptest! {
            #[test]
            fn formatting_does_not_change_the_value(text in formatted_number()) {
                let found = find(&text, Some("PH"));
                prop_assert!(
                    found.contains(&(Phone, "+639171234567".to_string())),
                    "{text}: {found:?}"
                );
            }

            #[test]
            fn offsets_are_valid_for_any_text(text in any::<String>(), region in region()) {
                let found = find_entities(&text, region);
                for e in &found {
                    prop_assert!(e.start < e.end && e.end <= text.len());
                    prop_assert!(text.is_char_boundary(e.start) && text.is_char_boundary(e.end));
                }
                prop_assert!(found.windows(2).all(|w| w[0].start <= w[1].start));
            }

            #[test]
            fn values_are_well_formed(text in adlike(), region in region()) {
                check(&text, region)?;
            }

            #[test]
            fn values_are_well_formed_for_any_text(text in any::<String>(), region in region()) {
                check(&text, region)?;
            }
        }
    }
}
