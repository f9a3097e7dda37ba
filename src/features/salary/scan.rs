//! The scanner: reads one salary mention around a number in the folded text.
//!
//! [`Scanner::mention_at`] puts the pieces together: the amount (or range) with
//! its currency markers ([`super::amount`]), the salary word and period cue
//! before it and the period after it ([`super::context`]), and the currency
//! that follows from them: a written marker, else one implied by the
//! multiplier, else the caller's default after a salary word.

use super::Period::{self, Month, Year};
use super::markers::{BIG, GENERIC, Marker, SOUTH_ASIA};
use super::number::{Mult, parse_number};
use super::patterns::COUNT_NOUN;
use super::table::table_key;

/// A currency marker found in the (folded) text.
#[derive(Clone, Copy)]
pub(super) struct Found {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) marker: &'static Marker,
}

/// One amount: number, multiplier and the currency written after it.
#[derive(Clone, Copy)]
pub(super) struct Side {
    pub(super) raw: f64,
    pub(super) factor: f64,
    pub(super) extra: f64,
    pub(super) grouped: bool,
    pub(super) mult: Option<&'static Mult>,
    /// End of the number and its multiplier.
    pub(super) end: usize,
    pub(super) suffix: Option<Found>,
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
pub(super) struct Context {
    pub(super) salary_word: bool,
    pub(super) period: Option<Period>,
    /// Start of the period cue when it stands right before the amount.
    pub(super) period_start: Option<usize>,
    pub(super) currency: Option<&'static Marker>,
}

/// A mention in folded-text offsets.
pub(super) struct Mention {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) currency: String,
    pub(super) min: f64,
    pub(super) max: f64,
    pub(super) period: Period,
    pub(super) period_stated: bool,
}

/// Reads mentions in one folded text.
pub(super) struct Scanner<'a> {
    /// The folded text.
    pub(super) s: &'a str,
    /// The caller's default currency code, upper case.
    default: Option<String>,
    /// The text has kana, so "¥" and "万" amounts are yen rather than yuan.
    kana: bool,
}

/// The character that ends just before byte `at`.
pub(super) fn char_before(s: &str, at: usize) -> Option<char> {
    s.get(..at).and_then(|head| head.chars().next_back())
}

/// The character that starts at byte `at`.
pub(super) fn char_at(s: &str, at: usize) -> Option<char> {
    s.get(at..).and_then(|tail| tail.chars().next())
}

/// Start of a look-back window of at most `max_back` bytes, not before `floor`.
pub(super) fn window_start(s: &str, end: usize, floor: usize, max_back: usize) -> usize {
    let mut lo = end.saturating_sub(max_back).max(floor).min(end);
    while lo < end && !s.is_char_boundary(lo) {
        lo += 1;
    }
    lo
}

impl<'a> Scanner<'a> {
    pub(super) fn new(s: &'a str, default_currency: Option<&str>) -> Scanner<'a> {
        Scanner {
            s,
            default: default_currency
                .map(table_key)
                .filter(|code| !code.is_empty()),
            kana: s.chars().any(|c| matches!(c, '\u{3040}'..='\u{30FF}')),
        }
    }

    /// The folded text from `from` on (empty when out of range).
    pub(super) fn rest(&self, from: usize) -> &'a str {
        self.s.get(from..).unwrap_or_default()
    }

    /// Tries to read a mention around the number starting at `num_start`;
    /// `Err` holds where scanning should resume.
    pub(super) fn mention_at(&self, num_start: usize, floor: usize) -> Result<Mention, usize> {
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
                // Pay quoted in lakh or crore with no period is a yearly package in South Asia.
                None if last.mult.is_some_and(|m| m.family == Some(SOUTH_ASIA)) => {
                    (Year, false, end)
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::salary::tests::expect_one;

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
        inr_lakh_no_period_is_yearly: "CTC ₹5 lakh" => "INR", 500_000, 500_000, Year;
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
    fn default_currency_settles_ambiguous_markers() {
        expect_one("Rs 50,000", Some("PKR"), "PKR", 50000.0, 50000.0, Month);
        expect_one("Rs 50,000", None, "INR", 50000.0, 50000.0, Month);
        expect_one("月薪6萬元", Some("TWD"), "TWD", 60000.0, 60000.0, Month);
        expect_one("Gaji 5 juta", Some("MYR"), "MYR", 5e6, 5e6, Month);
        expect_one("15,000 pesos", Some("MXN"), "MXN", 15000.0, 15000.0, Month);
    }
}
