//! Derived signals: red flags that no phrase shows, computed from salaries, contacts and what
//! the ad leaves out.
//!
//! - `pay_far_above_norm`: the pay, in USD a month, divided by the usual entry-level pay where
//!   the worker comes from and where the job is (from `models/money.toml`; the highest norm of
//!   the ad's region, the pay currency's country and the countries it names). Lures offer several
//!   times the norm for easy work. When the ad shows no sign of entry-level or lure-type work, the
//!   norm is multiplied by the rule's `skilled_multiplier`, since skilled work pays more.
//! - `messaging_only_contact`: the only ways to reach the recruiter are chat apps or phone
//!   numbers; no company email, website or registered address.
//! - `no_employer_named`: no company is named and nothing registers one.
//!
//! Each signal is a rule in `models/redflags.toml` with `derived = "<name>"`, which carries its
//! weight, explanation and parameters; a rule file without it turns the signal off.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use serde::Serialize;
use unicode_script::{Script, UnicodeScript};

use super::entities::EntityKind;
use super::normalize::normalize;
use super::rules::RuleSet;
use super::salary::MoneyTable;
use super::{Features, Flag, FoundSalary};
use crate::ad::{Ad, Field};

/// Rules whose firing names a scam-hub destination.
const DESTINATION_RULES: &[&str] = &["hub_place", "hub_country", "border_transit"];
/// The market whose pay norm stands for "the hub" (Cambodia, Myanmar, Laos).
const HUB_MARKET: &str = "KH";
/// Rules whose firing says the job is entry-level or a typical lure role.
const ENTRY_LEVEL_RULES: &[&str] = &[
    "lure_title",
    "lure_title_gaming_crypto",
    "no_experience",
    "typing_only",
    "easy_money",
];
/// Rules that show a company can be checked.
const EMPLOYER_RULES: &[&str] = &["registered_employer", "licensed_agency"];
/// Every rule id the derived signals read; `lurewatch rules check` verifies they exist.
pub const REFERENCED_RULES: &[&[&str]] = &[DESTINATION_RULES, ENTRY_LEVEL_RULES, EMPLOYER_RULES];

/// Currencies used across many markets: they say nothing of where the worker is from or goes.
const RESERVE_CURRENCIES: &[&str] = &["USD", "USDT"];
/// Markets of the scam-hub countries.
const HUB_MARKETS: &[&str] = &["KH", "MM", "LA"];

/// Countries an ad may send a worker to, by their names in the project's languages, with the
/// market whose pay norm applies. Names are normalised before use; Latin names match whole
/// words only.
const DESTINATIONS: &[(&str, &[&str])] = &[
    (
        "KH",
        &[
            "cambodia",
            "campuchia",
            "kamboja",
            "kemboja",
            "camboya",
            "camboja",
            "柬埔寨",
            "캄보디아",
            "カンボジア",
            "กัมพูชา",
            "कंबोडिया",
            "कम्बोडिया",
        ],
    ),
    (
        "MM",
        &[
            "myanmar",
            "burma",
            "mien dien",
            "缅甸",
            "緬甸",
            "미얀마",
            "ミャンマー",
            "เมียนมา",
            "พม่า",
            "म्यांमार",
        ],
    ),
    (
        "LA",
        &[
            "laos",
            "lao pdr",
            "老挝",
            "寮國",
            "라오스",
            "ラオス",
            "ประเทศลาว",
            "लाओस",
        ],
    ),
    (
        "JP",
        &[
            "japan",
            "japon",
            "japao",
            "jepang",
            "nhat ban",
            "日本",
            "일본",
            "ญี่ปุ่น",
            "जापान",
        ],
    ),
    (
        "KR",
        &[
            "korea",
            "han quoc",
            "韩国",
            "韓國",
            "韓国",
            "한국",
            "เกาหลี",
            "कोरिया",
        ],
    ),
    (
        "TW",
        &[
            "taiwan",
            "dai loan",
            "台湾",
            "臺灣",
            "台灣",
            "대만",
            "ไต้หวัน",
        ],
    ),
    (
        "EU",
        &[
            "germany",
            "deutschland",
            "alemanha",
            "alemania",
            "jerman",
            "ujerumani",
            "ドイツ",
            "德国",
            "德國",
            "독일",
            "जर्मनी",
            "poland",
            "polandia",
            "portugal",
            "italy",
            "italia",
            "netherlands",
            "belanda",
            "croatia",
            "romania",
            "france",
            "prancis",
        ],
    ),
    (
        "GB",
        &[
            "united kingdom",
            "britain",
            "england",
            "inggris",
            "uingereza",
            "ब्रिटेन",
            "英国",
            "英國",
            "영국",
            "イギリス",
        ],
    ),
    (
        "AE",
        &[
            "dubai",
            "uae",
            "emirates",
            "abu dhabi",
            "迪拜",
            "두바이",
            "ドバイ",
            "ดูไบ",
            "दुबई",
        ],
    ),
    ("SA", &["saudi", "riyadh", "jeddah", "沙特", "사우디"]),
    ("QA", &["qatar", "doha", "卡塔尔"]),
    (
        "SG",
        &[
            "singapore",
            "新加坡",
            "싱가포르",
            "シンガポール",
            "สิงคโปร์",
            "सिंगापुर",
        ],
    ),
    (
        "AU",
        &[
            "australia",
            "澳大利亚",
            "澳洲",
            "호주",
            "オーストラリア",
            "ออสเตรเลีย",
            "ऑस्ट्रेलिया",
        ],
    ),
    (
        "NZ",
        &[
            "new zealand",
            "selandia baru",
            "新西兰",
            "뉴질랜드",
            "ニュージーランド",
        ],
    ),
    (
        "CA",
        &[
            "canada",
            "kanada",
            "加拿大",
            "캐나다",
            "カナダ",
            "แคนาดา",
            "कनाडा",
        ],
    ),
    ("IL", &["israel", "以色列", "이스라엘"]),
    (
        "TH",
        &[
            "thailand",
            "tailandia",
            "thai lan",
            "泰国",
            "泰國",
            "태국",
            "ประเทศไทย",
            "थाईलैंड",
        ],
    ),
    (
        "MY",
        &[
            "malaysia",
            "马来西亚",
            "馬來西亞",
            "말레이시아",
            "マレーシア",
            "มาเลเซีย",
            "मलेशिया",
        ],
    ),
    (
        "PH",
        &[
            "philippines",
            "filipinas",
            "菲律宾",
            "필리핀",
            "フィリピン",
            "ฟิลิปปินส์",
        ],
    ),
];

/// Normalised destination names and their markets, with one automaton to find them all.
static DESTINATION_NAMES: LazyLock<(AhoCorasick, Vec<(&'static str, bool)>)> =
    LazyLock::new(|| {
        let (names, markets): (Vec<String>, Vec<(&'static str, bool)>) = DESTINATIONS
            .iter()
            .flat_map(|(market, names)| {
                names.iter().map(move |n| {
                    let name = normalize(n).as_str().to_string();
                    let ascii = name.is_ascii();
                    (name, (*market, ascii))
                })
            })
            .unzip();
        let automaton = AhoCorasick::new(&names).expect("destination names build an automaton");
        (automaton, markets)
    });

/// Markets of the countries named in the (normalised) texts, in order of first mention. Latin
/// names count only as whole words.
pub fn destinations<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<&'static str> {
    let (automaton, markets) = &*DESTINATION_NAMES;
    let mut found = Vec::new();
    for text in texts {
        for m in automaton.find_overlapping_iter(text) {
            let (market, ascii) = markets[m.pattern().as_usize()];
            let whole_word = !text[..m.start()]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
                && !text[m.end()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric);
            if (!ascii || whole_word) && !found.contains(&market) {
                found.push(market);
            }
        }
    }
    found
}

/// The currency a bare amount after a salary word is in: that of the one non-hub country named
/// as a destination (a Japanese job paid in `¥` is paid in yen), or else that of the region.
pub fn default_currency(region: Option<&str>, destinations: &[&str]) -> Option<&'static str> {
    let abroad: Vec<&&str> = destinations
        .iter()
        .filter(|m| !HUB_MARKETS.contains(m))
        .collect();
    match abroad.as_slice() {
        [one] if Some(**one) != region => local_currency(one),
        _ => region.and_then(local_currency),
    }
}
/// Free webmail domains: an address there is a personal account, not a company's.
const WEBMAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.id",
    "yahoo.com.ph",
    "ymail.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "mail.com",
    "qq.com",
    "163.com",
    "126.com",
    "sina.com",
    "naver.com",
    "daum.net",
    "hanmail.net",
    "yandex.com",
    "mail.ru",
    "rediffmail.com",
];
/// Sites where a link is a personal page, not a company's.
const SOCIAL_DOMAINS: &[&str] = &[
    "facebook.com",
    "fb.com",
    "m.facebook.com",
    "instagram.com",
    "tiktok.com",
    "x.com",
    "twitter.com",
    "t.me",
    "telegram.me",
    "wa.me",
    "whatsapp.com",
    "line.me",
    "lin.ee",
    "zalo.me",
    "kakao.com",
    "weixin.qq.com",
    "linktr.ee",
    "bit.ly",
    "tinyurl.com",
];

/// How the pay offered compares with the usual pay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayComparison {
    /// The highest pay offered, in USD a month.
    pub usd_per_month: f64,
    /// The norm it is compared with, in USD a month (after the skilled-work multiplier).
    pub norm_usd_per_month: f64,
    /// `usd_per_month / norm_usd_per_month`.
    pub ratio: f64,
    /// The markets whose norms were considered (ISO country codes).
    pub markets: Vec<String>,
}

/// The country an ad most likely targets, from its `language` tag or, failing that, its script.
pub fn region_hint(ad: &Ad) -> Option<&'static str> {
    if let Some(tag) = ad.language.as_deref() {
        if let Some(region) = region_of_language_tag(tag) {
            return Some(region);
        }
    }
    region_of_script(&ad.text)
}

fn region_of_language_tag(tag: &str) -> Option<&'static str> {
    let mut parts = tag.split(['-', '_']);
    let language = parts.next()?.to_ascii_lowercase();
    let rest: Vec<String> = parts.map(|p| p.to_ascii_uppercase()).collect();
    if let Some(region) = rest.iter().find(|p| p.len() == 2) {
        if let Some(known) = KNOWN_REGIONS.iter().find(|r| **r == region.as_str()) {
            return Some(known);
        }
    }
    Some(match language.as_str() {
        "th" => "TH",
        "vi" => "VN",
        "id" | "in" => "ID",
        "ms" => "MY",
        "tl" | "fil" => "PH",
        "km" => "KH",
        "my" => "MM",
        "lo" => "LA",
        "zh" if rest.iter().any(|p| p == "HANT") => "TW",
        "zh" => "CN",
        "ko" => "KR",
        "ja" => "JP",
        "hi" => "IN",
        "sw" => "KE",
        "pt" => "BR",
        "es" => "MX",
        _ => return None,
    })
}

/// Regions a language tag may name and that [`local_currency`] knows.
const KNOWN_REGIONS: &[&str] = &[
    "TH", "VN", "ID", "MY", "PH", "KH", "MM", "LA", "CN", "TW", "HK", "MO", "KR", "JP", "IN", "KE",
    "TZ", "UG", "NG", "GH", "BR", "PT", "MX", "PE", "CO", "ES", "AR", "CL", "LK", "BD", "NP", "PK",
    "SG", "AE", "US", "GB",
];

fn region_of_script(text: &str) -> Option<&'static str> {
    let script = text
        .chars()
        .filter(|c| c.is_alphabetic())
        .map(|c| c.script())
        .find(|s| !matches!(s, Script::Common | Script::Inherited | Script::Latin))?;
    Some(match script {
        Script::Thai => "TH",
        Script::Khmer => "KH",
        Script::Myanmar => "MM",
        Script::Lao => "LA",
        Script::Hangul => "KR",
        Script::Hiragana | Script::Katakana => "JP",
        Script::Devanagari => "IN",
        _ => return None,
    })
}

/// The currency of a region, for bare numbers after a salary word.
pub fn local_currency(region: &str) -> Option<&'static str> {
    Some(match region {
        "TH" => "THB",
        "VN" => "VND",
        "ID" => "IDR",
        "MY" => "MYR",
        "PH" => "PHP",
        "KH" => "USD",
        "MM" => "MMK",
        "LA" => "LAK",
        "CN" => "CNY",
        "TW" => "TWD",
        "HK" => "HKD",
        "MO" => "MOP",
        "KR" => "KRW",
        "JP" => "JPY",
        "IN" => "INR",
        "KE" => "KES",
        "TZ" => "TZS",
        "UG" => "UGX",
        "NG" => "NGN",
        "GH" => "GHS",
        "BR" => "BRL",
        "PT" | "ES" => "EUR",
        "MX" => "MXN",
        "PE" => "PEN",
        "CO" => "COP",
        "AR" => "ARS",
        "CL" => "CLP",
        "LK" => "LKR",
        "BD" => "BDT",
        "NP" => "NPR",
        "PK" => "PKR",
        "SG" => "SGD",
        "AE" => "AED",
        "SA" => "SAR",
        "QA" => "QAR",
        "AU" => "AUD",
        "NZ" => "NZD",
        "CA" => "CAD",
        "EU" => "EUR",
        "US" => "USD",
        "GB" => "GBP",
        _ => return None,
    })
}

/// Adds the derived flags the rule set asks for to `features`.
pub fn add_derived(ad: &Ad, rules: &RuleSet, money: &MoneyTable, features: &mut Features) {
    if let Some(index) = rules.derived("pay_far_above_norm") {
        let rule = &rules.rules()[index];
        let ratio_limit = rule.params.get("ratio").copied().unwrap_or(2.5);
        let skilled = rule
            .params
            .get("skilled_multiplier")
            .copied()
            .unwrap_or(3.0);
        if let Some((pay, salary)) = compare_pay(ad, money, features, skilled) {
            if pay.ratio >= ratio_limit {
                let detail = format!(
                    "About {} USD a month, {:.1} times the usual {} USD ({})",
                    round_money(pay.usd_per_month),
                    pay.ratio,
                    round_money(pay.norm_usd_per_month),
                    pay.markets.join(", ")
                );
                let flag = derived_flag(rules, index, salary.field, salary, detail);
                features.flags.push(flag);
            }
            features.pay = Some(pay);
        }
    }
    if let Some(index) = rules.derived("messaging_only_contact") {
        if let Some(first) = messaging_only(features) {
            let flag = Flag {
                id: rules.rules()[index].id.clone(),
                label: rules.rules()[index].label.clone(),
                polarity: rules.rules()[index].polarity,
                field: first.field,
                evidence: first.raw.clone(),
                start: first.entity.start,
                end: first.entity.end,
                detail: Some(format!(
                    "Only chat apps or phone numbers to reach the recruiter (first: {})",
                    first.entity.kind.label()
                )),
            };
            features.flags.push(flag);
        }
    }
    if let Some(index) = rules.derived("no_employer_named") {
        let named =
            ad.field(Field::Company).is_some() || EMPLOYER_RULES.iter().any(|id| features.has(id));
        if !named {
            let rule = &rules.rules()[index];
            features.flags.push(Flag {
                id: rule.id.clone(),
                label: rule.label.clone(),
                polarity: rule.polarity,
                field: Field::Company,
                evidence: String::new(),
                start: 0,
                end: 0,
                detail: Some("No company name, registration or licence in the ad".into()),
            });
        }
    }
}

fn derived_flag(
    rules: &RuleSet,
    index: usize,
    field: Field,
    salary: &FoundSalary,
    detail: String,
) -> Flag {
    let rule = &rules.rules()[index];
    Flag {
        id: rule.id.clone(),
        label: rule.label.clone(),
        polarity: rule.polarity,
        field,
        evidence: salary.raw.clone(),
        start: salary.salary.start,
        end: salary.salary.end,
        detail: Some(detail),
    }
}

fn round_money(x: f64) -> String {
    let rounded = if x >= 1000.0 {
        (x / 50.0).round() * 50.0
    } else {
        (x / 10.0).round() * 10.0
    };
    format!("{rounded:.0}")
}

/// Compares the highest pay offered with the norms of the markets the ad involves.
fn compare_pay<'a>(
    ad: &Ad,
    money: &MoneyTable,
    features: &'a Features,
    skilled_multiplier: f64,
) -> Option<(PayComparison, &'a FoundSalary)> {
    let best = features
        .salaries
        .iter()
        .filter(|s| s.salary.usd_per_month_max.is_finite() && s.salary.usd_per_month_max > 0.0)
        .max_by(|a, b| {
            a.salary
                .usd_per_month_max
                .total_cmp(&b.salary.usd_per_month_max)
        })?;
    let mut markets: Vec<String> = Vec::new();
    let mut add = |m: &str| {
        if !markets.iter().any(|x| x == m) {
            markets.push(m.to_string());
        }
    };
    let currency = best.salary.currency.as_str();
    if !RESERVE_CURRENCIES.contains(&currency) {
        if let Some(m) = money.currency_market(currency) {
            add(m);
        }
    }
    if let Some(region) = region_hint(ad) {
        add(region);
    }
    for market in &features.destinations {
        add(market);
    }
    if DESTINATION_RULES.iter().any(|id| features.has(id)) {
        add(HUB_MARKET);
    }
    let norm = markets
        .iter()
        .filter_map(|m| money.entry_monthly_usd(m))
        .fold(None, |acc: Option<f64>, x| {
            Some(acc.map_or(x, |a| a.max(x)))
        })?;
    let entry_level = ENTRY_LEVEL_RULES.iter().any(|id| features.has(id));
    let norm = if entry_level {
        norm
    } else {
        norm * skilled_multiplier
    };
    let usd = best.salary.usd_per_month_max;
    Some((
        PayComparison {
            usd_per_month: usd,
            norm_usd_per_month: norm,
            ratio: usd / norm,
            markets,
        },
        best,
    ))
}

/// Whether an email address is at a free webmail provider (a personal account).
pub fn is_webmail(email: &str) -> bool {
    let domain = email.rsplit('@').next().unwrap_or("");
    WEBMAIL_DOMAINS.contains(&domain)
}

/// The first chat-app or phone contact, if every contact in the ad is one.
fn messaging_only(features: &Features) -> Option<&super::FoundEntity> {
    let mut first = None;
    for found in &features.entities {
        let kind = found.entity.kind;
        let personal = match kind {
            EntityKind::Phone => true,
            k if k.is_messaging() => true,
            EntityKind::Email => {
                if !is_webmail(&found.entity.value) {
                    return None;
                }
                false
            }
            EntityKind::Url => {
                if !is_social_url(&found.entity.value) {
                    return None;
                }
                false
            }
            _ => false,
        };
        if personal && first.is_none() {
            first = Some(found);
        }
    }
    if EMPLOYER_RULES.iter().any(|id| features.has(id)) {
        return None;
    }
    first
}

/// Whether a URL points to a social network or chat app rather than a company site.
pub fn is_social_url(url: &str) -> bool {
    let host = url
        .split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', '?', ':'])
        .next()
        .unwrap_or("");
    let host = host.strip_prefix("www.").unwrap_or(host);
    SOCIAL_DOMAINS
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_come_from_language_tags_then_script() {
        let ad = |lang: Option<&str>, text: &str| Ad {
            language: lang.map(str::to_string),
            text: text.to_string(),
            ..Ad::default()
        };
        assert_eq!(region_hint(&ad(Some("th"), "")), Some("TH"));
        assert_eq!(region_hint(&ad(Some("pt-PT"), "")), Some("PT"));
        assert_eq!(region_hint(&ad(Some("zh-Hant"), "")), Some("TW"));
        assert_eq!(region_hint(&ad(Some("en"), "งานดี")), Some("TH"));
        assert_eq!(region_hint(&ad(None, "Hello")), None);
    }

    #[test]
    fn social_urls_are_told_from_company_sites() {
        assert!(is_social_url("https://www.facebook.com/jobs123"));
        assert!(is_social_url("https://t.me/hr_desk"));
        assert!(!is_social_url("https://careers.example.com/apply"));
    }

    #[test]
    fn money_is_rounded_for_reading() {
        assert_eq!(round_money(1523.0), "1500");
        assert_eq!(round_money(247.0), "250");
    }
}
