//! Salary mentions in job ads, and their conversion to US dollars per month.
//!
//! **Where this sits in the pipeline:** the *features* stage. [`find_salaries`] pulls
//! every pay figure out of a field's text ("$1,500/month", "月薪3万", "15-20 triệu/tháng",
//! "₱45k", ...) and normalises each one to US dollars per month with the rates in
//! `models/money.toml` ([`MoneyTable`]). The derived signals
//! (`crate::features::signals`) then compare those figures with
//! [`MoneyTable::entry_monthly_usd`] of the origin and destination markets for the
//! `pay_far_above_norm` signal: lure offers cluster at US$700-4,000/month for entry roles
//! where genuine local pay is about US$150-800.
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
//! **Files.** `table` loads the money table; `fold` folds the text; `number`
//! parses digits and multipliers; `markers` and `words` hold the per-language
//! vocabulary (currency markers; period, salary and filler words); `patterns`
//! compiles that vocabulary into regexes and lookups; `scan` reads one mention
//! around a number, with `amount` reading the amount itself and `context` the
//! words around it.
//!
//! This module depends on no other crate module.

mod amount;
mod context;
mod fold;
mod markers;
mod number;
mod patterns;
mod scan;
mod table;
mod words;

use serde::Serialize;

use fold::Folded;
use number::digit_run_end;
use scan::{Mention, Scanner};

pub use table::{MoneyTable, MoneyTableError};

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

/// The mention as a [`Salary`] in source offsets and US dollars per month;
/// `None` when its currency has no rate or a figure is not sane.
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

#[cfg(test)]
mod tests {
    //! Tests of the public entry points; `find`, `close` and `expect_one` are
    //! shared with the tests of the submodules.

    use super::*;
    use Period::{Day, Hour, Month, Week, Year};

    pub(super) fn find(text: &str, default: Option<&str>) -> Vec<Salary> {
        find_salaries(text, MoneyTable::embedded(), default)
    }

    pub(super) fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
    }

    /// Exactly one mention, with this currency, range and period.
    pub(super) fn expect_one(
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
    fn currency_with_no_rate_is_dropped() {
        assert!(find("Salary: 25,000", Some("XYZ")).is_empty());
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
