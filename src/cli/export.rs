//! `lurewatch export`: flagged ads as JSON Lines, CSV or Atom, for partners who cannot call the
//! API, optionally with contacts pseudonymised.

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use lurewatch::export::atom::{AtomWriter, FeedMeta};
use lurewatch::export::csv::CsvWriter;
use lurewatch::export::pseudonym::Pseudonymiser;
use lurewatch::export::{ExportError, ItemWriter, JsonlWriter, export, parse_time_bound};
use lurewatch::store::{FlaggedQuery, PartnerStore, now_millis};

use super::partner::{audit, describe, scope_from};
use super::{DbArg, Exit};

/// Export formats on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
    /// An Atom 1.0 feed.
    Atom,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format (default: from the output file's extension, else JSON Lines).
    #[arg(long, value_enum)]
    pub format: Option<ExportFormatArg>,
    /// Ads flagged on or after this date (YYYY-MM-DD) or time (RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Ads flagged up to the end of this date, or before this time.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only ads in this language (repeat for several).
    #[arg(long = "language", value_name = "TAG")]
    pub languages: Vec<String>,
    /// Only ads targeting this country (repeat for several).
    #[arg(long = "country", value_name = "CODE")]
    pub countries: Vec<String>,
    /// Only what this partner may see (its scope, narrowed further by --language/--country).
    #[arg(long, value_name = "NAME")]
    pub partner: Option<String>,
    /// Lowest score.
    #[arg(long, value_name = "SCORE")]
    pub min_score: Option<f64>,
    /// Replace phone numbers, chat handles and e-mail addresses by keyed hashes.
    #[arg(long, alias = "pseudonymize")]
    pub pseudonymise: bool,
    /// The secret key for --pseudonymise (at least 16 bytes; make one with
    /// `head -c 32 /dev/urandom > key`). The same key gives the same pseudonyms.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Output file; standard output when absent.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArg,
}

pub fn run(args: ExportArgs) -> anyhow::Result<Exit> {
    if args.key_file.is_some() && !args.pseudonymise {
        bail!("--key-file is used only with --pseudonymise");
    }
    let pseudonymiser = match (&args.key_file, args.pseudonymise) {
        (Some(path), true) => Some(Pseudonymiser::from_key_file(path)?),
        (None, true) => bail!(
            "--pseudonymise needs --key-file with a secret key; create one with: head -c 32 /dev/urandom > lurewatch.key"
        ),
        _ => None,
    };
    let format = args
        .format
        .or_else(|| {
            let extension = args
                .output
                .as_ref()?
                .extension()?
                .to_str()?
                .to_ascii_lowercase();
            match extension.as_str() {
                "csv" => Some(ExportFormatArg::Csv),
                "atom" | "xml" => Some(ExportFormatArg::Atom),
                "jsonl" | "ndjson" | "json" => Some(ExportFormatArg::Jsonl),
                _ => None,
            }
        })
        .unwrap_or(ExportFormatArg::Jsonl);
    let from = args
        .from
        .as_deref()
        .map(|d| parse_time_bound(d, false))
        .transpose()
        .context("--from")?;
    let to = args
        .to
        .as_deref()
        .map(|d| parse_time_bound(d, true))
        .transpose()
        .context("--to")?;
    if let Some(score) = args.min_score {
        if !(0.0..=1.0).contains(&score) {
            bail!("--min-score must be between 0 and 1");
        }
    }
    let asked = scope_from(&args.languages, &args.countries)?;
    if !args.db.db.exists() {
        bail!(
            "there is no database at {}; store scores first with `lurewatch score --db`",
            args.db.db.display()
        );
    }
    let store = args.db.open()?;
    let scope = match &args.partner {
        None => asked,
        Some(name) => {
            let partners = store.partners().context("cannot read the partners")?;
            let Some(partner) = partners.into_iter().find(|p| p.name == *name) else {
                bail!("there is no partner named `{name}`; see `lurewatch partner list`");
            };
            if !partner.is_active() {
                bail!("partner `{name}` was revoked; nothing is exported for it");
            }
            partner.scope.intersect(&asked).with_context(|| {
                format!(
                    "partner `{name}` sees only {}; nothing you asked for is in its scope",
                    describe(&partner.scope)
                )
            })?
        }
    };
    let query = FlaggedQuery {
        scope: scope.clone(),
        min_score: args.min_score,
        from,
        to,
        ..FlaggedQuery::default()
    };
    let out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    let target = args
        .partner
        .clone()
        .unwrap_or_else(|| "all partners".into());
    let mut writer: Box<dyn ItemWriter> = match format {
        ExportFormatArg::Jsonl => Box::new(JsonlWriter::new(io::BufWriter::new(out))),
        ExportFormatArg::Csv => Box::new(CsvWriter::new(out)),
        ExportFormatArg::Atom => Box::new(AtomWriter::new(out, meta(args.partner.as_deref()))),
    };
    let exported = match export(&store, &query, pseudonymiser.as_ref(), writer.as_mut()) {
        Ok(n) => n,
        Err(ExportError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(Exit::Ok),
        Err(e) => {
            audit(&store, "export", &target, 500, e.to_string());
            return Err(e).context("the export stopped");
        }
    };
    drop(writer);
    let detail = format!(
        "{exported} ads as {format:?}; scope {}; from {}; to {}{}",
        describe(&scope),
        args.from.as_deref().unwrap_or("the start"),
        args.to.as_deref().unwrap_or("now"),
        if pseudonymiser.is_some() {
            "; pseudonymised"
        } else {
            ""
        },
    );
    audit(&store, "export", &target, 200, detail);
    eprintln!(
        "lurewatch: exported {exported} flagged ads{}. Each is a lead for human review, not proof of trafficking.",
        if pseudonymiser.is_some() {
            ", contacts pseudonymised"
        } else {
            ""
        }
    );
    Ok(Exit::Ok)
}

fn meta(partner: Option<&str>) -> FeedMeta {
    FeedMeta {
        id: format!("urn:lurewatch:export:{}", partner.unwrap_or("all")),
        title: match partner {
            Some(name) => format!("Lurewatch: flagged job ads for {name}"),
            None => "Lurewatch: flagged job ads".into(),
        },
        self_url: None,
        next_url: None,
        updated: now_millis(),
    }
}
