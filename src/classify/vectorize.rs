//! Turns an ad's [`Features`] into the sparse vector the model weighs.
//!
//! Two blocks of columns:
//! - **named features**, one per red-flag rule (1 when it fired) and a few about contacts and pay
//!   (a chat-app contact, a company email or website, the log of the pay ratio); these carry the
//!   research behind the rules into the model and give explanations in plain words;
//! - **text features**: subword unigrams and bigrams from the tokenizer, hashed into
//!   `text_dims` columns (log-scaled counts, L2-normalised), which let the model learn wording the
//!   rules do not list.
//!
//! linfa trains on dense matrices only, so training densifies these rows column by column; scoring
//! applies the fitted weights to the sparse vector directly.

use serde::{Deserialize, Serialize};

use crate::features::Features;
use crate::features::entities::EntityKind;
use crate::features::rules::RuleSet;

/// Named features that are not rules.
const EXTRA_FEATURES: &[(&str, &str)] = &[
    ("contact:chat_app", "gives a chat-app contact"),
    ("contact:company_email", "gives a company email address"),
    ("contact:website", "gives a website"),
    ("pay:log_ratio", "pay compared with the usual pay"),
    ("pay:not_stated", "states no pay"),
];

/// Which columns a model uses; stored in the model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// Names of the named features, in column order (`rule:<id>` or an extra feature).
    pub named: Vec<String>,
    /// Number of hashed text columns (0 for a rules-only model).
    pub text_dims: u32,
    /// Longest token n-gram hashed (1 or 2).
    pub ngram: u8,
}

/// Which blocks of features to use: the three models of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureSet {
    /// Rules and the other named features only.
    Rules,
    /// Subword n-grams only.
    Text,
    /// Both.
    Combined,
}

impl FeatureSet {
    /// Name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            FeatureSet::Rules => "rules",
            FeatureSet::Text => "text",
            FeatureSet::Combined => "combined",
        }
    }
}

/// A sparse vector: sorted, unique column indices and their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVector {
    /// Column indices, ascending.
    pub indices: Vec<u32>,
    /// Values, one per index.
    pub values: Vec<f64>,
}

impl SparseVector {
    /// The dot product with dense weights.
    pub fn dot(&self, weights: &[f64]) -> f64 {
        self.indices
            .iter()
            .zip(&self.values)
            .map(|(&i, v)| weights.get(i as usize).copied().unwrap_or(0.0) * v)
            .sum()
    }
}

impl FeatureConfig {
    /// The columns for a rule set and feature set; `text_dims` hashed text columns.
    pub fn new(rules: &RuleSet, set: FeatureSet, text_dims: u32) -> FeatureConfig {
        let named = match set {
            FeatureSet::Text => Vec::new(),
            FeatureSet::Rules | FeatureSet::Combined => rules
                .rules()
                .iter()
                .map(|r| format!("rule:{}", r.id))
                .chain(EXTRA_FEATURES.iter().map(|(name, _)| name.to_string()))
                .collect(),
        };
        FeatureConfig {
            named,
            text_dims: if set == FeatureSet::Rules {
                0
            } else {
                text_dims
            },
            ngram: 2,
        }
    }

    /// Total number of columns.
    pub fn dims(&self) -> usize {
        self.named.len() + self.text_dims as usize
    }

    /// Plain words for a named feature that is not a rule.
    pub fn describe_extra(name: &str) -> Option<&'static str> {
        EXTRA_FEATURES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, d)| *d)
    }

    /// The sparse vector of one ad: its features and the tokens of its title and text.
    pub fn vectorize(&self, features: &Features, tokens: &[u32]) -> SparseVector {
        let mut entries: Vec<(u32, f64)> = Vec::new();
        if !self.named.is_empty() {
            for (i, name) in self.named.iter().enumerate() {
                let value = named_value(name, features);
                if value != 0.0 {
                    entries.push((i as u32, value));
                }
            }
        }
        if self.text_dims > 0 {
            let offset = self.named.len() as u32;
            entries.extend(
                self.text_buckets(tokens)
                    .into_iter()
                    .map(|(b, v)| (offset + b, v)),
            );
        }
        entries.sort_by_key(|(i, _)| *i);
        let (indices, values) = entries.into_iter().unzip();
        SparseVector { indices, values }
    }

    /// Hashed, log-scaled, L2-normalised n-gram counts: `(bucket, value)`, sorted by bucket.
    pub fn text_buckets(&self, tokens: &[u32]) -> Vec<(u32, f64)> {
        let mut counts: std::collections::BTreeMap<u32, f64> = Default::default();
        for gram in self.ngrams(tokens) {
            *counts.entry(self.bucket(gram)).or_default() += 1.0;
        }
        let mut out: Vec<(u32, f64)> = counts.into_iter().map(|(b, c)| (b, 1.0 + c.ln())).collect();
        let norm = out.iter().map(|(_, v)| v * v).sum::<f64>().sqrt();
        if norm > 0.0 {
            out.iter_mut().for_each(|(_, v)| *v /= norm);
        }
        out
    }

    /// The n-grams of a token sequence: each token, and each pair of neighbours.
    pub fn ngrams<'a>(&self, tokens: &'a [u32]) -> impl Iterator<Item = &'a [u32]> + 'a {
        let bigrams = if self.ngram >= 2 { 2 } else { usize::MAX };
        tokens.chunks(1).chain(tokens.windows(bigrams))
    }

    /// The hashed column of an n-gram (FNV-1a, stable across runs and platforms).
    pub fn bucket(&self, gram: &[u32]) -> u32 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for id in gram {
            for byte in id.to_le_bytes() {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
            hash ^= 0xff;
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        (hash % u64::from(self.text_dims.max(1))) as u32
    }
}

fn named_value(name: &str, features: &Features) -> f64 {
    if let Some(rule) = name.strip_prefix("rule:") {
        return if features.has(rule) { 1.0 } else { 0.0 };
    }
    let has = |pred: &dyn Fn(EntityKind, &str) -> bool| {
        features
            .entities
            .iter()
            .any(|e| pred(e.entity.kind, &e.entity.value))
    };
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    match name {
        "contact:chat_app" => flag(has(&|k, _| k.is_messaging())),
        "contact:company_email" => flag(has(&|k, v| {
            k == EntityKind::Email && !crate::features::signals::is_webmail(v)
        })),
        "contact:website" => flag(has(&|k, v| {
            k == EntityKind::Url && !crate::features::signals::is_social_url(v)
        })),
        "pay:log_ratio" => features
            .pay
            .as_ref()
            .map_or(0.0, |p| p.ratio.max(1e-3).ln().clamp(-2.0, 3.0)),
        "pay:not_stated" => flag(features.salaries.is_empty()),
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dims: u32) -> FeatureConfig {
        FeatureConfig {
            named: vec!["rule:a".into(), "pay:not_stated".into()],
            text_dims: dims,
            ngram: 2,
        }
    }

    #[test]
    fn text_buckets_are_stable_normalised_and_sorted() {
        let c = config(64);
        let b = c.text_buckets(&[5, 7, 5]);
        let norm: f64 = b.iter().map(|(_, v)| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-9);
        assert!(b.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(c.bucket(&[5, 7]), config(64).bucket(&[5, 7]));
        assert_ne!(c.bucket(&[5, 7]), c.bucket(&[7, 5]));
    }

    #[test]
    fn vectors_put_named_features_first_then_text() {
        let c = config(16);
        let v = c.vectorize(&Features::default(), &[1, 2]);
        assert_eq!(v.indices[0], 1, "pay:not_stated is set, rule:a is not");
        assert!(v.indices[1..].iter().all(|&i| i >= 2));
        let w = vec![0.5; c.dims()];
        assert!(v.dot(&w) > 0.5);
    }
}
