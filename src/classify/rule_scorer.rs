//! The rule-based scorer: a logistic function of the weights of the rules that fired.
//!
//! `score = 1 / (1 + e^-(bias + Σ risk weights − Σ protective weights))`, each rule counted once
//! however often it matched. The bias and thresholds come from the rule file's `[scoring]`
//! section. Chosen with `--scorer rules`: transparent, but not trained or calibrated on data.

use std::collections::HashMap;

use super::{Assessment, Reason, Risk, Scorer, ScorerInfo};
use crate::features::Features;
use crate::features::rules::{Polarity, RuleSet, ScoringSection};

/// Scores by adding up rule weights.
#[derive(Debug, Clone)]
pub struct RuleScorer {
    scoring: ScoringSection,
    version: String,
    weights: HashMap<String, (f64, Polarity, String)>,
}

impl RuleScorer {
    /// A scorer with the weights and settings of `rules`.
    pub fn new(rules: &RuleSet) -> RuleScorer {
        RuleScorer {
            scoring: *rules.scoring(),
            version: rules.version().to_string(),
            weights: rules
                .rules()
                .iter()
                .map(|r| (r.id.clone(), (r.weight, r.polarity, r.label.clone())))
                .collect(),
        }
    }

    /// The risk band of a score under this scorer's thresholds.
    pub fn risk(&self, score: f64) -> Risk {
        if score >= self.scoring.high_threshold {
            Risk::High
        } else if score >= self.scoring.medium_threshold {
            Risk::Medium
        } else {
            Risk::Low
        }
    }
}

impl Scorer for RuleScorer {
    fn info(&self) -> ScorerInfo {
        ScorerInfo {
            name: "rules".into(),
            version: self.version.clone(),
        }
    }

    fn threshold(&self) -> f64 {
        self.scoring.flag_threshold
    }

    fn assess(&self, features: &Features) -> Assessment {
        let mut reasons: Vec<Reason> = features
            .fired_rules()
            .into_iter()
            .filter_map(|id| {
                let (weight, polarity, label) = self.weights.get(id)?;
                let sign = match polarity {
                    Polarity::Risk => 1.0,
                    Polarity::Protective => -1.0,
                };
                Some(Reason {
                    id: id.to_string(),
                    label: label.clone(),
                    polarity: *polarity,
                    contribution: sign * weight,
                })
            })
            .collect();
        reasons.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
        let logit = self.scoring.bias + reasons.iter().map(|r| r.contribution).sum::<f64>();
        let score = 1.0 / (1.0 + (-logit).exp());
        Assessment {
            score,
            flagged: score >= self.scoring.flag_threshold,
            risk: self.risk(score),
            reasons,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ad::Field;
    use crate::features::Flag;

    fn flag(id: &str, polarity: Polarity) -> Flag {
        Flag {
            id: id.into(),
            label: id.into(),
            polarity,
            field: Field::Text,
            evidence: "x".into(),
            start: 0,
            end: 1,
            detail: None,
        }
    }

    fn scorer() -> RuleScorer {
        let rules =
            RuleSet::from_toml_str(crate::features::rules::tests_support::SMALL, "t").unwrap();
        RuleScorer::new(&rules)
    }

    #[test]
    fn no_flags_scores_the_bias() {
        let a = scorer().assess(&Features::default());
        assert!((a.score - 1.0 / (1.0 + 3f64.exp())).abs() < 1e-12);
        assert!(!a.flagged);
        assert_eq!(a.risk, Risk::Low);
    }

    #[test]
    fn each_rule_counts_once_and_protective_rules_subtract() {
        let s = scorer();
        let risky = Features {
            flags: vec![
                flag("passport_handover", Polarity::Risk),
                flag("passport_handover", Polarity::Risk),
                flag("pay_far_above_norm", Polarity::Risk),
            ],
            ..Features::default()
        };
        let a = s.assess(&risky);
        // -3 + 2.5 + 1.8 = 1.3
        assert!((a.score - 1.0 / (1.0 + (-1.3f64).exp())).abs() < 1e-12);
        assert!(a.flagged);
        assert_eq!(a.risk, Risk::High);
        assert_eq!(a.reasons[0].id, "passport_handover");

        let mut mixed = risky.clone();
        mixed
            .flags
            .push(flag("no_worker_fees", Polarity::Protective));
        let b = s.assess(&mixed);
        assert!(b.score < a.score);
        assert_eq!(
            b.reasons
                .iter()
                .find(|r| r.id == "no_worker_fees")
                .unwrap()
                .contribution,
            -1.5
        );
    }
}
