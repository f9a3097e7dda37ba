//! The plain-language report `lurewatch check` prints for one ad.
//!
//! Written for an NGO analyst, not a programmer: the verdict first, then each red flag with its
//! explanation and the words from the ad that triggered it, then what speaks for the ad, the pay,
//! the contacts, and a closing reminder that a flag is a lead for review, not proof.

use std::fmt::Write as _;

use crate::classify::{REVIEW_NOTE, Reason, Risk, ScoredAd};
use crate::features::Flag;
use crate::features::rules::{Polarity, RuleSet};

/// Width the explanations are wrapped to.
const WIDTH: usize = 78;

/// Renders the report for one scored ad. `rules` supplies the explanations of the flags.
pub fn render(scored: &ScoredAd, rules: &RuleSet) -> String {
    let mut out = String::new();
    let title = scored.ad.title.as_deref().unwrap_or("(no title)");
    let _ = writeln!(out, "Ad {}: {}", scored.ad.id, one_line(title, 60));
    let verdict = match (scored.risk, scored.flagged) {
        (Risk::High, true) => "HIGH risk: flagged for review",
        (_, true) => "flagged for review",
        (Risk::High, false) => "HIGH risk",
        (Risk::Medium, false) => "MEDIUM risk: some signs, not flagged",
        (Risk::Low, false) => "LOW risk: few or no signs of a lure",
    };
    let _ = writeln!(
        out,
        "Verdict: {verdict} (score {:.2}; scorer {} {})",
        scored.score, scored.scorer.name, scored.scorer.version
    );
    let risks: Vec<&Flag> = scored
        .flags
        .iter()
        .filter(|f| f.polarity == Polarity::Risk)
        .collect();
    let protective: Vec<&Flag> = scored
        .flags
        .iter()
        .filter(|f| f.polarity == Polarity::Protective)
        .collect();
    section(&mut out, "Red flags", &risks, rules);
    section(&mut out, "Signs of a legitimate ad", &protective, rules);
    moved_the_score(&mut out, scored);
    if let Some(pay) = &scored.pay {
        let _ = writeln!(
            out,
            "\nPay: about {:.0} USD a month; the usual entry-level pay for the places involved ({}) is about {:.0} USD ({:.1} times).",
            pay.usd_per_month,
            pay.markets.join(", "),
            pay.norm_usd_per_month,
            pay.ratio
        );
    }
    if !scored.entities.is_empty() {
        let _ = writeln!(out, "\nContacts and links found:");
        for e in &scored.entities {
            let _ = writeln!(
                out,
                "  - {}: {} (as written: \"{}\")",
                e.entity.kind.label(),
                e.entity.value,
                one_line(&e.raw, 50)
            );
        }
    }
    let _ = writeln!(out);
    for line in wrap(
        &format!(
            "{REVIEW_NOTE} Lurewatch looks for warning signs that scam-centre recruiters often use; \
             genuine employers can show some of them, and a careful lure can show none. \
             Check the employer with official sources before acting."
        ),
        WIDTH,
    ) {
        let _ = writeln!(out, "{line}");
    }
    out
}

/// Reasons shown in each direction.
const REASONS_SHOWN: usize = 5;

/// What moved the score most, in plain words, as `(heading, labels)` pairs in the order the
/// report shows them: signs that raised it, signs that lowered it, then the ad's own words that
/// raised and lowered it. At most five labels each; headings with none are left out. The review
/// page shows the same lines.
pub fn score_movers(reasons: &[Reason]) -> Vec<(&'static str, Vec<&str>)> {
    let pick = |words: bool, up: bool| -> Vec<&str> {
        reasons
            .iter()
            .filter(|r| r.id.starts_with("text:") == words && (r.contribution > 0.0) == up)
            .take(REASONS_SHOWN)
            .map(|r| r.label.as_str())
            .collect()
    };
    [
        ("raised it", pick(false, true)),
        ("lowered it", pick(false, false)),
        ("words that raised it", pick(true, true)),
        ("words that lowered it", pick(true, false)),
    ]
    .into_iter()
    .filter(|(_, items)| !items.is_empty())
    .collect()
}

/// What pushed the score up and down most, in plain words: signs first, then the ad's words.
fn moved_the_score(out: &mut String, scored: &ScoredAd) {
    let lines = score_movers(&scored.reasons);
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nWhat moved the score most:");
    for (what, items) in &lines {
        for line in wrap(&format!("{what}: {}", items.join("; ")), WIDTH - 2) {
            let _ = writeln!(out, "  {line}");
        }
    }
}

fn section(out: &mut String, heading: &str, flags: &[&Flag], rules: &RuleSet) {
    if flags.is_empty() {
        if heading == "Red flags" {
            let _ = writeln!(out, "\nRed flags: none found.");
        }
        return;
    }
    let mut ids: Vec<&str> = Vec::new();
    for f in flags {
        if !ids.contains(&f.id.as_str()) {
            ids.push(&f.id);
        }
    }
    let _ = writeln!(out, "\n{heading} ({}):", ids.len());
    for id in ids {
        let of_rule: Vec<&&Flag> = flags.iter().filter(|f| f.id == id).collect();
        let _ = writeln!(out, "  * {}", of_rule[0].label);
        for f in &of_rule {
            if let Some(detail) = &f.detail {
                let _ = writeln!(out, "      {detail}");
            }
            if !f.evidence.is_empty() {
                let _ = writeln!(
                    out,
                    "      \"{}\"  ({}, bytes {}-{})",
                    one_line(&f.evidence, 60),
                    f.field.name(),
                    f.start,
                    f.end
                );
            }
        }
        if let Some(rule) = rules.get(id) {
            for line in wrap(&rule.explanation, WIDTH - 6) {
                let _ = writeln!(out, "      {line}");
            }
        }
    }
}

/// The text on one line, shortened to `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Greedy word wrap.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_whole() {
        assert_eq!(wrap("aa bb cc dd", 5), vec!["aa bb", "cc dd"]);
        assert_eq!(wrap("", 5), Vec::<String>::new());
    }

    #[test]
    fn long_text_is_shortened_on_one_line() {
        assert_eq!(one_line("a\nb", 10), "a b");
        assert_eq!(one_line("abcdef", 4), "abc…");
    }
}
