//! The query parameters of the flagged-ads endpoints, checked once: a bad parameter is a 400
//! that names it.

use crate::export::parse_time_bound;
use crate::serve::errors::ApiError;
use crate::store::{FeedPage, FlaggedQuery, Scope, country_code, language_tag};

/// Ads per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: usize = 50;
/// Most ads per page.
pub const MAX_LIMIT: usize = 500;

/// The opaque cursor of a feed position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor(pub i64);

impl Cursor {
    /// Its text form.
    pub fn encode(self) -> String {
        format!("c{:x}", self.0)
    }

    /// Reads a cursor this API handed out.
    pub fn decode(text: &str) -> Option<Cursor> {
        let digits = text.trim().strip_prefix('c')?;
        if digits.is_empty() || digits.len() > 16 || !digits.chars().all(|c| c.is_ascii_hexdigit())
        {
            return None;
        }
        i64::from_str_radix(digits, 16).ok().map(Cursor)
    }
}

/// Which page of the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Newest first, below a cursor.
    Newest(Option<i64>),
    /// Oldest first, after a cursor: what is new since.
    Since(i64),
}

/// The parameters of `GET /v1/flagged` (and its CSV and Atom forms).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlaggedParams {
    /// Ads per page.
    pub limit: usize,
    /// Which page.
    pub page: Option<Page>,
    /// Lowest score.
    pub min_score: Option<f64>,
    /// Language tag.
    pub language: Option<String>,
    /// Country code (upper case).
    pub country: Option<String>,
    /// Flag id.
    pub flag: Option<String>,
    /// Flagged at or after (Unix ms).
    pub from: Option<i64>,
    /// Flagged before (Unix ms).
    pub to: Option<i64>,
}

impl FlaggedParams {
    /// Reads a raw query string.
    pub fn parse(query: &str) -> Result<FlaggedParams, ApiError> {
        let mut params = FlaggedParams {
            limit: DEFAULT_LIMIT,
            ..FlaggedParams::default()
        };
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            if seen.iter().any(|s| *s == name) {
                return Err(ApiError::bad_request(format!(
                    "parameter `{name}` is given more than once"
                )));
            }
            seen.push(name.to_string());
            let value = value.trim();
            match name.as_ref() {
                "limit" => params.limit = parse_limit(value, MAX_LIMIT)?,
                "cursor" | "since" if params.page.is_some() => {
                    return Err(ApiError::bad_request(
                        "give either `cursor` (older pages) or `since` (newer ads), not both",
                    ));
                }
                "cursor" => params.page = Some(Page::Newest(Some(cursor(&name, value)?))),
                "since" => params.page = Some(Page::Since(cursor(&name, value)?)),
                "min_score" => {
                    let score: f64 = value
                        .parse()
                        .map_err(|_| bad(&name, "a number from 0 to 1"))?;
                    if !(0.0..=1.0).contains(&score) {
                        return Err(bad(&name, "a number from 0 to 1"));
                    }
                    params.min_score = Some(score);
                }
                "language" => {
                    params.language = Some(
                        language_tag(value)
                            .ok_or_else(|| bad(&name, "a language tag such as `th` or `pt-BR`"))?,
                    )
                }
                "country" => {
                    params.country = Some(
                        country_code(value)
                            .ok_or_else(|| bad(&name, "a two-letter country code such as `KH`"))?,
                    )
                }
                "flag" => {
                    params.flag = Some(
                        flag(value)
                            .ok_or_else(|| bad(&name, "a flag id such as `passport_handover`"))?,
                    )
                }
                "from" => params.from = Some(time(&name, value, false)?),
                "to" => params.to = Some(time(&name, value, true)?),
                other => {
                    return Err(ApiError::bad_request(format!(
                        "unknown parameter `{other}`; the parameters are limit, cursor, since, min_score, language, country, flag, from and to"
                    )));
                }
            }
        }
        if let (Some(from), Some(to)) = (params.from, params.to) {
            if from >= to {
                return Err(ApiError::bad_request("`from` must be before `to`"));
            }
        }
        Ok(params)
    }

    /// The store query for a partner with this scope.
    pub fn query(&self, scope: Scope) -> FlaggedQuery {
        let page = match self.page.unwrap_or(Page::Newest(None)) {
            Page::Newest(before) => FeedPage::Newest {
                before,
                limit: self.limit,
            },
            Page::Since(after) => FeedPage::Since {
                after,
                limit: self.limit,
            },
        };
        FlaggedQuery {
            scope,
            min_score: self.min_score,
            language: self.language.clone(),
            country: self.country.clone(),
            flag: self.flag.clone(),
            from: self.from,
            to: self.to,
            page,
        }
    }
}

/// Reads a page size between 1 and `max`.
pub fn parse_limit(value: &str, max: usize) -> Result<usize, ApiError> {
    value
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| bad("limit", &format!("a whole number from 1 to {max}")))
}

fn bad(name: &str, expected: &str) -> ApiError {
    ApiError::bad_request(format!("parameter `{name}` must be {expected}"))
}

fn cursor(name: &str, value: &str) -> Result<i64, ApiError> {
    Cursor::decode(value)
        .map(|c| c.0)
        .filter(|&seq| seq >= 0)
        .ok_or_else(|| {
            bad(
                name,
                "a cursor returned by this API (`next_cursor` or `poll_cursor`)",
            )
        })
}

fn time(name: &str, value: &str, end_of_day: bool) -> Result<i64, ApiError> {
    parse_time_bound(value, end_of_day)
        .map_err(|_| bad(name, "a date (YYYY-MM-DD) or an RFC 3339 time"))
}

fn flag(value: &str) -> Option<String> {
    ((1..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')))
    .then(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(query: &str) -> String {
        FlaggedParams::parse(query).unwrap_err().message
    }

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        for seq in [0, 1, 255, i64::MAX] {
            assert_eq!(Cursor::decode(&Cursor(seq).encode()), Some(Cursor(seq)));
        }
        for junk in ["", "c", "12", "cxyz", "c-1", "c10000000000000000"] {
            assert_eq!(Cursor::decode(junk), None, "{junk}");
        }
    }

    #[test]
    fn filters_are_read_and_bad_ones_are_named() {
        let p = FlaggedParams::parse(
            "limit=10&min_score=0.5&language=pt-BR&country=kh&flag=passport_handover&from=2026-11-01&to=2026-11-20&cursor=c1f",
        )
        .unwrap();
        assert_eq!(p.limit, 10);
        assert_eq!(p.country.as_deref(), Some("KH"));
        assert_eq!(p.page, Some(Page::Newest(Some(31))));
        let q = p.query(Scope::default());
        assert_eq!(
            q.page,
            FeedPage::Newest {
                before: Some(31),
                limit: 10
            }
        );
        assert_eq!(FlaggedParams::parse("").unwrap().limit, DEFAULT_LIMIT);

        assert!(message("limit=0").contains("`limit`"));
        assert!(message("limit=501").contains("from 1 to 500"));
        assert!(message("min_score=2").contains("`min_score`"));
        assert!(message("language=1x").contains("`language`"));
        assert!(message("country=KHM").contains("`country`"));
        assert!(message("flag=a%20b").contains("`flag`"));
        assert!(message("from=yesterday").contains("`from`"));
        assert!(message("since=abc").contains("`since`"));
        assert!(message("cursor=c1&since=c2").contains("not both"));
        assert!(message("limit=1&limit=2").contains("more than once"));
        assert!(message("colour=red").contains("unknown parameter `colour`"));
        assert!(message("from=2026-11-02&to=2026-11-01").contains("before"));
    }
}
