//! The ad record: the one type every stage of the pipeline reads and passes on.
//!
//! Input readers (and, later, the crawler) produce [`Ad`]s, the features stage reads their text fields, the classifier scores
//! them and the outputs write them back out with the score attached. Input fields that Lurewatch
//! does not know are kept in [`Ad::extra`] and written back unchanged, so a partner's own columns
//! survive a scoring run.

pub mod read;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// A job advertisement.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ad {
    /// Identifier. When the input has none, a stable one is derived from the content
    /// ([`Ad::content_id`]): the same ad always gets the same id.
    pub id: String,
    /// The ad's title or headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The body of the ad. Read from `text`, or else from `description` or `body`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// The employer or agency as the ad names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Where the job is, as the ad says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The pay, as the ad writes it (`$1,500/month`, `月薪3万`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salary: Option<String>,
    /// How to apply: phone numbers, handles, emails, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Where the ad was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The site, board or channel the ad came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When the ad was posted, as given (ideally RFC 3339 or `YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_at: Option<String>,
    /// Language of the ad, a BCP 47 tag such as `th`, `zh-Hant` or `pt-BR`, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Every other input field, passed through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The text fields of an ad that rules and entity extraction read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    /// [`Ad::title`].
    Title,
    /// [`Ad::text`].
    Text,
    /// [`Ad::company`].
    Company,
    /// [`Ad::location`].
    Location,
    /// [`Ad::salary`].
    Salary,
    /// [`Ad::contact`].
    Contact,
}

impl Field {
    /// Every text field, in the order they are read.
    pub const ALL: [Field; 6] = [
        Field::Title,
        Field::Text,
        Field::Company,
        Field::Location,
        Field::Salary,
        Field::Contact,
    ];

    /// The field's name in records.
    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Text => "text",
            Field::Company => "company",
            Field::Location => "location",
            Field::Salary => "salary",
            Field::Contact => "contact",
        }
    }
}

/// Why an input record is not a usable ad.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The record is longer than the configured limit.
    #[error("record is longer than the limit of {limit} bytes")]
    TooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// The record's bytes are not UTF-8.
    #[error("invalid UTF-8 at byte {offset} of the record{}", column.as_ref().map(|c| format!(" (column `{c}`)")).unwrap_or_default())]
    InvalidUtf8 {
        /// Byte offset of the first invalid byte within the record or field.
        offset: usize,
        /// The CSV column, if known.
        column: Option<String>,
    },
    /// The line is not valid JSON.
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    /// The JSON value is not an object.
    #[error("expected a JSON object, found {0}")]
    NotAnObject(&'static str),
    /// A known field has a type that cannot be read as text.
    #[error("field `{field}` must be text, found {found}")]
    FieldType {
        /// The field's name.
        field: String,
        /// What was found instead.
        found: &'static str,
    },
    /// The record has neither a title nor any text.
    #[error("record has no text (no `text`, `description`, `body` or `title`)")]
    NoText,
    /// The CSV row is malformed.
    #[error("invalid CSV: {0}")]
    InvalidCsv(String),
}

/// Names of input fields that feed [`Ad::text`], in order of preference.
const TEXT_ALIASES: [&str; 3] = ["text", "description", "body"];

impl Ad {
    /// Builds an ad from a JSON object (a JSON Lines record or a CSV row turned into one).
    ///
    /// Known fields are read as text: numbers and booleans are written out, arrays of scalars are
    /// joined with line breaks, `null` counts as absent. Unknown fields go to [`Ad::extra`].
    pub fn from_object(mut map: Map<String, Value>) -> Result<Ad, RecordError> {
        let mut take = |name: &str| -> Result<Option<String>, RecordError> {
            match map.remove(name) {
                None => Ok(None),
                Some(value) => value_to_text(name, value),
            }
        };
        let id = take("id")?;
        let title = take("title")?;
        let mut text = None;
        for alias in TEXT_ALIASES {
            if text.is_some() {
                break;
            }
            text = take(alias)?.filter(|t| !t.trim().is_empty());
        }
        let mut ad = Ad {
            id: String::new(),
            title: title.filter(|t| !t.trim().is_empty()),
            text: text.unwrap_or_default(),
            company: take("company")?,
            location: take("location")?,
            salary: take("salary")?,
            contact: take("contact")?,
            url: take("url")?,
            source: take("source")?,
            posted_at: take("posted_at")?,
            language: take("language")?,
            extra: Map::new(),
        };
        ad.extra = map;
        if ad.text.is_empty() && ad.title.is_none() {
            return Err(RecordError::NoText);
        }
        ad.id = match id.map(|i| i.trim().to_string()).filter(|i| !i.is_empty()) {
            Some(id) => id,
            None => ad.content_id(),
        };
        Ok(ad)
    }

    /// An ad made of plain text alone, with a derived id.
    pub fn from_text(text: &str) -> Result<Ad, RecordError> {
        if text.trim().is_empty() {
            return Err(RecordError::NoText);
        }
        let mut ad = Ad {
            text: text.to_string(),
            ..Ad::default()
        };
        ad.id = ad.content_id();
        Ok(ad)
    }

    /// A stable id derived from the ad's content: `lw-` and 16 hex digits of a SHA-256 over the
    /// title, text, company, location, salary, contact and URL. Surrounding white space does not
    /// change it.
    pub fn content_id(&self) -> String {
        let mut hasher = Sha256::new();
        let parts = [
            self.title.as_deref(),
            Some(self.text.as_str()),
            self.company.as_deref(),
            self.location.as_deref(),
            self.salary.as_deref(),
            self.contact.as_deref(),
            self.url.as_deref(),
        ];
        for part in parts {
            hasher.update(part.unwrap_or("").trim().as_bytes());
            hasher.update([0x1f]);
        }
        let digest = hasher.finalize();
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("lw-{hex}")
    }

    /// The value of a text field, if present and not blank.
    pub fn field(&self, field: Field) -> Option<&str> {
        let value = match field {
            Field::Title => self.title.as_deref(),
            Field::Text => Some(self.text.as_str()),
            Field::Company => self.company.as_deref(),
            Field::Location => self.location.as_deref(),
            Field::Salary => self.salary.as_deref(),
            Field::Contact => self.contact.as_deref(),
        };
        value.filter(|v| !v.trim().is_empty())
    }

    /// Total bytes of the text fields.
    pub fn text_len(&self) -> usize {
        Field::ALL
            .iter()
            .filter_map(|f| self.field(*f))
            .map(str::len)
            .sum()
    }
}

fn value_to_text(field: &str, value: Value) -> Result<Option<String>, RecordError> {
    Ok(match value {
        Value::Null => None,
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items) => {
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::Array(_) | Value::Object(_) => {
                        return Err(RecordError::FieldType {
                            field: field.to_string(),
                            found: "a nested array or object",
                        });
                    }
                    other => parts.extend(value_to_text(field, other)?),
                }
            }
            Some(parts.join("\n"))
        }
        Value::Object(_) => {
            return Err(RecordError::FieldType {
                field: field.to_string(),
                found: "an object",
            });
        }
    })
}

/// A short name for the type of a JSON value, for error messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn known_fields_are_read_and_unknown_ones_kept() {
        let ad = Ad::from_object(object(json!({
            "id": 42, "title": "Typist", "description": "Easy job", "salary": 1500,
            "contact": ["@hr_desk", "+855 12 345 678"], "board_rank": 3
        })))
        .unwrap();
        assert_eq!(ad.id, "42");
        assert_eq!(ad.text, "Easy job");
        assert_eq!(ad.salary.as_deref(), Some("1500"));
        assert_eq!(ad.contact.as_deref(), Some("@hr_desk\n+855 12 345 678"));
        assert_eq!(ad.extra["board_rank"], json!(3));
    }

    #[test]
    fn text_prefers_text_then_description_then_body() {
        let ad = Ad::from_object(object(json!({"body": "b", "description": "d"}))).unwrap();
        assert_eq!(ad.text, "d");
        assert_eq!(ad.extra["body"], json!("b"));
        let ad = Ad::from_object(object(json!({"body": "b", "text": ""}))).unwrap();
        assert_eq!(ad.text, "b");
    }

    #[test]
    fn missing_ids_are_derived_from_content_and_stable() {
        let a = Ad::from_object(object(json!({"text": "Hiring typists"}))).unwrap();
        let b = Ad::from_object(object(json!({"text": "  Hiring typists\n", "x": 1}))).unwrap();
        let c = Ad::from_object(object(json!({"text": "Hiring cooks"}))).unwrap();
        assert!(a.id.starts_with("lw-") && a.id.len() == 19);
        assert_eq!(a.id, b.id);
        assert_ne!(a.id, c.id);
    }

    #[test]
    fn records_without_text_or_with_objects_in_fields_are_refused() {
        assert_eq!(
            Ad::from_object(object(json!({"company": "X"}))),
            Err(RecordError::NoText)
        );
        assert_eq!(
            Ad::from_object(object(json!({"text": "a", "title": {"x": 1}}))),
            Err(RecordError::FieldType {
                field: "title".into(),
                found: "an object"
            })
        );
    }

    #[test]
    fn serialisation_round_trips_and_passes_extras_through() {
        let ad = Ad::from_object(object(json!({"text": "t", "lang_guess": "en"}))).unwrap();
        let line = serde_json::to_string(&ad).unwrap();
        assert!(line.contains("\"lang_guess\":\"en\""));
        let back: Ad = serde_json::from_str(&line).unwrap();
        assert_eq!(back, ad);
    }
}
