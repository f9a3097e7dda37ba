//! End-to-end tests of the real `lurewatch` binary: check and score on JSON Lines, CSV, text and
//! standard input, with good and bad records, using the shipped rule file.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const LURE: &str = "Customer service job in Sihanoukville, Cambodia! $1,500/month, no experience \
    needed, just typing. Free flight, visa and dormitory. Send a photo of your passport to our HR \
    on Telegram @kh_hr_desk. Fly this week. 100% legal, not a scam.";
const LEGIT: &str = "Harbourline Contact Solutions Inc. is hiring inbound voice agents in Makati. \
    Basic pay PHP 22,000 plus night differential, HMO, SSS, PhilHealth, Pag-IBIG and 13th month \
    pay. Walk-in interviews at our office, 12F Ayala Tower One. No placement fee.";

fn lurewatch() -> Command {
    Command::cargo_bin("lurewatch").unwrap()
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect()
}

#[test]
fn check_explains_an_obvious_lure_and_exits_1() {
    lurewatch()
        .args(["check", LURE])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("flagged for review"))
        .stdout(predicate::str::contains(
            "\"photo of your passport\"  (text, bytes",
        ))
        .stdout(predicate::str::contains("Sihanoukville"))
        .stdout(predicate::str::contains("Telegram: @kh_hr_desk"))
        .stdout(predicate::str::contains(
            "A lead for human review, not proof",
        ));
}

#[test]
fn check_passes_a_legitimate_ad_with_exit_0() {
    lurewatch()
        .args(["check", LEGIT])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("LOW risk"))
        .stdout(predicate::str::contains("No fees for the worker"));
}

#[test]
fn check_json_prints_the_score_record() {
    let out = lurewatch()
        .args(["check", "--json", LURE])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let record: Value = serde_json::from_slice(&out).unwrap();
    assert!(record["id"].as_str().unwrap().starts_with("lw-"));
    assert_eq!(record["flagged"], true);
    assert!(record["score"].as_f64().unwrap() > 0.9);
    let flags = record["flags"].as_array().unwrap();
    let passport = flags
        .iter()
        .find(|f| f["id"] == "passport_handover")
        .expect("passport flag");
    let (start, end) = (
        passport["start"].as_u64().unwrap() as usize,
        passport["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&LURE[start..end], passport["evidence"].as_str().unwrap());
    assert!(
        record["entities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "telegram" && e["value"] == "@kh_hr_desk")
    );
}

#[test]
fn check_reads_standard_input_and_files() {
    lurewatch().arg("check").write_stdin(LURE).assert().code(1);
    lurewatch()
        .args(["check", "-"])
        .write_stdin(format!("{{\"title\":\"Voice agent\",\"text\":{LEGIT:?}}}"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Voice agent"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ad.txt");
    std::fs::write(&path, LURE).unwrap();
    lurewatch()
        .args(["check", "--file"])
        .arg(&path)
        .assert()
        .code(1);
    let json = dir.path().join("ad.json");
    std::fs::write(
        &json,
        format!("{{\n  \"title\": \"CSR\",\n  \"text\": {LURE:?}\n}}\n"),
    )
    .unwrap();
    lurewatch()
        .args(["check", "--file"])
        .arg(&json)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("CSR"));
}

#[test]
fn check_refuses_empty_input_with_exit_2() {
    lurewatch()
        .args(["check", "   "])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no text"));
}

#[test]
fn score_writes_one_line_per_record_in_order_with_error_lines() {
    let assert = lurewatch()
        .arg("score")
        .arg(data("mixed.jsonl"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "read 7, scored 4, flagged 2 (risk high 2",
        ))
        .stderr(predicate::str::contains("failed 3"))
        .stderr(predicate::str::contains("line 3: invalid JSON"));
    let lines = json_lines(&assert.get_output().stdout);
    assert_eq!(lines.len(), 7);
    assert_eq!(lines[0]["id"], "a1");
    assert_eq!(lines[0]["flagged"], true);
    assert_eq!(lines[0]["board_rank"], 7, "unknown fields pass through");
    assert_eq!(lines[1]["id"], "a2");
    assert_eq!(lines[1]["flagged"], false);
    assert_eq!(lines[2]["line"], 3);
    assert!(
        lines[2]["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid JSON")
    );
    assert_eq!(lines[3]["line"], 4);
    assert!(lines[3]["error"].as_str().unwrap().contains("no text"));
    assert_eq!(lines[4]["id"], "a5");
    assert_eq!(lines[5]["line"], 6);
    assert!(lines[5]["error"].as_str().unwrap().contains("must be text"));
    assert!(lines[6]["id"].as_str().unwrap().starts_with("lw-"));
}

#[test]
fn score_reports_invalid_utf8_and_oversized_records_by_line() {
    let mut input = b"{\"text\":\"fine\"}\n{\"text\":\"bad \xff byte\"}\n".to_vec();
    input.extend(format!("{{\"text\":\"{}\"}}\n", "x".repeat(3000)).as_bytes());
    input.extend(b"{\"text\":\"also fine\"}\n");
    let assert = lurewatch()
        .args(["score", "-", "--max-record-bytes", "1000"])
        .write_stdin(input)
        .assert()
        .code(3);
    let lines = json_lines(&assert.get_output().stdout);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[1]["line"], 2);
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("invalid UTF-8")
    );
    assert_eq!(lines[2]["line"], 3);
    assert!(lines[2]["error"].as_str().unwrap().contains("longer than"));
    assert_eq!(lines[3]["text"], "also fine");
}

#[test]
fn score_reads_csv_and_writes_csv() {
    let assert = lurewatch()
        .arg("score")
        .arg(data("ads.csv"))
        .assert()
        .code(0);
    let mut reader = csv::Reader::from_reader(&assert.get_output().stdout[..]);
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "line");
    assert_eq!(&headers[1], "id");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][1], "c1");
    assert_eq!(&rows[0][3], "true");
    assert!(rows[0][5].contains("passport_handover"));
    assert_eq!(&rows[1][0], "3");
    assert_eq!(&rows[1][3], "false");
    assert_eq!(
        &rows[2][0], "5",
        "the third row starts on line 5, after a field spanning two lines"
    );
}

#[test]
fn score_csv_input_can_write_json_lines() {
    let assert = lurewatch()
        .arg("score")
        .arg(data("ads.csv"))
        .args(["--output-format", "jsonl"])
        .assert()
        .code(0);
    let lines = json_lines(&assert.get_output().stdout);
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[2]["recruiter_note"], "seen twice",
        "extra columns pass through"
    );
}

#[test]
fn score_output_file_extension_selects_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("scored.csv");
    lurewatch()
        .arg("score")
        .arg(data("mixed.jsonl"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(3);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("line,id,score,flagged,risk"));
    assert_eq!(text.lines().count(), 8);
}

#[test]
fn score_treats_a_text_file_as_one_ad() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ad.txt");
    std::fs::write(&path, format!("{LURE}\n\nSecond paragraph.\n")).unwrap();
    let assert = lurewatch().arg("score").arg(&path).assert().code(0);
    let lines = json_lines(&assert.get_output().stdout);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["flagged"], true);
}

#[test]
fn score_with_one_or_two_threads_gives_identical_output() {
    let run = |threads: &str| {
        lurewatch()
            .arg("score")
            .arg(data("mixed.jsonl"))
            .args(["-j", threads])
            .assert()
            .get_output()
            .stdout
            .clone()
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn score_names_a_missing_input_file_and_exits_2() {
    lurewatch()
        .args(["score", "no/such/file.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/file.jsonl"));
}

#[test]
fn score_refuses_an_unknown_extension_without_format() {
    lurewatch()
        .args(["score", "ads.dat"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--format"));
}

#[test]
fn score_stops_quietly_when_the_reader_closes_the_pipe() {
    let lines: String = (0..20_000)
        .map(|i| format!("{{\"id\":\"{i}\",\"text\":\"Typist needed {i}\"}}\n"))
        .collect();
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin!("lurewatch"))
        .args(["score", "-", "-q"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(lines.as_bytes());
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let status = child.wait().unwrap();
    writer.join().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(!stderr.contains("error"), "stderr: {stderr}");
}

#[test]
fn the_shipped_rule_file_passes_rules_check() {
    lurewatch()
        .args(["rules", "check"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(": ok, version"));
}

#[test]
fn rules_check_names_the_rule_and_the_problem() {
    lurewatch()
        .args(["rules", "check"])
        .arg(data("broken_rules.toml"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "rule `passport_handover`, language `en`: terms 2 `(send|submit passport`: unbalanced parentheses",
        ))
        .stderr(predicate::str::contains(
            "rule `fee_rule`: `weight` must be above 0",
        ));
}

#[test]
fn rules_check_reports_failing_examples() {
    lurewatch()
        .args(["rules", "check"])
        .arg(data("rules_failing_example.toml"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "counterexample fires the rule on \"hold your passport\"",
        ));
}

#[test]
fn a_custom_rule_file_changes_the_verdict_of_the_rule_scorer() {
    lurewatch()
        .args(["--scorer", "rules", "--rules"])
        .arg(data("rules_failing_example.toml"))
        .args(["check", "--json", "We will hold your passport for safety."])
        .assert()
        .stdout(predicate::str::contains("\"version\": \"fixture.2\""));
}

#[test]
fn a_model_trained_with_other_rules_is_refused_naming_the_rule_file() {
    lurewatch()
        .args(["--rules"])
        .arg(data("rules_failing_example.toml"))
        .args(["check", "anything"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "was trained with a different rule file",
        ))
        .stderr(predicate::str::contains("--scorer rules"));
}

#[test]
fn a_corrupt_or_mismatched_model_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("model.json");
    std::fs::write(&corrupt, "{\"format\": 1, \"version\": ").unwrap();
    lurewatch()
        .arg("--model")
        .arg(&corrupt)
        .args(["check", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is corrupt or not a model"));
    let future = dir.path().join("future.json");
    std::fs::write(&future, "{\"format\": 9}").unwrap();
    lurewatch()
        .arg("--model")
        .arg(&future)
        .args(["check", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has format 9"));
    let tokenizer = dir.path().join("tokenizer.json");
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("models/tokenizer.json"),
    )
    .unwrap();
    std::fs::write(&tokenizer, shipped.replacen("\"<unk>\"", "\"<unk2>\"", 1)).unwrap();
    lurewatch()
        .arg("--tokenizer")
        .arg(&tokenizer)
        .args(["check", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "was trained with a different tokenizer",
        ));
}

#[test]
fn check_explains_the_model_score_with_features_and_words() {
    let out = lurewatch()
        .args(["check", "--json", LURE])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let record: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(record["scorer"]["name"], "model");
    let reasons = record["reasons"].as_array().unwrap();
    assert!(reasons.iter().any(|r| r["id"] == "hub_place"));
    let words: Vec<&str> = reasons
        .iter()
        .filter_map(|r| r["id"].as_str()?.strip_prefix("text:"))
        .collect();
    assert!(words.len() >= 2, "at least two word reasons: {reasons:?}");
    for w in &words {
        assert!(LURE.contains(w), "{w:?} is not the ad's own text");
    }
}

#[test]
fn help_documents_exit_codes() {
    lurewatch()
        .args(["score", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:"))
        .stdout(predicate::str::contains("3  `score`"));
}

#[test]
fn score_refuses_to_overwrite_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ads.jsonl");
    std::fs::copy(data("mixed.jsonl"), &path).unwrap();
    let before = std::fs::read(&path).unwrap();
    lurewatch()
        .arg("score")
        .arg(&path)
        .arg("-o")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is the input file"));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the input is untouched"
    );
}

#[test]
fn scoring_scored_output_again_keeps_every_key_once() {
    let first = lurewatch()
        .args(["score", "-", "-q"])
        .write_stdin(format!("{{\"id\":\"x\",\"text\":{LURE:?}}}\n"))
        .output()
        .unwrap()
        .stdout;
    let again = lurewatch()
        .args(["score", "-", "-q"])
        .write_stdin(first)
        .output()
        .unwrap()
        .stdout;
    let line = String::from_utf8(again).unwrap();
    assert_eq!(line.matches("\"score\":").count(), 1, "{line}");
    let v: Value = serde_json::from_str(line.trim()).unwrap();
    assert!(
        v["input_score"].is_number(),
        "the earlier score is kept as input_score"
    );
}
