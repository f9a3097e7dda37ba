//! Red-flag rules as data: loading, checking and matching `models/redflags.toml`.
//!
//! Each rule is a family of signs of a scam-centre lure (or of a legitimate ad), with a weight, a
//! plain-language explanation and phrases per language. A [`RuleSet`] is built once from a file,
//! refusing it with every problem named (rule, language, term, reason), and then finds matches
//! in normalised text, reporting each as a byte range of the ad's own text.
//!
//! Rules whose `derived` key is set have no phrases: the features stage computes them from
//! salaries and contacts, and the rule only carries their weight and explanation.

mod check;
pub mod file;
pub mod term;

use std::ops::Range;
use std::path::Path;

use regex::Regex;
use sha2::{Digest, Sha256};

pub use check::{Problem, check_examples};
pub use file::{Polarity, ScoringSection};

use crate::features::normalize::Normalized;

/// The rule file shipped in `models/`, compiled into the binary.
pub const EMBEDDED_RULES: &str = include_str!("../../../models/redflags.toml");

/// Derived signals the features stage knows how to compute.
pub const DERIVED_SIGNALS: &[&str] = &[
    "pay_far_above_norm",
    "messaging_only_contact",
    "no_employer_named",
];

/// Why a rule file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The file could not be read.
    #[error("cannot read rule file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not have the expected shape.
    #[error("rule file {origin} is not valid: {message}")]
    Syntax {
        /// Where the text came from.
        origin: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The file parsed but some rules are wrong.
    #[error("rule file {origin} has {} problem(s):\n{}", problems.len(), problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// Where the text came from.
        origin: String,
        /// Every problem found.
        problems: Vec<Problem>,
    },
}

/// One checked rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable identifier.
    pub id: String,
    /// Family of the rule.
    pub category: String,
    /// Risk or protective.
    pub polarity: Polarity,
    /// How much the rule moves the score, greater than 0.
    pub weight: f64,
    /// Short title.
    pub label: String,
    /// Plain-language explanation for an analyst.
    pub explanation: String,
    /// The derived signal this rule stands for, if it has no patterns.
    pub derived: Option<String>,
    /// Settings of a derived signal.
    pub params: std::collections::BTreeMap<String, f64>,
    /// Languages that have patterns for this rule.
    pub languages: Vec<String>,
    matcher: Option<Matcher>,
}

/// The compiled patterns of one rule.
#[derive(Debug, Clone)]
struct Matcher {
    terms: Regex,
    except: Option<Regex>,
}

impl Matcher {
    /// Matches in normalised text, minus those an `except` match overlaps.
    fn find(&self, text: &str) -> Vec<Range<usize>> {
        let excepted: Vec<Range<usize>> = match &self.except {
            Some(except) => except.find_iter(text).map(|m| m.range()).collect(),
            None => Vec::new(),
        };
        self.terms
            .find_iter(text)
            .map(|m| m.range())
            .filter(|r| !r.is_empty())
            .filter(|r| !excepted.iter().any(|e| e.start < r.end && r.start < e.end))
            .collect()
    }
}

/// A match of a rule: which rule, and where in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMatch {
    /// Index of the rule in [`RuleSet::rules`].
    pub rule: usize,
    /// Byte range in the original (not normalised) text.
    pub range: Range<usize>,
}

/// A checked, compiled rule file.
#[derive(Debug, Clone)]
pub struct RuleSet {
    version: String,
    sha256: String,
    scoring: ScoringSection,
    rules: Vec<Rule>,
}

impl RuleSet {
    /// The rule file shipped with this build.
    ///
    /// The shipped file is checked by the test suite, so this only fails if the build was made
    /// from a broken checkout.
    pub fn embedded() -> Result<RuleSet, RulesError> {
        RuleSet::from_toml_str(EMBEDDED_RULES, "embedded models/redflags.toml")
    }

    /// Reads and checks a rule file.
    pub fn load(path: &Path) -> Result<RuleSet, RulesError> {
        let text = std::fs::read_to_string(path).map_err(|source| RulesError::Io {
            path: path.display().to_string(),
            source,
        })?;
        RuleSet::from_toml_str(&text, &path.display().to_string())
    }

    /// Parses and checks rule-file text; `origin` names it in errors.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<RuleSet, RulesError> {
        let file: file::RuleFile = toml::from_str(text).map_err(|e| RulesError::Syntax {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        let (rules, problems) = check::check_and_compile(&file);
        if !problems.is_empty() {
            return Err(RulesError::Invalid {
                origin: origin.to_string(),
                problems,
            });
        }
        Ok(RuleSet {
            version: file.version.clone(),
            sha256: hex(&Sha256::digest(text.as_bytes())),
            scoring: file.scoring,
            rules,
        })
    }

    /// The rule set's `version`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// SHA-256 of the rule file's text, hex-encoded: a model records it to detect a changed file.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Settings of the rule-based scorer.
    pub fn scoring(&self) -> &ScoringSection {
        &self.scoring
    }

    /// All rules, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The index of the rule for a derived signal.
    pub fn derived(&self, signal: &str) -> Option<usize> {
        self.rules
            .iter()
            .position(|r| r.derived.as_deref() == Some(signal))
    }

    /// Finds every rule match in `text`, ordered by position; ranges are in the original text.
    ///
    /// Each rule's regex runs on its own: one `RegexSet` over all rules is a far larger automaton
    /// whose lazy DFA keeps overflowing its cache and falls back to the slow PikeVM (measured
    /// ten times slower on the corpus).
    pub fn find(&self, text: &Normalized) -> Vec<RuleMatch> {
        let normalized = text.as_str();
        let mut out = Vec::new();
        for (rule, r) in self.rules.iter().enumerate() {
            let Some(matcher) = &r.matcher else {
                continue;
            };
            for range in matcher.find(normalized) {
                out.push(RuleMatch {
                    rule,
                    range: text.source_range(range),
                });
            }
        }
        out.sort_by_key(|m| (m.range.start, m.rule));
        out
    }

    /// Matches of one rule in `text`, as ranges of the normalised text. Used to check examples.
    fn find_rule(&self, rule: usize, normalized: &str) -> Vec<Range<usize>> {
        match &self.rules[rule].matcher {
            Some(m) => m.find(normalized),
            None => Vec::new(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
pub(crate) mod tests_support {
    //! A small rule file shared by tests.

    /// A valid rule file with two pattern rules and one derived rule.
    pub(crate) const SMALL: &str = r#"
format = 1
version = "test.1"
[scoring]
bias = -3.0
flag_threshold = 0.5
medium_threshold = 0.3
high_threshold = 0.7

[[rule]]
id = "passport_handover"
category = "travel_docs"
polarity = "risk"
weight = 2.5
label = "Passport handed over"
explanation = "Asks for your passport."
[rule.patterns.en]
terms = ["(send|submit) * (copy|photo) of (your|the) passport", "passport .. (keep|kept|hold)"]
except = ["never .. passport"]
examples = ["Send a copy of your passport by chat."]
counterexamples = ["A valid passport is required.", "We never keep your passport."]
[rule.patterns.zh-Hans]
terms = ["护照 .. 保管"]
examples = ["到达后护照由公司统一保管"]

[[rule]]
id = "no_worker_fees"
category = "legit"
polarity = "protective"
weight = 1.5
label = "No fees"
explanation = "No fees."
[rule.patterns.en]
terms = ["no placement fee*"]

[[rule]]
id = "pay_far_above_norm"
category = "compensation"
polarity = "risk"
weight = 1.8
label = "Pay far above the norm"
explanation = "Pay."
derived = "pay_far_above_norm"
params = { ratio = 2.5, skilled_multiplier = 3.0 }
"#;
}

#[cfg(test)]
mod tests {
    use super::tests_support::SMALL;
    use super::*;
    use crate::features::normalize::normalize;

    #[test]
    fn a_valid_file_loads_and_finds_matches_in_the_original_text() {
        let rules = RuleSet::from_toml_str(SMALL, "test").unwrap();
        assert_eq!(rules.version(), "test.1");
        assert_eq!(rules.rules().len(), 3);
        let ad = "Please SEND A PH0TO OF YOUR P@SSPORT, no placement fees!";
        let found = rules.find(&normalize(ad));
        let evidence: Vec<(&str, &str)> = found
            .iter()
            .map(|m| (rules.rules()[m.rule].id.as_str(), &ad[m.range.clone()]))
            .collect();
        assert_eq!(
            evidence,
            vec![
                ("passport_handover", "SEND A PH0TO OF YOUR P@SSPORT"),
                ("no_worker_fees", "no placement fees")
            ]
        );
    }

    #[test]
    fn except_terms_cancel_overlapping_matches() {
        let sentence = "We never ask for your passport to keep it.";
        let without_except = SMALL.replace("except = [\"never .. passport\"]\n", "");
        let plain = RuleSet::from_toml_str(&without_except, "test").unwrap();
        assert_eq!(
            plain.find(&normalize(sentence)).len(),
            1,
            "the terms alone fire"
        );
        let rules = RuleSet::from_toml_str(SMALL, "test").unwrap();
        assert!(
            rules.find(&normalize(sentence)).is_empty(),
            "the except cancels it"
        );
    }

    #[test]
    fn derived_rules_are_found_by_signal_name() {
        let rules = RuleSet::from_toml_str(SMALL, "test").unwrap();
        let i = rules.derived("pay_far_above_norm").unwrap();
        assert_eq!(rules.rules()[i].params["ratio"], 2.5);
    }

    #[test]
    fn the_file_hash_changes_with_the_text() {
        let a = RuleSet::from_toml_str(SMALL, "a").unwrap();
        let b = RuleSet::from_toml_str(&SMALL.replace("test.1", "test.2"), "b").unwrap();
        assert_ne!(a.sha256(), b.sha256());
        assert_eq!(a.sha256().len(), 64);
    }

    #[test]
    fn syntax_errors_name_the_origin_and_line() {
        let err = RuleSet::from_toml_str("format = 1\nversion = \n", "bad.toml").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("bad.toml"), "{text}");
        assert!(text.contains("line 2"), "{text}");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let text = SMALL.replace("weight = 2.5", "weight = 2.5\nwieght = 1");
        let err = RuleSet::from_toml_str(&text, "t").unwrap_err().to_string();
        assert!(err.contains("wieght"), "{err}");
    }
}
