//! `lurewatch rules check` and `lurewatch rules list`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use lurewatch::features::rules::{RuleSet, RulesError, check_examples};

use super::Exit;

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate a rule file: structure, every pattern, and each rule's examples and
    /// counterexamples. Names the rule and the problem.
    Check {
        /// The rule file (default: the shipped models/redflags.toml).
        file: Option<PathBuf>,
    },
    /// List the rules: id, polarity, weight, languages and label.
    List,
}

pub fn run(command: RulesCommand, rules_flag: Option<&PathBuf>) -> anyhow::Result<Exit> {
    match command {
        RulesCommand::Check { file } => check(file.as_ref().or(rules_flag)),
        RulesCommand::List => {
            let rules = super::load_rules(rules_flag)?;
            list(&rules);
            Ok(Exit::Ok)
        }
    }
}

fn check(path: Option<&PathBuf>) -> anyhow::Result<Exit> {
    let (text, origin) = match path {
        Some(path) => (
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
            path.display().to_string(),
        ),
        None => (
            lurewatch::features::rules::EMBEDDED_RULES.to_string(),
            "built-in models/redflags.toml".to_string(),
        ),
    };
    let problems = match check_examples(&text, &origin) {
        Ok(problems) => problems,
        Err(e @ (RulesError::Invalid { .. } | RulesError::Syntax { .. })) => {
            eprintln!("{e}");
            return Ok(Exit::Findings);
        }
        Err(e) => return Err(e.into()),
    };
    if !problems.is_empty() {
        eprintln!("{origin} has {} problem(s):", problems.len());
        for p in &problems {
            eprintln!("  - {p}");
        }
        return Ok(Exit::Findings);
    }
    let rules = RuleSet::from_toml_str(&text, &origin)?;
    let languages: std::collections::BTreeSet<&str> = rules
        .rules()
        .iter()
        .flat_map(|r| r.languages.iter().map(String::as_str))
        .collect();
    println!(
        "{origin}: ok, version {}, {} rules, {} languages ({})",
        rules.version(),
        rules.rules().len(),
        languages.len(),
        languages.into_iter().collect::<Vec<_>>().join(", ")
    );
    Ok(Exit::Ok)
}

fn list(rules: &RuleSet) {
    println!("rule set version {}\n", rules.version());
    for r in rules.rules() {
        let sign = match r.polarity {
            lurewatch::features::rules::Polarity::Risk => "+",
            lurewatch::features::rules::Polarity::Protective => "-",
        };
        let source = match &r.derived {
            Some(d) => format!("derived: {d}"),
            None => r.languages.join(" "),
        };
        println!("{:<28} {sign}{:<4} {}", r.id, r.weight, r.label);
        println!("{:<28}       [{}] {}", "", r.category, source);
    }
}
