//! Training, evaluation and the shipped model, end to end through the real binary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn lurewatch() -> Command {
    Command::cargo_bin("lurewatch").unwrap()
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn train_into(dir: &Path) {
    lurewatch()
        .args(["train", "-q", "--folds", "3", "--corpus"])
        .arg(data("train_small.jsonl"))
        .arg("--out-dir")
        .arg(dir)
        .assert()
        .success();
}

#[test]
fn training_is_deterministic_and_the_model_reloads_and_scores_identically() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    train_into(a.path());
    train_into(b.path());
    for file in ["tokenizer.json", "model.json"] {
        let (x, y) = (
            std::fs::read(a.path().join(file)).unwrap(),
            std::fs::read(b.path().join(file)).unwrap(),
        );
        assert!(x == y, "{file} differs between two runs");
    }
    let score = |dir: &Path| {
        let out = lurewatch()
            .arg("--model")
            .arg(dir.join("model.json"))
            .arg("--tokenizer")
            .arg(dir.join("tokenizer.json"))
            .arg("score")
            .arg(data("mixed.jsonl"))
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let first = score(a.path());
    assert!(first.contains("\"name\":\"model\""));
    assert_eq!(first, score(b.path()));
}

#[test]
fn training_names_a_bad_corpus_line() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("bad.jsonl");
    std::fs::write(
        &corpus,
        "{\"text\":\"a\",\"label\":\"lure\"}\n{\"text\":\"b\",\"label\":\"spam\"}\n",
    )
    .unwrap();
    lurewatch()
        .args(["train", "--corpus"])
        .arg(&corpus)
        .arg("--out-dir")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.jsonl, line 2: field `label` is `spam`",
        ));
}

#[test]
fn obvious_lures_score_above_0_9_and_obvious_legitimate_ads_below_0_1() {
    let out = lurewatch()
        .arg("score")
        .arg(data("obvious.jsonl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 6);
    for line in stdout.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let score = v["score"].as_f64().unwrap();
        match v["expect"].as_str().unwrap() {
            "lure" => assert!(score > 0.9, "{}: {score}", v["id"]),
            _ => assert!(score < 0.1, "{}: {score}", v["id"]),
        }
    }
}

#[test]
fn eval_on_labelled_data_and_by_cross_validation_writes_metrics_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    lurewatch()
        .args(["eval", "--data"])
        .arg(data("train_small.jsonl"))
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("PR-AUC"))
        .stdout(predicate::str::contains("language"));
    let cv = dir.path().join("cv");
    lurewatch()
        .args([
            "eval",
            "--cv",
            "3",
            "--features",
            "all",
            "--json",
            "--corpus",
        ])
        .arg(data("train_small.jsonl"))
        .arg("--out")
        .arg(&cv)
        .assert()
        .success();
    let metrics: Value =
        serde_json::from_str(&std::fs::read_to_string(cv.join("metrics.json")).unwrap()).unwrap();
    for set in ["rules", "text", "combined"] {
        let pr_auc = metrics[set]["pr_auc"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&pr_auc), "{set}: {pr_auc}");
    }
    for svg in ["pr_curve.svg", "calibration.svg"] {
        let text = std::fs::read_to_string(cv.join(svg)).unwrap();
        assert!(text.starts_with("<svg") && text.contains("</svg>"), "{svg}");
    }
}
