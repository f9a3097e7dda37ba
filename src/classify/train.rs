//! Training and cross-validation of the classifier.
//!
//! 1. Every labelled ad goes through the features stage once (rules, entities, salary).
//! 2. Grouped K-fold cross-validation: ads of one `group` (one template, one writing pass, or
//!    near-duplicates) always fall in the same fold. In each fold a tokenizer is trained on the
//!    training part only, the ads are vectorised, linfa's logistic regression is fitted, and the
//!    held-out ads get raw scores. Nothing about a held-out ad is seen before it is scored.
//! 3. Platt calibration is fitted on those out-of-fold scores, and the operating threshold is the
//!    lowest calibrated score whose out-of-fold precision reaches the target (0.9). The reported
//!    metrics are cross-fitted: each fold is calibrated and thresholded on the other folds'
//!    scores only, so the threshold is never graded on the scores that chose it.
//! 4. The final tokenizer and model are trained on all ads; the calibration, threshold and
//!    cross-validated metrics come from step 2 and 3.
//!
//! Everything is deterministic: folds come from a hash of the group name, the tokenizer trainer
//! and L-BFGS are deterministic, and parallel steps keep their order.

use linfa::Dataset;
use linfa::traits::Fit;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2, ShapeBuilder};
use rayon::prelude::*;
use serde_json::json;

use super::metrics::{self, Metrics, Prediction};
use super::model::{Calibration, MODEL_FORMAT, ModelFile};
use super::vectorize::{FeatureConfig, FeatureSet, SparseVector};
use crate::ad::Ad;
use crate::features::rules::RuleSet;
use crate::features::salary::MoneyTable;
use crate::features::tokens::{Tokens, TokensError};
use crate::features::{Extractor, Features, tokenizer_input};

/// A labelled ad from the corpus.
#[derive(Debug, Clone)]
pub struct LabelledAd {
    /// The ad.
    pub ad: Ad,
    /// Labelled a lure (`label = "lure"`) or legitimate (`"legit"`).
    pub lure: bool,
    /// Its language.
    pub language: String,
    /// Its kind.
    pub kind: String,
    /// Its group: ads from one template or pass share one and never straddle folds.
    pub group: String,
}

impl LabelledAd {
    /// Reads the label, kind and group from the ad's extra fields (and `language`). An ad without
    /// a group is its own group.
    pub fn from_ad(ad: Ad) -> Result<LabelledAd, String> {
        let text = |key: &str| {
            ad.extra
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let lure = match text("label").as_deref() {
            Some("lure") => true,
            Some("legit") => false,
            Some(other) => {
                return Err(format!("field `label` is `{other}`, not `lure` or `legit`"));
            }
            None => return Err("field `label` is missing".into()),
        };
        Ok(LabelledAd {
            lure,
            language: ad.language.clone().unwrap_or_else(|| "unknown".into()),
            kind: text("kind").unwrap_or_else(|| if lure { "lure" } else { "legit" }.to_string()),
            group: text("group").unwrap_or_else(|| ad.id.clone()),
            ad,
        })
    }
}

/// Why a labelled file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A record is unusable.
    #[error("{path}, line {line}: {message}")]
    Record {
        /// The file.
        path: String,
        /// The record's line.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// Reads labelled ads from a JSON Lines file; any unusable record is an error naming its line
/// (a training set with silently dropped records would not be reproducible).
pub fn read_labelled(path: &std::path::Path) -> Result<Vec<LabelledAd>, CorpusError> {
    use crate::ad::read::{Format, Limits, records};
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| CorpusError::Io {
        path: name.clone(),
        source,
    })?;
    let reader = std::io::BufReader::new(file);
    let mut out = Vec::new();
    for record in records(reader, Format::Jsonl, Limits::default()) {
        let record = record.map_err(|e| CorpusError::Record {
            path: name.clone(),
            line: 0,
            message: e.to_string(),
        })?;
        let error = |message: String| CorpusError::Record {
            path: name.clone(),
            line: record.line,
            message,
        };
        let ad = record.ad.clone().map_err(|e| error(e.to_string()))?;
        out.push(LabelledAd::from_ad(ad).map_err(error)?);
    }
    Ok(out)
}

/// Settings of a training run.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// Tokenizer vocabulary size.
    pub vocab_size: u32,
    /// Hashed text columns.
    pub text_dims: u32,
    /// L2 penalty of the logistic regression.
    pub alpha: f64,
    /// Cross-validation folds.
    pub folds: usize,
    /// Precision the threshold must reach in cross-validation.
    pub min_precision: f64,
    /// L-BFGS iterations.
    pub max_iterations: u64,
    /// Which features to use.
    pub features: FeatureSet,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            vocab_size: 8000,
            text_dims: 4096,
            alpha: 1.0,
            folds: 5,
            min_precision: 0.9,
            max_iterations: 200,
            features: FeatureSet::Combined,
        }
    }
}

/// Why training failed.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// Too few ads, or only one label, to train or to cross-validate.
    #[error("cannot train: {0}")]
    Data(String),
    /// The tokenizer could not be trained.
    #[error(transparent)]
    Tokens(#[from] TokensError),
    /// The logistic regression failed.
    #[error("logistic regression: {0}")]
    Fit(String),
}

/// The result of cross-validation.
#[derive(Debug, Clone)]
pub struct CrossValidation {
    /// Out-of-fold predictions, calibrated on the other folds, in the order of the ads.
    pub predictions: Vec<Prediction>,
    /// The calibration fitted on the out-of-fold scores.
    pub calibration: Calibration,
    /// The threshold chosen for the target precision.
    pub threshold: f64,
    /// Metrics of the out-of-fold predictions, each fold judged with the calibration and
    /// threshold of the other folds.
    pub metrics: Metrics,
}

/// A trained tokenizer and model, with the cross-validation behind its calibration.
#[derive(Debug, Clone)]
pub struct Trained {
    /// The tokenizer trained on all ads.
    pub tokens: Tokens,
    /// The model.
    pub model: ModelFile,
    /// The cross-validation.
    pub cv: CrossValidation,
}

/// Features of every ad (without tokens) and the text the tokenizer reads.
struct Prepared {
    features: Vec<Features>,
    texts: Vec<String>,
    labels: Vec<bool>,
}

fn prepare(ads: &[LabelledAd], rules: &RuleSet, money: &MoneyTable) -> Prepared {
    let extractor = Extractor::new(rules.clone(), money.clone());
    let (features, texts): (Vec<Features>, Vec<String>) = ads
        .par_iter()
        .map(|a| (extractor.extract(&a.ad), tokenizer_input(&a.ad)))
        .unzip();
    Prepared {
        features,
        texts,
        labels: ads.iter().map(|a| a.lure).collect(),
    }
}

/// Assigns each ad a fold so that a group never spans two folds: groups are ordered by a hash
/// of their name and dealt, largest first, to the fold with the fewest ads.
pub fn grouped_folds(ads: &[LabelledAd], k: usize) -> Vec<usize> {
    let mut sizes: std::collections::BTreeMap<&str, usize> = Default::default();
    for a in ads {
        *sizes.entry(a.group.as_str()).or_default() += 1;
    }
    let mut groups: Vec<(&str, usize)> = sizes.into_iter().collect();
    groups.sort_by_key(|(g, n)| (std::cmp::Reverse(*n), fnv(g)));
    let mut load = vec![0usize; k];
    let mut fold_of: std::collections::HashMap<&str, usize> = Default::default();
    for (g, n) in groups {
        let fold = (0..k).min_by_key(|&f| (load[f], f)).unwrap_or(0);
        load[fold] += n;
        fold_of.insert(g, fold);
    }
    ads.iter().map(|a| fold_of[a.group.as_str()]).collect()
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn check_labels(labels: &[bool], what: &str) -> Result<(), TrainError> {
    let lures = labels.iter().filter(|l| **l).count();
    if lures == 0 || lures == labels.len() {
        return Err(TrainError::Data(format!(
            "{what} has {lures} lures among {} ads; both labels are needed",
            labels.len()
        )));
    }
    Ok(())
}

/// Fits the logistic regression on sparse rows, densified column-major as linfa needs.
fn fit(
    rows: &[&SparseVector],
    labels: &[bool],
    dims: usize,
    options: &TrainOptions,
) -> Result<(Vec<f64>, f64), TrainError> {
    let mut x = Array2::<f64>::zeros((rows.len(), dims).f());
    for (r, row) in rows.iter().enumerate() {
        for (&i, &v) in row.indices.iter().zip(&row.values) {
            x[[r, i as usize]] = v;
        }
    }
    let y = Array1::from_vec(labels.to_vec());
    let fitted = LogisticRegression::default()
        .alpha(options.alpha)
        .max_iterations(options.max_iterations)
        .fit(&Dataset::new(x, y))
        .map_err(|e| TrainError::Fit(e.to_string()))?;
    Ok(oriented(&fitted))
}

/// Weights and intercept that score *lures* high. linfa takes the first label it meets as the
/// positive class, so a fit whose first training ad is legitimate comes out negated.
fn oriented(fitted: &linfa_logistic::FittedLogisticRegression<f64, bool>) -> (Vec<f64>, f64) {
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    (
        fitted.params().iter().map(|w| sign * w).collect(),
        sign * fitted.intercept(),
    )
}

/// Platt scaling fitted on raw scores with linfa (one feature, almost no penalty).
fn calibrate(raw: &[f64], labels: &[bool]) -> Result<Calibration, TrainError> {
    let x = Array2::from_shape_vec((raw.len(), 1), raw.to_vec())
        .map_err(|e| TrainError::Fit(e.to_string()))?;
    let y = Array1::from_vec(labels.to_vec());
    let fitted = LogisticRegression::default()
        .alpha(1e-3)
        .max_iterations(200)
        .fit(&Dataset::new(x, y))
        .map_err(|e| TrainError::Fit(e.to_string()))?;
    let (a, b) = oriented(&fitted);
    Ok(Calibration { a: a[0], b })
}

/// Trains a tokenizer on some texts and vectorises every ad with it.
fn vectorise(
    prepared: &Prepared,
    train_rows: &[usize],
    config: &FeatureConfig,
    options: &TrainOptions,
) -> Result<(Option<Tokens>, Vec<SparseVector>), TrainError> {
    let tokens = if config.text_dims > 0 {
        Some(Tokens::train(
            train_rows.iter().map(|&i| prepared.texts[i].as_str()),
            options.vocab_size,
        )?)
    } else {
        None
    };
    let vectors = prepared
        .features
        .par_iter()
        .zip(&prepared.texts)
        .map(|(f, text)| {
            let ids = tokens.as_ref().map(|t| t.encode(text)).unwrap_or_default();
            config.vectorize(f, &ids)
        })
        .collect();
    Ok((tokens, vectors))
}

/// Grouped cross-validation of a feature set; see the module documentation.
pub fn cross_validate(
    ads: &[LabelledAd],
    rules: &RuleSet,
    money: &MoneyTable,
    options: &TrainOptions,
) -> Result<CrossValidation, TrainError> {
    cross_validate_prepared(ads, &prepare(ads, rules, money), rules, options)
}

fn cross_validate_prepared(
    ads: &[LabelledAd],
    prepared: &Prepared,
    rules: &RuleSet,
    options: &TrainOptions,
) -> Result<CrossValidation, TrainError> {
    check_labels(&prepared.labels, "the corpus")?;
    if options.folds < 2 {
        return Err(TrainError::Data(
            "cross-validation needs at least 2 folds".into(),
        ));
    }
    let config = FeatureConfig::new(rules, options.features, options.text_dims);
    let folds = grouped_folds(ads, options.folds);
    let mut raw = vec![0.0; ads.len()];
    for fold in 0..options.folds {
        let train_rows: Vec<usize> = (0..ads.len()).filter(|&i| folds[i] != fold).collect();
        let test_rows: Vec<usize> = (0..ads.len()).filter(|&i| folds[i] == fold).collect();
        if test_rows.is_empty() {
            continue;
        }
        let labels: Vec<bool> = train_rows.iter().map(|&i| prepared.labels[i]).collect();
        check_labels(&labels, &format!("the training part of fold {fold}"))?;
        let (_, vectors) = vectorise(prepared, &train_rows, &config, options)?;
        let rows: Vec<&SparseVector> = train_rows.iter().map(|&i| &vectors[i]).collect();
        let (weights, intercept) = fit(&rows, &labels, config.dims(), options)?;
        for &i in &test_rows {
            raw[i] = intercept + vectors[i].dot(&weights);
        }
    }
    // The shipped calibration and threshold use every out-of-fold score.
    let calibration = calibrate(&raw, &prepared.labels)?;
    let all_scores: Vec<(f64, bool)> = raw
        .iter()
        .zip(&prepared.labels)
        .map(|(&z, &l)| (calibration.apply(z), l))
        .collect();
    let threshold = metrics::threshold_for_precision(&all_scores, options.min_precision);
    // The reported figures must not grade a threshold on the scores that chose it: each fold is
    // calibrated and thresholded on the other folds' scores only (cross-fitting).
    let mut scores = vec![0.0; ads.len()];
    let mut flagged = vec![false; ads.len()];
    for fold in 0..options.folds {
        let others: Vec<usize> = (0..ads.len()).filter(|&i| folds[i] != fold).collect();
        if others.len() == ads.len() {
            continue;
        }
        let labels: Vec<bool> = others.iter().map(|&i| prepared.labels[i]).collect();
        let fold_calibration =
            calibrate(&others.iter().map(|&i| raw[i]).collect::<Vec<_>>(), &labels)?;
        let fold_scores: Vec<(f64, bool)> = others
            .iter()
            .map(|&i| (fold_calibration.apply(raw[i]), prepared.labels[i]))
            .collect();
        let fold_threshold = metrics::threshold_for_precision(&fold_scores, options.min_precision);
        for i in (0..ads.len()).filter(|&i| folds[i] == fold) {
            scores[i] = fold_calibration.apply(raw[i]);
            flagged[i] = scores[i] >= fold_threshold;
        }
    }
    let predictions: Vec<Prediction> = ads
        .iter()
        .zip(&scores)
        .map(|(a, &score)| Prediction {
            score,
            lure: a.lure,
            language: a.language.clone(),
            kind: a.kind.clone(),
        })
        .collect();
    let metrics = metrics::compute_decided(&predictions, &flagged, threshold);
    Ok(CrossValidation {
        predictions,
        calibration,
        threshold,
        metrics,
    })
}

/// Trains the tokenizer and model on all ads, calibrated and thresholded by cross-validation.
pub fn train(
    ads: &[LabelledAd],
    rules: &RuleSet,
    money: &MoneyTable,
    options: &TrainOptions,
) -> Result<Trained, TrainError> {
    let prepared = prepare(ads, rules, money);
    let cv = cross_validate_prepared(ads, &prepared, rules, options)?;
    let config = FeatureConfig::new(rules, FeatureSet::Combined, options.text_dims);
    let all: Vec<usize> = (0..ads.len()).collect();
    let (tokens, vectors) = vectorise(&prepared, &all, &config, options)?;
    let tokens = tokens.ok_or_else(|| TrainError::Data("no tokenizer was trained".into()))?;
    let rows: Vec<&SparseVector> = vectors.iter().collect();
    let (weights, intercept) = fit(&rows, &prepared.labels, config.dims(), options)?;
    let lures = prepared.labels.iter().filter(|l| **l).count();
    let model = ModelFile {
        format: MODEL_FORMAT,
        version: format!("{}+{}", rules.version(), &tokens.sha256()[..8]),
        rules_sha256: rules.sha256().to_string(),
        rules_version: rules.version().to_string(),
        tokenizer_sha256: tokens.sha256().to_string(),
        features: config,
        weights,
        intercept,
        calibration: cv.calibration,
        threshold: cv.threshold,
        medium_threshold: cv.threshold / 2.0,
        high_threshold: cv.threshold,
        training: json!({
            "ads": ads.len(),
            "lures": lures,
            "legit": ads.len() - lures,
            "vocab_size": options.vocab_size,
            "text_dims": options.text_dims,
            "alpha": options.alpha,
            "folds": options.folds,
            "min_precision": options.min_precision,
            "cv": cv.metrics,
        }),
    };
    Ok(Trained { tokens, model, cv })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labelled(id: &str, group: &str, lure: bool) -> LabelledAd {
        let ad = Ad::from_object(
            json!({"id": id, "text": "x", "label": if lure {"lure"} else {"legit"}, "group": group})
                .as_object()
                .unwrap()
                .clone(),
        )
        .unwrap();
        LabelledAd::from_ad(ad).unwrap()
    }

    #[test]
    fn groups_never_straddle_folds_and_folds_are_balanced() {
        let ads: Vec<LabelledAd> = (0..40)
            .map(|i| labelled(&i.to_string(), &format!("g{}", i / 3), i % 2 == 0))
            .collect();
        let folds = grouped_folds(&ads, 4);
        for (a, fa) in ads.iter().zip(&folds) {
            for (b, fb) in ads.iter().zip(&folds) {
                if a.group == b.group {
                    assert_eq!(fa, fb);
                }
            }
        }
        let mut sizes = [0; 4];
        folds.iter().for_each(|&f| sizes[f] += 1);
        assert!(
            sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 3,
            "{sizes:?}"
        );
        assert_eq!(folds, grouped_folds(&ads, 4), "deterministic");
    }

    #[test]
    fn a_saved_model_reloads_and_scores_identically() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/train_small.jsonl");
        let ads = read_labelled(&path).unwrap();
        let rules = RuleSet::embedded().unwrap();
        let options = TrainOptions {
            folds: 3,
            vocab_size: 2000,
            ..TrainOptions::default()
        };
        let trained = train(&ads, &rules, MoneyTable::embedded(), &options).unwrap();
        let dir = tempfile::tempdir().unwrap();
        trained.model.save(&dir.path().join("model.json")).unwrap();
        trained
            .tokens
            .save(&dir.path().join("tokenizer.json"))
            .unwrap();
        let model = ModelFile::load(&dir.path().join("model.json")).unwrap();
        let tokens = Tokens::load(&dir.path().join("tokenizer.json")).unwrap();
        assert_eq!(model, trained.model);
        let fresh = super::super::Classifier::with_model(
            rules.clone(),
            trained.tokens.clone(),
            trained.model.clone(),
            "fresh",
        )
        .unwrap();
        let reloaded =
            super::super::Classifier::with_model(rules, tokens, model, "reloaded").unwrap();
        for a in ads.iter().take(30) {
            let (x, y) = (
                fresh.classify(a.ad.clone()),
                reloaded.classify(a.ad.clone()),
            );
            assert_eq!(x.score, y.score);
            assert_eq!(x.reasons, y.reasons);
        }
    }

    #[test]
    fn labels_must_be_lure_or_legit() {
        let ad = Ad::from_object(
            json!({"text": "x", "label": "maybe"})
                .as_object()
                .unwrap()
                .clone(),
        )
        .unwrap();
        assert!(LabelledAd::from_ad(ad).unwrap_err().contains("`maybe`"));
    }
}
