//! The page of one ad (`GET /review/ads/{id}`): its own text with the evidence marked, the
//! explanation of its score in plain words, the contacts found, every place it was seen, the
//! partner's earlier reviews and the confirm and dismiss buttons.
//!
//! The stored score is read leniently: a flag, contact or reason that cannot be read is left
//! out rather than failing the page.

use std::fmt::Write as _;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::ad::{Ad, Field};
use crate::check::score_movers;
use crate::classify::Reason;
use crate::features::rules::{Polarity, RuleSet};
use crate::features::{Flag, FoundEntity};
use crate::store::StoredAd;
use crate::store::partner::Review;

use super::highlight::{Span, highlight};
use super::html::{Viewer, ad_href, csrf_field, esc, page, percent, risk_words, when};

/// Longest note kept with a decision, in characters.
pub const MAX_NOTE: usize = 2000;

/// What the ad page shows.
#[derive(Debug, Clone, Copy)]
pub struct AdView<'a> {
    /// The ad with its sightings and scores.
    pub stored: &'a StoredAd,
    /// The viewing partner's reviews of it, newest first.
    pub reviews: &'a [Review],
    /// Rules, for the explanation of each flag.
    pub rules: &'a RuleSet,
    /// A message to show at the top (such as "Saved").
    pub notice: Option<&'a str>,
}

/// The explanation parts of a stored score.
#[derive(Debug, Default)]
struct Explained {
    flags: Vec<Flag>,
    entities: Vec<FoundEntity>,
    reasons: Vec<Reason>,
    pay: Option<String>,
}

fn items<T: DeserializeOwned>(result: &Value, key: &str) -> Vec<T> {
    result
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| serde_json::from_value(v.clone()).ok())
                .collect()
        })
        .unwrap_or_default()
}

fn explained(result: &Value) -> Explained {
    let pay = result.get("pay").and_then(|pay| {
        let number = |k: &str| pay.get(k).and_then(Value::as_f64);
        let markets: Vec<&str> = pay
            .get("markets")
            .and_then(Value::as_array)
            .map(|m| m.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        Some(format!(
            "Pay: about {:.0} USD a month; the usual entry-level pay for the places involved ({}) \
             is about {:.0} USD ({:.1} times).",
            number("usd_per_month")?,
            markets.join(", "),
            number("norm_usd_per_month")?,
            number("ratio")?
        ))
    });
    Explained {
        flags: items(result, "flags"),
        entities: items(result, "entities"),
        reasons: items(result, "reasons"),
        pay,
    }
}

/// The text of one field of an ad.
fn field_text(ad: &Ad, field: Field) -> Option<&str> {
    match field {
        Field::Title => ad.title.as_deref(),
        Field::Text => Some(ad.text.as_str()),
        Field::Company => ad.company.as_deref(),
        Field::Location => ad.location.as_deref(),
        Field::Salary => ad.salary.as_deref(),
        Field::Contact => ad.contact.as_deref(),
    }
}

/// A field as HTML with its evidence marked.
fn marked(text: &str, field: Field, flags: &[Flag]) -> String {
    let spans: Vec<Span<'_>> = flags
        .iter()
        .filter(|f| f.field == field && !f.evidence.is_empty())
        .map(|f| Span {
            start: f.start,
            end: f.end,
            flag: &f.id,
            label: &f.label,
            protective: f.polarity == Polarity::Protective,
        })
        .collect();
    highlight(text, &spans)
}

/// The ad page.
pub fn ad_page(viewer: Viewer<'_>, view: AdView<'_>) -> String {
    let stored = view.stored;
    let ad = &stored.ad;
    let latest = stored.scores.first();
    let explained = latest.map(|s| explained(&s.result)).unwrap_or_default();
    let flags = &explained.flags;
    let mut body = String::new();
    body.push_str("<p><a href=\"/review\">← All flagged ads</a></p>\n");
    if let Some(notice) = view.notice {
        let _ = writeln!(body, "<p class=\"ok\" role=\"status\">{}</p>", esc(notice));
    }
    let title = match ad.title.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(title) => marked(title, Field::Title, flags),
        None => "(no title)".to_string(),
    };
    let _ = writeln!(body, "<h1>{title}</h1>");
    match latest {
        Some(score) => {
            let _ = writeln!(
                body,
                "<p><span class=\"score band-{}\">{} · {}{}</span><br>\
                 <span class=\"muted\">Scored {} by {} {}. Ad {}.</span></p>",
                score.risk,
                esc(&percent(score.score)),
                risk_words(score.risk),
                if score.flagged {
                    ": flagged for review"
                } else {
                    ": not flagged"
                },
                when(score.scored_at),
                esc(&score.scorer.name),
                esc(&score.scorer.version),
                esc(&ad.id)
            );
        }
        None => body.push_str("<p>This ad has not been scored.</p>\n"),
    }
    ad_text(&mut body, ad, flags, stored.language.as_deref());
    explanation(&mut body, &explained, view.rules);
    contacts(&mut body, &explained.entities);
    sightings(&mut body, stored);
    decision_form(&mut body, viewer, &ad.id);
    history(&mut body, view.reviews);
    let plain_title = ad.title.as_deref().unwrap_or("Ad");
    page(plain_title, Some(viewer), &body)
}

fn ad_text(body: &mut String, ad: &Ad, flags: &[Flag], language: Option<&str>) {
    body.push_str(
        "<section aria-labelledby=\"ad-h\"><h2 id=\"ad-h\">The ad, with the evidence marked</h2>\n",
    );
    let lang = language
        .filter(|l| l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(|l| format!(" lang=\"{}\"", esc(l)))
        .unwrap_or_default();
    let _ = write!(
        body,
        "<div class=\"box\"{lang}><div class=\"ad-text\">{}</div>",
        marked(&ad.text, Field::Text, flags)
    );
    let mut details = String::new();
    for (field, name) in [
        (Field::Company, "Employer"),
        (Field::Location, "Place"),
        (Field::Salary, "Pay"),
        (Field::Contact, "Contact"),
    ] {
        if let Some(text) = field_text(ad, field).filter(|t| !t.is_empty()) {
            let _ = write!(
                details,
                "<dt>{name}</dt><dd>{}</dd>",
                marked(text, field, flags)
            );
        }
    }
    if let Some(posted) = &ad.posted_at {
        let _ = write!(details, "<dt>Posted</dt><dd>{}</dd>", esc(posted));
    }
    if !details.is_empty() {
        let _ = write!(body, "<dl>{details}</dl>");
    }
    body.push_str("</div></section>\n");
}

fn explanation(body: &mut String, explained: &Explained, rules: &RuleSet) {
    body.push_str("<section aria-labelledby=\"why-h\"><h2 id=\"why-h\">Why it was flagged</h2>\n");
    for (polarity, heading) in [
        (Polarity::Risk, "Red flags"),
        (Polarity::Protective, "Signs of a legitimate ad"),
    ] {
        let of: Vec<&Flag> = explained
            .flags
            .iter()
            .filter(|f| f.polarity == polarity)
            .collect();
        let mut ids: Vec<&str> = Vec::new();
        for f in &of {
            if !ids.contains(&f.id.as_str()) {
                ids.push(&f.id);
            }
        }
        if ids.is_empty() {
            if polarity == Polarity::Risk {
                body.push_str("<p>Red flags: none found.</p>\n");
            }
            continue;
        }
        let _ = writeln!(body, "<h3>{heading} ({})</h3>\n<ul>", ids.len());
        for id in ids {
            let of_rule: Vec<&&Flag> = of.iter().filter(|f| f.id == id).collect();
            let label = of_rule.first().map_or(id, |f| f.label.as_str());
            let _ = write!(
                body,
                "<li data-flag=\"{}\"><strong>{}</strong>",
                esc(id),
                esc(label)
            );
            if let Some(rule) = rules.get(id) {
                let _ = write!(body, "<br>{}", esc(&rule.explanation));
            }
            for f in of_rule {
                if let Some(detail) = &f.detail {
                    let _ = write!(body, "<br><em>{}</em>", esc(detail));
                }
                if !f.evidence.is_empty() {
                    let _ = write!(
                        body,
                        "<blockquote>“{}” <span class=\"muted\">({})</span></blockquote>",
                        esc(&f.evidence),
                        f.field.name()
                    );
                }
            }
            body.push_str("</li>\n");
        }
        body.push_str("</ul>\n");
    }
    let movers = score_movers(&explained.reasons);
    if !movers.is_empty() {
        body.push_str("<h3>What moved the score most</h3>\n<ul>\n");
        for (what, labels) in movers {
            let mut what = what.to_string();
            if let Some(first) = what.get(..1) {
                what = first.to_uppercase() + &what[1..];
            }
            let _ = writeln!(
                body,
                "<li><strong>{}:</strong> {}</li>",
                esc(&what),
                esc(&labels.join("; "))
            );
        }
        body.push_str("</ul>\n");
    }
    if let Some(pay) = &explained.pay {
        let _ = writeln!(body, "<p>{}</p>", esc(pay));
    }
    body.push_str("</section>\n");
}

fn contacts(body: &mut String, entities: &[FoundEntity]) {
    body.push_str(
        "<section aria-labelledby=\"contacts-h\"><h2 id=\"contacts-h\">Contacts and links found</h2>\n",
    );
    // One line per contact, however many times and ways the ad writes it.
    let mut contacts: Vec<(&FoundEntity, Vec<&str>)> = Vec::new();
    for e in entities {
        match contacts
            .iter_mut()
            .find(|(c, _)| c.entity.kind == e.entity.kind && c.entity.value == e.entity.value)
        {
            Some((_, written)) if !written.contains(&e.raw.as_str()) => written.push(&e.raw),
            Some(_) => {}
            None => contacts.push((e, vec![e.raw.as_str()])),
        }
    }
    if contacts.is_empty() {
        body.push_str("<p>None found.</p>\n");
    } else {
        body.push_str("<ul>\n");
        for (e, written) in contacts {
            let written: Vec<String> = written.iter().map(|w| format!("“{}”", esc(w))).collect();
            let _ = writeln!(
                body,
                "<li>{}: <strong>{}</strong> <span class=\"muted\">(as written: {})</span></li>",
                esc(e.entity.kind.label()),
                esc(&e.entity.value),
                written.join(", ")
            );
        }
        body.push_str("</ul>\n");
    }
    body.push_str("</section>\n");
}

fn sightings(body: &mut String, stored: &StoredAd) {
    let _ = write!(
        body,
        "<section aria-labelledby=\"seen-h\"><h2 id=\"seen-h\">Where it was seen</h2>\n\
         <p class=\"muted\">First seen {}, last seen {}.</p>\n",
        when(stored.first_seen),
        when(stored.last_seen)
    );
    if stored.sightings.is_empty() {
        body.push_str("<p>No web address was recorded.</p>\n");
    } else {
        body.push_str("<ul class=\"sightings\">\n");
        for s in &stored.sightings {
            let address = if s.url.starts_with("https://") || s.url.starts_with("http://") {
                format!(
                    "<a href=\"{0}\" rel=\"noreferrer noopener nofollow\">{0}</a>",
                    esc(&s.url)
                )
            } else {
                esc(&s.url)
            };
            let site = s
                .source
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(|s| format!("on {}, ", esc(s)))
                .unwrap_or_default();
            let _ = writeln!(
                body,
                "<li>{address}<br><span class=\"muted\">{site}first seen {}, last seen {}</span></li>",
                when(s.first_seen),
                when(s.last_seen)
            );
        }
        body.push_str("</ul>\n");
    }
    body.push_str("</section>\n");
}

fn decision_form(body: &mut String, viewer: Viewer<'_>, id: &str) {
    let _ = write!(
        body,
        "<section aria-labelledby=\"decide-h\"><h2 id=\"decide-h\">Your decision</h2>\n\
         <form method=\"post\" action=\"{}/decision\" class=\"box\">{}\n\
         <label for=\"note\">Note (optional): what you checked, what you found</label>\n\
         <textarea id=\"note\" name=\"note\" rows=\"3\" maxlength=\"{MAX_NOTE}\"></textarea>\n\
         <p><button type=\"submit\" name=\"decision\" value=\"confirmed\" class=\"confirm\">\
         Confirm: this is a lure</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"dismissed\" class=\"dismiss\">\
         Dismiss: not a lure</button></p>\n\
         <p class=\"muted\">Your decision is kept with your note and the time. You can change \
         it later by deciding again; the latest decision counts.</p>\n</form></section>\n",
        esc(&ad_href(id)),
        csrf_field(viewer.csrf)
    );
}

fn history(body: &mut String, reviews: &[Review]) {
    body.push_str(
        "<section aria-labelledby=\"history-h\"><h2 id=\"history-h\">Your earlier decisions</h2>\n",
    );
    if reviews.is_empty() {
        body.push_str("<p>You have not decided on this ad yet.</p>\n");
    } else {
        body.push_str("<ul class=\"reviews\">\n");
        for r in reviews {
            let _ = write!(
                body,
                "<li data-decision=\"{}\">{}: you {} it",
                r.decision.name(),
                when(r.reviewed_at),
                r.decision.name()
            );
            if let Some(note) = r.note.as_deref().filter(|n| !n.is_empty()) {
                let _ = write!(body, ". Note: “{}”", esc(note));
            }
            body.push_str("</li>\n");
        }
        body.push_str("</ul>\n");
    }
    body.push_str("</section>\n");
}
