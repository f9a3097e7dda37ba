//! `lurewatch reviews export`: analysts' decisions as labelled JSON Lines for
//! `lurewatch train --extra`.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use lurewatch::serve::review::export::{ExportError, export_reviews};
use lurewatch::store::{DEFAULT_DB, SqliteStore};

use super::Exit;

#[derive(Debug, Subcommand)]
pub enum ReviewsCommand {
    /// Write the latest review of each reviewed ad as labelled JSON Lines (confirmed = lure,
    /// dismissed = legit), the format `lurewatch train --extra` reads.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The database the server keeps.
    #[arg(long, default_value = DEFAULT_DB, value_name = "FILE")]
    pub db: PathBuf,
    /// Only this partner's reviews.
    #[arg(long, value_name = "NAME")]
    pub partner: Option<String>,
    /// Write here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(command: ReviewsCommand, quiet: bool) -> anyhow::Result<Exit> {
    match command {
        ReviewsCommand::Export(args) => export(args, quiet),
    }
}

fn export(args: ExportArgs, quiet: bool) -> anyhow::Result<Exit> {
    if !args.db.exists() {
        bail!("no database at {} (use --db)", args.db.display());
    }
    let store = SqliteStore::open(&args.db)?;
    let result = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let mut out = BufWriter::new(file);
            let result = export_reviews(&store, args.partner.as_deref(), &mut out)
                .and_then(|summary| Ok(out.flush().map(|()| summary)?));
            if result.is_err() {
                drop(out);
                let _ = std::fs::remove_file(path); // no half-written export left behind
            }
            result
        }
        None => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            export_reviews(&store, args.partner.as_deref(), &mut out)
        }
    };
    let summary = match result {
        Ok(summary) => summary,
        // A closed output pipe (`... | head`) is not an error.
        Err(ExportError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            return Ok(Exit::Ok);
        }
        Err(e) => return Err(e.into()),
    };
    if !quiet {
        eprintln!(
            "lurewatch: exported {} reviewed ads ({} confirmed lures, {} dismissed){}",
            summary.written,
            summary.lures,
            summary.legit,
            args.output
                .as_ref()
                .map(|p| format!(" to {}", p.display()))
                .unwrap_or_default()
        );
    }
    Ok(Exit::Ok)
}
