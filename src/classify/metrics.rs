//! Evaluation metrics: precision, recall and F1 at the threshold, PR-AUC, ROC-AUC, Brier score,
//! the confusion matrix, recall and false-positive rate per language and per kind, and the
//! threshold that reaches a target precision.

use std::collections::BTreeMap;

use serde::Serialize;

/// One scored, labelled ad.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// Calibrated probability of a lure.
    pub score: f64,
    /// Whether the ad is labelled a lure.
    pub lure: bool,
    /// The ad's language.
    pub language: String,
    /// The ad's kind (`lure_subtle`, `legit_awareness_post`, ...).
    pub kind: String,
}

/// Counts at a threshold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// Lures flagged.
    pub true_positives: u64,
    /// Legitimate ads flagged.
    pub false_positives: u64,
    /// Legitimate ads not flagged.
    pub true_negatives: u64,
    /// Lures not flagged.
    pub false_negatives: u64,
}

/// Recall on lures and false-positive rate on legitimate ads within one slice of the data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SliceMetrics {
    /// Lures in the slice.
    pub lures: u64,
    /// Legitimate ads in the slice.
    pub legit: u64,
    /// Share of lures flagged (absent without lures).
    pub recall: Option<f64>,
    /// Share of legitimate ads flagged (absent without legitimate ads).
    pub false_positive_rate: Option<f64>,
}

/// All metrics of a set of predictions at a threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// Ads evaluated.
    pub ads: u64,
    /// The operating threshold.
    pub threshold: f64,
    /// Precision at the threshold.
    pub precision: f64,
    /// Recall at the threshold.
    pub recall: f64,
    /// F1 at the threshold.
    pub f1: f64,
    /// Area under the precision-recall curve (average precision).
    pub pr_auc: f64,
    /// Area under the ROC curve.
    pub roc_auc: f64,
    /// Mean squared error of the probabilities.
    pub brier: f64,
    /// Counts at the threshold.
    pub confusion: Confusion,
    /// Per language.
    pub per_language: BTreeMap<String, SliceMetrics>,
    /// Per kind.
    pub per_kind: BTreeMap<String, SliceMetrics>,
    /// False-positive rate on hard negatives: legitimate ads of a `legit_*` kind other than
    /// `legit_domestic` (absent when no ad has such a kind).
    pub hard_negative_fpr: Option<f64>,
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Computes every metric at `threshold`.
pub fn compute(predictions: &[Prediction], threshold: f64) -> Metrics {
    let flagged: Vec<bool> = predictions.iter().map(|p| p.score >= threshold).collect();
    compute_decided(predictions, &flagged, threshold)
}

/// Computes every metric from decisions made elsewhere (one per prediction), for example with
/// a different threshold in each cross-validation fold; `threshold` is only reported.
pub fn compute_decided(predictions: &[Prediction], flagged: &[bool], threshold: f64) -> Metrics {
    let mut c = Confusion::default();
    let mut per_language: BTreeMap<String, (u64, u64, u64, u64)> = BTreeMap::new();
    let mut per_kind: BTreeMap<String, (u64, u64, u64, u64)> = BTreeMap::new();
    let (mut hard, mut hard_flagged) = (0, 0);
    for (p, &flagged) in predictions.iter().zip(flagged) {
        match (p.lure, flagged) {
            (true, true) => c.true_positives += 1,
            (true, false) => c.false_negatives += 1,
            (false, true) => c.false_positives += 1,
            (false, false) => c.true_negatives += 1,
        }
        for (map, key) in [(&mut per_language, &p.language), (&mut per_kind, &p.kind)] {
            let e = map.entry(key.clone()).or_default();
            if p.lure {
                e.0 += 1;
                e.1 += u64::from(flagged);
            } else {
                e.2 += 1;
                e.3 += u64::from(flagged);
            }
        }
        if !p.lure && p.kind.starts_with("legit_") && p.kind != "legit_domestic" {
            hard += 1;
            hard_flagged += u64::from(flagged);
        }
    }
    let slices = |map: BTreeMap<String, (u64, u64, u64, u64)>| {
        map.into_iter()
            .map(|(k, (lures, tp, legit, fp))| {
                (
                    k,
                    SliceMetrics {
                        lures,
                        legit,
                        recall: ratio(tp, lures),
                        false_positive_rate: ratio(fp, legit),
                    },
                )
            })
            .collect()
    };
    let precision = ratio(c.true_positives, c.true_positives + c.false_positives).unwrap_or(0.0);
    let recall = ratio(c.true_positives, c.true_positives + c.false_negatives).unwrap_or(0.0);
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    let scores: Vec<(f64, bool)> = predictions.iter().map(|p| (p.score, p.lure)).collect();
    Metrics {
        ads: predictions.len() as u64,
        threshold,
        precision,
        recall,
        f1,
        pr_auc: average_precision(&scores),
        roc_auc: roc_auc(&scores),
        brier: brier(&scores),
        confusion: c,
        per_language: slices(per_language),
        per_kind: slices(per_kind),
        hard_negative_fpr: ratio(hard_flagged, hard),
    }
}

/// Scores in descending order, ties grouped: `(score, positives, negatives)`.
fn descending_groups(scores: &[(f64, bool)]) -> Vec<(f64, u64, u64)> {
    let mut sorted = scores.to_vec();
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut groups: Vec<(f64, u64, u64)> = Vec::new();
    for (s, lure) in sorted {
        match groups.last_mut() {
            Some(g) if g.0 == s => {
                g.1 += u64::from(lure);
                g.2 += u64::from(!lure);
            }
            _ => groups.push((s, u64::from(lure), u64::from(!lure))),
        }
    }
    groups
}

/// Average precision: Σ over thresholds of (recall gained) × (precision there).
pub fn average_precision(scores: &[(f64, bool)]) -> f64 {
    let positives = scores.iter().filter(|(_, l)| *l).count() as f64;
    if positives == 0.0 {
        return 0.0;
    }
    let (mut tp, mut fp, mut ap) = (0.0, 0.0, 0.0);
    for (_, pos, neg) in descending_groups(scores) {
        tp += pos as f64;
        fp += neg as f64;
        ap += (pos as f64 / positives) * (tp / (tp + fp));
    }
    ap
}

/// Area under the ROC curve: the chance a random lure outscores a random legitimate ad (ties
/// count half).
pub fn roc_auc(scores: &[(f64, bool)]) -> f64 {
    let (mut negatives_below, mut wins) = (0.0, 0.0);
    let positives = scores.iter().filter(|(_, l)| *l).count() as f64;
    let negatives = scores.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return 0.5;
    }
    let mut groups = descending_groups(scores);
    groups.reverse();
    for (_, pos, neg) in groups {
        wins += pos as f64 * (negatives_below + neg as f64 / 2.0);
        negatives_below += neg as f64;
    }
    wins / (positives * negatives)
}

/// Mean squared difference between probability and label.
pub fn brier(scores: &[(f64, bool)]) -> f64 {
    if scores.is_empty() {
        return 0.0;
    }
    scores
        .iter()
        .map(|(s, l)| (s - f64::from(u8::from(*l))).powi(2))
        .sum::<f64>()
        / scores.len() as f64
}

/// The lowest threshold whose precision is at least `min_precision`, which gives the highest
/// recall at that precision. When no threshold reaches it, the threshold of best precision.
pub fn threshold_for_precision(scores: &[(f64, bool)], min_precision: f64) -> f64 {
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut best: Option<f64> = None;
    let mut best_precision = (0.0, 1.0);
    for (s, pos, neg) in descending_groups(scores) {
        tp += pos as f64;
        fp += neg as f64;
        let precision = tp / (tp + fp);
        if precision >= min_precision && tp > 0.0 {
            best = Some(s);
        }
        if precision > best_precision.0 {
            best_precision = (precision, s);
        }
    }
    best.unwrap_or(best_precision.1)
}

/// Points of the precision-recall curve, one per distinct score: `(recall, precision)`.
pub fn pr_curve(scores: &[(f64, bool)]) -> Vec<(f64, f64)> {
    let positives = scores.iter().filter(|(_, l)| *l).count().max(1) as f64;
    let (mut tp, mut fp) = (0.0, 0.0);
    descending_groups(scores)
        .into_iter()
        .map(|(_, pos, neg)| {
            tp += pos as f64;
            fp += neg as f64;
            (tp / positives, tp / (tp + fp))
        })
        .collect()
}

/// Reliability diagram: for each of `bins` equal-width score bins with ads in it,
/// `(mean score, share of lures, count)`.
pub fn calibration_bins(scores: &[(f64, bool)], bins: usize) -> Vec<(f64, f64, u64)> {
    let mut acc = vec![(0.0, 0.0, 0u64); bins];
    for &(s, lure) in scores {
        let b = ((s * bins as f64) as usize).min(bins - 1);
        acc[b].0 += s;
        acc[b].1 += f64::from(u8::from(lure));
        acc[b].2 += 1;
    }
    acc.into_iter()
        .filter(|b| b.2 > 0)
        .map(|(s, l, n)| (s / n as f64, l / n as f64, n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(score: f64, lure: bool, language: &str, kind: &str) -> Prediction {
        Prediction {
            score,
            lure,
            language: language.into(),
            kind: kind.into(),
        }
    }

    /// Six ads worked out by hand:
    /// scores 0.9 L, 0.8 N, 0.7 L, 0.4 L, 0.3 N, 0.1 N (L = lure, N = legit).
    fn six() -> Vec<Prediction> {
        vec![
            p(0.9, true, "en", "lure_a"),
            p(0.8, false, "en", "legit_awareness_post"),
            p(0.7, true, "th", "lure_a"),
            p(0.4, true, "th", "lure_b"),
            p(0.3, false, "th", "legit_domestic"),
            p(0.1, false, "en", "legit_domestic"),
        ]
    }

    #[test]
    fn metrics_match_a_hand_computed_case() {
        let m = compute(&six(), 0.5);
        // Flagged at 0.5: 0.9 L, 0.8 N, 0.7 L -> TP 2, FP 1; FN 1 (0.4), TN 2.
        assert_eq!(
            m.confusion,
            Confusion {
                true_positives: 2,
                false_positives: 1,
                true_negatives: 2,
                false_negatives: 1
            }
        );
        assert!((m.precision - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.recall - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.f1 - 2.0 / 3.0).abs() < 1e-12);
        // AP = 1/3 * 1 + 1/3 * 2/3 + 1/3 * 3/4 = 0.80555...
        assert!((m.pr_auc - (1.0 + 2.0 / 3.0 + 0.75) / 3.0).abs() < 1e-12);
        // Pairs (lure, legit) ranked correctly: 0.9 beats 3, 0.7 beats 2, 0.4 beats 2 -> 7 of 9.
        assert!((m.roc_auc - 7.0 / 9.0).abs() < 1e-12);
        // Brier: (0.01 + 0.64 + 0.09 + 0.36 + 0.09 + 0.01) / 6 = 0.2.
        assert!((m.brier - 0.2).abs() < 1e-12);
        // Thai: lures at 0.7 (flagged) and 0.4 (missed), legit at 0.3.
        assert_eq!(m.per_language["th"].recall, Some(0.5));
        assert_eq!(m.per_language["en"].false_positive_rate, Some(0.5));
        assert_eq!(m.per_kind["lure_a"].recall, Some(1.0));
        assert_eq!(m.hard_negative_fpr, Some(1.0));
    }

    #[test]
    fn the_threshold_reaches_the_target_precision_with_most_recall() {
        let scores: Vec<(f64, bool)> = six().iter().map(|p| (p.score, p.lure)).collect();
        // Precision at 0.9: 1; at 0.8: 1/2; at 0.7: 2/3; at 0.4: 3/4; at 0.3: 3/5.
        assert_eq!(threshold_for_precision(&scores, 0.7), 0.4);
        assert_eq!(threshold_for_precision(&scores, 0.9), 0.9);
        assert_eq!(
            threshold_for_precision(&scores, 1.1),
            0.9,
            "best precision when none reaches"
        );
    }

    #[test]
    fn ties_count_half_in_roc_auc() {
        assert_eq!(roc_auc(&[(0.5, true), (0.5, false)]), 0.5);
    }

    #[test]
    fn calibration_bins_average_within_bins() {
        let bins = calibration_bins(
            &[(0.05, false), (0.15, true), (0.95, true), (0.91, true)],
            10,
        );
        assert_eq!(bins.len(), 3);
        let (mean, share, count) = bins[2];
        assert!((mean - 0.93).abs() < 1e-12);
        assert_eq!((share, count), (1.0, 2));
    }
}
