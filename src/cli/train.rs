//! `lurewatch train`: rebuild the tokenizer and model from the labelled corpus.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use lurewatch::classify::extra::{ExtraReport, add_extra};
use lurewatch::classify::train::{TrainOptions, read_labelled, train};
use lurewatch::features::salary::MoneyTable;

use super::{Exit, ModelPaths, eval::print_metrics};

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The labelled corpus (JSON Lines with `label`, `kind`, `group`).
    #[arg(long, default_value = "corpus/ads.jsonl", value_name = "FILE")]
    pub corpus: PathBuf,
    /// More labelled ads to train on, such as analysts' reviews (repeatable).
    #[arg(long, value_name = "FILE")]
    pub extra: Vec<PathBuf>,
    /// Where to write tokenizer.json and model.json.
    #[arg(long, default_value = "models", value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Cross-validation folds used to calibrate and to choose the threshold.
    #[arg(long, default_value_t = TrainOptions::default().folds)]
    pub folds: usize,
    /// Precision the threshold behind `flagged` must reach in cross-validation.
    #[arg(long, default_value_t = TrainOptions::default().min_precision)]
    pub min_precision: f64,
}

pub fn run(args: TrainArgs, paths: &ModelPaths, quiet: bool) -> anyhow::Result<Exit> {
    let started = Instant::now();
    let rules = super::load_rules(paths.rules.as_ref())?;
    let mut ads = read_labelled(&args.corpus)?;
    for extra in &args.extra {
        let report = add_extra(&mut ads, read_labelled(extra)?);
        if !quiet {
            report_extra(extra, &report);
        }
    }
    let options = TrainOptions {
        folds: args.folds,
        min_precision: args.min_precision,
        ..TrainOptions::default()
    };
    let trained = train(&ads, &rules, MoneyTable::embedded(), &options)?;
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("cannot create {}", args.out_dir.display()))?;
    let tokenizer_path = args.out_dir.join("tokenizer.json");
    let model_path = args.out_dir.join("model.json");
    trained.tokens.save(&tokenizer_path)?;
    trained.model.save(&model_path)?;
    if !quiet {
        let lures = ads.iter().filter(|a| a.lure).count();
        eprintln!(
            "lurewatch: trained on {} ads ({} lures, {} legitimate) in {:.1} s; vocabulary {}, model {}",
            ads.len(),
            lures,
            ads.len() - lures,
            started.elapsed().as_secs_f64(),
            trained.tokens.vocab_size(),
            trained.model.version
        );
        eprintln!(
            "lurewatch: wrote {} and {}; rebuild to make them the built-in default",
            tokenizer_path.display(),
            model_path.display()
        );
        println!(
            "Grouped {}-fold cross-validation (calibration and threshold come from it):",
            options.folds
        );
        print_metrics(&trained.cv.metrics, false);
    }
    Ok(Exit::Ok)
}

/// Says how many ads an extra file added.
fn report_extra(path: &std::path::Path, report: &ExtraReport) {
    let mut line = format!(
        "lurewatch: added {} labelled ad{} from {} ({} lure{}, {} legitimate)",
        report.added,
        if report.added == 1 { "" } else { "s" },
        path.display(),
        report.lures,
        if report.lures == 1 { "" } else { "s" },
        report.added - report.lures
    );
    if report.repeated > 0 {
        line.push_str(&format!(
            "; {} repeat{} an earlier ad's id and share{} its cross-validation group",
            report.repeated,
            if report.repeated == 1 { "s" } else { "" },
            if report.repeated == 1 { "s" } else { "" },
        ));
        if report.relabelled > 0 {
            line.push_str(&format!(" ({} with a different label)", report.relabelled));
        }
    }
    eprintln!("{line}");
}
