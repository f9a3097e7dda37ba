//! `lurewatch crawl`: collect job ads from boards, channel pages, feeds and sitemaps.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

use lurewatch::classify::Classifier;
use lurewatch::crawl::config::{CrawlConfig, EXAMPLE};
use lurewatch::crawl::engine::{CrawlObserver, CrawlReport, Crawler, Progress};
use lurewatch::store::{AdStore, CrawlStore, DEFAULT_DB, Scope, SqliteStore, Store};

use super::Exit;

#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// Seed URLs: listing pages, ad pages, channel pages (`https://t.me/s/NAME`), feeds or
    /// sitemaps.
    pub seeds: Vec<String>,
    /// A file of seed URLs, one per line (`#` starts a comment).
    #[arg(long, value_name = "FILE")]
    pub seeds_file: Option<PathBuf>,
    /// Crawl configuration (TOML); the defaults when absent. See --example-config.
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print a commented example configuration and exit.
    #[arg(long)]
    pub example_config: bool,
    /// The database that keeps the frontier and the ads; a crawl stopped for any reason resumes
    /// from it when run again.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// Where to write the run's ads as JSON Lines (standard output when absent). Each ad
    /// appears once, with every URL it was seen at in `urls`.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Score each ad as it is found, with the same scorer as `lurewatch score`.
    #[arg(long)]
    pub score: bool,
    /// Allow fetching loopback and private-network addresses (for testing against your own
    /// servers). Off by default: the crawler never reaches into private networks.
    #[arg(long)]
    pub allow_private: bool,
}

/// Shows progress on a terminal.
struct Display {
    bar: Option<ProgressBar>,
}

impl CrawlObserver for Display {
    fn progress(&mut self, p: &Progress) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!(
                "{} pages fetched, {} queued, {} ads found, {} errors",
                p.fetched, p.queued, p.ads, p.errors
            ));
        }
    }
}

pub fn run(
    args: CrawlArgs,
    classifier: impl FnOnce() -> anyhow::Result<Classifier>,
    quiet: bool,
) -> anyhow::Result<Exit> {
    if args.example_config {
        print!("{EXAMPLE}");
        return Ok(Exit::Ok);
    }
    let mut config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            CrawlConfig::from_toml_str(&text)
                .with_context(|| format!("crawl configuration {}", path.display()))?
        }
        None => CrawlConfig::default(),
    };
    config.allow_private = args.allow_private;
    let mut seeds = args.seeds.clone();
    if let Some(path) = &args.seeds_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        seeds.extend(
            text.lines()
                .map(|l| l.split('#').next().unwrap_or("").trim())
                .filter(|l| !l.is_empty())
                .map(str::to_string),
        );
    }
    let classifier = if args.score {
        Some(Arc::new(classifier()?))
    } else {
        None
    };
    let store: Arc<SqliteStore> = Arc::new(
        SqliteStore::open(&args.db)
            .with_context(|| format!("cannot open the database {}", args.db.display()))?,
    );
    let dyn_store: Arc<dyn Store> = store.clone();
    let crawler = Crawler::new(config, dyn_store, classifier.clone())?;
    if seeds.is_empty() && store.queued()?.is_empty() {
        bail!("nothing to crawl: give seed URLs, --seeds-file, or run again where a crawl stopped");
    }
    let bar = (!quiet && io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    });
    let mut display = Display { bar: bar.clone() };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let report = runtime.block_on(crawler.run(&seeds, &mut display, async {
        let _ = tokio::signal::ctrl_c().await;
    }))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let written = write_output(&store, &report, args.output.as_ref(), classifier.as_deref())?;
    if !quiet {
        eprint!("{report}");
        eprintln!(
            "{written} ads written{}. The ads are also in {}.",
            args.output
                .as_ref()
                .map(|p| format!(" to {}", p.display()))
                .unwrap_or_default(),
            args.db.display()
        );
        if report.flagged > 0 {
            eprintln!("{}", lurewatch::classify::REVIEW_NOTE);
        }
    }
    Ok(if report.interrupted {
        Exit::PartialFailure
    } else {
        Exit::Ok
    })
}

/// Writes the run's ads, each once with all its URLs; returns how many.
fn write_output(
    store: &SqliteStore,
    report: &CrawlReport,
    output: Option<&PathBuf>,
    classifier: Option<&Classifier>,
) -> anyhow::Result<u64> {
    let sink: Box<dyn Write> = match output {
        Some(path) => {
            let temporary = path.with_extension("partial");
            Box::new(
                File::create(&temporary)
                    .with_context(|| format!("cannot write {}", temporary.display()))?,
            )
        }
        None => Box::new(io::stdout().lock()),
    };
    let mut sink = BufWriter::new(sink);
    let mut written = 0;
    for id in store.run_ads(report.run)? {
        let Some(stored) = store.ad(&id, &Scope::default())? else {
            continue;
        };
        let urls: Vec<Value> = stored
            .sightings
            .iter()
            .map(|s| Value::String(s.url.clone()))
            .collect();
        let mut record = match classifier {
            Some(classifier) => serde_json::to_value(classifier.classify(stored.ad))?,
            None => serde_json::to_value(stored.ad)?,
        };
        if let Value::Object(map) = &mut record {
            map.insert("urls".into(), Value::Array(urls));
        }
        serde_json::to_writer(&mut sink, &record)?;
        match sink.write_all(b"\n") {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(written),
            other => other?,
        }
        written += 1;
    }
    sink.flush()?;
    drop(sink);
    if let Some(path) = output {
        std::fs::rename(path.with_extension("partial"), path)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(written)
}
