//! The on-disk shape of `models/redflags.toml`, exactly as written by analysts.
//!
//! These types only describe the file; [`RuleSet`](super::RuleSet) checks them once and compiles
//! them into something that cannot be invalid.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The only file format this version reads.
pub const FORMAT: u32 = 1;

/// A whole rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// File format number; must be [`FORMAT`].
    pub format: u32,
    /// Version of the rule set, recorded with every score (for example `2026.11.0`).
    pub version: String,
    /// Free text about the rule set.
    #[serde(default)]
    pub description: String,
    /// Settings of the rule-based scorer.
    pub scoring: ScoringSection,
    /// The rules, in the order they are listed.
    #[serde(rename = "rule", default)]
    pub rules: Vec<RuleEntry>,
}

/// `[scoring]`: how rule weights become a score and a decision.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringSection {
    /// Log-odds of a lure before any rule fires.
    pub bias: f64,
    /// Score at or above which an ad is `flagged` for review.
    pub flag_threshold: f64,
    /// Score at or above which the risk band is `medium`.
    pub medium_threshold: f64,
    /// Score at or above which the risk band is `high`.
    pub high_threshold: f64,
}

/// Whether a rule raises or lowers the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    /// A sign of a lure.
    Risk,
    /// A sign of a legitimate ad.
    Protective,
}

/// One `[[rule]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleEntry {
    /// Stable identifier, `snake_case`, shown in every output.
    pub id: String,
    /// Family of the rule (`destination`, `fees_debt`, `legit`, ...).
    pub category: String,
    /// Risk or protective.
    pub polarity: Polarity,
    /// How much the rule moves the score (log-odds), greater than 0.
    pub weight: f64,
    /// Short title for lists.
    pub label: String,
    /// Plain-language explanation for an analyst.
    pub explanation: String,
    /// For signals computed from salaries or contacts instead of patterns: the signal's name.
    #[serde(default)]
    pub derived: Option<String>,
    /// Numeric settings of a derived signal.
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    /// Patterns per language key.
    #[serde(default)]
    pub patterns: BTreeMap<String, LanguagePatterns>,
}

/// `[rule.patterns.<language>]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguagePatterns {
    /// Phrases in the term syntax (see `term.rs`).
    #[serde(default)]
    pub terms: Vec<String>,
    /// Phrases whose matches cancel overlapping matches of this rule.
    #[serde(default)]
    pub except: Vec<String>,
    /// Raw regular expressions over normalised text.
    #[serde(default)]
    pub regex: Vec<String>,
    /// Sentences that must fire the rule.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Sentences that must not fire the rule.
    #[serde(default)]
    pub counterexamples: Vec<String>,
}

/// Language keys a rule file may use.
pub const LANGUAGES: &[&str] = &[
    "any", "en", "zh-Hans", "zh-Hant", "th", "vi", "id", "ms", "tl", "es", "pt", "sw", "hi", "ko",
    "ja", "km", "my", "lo", "ar", "bn", "ne", "si", "ur", "am", "ru", "fr",
];

/// Rule categories a rule file may use.
pub const CATEGORIES: &[&str] = &[
    "destination",
    "role",
    "compensation",
    "requirements",
    "benefits",
    "process",
    "channel",
    "travel_docs",
    "fees_debt",
    "coercion",
    "legit",
];
