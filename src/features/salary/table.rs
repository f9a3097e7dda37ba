//! The money table: US-dollar exchange rates and entry-level monthly pay per
//! market, loaded from `models/money.toml` and checked once.
//!
//! [`MoneyTable::embedded`] parses the shipped file the first time it is asked
//! for; [`MoneyTable::from_toml_str`] reads any table in the same format and
//! names the key that is wrong when it is not valid. The scanner reads only the
//! rates; the scorer reads the pay norms.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

const EMBEDDED_TABLE: &str = include_str!("../../../models/money.toml");
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

pub(super) fn table_key(code: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
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
}
