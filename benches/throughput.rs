//! Throughput benchmarks, each with a baseline measured in the same run:
//! - features: normalisation + red-flag rules in MB/s, against plain lower-casing of the same text;
//! - score: `score` end to end in ads/s with 1 and 2 threads, with the rule scorer and with the
//!   trained model, against reading the records only;
//! - load: loading the shipped model (rules, tokenizer, weights), against compiling the rules alone.
//!
//! Run with `cargo bench --bench throughput`; the ratios are printed at the end.

use std::hint::black_box;
use std::io;
use std::path::Path;

use criterion::{Criterion, Throughput};

use lurewatch::ad::read::{Format, Limits, records};
use lurewatch::classify::Classifier;
use lurewatch::features::normalize::normalize;
use lurewatch::features::rules::RuleSet;
use lurewatch::score::{BatchOptions, run};

/// Deterministic generator (SplitMix64), so every run scores the same ads.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Ads of realistic length (300 to 2,000 bytes) assembled from the sentences of the shipped
/// sample ads, in many languages.
fn seeded_ads(count: usize) -> Vec<String> {
    let sample =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/sample.jsonl"))
            .expect("corpus/sample.jsonl");
    let sentences: Vec<String> = sample
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .flat_map(|t| {
            t.split_inclusive(['.', '!', '?', '。', '，'])
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let mut rng = Seeded(2026);
    (0..count)
        .map(|_| {
            let target = 300 + (rng.next() % 1700) as usize;
            let mut ad = String::new();
            while ad.len() < target {
                ad.push_str(&sentences[(rng.next() % sentences.len() as u64) as usize]);
                ad.push(' ');
            }
            ad
        })
        .collect()
}

fn bench_features(c: &mut Criterion, ads: &[String], classifier: &Classifier) {
    let bytes: usize = ads.iter().map(String::len).sum();
    let rules = classifier.extractor().rules();
    let mut group = c.benchmark_group("features");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("baseline_lowercase", |b| {
        b.iter(|| {
            ads.iter()
                .map(|a| black_box(a.to_lowercase()).len())
                .sum::<usize>()
        })
    });
    group.bench_function("normalize_and_rules", |b| {
        b.iter(|| {
            ads.iter()
                .map(|a| black_box(rules.find(&normalize(a))).len())
                .sum::<usize>()
        })
    });
    group.finish();
}

fn bench_score(c: &mut Criterion, ads: &[String], rules: &Classifier, model: &Classifier) {
    let input: String = ads
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::json!({"id": i.to_string(), "text": t}).to_string() + "\n")
        .collect();
    let mut group = c.benchmark_group("score");
    group.throughput(Throughput::Elements(ads.len() as u64));
    group.sample_size(10);
    group.bench_function("baseline_read_only", |b| {
        b.iter(|| records(input.as_bytes(), Format::Jsonl, Limits::default()).count())
    });
    for (name, classifier, threads) in [
        ("rules", rules, 1),
        ("rules", rules, 2),
        ("model", model, 1),
        ("model", model, 2),
    ] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        group.bench_function(format!("{name}_threads_{threads}"), |b| {
            b.iter(|| {
                pool.install(|| {
                    let (summary, result) = run(
                        input.as_bytes(),
                        io::sink(),
                        classifier,
                        &BatchOptions::default(),
                        &mut (),
                    );
                    result.unwrap();
                    summary.scored
                })
            })
        });
    }
    group.finish();
}

/// Reads criterion's estimate of the mean time of one benchmark, in nanoseconds.
fn mean_ns(group: &str, id: &str) -> Option<f64> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/criterion")
        .join(group)
        .join(id)
        .join("new/estimates.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    v["mean"]["point_estimate"].as_f64()
}

fn print_ratios(ads: &[String]) {
    let bytes: usize = ads.iter().map(String::len).sum();
    println!(
        "\nSummary ({} ads, {:.1} MB):",
        ads.len(),
        bytes as f64 / 1e6
    );
    if let (Some(base), Some(feat)) = (
        mean_ns("features", "baseline_lowercase"),
        mean_ns("features", "normalize_and_rules"),
    ) {
        println!(
            "  normalise + rules: {:.1} MB/s ({:.1}x the time of lower-casing, {:.0} MB/s)",
            bytes as f64 / feat * 1e3,
            feat / base,
            bytes as f64 / base * 1e3
        );
    }
    let read = mean_ns("score", "baseline_read_only");
    for name in ["rules", "model"] {
        for threads in [1, 2] {
            if let Some(t) = mean_ns("score", &format!("{name}_threads_{threads}")) {
                let ratio = read
                    .map(|r| format!(", {:.0}x the time of reading only", t / r))
                    .unwrap_or_default();
                println!(
                    "  score with {name}, {threads} thread(s): {:.0} ads/s{ratio}",
                    ads.len() as f64 / t * 1e9
                );
            }
        }
    }
    if let (Some(rules), Some(model)) = (
        mean_ns("load", "baseline_rules_only"),
        mean_ns("load", "model"),
    ) {
        println!(
            "  load the shipped model: {:.0} ms ({:.1}x compiling the rules alone, {:.0} ms)",
            model / 1e6,
            model / rules,
            rules / 1e6
        );
    }
}

fn bench_load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("baseline_rules_only", |b| {
        b.iter(|| black_box(RuleSet::embedded().unwrap()))
    });
    group.bench_function("model", |b| {
        b.iter(|| black_box(Classifier::embedded().unwrap()))
    });
    group.finish();
}

fn main() {
    let ads = seeded_ads(2_000);
    let rules = Classifier::embedded_rules().expect("shipped rules");
    let model = Classifier::embedded().expect("shipped model");
    let mut c = Criterion::default().configure_from_args();
    bench_features(&mut c, &ads, &rules);
    bench_score(&mut c, &ads, &rules, &model);
    bench_load(&mut c);
    c.final_summary();
    print_ratios(&ads);
}
