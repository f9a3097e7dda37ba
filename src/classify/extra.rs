//! Extra labelled ads (`lurewatch train --extra FILE`), such as analysts' exported reviews,
//! added after the corpus.
//!
//! Honest evaluation needs every copy of an ad in one cross-validation fold. An extra ad keeps
//! the group its file gives it (an exported review's group links ads of one recruiter), but when
//! its id is already in the corpus or in an earlier extra file, the two groups are merged: the
//! copies, and everything grouped with either, then always share a fold. Merged groups take the
//! name of the earliest one, so corpus ads keep their groups unless an extra ad links two of
//! them. Order is kept: the corpus first, then each file in the order given, so training stays
//! deterministic.

use std::collections::HashMap;

use super::train::LabelledAd;

/// What adding one file of extra ads did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtraReport {
    /// Ads added.
    pub added: usize,
    /// Of which labelled lures.
    pub lures: usize,
    /// Ads whose id was already present, whose group was merged with that ad's group.
    pub repeated: usize,
    /// Of those, ads labelled differently from the earlier copy.
    pub relabelled: usize,
}

/// Adds `extra` after `ads`; see the module documentation.
pub fn add_extra(ads: &mut Vec<LabelledAd>, extra: Vec<LabelledAd>) -> ExtraReport {
    let mut report = ExtraReport::default();
    // Union-find over group names; the root of a set is its earliest group.
    let mut order: HashMap<String, usize> = HashMap::new();
    let mut parent: HashMap<String, String> = HashMap::new();
    let mut first: HashMap<String, (String, bool)> = HashMap::new();
    for a in ads.iter() {
        let next = order.len();
        order.entry(a.group.clone()).or_insert(next);
        first
            .entry(a.ad.id.clone())
            .or_insert_with(|| (a.group.clone(), a.lure));
    }
    let mut merged = false;
    for e in &extra {
        report.added += 1;
        report.lures += usize::from(e.lure);
        let next = order.len();
        order.entry(e.group.clone()).or_insert(next);
        match first.get(&e.ad.id) {
            Some((group, lure)) => {
                report.repeated += 1;
                report.relabelled += usize::from(*lure != e.lure);
                let (a, b) = (root(&mut parent, group), root(&mut parent, &e.group));
                if a != b {
                    let (keep, drop) = if order[&a] <= order[&b] {
                        (a, b)
                    } else {
                        (b, a)
                    };
                    parent.insert(drop, keep);
                    merged = true;
                }
            }
            None => {
                first.insert(e.ad.id.clone(), (e.group.clone(), e.lure));
            }
        }
    }
    ads.extend(extra);
    if merged {
        for a in ads.iter_mut() {
            let r = root(&mut parent, &a.group);
            if r != a.group {
                a.group = r;
            }
        }
    }
    report
}

/// The root of a group's set, compressing the path on the way.
fn root(parent: &mut HashMap<String, String>, group: &str) -> String {
    let mut path = Vec::new();
    let mut at = group.to_string();
    while let Some(up) = parent.get(&at) {
        path.push(at.clone());
        at = up.clone();
    }
    for p in path {
        parent.insert(p, at.clone());
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ad::Ad;

    fn ad(id: &str, group: &str, lure: bool) -> LabelledAd {
        LabelledAd {
            ad: Ad {
                id: id.into(),
                text: "x".into(),
                ..Ad::default()
            },
            lure,
            language: "en".into(),
            kind: "k".into(),
            group: group.into(),
        }
    }

    fn groups(ads: &[LabelledAd]) -> Vec<(&str, &str)> {
        ads.iter()
            .map(|a| (a.ad.id.as_str(), a.group.as_str()))
            .collect()
    }

    #[test]
    fn new_ads_keep_their_groups_and_come_after_the_corpus() {
        let mut ads = vec![ad("c1", "g1", true), ad("c2", "g2", false)];
        let report = add_extra(
            &mut ads,
            vec![ad("r1", "review:r1", true), ad("r2", "review:r1", false)],
        );
        assert_eq!(
            report,
            ExtraReport {
                added: 2,
                lures: 1,
                repeated: 0,
                relabelled: 0
            }
        );
        assert_eq!(
            groups(&ads),
            [
                ("c1", "g1"),
                ("c2", "g2"),
                ("r1", "review:r1"),
                ("r2", "review:r1")
            ]
        );
    }

    #[test]
    fn a_repeated_id_merges_its_group_into_the_earlier_one() {
        let mut ads = vec![ad("c1", "g1", true), ad("c2", "g2", false)];
        let report = add_extra(
            &mut ads,
            vec![ad("r1", "review:c2", true), ad("c2", "review:c2", true)],
        );
        assert_eq!(report.repeated, 1);
        assert_eq!(report.relabelled, 1);
        assert_eq!(
            groups(&ads),
            [("c1", "g1"), ("c2", "g2"), ("r1", "g2"), ("c2", "g2")],
            "the whole extra group joins the corpus group, never straddling folds"
        );
        let folds = super::super::train::grouped_folds(&ads, 2);
        assert_eq!(folds[1], folds[2]);
        assert_eq!(folds[1], folds[3]);
    }

    #[test]
    fn an_extra_group_linking_two_corpus_groups_merges_them() {
        let mut ads = vec![ad("c1", "g1", true), ad("c2", "g2", true)];
        add_extra(&mut ads, vec![ad("c2", "x", true), ad("c1", "x", true)]);
        let names: Vec<&str> = ads.iter().map(|a| a.group.as_str()).collect();
        assert_eq!(names, ["g1", "g1", "g1", "g1"]);
    }
}
