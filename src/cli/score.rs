//! `lurewatch score`: batch scoring with a progress bar and a summary.

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use lurewatch::ad::RecordError;
use lurewatch::ad::read::{Format, Limits};
use lurewatch::classify::{Classifier, ScoredAd};
use lurewatch::score::{BatchError, BatchOptions, Observer, ObserverError, OutputFormat, Summary};
use lurewatch::store::{AdStore, AdWrite, DEFAULT_DB, SqliteStore, now_millis};

use super::{Exit, FormatArg};

/// Errors echoed to the terminal before they are only counted.
const ERRORS_SHOWN: u64 = 20;

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Input file (`.jsonl`, `.csv`, `.txt`), or `-` for standard input.
    pub input: PathBuf,
    /// Output file; standard output when absent. Its extension (`.csv`, `.jsonl`) selects the
    /// output format; otherwise the output follows the input (CSV in, CSV out; else JSON Lines).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Input format (default: from the extension; JSON Lines for standard input). Also the
    /// output format unless --output-format says otherwise (text input gives JSON Lines).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Output format.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output_format: Option<FormatArg>,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long)]
    pub threads: Option<usize>,
    /// Longest input record accepted, in bytes; longer records are reported and skipped.
    #[arg(long, default_value_t = Limits::default().max_record_bytes, value_name = "BYTES")]
    pub max_record_bytes: usize,
    /// Also keep every scored ad in this database (lurewatch.db when no file is named), for
    /// `serve` and `export`. Scoring again with a new model adds to each ad's score history.
    #[arg(long, num_args = 0..=1, default_missing_value = DEFAULT_DB, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

pub fn run(args: ScoreArgs, classifier: Classifier, quiet: bool) -> anyhow::Result<Exit> {
    let stdin = args.input == Path::new("-");
    let format = match (args.format, stdin) {
        (Some(f), _) => Format::from(f),
        (None, true) => Format::Jsonl,
        (None, false) => Format::from_path(&args.input).with_context(|| {
            format!(
                "cannot tell the format of {} from its extension; use --format jsonl|csv|text",
                args.input.display()
            )
        })?,
    };
    // --output-format, then the output file's extension, then --format, then the input format.
    let output_format = args
        .output_format
        .map(FormatArg::output)
        .or_else(|| {
            let path = args.output.as_deref()?;
            Some(match Format::from_path(path)? {
                Format::Csv => OutputFormat::Csv,
                Format::Jsonl | Format::Text => OutputFormat::Jsonl,
            })
        })
        .or(args.format.map(FormatArg::output))
        .unwrap_or(match format {
            Format::Csv => OutputFormat::Csv,
            Format::Jsonl | Format::Text => OutputFormat::Jsonl,
        });
    let options = BatchOptions {
        format,
        output: output_format,
        limits: Limits {
            max_record_bytes: args.max_record_bytes,
        },
        ..BatchOptions::default()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;

    let show_progress = !quiet && io::stderr().is_terminal();
    let mut observer = CliObserver::new(show_progress, quiet);
    if let Some(path) = &args.db {
        let store = SqliteStore::open(path)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        observer.sink = Some(StoreSink {
            store,
            path: path.clone(),
            stored: 0,
            new_ads: 0,
            newly_flagged: 0,
        });
    }
    // Open the input before creating the output, so a bad input never truncates a file, and
    // refuse to overwrite the input with its own scores.
    let input: Box<dyn BufRead + Send> = if stdin {
        Box::new(BufReader::with_capacity(1 << 16, io::stdin()))
    } else {
        let file = File::open(&args.input)
            .with_context(|| format!("cannot open {}", args.input.display()))?;
        Box::new(BufReader::with_capacity(1 << 16, file))
    };
    if let Some(out) = &args.output {
        let same = !stdin
            && std::fs::canonicalize(out)
                .ok()
                .zip(std::fs::canonicalize(&args.input).ok())
                .is_some_and(|(a, b)| a == b);
        if same {
            anyhow::bail!(
                "the output file {} is the input file; write the scores elsewhere",
                out.display()
            );
        }
    }
    let output: Box<dyn Write + Send> = match &args.output {
        Some(path) => Box::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        ),
        None => Box::new(io::stdout()),
    };
    let (summary, result) =
        pool.install(|| lurewatch::score::run(input, output, &classifier, &options, &mut observer));
    observer.finish();
    if !quiet {
        print_summary(&summary, &classifier);
        if let Some(sink) = &observer.sink {
            eprintln!(
                "lurewatch: stored {} scores in {} ({} new ads, {} newly flagged)",
                sink.stored,
                sink.path.display(),
                sink.new_ads,
                sink.newly_flagged
            );
        }
    }
    match result {
        Ok(()) | Err(BatchError::OutputClosed) => {}
        Err(e) => {
            return Err(e).with_context(|| {
                format!(
                    "stopped after {} records of {}",
                    summary.read,
                    args.input.display()
                )
            });
        }
    }
    Ok(if summary.failed > 0 {
        Exit::PartialFailure
    } else {
        Exit::Ok
    })
}

fn print_summary(summary: &Summary, classifier: &Classifier) {
    let info = classifier.scorer_info();
    eprintln!(
        "lurewatch: read {}, scored {}, flagged {} (risk high {}, medium {}, low {}), failed {} [scorer {} {}]",
        summary.read,
        summary.scored,
        summary.flagged,
        summary.by_risk[2],
        summary.by_risk[1],
        summary.by_risk[0],
        summary.failed,
        info.name,
        info.version
    );
    if summary.flagged > 0 {
        eprintln!("lurewatch: flagged ads are leads for human review, not proof of trafficking.");
    }
}

/// Shows progress and the first errors on the terminal, and stores scores with `--db`.
struct CliObserver {
    bar: Option<ProgressBar>,
    quiet: bool,
    errors: u64,
    sink: Option<StoreSink>,
}

/// Where `--db` keeps scored ads, and what it has stored.
struct StoreSink {
    store: SqliteStore,
    path: PathBuf,
    stored: u64,
    new_ads: u64,
    newly_flagged: u64,
}

impl StoreSink {
    /// Stores one chunk of scored ads in one transaction.
    fn store(&mut self, ads: &[&ScoredAd]) -> Result<(), ObserverError> {
        if ads.is_empty() {
            return Ok(());
        }
        let at = now_millis();
        let writes: Vec<AdWrite> = ads.iter().map(|ad| AdWrite::scored(ad, at)).collect();
        let report = self
            .store
            .write_ads(&writes)
            .map_err(|e| format!("cannot store the scores: {e}"))?;
        self.stored += report.scores;
        self.new_ads += report.new_ads;
        self.newly_flagged += report.newly_flagged.len() as u64;
        Ok(())
    }
}

impl CliObserver {
    fn new(progress: bool, quiet: bool) -> CliObserver {
        let bar = progress.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        CliObserver {
            bar,
            quiet,
            errors: 0,
            sink: None,
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn say(&self, message: String) {
        match &self.bar {
            Some(bar) => bar.println(message),
            None => eprintln!("{message}"),
        }
    }
}

impl Observer for CliObserver {
    fn failed(&mut self, line: u64, error: &RecordError) {
        self.errors += 1;
        if self.quiet {
            return;
        }
        if self.errors <= ERRORS_SHOWN {
            self.say(format!("lurewatch: line {line}: {error}"));
        } else if self.errors == ERRORS_SHOWN + 1 {
            self.say("lurewatch: more records failed; see the error lines in the output".into());
        }
    }

    fn scored(&mut self, ads: &[&ScoredAd]) -> Result<(), ObserverError> {
        match &mut self.sink {
            Some(sink) => sink.store(ads),
            None => Ok(()),
        }
    }

    fn progress(&mut self, summary: &Summary) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!(
                "{} ads scored, {} flagged, {} failed",
                summary.scored, summary.flagged, summary.failed
            ));
        }
    }
}
