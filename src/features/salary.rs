//! Salary mentions in job ads, and their conversion to US dollars per month.
//!
//! **Where this sits in the pipeline:** the *features* stage. After an ad has been
//! read and its language guessed, [`find_salaries`] pulls every pay figure out of
//! its text ("$1,500/month", "月薪3万", "15-20 triệu/tháng", "₱45k", ...) and
//! normalises each one to US dollars per month with the rates in
//! `models/money.toml` ([`MoneyTable`]). The scorer then compares those figures
//! with [`MoneyTable::entry_monthly_usd`] of the destination and origin markets
//! for the "pay far above norm" signal (`pay_anomalously_high`, REDFLAGS §4.1,
//! §9.4 and §11 item 4: lure offers cluster at US$700-4,000/month for entry
//! roles where genuine local pay is about US$150-800).
//!
//! **What counts as a mention.** A number counts only when a currency marker is
//! next to it (`$`, `USD`, `₱`, `RM`, `บาท`, `元`, `1500U`, ...), when its
//! multiplier belongs to one currency's language (`triệu`, `củ`, `juta`, `万`,
//! `만`, `หมื่น`, `lakh`, `LPA`, ...), or when a salary word stands right before
//! it (`Salary:`, `lương`, `gaji`, `sahod`, `月薪`, `底薪`, `급여`, ...; the
//! currency is then the caller's `default_currency`). Phone numbers, years,
//! dates, licence numbers, ages, "24/7", percentages and counts have none of
//! these and are left alone.
//!
//! **How.** The text is first folded (full-width and other-script digits to
//! ASCII, odd spaces and dashes to plain ones, Unicode NFC per character cluster)
//! while keeping a map back to the original byte offsets. Each digit run is then
//! parsed as a number (thousands separators `,` `.` `'` and space; a separator
//! followed by exactly three digits is a thousands separator, otherwise `,` or
//! `.` is a decimal mark), and small anchored regexes read what stands around
//! it: currency before, multiplier, currency after, a range's second half, the
//! pay period after, and a salary or period word before.
//!
//! This module depends on no other crate module.

use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, OnceLock};

use regex::Regex;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use Period::{Day, Hour, Month, Week, Year};

// ============================================================================
// Money table
// ============================================================================

const EMBEDDED_TABLE: &str = include_str!("../../models/money.toml");
const TABLE_FORMAT: i64 = 1;

/// Loaded rates and pay norms (`models/money.toml`).
#[derive(Debug, Clone)]
pub struct MoneyTable {
    version: String,
    as_of: String,
    note: String,
    currencies: BTreeMap<String, CurrencyEntry>,
    markets: BTreeMap<String, MarketEntry>,
}

#[derive(Debug, Clone)]
struct CurrencyEntry {
    usd: f64,
    market: String,
}

#[derive(Debug, Clone)]
struct MarketEntry {
    name: String,
    entry_monthly_usd: f64,
    source: String,
}

/// Why a money table could not be loaded; each variant names the offending key.
#[derive(Debug, thiserror::Error)]
pub enum MoneyTableError {
    /// The text is not TOML, or a field has the wrong type or is unknown.
    #[error("money table: {0}")]
    Toml(#[from] toml::de::Error),
    /// `format` is missing or is not the one this build reads.
    #[error("money table: `format` is {found:?}, this build reads format {expected}")]
    Format {
        /// The `format` found in the file, if any.
        found: Option<i64>,
        /// The format this build understands.
        expected: i64,
    },
    /// A top-level field (`version`, `as_of`, `note`, `market`) is empty.
    #[error("money table: field `{field}`: {problem}")]
    Field {
        /// Name of the field.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// A `[currency.XXX]` entry is wrong (bad key, rate or market).
    #[error("money table: currency `{code}`: {problem}")]
    Currency {
        /// The currency key, e.g. `PHP`.
        code: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A `[market.XX]` entry is wrong (bad key, name or pay norm).
    #[error("money table: market `{code}`: {problem}")]
    Market {
        /// The market key, e.g. `PH`.
        code: String,
        /// What is wrong with it.
        problem: String,
    },
}

#[derive(Deserialize)]
struct FormatProbe {
    format: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    format: i64,
    version: String,
    as_of: String,
    note: String,
    #[serde(default)]
    currency: BTreeMap<String, RawCurrency>,
    #[serde(default)]
    market: BTreeMap<String, RawMarket>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCurrency {
    usd: f64,
    market: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMarket {
    name: String,
    entry_monthly_usd: f64,
    source: String,
}

impl MoneyTable {
    /// The table shipped in `models/money.toml`, parsed once.
    ///
    /// Panics only if the shipped file is broken, which a unit test guards.
    pub fn embedded() -> &'static MoneyTable {
        static TABLE: OnceLock<MoneyTable> = OnceLock::new();
        TABLE.get_or_init(|| match MoneyTable::from_toml_str(EMBEDDED_TABLE) {
            Ok(table) => table,
            Err(e) => panic!("the shipped models/money.toml is broken: {e}"),
        })
    }

    /// Parses and validates a table in the `models/money.toml` format.
    ///
    /// Checks the format number, that every number is positive and finite, that
    /// keys look like currency (`PHP`, `USDT`) and market (`PH`) codes, and that
    /// every currency's market has an entry.
    pub fn from_toml_str(src: &str) -> Result<MoneyTable, MoneyTableError> {
        let probe: FormatProbe = toml::from_str(src)?;
        if probe.format != Some(TABLE_FORMAT) {
            return Err(MoneyTableError::Format {
                found: probe.format,
                expected: TABLE_FORMAT,
            });
        }
        let raw: RawTable = toml::from_str(src)?;
        debug_assert_eq!(raw.format, TABLE_FORMAT, "checked through FormatProbe");
        non_empty("version", &raw.version)?;
        non_empty("as_of", &raw.as_of)?;
        non_empty("note", &raw.note)?;
        if raw.market.is_empty() {
            return Err(MoneyTableError::Field {
                field: "market",
                problem: "no [market.XX] entries".into(),
            });
        }
        let mut markets = BTreeMap::new();
        for (code, m) in raw.market {
            let entry = check_market(&code, m)?;
            markets.insert(code, entry);
        }
        let mut currencies = BTreeMap::new();
        for (code, c) in raw.currency {
            let entry = check_currency(&code, c, &markets)?;
            currencies.insert(code, entry);
        }
        if !currencies.contains_key("USD") {
            return Err(MoneyTableError::Currency {
                code: "USD".into(),
                problem: "missing; it is the reference currency".into(),
            });
        }
        Ok(MoneyTable {
            version: raw.version,
            as_of: raw.as_of,
            note: raw.note,
            currencies,
            markets,
        })
    }

    /// The table's version, e.g. `2026.11.0`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// When the figures were taken (free text, e.g. `2025-Q4 (approximate)`).
    pub fn as_of(&self) -> &str {
        &self.as_of
    }

    /// The table's note on how approximate the figures are.
    pub fn note(&self) -> &str {
        &self.note
    }

    /// US dollars per 1 unit of `currency` (ISO 4217 code or `USDT`; any case).
    pub fn usd_rate(&self, currency: &str) -> Option<f64> {
        self.currencies.get(&table_key(currency)).map(|c| c.usd)
    }

    /// Home market code of `currency`, e.g. `"PHP"` -> `"PH"`.
    pub fn currency_market(&self, currency: &str) -> Option<&str> {
        self.currencies
            .get(&table_key(currency))
            .map(|c| c.market.as_str())
    }

    /// Typical entry-level monthly pay for office/service jobs in `market`, USD.
    pub fn entry_monthly_usd(&self, market: &str) -> Option<f64> {
        self.markets
            .get(&table_key(market))
            .map(|m| m.entry_monthly_usd)
    }

    /// Display name of `market`, e.g. `"PH"` -> `"Philippines"`.
    pub fn market_name(&self, market: &str) -> Option<&str> {
        self.markets
            .get(&table_key(market))
            .map(|m| m.name.as_str())
    }

    /// What `market`'s pay norm is based on (for explanations).
    pub fn market_source(&self, market: &str) -> Option<&str> {
        self.markets
            .get(&table_key(market))
            .map(|m| m.source.as_str())
    }
}

fn table_key(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

fn non_empty(field: &'static str, value: &str) -> Result<(), MoneyTableError> {
    if value.trim().is_empty() {
        return Err(MoneyTableError::Field {
            field,
            problem: "must not be empty".into(),
        });
    }
    Ok(())
}

fn positive(value: f64) -> Result<(), String> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(format!("must be a positive finite number, found {value}"))
    }
}

fn is_code(key: &str, lengths: std::ops::RangeInclusive<usize>) -> bool {
    lengths.contains(&key.len()) && key.bytes().all(|b| b.is_ascii_uppercase())
}

fn check_market(code: &str, m: RawMarket) -> Result<MarketEntry, MoneyTableError> {
    let err = |problem: String| MoneyTableError::Market {
        code: code.to_string(),
        problem,
    };
    if !is_code(code, 2..=2) {
        return Err(err("key must be two upper-case letters".into()));
    }
    if m.name.trim().is_empty() {
        return Err(err("`name` must not be empty".into()));
    }
    positive(m.entry_monthly_usd).map_err(|p| err(format!("`entry_monthly_usd` {p}")))?;
    Ok(MarketEntry {
        name: m.name,
        entry_monthly_usd: m.entry_monthly_usd,
        source: m.source,
    })
}

fn check_currency(
    code: &str,
    c: RawCurrency,
    markets: &BTreeMap<String, MarketEntry>,
) -> Result<CurrencyEntry, MoneyTableError> {
    let err = |problem: String| MoneyTableError::Currency {
        code: code.to_string(),
        problem,
    };
    if !is_code(code, 3..=4) {
        return Err(err("key must be 3-4 upper-case letters".into()));
    }
    positive(c.usd).map_err(|p| err(format!("`usd` {p}")))?;
    if !markets.contains_key(&c.market) {
        return Err(err(format!(
            "market `{}` has no [market.{}] entry",
            c.market, c.market
        )));
    }
    Ok(CurrencyEntry {
        usd: c.usd,
        market: c.market,
    })
}

// ============================================================================
// Public result types
// ============================================================================

/// The period a pay figure is given for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Per hour.
    Hour,
    /// Per day.
    Day,
    /// Per week.
    Week,
    /// Per month.
    Month,
    /// Per year.
    Year,
}

impl Period {
    /// How many of this period make a month of full-time work:
    /// hour x 173, day x 26, week x 4.33, month x 1, year / 12.
    pub fn per_month_factor(self) -> f64 {
        match self {
            Period::Hour => 173.0,
            Period::Day => 26.0,
            Period::Week => 4.33,
            Period::Month => 1.0,
            Period::Year => 1.0 / 12.0,
        }
    }
}

/// One pay figure found in a text by [`find_salaries`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Salary {
    /// Byte offset where the mention starts in the input text (a char boundary).
    pub start: usize,
    /// Byte offset just past the mention in the input text (a char boundary).
    pub end: usize,
    /// ISO 4217 code, or `"USDT"`.
    pub currency: String,
    /// Lower amount per period, in `currency`.
    pub min: f64,
    /// Upper amount per period, in `currency` (equal to `min` when not a range).
    pub max: f64,
    /// The pay period.
    pub period: Period,
    /// False when no period was written and a month was assumed.
    pub period_stated: bool,
    /// `min` in US dollars per month.
    pub usd_per_month_min: f64,
    /// `max` in US dollars per month.
    pub usd_per_month_max: f64,
}

/// Finds salary amounts in `text` and converts them with `table`.
///
/// `default_currency` is used only for a bare number right after a salary word
/// (salary/lương/gaji/sahod/月薪/底薪/급여...), e.g. "Salary: 25,000" in a Thai ad
/// -> THB; it also settles ambiguous markers when it fits them ("Rs" with
/// `PKR`, "元" with `TWD`, "pesos" with `MXN`). Mentions whose currency has no
/// rate in `table`, and figures under US$1 a month, are dropped. Results are in
/// text order and never overlap.
pub fn find_salaries(
    text: &str,
    table: &MoneyTable,
    default_currency: Option<&str>,
) -> Vec<Salary> {
    let folded = Folded::new(text);
    let scanner = Scanner::new(&folded.text, default_currency);
    let bytes = folded.text.as_bytes();
    let mut found = Vec::new();
    let mut pos = 0;
    let mut floor = 0;
    while let Some(offset) = bytes
        .get(pos..)
        .and_then(|rest| rest.iter().position(u8::is_ascii_digit))
    {
        let start = pos + offset;
        if start > 0 && bytes.get(start - 1).is_some_and(u8::is_ascii_digit) {
            pos = digit_run_end(bytes, start);
            continue;
        }
        match scanner.mention_at(start, floor) {
            Ok(mention) => {
                floor = mention.end;
                pos = mention.end.max(start + 1);
                if let Some(salary) = to_salary(&folded, table, mention) {
                    found.push(salary);
                }
            }
            Err(next) => pos = next.max(start + 1),
        }
    }
    found
}

fn to_salary(folded: &Folded, table: &MoneyTable, m: Mention) -> Option<Salary> {
    let (start, end) = folded.source_span(m.start, m.end)?;
    let rate = table.usd_rate(&m.currency)?;
    let factor = m.period.per_month_factor();
    let usd_per_month_min = m.min * rate * factor;
    let usd_per_month_max = m.max * rate * factor;
    let sane = [m.min, m.max, usd_per_month_min, usd_per_month_max]
        .iter()
        .all(|v| v.is_finite() && *v > 0.0);
    if !sane || usd_per_month_max < 1.0 {
        return None;
    }
    Some(Salary {
        start,
        end,
        currency: m.currency,
        min: m.min,
        max: m.max,
        period: m.period,
        period_stated: m.period_stated,
        usd_per_month_min,
        usd_per_month_max,
    })
}

// ============================================================================
// Text folding (keeps a map back to the caller's byte offsets)
// ============================================================================

/// The input with digits, spaces and dashes folded, plus the source span of
/// every folded byte.
struct Folded {
    text: String,
    src_start: Vec<usize>,
    src_end: Vec<usize>,
}

impl Folded {
    fn new(input: &str) -> Folded {
        let mut folded = Folded {
            text: String::with_capacity(input.len()),
            src_start: Vec::with_capacity(input.len()),
            src_end: Vec::with_capacity(input.len()),
        };
        let mut chars = input.char_indices().peekable();
        while let Some((start, first)) = chars.next() {
            let mut end = start + first.len_utf8();
            while let Some(&(i, c)) = chars.peek() {
                if !is_combining_mark(c) {
                    break;
                }
                end = i + c.len_utf8();
                chars.next();
            }
            if first.is_ascii() && end == start + 1 {
                folded.push(first, start, end);
                continue;
            }
            let cluster = input.get(start..end).unwrap_or_default();
            for c in cluster.nfc() {
                if let Some(c) = fold_char(c) {
                    folded.push(c, start, end);
                }
            }
        }
        folded
    }

    fn push(&mut self, c: char, start: usize, end: usize) {
        self.text.push(c);
        for _ in 0..c.len_utf8() {
            self.src_start.push(start);
            self.src_end.push(end);
        }
    }

    /// Maps a folded byte range back to the source text.
    fn source_span(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end {
            return None;
        }
        Some((*self.src_start.get(start)?, *self.src_end.get(end - 1)?))
    }
}

fn fold_char(c: char) -> Option<char> {
    let folded = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' => ' ',
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => return None,
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' => '-',
        '\u{301C}' | '\u{223C}' => '~',
        '\u{2018}' | '\u{2019}' | '\u{02BC}' => '\'',
        '\u{FFE0}' => '¢',
        '\u{FFE1}' => '£',
        '\u{FFE5}' => '¥',
        '\u{FFE6}' => '₩',
        '\u{FE69}' => '$',
        _ => fold_digit(c).unwrap_or(c),
    };
    Some(folded)
}

/// Decimal digits of other scripts (Arabic-Indic, Devanagari, Bengali, Thai,
/// Lao, Myanmar, Khmer) to ASCII.
fn fold_digit(c: char) -> Option<char> {
    const ZEROS: [u32; 8] = [
        0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x0ED0, 0x1040, 0x17E0,
    ];
    let cp = c as u32;
    let zero = ZEROS.iter().find(|&&z| (z..z + 10).contains(&cp))?;
    char::from_digit(cp - zero, 10)
}

// ============================================================================
// Vocabulary
// ============================================================================

// Flags of a currency marker.
const CI: u8 = 1; // case-insensitive
const PRE: u8 = 2; // may stand before the number
const SUF: u8 = 4; // may stand after the number
const BOTH: u8 = PRE | SUF;
const BIG: u8 = 8; // a bare letter: only with an amount that looks like pay
const GLUED: u8 = 16; // only written directly after the digits ("1500U")
const GENERIC: u8 = 32; // shared by several currencies; a specific marker wins

/// A currency marker. `code` is one code, or several separated by `|` (the
/// first is used unless the default currency is among them).
struct Marker {
    text: &'static str,
    code: &'static str,
    flags: u8,
}

const fn mk(text: &'static str, code: &'static str, flags: u8) -> Marker {
    Marker { text, code, flags }
}

const DOLLARS: &str = "USD|HKD|TWD|SGD|AUD|NZD|CAD";
const YUAN: &str = "CNY|TWD|HKD|MOP";
const YEN_YUAN: &str = "CNY|JPY";
const PESOS: &str = "PHP|MXN|COP|ARS|CLP";
const RUPEES: &str = "INR|PKR|LKR|NPR";
const SHILLINGS: &str = "KES|UGX|TZS";
const RIYALS: &str = "SAR|QAR";
const CJK_UNITS: &str = "CNY|JPY|TWD|HKD|MOP";
const SOUTH_ASIA: &str = "INR|PKR|NPR|BDT|LKR";
const MALAY: &str = "IDR|MYR";

static MARKERS: &[Marker] = &[
    // US dollar and Tether
    mk("US$", "USD", CI | BOTH),
    mk("USD", "USD", CI | BOTH),
    mk("$", "USD", BOTH | GENERIC),
    mk("dollars", DOLLARS, CI | SUF | GENERIC),
    mk("dollar", DOLLARS, CI | SUF | GENERIC),
    mk("dolar", DOLLARS, CI | SUF | GENERIC),
    mk("dólares", DOLLARS, CI | SUF | GENERIC),
    mk("đô la", "USD", CI | SUF),
    mk("đô", "USD", CI | SUF),
    mk("美金", "USD", BOTH),
    mk("美元", "USD", BOTH),
    mk("刀", "USD", SUF),
    mk("USDT", "USDT", CI | BOTH),
    mk("U", "USDT", SUF | GLUED | BIG),
    mk("u", "USDT", SUF | GLUED | BIG),
    // Europe
    mk("€", "EUR", BOTH),
    mk("EUR", "EUR", BOTH),
    mk("euros", "EUR", CI | SUF),
    mk("euro", "EUR", CI | SUF),
    mk("欧元", "EUR", BOTH),
    mk("£", "GBP", BOTH),
    mk("GBP", "GBP", BOTH),
    mk("pounds", "GBP", CI | SUF),
    mk("英镑", "GBP", BOTH),
    // Chinese-speaking markets, Japan, Korea
    mk("RMB", "CNY", CI | BOTH),
    mk("CNY", "CNY", BOTH),
    mk("人民币", "CNY", BOTH),
    mk("人民幣", "CNY", BOTH),
    mk("yuan", "CNY", CI | SUF),
    mk("元", YUAN, SUF | GENERIC),
    mk("块", YUAN, SUF | GENERIC),
    mk("塊", YUAN, SUF | GENERIC),
    mk("¥", YEN_YUAN, BOTH | GENERIC),
    mk("HK$", "HKD", CI | PRE),
    mk("HKD", "HKD", CI | BOTH),
    mk("港币", "HKD", BOTH),
    mk("港幣", "HKD", BOTH),
    mk("港元", "HKD", BOTH),
    mk("NT$", "TWD", CI | PRE),
    mk("NTD", "TWD", CI | BOTH),
    mk("TWD", "TWD", CI | BOTH),
    mk("新台币", "TWD", BOTH),
    mk("新台幣", "TWD", BOTH),
    mk("台币", "TWD", BOTH),
    mk("台幣", "TWD", BOTH),
    mk("MOP$", "MOP", PRE),
    mk("MOP", "MOP", BOTH),
    mk("澳门币", "MOP", BOTH),
    mk("澳門幣", "MOP", BOTH),
    mk("澳门元", "MOP", BOTH),
    mk("澳門元", "MOP", BOTH),
    mk("葡币", "MOP", BOTH),
    mk("JPY", "JPY", CI | BOTH),
    mk("円", "JPY", SUF),
    mk("日元", "JPY", BOTH),
    mk("日圓", "JPY", BOTH),
    mk("yen", "JPY", CI | SUF),
    mk("₩", "KRW", BOTH),
    mk("KRW", "KRW", CI | BOTH),
    mk("원", "KRW", SUF),
    mk("won", "KRW", CI | SUF),
    mk("韩元", "KRW", BOTH),
    mk("韓元", "KRW", BOTH),
    // South-East Asia
    mk("฿", "THB", BOTH),
    mk("THB", "THB", CI | BOTH),
    mk("บาท", "THB", BOTH),
    mk("baht", "THB", CI | SUF),
    mk("泰铢", "THB", BOTH),
    mk("泰銖", "THB", BOTH),
    mk("泰币", "THB", BOTH),
    mk("₫", "VND", BOTH),
    mk("VND", "VND", CI | BOTH),
    mk("VNĐ", "VND", CI | BOTH),
    mk("đồng", "VND", CI | SUF),
    mk("dong", "VND", CI | SUF),
    mk("đ", "VND", CI | SUF),
    mk("越南盾", "VND", BOTH),
    mk("越南币", "VND", BOTH),
    mk("Rp.", "IDR", CI | PRE),
    mk("Rp", "IDR", CI | PRE),
    mk("IDR", "IDR", CI | BOTH),
    mk("rupiah", "IDR", CI | SUF),
    mk("印尼盾", "IDR", BOTH),
    mk("RM", "MYR", BOTH),
    mk("MYR", "MYR", CI | BOTH),
    mk("ringgit", "MYR", CI | SUF),
    mk("令吉", "MYR", BOTH),
    mk("马币", "MYR", BOTH),
    mk("馬幣", "MYR", BOTH),
    mk("S$", "SGD", CI | PRE),
    mk("SG$", "SGD", CI | PRE),
    mk("SGD", "SGD", CI | BOTH),
    mk("新币", "SGD", BOTH),
    mk("新幣", "SGD", BOTH),
    mk("新元", "SGD", BOTH),
    mk("₱", "PHP", BOTH),
    mk("PHP", "PHP", CI | BOTH),
    mk("P", "PHP", PRE | BIG),
    mk("pesos", PESOS, CI | SUF | GENERIC),
    mk("peso", PESOS, CI | SUF | GENERIC),
    mk("piso", "PHP", CI | SUF),
    mk("比索", PESOS, BOTH | GENERIC),
    mk("披索", "PHP", BOTH),
    mk("KHR", "KHR", CI | BOTH),
    mk("៛", "KHR", BOTH),
    mk("riels", "KHR", CI | SUF),
    mk("riel", "KHR", CI | SUF),
    mk("瑞尔", "KHR", BOTH),
    mk("MMK", "MMK", CI | BOTH),
    mk("Ks", "MMK", BOTH | BIG),
    mk("kyats", "MMK", CI | SUF),
    mk("kyat", "MMK", CI | SUF),
    mk("缅币", "MMK", BOTH),
    mk("緬幣", "MMK", BOTH),
    mk("LAK", "LAK", BOTH),
    mk("₭", "LAK", BOTH),
    mk("kip", "LAK", CI | SUF),
    mk("基普", "LAK", BOTH),
    // South Asia
    mk("₹", "INR", BOTH),
    mk("INR", "INR", CI | BOTH),
    mk("Rs.", RUPEES, PRE | GENERIC),
    mk("Rs", RUPEES, BOTH | GENERIC),
    mk("rupees", RUPEES, CI | SUF | GENERIC),
    mk("rupee", RUPEES, CI | SUF | GENERIC),
    mk("रुपये", RUPEES, BOTH | GENERIC),
    mk("रुपए", RUPEES, BOTH | GENERIC),
    mk("卢比", RUPEES, BOTH | GENERIC),
    mk("LKR", "LKR", CI | BOTH),
    mk("SLRs", "LKR", PRE),
    mk("BDT", "BDT", CI | BOTH),
    mk("৳", "BDT", BOTH),
    mk("Tk", "BDT", BOTH | BIG),
    mk("taka", "BDT", CI | SUF),
    mk("NPR", "NPR", CI | BOTH),
    mk("NRs", "NPR", PRE),
    mk("PKR", "PKR", CI | BOTH),
    // Africa
    mk("KES", "KES", BOTH),
    mk("KShs", "KES", CI | BOTH),
    mk("KSh", "KES", CI | BOTH),
    mk("shillings", SHILLINGS, CI | SUF | GENERIC),
    mk("shilingi", SHILLINGS, CI | BOTH | GENERIC),
    mk("bob", "KES", CI | SUF),
    mk("UGX", "UGX", CI | BOTH),
    mk("USh", "UGX", CI | PRE),
    mk("TZS", "TZS", CI | BOTH),
    mk("TSh", "TZS", CI | PRE),
    mk("NGN", "NGN", CI | BOTH),
    mk("₦", "NGN", BOTH),
    mk("naira", "NGN", CI | SUF),
    mk("GHS", "GHS", CI | BOTH),
    mk("GH₵", "GHS", CI | PRE),
    mk("GH¢", "GHS", CI | PRE),
    mk("₵", "GHS", BOTH),
    mk("cedis", "GHS", CI | SUF),
    mk("ETB", "ETB", CI | BOTH),
    mk("Br", "ETB", BOTH | BIG),
    mk("birr", "ETB", CI | SUF),
    mk("ZAR", "ZAR", CI | BOTH),
    mk("R", "ZAR", PRE | BIG),
    mk("rand", "ZAR", CI | SUF),
    // Americas
    mk("R$", "BRL", BOTH),
    mk("BRL", "BRL", CI | BOTH),
    mk("reais", "BRL", CI | SUF),
    mk("MXN", "MXN", CI | BOTH),
    mk("MX$", "MXN", CI | PRE),
    mk("Mex$", "MXN", CI | PRE),
    mk("S/.", "PEN", PRE),
    mk("S/", "PEN", PRE),
    mk("PEN", "PEN", BOTH),
    mk("soles", "PEN", CI | SUF),
    mk("COP", "COP", BOTH),
    mk("COL$", "COP", PRE),
    mk("ARS", "ARS", BOTH),
    mk("AR$", "ARS", PRE),
    mk("CLP$", "CLP", PRE),
    mk("CLP", "CLP", BOTH),
    // Gulf
    mk("AED", "AED", CI | BOTH),
    mk("Dhs", "AED", BOTH),
    mk("dirhams", "AED", CI | SUF),
    mk("dirham", "AED", CI | SUF),
    mk("迪拉姆", "AED", BOTH),
    mk("SAR", "SAR", BOTH),
    mk("QAR", "QAR", BOTH),
    mk("riyals", RIYALS, CI | SUF | GENERIC),
    mk("riyal", RIYALS, CI | SUF | GENERIC),
    // Other dollars
    mk("AUD", "AUD", BOTH),
    mk("A$", "AUD", PRE),
    mk("AU$", "AUD", PRE),
    mk("NZD", "NZD", BOTH),
    mk("NZ$", "NZD", PRE),
    mk("CAD", "CAD", BOTH),
    mk("C$", "CAD", PRE),
    mk("CA$", "CAD", PRE),
];

/// A number multiplier ("k", "万", "triệu", "lakh"...).
struct Mult {
    text: &'static str,
    factor: f64,
    /// The currency (family) the word implies when no marker is written.
    family: Option<&'static str>,
    /// The period the word implies ("LPA" = lakh per annum).
    period: Option<Period>,
    /// May be followed by a digit continuing it ("1万5", "15tr5", "1억 2천만").
    tail: bool,
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

static MULTS: &[Mult] = &[
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

// Flags of a period word.
const SLASH: u8 = 1; // only right after "/" ("$20/h")
const AFTER: u8 = 2; // only after the amount, never a cue before it
const STRICT: u8 = 4; // as a cue before the amount: standalone and adjacent

/// A word naming a pay period.
struct PeriodWord {
    text: &'static str,
    period: Period,
    flags: u8,
}

const fn pw(text: &'static str, period: Period, flags: u8) -> PeriodWord {
    PeriodWord {
        text,
        period,
        flags,
    }
}

static PERIOD_WORDS: &[PeriodWord] = &[
    // month
    pw("month", Month, 0),
    pw("monthly", Month, 0),
    pw("mo", Month, AFTER),
    pw("mth", Month, AFTER),
    pw("mnth", Month, AFTER),
    pw("p.m.", Month, AFTER),
    pw("pm", Month, AFTER),
    pw("p/m", Month, AFTER),
    pw("pcm", Month, AFTER),
    pw("月", Month, AFTER),
    pw("个月", Month, AFTER),
    pw("個月", Month, AFTER),
    pw("ヶ月", Month, AFTER),
    pw("か月", Month, AFTER),
    pw("每月", Month, 0),
    pw("每个月", Month, 0),
    pw("每個月", Month, 0),
    pw("毎月", Month, 0),
    pw("월", Month, STRICT),
    pw("매월", Month, 0),
    pw("매달", Month, 0),
    pw("달", Month, AFTER),
    pw("เดือน", Month, 0),
    pw("เดือนละ", Month, 0),
    pw("tháng", Month, 0),
    pw("hàng tháng", Month, 0),
    pw("thang", Month, AFTER),
    pw("bulan", Month, 0),
    pw("sebulan", Month, 0),
    pw("bulanan", Month, 0),
    pw("perbulan", Month, 0),
    pw("buwan", Month, 0),
    pw("buwanan", Month, 0),
    pw("mes", Month, 0),
    pw("mensual", Month, 0),
    pw("mensuales", Month, 0),
    pw("mês", Month, 0),
    pw("mensal", Month, 0),
    pw("mensais", Month, 0),
    pw("mwezi", Month, 0),
    pw("महीना", Month, 0),
    pw("महीने", Month, 0),
    pw("माह", Month, 0),
    pw("मासिक", Month, 0),
    // day
    pw("day", Day, 0),
    pw("daily", Day, 0),
    pw("d", Day, SLASH),
    pw("日", Day, AFTER),
    pw("天", Day, AFTER),
    pw("每天", Day, 0),
    pw("每日", Day, 0),
    pw("일", Day, SLASH),
    pw("매일", Day, 0),
    pw("วัน", Day, AFTER),
    pw("วันละ", Day, 0),
    pw("ngày", Day, AFTER),
    pw("hàng ngày", Day, 0),
    pw("ngay", Day, SLASH),
    pw("hari", Day, AFTER),
    pw("harian", Day, 0),
    pw("sehari", Day, 0),
    pw("perhari", Day, 0),
    pw("araw", Day, AFTER),
    pw("arawan", Day, 0),
    pw("día", Day, AFTER),
    pw("dia", Day, AFTER),
    pw("diario", Day, 0),
    pw("diária", Day, 0),
    pw("siku", Day, AFTER),
    pw("दिन", Day, AFTER),
    pw("प्रतिदिन", Day, 0),
    // hour
    pw("hour", Hour, 0),
    pw("hourly", Hour, 0),
    pw("hr", Hour, AFTER),
    pw("h", Hour, SLASH),
    pw("小时", Hour, AFTER),
    pw("小時", Hour, AFTER),
    pw("时", Hour, SLASH),
    pw("時", Hour, SLASH),
    pw("時間", Hour, AFTER),
    pw("每小时", Hour, 0),
    pw("每小時", Hour, 0),
    pw("시간", Hour, AFTER),
    pw("ชั่วโมง", Hour, AFTER),
    pw("ชม.", Hour, AFTER),
    pw("ชั่วโมงละ", Hour, 0),
    pw("giờ", Hour, AFTER),
    pw("tiếng", Hour, AFTER),
    pw("jam", Hour, AFTER),
    pw("perjam", Hour, 0),
    pw("oras", Hour, AFTER),
    pw("hora", Hour, AFTER),
    pw("saa", Hour, AFTER),
    pw("घंटा", Hour, AFTER),
    pw("घंटे", Hour, AFTER),
    // week
    pw("week", Week, 0),
    pw("weekly", Week, 0),
    pw("wk", Week, AFTER),
    pw("周", Week, AFTER),
    pw("週", Week, AFTER),
    pw("星期", Week, AFTER),
    pw("每周", Week, 0),
    pw("每週", Week, 0),
    pw("주", Week, SLASH),
    pw("สัปดาห์", Week, AFTER),
    pw("อาทิตย์", Week, AFTER),
    pw("tuần", Week, AFTER),
    pw("tuan", Week, SLASH),
    pw("minggu", Week, AFTER),
    pw("mingguan", Week, 0),
    pw("seminggu", Week, 0),
    pw("perminggu", Week, 0),
    pw("linggo", Week, AFTER),
    pw("lingguhan", Week, 0),
    pw("semana", Week, AFTER),
    pw("semanal", Week, 0),
    pw("wiki", Week, AFTER),
    pw("सप्ताह", Week, AFTER),
    pw("हफ्ता", Week, AFTER),
    pw("हफ्ते", Week, AFTER),
    // year
    pw("year", Year, 0),
    pw("yearly", Year, 0),
    pw("annual", Year, 0),
    pw("annually", Year, 0),
    pw("annum", Year, 0),
    pw("yr", Year, AFTER),
    pw("p.a.", Year, AFTER),
    pw("pa", Year, SLASH),
    pw("年", Year, AFTER),
    pw("每年", Year, 0),
    pw("년", Year, SLASH),
    pw("ปี", Year, AFTER),
    pw("ปีละ", Year, 0),
    pw("năm", Year, AFTER),
    pw("nam", Year, SLASH),
    pw("tahun", Year, AFTER),
    pw("tahunan", Year, 0),
    pw("setahun", Year, 0),
    pw("pertahun", Year, 0),
    pw("taon", Year, AFTER),
    pw("taunan", Year, 0),
    pw("año", Year, AFTER),
    pw("anual", Year, 0),
    pw("ano", Year, AFTER),
    pw("mwaka", Year, AFTER),
    pw("साल", Year, AFTER),
    pw("वर्ष", Year, AFTER),
    pw("वार्षिक", Year, 0),
];

/// Words that link an amount to its period ("per", "a", "/", "每", "kwa"...).
const PERIOD_CONNECTORS: &str = "\
     / | per | a | an | each | every | por | al | ao | kwa | kila | mỗi | một | \
     sa isang | sa | kada | bawat | isang | setiap | tiap | ต่อ | 每个 | 每個 | 每 | 一个 | \
     一個 | 一 | 毎 | 매 | प्रति | हर";

/// Salary words, with the period some of them carry (月薪 = monthly pay).
static SALARY_WORDS: &[(&str, Option<Period>)] = &[
    // en
    ("salary", None),
    ("salaries", None),
    ("pay", None),
    ("wage", None),
    ("wages", None),
    ("income", None),
    ("earn", None),
    ("earns", None),
    ("earning", None),
    ("earnings", None),
    ("compensation", None),
    ("remuneration", None),
    ("stipend", None),
    ("ctc", None),
    ("take home", None),
    ("take-home", None),
    // zh
    ("工资", None),
    ("工資", None),
    ("薪资", None),
    ("薪資", None),
    ("薪水", None),
    ("薪酬", None),
    ("薪金", None),
    ("底薪", None),
    ("保底", None),
    ("待遇", None),
    ("收入", None),
    ("月薪", Some(Month)),
    ("月入", Some(Month)),
    ("月收入", Some(Month)),
    ("月工资", Some(Month)),
    ("月工資", Some(Month)),
    ("年薪", Some(Year)),
    ("日薪", Some(Day)),
    ("日结", Some(Day)),
    ("日結", Some(Day)),
    ("时薪", Some(Hour)),
    ("時薪", Some(Hour)),
    ("周薪", Some(Week)),
    ("週薪", Some(Week)),
    // ja
    ("給料", None),
    ("給与", None),
    ("基本給", None),
    ("月給", Some(Month)),
    ("月収", Some(Month)),
    ("時給", Some(Hour)),
    ("日給", Some(Day)),
    ("週給", Some(Week)),
    ("年収", Some(Year)),
    ("年俸", Some(Year)),
    // ko
    ("급여", None),
    ("임금", None),
    ("보수", None),
    ("월급", Some(Month)),
    ("연봉", Some(Year)),
    ("시급", Some(Hour)),
    ("일급", Some(Day)),
    ("일당", Some(Day)),
    ("주급", Some(Week)),
    // th
    ("เงินเดือน", Some(Month)),
    ("ค่าจ้าง", None),
    ("รายได้", None),
    ("ค่าแรง", None),
    ("ค่าตอบแทน", None),
    // vi
    ("lương", None),
    ("mức lương", None),
    ("thu nhập", None),
    ("lương tháng", Some(Month)),
    ("luong", None), // Vietnamese typed without diacritics
    ("muc luong", None),
    ("thu nhap", None),
    // id, ms
    ("gaji", None),
    ("upah", None),
    ("pendapatan", None),
    ("penghasilan", None),
    // tl
    ("sahod", None),
    ("sweldo", None),
    ("suweldo", None),
    ("pasahod", None),
    // es, pt
    ("salario", None),
    ("sueldo", None),
    ("remuneración", None),
    ("ingresos", None),
    ("salário", None),
    ("remuneração", None),
    ("renda", None),
    // sw
    ("mshahara", None),
    ("malipo", None),
    ("ujira", None),
    // hi
    ("वेतन", None),
    ("तनख्वाह", None),
    ("सैलरी", None),
    ("पगार", None),
];

/// Short words allowed between a salary word and its amount
/// ("Salary is from", "lương khoảng", "月薪高达", "gaji mulai dari"...).
const GAP_FILLERS: &str = "\
     is | are | will | be | of | from | up | to | upto | starting | starts | start | \
     at | around | about | approx. | approx | approximately | min. | min | minimum | \
     max. | max | maximum | only | range | basic | base | gross | net | fixed | \
     offered | package | between | rate | you | can | get | the | as | high | over | \
     than | more | per | 高达 | 高達 | 可达 | 可達 | 最高 | 最低 | 约 | 約 | 大约 | 大約 | 为 | 為 | 是 | \
     在 | 起 | 从 | 從 | 税前 | 稅前 | 税后 | 稅後 | は | が | 最大 | 은 | 는 | 이 | 가 | 약 | 최대 | 최소 | \
     최고 | 세전 | 세후 | เริ่มต้น | ตั้งแต่ | สูงสุด | ประมาณ | ขั้นต่ำ | อยู่ที่ | คือ | \
     ได้ | ถึง | เริ่ม | khoảng | từ | lên đến | lên tới | tới | đến | là | trên | \
     hơn | tối thiểu | tối đa | cứng | cơ bản | khởi điểm | chỉ | mulai | dari | \
     sekitar | hingga | sampai | pokok | minimal | maksimal | antara | adalah | \
     sebesar | ialah | bersih | kotor | na | ay | mula | hanggang | mga | aabot | ng | \
     ang | de | desde | hasta | entre | es | mínimo | máximo | aprox | \
     aproximadamente | bruto | neto | a partir de | até | é | inicial | líquido | \
     bruta | ya | wa | la | kuanzia | hadi | ni | kati | zaidi | का | की | के | से | \
     तक | लगभग | है";

/// Words after a number that make it a count, not an amount of money.
const COUNT_NOUNS: &str = "\
     people | persons | person | pax | slots | slot | positions | position | \
     vacancies | vacancy | openings | workers | staff | members | users | views | \
     followers | likes | downloads | subscribers | times | km | kg | years | yrs | \
     days | hours | weeks | months | 人 | 名 | 个 | 個 | 位 | 次 | 岁 | 歲 | 公里 | 平方 | người | \
     lượt | tuổi | lần | orang | kali | คน | ครั้ง | 명 | 개 | 번 | 살 | tao | watu | लोग | \
     व्यक्ति";

// ============================================================================
// Patterns (compiled once)
// ============================================================================

fn is_latin_letter(c: char) -> bool {
    c.is_alphabetic()
        && (c.is_ascii() || matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}'))
}

fn is_latin_alnum(c: char) -> bool {
    c.is_ascii_digit() || is_latin_letter(c)
}

/// Literal words as one regex alternation, longest first. Spaces inside a
/// word match any run of white space; with `bounds`, ASCII-letter edges get
/// an ASCII word boundary (a Unicode `\b` would keep the regex engine off its
/// fast path on non-ASCII text).
const ASCII_BOUNDARY: &str = r"(?-u:\b)";

fn alternation<'a>(words: impl IntoIterator<Item = (&'a str, bool)>, bounds: bool) -> String {
    let mut words: Vec<(&str, bool)> = words.into_iter().collect();
    words.sort_by(|a, b| {
        b.0.chars()
            .count()
            .cmp(&a.0.chars().count())
            .then(a.0.cmp(b.0))
    });
    words.dedup_by(|a, b| a.0 == b.0);
    let items: Vec<String> = words
        .iter()
        .map(|&(word, case_insensitive)| {
            let mut p = regex::escape(word).replace(' ', r"\s+");
            if bounds && word.starts_with(|c: char| c.is_ascii_alphabetic()) {
                p.insert_str(0, ASCII_BOUNDARY);
            }
            if bounds && word.ends_with(|c: char| c.is_ascii_alphabetic()) {
                p.push_str(ASCII_BOUNDARY);
            }
            if case_insensitive {
                format!("(?i:{p})")
            } else {
                p
            }
        })
        .collect();
    items.join("|")
}

fn compile(pattern: &str) -> Regex {
    match Regex::new(pattern) {
        Ok(re) => re,
        Err(e) => panic!("salary: a built-in pattern does not compile: {e}"),
    }
}

fn marker_alternation(allowed: u8, excluded: u8, bounds: bool) -> String {
    alternation(
        MARKERS
            .iter()
            .filter(|m| m.flags & allowed != 0 && m.flags & excluded == 0)
            .map(|m| (m.text, m.flags & CI != 0)),
        bounds,
    )
}

/// Case-insensitive words from a `|`-separated list.
fn ci(list: &'static str) -> impl Iterator<Item = (&'static str, bool)> {
    list.split('|')
        .map(|w| (w.trim(), true))
        .filter(|(w, _)| !w.is_empty())
}

/// Currency marker just before the number (searched in a short window).
static PRE_CURRENCY: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        "({})[ \\t:：]*$",
        marker_alternation(PRE, 0, false)
    ))
});

/// Currency marker before the second number of a range.
static PRE_CURRENCY_AHEAD: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        "^({})[ \\t:：]*",
        marker_alternation(PRE, 0, false)
    ))
});

/// Currency marker after the amount.
static SUF_CURRENCY: LazyLock<Regex> =
    LazyLock::new(|| compile(&format!("^[ \\t]*({})", marker_alternation(SUF, 0, false))));

/// Currency named between a salary word and the amount ("Salary (USD): 2,000").
static GAP_CURRENCY: LazyLock<Regex> =
    LazyLock::new(|| compile(&marker_alternation(BOTH, BIG | GLUED, true)));

static MULTIPLIER: LazyLock<Regex> = LazyLock::new(|| {
    let words = MULTS.iter().map(|m| (m.text, true));
    compile(&format!("^[ \\t]?({})", alternation(words, false)))
});

static TAIL: LazyLock<Regex> = LazyLock::new(|| compile("^( ?)([0-9]{1,4})"));

static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    let words = "- | ~ | to | 至 | 到 | đến | tới | hingga | sampai | s/d | ถึง | hanggang | até | hasta | a";
    compile(&format!(
        "^[ \\t]*(?:{})[ \\t]*",
        alternation(ci(words), false)
    ))
});

static PERIOD_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    let connectors = alternation(ci(PERIOD_CONNECTORS), true);
    let words = alternation(PERIOD_WORDS.iter().map(|p| (p.text, true)), true);
    compile(&format!("^[ \\t]*(?:({connectors})[ \\t]*)?({words})"))
});

/// Marks skipped between an amount and its period ("Rs 15,000/- per month").
static SKIP_BEFORE_PERIOD: LazyLock<Regex> =
    LazyLock::new(|| compile("^[ \\t]*(?:/-|/=|,-|\\.-|\\+|以上|左右|起|多|余)"));

static PERCENT: LazyLock<Regex> = LazyLock::new(|| {
    let words = "% | percent | per cent | persen | phần trăm | เปอร์เซ็นต์ | प्रतिशत";
    compile(&format!("^[ \\t]*(?:{})", alternation(ci(words), true)))
});

static COUNT_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        "^[ \\t]*(?:{})",
        alternation(ci(COUNT_NOUNS), true)
    ))
});

static SALARY_WORD: LazyLock<Regex> = LazyLock::new(|| {
    compile(&alternation(
        SALARY_WORDS.iter().map(|(w, _)| (*w, true)),
        true,
    ))
});

/// Period cues before the amount: period words and salary words with a period.
static PERIOD_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    let period_words = PERIOD_WORDS
        .iter()
        .filter(|p| p.flags & (AFTER | SLASH) == 0)
        .map(|p| (p.text, true));
    let salary_words = SALARY_WORDS
        .iter()
        .filter(|(_, p)| p.is_some())
        .map(|(w, _)| (*w, true));
    compile(&alternation(period_words.chain(salary_words), true))
});

/// What may stand between a salary (or period) word and the amount.
static GAP: LazyLock<Regex> = LazyLock::new(|| {
    let words = ci(GAP_FILLERS)
        .chain(ci(PERIOD_CONNECTORS))
        .chain(PERIOD_WORDS.iter().map(|p| (p.text, true)))
        .chain(SALARY_WORDS.iter().map(|(w, _)| (*w, true)));
    compile(&format!(
        r#"^(?:[\s:：,，\-=()（）\[\]【】「」"'~*·•]|{}|{})*$"#,
        alternation(words, true),
        marker_alternation(BOTH, BIG | GLUED, true)
    ))
});

const MAX_GAP_CHARS: usize = 40;

fn gap_ok(gap: &str) -> bool {
    gap.chars().count() <= MAX_GAP_CHARS && GAP.is_match(gap)
}

fn only_spacing(gap: &str) -> bool {
    gap.chars()
        .all(|c| c.is_whitespace() || c == ':' || c == '：')
}

/// Lookup key of a word: lower case, white space runs as one space.
fn word_key(word: &str) -> String {
    word.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

type Index<T> = HashMap<String, Vec<&'static T>>;

/// Items by [`word_key`] of their text, in list order.
fn index<T>(items: &'static [T], text: impl Fn(&T) -> &str) -> Index<T> {
    let mut map: Index<T> = HashMap::new();
    for item in items {
        map.entry(word_key(text(item))).or_default().push(item);
    }
    map
}

static MARKER_INDEX: LazyLock<Index<Marker>> = LazyLock::new(|| index(MARKERS, |m| m.text));
static MULT_INDEX: LazyLock<Index<Mult>> = LazyLock::new(|| index(MULTS, |m| m.text));
static PERIOD_INDEX: LazyLock<Index<PeriodWord>> =
    LazyLock::new(|| index(PERIOD_WORDS, |p| p.text));
static SALARY_INDEX: LazyLock<Index<(&str, Option<Period>)>> =
    LazyLock::new(|| index(SALARY_WORDS, |(w, _)| w));

fn lookup<T>(index: &'static Index<T>, text: &str) -> impl Iterator<Item = &'static T> {
    index.get(&word_key(text)).into_iter().flatten().copied()
}

fn lookup_marker(text: &str, allowed: u8) -> Option<&'static Marker> {
    let allowed_here = |m: &&Marker| m.flags & allowed != 0;
    MARKERS
        .iter()
        .filter(allowed_here)
        .find(|m| m.text == text)
        .or_else(|| {
            lookup(&MARKER_INDEX, text)
                .filter(allowed_here)
                .find(|m| m.flags & CI != 0)
        })
}

fn lookup_mult(text: &str) -> Option<&'static Mult> {
    lookup(&MULT_INDEX, text).next()
}

fn lookup_period_word(text: &str) -> Option<&'static PeriodWord> {
    lookup(&PERIOD_INDEX, text).next()
}

/// Period of a cue found before the amount, with its flags.
fn lookup_period_cue(text: &str) -> Option<(Period, u8)> {
    if let Some(p) = lookup_period_word(text) {
        return Some((p.period, p.flags));
    }
    lookup(&SALARY_INDEX, text).find_map(|(_, p)| p.map(|p| (p, 0)))
}

// ============================================================================
// Numbers
// ============================================================================

fn digit_run_end(bytes: &[u8], from: usize) -> usize {
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
struct Num {
    end: usize,
    value: f64,
    /// Written with thousands separators.
    grouped: bool,
}

/// Parses the number whose first digit is at `start`; `Err` holds where a
/// rejected token (phone, date, version, id) ends.
fn parse_number(s: &str, start: usize) -> Result<Num, usize> {
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

// ============================================================================
// Scanner
// ============================================================================

/// A currency marker found in the (folded) text.
#[derive(Clone, Copy)]
struct Found {
    start: usize,
    end: usize,
    marker: &'static Marker,
}

/// One amount: number, multiplier and the currency written after it.
#[derive(Clone, Copy)]
struct Side {
    raw: f64,
    factor: f64,
    extra: f64,
    grouped: bool,
    mult: Option<&'static Mult>,
    /// End of the number and its multiplier.
    end: usize,
    suffix: Option<Found>,
}

impl Side {
    fn value(&self) -> f64 {
        self.raw * self.factor + self.extra
    }

    fn full_end(&self) -> usize {
        self.suffix.map_or(self.end, |f| f.end)
    }
}

/// What stands before a mention: a salary word, a period cue, a currency.
#[derive(Default)]
struct Context {
    salary_word: bool,
    period: Option<Period>,
    /// Start of the period cue when it stands right before the amount.
    period_start: Option<usize>,
    currency: Option<&'static Marker>,
}

/// A mention in folded-text offsets.
struct Mention {
    start: usize,
    end: usize,
    currency: String,
    min: f64,
    max: f64,
    period: Period,
    period_stated: bool,
}

struct Scanner<'a> {
    s: &'a str,
    default: Option<String>,
    kana: bool,
}

fn char_before(s: &str, at: usize) -> Option<char> {
    s.get(..at).and_then(|head| head.chars().next_back())
}

fn char_at(s: &str, at: usize) -> Option<char> {
    s.get(at..).and_then(|tail| tail.chars().next())
}

/// Start of a look-back window of at most `max_back` bytes, not before `floor`.
fn window_start(s: &str, end: usize, floor: usize, max_back: usize) -> usize {
    let mut lo = end.saturating_sub(max_back).max(floor).min(end);
    while lo < end && !s.is_char_boundary(lo) {
        lo += 1;
    }
    lo
}

impl<'a> Scanner<'a> {
    fn new(s: &'a str, default_currency: Option<&str>) -> Scanner<'a> {
        Scanner {
            s,
            default: default_currency
                .map(table_key)
                .filter(|code| !code.is_empty()),
            kana: s.chars().any(|c| matches!(c, '\u{3040}'..='\u{30FF}')),
        }
    }

    /// The folded text from `from` on (empty when out of range).
    fn rest(&self, from: usize) -> &'a str {
        self.s.get(from..).unwrap_or_default()
    }

    /// Tries to read a mention around the number starting at `num_start`;
    /// `Err` holds where scanning should resume.
    fn mention_at(&self, num_start: usize, floor: usize) -> Result<Mention, usize> {
        let num = parse_number(self.s, num_start)?;
        let fail = num.end;
        let prefix = self.prefix_currency(num_start, floor);
        if prefix.is_none() && !self.clean_before(num_start) {
            return Err(fail);
        }
        let left = self.side(num).ok_or(fail)?;
        let (left, right) = self.with_range(prefix, left);
        let last = right.map_or(left, |(_, r)| r);
        let end = last.full_end();
        let cur_start = prefix.map_or(num_start, |p| p.start);
        let ctx = self.context(cur_start, floor);

        let written = [prefix, left.suffix, right.and_then(|r| r.0), last.suffix];
        let currency = self.currency(&written, &ctx, left, last, end).ok_or(fail)?;
        let (period, period_stated, end) = match self.period_after(end) {
            Some((p, period_end)) => (p, true, period_end),
            None => match last.mult.and_then(|m| m.period).or(ctx.period) {
                Some(p) => (p, true, end),
                None => (Month, false, end),
            },
        };
        Ok(Mention {
            start: ctx.period_start.map_or(cur_start, |p| p.min(cur_start)),
            end,
            currency,
            min: left.value(),
            max: last.value(),
            period,
            period_stated,
        })
    }

    /// Reads the second half of a range after `left`, if there is a sound one
    /// (same currency, not smaller). "15-20 triệu": the left side takes the
    /// right side's multiplier.
    fn with_range(
        &self,
        prefix: Option<Found>,
        left: Side,
    ) -> (Side, Option<(Option<Found>, Side)>) {
        let Some((rprefix, right)) = self.range_right(left.full_end()) else {
            return (left, None);
        };
        let mut joined = left;
        if joined.mult.is_none() && right.mult.is_some() && joined.raw <= right.raw {
            joined.factor = right.factor;
            joined.mult = right.mult;
        }
        let code_left = self.explicit_code(&[prefix, joined.suffix]);
        let code_right = self.explicit_code(&[rprefix, right.suffix]);
        let same_currency = match (code_left, code_right) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        if same_currency && right.value() >= joined.value() {
            (joined, Some((rprefix, right)))
        } else {
            (left, None)
        }
    }

    /// The mention's currency: a written marker, else one implied by the
    /// multiplier ("triệu"), else the default after a salary word.
    fn currency(
        &self,
        written: &[Option<Found>],
        ctx: &Context,
        left: Side,
        last: Side,
        end: usize,
    ) -> Option<String> {
        if let Some(m) = pick_marker(written).or(ctx.currency) {
            let looks_like_pay = left.raw >= 100.0 || left.grouped || left.mult.is_some();
            if m.flags & BIG != 0 && !looks_like_pay {
                return None;
            }
            return Some(self.resolve(m.code));
        }
        if COUNT_NOUN.is_match(self.rest(end)) {
            return None;
        }
        match last.mult.or(left.mult).and_then(|m| m.family) {
            Some(family) => Some(self.resolve(family)),
            None if ctx.salary_word => self.default.clone(),
            None => None,
        }
    }

    /// Rejects numbers glued to letters or to ids, phones, dates and times.
    fn clean_before(&self, at: usize) -> bool {
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

    fn prefix_currency(&self, num_start: usize, floor: usize) -> Option<Found> {
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
    fn side(&self, num: Num) -> Option<Side> {
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
    fn range_right(&self, from: usize) -> Option<(Option<Found>, Side)> {
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

    fn period_after(&self, from: usize) -> Option<(Period, usize)> {
        let skipped = SKIP_BEFORE_PERIOD
            .find(self.rest(from))
            .map_or(from, |m| from + m.end());
        let caps = PERIOD_AFTER.captures(self.rest(skipped))?;
        let word = lookup_period_word(caps.get(2)?.as_str())?;
        let connector = caps.get(1).map(|c| c.as_str());
        if word.flags & SLASH != 0 && connector != Some("/") {
            return None;
        }
        Some((word.period, skipped + caps.get(0)?.end()))
    }

    /// Salary word, period cue and currency standing before the amount.
    fn context(&self, cur_start: usize, floor: usize) -> Context {
        let lo = window_start(self.s, cur_start, floor, 160);
        let window = self.s.get(lo..cur_start).unwrap_or_default();
        let mut ctx = Context::default();
        let salary = SALARY_WORD
            .find_iter(window)
            .filter(|m| gap_ok(&window[m.end()..]))
            .last();
        if let Some(m) = salary {
            ctx.salary_word = true;
            ctx.currency = GAP_CURRENCY
                .find_iter(&window[m.end()..])
                .filter_map(|c| lookup_marker(c.as_str(), BOTH))
                .last();
        }
        let cue = PERIOD_BEFORE
            .find_iter(window)
            .filter_map(|m| {
                let (period, flags) = lookup_period_cue(m.as_str())?;
                let gap = &window[m.end()..];
                if flags & STRICT != 0 {
                    let standalone =
                        !char_before(self.s, lo + m.start()).is_some_and(char::is_alphanumeric);
                    (standalone && only_spacing(gap)).then_some((period, m))
                } else {
                    gap_ok(gap).then_some((period, m))
                }
            })
            .last();
        if let Some((period, m)) = cue {
            ctx.period = Some(period);
            if only_spacing(&window[m.end()..]) {
                ctx.period_start = Some(lo + m.start());
            }
        }
        ctx
    }

    /// Code of the most specific marker among `found`, if any.
    fn explicit_code(&self, found: &[Option<Found>]) -> Option<String> {
        pick_marker(found).map(|m| self.resolve(m.code))
    }

    /// One code from a marker's code or family ("INR|PKR|LKR|NPR").
    fn resolve(&self, family: &str) -> String {
        let has = |code: &str| family.split('|').any(|c| c == code);
        if let Some(default) = self.default.as_deref().filter(|d| has(d)) {
            return default.to_string();
        }
        if self.kana && has("JPY") {
            return "JPY".into();
        }
        family.split('|').next().unwrap_or(family).to_string()
    }
}

/// A specific marker ("MXN") wins over a generic one ("$").
fn pick_marker(found: &[Option<Found>]) -> Option<&'static Marker> {
    let markers = found.iter().flatten().map(|f| f.marker);
    markers
        .clone()
        .find(|m| m.flags & GENERIC == 0)
        .or_else(|| markers.clone().next())
}

// ============================================================================
// Tests
// ============================================================================

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str, default: Option<&str>) -> Vec<Salary> {
        find_salaries(text, MoneyTable::embedded(), default)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
    }

    /// Exactly one mention, with this currency, range and period.
    fn expect_one(
        text: &str,
        default: Option<&str>,
        currency: &str,
        min: f64,
        max: f64,
        period: Period,
    ) -> Salary {
        let found = find(text, default);
        assert_eq!(found.len(), 1, "{text:?} -> {found:#?}");
        let s = found[0].clone();
        assert_eq!(s.currency, currency, "{text:?} -> {s:#?}");
        assert!(close(s.min, min), "{text:?}: min {} != {min}", s.min);
        assert!(close(s.max, max), "{text:?}: max {} != {max}", s.max);
        assert_eq!(s.period, period, "{text:?} -> {s:#?}");
        assert!(s.start < s.end && s.end <= text.len());
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        s
    }

    macro_rules! positive {
        ($($name:ident: $text:expr => $cur:expr, $min:expr, $max:expr, $period:ident;)*) => {$(
            #[test]
            fn $name() {
                expect_one($text, None, $cur, $min as f64, $max as f64, Period::$period);
            }
        )*};
    }

    positive! {
        usd_slash_month: "$1,500/month" => "USD", 1500, 1500, Month;
        usd_code_per_month: "USD 2000 per month" => "USD", 2000, 2000, Month;
        dollar_sign_after: "2,000$" => "USD", 2000, 2000, Month;
        yue_xin_wan: "月薪3万" => "CNY", 30000, 30000, Month;
        di_xin_usdt: "底薪1500U" => "USDT", 1500, 1500, Month;
        bare_u_lowercase: "1500u" => "USDT", 1500, 1500, Month;
        wan_range: "3万-5万" => "CNY", 30000, 50000, Month;
        peso_sign_k: "₱45k" => "PHP", 45000, 45000, Month;
        p_letter_monthly: "P45,000 monthly" => "PHP", 45000, 45000, Month;
        php_range: "PHP 25,000 - 30,000" => "PHP", 25000, 30000, Month;
        ringgit_rm: "RM 8,000" => "MYR", 8000, 8000, Month;
        ringgit_k_sebulan: "RM8k sebulan" => "MYR", 8000, 8000, Month;
        vnd_trieu: "15 triệu" => "VND", 15_000_000, 15_000_000, Month;
        vnd_tr_thang: "15tr/tháng" => "VND", 15_000_000, 15_000_000, Month;
        vnd_trieu_range: "15-20 triệu/tháng" => "VND", 15_000_000, 20_000_000, Month;
        vnd_cu_slang: "8 củ" => "VND", 8_000_000, 8_000_000, Month;
        thb_baht_word: "30,000 บาท" => "THB", 30000, 30000, Month;
        thb_muen: "3หมื่นบาท" => "THB", 30000, 30000, Month;
        idr_juta: "Rp 12 juta" => "IDR", 12_000_000, 12_000_000, Month;
        idr_dots_bulan: "Rp12.000.000/bulan" => "IDR", 12_000_000, 12_000_000, Month;
        idr_jt: "Rp 5 jt" => "IDR", 5_000_000, 5_000_000, Month;
        inr_sign: "₹50,000" => "INR", 50000, 50000, Month;
        inr_lakh_per_month: "₹1.5 lakh per month" => "INR", 150_000, 150_000, Month;
        inr_lpa: "12 LPA" => "INR", 1_200_000, 1_200_000, Year;
        kes_ksh: "KSh 150,000" => "KES", 150_000, 150_000, Month;
        kes_kwa_mwezi: "Ksh 80k kwa mwezi" => "KES", 80000, 80000, Month;
        brl_por_mes: "R$ 5.000 por mês" => "BRL", 5000, 5000, Month;
        brl_mil: "R$ 5 mil" => "BRL", 5000, 5000, Month;
        eur_mes: "€2.500/mes" => "EUR", 2500, 2500, Month;
        pen_soles: "S/ 3,500" => "PEN", 3500, 3500, Month;
        mxn_code: "MXN 15,000" => "MXN", 15000, 15000, Month;
        aed_code: "AED 4,500" => "AED", 4500, 4500, Month;
        krw_sign: "₩3,000,000" => "KRW", 3_000_000, 3_000_000, Month;
        krw_wol_man_won: "월 500만원" => "KRW", 5_000_000, 5_000_000, Month;
        krw_wolgeup: "월급 300만 원" => "KRW", 3_000_000, 3_000_000, Month;
        jpy_gekkyu: "月給30万円" => "JPY", 300_000, 300_000, Month;
        jpy_jikyu: "時給1,200円" => "JPY", 1200, 1200, Hour;
        cny_ri_xin: "日薪500元" => "CNY", 500, 500, Day;
        usd_hour: "$20/hour" => "USD", 20, 20, Hour;
        usd_a_year: "$60,000 a year" => "USD", 60000, 60000, Year;
        hkd_sign: "HK$15,000" => "HKD", 15000, 15000, Month;
        twd_sign: "NT$60,000" => "TWD", 60000, 60000, Month;
        sgd_sign: "S$3,000" => "SGD", 3000, 3000, Month;
        usd_meijin_before: "美金2000" => "USD", 2000, 2000, Month;
        usd_meiyuan_after: "2000美元" => "USD", 2000, 2000, Month;
        usd_dao_slang: "2000刀" => "USD", 2000, 2000, Month;
        thb_taizhu: "15000泰铢" => "THB", 15000, 15000, Month;
        vnd_yuenandun: "1500万越南盾" => "VND", 15_000_000, 15_000_000, Month;
        fullwidth_digits: "月薪３０００美元" => "USD", 3000, 3000, Month;
        fullwidth_dollar: "＄３，０００／月" => "USD", 3000, 3000, Month;
        rupees_dash_per_month: "Rs. 15,000/- per month" => "INR", 15000, 15000, Month;
        yuan_sign_chinese: "待遇：¥8000/月" => "CNY", 8000, 8000, Month;
        usd_range_both_signs: "$1,500 - $2,000 per month" => "USD", 1500, 2000, Month;
        php_k_range_code_after: "25k-30k PHP" => "PHP", 25000, 30000, Month;
        eur_decimal_comma: "1.234,56 €" => "EUR", 1234.56, 1234.56, Month;
        apostrophe_thousands: "1'500 USD" => "USD", 1500, 1500, Month;
        space_thousands: "15 000 000 VND" => "VND", 15_000_000, 15_000_000, Month;
        wan_qian_compound: "2万5千元" => "CNY", 25000, 25000, Month;
        wan_bare_tail: "月薪1万5" => "CNY", 15000, 15000, Month;
        eok_cheonman: "연봉 1억 2천만원" => "KRW", 120_000_000, 120_000_000, Year;
        tr_tail: "15tr5" => "VND", 15_500_000, 15_500_000, Month;
        gaji_juta_implied: "Gaji 8 juta/bulan" => "IDR", 8_000_000, 8_000_000, Month;
        luong_range_den: "lương từ 15 đến 20 triệu/tháng" => "VND", 15_000_000, 20_000_000, Month;
        mshahara: "mshahara Ksh 80,000 kwa mwezi" => "KES", 80000, 80000, Month;
        dollar_then_mxn: "sueldo de $15,000 MXN al mes" => "MXN", 15000, 15000, Month;
        gap_currency: "Salary (USD): 2,000" => "USD", 2000, 2000, Month;
        hindi_per_month: "₹50,000 प्रति माह" => "INR", 50000, 50000, Month;
        thai_salary_word: "เงินเดือน 30,000 บาท" => "THB", 30000, 30000, Month;
        thai_digits: "เงินเดือน ๓๐,๐๐๐ บาท" => "THB", 30000, 30000, Month;
        yen_with_kana: "月給¥250,000です" => "JPY", 250_000, 250_000, Month;
        usdt_code_day: "日薪 100 USDT" => "USDT", 100, 100, Day;
        per_week: "$500 per week" => "USD", 500, 500, Week;
        sahod_kada_buwan: "sahod ₱20,000 kada buwan" => "PHP", 20000, 20000, Month;
        ngan_k_ngay: "500k đ/ngày" => "VND", 500_000, 500_000, Day;
        monthly_salary_before: "Monthly salary: USD 1,200" => "USD", 1200, 1200, Month;
        mei_yue_before: "每月8000元" => "CNY", 8000, 8000, Month;
        baht_thai_range: "25,000-35,000 บาท/เดือน" => "THB", 25000, 35000, Month;
        nghin_implied: "lương 500 nghìn/ngày" => "VND", 500_000, 500_000, Day;
        crore_per_annum: "₹1.2 crore p.a." => "INR", 12_000_000, 12_000_000, Year;
        krw_sigeup: "시급 10,030원" => "KRW", 10030, 10030, Hour;
        kes_slash_equals: "KES 50,000/= monthly" => "KES", 50000, 50000, Month;
        cny_ri_jie: "日结300元" => "CNY", 300, 300, Day;
        hourly_rate_range: "hourly rate: $15-$20" => "USD", 15, 20, Hour;
        twd_wan_prefix: "NT$ 6萬/月" => "TWD", 60000, 60000, Month;
        usd_code_glued: "USD1,500/mo" => "USD", 1500, 1500, Month;
        vnd_dong_glued: "10.000.000đ" => "VND", 10_000_000, 10_000_000, Month;
        brl_decimal_cents: "R$ 3.500,00 mensal" => "BRL", 3500, 3500, Month;
        vi_without_diacritics: "luong 30tr/thang" => "VND", 30_000_000, 30_000_000, Month;
        id_perbulan: "gaji 10jt perbulan" => "IDR", 10_000_000, 10_000_000, Month;
    }

    #[test]
    fn period_stated_flag() {
        let s = expect_one("底薪1500U", None, "USDT", 1500.0, 1500.0, Month);
        assert!(!s.period_stated);
        let s = expect_one("月薪3万", None, "CNY", 30000.0, 30000.0, Month);
        assert!(s.period_stated);
        let s = expect_one("$1,500/month", None, "USD", 1500.0, 1500.0, Month);
        assert!(s.period_stated);
        let s = expect_one("RM 8,000", None, "MYR", 8000.0, 8000.0, Month);
        assert!(!s.period_stated);
    }

    #[test]
    fn default_currency_after_salary_word() {
        let s = expect_one(
            "Salary: 25,000",
            Some("THB"),
            "THB",
            25000.0,
            25000.0,
            Month,
        );
        assert!(!s.period_stated);
        expect_one("工资：8000", Some("cny"), "CNY", 8000.0, 8000.0, Month);
        expect_one(
            "sahod 18,000 a month",
            Some("PHP"),
            "PHP",
            18000.0,
            18000.0,
            Month,
        );
        // Without a default currency a bare number is not a salary.
        assert!(find("Salary: 25,000", None).is_empty());
        // Without a salary word the default is not used.
        assert!(find("Call us about the 25,000 offer", Some("THB")).is_empty());
    }

    #[test]
    fn default_currency_settles_ambiguous_markers() {
        expect_one("Rs 50,000", Some("PKR"), "PKR", 50000.0, 50000.0, Month);
        expect_one("Rs 50,000", None, "INR", 50000.0, 50000.0, Month);
        expect_one("月薪6萬元", Some("TWD"), "TWD", 60000.0, 60000.0, Month);
        expect_one("Gaji 5 juta", Some("MYR"), "MYR", 5e6, 5e6, Month);
        expect_one("15,000 pesos", Some("MXN"), "MXN", 15000.0, 15000.0, Month);
    }

    #[test]
    fn conversion_to_usd_per_month() {
        let t = MoneyTable::embedded();
        let php = t.usd_rate("PHP").unwrap_or_default();
        let s = expect_one("₱45k", None, "PHP", 45000.0, 45000.0, Month);
        assert!(close(s.usd_per_month_min, 45000.0 * php));
        let s = expect_one("$20/hour", None, "USD", 20.0, 20.0, Hour);
        assert!(close(s.usd_per_month_min, 20.0 * 173.0));
        let s = expect_one("$60,000 a year", None, "USD", 60000.0, 60000.0, Year);
        assert!(close(s.usd_per_month_max, 5000.0));
        let s = expect_one("$500 per week", None, "USD", 500.0, 500.0, Week);
        assert!(close(s.usd_per_month_max, 500.0 * 4.33));
        let s = expect_one("日薪500元", None, "CNY", 500.0, 500.0, Day);
        let cny = t.usd_rate("CNY").unwrap_or_default();
        assert!(close(s.usd_per_month_min, 500.0 * 26.0 * cny));
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Job in KH. 月薪３０００美元 + free visa";
        let s = expect_one(text, None, "USD", 3000.0, 3000.0, Month);
        assert_eq!(&text[s.start..s.end], "月薪３０００美元");

        let text = "Salary: $1,500/month, apply now";
        let s = expect_one(text, None, "USD", 1500.0, 1500.0, Month);
        assert_eq!(&text[s.start..s.end], "$1,500/month");

        // Vietnamese typed in decomposed form (NFD).
        let text = "lu\u{1b0}\u{323}o\u{31b}ng 15-20 trie\u{302}\u{323}u/tha\u{301}ng";
        let s = expect_one(text, None, "VND", 15e6, 20e6, Month);
        assert_eq!(
            &text[s.start..s.end],
            "15-20 trie\u{302}\u{323}u/tha\u{301}ng"
        );
    }

    #[test]
    fn several_mentions_in_one_ad() {
        let text = "Customer service in Sihanoukville. Salary $1,500 to $2,000, \
                    call 0917 123 4567, age 18-30, 24/7 support, 50% commission, 5 slots. \
                    Bonus 500 USDT per month.";
        let found = find(text, Some("PHP"));
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].currency, "USD");
        assert!(close(found[0].min, 1500.0) && close(found[0].max, 2000.0));
        assert_eq!(found[1].currency, "USDT");
        assert!(found[0].end <= found[1].start);
    }

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

    #[test]
    fn currency_with_no_rate_is_dropped() {
        assert!(find("Salary: 25,000", Some("XYZ")).is_empty());
    }

    // ---------------------------------------------------------------- table

    #[test]
    fn embedded_table_loads_and_covers_required_codes() {
        let t = MoneyTable::embedded();
        assert_eq!(t.version(), "2026.11.0");
        assert!(!t.as_of().is_empty() && t.note().to_lowercase().contains("approximate"));
        let required = "USD USDT EUR GBP CNY HKD TWD MOP JPY KRW THB VND IDR MYR SGD PHP KHR \
                        MMK LAK INR LKR BDT NPR PKR KES UGX TZS NGN GHS ETB ZAR BRL MXN PEN \
                        COP ARS CLP AED SAR QAR AUD NZD CAD";
        for code in required.split_whitespace() {
            let rate = t.usd_rate(code);
            assert!(rate.is_some_and(|r| r > 0.0), "{code}");
            let market = t.currency_market(code);
            assert!(market.is_some(), "{code}");
            let norm = market.and_then(|m| t.entry_monthly_usd(m));
            assert!(norm.is_some_and(|n| n > 0.0), "{code}");
        }
        assert_eq!(t.currency_market("PHP"), Some("PH"));
        assert_eq!(t.currency_market("php"), Some("PH"));
        assert_eq!(t.usd_rate("USD"), Some(1.0));
        assert_eq!(t.entry_monthly_usd("PH"), Some(350.0));
        assert_eq!(t.entry_monthly_usd("KH"), Some(250.0));
        assert_eq!(t.market_name("KH"), Some("Cambodia"));
        assert!(t.market_source("PH").is_some_and(|s| s.contains("9.4")));
        assert_eq!(t.usd_rate("XYZ"), None);
    }

    const SMALL: &str = r#"
        format = 1
        version = "t"
        as_of = "now"
        note = "approximate"
        [currency.USD]
        usd = 1.0
        market = "US"
        [market.US]
        name = "United States"
        entry_monthly_usd = 3000.0
        source = "test"
    "#;

    fn load_err(src: &str) -> String {
        match MoneyTable::from_toml_str(src) {
            Ok(_) => panic!("loaded: {src}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn loader_accepts_a_small_table() {
        let t = MoneyTable::from_toml_str(SMALL);
        assert!(t.is_ok_and(|t| t.usd_rate("usd") == Some(1.0)));
    }

    #[test]
    fn loader_rejects_wrong_format() {
        let e = load_err(&SMALL.replace("format = 1", "format = 2"));
        assert!(e.contains("format"), "{e}");
        let e = load_err(&SMALL.replace("format = 1", ""));
        assert!(e.contains("format"), "{e}");
    }

    #[test]
    fn loader_names_bad_currency() {
        let e = load_err(&SMALL.replace("usd = 1.0", "usd = -1.0"));
        assert!(e.contains("`USD`") && e.contains("positive"), "{e}");
        let e = load_err(&SMALL.replace("usd = 1.0", "usd = nan"));
        assert!(e.contains("`USD`"), "{e}");
        let e = load_err(&SMALL.replace("market = \"US\"", "market = \"XX\""));
        assert!(e.contains("`USD`") && e.contains("XX"), "{e}");
        let extra = format!("{SMALL}\n[currency.php]\nusd = 0.02\nmarket = \"US\"\n");
        let e = load_err(&extra);
        assert!(e.contains("`php`"), "{e}");
    }

    #[test]
    fn loader_names_bad_market() {
        let e = load_err(&SMALL.replace("entry_monthly_usd = 3000.0", "entry_monthly_usd = 0.0"));
        assert!(e.contains("`US`") && e.contains("entry_monthly_usd"), "{e}");
        let e = load_err(&SMALL.replace("name = \"United States\"", "name = \"\""));
        assert!(e.contains("`US`"), "{e}");
    }

    #[test]
    fn loader_rejects_unknown_fields_and_bad_toml() {
        let e = load_err(&SMALL.replace("usd = 1.0", "usd = 1.0\nrate = 2.0"));
        assert!(e.contains("rate"), "{e}");
        assert!(MoneyTable::from_toml_str("format = [").is_err());
        let e = load_err(&SMALL.replace("version = \"t\"", "version = \"\""));
        assert!(e.contains("version"), "{e}");
    }

    #[test]
    fn period_factors() {
        assert_eq!(Period::Hour.per_month_factor(), 173.0);
        assert_eq!(Period::Day.per_month_factor(), 26.0);
        assert_eq!(Period::Week.per_month_factor(), 4.33);
        assert_eq!(Period::Month.per_month_factor(), 1.0);
        assert!(close(Period::Year.per_month_factor() * 12.0, 1.0));
    }

    #[test]
    fn serializes_period_lowercase() {
        let s = expect_one("$20/hour", None, "USD", 20.0, 20.0, Hour);
        let json = toml::to_string(&s).unwrap_or_default();
        assert!(json.contains("period = \"hour\""), "{json}");
    }

    // ------------------------------------------------------------ properties

    fn check_invariants(text: &str, found: &[Salary]) {
        let mut last_end = 0;
        for s in found {
            assert!(s.start < s.end, "{text:?}: {s:?}");
            assert!(s.end <= text.len(), "{text:?}: {s:?}");
            assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            assert!(s.start >= last_end, "overlap in {text:?}: {found:?}");
            assert!(s.min > 0.0 && s.min <= s.max && s.max.is_finite());
            assert!(s.usd_per_month_min.is_finite() && s.usd_per_month_max.is_finite());
            last_end = s.end;
        }
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        const PIECES: &[&str] = &[
            "$",
            "US$",
            "₱",
            "P",
            "RM",
            "Rp",
            "₹",
            "Rs.",
            "KSh",
            "R$",
            "S/",
            "€",
            "¥",
            "₩",
            "元",
            "万",
            "萬",
            "千",
            "만",
            "억",
            "원",
            "円",
            "บาท",
            "หมื่น",
            "triệu",
            "tr",
            "củ",
            "juta",
            "jt",
            "rb",
            "lakh",
            "LPA",
            "k",
            "K",
            "mil",
            "U",
            "u",
            "USDT",
            "/",
            "-",
            "~",
            " ",
            "  ",
            ",",
            ".",
            "'",
            ":",
            "：",
            "%",
            "+",
            "/-",
            "per",
            "month",
            "a",
            "year",
            "/h",
            "tháng",
            "bulan",
            "เดือน",
            "月",
            "月薪",
            "底薪",
            "salary",
            "lương",
            "gaji",
            "월급",
            "월",
            "to",
            "đến",
            "0",
            "1",
            "5",
            "9",
            "00",
            "000",
            "１",
            "５",
            "０",
            "๕",
            "\u{301}",
            "\u{323}",
            "\u{200B}",
            "\u{3000}",
            "\u{FEFF}",
            "ज\u{93C}",
            "é",
            "🙂",
            "\n",
        ];

        fn fragment_soup() -> impl Strategy<Value = String> {
            prop::collection::vec(
                prop_oneof![
                    3 => prop::sample::select(PIECES).prop_map(str::to_string),
                    1 => "[0-9]{1,7}",
                    1 => any::<char>().prop_map(|c| c.to_string()),
                ],
                0..40,
            )
            .prop_map(|parts| parts.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn arbitrary_text_never_panics(text in "\\PC{0,120}") {
                for default in [None, Some("THB"), Some("zz")] {
                    let found = find_salaries(&text, MoneyTable::embedded(), default);
                    check_invariants(&text, &found);
                }
            }

            #[test]
            fn salary_like_text_never_panics(text in fragment_soup()) {
                for default in [None, Some("VND")] {
                    let found = find_salaries(&text, MoneyTable::embedded(), default);
                    check_invariants(&text, &found);
                }
            }
        }
    }
}
