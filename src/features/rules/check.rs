//! Checks a parsed rule file and compiles its patterns, collecting every problem at once so an
//! analyst can fix a file in one pass.

use std::collections::HashSet;
use std::fmt;

use regex::{Regex, RegexBuilder};

use super::file::{CATEGORIES, FORMAT, LANGUAGES, LanguagePatterns, RuleEntry, RuleFile};
use super::{DERIVED_SIGNALS, Matcher, Rule, RuleSet, RulesError, term};
use crate::features::normalize::normalize;

/// Largest weight a rule may carry.
const MAX_WEIGHT: f64 = 10.0;

/// One thing wrong with a rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The rule's id, when the problem is in a rule.
    pub rule: Option<String>,
    /// The language key, when the problem is in a pattern list.
    pub language: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    pub(crate) fn whole_file(message: String) -> Problem {
        Problem {
            rule: None,
            language: None,
            message,
        }
    }

    fn rule(rule: &str, message: String) -> Problem {
        Problem {
            rule: Some(rule.to_string()),
            language: None,
            message,
        }
    }

    fn pattern(rule: &str, language: &str, message: String) -> Problem {
        Problem {
            rule: Some(rule.to_string()),
            language: Some(language.to_string()),
            message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.rule, &self.language) {
            (Some(rule), Some(lang)) => write!(f, "rule `{rule}`, language `{lang}`: ")?,
            (Some(rule), None) => write!(f, "rule `{rule}`: ")?,
            _ => {}
        }
        f.write_str(&self.message)
    }
}

/// Checks every rule and compiles the valid ones. The rules are usable only if no problem was
/// found.
pub(super) fn check_and_compile(file: &RuleFile) -> (Vec<Rule>, Vec<Problem>) {
    let mut problems = check_header(file);
    let mut seen = HashSet::new();
    let mut rules = Vec::with_capacity(file.rules.len());
    for entry in &file.rules {
        if !seen.insert(entry.id.as_str()) {
            problems.push(Problem::rule(&entry.id, "the id is used twice".into()));
        }
        let before = problems.len();
        check_entry(entry, &mut problems);
        let matcher = compile_matcher(entry, &mut problems);
        if problems.len() == before {
            rules.push(Rule {
                id: entry.id.clone(),
                category: entry.category.clone(),
                polarity: entry.polarity,
                weight: entry.weight,
                label: entry.label.clone(),
                explanation: entry.explanation.clone(),
                derived: entry.derived.clone(),
                params: entry.params.clone(),
                languages: entry.patterns.keys().cloned().collect(),
                matcher,
            });
        }
    }
    (rules, problems)
}

fn check_header(file: &RuleFile) -> Vec<Problem> {
    let mut problems = Vec::new();
    if file.format != FORMAT {
        problems.push(Problem::whole_file(format!(
            "`format` is {}, but this version of lurewatch reads format {FORMAT}",
            file.format
        )));
    }
    if file.version.trim().is_empty() {
        problems.push(Problem::whole_file("`version` is empty".into()));
    }
    let s = &file.scoring;
    let in_unit = |x: f64| x.is_finite() && x > 0.0 && x < 1.0;
    for (name, value) in [
        ("flag_threshold", s.flag_threshold),
        ("medium_threshold", s.medium_threshold),
        ("high_threshold", s.high_threshold),
    ] {
        if !in_unit(value) {
            problems.push(Problem::whole_file(format!(
                "`scoring.{name}` must be between 0 and 1 (exclusive), not {value}"
            )));
        }
    }
    if s.medium_threshold >= s.high_threshold {
        problems.push(Problem::whole_file(
            "`scoring.medium_threshold` must be below `scoring.high_threshold`".into(),
        ));
    }
    if !s.bias.is_finite() {
        problems.push(Problem::whole_file(
            "`scoring.bias` must be a number".into(),
        ));
    }
    if file.rules.is_empty() {
        problems.push(Problem::whole_file("the file has no `[[rule]]`".into()));
    }
    problems
}

fn check_entry(entry: &RuleEntry, problems: &mut Vec<Problem>) {
    let id = entry.id.as_str();
    let valid_id = id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid_id {
        problems.push(Problem::rule(
            id,
            "the id must be snake_case: lower-case letters, digits and `_`, starting with a letter"
                .into(),
        ));
    }
    if !CATEGORIES.contains(&entry.category.as_str()) {
        problems.push(Problem::rule(
            id,
            format!(
                "unknown category `{}` (known: {})",
                entry.category,
                CATEGORIES.join(", ")
            ),
        ));
    }
    if !(entry.weight.is_finite() && entry.weight > 0.0 && entry.weight <= MAX_WEIGHT) {
        problems.push(Problem::rule(
            id,
            format!(
                "`weight` must be above 0 and at most {MAX_WEIGHT}, not {}",
                entry.weight
            ),
        ));
    }
    if entry.label.trim().is_empty() || entry.label.chars().count() > 80 {
        problems.push(Problem::rule(
            id,
            "`label` must be 1 to 80 characters".into(),
        ));
    }
    if entry.explanation.trim().is_empty() {
        problems.push(Problem::rule(id, "`explanation` is empty".into()));
    }
    match &entry.derived {
        Some(signal) if !DERIVED_SIGNALS.contains(&signal.as_str()) => {
            problems.push(Problem::rule(
                id,
                format!(
                    "unknown derived signal `{signal}` (known: {})",
                    DERIVED_SIGNALS.join(", ")
                ),
            ))
        }
        Some(_) if !entry.patterns.is_empty() => problems.push(Problem::rule(
            id,
            "a derived rule cannot also have patterns".into(),
        )),
        None if !entry.params.is_empty() => problems.push(Problem::rule(
            id,
            "`params` is only for derived rules".into(),
        )),
        _ => {}
    }
    for (name, value) in &entry.params {
        if !value.is_finite() || *value <= 0.0 {
            problems.push(Problem::rule(
                id,
                format!("`params.{name}` must be a positive number"),
            ));
        }
    }
    for language in entry.patterns.keys() {
        if !LANGUAGES.contains(&language.as_str()) {
            problems.push(Problem::rule(
                id,
                format!(
                    "unknown language key `{language}` (known: {})",
                    LANGUAGES.join(", ")
                ),
            ));
        }
    }
}

/// Compiles a rule's terms, excepts and regexes, one by one so that a problem names the
/// pattern, then together.
fn compile_matcher(entry: &RuleEntry, problems: &mut Vec<Problem>) -> Option<Matcher> {
    if entry.derived.is_some() {
        return None;
    }
    let mut terms = Vec::new();
    let mut except = Vec::new();
    for (language, patterns) in &entry.patterns {
        compile_list(
            entry,
            language,
            "terms",
            &patterns.terms,
            &mut terms,
            problems,
        );
        compile_list(
            entry,
            language,
            "except",
            &patterns.except,
            &mut except,
            problems,
        );
        for (i, raw) in patterns.regex.iter().enumerate() {
            match check_raw_regex(raw) {
                Ok(()) => terms.push(raw.clone()),
                Err(message) => problems.push(Problem::pattern(
                    &entry.id,
                    language,
                    format!("regex {} `{raw}`: {message}", i + 1),
                )),
            }
        }
    }
    if terms.is_empty() {
        problems.push(Problem::rule(
            &entry.id,
            "the rule has no terms or regex in any language (and is not `derived`)".into(),
        ));
        return None;
    }
    let terms = build_alternation(&terms).map_err(|e| {
        problems.push(Problem::rule(&entry.id, format!("patterns too large: {e}")));
    });
    let except = if except.is_empty() {
        Ok(None)
    } else {
        build_alternation(&except).map(Some).map_err(|e| {
            problems.push(Problem::rule(&entry.id, format!("except too large: {e}")));
        })
    };
    Some(Matcher {
        terms: terms.ok()?,
        except: except.ok()?,
    })
}

fn compile_list(
    entry: &RuleEntry,
    language: &str,
    what: &str,
    terms: &[String],
    out: &mut Vec<String>,
    problems: &mut Vec<Problem>,
) {
    for (i, t) in terms.iter().enumerate() {
        match term::compile(t) {
            Ok(re) => out.push(re),
            Err(e) => problems.push(Problem::pattern(
                &entry.id,
                language,
                format!("{what} {} `{t}`: {e}", i + 1),
            )),
        }
    }
}

fn check_raw_regex(raw: &str) -> Result<(), String> {
    Regex::new(raw).map_err(|e| e.to_string())?;
    // Escapes such as `\S`, `\W` or `\p{Lu}` are not literal letters.
    let literal = regex::Regex::new(r"\\(?:[pP]\{[^}]*\}|[pP][A-Za-z]|.)")
        .map(|escapes| escapes.replace_all(raw, "").into_owned())
        .unwrap_or_default();
    if literal.chars().any(|c| c.is_uppercase()) {
        return Err("contains upper-case letters, but ad text is lower-cased before matching, so they can never match".into());
    }
    if raw.chars().any(|c| {
        c.is_alphabetic() && !c.is_ascii() && normalize(&c.to_string()).as_str() != c.to_string()
    }) {
        return Err("contains letters that normalisation changes (accents, full-width forms); write them as normalised text".into());
    }
    Ok(())
}

fn build_alternation(parts: &[String]) -> Result<Regex, regex::Error> {
    let joined = parts
        .iter()
        .map(|p| format!("(?:{p})"))
        .collect::<Vec<_>>()
        .join("|");
    RegexBuilder::new(&joined)
        .size_limit(64 << 20)
        .dfa_size_limit(16 << 20)
        .build()
}

/// Checks that every rule fires on its `examples` and stays silent on its `counterexamples`.
/// Returns the failures; an unreadable file gives its loading error instead.
pub fn check_examples(text: &str, origin: &str) -> Result<Vec<Problem>, RulesError> {
    let rules = RuleSet::from_toml_str(text, origin)?;
    let file: RuleFile = toml::from_str(text).map_err(|e| RulesError::Syntax {
        origin: origin.to_string(),
        message: e.to_string(),
    })?;
    let mut problems = Vec::new();
    if rules.rules().iter().any(|r| r.derived.is_some()) {
        for id in crate::features::signals::REFERENCED_RULES
            .iter()
            .flat_map(|ids| ids.iter())
        {
            if rules.get(id).is_none() {
                problems.push(Problem::whole_file(format!(
                    "the derived signals read rule `{id}`, which the file does not define"
                )));
            }
        }
    }
    for (index, entry) in file.rules.iter().enumerate() {
        for (language, patterns) in &entry.patterns {
            check_rule_examples(&rules, index, entry, language, patterns, &mut problems);
        }
    }
    Ok(problems)
}

fn check_rule_examples(
    rules: &RuleSet,
    index: usize,
    entry: &RuleEntry,
    language: &str,
    patterns: &LanguagePatterns,
    problems: &mut Vec<Problem>,
) {
    for example in &patterns.examples {
        if rules
            .find_rule(index, normalize(example).as_str())
            .is_empty()
        {
            problems.push(Problem::pattern(
                &entry.id,
                language,
                format!("example does not fire the rule: \"{example}\""),
            ));
        }
    }
    for counter in &patterns.counterexamples {
        let normalized = normalize(counter);
        if let Some(hit) = rules.find_rule(index, normalized.as_str()).first() {
            let evidence = &counter[normalized.source_range(hit.clone())];
            problems.push(Problem::pattern(
                &entry.id,
                language,
                format!("counterexample fires the rule on \"{evidence}\": \"{counter}\""),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::rules::tests_support::SMALL;

    fn problems_of(text: &str) -> Vec<String> {
        match RuleSet::from_toml_str(text, "t") {
            Ok(_) => Vec::new(),
            Err(RulesError::Invalid { problems, .. }) => {
                problems.iter().map(|p| p.to_string()).collect()
            }
            Err(e) => vec![e.to_string()],
        }
    }

    #[test]
    fn problems_name_the_rule_language_and_term() {
        let text = SMALL.replace("\"护照 .. 保管\"", "\"护照 .. (保管\"");
        assert_eq!(
            problems_of(&text),
            vec![
                "rule `passport_handover`, language `zh-Hans`: terms 1 `护照 .. (保管`: unbalanced parentheses"
            ]
        );
    }

    #[test]
    fn structural_problems_are_all_reported() {
        let text = SMALL
            .replace("weight = 2.5", "weight = -1")
            .replace("category = \"legit\"", "category = \"legitimate\"")
            .replace("format = 1", "format = 9");
        let found = problems_of(&text);
        assert!(
            found.iter().any(|p| p.contains("format` is 9")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.contains("rule `passport_handover`: `weight`")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.contains("unknown category `legitimate`")),
            "{found:?}"
        );
    }

    #[test]
    fn duplicate_ids_unknown_languages_and_bad_regexes_are_reported() {
        let text = format!(
            "{SMALL}\n[[rule]]\nid = \"no_worker_fees\"\ncategory = \"legit\"\npolarity = \"protective\"\nweight = 1\nlabel = \"x\"\nexplanation = \"x\"\n[rule.patterns.xx]\nregex = [\"Fee\"]\n"
        );
        let found = problems_of(&text);
        assert!(found.iter().any(|p| p.contains("used twice")), "{found:?}");
        assert!(
            found
                .iter()
                .any(|p| p.contains("unknown language key `xx`")),
            "{found:?}"
        );
        assert!(found.iter().any(|p| p.contains("upper-case")), "{found:?}");
    }

    #[test]
    fn regex_escapes_are_not_taken_for_upper_case_letters() {
        assert_eq!(check_raw_regex(r"keep\s\S+\spassport\b\p{Lu}"), Ok(()));
        assert!(check_raw_regex("Keep").is_err());
    }

    #[test]
    fn derived_rules_cannot_have_patterns_or_unknown_signals() {
        let text = SMALL.replace(
            "derived = \"pay_far_above_norm\"",
            "derived = \"pay_way_up\"",
        );
        assert!(
            problems_of(&text)
                .iter()
                .any(|p| p.contains("unknown derived signal `pay_way_up`"))
        );
        let text = format!("{SMALL}[rule.patterns.en]\nterms = [\"high pay\"]\n");
        let found = problems_of(&text);
        assert!(
            found.iter().any(|p| p
                .contains("rule `pay_far_above_norm`: a derived rule cannot also have patterns")),
            "{found:?}"
        );
    }

    /// Problems about examples only (the small file lacks the rules derived signals read).
    fn example_problems(text: &str) -> Vec<Problem> {
        check_examples(text, "t")
            .unwrap()
            .into_iter()
            .filter(|p| p.language.is_some())
            .collect()
    }

    #[test]
    fn rules_the_derived_signals_read_must_exist() {
        let found = check_examples(SMALL, "t").unwrap();
        assert!(
            found.iter().any(|p| p
                .message
                .contains("read rule `hub_place`, which the file does not define")),
            "{found:?}"
        );
    }

    #[test]
    fn examples_and_counterexamples_are_checked() {
        assert_eq!(example_problems(SMALL), Vec::<Problem>::new());
        let text = SMALL.replace(
            "counterexamples = [\"A valid passport is required.\"",
            "counterexamples = [\"Submit a photo of your passport.\"",
        );
        let found = example_problems(&text);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .to_string()
                .contains("counterexample fires the rule on \"Submit a photo of your passport\"")
        );
    }
}
