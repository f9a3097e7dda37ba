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
//! The module depends only on `phonenumber`, `regex`, `serde` and
//! `unicode-normalization`; all regexes are compiled once.

use std::cmp::Reverse;
use std::collections::HashSet;
use std::sync::LazyLock;

use phonenumber::Mode;
use phonenumber::country::Id as Region;
use regex::{Captures, Regex};
use unicode_normalization::UnicodeNormalization;

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

// ---------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------

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

static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:https?://|www\.)[a-z0-9._~:/?#\[\]@!$&()*+,;=%-]+").expect("url regex")
});

const EMAIL_AT: &str = r"(?:[ \t]*[\[({<][ \t]*(?:at|@)[ \t]*[\])}>][ \t]*|[@＠])";
const EMAIL_DOT: &str = r"(?:[ \t]*[\[({<][ \t]*(?:dot|\.)[ \t]*[\])}>][ \t]*|\.)";

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    let label = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
    Regex::new(&format!(
        r"(?i)[a-z0-9._%+-]+{EMAIL_AT}{label}(?:{EMAIL_DOT}{label})*{EMAIL_DOT}[a-z]{{2,24}}"
    ))
    .expect("email regex")
});

static EMAIL_AT_OBFUSCATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("(?i){EMAIL_AT}")).expect("email at regex"));
static EMAIL_DOT_OBFUSCATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("(?i){EMAIL_DOT}")).expect("email dot regex"));

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

/// What a cue word announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CueKind {
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

/// Currency symbols and codes that mark the number after them as money (`|`-separated).
const CURRENCY_BEFORE: &str = "$|€|£|¥|₱|₫|฿|₹|₩|₦|₭|៛|円|元|php|usd|us$|rm|rp|idr|thb|vnd|myr|kes|ksh|kshs|tzs|tsh|ugx|rmb|cny|eur|sgd|hkd|mmk|khr|lak|inr|aed|usdt";

/// Currency words and units that mark the number before them as money (`|`-separated).
const CURRENCY_AFTER: &str = "usd|us$|$|php|pesos|peso|dollars|dollar|rmb|元|块|万|萬|千|k|triệu|trieu|tr|đ|vnd|vnđ|juta|jt|rb|ribu|rp|idr|baht|บาท|thb|myr|rm|ksh|kes|shillings|shilling|tzs|ugx|/month|/mo|per month|a month|monthly|%|円|원|만원|yen|eur|€|sgd|mmk|kyat|khr|riel|usdt|bulan|mes|tháng";

/// Words that join two cues into one group ("WhatsApp or Telegram: ..."; `|`-separated).
const JOINER_WORDS: &str = "or|and|o|y|atau|dan|và|hoặc|na|au|或|หรือ|และ";

/// Punctuation that may stand between a cue and its contact.
const CONNECTORS: &str = ":：-–—=>→»•·|/()（）[]【】「」#*~\u{FE0F}📞☎📱✆👉";

/// Telegram paths that are not usernames (`|`-separated).
const TELEGRAM_RESERVED: &str = "joinchat|addstickers|addemoji|addtheme|addlist|share|proxy|socks|setlanguage|confirmphone|login|boost|contact|invoice";

// ---------------------------------------------------------------------------
// Extractor
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
struct Cue {
    start: usize,
    end: usize,
    kind: CueKind,
    /// The cue is written in ASCII (and so may be an ordinary English word).
    ascii: bool,
}

/// A maximal run of digits of a phone candidate.
#[derive(Debug)]
struct Group {
    digits: String,
    start: usize,
    end: usize,
    /// Offset of a `+` right before the group.
    plus_at: Option<usize>,
    /// The separator characters between the previous group and this one.
    sep: String,
    /// Part of a thousands-grouped amount such as `8.000.000`.
    in_amount: bool,
}

/// A phone number found in a run of digit groups.
struct PhoneHit {
    kinds: Vec<EntityKind>,
    value: String,
    start: usize,
    end: usize,
}

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

/// What the text before a phone candidate says about it.
enum Before {
    Nothing,
    Kinds(Vec<EntityKind>),
    Veto,
}

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

    // -- links, URLs, e-mail -------------------------------------------------

    fn messaging_links(&mut self) {
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

    fn urls(&mut self) {
        for m in URL.find_iter(self.text) {
            let raw = trim_url(m.as_str());
            let span = (m.start(), m.start() + raw.len());
            if raw.is_empty() {
                continue;
            }
            self.claimed.push(span);
            if self.overlaps_link(span) {
                continue; // already reported as a chat link
            }
            if let Some(value) = normalise_url(raw) {
                self.push(EntityKind::Url, value, span.0, span.1);
            }
        }
    }

    fn overlaps_link(&self, span: (usize, usize)) -> bool {
        self.link_spans.iter().any(|&s| overlaps(s, span))
    }

    fn emails(&mut self) {
        for m in EMAIL.find_iter(self.text) {
            let lead = m.as_str().len() - m.as_str().trim_start_matches('.').len();
            let (start, end) = (m.start() + lead, m.end());
            if let Some(value) = normalise_email(&self.text[start..end]) {
                self.claimed.push((start, end));
                self.push(EntityKind::Email, value, start, end);
            }
        }
    }

    // -- cues ----------------------------------------------------------------

    fn collect_cues(&mut self) {
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
    fn group_back(&self, idx: usize) -> Vec<EntityKind> {
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
    fn context_before(&self, pos: usize) -> Before {
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
    fn context_after(&self, pos: usize) -> Vec<EntityKind> {
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

    // -- ids after cues and @handles -----------------------------------------

    /// Ids written right after a cue: `TG: name`, `微信：abc123`, `Line ID: xyz`.
    fn cue_ids(&mut self) {
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
    fn handles(&mut self) {
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

    // -- phone numbers -------------------------------------------------------

    fn phones(&mut self) {
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

// ---------------------------------------------------------------------------
// Phone helpers
// ---------------------------------------------------------------------------

/// Parses `digits` as a national number of `region`, or as an international
/// number (country code first) when `region` is `None`; E.164 if valid.
fn e164(region: Option<Region>, digits: &str) -> Option<String> {
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

/// Marks chains like `8.000.000`: a group of 1-3 digits followed by at least
/// two `.`-separated groups of exactly three.
fn mark_amounts(groups: &mut [Group]) {
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

/// The run is glued to a word before it (`ID123…`, `POEA-123…`).
fn glued_before(text: &str, start: usize) -> bool {
    let mut before = text[..start].chars().rev();
    match before.next() {
        Some(c) if c.is_ascii_alphanumeric() || c == '_' => true,
        Some('-') => before.next().is_some_and(|c| c.is_ascii_alphabetic()),
        _ => false,
    }
}

/// The run is glued to a word after it (`…456789-R`, `…4567abc`).
fn glued_after(text: &str, end: usize) -> bool {
    let mut after = text[end..].chars();
    match after.next() {
        Some(c) if c.is_ascii_alphanumeric() || c == '_' => true,
        Some('-') => after.next().is_some_and(|c| c.is_ascii_alphabetic()),
        _ => false,
    }
}

/// Dates, year lists, age ranges, clock times and thousands-grouped amounts.
fn not_a_phone_shape(w: &[Group]) -> bool {
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
fn is_money(text: &str, start: usize, end: usize) -> bool {
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

// ---------------------------------------------------------------------------
// Cue helpers
// ---------------------------------------------------------------------------

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

fn ceil_char_boundary(text: &str, mut idx: usize) -> usize {
    if idx >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(idx) {
        idx += 1;
    }
    idx
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

// ---------------------------------------------------------------------------
// Id normalisation
// ---------------------------------------------------------------------------

/// NFKC (full-width letters become ASCII) and ASCII lower case; `None` if the
/// result is not ASCII.
fn fold(raw: &str) -> Option<String> {
    let folded: String = raw.nfkc().collect();
    folded.is_ascii().then(|| folded.to_ascii_lowercase())
}

/// `@name` for a valid Telegram username (5-32 of `[a-z0-9_]`, starting with a letter).
fn telegram_username(raw: &str) -> Option<String> {
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
fn plain_id(raw: &str) -> Option<String> {
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
fn line_id(raw: &str, official: bool) -> Option<String> {
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

// ---------------------------------------------------------------------------
// Link normalisation
// ---------------------------------------------------------------------------

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

/// Drops trailing punctuation that ends the sentence rather than the URL.
fn trim_url(mut url: &str) -> &str {
    loop {
        let unbalanced = |open: char, close: char| {
            url.ends_with(close) && url.matches(close).count() > url.matches(open).count()
        };
        if url.ends_with(['.', ',', ';', ':', '!', '?', '\''])
            || unbalanced('(', ')')
            || unbalanced('[', ']')
        {
            url = &url[..url.len() - 1];
        } else {
            return url;
        }
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Scheme + lower-cased host (user info dropped) + path + query.
fn normalise_url(raw: &str) -> Option<String> {
    let (scheme, rest) = if let Some(rest) = strip_prefix_ignore_case(raw, "https://") {
        ("https", rest)
    } else if let Some(rest) = strip_prefix_ignore_case(raw, "http://") {
        ("http", rest)
    } else {
        ("https", raw)
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let host = authority.rsplit('@').next().unwrap_or_default();
    if !valid_host(host) {
        return None;
    }
    let host = host.to_ascii_lowercase().replacen(".:", ":", 1);
    let host = host.trim_end_matches('.');
    let tail = if tail == "/" { "" } else { tail };
    Some(format!("{scheme}://{host}{tail}"))
}

fn valid_host(host_port: &str) -> bool {
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, ""));
    let host = host.strip_suffix('.').unwrap_or(host);
    host.contains('.')
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && port.bytes().all(|b| b.is_ascii_digit())
}

/// Lower-cases and de-obfuscates an e-mail address.
fn normalise_email(raw: &str) -> Option<String> {
    let at = EMAIL_AT_OBFUSCATED.replace_all(raw, "@");
    let value = EMAIL_DOT_OBFUSCATED.replace_all(&at, ".").to_lowercase();
    let (local, domain) = value.split_once('@')?;
    let ok = !local.is_empty() && domain.contains('.') && !domain.contains('@');
    ok.then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntityKind::*;

    fn find(text: &str, region: Option<&str>) -> Vec<(EntityKind, String)> {
        find_entities(text, region)
            .into_iter()
            .map(|e| (e.kind, e.value))
            .collect()
    }

    fn evidence<'a>(text: &'a str, region: Option<&str>) -> Vec<&'a str> {
        find_entities(text, region)
            .into_iter()
            .map(|e| &text[e.start..e.end])
            .collect()
    }

    fn one(kind: EntityKind, value: &str) -> Vec<(EntityKind, String)> {
        vec![(kind, value.to_string())]
    }

    // -- phone numbers -------------------------------------------------------

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

    // -- Telegram ------------------------------------------------------------

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

    // -- WhatsApp ------------------------------------------------------------

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

    // -- LINE ----------------------------------------------------------------

    #[test]
    fn line_ids() {
        assert_eq!(find("Line ID: Thai_Jobs99", None), one(Line, "thai_jobs99"));
        assert_eq!(find("Line: @abc1234", None), one(Line, "@abc1234"));
        assert_eq!(find("สนใจแอดไลน์ @JobsBKK ด่วน", None), one(Line, "@jobsbkk"));
        assert_eq!(find("ไอดีไลน์: nong.job", None), one(Line, "nong.job"));
        assert!(find("in line with the law, apply now", None).is_empty());
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

    // -- WeChat --------------------------------------------------------------

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
    fn wechat_phone() {
        assert_eq!(
            find("微信 13812345678", None),
            one(Wechat, "+8613812345678")
        );
    }

    // -- Kakao, Zalo ---------------------------------------------------------

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

    // -- e-mail and URLs -----------------------------------------------------

    #[test]
    fn emails() {
        let ad = "Gửi CV về Tuyen.Dung@Example.COM.";
        assert_eq!(find(ad, None), one(Email, "tuyen.dung@example.com"));
        assert_eq!(evidence(ad, None), vec!["Tuyen.Dung@Example.COM"]);
        assert_eq!(
            find("hr [at] example [dot] com", None),
            one(Email, "hr@example.com")
        );
        assert_eq!(
            find("Kirim lamaran: rekrut(at)perusahaan.co.id", None),
            one(Email, "rekrut@perusahaan.co.id")
        );
        assert_eq!(
            find("邮箱jobs@example.cn联系", None),
            one(Email, "jobs@example.cn")
        );
    }

    #[test]
    fn urls() {
        let ad = "Apply: HTTPS://Jobs.Example.COM/Apply?id=7#top.";
        assert_eq!(
            find(ad, None),
            one(Url, "https://jobs.example.com/Apply?id=7")
        );
        assert_eq!(
            evidence(ad, None),
            vec!["HTTPS://Jobs.Example.COM/Apply?id=7#top"]
        );
        assert_eq!(
            find("(see www.Example.com/x)", None),
            one(Url, "https://www.example.com/x")
        );
        assert_eq!(
            find("http://example.com/ and http://example.com", None),
            one(Url, "http://example.com")
        );
        // Numbers inside URLs are not phone numbers.
        assert_eq!(
            find("https://example.com/ad/09171234567", Some("PH")),
            one(Url, "https://example.com/ad/09171234567")
        );
    }

    // -- general -------------------------------------------------------------

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
