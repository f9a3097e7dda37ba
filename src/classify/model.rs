//! The trained model: its file format, the checks made when loading it, and the scorer that
//! applies it.
//!
//! `models/model.json` holds logistic-regression weights over the columns described by its
//! [`FeatureConfig`], a Platt calibration (raw log-odds to a calibrated probability), the
//! operating threshold behind `flagged`, and the training metrics. It records the SHA-256 of the
//! rule file and tokenizer it was trained with; loading it beside different ones is refused with
//! an error that names the file that differs, because the columns would no longer mean what the
//! weights expect.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::vectorize::{FeatureConfig, SparseVector};
use super::{Assessment, Reason, Risk, Scorer, ScorerInfo};
use crate::features::Features;
use crate::features::rules::{Polarity, RuleSet};
use crate::features::tokens::Tokens;

/// The model file shipped in `models/`, compiled into the binary.
pub const EMBEDDED_MODEL: &str = include_str!("../../models/model.json");

/// The only model file format this version reads.
pub const MODEL_FORMAT: u32 = 1;

/// How many text terms an explanation lists in each direction.
const TERMS_EXPLAINED: usize = 4;

/// Why a model could not be loaded or used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file could not be read or written.
    #[error("model file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a model file.
    #[error("model file {origin} is corrupt or not a model: {message}")]
    Corrupt {
        /// Where it came from.
        origin: String,
        /// The parser's message.
        message: String,
    },
    /// The file's format is not the one this version reads.
    #[error(
        "model file {origin} has format {found}; this version of lurewatch reads format {MODEL_FORMAT}"
    )]
    Format {
        /// Where it came from.
        origin: String,
        /// The format found.
        found: u32,
    },
    /// The model was trained with another rule file or tokenizer.
    #[error(
        "model file {origin} was trained with a different {what} (model expects sha256 {expected}, \
         the {what} in use has {found}); retrain with `lurewatch train` or use the {what} it was trained with"
    )]
    Mismatch {
        /// Where it came from.
        origin: String,
        /// `rule file` or `tokenizer`.
        what: &'static str,
        /// Hash recorded in the model.
        expected: String,
        /// Hash of the file in use.
        found: String,
    },
    /// The weights do not fit the feature configuration.
    #[error("model file {origin} is inconsistent: {message}")]
    Inconsistent {
        /// Where it came from.
        origin: String,
        /// What does not fit.
        message: String,
    },
}

/// Platt scaling: `p = 1 / (1 + e^-(a·z + b))` for raw log-odds `z`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Slope.
    pub a: f64,
    /// Offset.
    pub b: f64,
}

impl Calibration {
    /// The calibrated probability of raw log-odds `z`.
    pub fn apply(&self, z: f64) -> f64 {
        1.0 / (1.0 + (-(self.a * z + self.b)).exp())
    }
}

/// The contents of a model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    /// File format; must be [`MODEL_FORMAT`].
    pub format: u32,
    /// Model version, recorded with every score.
    pub version: String,
    /// SHA-256 of the rule file the model was trained with.
    pub rules_sha256: String,
    /// Version of that rule file.
    pub rules_version: String,
    /// SHA-256 of the tokenizer file the model was trained with.
    pub tokenizer_sha256: String,
    /// The columns.
    pub features: FeatureConfig,
    /// One weight per column.
    pub weights: Vec<f64>,
    /// The intercept.
    pub intercept: f64,
    /// Raw log-odds to probability.
    pub calibration: Calibration,
    /// Calibrated probability at or above which an ad is flagged.
    pub threshold: f64,
    /// Calibrated probability at or above which the risk band is `medium` (below `threshold`).
    pub medium_threshold: f64,
    /// Calibrated probability at or above which the risk band is `high`.
    pub high_threshold: f64,
    /// How the model was trained and how it did in cross-validation.
    pub training: serde_json::Value,
}

impl ModelFile {
    /// Parses a model file; `origin` names it in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<ModelFile, ModelError> {
        #[derive(Deserialize)]
        struct Header {
            format: u32,
        }
        let header: Header = serde_json::from_str(text).map_err(|e| ModelError::Corrupt {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        if header.format != MODEL_FORMAT {
            return Err(ModelError::Format {
                origin: origin.to_string(),
                found: header.format,
            });
        }
        let model: ModelFile = serde_json::from_str(text).map_err(|e| ModelError::Corrupt {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        if model.weights.len() != model.features.dims() {
            return Err(ModelError::Inconsistent {
                origin: origin.to_string(),
                message: format!(
                    "{} weights for {} feature columns",
                    model.weights.len(),
                    model.features.dims()
                ),
            });
        }
        if !model.weights.iter().all(|w| w.is_finite()) || !model.intercept.is_finite() {
            return Err(ModelError::Inconsistent {
                origin: origin.to_string(),
                message: "weights are not all finite numbers".into(),
            });
        }
        Ok(model)
    }

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<ModelFile, ModelError> {
        let text = std::fs::read_to_string(path).map_err(|source| ModelError::Io {
            path: path.display().to_string(),
            source,
        })?;
        ModelFile::from_json(&text, &path.display().to_string())
    }

    /// Writes the model file (pretty JSON).
    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        let text = serde_json::to_string_pretty(self).map_err(|e| ModelError::Corrupt {
            origin: path.display().to_string(),
            message: e.to_string(),
        })?;
        std::fs::write(path, text + "\n").map_err(|source| ModelError::Io {
            path: path.display().to_string(),
            source,
        })
    }

    /// Checks that the model was trained with these rules and this tokenizer.
    pub fn check_compatible(
        &self,
        origin: &str,
        rules: &RuleSet,
        tokens: &Tokens,
    ) -> Result<(), ModelError> {
        let mismatch = |what, expected: &str, found: &str| ModelError::Mismatch {
            origin: origin.to_string(),
            what,
            expected: expected.to_string(),
            found: found.to_string(),
        };
        if self.rules_sha256 != rules.sha256() {
            return Err(mismatch("rule file", &self.rules_sha256, rules.sha256()));
        }
        if self.tokenizer_sha256 != tokens.sha256() {
            return Err(mismatch(
                "tokenizer",
                &self.tokenizer_sha256,
                tokens.sha256(),
            ));
        }
        Ok(())
    }

    /// Raw log-odds of a vector.
    pub fn logit(&self, vector: &SparseVector) -> f64 {
        self.intercept + vector.dot(&self.weights)
    }
}

/// Applies a [`ModelFile`] to features; explains each score by its largest contributions.
#[derive(Debug, Clone)]
pub struct ModelScorer {
    model: ModelFile,
    /// Label and polarity of each named column.
    named: Vec<(String, Polarity)>,
}

impl ModelScorer {
    /// A scorer for a model known to fit `rules` and the tokenizer in use (see
    /// [`ModelFile::check_compatible`]).
    pub fn new(model: ModelFile, rules: &RuleSet) -> ModelScorer {
        let named = model
            .features
            .named
            .iter()
            .map(
                |name| match name.strip_prefix("rule:").and_then(|id| rules.get(id)) {
                    Some(rule) => (rule.label.clone(), rule.polarity),
                    None => (
                        FeatureConfig::describe_extra(name)
                            .unwrap_or(name)
                            .to_string(),
                        Polarity::Risk,
                    ),
                },
            )
            .collect();
        ModelScorer { model, named }
    }

    /// The model applied.
    pub fn model(&self) -> &ModelFile {
        &self.model
    }

    fn risk(&self, p: f64) -> Risk {
        if p >= self.model.high_threshold {
            Risk::High
        } else if p >= self.model.medium_threshold {
            Risk::Medium
        } else {
            Risk::Low
        }
    }

    /// Contributions of named features and of the ad's text terms, largest first.
    fn reasons(&self, vector: &SparseVector, features: &Features) -> Vec<Reason> {
        let config = &self.model.features;
        let named_len = config.named.len() as u32;
        let mut reasons: Vec<Reason> = Vec::new();
        for (&i, &x) in vector.indices.iter().zip(&vector.values) {
            if i >= named_len {
                continue;
            }
            let contribution = self.model.weights[i as usize] * x;
            if contribution.abs() < 0.05 {
                continue;
            }
            let (label, polarity) = &self.named[i as usize];
            let id = config.named[i as usize].clone();
            // A rule whose weight came out against its own meaning (a risk sign lowering the
            // score) is standing in for a correlated feature; it explains nothing to a reader.
            let against = match polarity {
                Polarity::Risk => contribution < 0.0 && id.starts_with("rule:"),
                Polarity::Protective => contribution > 0.0,
            };
            if against {
                continue;
            }
            reasons.push(Reason {
                id: id.strip_prefix("rule:").unwrap_or(&id).to_string(),
                label: label.clone(),
                polarity: if contribution > 0.0 {
                    Polarity::Risk
                } else {
                    Polarity::Protective
                },
                contribution,
            });
        }
        reasons.extend(self.term_reasons(vector, features));
        reasons.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
        reasons
    }

    /// The text n-grams of this ad whose columns moved the score most, shown as the whole words
    /// of the (normalised) ad text they fall in.
    fn term_reasons(&self, vector: &SparseVector, features: &Features) -> Vec<Reason> {
        let config = &self.model.features;
        if config.text_dims == 0 {
            return Vec::new();
        }
        let named_len = config.named.len() as u32;
        let tokens = &features.tokens;
        let mut seen_buckets = std::collections::HashSet::new();
        let mut terms: Vec<(f64, String)> = Vec::new();
        for (start, len) in (0..tokens.len()).map(|i| (i, 1)).chain(
            (0..tokens.len().saturating_sub(1))
                .filter(|_| config.ngram >= 2)
                .map(|i| (i, 2)),
        ) {
            let bucket = config.bucket(&tokens[start..start + len]);
            if !seen_buckets.insert(bucket) {
                continue;
            }
            let Ok(k) = vector.indices.binary_search(&(named_len + bucket)) else {
                continue;
            };
            let contribution = self.model.weights[(named_len + bucket) as usize] * vector.values[k];
            if contribution.abs() < 0.05 {
                continue;
            }
            let Some(words) = words_around(features, start, start + len - 1) else {
                continue;
            };
            if words.chars().filter(|c| c.is_alphabetic()).count() >= 3
                && !terms.iter().any(|(_, w)| *w == words)
            {
                terms.push((contribution, words));
            }
        }
        terms.sort_by(|a, b| b.0.total_cmp(&a.0));
        let up = terms.iter().take(TERMS_EXPLAINED).filter(|(c, _)| *c > 0.0);
        let down = terms
            .iter()
            .rev()
            .take(TERMS_EXPLAINED)
            .filter(|(c, _)| *c < 0.0);
        up.chain(down)
            .map(|(c, text)| Reason {
                id: format!("text:{text}"),
                label: format!("the words \"{text}\""),
                polarity: if *c > 0.0 {
                    Polarity::Risk
                } else {
                    Polarity::Protective
                },
                contribution: *c,
            })
            .collect()
    }
}

/// The ad's own words that tokens `first..=last` fall in: their range of the normalised text,
/// widened to the spaces around it for Latin words, mapped back to the original field.
fn words_around(features: &Features, first: usize, last: usize) -> Option<String> {
    let text = features.token_text.as_str();
    let (mut start, _) = *features.token_offsets.get(first)?;
    let (_, mut end) = *features.token_offsets.get(last)?;
    let wordlike = |c: char| c.is_ascii_alphanumeric();
    while let Some(c) = text.get(..start).and_then(|t| t.chars().next_back()) {
        if !wordlike(c) {
            break;
        }
        start -= c.len_utf8();
    }
    while let Some(c) = text.get(end..).and_then(|t| t.chars().next()) {
        if !wordlike(c) {
            break;
        }
        end += c.len_utf8();
    }
    let original = features.original_text(start..end)?;
    let words: String = original
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .chars()
        .take(40)
        .collect();
    (!words.is_empty()).then_some(words)
}

impl Scorer for ModelScorer {
    fn info(&self) -> ScorerInfo {
        ScorerInfo {
            name: "model".into(),
            version: self.model.version.clone(),
        }
    }

    fn threshold(&self) -> f64 {
        self.model.threshold
    }

    fn assess(&self, features: &Features) -> Assessment {
        let vector = self.model.features.vectorize(features, &features.tokens);
        let z = self.model.logit(&vector);
        let score = self.model.calibration.apply(z);
        Assessment {
            score,
            flagged: score >= self.model.threshold,
            risk: self.risk(score),
            reasons: self.reasons(&vector, features),
        }
    }
}
