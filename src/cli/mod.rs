//! Command-line interface: argument definitions, exit codes and the wiring of each command.

mod check;
mod rules;
mod score;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use lurewatch::ad::read::Format;
use lurewatch::classify::Classifier;
use lurewatch::features::rules::RuleSet;
use lurewatch::score::OutputFormat;

const EXIT_CODES: &str = "\
Exit codes:
  0  success; for `check`, the ad was not flagged
  1  `check`: the ad was flagged for review; `rules check`: the file has problems
  2  usage error, or an input, output or rule file that cannot be used
  3  `score`: the run finished but some records could not be scored (see the error lines)

A flag is a lead for human review, never proof of trafficking.";

/// Finds job ads that lure people into trafficking for scam centres, and explains why.
#[derive(Debug, Parser)]
#[command(name = "lurewatch", version, about, after_help = EXIT_CODES)]
pub struct Args {
    /// Red-flag rule file to use instead of the shipped models/redflags.toml.
    #[arg(long, global = true, value_name = "FILE")]
    pub rules: Option<PathBuf>,
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
    /// Check one ad and explain the verdict in plain words.
    #[command(after_help = EXIT_CODES)]
    Check(check::CheckArgs),
    /// Score a batch of ads (JSON Lines, CSV or text) in parallel.
    #[command(after_help = EXIT_CODES)]
    Score(score::ScoreArgs),
    /// Validate or list red-flag rules.
    #[command(subcommand)]
    Rules(rules::RulesCommand),
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
    Ok = 0,
    Flagged = 1,
    Error = 2,
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
    match args.command {
        Command::Check(c) => check::run(c, load_classifier(args.rules.as_ref())?),
        Command::Score(s) => score::run(s, load_classifier(args.rules.as_ref())?, args.quiet),
        Command::Rules(r) => rules::run(r, args.rules.as_ref()),
    }
}

/// The rule set named on the command line, or the shipped one.
fn load_rules(path: Option<&PathBuf>) -> anyhow::Result<RuleSet> {
    match path {
        Some(path) => RuleSet::load(path).context("cannot use the rule file"),
        None => RuleSet::embedded().context("the built-in rule file is broken"),
    }
}

fn load_classifier(rules: Option<&PathBuf>) -> anyhow::Result<Classifier> {
    Ok(Classifier::with_rules(load_rules(rules)?))
}
