//! Writing scored records as JSON Lines or CSV.
//!
//! JSON Lines carries the whole [`ScoredAd`]. CSV flattens it to one row per ad with the columns
//! a spreadsheet user needs: the decision, the flag ids, the evidence, the contacts. A record that
//! failed becomes a line (or row) with its input line number and the reason.

use std::io::{self, Write};

use serde::Serialize;

use crate::ad::RecordError;
use crate::classify::ScoredAd;
use crate::features::rules::Polarity;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

/// CSV columns, in order.
const CSV_HEADER: [&str; 13] = [
    "line",
    "id",
    "score",
    "flagged",
    "risk",
    "flags",
    "evidence",
    "protective",
    "entities",
    "pay_usd_month",
    "title",
    "url",
    "error",
];

/// The error line written for a record that could not be scored.
#[derive(Serialize)]
struct ErrorLine {
    line: u64,
    error: String,
}

/// Writes records in one output format.
pub struct RecordWriter<W: Write> {
    inner: Inner<W>,
}

enum Inner<W: Write> {
    Jsonl(io::BufWriter<W>),
    Csv(Box<csv::Writer<W>>),
}

impl<W: Write> RecordWriter<W> {
    /// A writer; for CSV, the header row is written at once.
    pub fn new(output: W, format: OutputFormat) -> io::Result<RecordWriter<W>> {
        let inner = match format {
            OutputFormat::Jsonl => Inner::Jsonl(io::BufWriter::with_capacity(1 << 16, output)),
            OutputFormat::Csv => {
                let mut w = csv::Writer::from_writer(output);
                w.write_record(CSV_HEADER).map_err(csv_to_io)?;
                Inner::Csv(Box::new(w))
            }
        };
        Ok(RecordWriter { inner })
    }

    /// Writes a scored ad read from input line `line`.
    pub fn scored(&mut self, line: u64, ad: &ScoredAd) -> io::Result<()> {
        match &mut self.inner {
            Inner::Jsonl(w) => {
                serde_json::to_writer(&mut *w, ad).map_err(json_to_io)?;
                w.write_all(b"\n")
            }
            Inner::Csv(w) => w.write_record(csv_row(line, ad)).map_err(csv_to_io),
        }
    }

    /// Writes the error line of a record that could not be scored.
    pub fn failed(&mut self, line: u64, error: &RecordError) -> io::Result<()> {
        match &mut self.inner {
            Inner::Jsonl(w) => {
                let record = ErrorLine {
                    line,
                    error: error.to_string(),
                };
                serde_json::to_writer(&mut *w, &record).map_err(json_to_io)?;
                w.write_all(b"\n")
            }
            Inner::Csv(w) => {
                let mut row = vec![String::new(); CSV_HEADER.len()];
                row[0] = line.to_string();
                row[CSV_HEADER.len() - 1] = error.to_string();
                w.write_record(&row).map_err(csv_to_io)
            }
        }
    }

    /// Flushes buffered output.
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Inner::Jsonl(w) => w.flush(),
            Inner::Csv(w) => w.flush(),
        }
    }

    /// Flushes and releases the output.
    pub fn finish(mut self) -> io::Result<()> {
        self.flush()
    }
}

fn csv_row(line: u64, ad: &ScoredAd) -> Vec<String> {
    let ids = |polarity: Polarity| {
        let mut ids: Vec<&str> = Vec::new();
        for f in ad.flags.iter().filter(|f| f.polarity == polarity) {
            if !ids.contains(&f.id.as_str()) {
                ids.push(&f.id);
            }
        }
        ids.join(";")
    };
    let evidence = ad
        .flags
        .iter()
        .filter(|f| f.polarity == Polarity::Risk && !f.evidence.is_empty())
        .map(|f| format!("{}: {}", f.id, f.evidence.replace(['\n', '\r'], " ")))
        .collect::<Vec<_>>()
        .join(" | ");
    let entities = ad
        .entities
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                serde_json::to_value(e.entity.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                e.entity.value
            )
        })
        .collect::<Vec<_>>()
        .join(";");
    vec![
        line.to_string(),
        ad.ad.id.clone(),
        format!("{:.4}", ad.score),
        ad.flagged.to_string(),
        ad.risk.to_string(),
        ids(Polarity::Risk),
        evidence,
        ids(Polarity::Protective),
        entities,
        ad.pay
            .as_ref()
            .map(|p| format!("{:.0}", p.usd_per_month))
            .unwrap_or_default(),
        ad.ad.title.clone().unwrap_or_default(),
        ad.ad.url.clone().unwrap_or_default(),
        String::new(),
    ]
}

fn csv_to_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

fn json_to_io(e: serde_json::Error) -> io::Error {
    match e.io_error_kind() {
        Some(kind) => io::Error::new(kind, e),
        None => io::Error::other(e),
    }
}
