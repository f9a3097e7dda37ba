//! `lurewatch check`: one ad, from an argument, a file or standard input.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use lurewatch::ad::Ad;
use lurewatch::ad::read::{Format, Limits, records};
use lurewatch::classify::Classifier;

use super::{Exit, FormatArg};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The ad's text. Use `-` (or give nothing) to read standard input.
    pub text: Option<String>,
    /// Read the ad from a file: JSON (one object), CSV (one row) or text, by extension.
    #[arg(short, long, value_name = "FILE", conflicts_with = "text")]
    pub file: Option<PathBuf>,
    /// Format of the file or standard input, when the extension does not say.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Print the scored record as JSON (the same record `score` writes) instead of the report.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: CheckArgs, classifier: Classifier) -> anyhow::Result<Exit> {
    let ad = read_ad(&args)?;
    let scored = classifier.classify(ad);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&scored)?);
    } else {
        print!(
            "{}",
            lurewatch::check::render(&scored, classifier.extractor().rules())
        );
    }
    Ok(if scored.flagged {
        Exit::Findings
    } else {
        Exit::Ok
    })
}

fn read_ad(args: &CheckArgs) -> anyhow::Result<Ad> {
    let limits = Limits::default();
    let (bytes, format, origin) = match (&args.text, &args.file) {
        (Some(text), None) if text != "-" => {
            return Ad::from_text(text).context("the ad given on the command line");
        }
        (_, Some(path)) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let format = args
                .format
                .map(Format::from)
                .or_else(|| Format::from_path(path))
                .unwrap_or(Format::Text);
            (bytes, format, path.display().to_string())
        }
        _ => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                bail!("give the ad as an argument, with --file, or on standard input");
            }
            let mut bytes = Vec::new();
            stdin
                .lock()
                .take(limits.max_record_bytes as u64 + 1)
                .read_to_end(&mut bytes)
                .context("cannot read standard input")?;
            let format = args.format.map(Format::from).unwrap_or_else(|| {
                if bytes.trim_ascii_start().starts_with(b"{") {
                    Format::Jsonl
                } else {
                    Format::Text
                }
            });
            (bytes, format, "standard input".to_string())
        }
    };
    // A .json file may hold one pretty-printed object rather than one object per line.
    if format == Format::Jsonl {
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(&bytes) {
            return Ad::from_object(map).with_context(|| format!("{origin} is not a usable ad"));
        }
    }
    let mut found = records(&bytes[..], format, limits);
    let first = found
        .next()
        .with_context(|| format!("{origin} holds no ad"))?
        .with_context(|| format!("cannot read {origin}"))?;
    let ad = first
        .ad
        .with_context(|| format!("{origin}, line {}", first.line))?;
    if found.next().is_some() {
        bail!("{origin} holds more than one ad; use `lurewatch score` for batches");
    }
    Ok(ad)
}
