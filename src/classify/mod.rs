//! Stage 3 of the pipeline: classify. Scores an ad's features as a possible trafficking lure and
//! says why.
//!
//! A [`Scorer`] turns [`Features`] into an [`Assessment`]: a score between 0 and 1, the
//! `flagged` decision, a risk band and the reasons that moved the score. [`Classifier`] runs the
//! features stage and a scorer on an [`Ad`] and returns the [`ScoredAd`] record that `score`,
//! `check` and the feed write out. The scorer is swappable: [`RuleScorer`] weighs red-flag rules;
//! a trained model plugs in behind the same trait.

pub mod extra;
pub mod metrics;
pub mod model;
pub mod plot;
mod rule_scorer;
pub mod train;
pub mod vectorize;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use rule_scorer::RuleScorer;

use crate::ad::Ad;
use crate::features::rules::{Polarity, RuleSet, RulesError};
use crate::features::salary::MoneyTable;
use crate::features::signals::PayComparison;
use crate::features::tokens::{Tokens, TokensError};
use crate::features::{Extractor, Features, Flag, FoundEntity, FoundSalary};
use model::{EMBEDDED_MODEL, ModelError, ModelFile, ModelScorer};

/// What every flagged record says about itself.
pub const REVIEW_NOTE: &str = "A lead for human review, not proof of trafficking or wrongdoing.";

/// Risk band of a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    /// Few or no signs of a lure.
    Low,
    /// Some signs; worth a look when time allows.
    Medium,
    /// Strong signs; review first.
    High,
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        })
    }
}

/// One thing that moved the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The rule or feature id.
    pub id: String,
    /// Its short title.
    pub label: String,
    /// Which way it pushed.
    pub polarity: Polarity,
    /// How far it pushed, in log-odds (positive raises the score).
    pub contribution: f64,
}

/// A scorer's verdict on one ad.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Score between 0 and 1; higher means more like a lure.
    pub score: f64,
    /// Whether the ad should be sent for human review.
    pub flagged: bool,
    /// Risk band.
    pub risk: Risk,
    /// What moved the score, largest effect first.
    pub reasons: Vec<Reason>,
}

/// Which scorer produced a score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorerInfo {
    /// Kind of scorer (`rules`, or the model's name).
    pub name: String,
    /// Version of the scorer's data (rule-set or model version).
    pub version: String,
}

/// Scores features. Implementations must be cheap to call from many threads.
pub trait Scorer: Send + Sync + fmt::Debug {
    /// Which scorer this is.
    fn info(&self) -> ScorerInfo;
    /// Scores one ad's features.
    fn assess(&self, features: &Features) -> Assessment;
    /// The score at or above which an ad is flagged.
    fn threshold(&self) -> f64;
}

/// An ad with its score, flags, entities and explanation: the record `score` writes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoredAd {
    /// The ad as read, with unknown input fields passed through.
    #[serde(flatten)]
    pub ad: Ad,
    /// Score between 0 and 1 (written with four decimals).
    #[serde(serialize_with = "four_decimals")]
    pub score: f64,
    /// Whether the ad is a lead for review.
    pub flagged: bool,
    /// Risk band.
    pub risk: Risk,
    /// Red flags and protective signals with evidence.
    pub flags: Vec<Flag>,
    /// Contacts and links, normalised.
    pub entities: Vec<FoundEntity>,
    /// Salary amounts, converted to USD a month.
    pub salaries: Vec<FoundSalary>,
    /// Pay compared with the norm, when it could be judged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay: Option<PayComparison>,
    /// What moved the score, largest effect first.
    pub reasons: Vec<Reason>,
    /// Which scorer produced the score.
    pub scorer: ScorerInfo,
    /// Reminder that a flag is a lead, present on flagged ads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

/// Why a classifier could not be built from its files.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The rule file.
    #[error(transparent)]
    Rules(#[from] RulesError),
    /// The tokenizer.
    #[error(transparent)]
    Tokens(#[from] TokensError),
    /// The model.
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// Features stage plus a scorer: what turns an [`Ad`] into a [`ScoredAd`].
#[derive(Debug)]
pub struct Classifier {
    extractor: Extractor,
    scorer: Box<dyn Scorer>,
}

impl Classifier {
    /// A classifier from its parts.
    pub fn new(extractor: Extractor, scorer: Box<dyn Scorer>) -> Classifier {
        Classifier { extractor, scorer }
    }

    /// The rule-based classifier built from a rule set and the shipped money table.
    pub fn with_rules(rules: RuleSet) -> Classifier {
        let scorer = RuleScorer::new(&rules);
        let extractor = Extractor::new(rules, MoneyTable::embedded().clone());
        Classifier::new(extractor, Box::new(scorer))
    }

    /// The trained classifier: a model applied to features from `rules` and `tokens`. Refuses a
    /// model trained with another rule file or tokenizer.
    pub fn with_model(
        rules: RuleSet,
        tokens: Tokens,
        model: ModelFile,
        origin: &str,
    ) -> Result<Classifier, ModelError> {
        model.check_compatible(origin, &rules, &tokens)?;
        let scorer = ModelScorer::new(model, &rules);
        let extractor = Extractor::new(rules, MoneyTable::embedded().clone()).with_tokens(tokens);
        Ok(Classifier::new(extractor, Box::new(scorer)))
    }

    /// The trained classifier built from the files shipped in `models/` (rules, tokenizer,
    /// model), all compiled into the binary.
    pub fn embedded() -> Result<Classifier, LoadError> {
        Classifier::load(RuleSet::embedded()?, None, None)
    }

    /// The trained classifier from these rules and the tokenizer and model files given, or the
    /// ones compiled into the binary where a path is absent.
    pub fn load(
        rules: RuleSet,
        tokenizer: Option<&std::path::Path>,
        model: Option<&std::path::Path>,
    ) -> Result<Classifier, LoadError> {
        let tokens = match tokenizer {
            Some(path) => Tokens::load(path)?,
            None => Tokens::embedded()?,
        };
        let (model, origin) = match model {
            Some(path) => (ModelFile::load(path)?, path.display().to_string()),
            None => (
                ModelFile::from_json(EMBEDDED_MODEL, "built-in models/model.json")?,
                "built-in models/model.json".to_string(),
            ),
        };
        Ok(Classifier::with_model(rules, tokens, model, &origin)?)
    }

    /// The rule-based classifier from the shipped rule file.
    pub fn embedded_rules() -> Result<Classifier, RulesError> {
        Ok(Classifier::with_rules(RuleSet::embedded()?))
    }

    /// The features stage in use.
    pub fn extractor(&self) -> &Extractor {
        &self.extractor
    }

    /// Which scorer is in use.
    pub fn scorer_info(&self) -> ScorerInfo {
        self.scorer.info()
    }

    /// The score at or above which an ad is flagged.
    pub fn threshold(&self) -> f64 {
        self.scorer.threshold()
    }

    /// Extracts features from an ad and scores it.
    pub fn classify(&self, mut ad: Ad) -> ScoredAd {
        set_aside_output_names(&mut ad);
        let features = self.extractor.extract(&ad);
        let assessment = self.scorer.assess(&features);
        ScoredAd {
            ad,
            score: assessment.score,
            flagged: assessment.flagged,
            risk: assessment.risk,
            flags: features.flags,
            entities: features.entities,
            salaries: features.salaries,
            pay: features.pay,
            reasons: assessment.reasons,
            scorer: self.scorer.info(),
            note: assessment.flagged.then_some(REVIEW_NOTE),
        }
    }
}

fn four_decimals<S: serde::Serializer>(x: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((x * 10_000.0).round() / 10_000.0)
}

/// Names of the fields a scored record adds to the ad.
const OUTPUT_FIELDS: &[&str] = &[
    "score", "flagged", "risk", "flags", "entities", "salaries", "pay", "reasons", "scorer", "note",
];

/// Input fields named like the fields scoring adds (an already scored file scored again) are
/// kept as `input_<name>`, so the output never holds a key twice.
fn set_aside_output_names(ad: &mut Ad) {
    for name in OUTPUT_FIELDS {
        if let Some(value) = ad.extra.remove(*name) {
            ad.extra.insert(format!("input_{name}"), value);
        }
    }
}
