//! TEMPORARY STUB, replaced by the salary module being written.
use serde::Serialize;
use std::sync::OnceLock;
#[derive(Debug, Clone, Default)]
pub struct MoneyTable {}
impl MoneyTable {
    pub fn embedded() -> &'static MoneyTable {
        static T: OnceLock<MoneyTable> = OnceLock::new();
        T.get_or_init(MoneyTable::default)
    }
    pub fn usd_rate(&self, _c: &str) -> Option<f64> {
        None
    }
    pub fn currency_market(&self, _c: &str) -> Option<&str> {
        None
    }
    pub fn entry_monthly_usd(&self, _m: &str) -> Option<f64> {
        None
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Hour,
    Day,
    Week,
    Month,
    Year,
}
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Salary {
    pub start: usize,
    pub end: usize,
    pub currency: String,
    pub min: f64,
    pub max: f64,
    pub period: Period,
    pub period_stated: bool,
    pub usd_per_month_min: f64,
    pub usd_per_month_max: f64,
}
pub fn find_salaries(_t: &str, _m: &MoneyTable, _d: Option<&str>) -> Vec<Salary> {
    Vec::new()
}
