//! The words around an amount: the salary word, period cue and currency that
//! stand before it ("月薪", "Salary (USD):", "월"), and the pay period after it
//! ("/month", "kada buwan", "/h").

use super::Period;
use super::markers::BOTH;
use super::patterns::{
    GAP_CURRENCY, PERIOD_AFTER, PERIOD_BEFORE, SALARY_WORD, SKIP_BEFORE_PERIOD, gap_ok,
    lookup_marker, lookup_period_cue, lookup_period_word, only_spacing,
};
use super::scan::{Context, Scanner, char_before, window_start};
use super::words::{SLASH, STRICT};

impl Scanner<'_> {
    /// The pay period written after the amount ("/month", "kada buwan"), and
    /// where it ends.
    pub(super) fn period_after(&self, from: usize) -> Option<(Period, usize)> {
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
    pub(super) fn context(&self, cur_start: usize, floor: usize) -> Context {
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
}

#[cfg(test)]
mod tests {
    use crate::features::salary::Period::Month;
    use crate::features::salary::tests::{expect_one, find};

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
}
