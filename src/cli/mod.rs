//! Command-line interface: argument definitions, exit codes and the wiring of each command.

mod check;
mod crawl;
mod eval;
mod export;
mod partner;
mod reviews;
mod rules;
mod score;
mod serve;
mod train;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use lurewatch::ad::read::Format;
use lurewatch::classify::Classifier;
use lurewatch::features::rules::RuleSet;
use lurewatch::score::OutputFormat;
use lurewatch::store::{DEFAULT_DB, SqliteStore};

const EXIT_CODES: &str = "\
Exit codes:
  0  success; for `check`, the ad was not flagged
  1  `check`: the ad was flagged for review; `rules check`: the file has problems
  2  usage error, or an input, output or rule file or a database that cannot be used; `serve` could not start
  3  `score`: the run finished but some records could not be scored (see the error lines);
     `crawl`: stopped early (Ctrl-C); run it again to resume

A flag is a lead for human review, never proof of trafficking.";

/// Finds job ads that lure people into trafficking for scam centres, and explains why.
#[derive(Debug, Parser)]
#[command(name = "lurewatch", version, about, after_help = EXIT_CODES)]
pub struct Args {
    /// Red-flag rule file to use instead of the shipped models/redflags.toml.
    #[arg(long, global = true, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Model file to use instead of the shipped models/model.json.
    #[arg(long, global = true, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Tokenizer file to use instead of the shipped models/tokenizer.json.
    #[arg(long, global = true, value_name = "FILE")]
    pub tokenizer: Option<PathBuf>,
    /// How to score: the trained model (default) or the rule weights alone.
    #[arg(long, global = true, value_enum, default_value_t = ScorerArg::Model)]
    pub scorer: ScorerArg,
    /// Log more (-v: each step, -vv: debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Print only errors: no progress bar, no summary.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Collect job ads from boards, channel pages, feeds and sitemaps, politely and resumably.
    Crawl(crawl::CrawlArgs),
    /// Check one ad and explain the verdict in plain words.
    #[command(after_help = EXIT_CODES)]
    Check(check::CheckArgs),
    /// Score a batch of ads (JSON Lines, CSV or text) in parallel.
    #[command(after_help = EXIT_CODES)]
    Score(score::ScoreArgs),
    /// Validate or list red-flag rules.
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// Train the tokenizer and the model from the labelled corpus.
    Train(train::TrainArgs),
    /// Evaluate the model on labelled ads, or by grouped cross-validation on the corpus.
    Eval(eval::EvalArgs),
    /// Serve the partner API: flagged ads as JSON, CSV and Atom, reviews, webhooks.
    Serve(serve::ServeArgs),
    /// Add, list or revoke the partner organisations that may call the API.
    #[command(subcommand)]
    Partner(partner::PartnerCommand),
    /// Write flagged ads as JSON Lines, CSV or Atom, optionally with contacts pseudonymised.
    Export(export::ExportArgs),
    /// Analysts' reviews: export them as labelled training data.
    #[command(subcommand)]
    Reviews(reviews::ReviewsCommand),
}

/// The database option shared by the commands that use the store.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArg {
    /// The database file.
    #[arg(long, default_value = DEFAULT_DB, value_name = "FILE")]
    pub db: PathBuf,
}

impl DbArg {
    /// Opens (creating if needed) the database.
    pub fn open(&self) -> anyhow::Result<SqliteStore> {
        SqliteStore::open(&self.db)
            .with_context(|| format!("cannot open the database {}", self.db.display()))
    }
}

/// Scorers on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScorerArg {
    /// The trained, calibrated model.
    Model,
    /// The weights of the red-flag rules (transparent, uncalibrated).
    Rules,
}

/// The files a command reads its classifier from.
#[derive(Debug, Clone)]
pub struct ModelPaths {
    pub rules: Option<PathBuf>,
    pub model: Option<PathBuf>,
    pub tokenizer: Option<PathBuf>,
    pub scorer: ScorerArg,
}

/// Input and output formats on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// JSON Lines: one JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
    /// Plain text: the whole input is one ad.
    Text,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Jsonl => Format::Jsonl,
            FormatArg::Csv => Format::Csv,
            FormatArg::Text => Format::Text,
        }
    }
}

impl FormatArg {
    fn output(self) -> OutputFormat {
        match self {
            FormatArg::Csv => OutputFormat::Csv,
            FormatArg::Jsonl | FormatArg::Text => OutputFormat::Jsonl,
        }
    }
}

/// Process exit codes; see [`EXIT_CODES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success; for `check`, the ad was not flagged.
    Ok = 0,
    /// Something was found: `check` flagged the ad, `rules check` found problems.
    Findings = 1,
    /// Usage error, or a file that cannot be used.
    Error = 2,
    /// `score` finished but some records failed; `crawl` was stopped early.
    PartialFailure = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// Installs the log subscriber: warnings by default, more with `-v`, errors only with `-q`.
pub fn init_logging(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("LUREWATCH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// Runs the parsed command.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let paths = ModelPaths {
        rules: args.rules.clone(),
        model: args.model.clone(),
        tokenizer: args.tokenizer.clone(),
        scorer: args.scorer,
    };
    match args.command {
        Command::Crawl(c) => crawl::run(c, || load_classifier(&paths), args.quiet),
        Command::Check(c) => check::run(c, load_classifier(&paths)?),
        Command::Score(s) => score::run(s, load_classifier(&paths)?, args.quiet),
        Command::Rules(r) => rules::run(r, args.rules.as_ref()),
        Command::Train(t) => train::run(t, &paths, args.quiet),
        Command::Eval(e) => eval::run(e, &paths),
        Command::Reviews(r) => reviews::run(r, args.quiet),
        Command::Serve(s) => serve::run(s, load_classifier(&paths)?),
        Command::Partner(p) => partner::run(p),
        Command::Export(e) => export::run(e),
    }
}

/// The rule set named on the command line, or the shipped one.
fn load_rules(path: Option<&PathBuf>) -> anyhow::Result<RuleSet> {
    match path {
        Some(path) => RuleSet::load(path).context("cannot use the rule file"),
        None => RuleSet::embedded().context("the built-in rule file is broken"),
    }
}

/// The classifier the options ask for: the shipped files unless paths are given.
fn load_classifier(paths: &ModelPaths) -> anyhow::Result<Classifier> {
    let rules = load_rules(paths.rules.as_ref())?;
    if paths.scorer == ScorerArg::Rules {
        return Ok(Classifier::with_rules(rules));
    }
    Classifier::load(rules, paths.tokenizer.as_deref(), paths.model.as_deref())
        .context("use --scorer rules to score with the rule weights alone")
}
