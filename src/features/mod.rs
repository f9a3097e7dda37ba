//! Stage 2 of the pipeline: features. Turns an [`Ad`] into what the classifier reads.
//!
//! [`normalize`] makes text matchable whatever its disguise, [`rules`] finds red flags with
//! evidence in the ad's own words, [`salary`] reads pay and converts it to USD per month,
//! [`entities`] pulls out the contacts that link ads from the same recruiter, and [`signals`]
//! derives the flags that no phrase can show (pay far above the norm, a chat app as the only
//! contact, no employer named). [`Extractor`] puts them together into [`Features`].

pub mod entities;
pub mod normalize;
pub mod rules;
pub mod salary;
pub mod signals;
pub mod tokens;

use serde::{Deserialize, Serialize};

use crate::ad::{Ad, Field};
use entities::Entity;
use normalize::{Normalized, normalize};
use rules::{Polarity, RuleSet};
use salary::{MoneyTable, Salary};
use tokens::Tokens;

/// The normalised text the tokenizer reads: title and body, one per line.
fn token_text(fields: &[(Field, &str, Normalized)]) -> String {
    fields
        .iter()
        .filter(|(f, _, _)| matches!(f, Field::Title | Field::Text))
        .map(|(_, _, n)| n.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of an ad the tokenizer reads, normalised: title and body.
pub fn tokenizer_input(ad: &Ad) -> String {
    let fields: Vec<(Field, &str, Normalized)> = [Field::Title, Field::Text]
        .into_iter()
        .filter_map(|f| ad.field(f).map(|t| (f, t, normalize(t))))
        .collect();
    token_text(&fields)
}

/// Most matches of one rule kept per field: enough evidence to read, bounded output.
const MAX_MATCHES_PER_RULE_AND_FIELD: usize = 3;

/// A red flag (or protective signal) found in an ad, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    /// The rule's id.
    pub id: String,
    /// The rule's short title.
    pub label: String,
    /// Whether it raises (`risk`) or lowers (`protective`) the score.
    pub polarity: Polarity,
    /// The field the evidence is in.
    pub field: Field,
    /// The ad's own text that triggered the rule (empty for a signal about something missing).
    pub evidence: String,
    /// Byte offset where the evidence starts in the field.
    pub start: usize,
    /// Byte offset where the evidence ends in the field.
    pub end: usize,
    /// For derived signals, what was computed, in plain words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// An entity found in a field of the ad.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoundEntity {
    /// The field it was found in.
    pub field: Field,
    /// What it is and its normalised value.
    #[serde(flatten)]
    pub entity: Entity,
    /// The text as written in the ad.
    pub raw: String,
}

/// A salary found in a field of the ad.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundSalary {
    /// The field it was found in.
    pub field: Field,
    /// The parsed amount.
    #[serde(flatten)]
    pub salary: Salary,
    /// The text as written in the ad.
    pub raw: String,
}

/// Everything the classifier reads about one ad.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Features {
    /// Red flags and protective signals: rule matches in field order then position, then the
    /// derived signals.
    pub flags: Vec<Flag>,
    /// Contacts and links.
    pub entities: Vec<FoundEntity>,
    /// Salary amounts.
    pub salaries: Vec<FoundSalary>,
    /// How the pay compares with the norm, when it could be judged.
    pub pay: Option<signals::PayComparison>,
    /// Markets (ISO country codes, `EU`) of the countries the ad names as places to work.
    pub destinations: Vec<&'static str>,
    /// Subword token ids of the title and text, when the extractor has a tokenizer.
    #[serde(skip)]
    pub tokens: Vec<u32>,
    /// The normalised title and text the tokens were read from.
    #[serde(skip)]
    pub token_text: String,
    /// For each token, the byte range of `token_text` it covers.
    #[serde(skip)]
    pub token_offsets: Vec<(usize, usize)>,
    /// The fields `token_text` was built from, to map its ranges back to the ad's own text.
    #[serde(skip)]
    pub token_sources: Vec<TokenSource>,
}

/// One field inside [`Features::token_text`].
#[derive(Debug, Clone, PartialEq)]
pub struct TokenSource {
    /// Where the field's normalised text starts in `token_text`.
    pub start: usize,
    /// The field's normalisation, with its map back to the original.
    pub normalized: Normalized,
    /// The field as written in the ad.
    pub original: String,
}

impl Features {
    /// The ad's own text behind a byte range of [`Features::token_text`], if the range lies
    /// within one field.
    pub fn original_text(&self, range: std::ops::Range<usize>) -> Option<&str> {
        let source = self
            .token_sources
            .iter()
            .rev()
            .find(|s| s.start <= range.start)?;
        let local = range.start - source.start..range.end.checked_sub(source.start)?;
        if local.end > source.normalized.as_str().len() {
            return None;
        }
        source.original.get(source.normalized.source_range(local))
    }
}

impl Features {
    /// Ids of the distinct rules that fired, in order of first appearance.
    pub fn fired_rules(&self) -> Vec<&str> {
        let mut seen = Vec::new();
        for flag in &self.flags {
            if !seen.contains(&flag.id.as_str()) {
                seen.push(flag.id.as_str());
            }
        }
        seen
    }

    /// Whether a rule fired.
    pub fn has(&self, rule_id: &str) -> bool {
        self.flags.iter().any(|f| f.id == rule_id)
    }
}

/// Extracts [`Features`] from ads; cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Extractor {
    rules: RuleSet,
    money: MoneyTable,
    tokens: Option<Tokens>,
}

impl Extractor {
    /// An extractor with these rules and this money table, without a tokenizer.
    pub fn new(rules: RuleSet, money: MoneyTable) -> Extractor {
        Extractor {
            rules,
            money,
            tokens: None,
        }
    }

    /// The same extractor, also producing subword tokens.
    pub fn with_tokens(mut self, tokens: Tokens) -> Extractor {
        self.tokens = Some(tokens);
        self
    }

    /// The tokenizer in use, if any.
    pub fn tokens(&self) -> Option<&Tokens> {
        self.tokens.as_ref()
    }

    /// The rules in use.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The money table in use.
    pub fn money(&self) -> &MoneyTable {
        &self.money
    }

    /// Extracts the features of one ad.
    pub fn extract(&self, ad: &Ad) -> Features {
        let fields: Vec<(Field, &str, Normalized)> = Field::ALL
            .iter()
            .filter_map(|&f| ad.field(f).map(|text| (f, text, normalize(text))))
            .collect();
        let destinations = signals::destinations(fields.iter().map(|(_, _, n)| n.as_str()));
        let region = signals::region_hint(ad);
        let default_currency = signals::default_currency(region, &destinations);
        let mut features = Features {
            destinations,
            ..Features::default()
        };
        for (field, text, normalized) in &fields {
            let field = *field;
            self.match_rules(field, text, normalized, &mut features.flags);
            for entity in entities::find_entities(text, region) {
                let raw = text[entity.start..entity.end].to_string();
                features.entities.push(FoundEntity { field, entity, raw });
            }
            if matches!(field, Field::Title | Field::Text | Field::Salary) {
                for salary in salary::find_salaries(text, &self.money, default_currency) {
                    let raw = text[salary.start..salary.end].to_string();
                    features.salaries.push(FoundSalary { field, salary, raw });
                }
            }
        }
        signals::add_derived(ad, &self.rules, &self.money, &mut features);
        if let Some(tokens) = &self.tokens {
            features.token_text = token_text(&fields);
            let mut start = 0;
            // The normalised fields are not needed any more: move them, do not copy them.
            for (field, text, normalized) in fields {
                if matches!(field, Field::Title | Field::Text) {
                    let len = normalized.as_str().len();
                    features.token_sources.push(TokenSource {
                        start,
                        normalized,
                        original: text.to_string(),
                    });
                    start += len + 1;
                }
            }
            (features.tokens, features.token_offsets) =
                tokens.encode_with_offsets(&features.token_text);
        }
        features
    }

    fn match_rules(
        &self,
        field: Field,
        text: &str,
        normalized: &Normalized,
        flags: &mut Vec<Flag>,
    ) {
        let mut per_rule: std::collections::HashMap<usize, usize> = Default::default();
        for m in self.rules.find(normalized) {
            let count = per_rule.entry(m.rule).or_default();
            *count += 1;
            if *count > MAX_MATCHES_PER_RULE_AND_FIELD {
                continue;
            }
            let rule = &self.rules.rules()[m.rule];
            flags.push(Flag {
                id: rule.id.clone(),
                label: rule.label.clone(),
                polarity: rule.polarity,
                field,
                evidence: text[m.range.clone()].to_string(),
                start: m.range.start,
                end: m.range.end,
                detail: None,
            });
        }
    }
}
