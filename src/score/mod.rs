//! Stage 4 of the pipeline, in batch: scoring a stream of ads.
//!
//! [`run`] reads records on one thread, scores them in chunks in parallel with rayon, and writes
//! one output line per input record, in input order: the scored ad, or an error line naming the
//! input line and the reason. Memory stays bounded whatever the input size: at most a few chunks
//! are in flight, and a chunk is capped by count and by bytes.

mod output;

use std::io::{self, BufRead, Write};
use std::sync::mpsc;

use rayon::prelude::*;

pub use output::{OutputFormat, RecordWriter};

use crate::ad::RecordError;
use crate::ad::read::{Format, InputRecord, Limits, ReadError, records};
use crate::classify::{Classifier, Risk, ScoredAd};

/// Settings of a batch run.
#[derive(Debug, Clone, Copy)]
pub struct BatchOptions {
    /// Input format.
    pub format: Format,
    /// Output format.
    pub output: OutputFormat,
    /// Limits on input records.
    pub limits: Limits,
    /// Most records scored together.
    pub chunk_records: usize,
    /// Most input bytes scored together.
    pub chunk_bytes: usize,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            format: Format::Jsonl,
            output: OutputFormat::Jsonl,
            limits: Limits::default(),
            chunk_records: 512,
            chunk_bytes: 8 << 20,
        }
    }
}

/// Counts of a batch run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Records read (scored plus failed).
    pub read: u64,
    /// Records scored.
    pub scored: u64,
    /// Scored records that were flagged for review.
    pub flagged: u64,
    /// Records that could not be scored.
    pub failed: u64,
    /// Scored records per risk band: low, medium, high.
    pub by_risk: [u64; 3],
}

/// What a batch run reports as it goes; the CLI shows it, tests record it.
pub trait Observer {
    /// A record could not be scored.
    fn failed(&mut self, line: u64, error: &RecordError) {
        let _ = (line, error);
    }
    /// A chunk was written; `summary` holds the totals so far.
    fn progress(&mut self, summary: &Summary) {
        let _ = summary;
    }
    /// The ads of a chunk were scored and written, in input order (for example, to store them).
    /// An error stops the run.
    fn scored(&mut self, ads: &[&ScoredAd]) -> Result<(), ObserverError> {
        let _ = ads;
        Ok(())
    }
}

/// Why an observer stopped a run.
pub type ObserverError = Box<dyn std::error::Error + Send + Sync>;

/// An observer that ignores everything.
impl Observer for () {}

/// Why a batch run stopped early.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The input could not be read further.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The output could not be written.
    #[error("cannot write output: {0}")]
    Write(#[source] io::Error),
    /// The reader of our output went away (for example `| head`); not a failure.
    #[error("output closed by the reader")]
    OutputClosed,
    /// The observer could not keep up with the scores (for example, the database failed).
    #[error("{0}")]
    Observer(ObserverError),
}

impl BatchError {
    fn from_write(e: io::Error) -> BatchError {
        if e.kind() == io::ErrorKind::BrokenPipe {
            BatchError::OutputClosed
        } else {
            BatchError::Write(e)
        }
    }
}

/// The result of scoring one input record.
enum Outcome {
    Scored(u64, Box<ScoredAd>),
    Failed(u64, RecordError),
}

/// Scores every record of `input` and writes the results to `output`.
///
/// Returns the counts, also when reading stopped early: in that case the error says where, and
/// every record before it has been written.
pub fn run<R, W>(
    input: R,
    output: W,
    classifier: &Classifier,
    options: &BatchOptions,
    observer: &mut dyn Observer,
) -> (Summary, Result<(), BatchError>)
where
    R: BufRead + Send,
    W: Write,
{
    let mut summary = Summary::default();
    let mut writer = match RecordWriter::new(output, options.output) {
        Ok(w) => w,
        Err(e) => return (summary, Err(BatchError::from_write(e))),
    };
    let (sender, receiver) = mpsc::sync_channel::<Result<Vec<InputRecord>, ReadError>>(2);
    let result = std::thread::scope(|scope| {
        scope.spawn(move || read_chunks(input, options, sender));
        for chunk in receiver {
            let chunk = chunk?;
            let outcomes: Vec<Outcome> = chunk
                .into_par_iter()
                .map(|record| match record.ad {
                    Ok(ad) => Outcome::Scored(record.line, Box::new(classifier.classify(ad))),
                    Err(e) => Outcome::Failed(record.line, e),
                })
                .collect();
            for outcome in &outcomes {
                summary.read += 1;
                match outcome {
                    Outcome::Scored(line, scored) => {
                        summary.scored += 1;
                        summary.flagged += u64::from(scored.flagged);
                        summary.by_risk[match scored.risk {
                            Risk::Low => 0,
                            Risk::Medium => 1,
                            Risk::High => 2,
                        }] += 1;
                        writer
                            .scored(*line, scored)
                            .map_err(BatchError::from_write)?;
                    }
                    Outcome::Failed(line, error) => {
                        summary.failed += 1;
                        observer.failed(*line, error);
                        writer
                            .failed(*line, error)
                            .map_err(BatchError::from_write)?;
                    }
                }
            }
            writer.flush().map_err(BatchError::from_write)?;
            let scored: Vec<&ScoredAd> = outcomes
                .iter()
                .filter_map(|o| match o {
                    Outcome::Scored(_, scored) => Some(&**scored),
                    Outcome::Failed(..) => None,
                })
                .collect();
            observer.scored(&scored).map_err(BatchError::Observer)?;
            observer.progress(&summary);
        }
        Ok(())
    });
    let result = result.and_then(|()| writer.finish().map_err(BatchError::from_write));
    (summary, result)
}

/// Reads records and sends them in chunks; stops at the first read error (after sending it) or
/// when the receiver is gone.
fn read_chunks<R: BufRead>(
    input: R,
    options: &BatchOptions,
    sender: mpsc::SyncSender<Result<Vec<InputRecord>, ReadError>>,
) {
    let mut chunk = Vec::with_capacity(options.chunk_records);
    let mut bytes = 0;
    for record in records(input, options.format, options.limits) {
        match record {
            Ok(record) => {
                bytes += record.ad.as_ref().map_or(0, |ad| ad.text_len());
                chunk.push(record);
                if chunk.len() >= options.chunk_records || bytes >= options.chunk_bytes {
                    let full =
                        std::mem::replace(&mut chunk, Vec::with_capacity(options.chunk_records));
                    bytes = 0;
                    if sender.send(Ok(full)).is_err() {
                        return;
                    }
                }
            }
            Err(e) => {
                if !chunk.is_empty() && sender.send(Ok(std::mem::take(&mut chunk))).is_err() {
                    return;
                }
                let _ = sender.send(Err(e));
                return;
            }
        }
    }
    if !chunk.is_empty() {
        let _ = sender.send(Ok(chunk));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier() -> &'static Classifier {
        static CLASSIFIER: std::sync::OnceLock<Classifier> = std::sync::OnceLock::new();
        CLASSIFIER.get_or_init(|| Classifier::embedded_rules().expect("shipped rules load"))
    }

    fn score(input: &[u8], options: &BatchOptions) -> (Summary, Vec<String>) {
        let mut out = Vec::new();
        let (summary, result) = run(input, &mut out, classifier(), options, &mut ());
        result.unwrap();
        let lines = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        (summary, lines)
    }

    #[derive(Default)]
    struct Recorder {
        failed: Vec<u64>,
        progress_calls: usize,
    }

    impl Observer for Recorder {
        fn failed(&mut self, line: u64, _: &RecordError) {
            self.failed.push(line);
        }
        fn progress(&mut self, _: &Summary) {
            self.progress_calls += 1;
        }
    }

    #[test]
    fn output_keeps_input_order_across_chunks() {
        let input: String = (0..100)
            .map(|i| format!("{{\"id\":\"{i}\",\"text\":\"ad number {i}\"}}\n"))
            .collect();
        let options = BatchOptions {
            chunk_records: 7,
            ..BatchOptions::default()
        };
        let (summary, lines) = score(input.as_bytes(), &options);
        assert_eq!(summary.scored, 100);
        for (i, line) in lines.iter().enumerate() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["id"], i.to_string());
        }
    }

    #[test]
    fn the_observer_hears_of_every_failure() {
        let mut recorder = Recorder::default();
        let input = b"{\"text\":\"a\"}\nnot json\n{}\n{\"text\":\"b\"}\n";
        let (summary, result) = run(
            &input[..],
            io::sink(),
            classifier(),
            &BatchOptions::default(),
            &mut recorder,
        );
        result.unwrap();
        assert_eq!(recorder.failed, vec![2, 3]);
        assert_eq!(summary.failed, 2);
        assert!(recorder.progress_calls >= 1);
    }

    #[test]
    fn the_observer_receives_every_scored_ad_and_can_stop_the_run() {
        struct Keeper(Vec<String>, bool);
        impl Observer for Keeper {
            fn scored(&mut self, ads: &[&ScoredAd]) -> Result<(), ObserverError> {
                self.0.extend(ads.iter().map(|a| a.ad.id.clone()));
                if self.1 {
                    Err("database is full".into())
                } else {
                    Ok(())
                }
            }
        }
        let input = b"{\"id\":\"a\",\"text\":\"x\"}\nbad\n{\"id\":\"b\",\"text\":\"y\"}\n";
        let options = BatchOptions {
            chunk_records: 2,
            ..BatchOptions::default()
        };
        let mut keeper = Keeper(Vec::new(), false);
        let (_, result) = run(&input[..], io::sink(), classifier(), &options, &mut keeper);
        result.unwrap();
        assert_eq!(keeper.0, ["a", "b"]);
        let mut failing = Keeper(Vec::new(), true);
        let (summary, result) = run(&input[..], io::sink(), classifier(), &options, &mut failing);
        assert!(matches!(result, Err(BatchError::Observer(_))));
        assert_eq!(summary.read, 2, "stopped after the first chunk");
    }

    #[test]
    fn a_fatal_csv_header_error_is_returned_after_the_records_before_it() {
        let (summary, result) = run(
            &b"a,a\n1,2\n"[..],
            io::sink(),
            classifier(),
            &BatchOptions {
                format: Format::Csv,
                ..BatchOptions::default()
            },
            &mut (),
        );
        assert_eq!(summary.read, 0);
        assert!(matches!(
            result,
            Err(BatchError::Read(ReadError::CsvHeader { .. }))
        ));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn every_non_blank_input_line_is_accounted_for(
            lines in proptest::collection::vec(
                proptest::prop_oneof![
                    "\\PC{0,60}",
                    "\\{\"text\":\"[a-z @.]{0,40}\"\\}",
                    "\\{\"title\":\"\\PC{0,20}\",\"text\":\"\\PC{0,40}\"\\}",
                ],
                0..25,
            ),
            chunk in 1usize..6,
        ) {
            let input = lines.join("\n");
            let expected = input.split('\n').filter(|l| !l.trim_ascii().is_empty()).count();
            let options = BatchOptions { chunk_records: chunk, limits: Limits { max_record_bytes: 50 }, ..BatchOptions::default() };
            let (summary, out) = score(input.as_bytes(), &options);
            proptest::prop_assert_eq!(out.len(), expected);
            proptest::prop_assert_eq!(summary.read as usize, expected);
            proptest::prop_assert_eq!(summary.scored + summary.failed, summary.read);
            for line in &out {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                proptest::prop_assert!(v.get("id").is_some() || (v.get("line").is_some() && v.get("error").is_some()));
            }
        }
    }
}
