//! The list of flagged ads (`GET /review`): its filters, read from the query string, and its
//! page.
//!
//! Filters are the fields of a plain GET form, so a filtered list is a link an analyst can share.
//! A filter that cannot be read is named on the page and left out, never an error page.

use std::fmt::Write as _;

use crate::features::rules::{Polarity, RuleSet};
use crate::store::partner::Decision;
use crate::store::{FeedPage, FlaggedAd, FlaggedQuery, Millis, Scope};

use super::html::{Viewer, ad_href, esc, first_words, page, percent, risk_words, when};

/// Ads shown on one page.
pub const PAGE_SIZE: usize = 25;

/// The filters as typed, kept to fill the form again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Lowest score, in percent.
    pub min_score: String,
    /// Language tag.
    pub language: String,
    /// Country code.
    pub country: String,
    /// Red-flag rule id.
    pub flag: String,
    /// First day flagged, `YYYY-MM-DD`.
    pub from: String,
    /// Last day flagged, `YYYY-MM-DD`.
    pub to: String,
    /// Show ads older than this feed position (the "older" link).
    pub before: Option<i64>,
}

/// Longest value of a filter field that is read.
const MAX_FIELD: usize = 100;

impl Filters {
    /// Reads the filters from a query string (`min_score=70&language=th`). Unknown fields are
    /// ignored; nothing here fails.
    pub fn from_query(query: &str) -> Filters {
        let mut filters = Filters::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value: String = value.trim().chars().take(MAX_FIELD).collect();
            match key.as_ref() {
                "min_score" => filters.min_score = value,
                "language" => filters.language = value,
                "country" => filters.country = value,
                "flag" => filters.flag = value,
                "from" => filters.from = value,
                "to" => filters.to = value,
                "before" => filters.before = value.parse().ok().filter(|b| *b > 0),
                _ => {}
            }
        }
        filters
    }

    /// The store query for a partner's scope, one more ad than a page (to know whether there are
    /// older ones), and what could not be read, in plain words.
    pub fn query(&self, scope: &Scope) -> (FlaggedQuery, Vec<String>) {
        let mut problems = Vec::new();
        let mut query = FlaggedQuery {
            scope: scope.clone(),
            page: FeedPage::Newest {
                before: self.before,
                limit: PAGE_SIZE + 1,
            },
            ..FlaggedQuery::default()
        };
        if !self.min_score.is_empty() {
            match self.min_score.trim_end_matches('%').trim().parse::<f64>() {
                Ok(p) if (0.0..=100.0).contains(&p) => query.min_score = Some(p / 100.0),
                _ => problems.push(format!(
                    "Lowest score “{}” is not a number from 0 to 100; it was ignored.",
                    self.min_score
                )),
            }
        }
        if !self.language.is_empty() {
            if self.language.len() <= 35
                && self
                    .language
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                query.language = Some(self.language.clone());
            } else {
                problems.push(format!(
                    "Language “{}” is not a language code such as th or pt-BR; it was ignored.",
                    self.language
                ));
            }
        }
        if !self.country.is_empty() {
            if self.country.len() == 2 && self.country.chars().all(|c| c.is_ascii_alphabetic()) {
                query.country = Some(self.country.to_ascii_uppercase());
            } else {
                problems.push(format!(
                    "Country “{}” is not a two-letter country code such as KH; it was ignored.",
                    self.country
                ));
            }
        }
        if !self.flag.is_empty() {
            query.flag = Some(self.flag.clone());
        }
        for (value, name, slot, days) in [
            (&self.from, "From", &mut query.from, 0),
            (&self.to, "To", &mut query.to, 1),
        ] {
            if value.is_empty() {
                continue;
            }
            match day_start(value) {
                Some(start) => *slot = Some(start + days * 86_400_000),
                None => problems.push(format!(
                    "{name} date “{value}” is not a date written as 2026-11-22; it was ignored."
                )),
            }
        }
        (query, problems)
    }

    /// The query string of these filters without the page position, for the "older" link.
    fn link_query(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("min_score", &self.min_score),
            ("language", &self.language),
            ("country", &self.country),
            ("flag", &self.flag),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !value.is_empty() {
                query.append_pair(key, value);
            }
        }
        query.finish()
    }
}

/// Midnight UTC at the start of a `YYYY-MM-DD` day.
fn day_start(day: &str) -> Option<Millis> {
    let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis())
}

/// One ad in the list, with the viewing partner's latest decision on it.
#[derive(Debug, Clone)]
pub struct Row {
    /// The ad.
    pub ad: FlaggedAd,
    /// The partner's latest decision and when it was made.
    pub decision: Option<(Decision, Millis)>,
}

/// The list page. `rows` may hold one more ad than a page: it is not shown, but makes the
/// "older" link appear.
pub fn list_page(
    viewer: Viewer<'_>,
    filters: &Filters,
    problems: &[String],
    rows: &[Row],
    rules: &RuleSet,
) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>Flagged ads</h1>\n<p>Newest first. Open an ad to see the evidence and to confirm or \
         dismiss it.</p>\n"
    );
    filter_form(&mut body, filters, rules);
    for problem in problems {
        let _ = writeln!(
            body,
            "<p class=\"error\" role=\"alert\">{}</p>",
            esc(problem)
        );
    }
    let shown = &rows[..rows.len().min(PAGE_SIZE)];
    if shown.is_empty() {
        body.push_str("<p class=\"box\">No flagged ads match.</p>\n");
    } else {
        body.push_str("<ul class=\"ads\">\n");
        for row in shown {
            list_item(&mut body, row, rules);
        }
        body.push_str("</ul>\n");
    }
    if rows.len() > PAGE_SIZE {
        if let Some(last) = shown.last() {
            let mut link = filters.link_query();
            if !link.is_empty() {
                link.push('&');
            }
            let _ = writeln!(
                body,
                "<p><a href=\"/review?{}before={}\" rel=\"next\">Older ads →</a></p>",
                esc(&link),
                last.ad.seq
            );
        }
    }
    if filters.before.is_some() {
        let link = filters.link_query();
        let _ = writeln!(
            body,
            "<p><a href=\"/review{}{}\">← Back to the newest</a></p>",
            if link.is_empty() { "" } else { "?" },
            esc(&link)
        );
    }
    page("Flagged ads", Some(viewer), &body)
}

fn filter_form(body: &mut String, filters: &Filters, rules: &RuleSet) {
    let _ = write!(
        body,
        "<form class=\"filters box\" method=\"get\" action=\"/review\" aria-label=\"Filter the list\">\n\
         <div><label for=\"min_score\">Lowest score (%)</label>\
         <input type=\"number\" id=\"min_score\" name=\"min_score\" min=\"0\" max=\"100\" step=\"1\" value=\"{}\"></div>\n\
         <div><label for=\"language\">Language code</label>\
         <input type=\"text\" id=\"language\" name=\"language\" placeholder=\"th, pt-BR\" value=\"{}\"></div>\n\
         <div><label for=\"country\">Country code</label>\
         <input type=\"text\" id=\"country\" name=\"country\" placeholder=\"KH\" maxlength=\"2\" value=\"{}\"></div>\n\
         <div><label for=\"flag\">Red flag</label><select id=\"flag\" name=\"flag\">\
         <option value=\"\">Any</option>",
        esc(&filters.min_score),
        esc(&filters.language),
        esc(&filters.country)
    );
    let mut known = false;
    for rule in rules
        .rules()
        .iter()
        .filter(|r| r.polarity == Polarity::Risk)
    {
        let selected = rule.id == filters.flag;
        known |= selected;
        let _ = write!(
            body,
            "<option value=\"{}\"{}>{}</option>",
            esc(&rule.id),
            if selected { " selected" } else { "" },
            esc(&rule.label)
        );
    }
    if !known && !filters.flag.is_empty() {
        let _ = write!(
            body,
            "<option value=\"{0}\" selected>{0}</option>",
            esc(&filters.flag)
        );
    }
    let _ = write!(
        body,
        "</select></div>\n\
         <div><label for=\"from\">Flagged from</label>\
         <input type=\"date\" id=\"from\" name=\"from\" value=\"{}\"></div>\n\
         <div><label for=\"to\">Flagged until</label>\
         <input type=\"date\" id=\"to\" name=\"to\" value=\"{}\"></div>\n\
         <div><button type=\"submit\">Show</button> <a href=\"/review\">Clear</a></div>\n</form>\n",
        esc(&filters.from),
        esc(&filters.to)
    );
}

fn list_item(body: &mut String, row: &Row, rules: &RuleSet) {
    let flagged = &row.ad;
    let ad = &flagged.ad;
    let title = ad
        .title
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or("(no title)");
    let _ = write!(
        body,
        "<li><h2 style=\"margin:0 0 .25rem\"><a href=\"{}\">{}</a></h2>\n\
         <p style=\"margin:0\"><span class=\"score band-{}\">{} · {}</span>",
        esc(&ad_href(&ad.id)),
        esc(&first_words(title, 16)),
        flagged.risk,
        esc(&percent(flagged.score)),
        risk_words(flagged.risk)
    );
    if let Some((decision, at)) = row.decision {
        let _ = write!(
            body,
            " · <strong>You {} it</strong> <span class=\"muted\">({})</span>",
            decision.name(),
            when(at)
        );
    }
    let _ = write!(
        body,
        "</p>\n<p style=\"margin:.25rem 0\">{}</p>\n",
        esc(&first_words(&ad.text, 30))
    );
    if !flagged.flag_ids.is_empty() {
        body.push_str("<p class=\"tags\" style=\"margin:.25rem 0\"><span class=\"sr-only\">Red flags: </span>");
        for id in &flagged.flag_ids {
            let label = rules.get(id).map_or(id.as_str(), |r| r.label.as_str());
            let _ = write!(body, "<span>{}</span>", esc(label));
        }
        body.push_str("</p>\n");
    }
    let mut seen = String::from("Seen");
    if let Some(source) = ad.source.as_deref().filter(|s| !s.is_empty()) {
        let _ = write!(seen, " on {source}");
    }
    if let Some(host) = ad
        .url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string))
        .filter(|host| ad.source.as_deref() != Some(host.as_str()))
    {
        let _ = write!(seen, " at {host}");
    }
    let _ = writeln!(
        body,
        "<p class=\"muted\" style=\"margin:0\">{}, first {}, last {}{}.</p></li>",
        esc(&seen),
        when(flagged.first_seen),
        when(flagged.last_seen),
        flagged
            .country
            .as_deref()
            .map(|c| format!("; country {}", esc(c)))
            .unwrap_or_default()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_read_leniently_and_problems_named() {
        let f = Filters::from_query(
            "min_score=70&language=th&country=kh&flag=hub_place&from=2026-11-01&to=2026-11-02&before=12&x=1",
        );
        let (q, problems) = f.query(&Scope::default());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(q.min_score, Some(0.7));
        assert_eq!(q.language.as_deref(), Some("th"));
        assert_eq!(q.country.as_deref(), Some("KH"));
        assert_eq!(q.flag.as_deref(), Some("hub_place"));
        let from = q.from.unwrap();
        assert_eq!(
            q.to,
            Some(from + 2 * 86_400_000),
            "the last day is included"
        );
        assert_eq!(
            q.page,
            FeedPage::Newest {
                before: Some(12),
                limit: PAGE_SIZE + 1
            }
        );
        let bad = Filters::from_query(
            "min_score=abc&language=<x>&country=KHM&from=yesterday&before=-3&min_score=150",
        );
        let (q, problems) = bad.query(&Scope::default());
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert_eq!(q.min_score, None);
        assert_eq!(q.language, None);
        assert_eq!(bad.before, None);
        assert_eq!(Filters::from_query("%zz=%ff&&=="), Filters::default());
    }

    #[test]
    fn the_older_link_keeps_the_filters() {
        let f = Filters::from_query("language=pt-BR&flag=a b&before=9");
        assert_eq!(f.link_query(), "language=pt-BR&flag=a+b");
    }
}
