//! Reading ads from JSON Lines, CSV with a header row, or plain text.
//!
//! Input is read as a stream of records with bounded memory: a record longer than
//! [`Limits::max_record_bytes`] is skipped (and reported) without being held in memory. Every
//! record comes out as an [`InputRecord`] carrying the line it started on and either the ad or
//! the reason it is unusable, so a batch can account for every input record. Only an I/O error
//! or an unreadable CSV header stops reading.

use std::io::{self, BufRead};
use std::path::Path;

use serde_json::{Map, Value};

use super::{Ad, RecordError, json_type};

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row naming the fields.
    Csv,
    /// The whole input is the text of one ad.
    Text,
}

impl Format {
    /// The format a file name's extension implies: `.jsonl`, `.ndjson` and `.json` are JSON
    /// Lines, `.csv` is CSV, `.txt`, `.text` and `.md` are plain text.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            "txt" | "text" | "md" => Some(Format::Text),
            _ => None,
        }
    }
}

/// Limits on untrusted input.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest record accepted, in bytes.
    pub max_record_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_record_bytes: 1 << 20,
        }
    }
}

/// One input record: where it started and what it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct InputRecord {
    /// 1-based line on which the record starts.
    pub line: u64,
    /// The ad, or why the record could not be read as one.
    pub ad: Result<Ad, RecordError>,
}

/// An error that stops reading altogether.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Reading failed.
    #[error("read error near line {line}: {source}")]
    Io {
        /// The line being read.
        line: u64,
        /// The cause.
        source: io::Error,
    },
    /// The CSV header row cannot be used.
    #[error("CSV header on line {line}: {message}")]
    CsvHeader {
        /// The header's line.
        line: u64,
        /// What is wrong with it.
        message: String,
    },
}

/// Reads records from `reader` in `format`.
pub fn records<R: BufRead>(reader: R, format: Format, limits: Limits) -> Records<R> {
    Records {
        splitter: Splitter {
            reader,
            next_line: 1,
            quotes: format == Format::Csv,
            whole: format == Format::Text,
            max: limits.max_record_bytes,
            at_start: true,
            finished: false,
        },
        format,
        header: None,
        failed: false,
    }
}

/// Iterator over the records of an input; see [`records`].
pub struct Records<R> {
    splitter: Splitter<R>,
    format: Format,
    header: Option<Vec<String>>,
    failed: bool,
}

impl<R: BufRead> Iterator for Records<R> {
    type Item = Result<InputRecord, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let result = self.next_record();
        if result.is_err() {
            self.failed = true;
        }
        result.transpose()
    }
}

impl<R: BufRead> Records<R> {
    fn next_record(&mut self) -> Result<Option<InputRecord>, ReadError> {
        loop {
            let Some(raw) = self.splitter.next_raw()? else {
                return Ok(None);
            };
            let line = raw.line;
            let bytes = match raw.bytes {
                Ok(bytes) => bytes,
                Err(limit) => {
                    if self.format == Format::Csv && self.header.is_none() {
                        return Err(ReadError::CsvHeader {
                            line,
                            message: format!("longer than the limit of {limit} bytes"),
                        });
                    }
                    return Ok(Some(InputRecord {
                        line,
                        ad: Err(RecordError::TooLong { limit }),
                    }));
                }
            };
            if self.format != Format::Text && bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let ad = match self.format {
                Format::Jsonl => parse_json(&bytes),
                Format::Text => parse_text(&bytes),
                Format::Csv => match &self.header {
                    None => {
                        self.header = Some(parse_header(&bytes, line)?);
                        continue;
                    }
                    Some(header) => parse_csv_row(&bytes, header),
                },
            };
            return Ok(Some(InputRecord { line, ad }));
        }
    }
}

fn utf8(bytes: &[u8], column: Option<&str>) -> Result<String, RecordError> {
    String::from_utf8(bytes.to_vec()).map_err(|e| RecordError::InvalidUtf8 {
        offset: e.utf8_error().valid_up_to(),
        column: column.map(str::to_string),
    })
}

fn parse_text(bytes: &[u8]) -> Result<Ad, RecordError> {
    Ad::from_text(&utf8(bytes, None)?)
}

fn parse_json(bytes: &[u8]) -> Result<Ad, RecordError> {
    let text = utf8(bytes, None)?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| RecordError::InvalidJson(e.to_string()))?;
    match value {
        Value::Object(map) => Ad::from_object(map),
        other => Err(RecordError::NotAnObject(json_type(&other))),
    }
}

fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(bytes.len().clamp(64, 64 * 1024))
        .from_reader(bytes)
}

fn parse_header(bytes: &[u8], line: u64) -> Result<Vec<String>, ReadError> {
    let header_error = |message: String| ReadError::CsvHeader { line, message };
    let mut record = csv::ByteRecord::new();
    csv_reader(bytes)
        .read_byte_record(&mut record)
        .map_err(|e| header_error(e.to_string()))?;
    let mut names = Vec::with_capacity(record.len());
    for (i, field) in record.iter().enumerate() {
        let name = std::str::from_utf8(field)
            .map_err(|_| header_error(format!("column {} is not valid UTF-8", i + 1)))?
            .trim()
            .to_string();
        if name.is_empty() {
            return Err(header_error(format!("column {} has no name", i + 1)));
        }
        if names.iter().any(|n: &String| n.eq_ignore_ascii_case(&name)) {
            return Err(header_error(format!("column `{name}` appears twice")));
        }
        names.push(name);
    }
    Ok(names)
}

fn parse_csv_row(bytes: &[u8], header: &[String]) -> Result<Ad, RecordError> {
    let mut record = csv::ByteRecord::new();
    let mut reader = csv_reader(bytes);
    reader
        .read_byte_record(&mut record)
        .map_err(|e| RecordError::InvalidCsv(e.to_string()))?;
    let mut more = csv::ByteRecord::new();
    if reader.read_byte_record(&mut more).unwrap_or(false) {
        return Err(RecordError::InvalidCsv(
            "the row's quotes do not balance, so it runs into the next lines".into(),
        ));
    }
    if record.len() != header.len() {
        return Err(RecordError::InvalidCsv(format!(
            "the row has {} fields but the header has {}",
            record.len(),
            header.len()
        )));
    }
    let mut map = Map::with_capacity(header.len());
    for (name, field) in header.iter().zip(record.iter()) {
        let value = utf8(field, Some(name))?;
        if !value.is_empty() {
            map.insert(name.to_ascii_lowercase(), Value::String(value));
        }
    }
    Ad::from_object(map)
}

/// A record's bytes, or the limit it exceeded.
struct Raw {
    line: u64,
    bytes: Result<Vec<u8>, usize>,
}

/// Splits input into records: lines, CSV rows (a line break inside quotes does not end a row) or
/// the whole input, never holding more than `max` bytes of one record.
struct Splitter<R> {
    reader: R,
    next_line: u64,
    quotes: bool,
    whole: bool,
    max: usize,
    at_start: bool,
    finished: bool,
}

impl<R: BufRead> Splitter<R> {
    fn next_raw(&mut self) -> Result<Option<Raw>, ReadError> {
        if self.finished {
            return Ok(None);
        }
        let line = self.next_line;
        let mut bytes = Vec::new();
        let mut too_long = false;
        let mut csv = CsvState::FieldStart;
        let mut saw_any = false;
        loop {
            let buf = match self.reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    return Err(ReadError::Io {
                        line: self.next_line,
                        source,
                    });
                }
            };
            if buf.is_empty() {
                self.finished = true;
                break;
            }
            saw_any = true;
            let (used, ended, breaks) = scan(buf, self.quotes, self.whole, &mut csv);
            self.next_line += breaks;
            let piece = &buf[..used];
            if !too_long {
                // Room for the line ending (`\r\n`) and a byte-order mark, stripped below.
                if bytes.len() + piece.len() > self.max + 5 {
                    too_long = true;
                    bytes = Vec::new();
                } else {
                    bytes.extend_from_slice(piece);
                }
            }
            self.reader.consume(used);
            if ended {
                break;
            }
        }
        if !saw_any {
            return Ok(None);
        }
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
        }
        if self.at_start {
            self.at_start = false;
            if bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
        }
        if !too_long && bytes.len() > self.max {
            too_long = true;
        }
        Ok(Some(Raw {
            line,
            bytes: if too_long { Err(self.max) } else { Ok(bytes) },
        }))
    }
}

/// Where a CSV scan stands, as RFC 4180 reads it: a quote opens a quoted field only at the
/// start of a field (`5" wide` is plain text), and `""` inside quotes is a literal quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CsvState {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote seen inside a quoted field: it closes the field, or starts `""`.
    QuoteInQuoted,
}

impl CsvState {
    /// The state after byte `b`; a line break ends the record unless quoted.
    fn next(self, b: u8) -> CsvState {
        use CsvState::*;
        match (self, b) {
            (Quoted, b'"') => QuoteInQuoted,
            (Quoted, _) => Quoted,
            (QuoteInQuoted, b'"') | (FieldStart, b'"') => Quoted,
            (_, b',') | (_, b'\n') => FieldStart,
            _ => Unquoted,
        }
    }
}

/// Scans `buf` for the end of the current record; returns how many bytes belong to it, whether
/// it ended, and how many line breaks those bytes hold.
fn scan(buf: &[u8], quotes: bool, whole: bool, csv: &mut CsvState) -> (usize, bool, u64) {
    let mut breaks = 0;
    for (i, &b) in buf.iter().enumerate() {
        let quoted = quotes && *csv == CsvState::Quoted;
        if quotes {
            *csv = csv.next(b);
        }
        if b == b'\n' {
            breaks += 1;
            if !whole && !quoted {
                return (i + 1, true, breaks);
            }
        }
    }
    (buf.len(), false, breaks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8], format: Format, max: usize) -> Vec<(u64, Result<String, String>)> {
        records(
            input,
            format,
            Limits {
                max_record_bytes: max,
            },
        )
        .map(|r| {
            let r = r.unwrap();
            (
                r.line,
                r.ad.map(|a| format!("{}|{}", a.title.unwrap_or_default(), a.text))
                    .map_err(|e| e.to_string()),
            )
        })
        .collect()
    }

    #[test]
    fn json_lines_keep_line_numbers_and_report_bad_lines() {
        let input =
            b"{\"text\":\"a\"}\n\n{bad json}\n[1,2]\n{\"title\":\"t\",\"text\":\"b\"}\r\n{\"x\":1}";
        let got = read(input, Format::Jsonl, 1000);
        assert_eq!(got.len(), 5);
        assert_eq!(got[0], (1, Ok("|a".into())));
        assert_eq!(got[1].0, 3);
        assert!(got[1].1.as_ref().unwrap_err().starts_with("invalid JSON"));
        assert_eq!(
            got[2],
            (4, Err("expected a JSON object, found an array".into()))
        );
        assert_eq!(got[3], (5, Ok("t|b".into())));
        assert_eq!(got[4].0, 6);
        assert!(got[4].1.as_ref().unwrap_err().contains("no text"));
    }

    #[test]
    fn over_long_records_are_reported_and_reading_goes_on() {
        let long = format!(
            "{{\"text\":\"{}\"}}\n{{\"text\":\"ok\"}}\n",
            "x".repeat(5000)
        );
        let got = read(long.as_bytes(), Format::Jsonl, 100);
        assert_eq!(
            got[0],
            (
                1,
                Err("record is longer than the limit of 100 bytes".into())
            )
        );
        assert_eq!(got[1], (2, Ok("|ok".into())));
    }

    #[test]
    fn invalid_utf8_is_reported_with_its_offset() {
        let got = read(b"{\"text\":\"\xff\"}\n", Format::Jsonl, 100);
        assert_eq!(
            got[0].1,
            Err("invalid UTF-8 at byte 9 of the record".into())
        );
    }

    #[test]
    fn csv_rows_may_span_lines_and_errors_name_the_row() {
        let input = "\u{FEFF}id,Title,description,extra\n1,Typist,\"line one\nline two\",x\n2,only two\n3,Cook,\"a \"\"quoted\"\" word\",\n";
        let got = read(input.as_bytes(), Format::Csv, 1000);
        assert_eq!(got[0], (2, Ok("Typist|line one\nline two".into())));
        assert_eq!(
            got[1],
            (
                4,
                Err("invalid CSV: the row has 2 fields but the header has 4".into())
            )
        );
        assert_eq!(got[2], (5, Ok("Cook|a \"quoted\" word".into())));
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_plain_text() {
        let input = "id,text\n1,Screen 5\" wide\n2,next row\n3,\"say \"\"hi\"\"\"\n";
        let got = read(input.as_bytes(), Format::Csv, 1000);
        assert_eq!(
            got,
            vec![
                (2, Ok("|Screen 5\" wide".into())),
                (3, Ok("|next row".into())),
                (4, Ok("|say \"hi\"".into()))
            ]
        );
    }

    #[test]
    fn csv_fields_with_invalid_utf8_name_the_column() {
        let got = read(b"id,text\n1,\"\xfe\"\n", Format::Csv, 1000);
        assert_eq!(
            got[0].1,
            Err("invalid UTF-8 at byte 0 of the record (column `text`)".into())
        );
    }

    #[test]
    fn csv_columns_differing_only_in_case_are_duplicates() {
        let mut it = records(&b"Text,text\nx,y\n"[..], Format::Csv, Limits::default());
        let err = it.next().unwrap().unwrap_err().to_string();
        assert!(err.contains("appears twice"), "{err}");
    }

    #[test]
    fn a_bad_csv_header_stops_reading_with_its_line() {
        let mut it = records(&b"text,text\nx,y\n"[..], Format::Csv, Limits::default());
        let err = it.next().unwrap().unwrap_err().to_string();
        assert_eq!(err, "CSV header on line 1: column `text` appears twice");
        assert!(it.next().is_none());
    }

    #[test]
    fn text_input_is_one_ad() {
        let got = read(b"Line one\nLine two\n", Format::Text, 1000);
        assert_eq!(got, vec![(1, Ok("|Line one\nLine two".into()))]);
    }

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(Format::from_path(Path::new("a.JSONL")), Some(Format::Jsonl));
        assert_eq!(Format::from_path(Path::new("a.csv")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("ad.txt")), Some(Format::Text));
        assert_eq!(Format::from_path(Path::new("noext")), None);
    }

    proptest::proptest! {
        #[test]
        fn every_non_blank_line_becomes_exactly_one_record(lines in proptest::collection::vec("[ -~]{0,40}", 0..20)) {
            let input = lines.join("\n");
            let expected = lines.iter().filter(|l| !l.trim().is_empty()).count();
            let got: Vec<_> = records(input.as_bytes(), Format::Jsonl, Limits { max_record_bytes: 30 }).collect();
            proptest::prop_assert_eq!(got.len(), expected);
            proptest::prop_assert!(got.iter().all(|r| r.is_ok()));
        }

        #[test]
        fn arbitrary_bytes_never_panic_in_any_format(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            for format in [Format::Jsonl, Format::Csv, Format::Text] {
                for record in records(&bytes[..], format, Limits { max_record_bytes: 64 }) {
                    let _ = record;
                }
            }
        }
    }
}
