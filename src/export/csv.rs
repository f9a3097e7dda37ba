//! Flagged ads as CSV (RFC 4180, UTF-8, a header row), for spreadsheets.
//!
//! Lists (URLs, flags, evidence, contacts) are joined with ` | ` in one cell. Ad text is written
//! by strangers and CSV files are opened in spreadsheets, so a cell starting with `=`, `+`, `-`,
//! `@`, a tab or a carriage return gets a leading `'`, which keeps a spreadsheet from running it
//! as a formula (OWASP's advice for CSV injection).

use std::io::{self, Write};

use super::{FeedItem, ItemWriter};

/// The columns, in order.
pub const HEADER: [&str; 16] = [
    "id",
    "flagged_at",
    "score",
    "risk",
    "flags",
    "evidence",
    "title",
    "text",
    "contact",
    "contacts",
    "url",
    "urls",
    "language",
    "country",
    "scorer_version",
    "note",
];

/// Writes items as CSV rows.
pub struct CsvWriter<W: Write> {
    out: csv::Writer<W>,
    header_written: bool,
}

impl<W: Write> std::fmt::Debug for CsvWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvWriter").finish_non_exhaustive()
    }
}

impl<W: Write> CsvWriter<W> {
    /// A writer to `out`; the header row is written with the first item (or at the end, for an
    /// empty export).
    pub fn new(out: W) -> CsvWriter<W> {
        CsvWriter {
            out: csv::Writer::from_writer(out),
            header_written: false,
        }
    }

    fn header(&mut self) -> io::Result<()> {
        if !self.header_written {
            self.out.write_record(HEADER).map_err(to_io)?;
            self.header_written = true;
        }
        Ok(())
    }
}

impl<W: Write> ItemWriter for CsvWriter<W> {
    fn item(&mut self, item: &FeedItem) -> io::Result<()> {
        self.header()?;
        self.out.write_record(row(item)).map_err(to_io)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.header()?;
        self.out.flush()
    }
}

/// The cells of one item, in [`HEADER`] order.
pub fn row(item: &FeedItem) -> Vec<String> {
    let evidence: Vec<String> = item
        .evidence
        .iter()
        .map(|e| {
            if e.text.is_empty() {
                e.flag.clone()
            } else {
                format!("{}: {}", e.flag, e.text)
            }
        })
        .collect();
    let contacts: Vec<String> = item
        .contacts
        .iter()
        .map(|c| {
            // A pseudonym already says its kind.
            if c.value.starts_with(&format!("{}:", c.kind)) {
                c.value.clone()
            } else {
                format!("{}: {}", c.kind, c.value)
            }
        })
        .collect();
    [
        item.id.clone(),
        item.flagged_at.clone(),
        format!("{:.4}", item.score),
        item.risk.to_string(),
        item.flags.join(" | "),
        evidence.join(" | "),
        item.title.clone().unwrap_or_default(),
        item.text.clone(),
        item.contact.clone().unwrap_or_default(),
        contacts.join(" | "),
        item.url.clone().unwrap_or_default(),
        item.urls.join(" | "),
        item.language.clone().unwrap_or_default(),
        item.country.clone().unwrap_or_default(),
        item.scorer_version.clone(),
        item.note.to_string(),
    ]
    .into_iter()
    .map(defuse)
    .collect()
}

/// The cell with a leading `'` if a spreadsheet would read it as a formula.
pub fn defuse(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn to_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::sample;

    #[test]
    fn rows_parse_back_with_quotes_line_breaks_and_formulas_defused() {
        let mut out = Vec::new();
        let mut writer = CsvWriter::new(&mut out);
        let item = FeedItem {
            title: Some("=HYPERLINK(\"http://x\")".into()),
            text: "Line one, \"quoted\"\nline two ✈️ งานดี".into(),
            ..sample()
        };
        writer.item(&item).unwrap();
        writer.finish().unwrap();
        drop(writer);
        let mut reader = csv::Reader::from_reader(&out[..]);
        assert_eq!(reader.headers().unwrap(), HEADER.to_vec());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(&rows[0][0], "a1");
        assert_eq!(&rows[0][6], "'=HYPERLINK(\"http://x\")");
        assert_eq!(&rows[0][7], item.text);
        assert_eq!(&rows[0][5], "hub_place: Sihanoukville");
    }

    #[test]
    fn an_empty_export_still_has_its_header() {
        let mut out = Vec::new();
        CsvWriter::new(&mut out).finish().unwrap();
        assert!(
            String::from_utf8(out)
                .unwrap()
                .starts_with("id,flagged_at,score")
        );
    }
}
