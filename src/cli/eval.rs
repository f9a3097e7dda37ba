//! `lurewatch eval`: metrics of the model on labelled ads, or of grouped cross-validation.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use rayon::prelude::*;

use lurewatch::classify::metrics::{self, Metrics, Prediction, SliceMetrics};
use lurewatch::classify::plot;
use lurewatch::classify::train::{TrainOptions, cross_validate, read_labelled};
use lurewatch::classify::vectorize::FeatureSet;
use lurewatch::features::salary::MoneyTable;

use super::{Exit, ModelPaths};

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labelled ads (JSON Lines with `label`) to score with the model.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "cv",
        required_unless_present = "cv"
    )]
    pub data: Option<PathBuf>,
    /// Grouped K-fold cross-validation on the corpus instead (a group never spans folds).
    #[arg(long, value_name = "K")]
    pub cv: Option<usize>,
    /// The corpus for --cv.
    #[arg(long, default_value = "corpus/ads.jsonl", value_name = "FILE")]
    pub corpus: PathBuf,
    /// Features for --cv: one set, or `all` to compare rules only, text only and combined.
    #[arg(long, value_enum, default_value_t = FeaturesArg::Combined)]
    pub features: FeaturesArg,
    /// Directory for pr_curve.svg, calibration.svg and metrics.json.
    #[arg(long, default_value = "eval", value_name = "DIR")]
    pub out: PathBuf,
    /// Print the metrics as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FeaturesArg {
    Rules,
    Text,
    Combined,
    All,
}

impl FeaturesArg {
    fn sets(self) -> Vec<FeatureSet> {
        match self {
            FeaturesArg::Rules => vec![FeatureSet::Rules],
            FeaturesArg::Text => vec![FeatureSet::Text],
            FeaturesArg::Combined => vec![FeatureSet::Combined],
            FeaturesArg::All => vec![FeatureSet::Rules, FeatureSet::Text, FeatureSet::Combined],
        }
    }
}

pub fn run(args: EvalArgs, paths: &ModelPaths) -> anyhow::Result<Exit> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let results: Vec<(String, Vec<Prediction>, Metrics)> = match (&args.data, args.cv) {
        (Some(data), _) => vec![evaluate_model(data, paths)?],
        (None, Some(k)) => {
            let rules = super::load_rules(paths.rules.as_ref())?;
            let ads = read_labelled(&args.corpus)?;
            let mut out = Vec::new();
            for set in args.features.sets() {
                let options = TrainOptions {
                    folds: k,
                    features: set,
                    ..TrainOptions::default()
                };
                let cv = cross_validate(&ads, &rules, MoneyTable::embedded(), &options)?;
                out.push((set.name().to_string(), cv.predictions, cv.metrics));
            }
            out
        }
        (None, None) => bail!("give --data FILE or --cv K"),
    };
    write_outputs(&args.out, &results)?;
    if args.json {
        let all: serde_json::Map<String, serde_json::Value> = results
            .iter()
            .map(|(name, _, m)| (name.clone(), serde_json::to_value(m).unwrap_or_default()))
            .collect();
        println!("{}", serde_json::to_string_pretty(&all)?);
    } else {
        for (name, _, m) in &results {
            println!("== {name} ==");
            print_metrics(m, true);
        }
        eprintln!(
            "lurewatch: wrote {}/pr_curve.svg, calibration.svg and metrics.json",
            args.out.display()
        );
    }
    Ok(Exit::Ok)
}

fn evaluate_model(
    data: &Path,
    paths: &ModelPaths,
) -> anyhow::Result<(String, Vec<Prediction>, Metrics)> {
    let classifier = super::load_classifier(paths)?;
    let ads = read_labelled(data)?;
    let predictions: Vec<Prediction> = ads
        .par_iter()
        .map(|a| Prediction {
            score: classifier.classify(a.ad.clone()).score,
            lure: a.lure,
            language: a.language.clone(),
            kind: a.kind.clone(),
        })
        .collect();
    let threshold = classifier.threshold();
    let metrics = metrics::compute(&predictions, threshold);
    Ok((classifier.scorer_info().name, predictions, metrics))
}

fn write_outputs(dir: &Path, results: &[(String, Vec<Prediction>, Metrics)]) -> anyhow::Result<()> {
    let series: Vec<(&str, Vec<(f64, bool)>)> = results
        .iter()
        .map(|(name, p, _)| (name.as_str(), p.iter().map(|p| (p.score, p.lure)).collect()))
        .collect();
    plot::pr_curves(&dir.join("pr_curve.svg"), "Precision-recall", &series)?;
    if let Some((name, scores)) = series.last() {
        plot::calibration(
            &dir.join("calibration.svg"),
            &format!("Calibration ({name})"),
            scores,
        )?;
    }
    let all: serde_json::Map<String, serde_json::Value> = results
        .iter()
        .map(|(name, _, m)| (name.clone(), serde_json::to_value(m).unwrap_or_default()))
        .collect();
    std::fs::write(
        dir.join("metrics.json"),
        serde_json::to_string_pretty(&all)? + "\n",
    )?;
    Ok(())
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{:5.1}%", v * 100.0))
}

/// Prints metrics as a table; `slices` adds per-language and per-kind rows.
pub fn print_metrics(m: &Metrics, slices: bool) {
    let c = &m.confusion;
    println!(
        "  ads {}  threshold {:.3}  precision {:.3}  recall {:.3}  F1 {:.3}",
        m.ads, m.threshold, m.precision, m.recall, m.f1
    );
    println!(
        "  PR-AUC {:.3}  ROC-AUC {:.3}  Brier {:.4}  false-positive rate on hard negatives {}",
        m.pr_auc,
        m.roc_auc,
        m.brier,
        pct(m.hard_negative_fpr)
    );
    println!(
        "  confusion: flagged lures {}, flagged legit {}, missed lures {}, passed legit {}",
        c.true_positives, c.false_positives, c.false_negatives, c.true_negatives
    );
    if !slices {
        return;
    }
    print_slices("language", &m.per_language);
    print_slices("kind", &m.per_kind);
}

fn print_slices(heading: &str, slices: &std::collections::BTreeMap<String, SliceMetrics>) {
    println!(
        "  {heading:<34} {:>6} {:>8} {:>6} {:>8}",
        "lures", "recall", "legit", "FPR"
    );
    for (name, s) in slices {
        println!(
            "  {name:<34} {:>6} {:>8} {:>6} {:>8}",
            s.lures,
            pct(s.recall),
            s.legit,
            pct(s.false_positive_rate)
        );
    }
}
