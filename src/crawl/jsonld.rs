//! Extraction of schema.org `JobPosting` records from the JSON-LD blocks of a page.
//!
//! Job boards describe their ads for search engines in `<script type="application/ld+json">`
//! blocks. [`job_postings`] reads every such block, follows `@graph` and arrays, keeps the objects
//! typed `JobPosting`, and maps them to [`Ad`]s: title, description (HTML turned into text),
//! hiring organisation, location (or "Remote"), base or estimated salary written so the salary
//! parser can read it, application contact, date posted, and the posting's URL. `validThrough`,
//! `employmentType` and the extractor's name are kept as extra fields. A block that is not valid
//! JSON is skipped (after trying to strip HTML comment and CDATA wrappers), never fatal.

use std::sync::LazyLock;

use scraper::{ElementRef, Html, Node, Selector};
use serde_json::{Map, Value};
use url::Url;

use crate::ad::Ad;

/// Name recorded in each ad's `extractor` field.
pub const EXTRACTOR: &str = "json-ld";

static LD_JSON: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("script[type]").expect("a valid selector"));

/// Every `JobPosting` in the page's JSON-LD blocks, as ads; `page` resolves relative URLs and
/// stands in for a posting without its own URL.
pub fn job_postings(html: &str, page: &Url) -> Vec<Ad> {
    let document = Html::parse_document(html);
    let mut out = Vec::new();
    for script in document.select(&LD_JSON) {
        let kind = script.value().attr("type").unwrap_or("");
        if !kind
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/ld+json")
        {
            continue;
        }
        let Some(value) = parse_lenient(&script.text().collect::<String>()) else {
            continue;
        };
        let mut postings = Vec::new();
        collect_postings(&value, &mut postings, 0);
        out.extend(postings.into_iter().filter_map(|p| to_ad(p, page)));
    }
    out
}

/// Parses JSON, retrying without `<!-- -->` or `<![CDATA[ ]]>` wrappers.
fn parse_lenient(text: &str) -> Option<Value> {
    let trimmed = text.trim();
    serde_json::from_str(trimmed).ok().or_else(|| {
        let stripped = trimmed
            .trim_start_matches("<!--")
            .trim_end_matches("-->")
            .trim()
            .trim_start_matches("<![CDATA[")
            .trim_end_matches("]]>")
            .trim();
        serde_json::from_str(stripped).ok()
    })
}

/// Deepest nesting followed: JSON-LD graphs are shallow; a hostile page may not be.
const MAX_DEPTH: usize = 8;

fn collect_postings<'a>(value: &'a Value, out: &mut Vec<&'a Map<String, Value>>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Array(items) => items
            .iter()
            .for_each(|v| collect_postings(v, out, depth + 1)),
        Value::Object(map) => {
            if is_job_posting(map) {
                out.push(map);
            }
            if let Some(graph) = map.get("@graph") {
                collect_postings(graph, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn is_job_posting(map: &Map<String, Value>) -> bool {
    let is = |t: &str| t.rsplit(['/', ':']).next() == Some("JobPosting");
    match map.get("@type") {
        Some(Value::String(t)) => is(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(is),
        _ => false,
    }
}

/// A string field, or the `name` of an object field.
fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) => text_of(o.get("name")),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(|v| text_of(Some(v))).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        _ => None,
    }
}

fn to_ad(posting: &Map<String, Value>, page: &Url) -> Option<Ad> {
    let title = text_of(posting.get("title")).or_else(|| text_of(posting.get("name")));
    let text = posting
        .get("description")
        .and_then(Value::as_str)
        .map(html_to_text)
        .unwrap_or_default();
    let url = text_of(posting.get("url"))
        .and_then(|u| super::canonical::canonicalize(&u, Some(page)).ok())
        .or_else(|| super::canonical::canonicalize(page.as_str(), None).ok())
        .map(|u| u.to_string());
    let mut extra = Map::new();
    extra.insert("extractor".into(), Value::String(EXTRACTOR.into()));
    for (from, to) in [
        ("validThrough", "valid_through"),
        ("employmentType", "employment_type"),
    ] {
        if let Some(v) = text_of(posting.get(from)) {
            extra.insert(to.into(), Value::String(v));
        }
    }
    let mut ad = Ad {
        id: String::new(),
        title,
        text,
        company: text_of(posting.get("hiringOrganization")),
        location: location(posting),
        salary: salary(
            posting
                .get("baseSalary")
                .or_else(|| posting.get("estimatedSalary")),
        ),
        contact: contact(posting.get("applicationContact")),
        url,
        source: page.host_str().map(str::to_string),
        posted_at: text_of(posting.get("datePosted")),
        language: text_of(posting.get("inLanguage")),
        extra,
    };
    if ad.text.trim().is_empty() && ad.title.is_none() {
        return None;
    }
    ad.id = ad.content_id();
    Some(ad)
}

fn location(posting: &Map<String, Value>) -> Option<String> {
    let remote = posting
        .get("jobLocationType")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("TELECOMMUTE"));
    let places: Vec<String> = match posting.get("jobLocation") {
        Some(Value::Array(items)) => items.iter().filter_map(place).collect(),
        Some(v) => place(v).into_iter().collect(),
        None => Vec::new(),
    };
    match (places.is_empty(), remote) {
        (false, _) => Some(places.join("; ")),
        (true, true) => Some("Remote".into()),
        (true, false) => None,
    }
}

fn place(value: &Value) -> Option<String> {
    let address = value.get("address").unwrap_or(value);
    if let Some(s) = address.as_str() {
        return Some(s.trim().to_string());
    }
    let parts: Vec<String> = [
        "streetAddress",
        "addressLocality",
        "addressRegion",
        "postalCode",
        "addressCountry",
    ]
    .iter()
    .filter_map(|k| text_of(address.get(k)))
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// `MonetaryAmount` as text the salary parser reads: `USD 1500-2000 per month`.
fn salary(value: Option<&Value>) -> Option<String> {
    let value = value?;
    if let Some(s) = value.as_str() {
        return Some(s.to_string());
    }
    let currency = text_of(value.get("currency")).unwrap_or_default();
    let amount = value.get("value").unwrap_or(value);
    let number = |k: &str| {
        amount
            .get(k)
            .and_then(|v| v.as_f64().or_else(|| v.as_str()?.parse().ok()))
    };
    let figure = match (number("minValue"), number("maxValue"), number("value")) {
        (Some(lo), Some(hi), _) => format!("{lo}-{hi}"),
        (_, _, Some(v)) => v.to_string(),
        (Some(v), None, None) | (None, Some(v), None) => v.to_string(),
        (None, None, None) => amount.as_f64()?.to_string(),
    };
    let period = text_of(amount.get("unitText"))
        .map(|u| format!(" per {}", u.to_lowercase()))
        .unwrap_or_default();
    Some(format!("{currency} {figure}{period}").trim().to_string())
}

fn contact(value: Option<&Value>) -> Option<String> {
    let value = value?;
    let parts: Vec<String> = ["name", "email", "telephone", "url"]
        .iter()
        .filter_map(|k| text_of(value.get(k)))
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Block elements whose end is a line break in text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "blockquote",
];

/// The text of an HTML fragment, with line breaks at block ends, entities decoded.
pub fn html_to_text(html: &str) -> String {
    let fragment = Html::parse_fragment(html);
    let mut out = String::new();
    walk(fragment.root_element(), &mut out);
    out.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Appends the text under `root`, a line break after each block element. An explicit stack,
/// not recursion: a hostile page can nest elements tens of thousands deep.
fn walk(root: ElementRef, out: &mut String) {
    let mut stack = vec![(root.children(), false)];
    while let Some((children, _)) = stack.last_mut() {
        let Some(child) = children.next() else {
            if let Some((_, true)) = stack.pop() {
                out.push('\n');
            }
            continue;
        };
        match child.value() {
            Node::Text(text) => out.push_str(text),
            Node::Element(e) if !matches!(e.name(), "script" | "style") => {
                stack.push((child.children(), BLOCKS.contains(&e.name())));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://jobs.example.com/list?page=2").unwrap()
    }

    const PAGE: &str = r#"<html><head>
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
  {"@type":"Organization","name":"Not a job"},
  {"@type":"JobPosting","title":"Customer Service (Overseas)",
   "description":"<p>Work in <b>Sihanoukville</b>, no experience.</p><ul><li>Free flight</li><li>Visa &amp; dorm</li></ul>",
   "hiringOrganization":{"@type":"Organization","name":"Golden Star Tech"},
   "jobLocation":{"@type":"Place","address":{"@type":"PostalAddress","addressLocality":"Sihanoukville","addressCountry":{"@type":"Country","name":"KH"}}},
   "baseSalary":{"@type":"MonetaryAmount","currency":"USD","value":{"@type":"QuantitativeValue","minValue":1500,"maxValue":2000,"unitText":"MONTH"}},
   "datePosted":"2026-10-01","validThrough":"2026-12-01","employmentType":"FULL_TIME",
   "applicationContact":{"@type":"ContactPoint","telephone":"+855 12 345 678"},
   "url":"/ad/77?utm_source=feed"}
]}</script>
<script type="application/ld+json; charset=utf-8">[{"@type":["JobPosting"],"title":"Remote chat agent","description":"Answer chats.","jobLocationType":"TELECOMMUTE"}]</script>
<script type="application/ld+json">{ not json at all </script>
<script type="application/ld+json"><!-- {"@type":"schema:JobPosting","name":"Cook","description":"Hotel kitchen"} --></script>
<script type="text/javascript">var x = {"@type":"JobPosting"};</script>
</head><body></body></html>"#;

    #[test]
    fn postings_in_graphs_arrays_and_wrapped_blocks_are_found() {
        let ads = job_postings(PAGE, &page());
        let titles: Vec<&str> = ads.iter().filter_map(|a| a.title.as_deref()).collect();
        assert_eq!(
            titles,
            ["Customer Service (Overseas)", "Remote chat agent", "Cook"]
        );
    }

    #[test]
    fn fields_are_mapped_to_the_ad_record() {
        let ad = &job_postings(PAGE, &page())[0];
        assert_eq!(
            ad.text,
            "Work in Sihanoukville, no experience.\nFree flight\nVisa & dorm"
        );
        assert_eq!(ad.company.as_deref(), Some("Golden Star Tech"));
        assert_eq!(ad.location.as_deref(), Some("Sihanoukville, KH"));
        assert_eq!(ad.salary.as_deref(), Some("USD 1500-2000 per month"));
        assert_eq!(ad.contact.as_deref(), Some("+855 12 345 678"));
        assert_eq!(ad.url.as_deref(), Some("https://jobs.example.com/ad/77"));
        assert_eq!(ad.posted_at.as_deref(), Some("2026-10-01"));
        assert_eq!(ad.source.as_deref(), Some("jobs.example.com"));
        assert_eq!(ad.extra["extractor"], "json-ld");
        assert_eq!(ad.extra["valid_through"], "2026-12-01");
        assert!(ad.id.starts_with("lw-"));
    }

    #[test]
    fn remote_postings_say_so_and_default_to_the_page_url() {
        let ad = &job_postings(PAGE, &page())[1];
        assert_eq!(ad.location.as_deref(), Some("Remote"));
        assert_eq!(
            ad.url.as_deref(),
            Some("https://jobs.example.com/list?page=2")
        );
    }

    #[test]
    fn the_salary_text_is_readable_by_the_salary_parser() {
        let ad = &job_postings(PAGE, &page())[0];
        let found = crate::features::salary::find_salaries(
            ad.salary.as_deref().unwrap(),
            crate::features::salary::MoneyTable::embedded(),
            None,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].usd_per_month_max, 2000.0);
    }

    #[test]
    fn deeply_nested_html_does_not_overflow_the_stack() {
        let html = format!("{}Free visa{}", "<b>".repeat(50_000), "</b>".repeat(50_000));
        assert_eq!(html_to_text(&html), "Free visa");
        let blocks = "<div><p>a</p><script>x()</script>b<ul><li>c</li></ul></div>d";
        assert_eq!(
            html_to_text(blocks),
            "a\nbc\nd",
            "as before: a break after each block"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_page_is_survived(html in "\\PC{0,200}") {
            let _ = job_postings(&format!("<script type=\"application/ld+json\">{html}</script>"), &page());
            let _ = html_to_text(&html);
        }
    }
}
