//! Site profiles: CSS selectors that say where a job board keeps its ads, so a new board is a
//! configuration change, not code.
//!
//! A profile names, for listing pages, the links to ads and the link to the next page, and, for
//! ad pages, where the title, body, company, location, salary, contact and date are. Profiles are
//! written in TOML (unknown keys refused) and checked once into a [`SiteProfile`] whose selectors
//! all parse; [`SiteProfile::listing`] and [`SiteProfile::ad`] then apply them to a page.

use scraper::{ElementRef, Html, Selector};
use serde::Deserialize;
use serde_json::{Map, Value};
use url::Url;

use super::canonical::canonicalize;
use super::jsonld::html_to_text;
use crate::ad::Ad;

/// Name recorded in each ad's `extractor` field (followed by `:` and the profile's name).
pub const EXTRACTOR: &str = "profile";

/// A profile as written in TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// Name of the profile (the board).
    pub name: String,
    /// Hosts the profile applies to.
    pub hosts: Vec<String>,
    /// On listing pages: links to ads.
    pub ad_links: String,
    /// On listing pages: the link to the next page.
    #[serde(default)]
    pub next_page: Option<String>,
    /// On ad pages: the title.
    pub title: String,
    /// On ad pages: the body.
    pub body: String,
    /// On ad pages: the employer.
    #[serde(default)]
    pub company: Option<String>,
    /// On ad pages: the location.
    #[serde(default)]
    pub location: Option<String>,
    /// On ad pages: the pay.
    #[serde(default)]
    pub salary: Option<String>,
    /// On ad pages: how to apply.
    #[serde(default)]
    pub contact: Option<String>,
    /// On ad pages: the posting date (the `datetime` attribute if present, else the text).
    #[serde(default)]
    pub date: Option<String>,
}

/// Why a profile is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// The TOML does not have the expected shape.
    #[error("site profile: {0}")]
    Syntax(String),
    /// A selector does not parse.
    #[error("site profile `{profile}`, `{field}`: invalid CSS selector `{selector}`")]
    Selector {
        /// The profile's name.
        profile: String,
        /// The field holding the selector.
        field: &'static str,
        /// The selector.
        selector: String,
    },
    /// The profile lists no host.
    #[error("site profile `{0}` lists no hosts")]
    NoHosts(String),
}

/// A checked profile whose selectors all parse.
#[derive(Debug, Clone)]
pub struct SiteProfile {
    name: String,
    hosts: Vec<String>,
    ad_links: Selector,
    next_page: Option<Selector>,
    title: Selector,
    body: Selector,
    company: Option<Selector>,
    location: Option<Selector>,
    salary: Option<Selector>,
    contact: Option<Selector>,
    date: Option<Selector>,
}

/// What a listing page links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Canonical URLs of the ads, in page order, without repeats.
    pub ads: Vec<Url>,
    /// The next listing page, if any.
    pub next: Option<Url>,
}

impl SiteProfile {
    /// Parses and checks a profile written in TOML.
    pub fn from_toml_str(text: &str) -> Result<SiteProfile, ProfileError> {
        let config: ProfileConfig =
            toml::from_str(text).map_err(|e| ProfileError::Syntax(e.to_string()))?;
        SiteProfile::from_config(config)
    }

    /// Checks a parsed profile.
    pub fn from_config(config: ProfileConfig) -> Result<SiteProfile, ProfileError> {
        if config.hosts.is_empty() {
            return Err(ProfileError::NoHosts(config.name));
        }
        let name = config.name.clone();
        let parse = |field: &'static str, s: &str| {
            Selector::parse(s).map_err(|_| ProfileError::Selector {
                profile: name.clone(),
                field,
                selector: s.to_string(),
            })
        };
        let optional = |field: &'static str, s: &Option<String>| {
            s.as_deref().map(|s| parse(field, s)).transpose()
        };
        Ok(SiteProfile {
            ad_links: parse("ad_links", &config.ad_links)?,
            next_page: optional("next_page", &config.next_page)?,
            title: parse("title", &config.title)?,
            body: parse("body", &config.body)?,
            company: optional("company", &config.company)?,
            location: optional("location", &config.location)?,
            salary: optional("salary", &config.salary)?,
            contact: optional("contact", &config.contact)?,
            date: optional("date", &config.date)?,
            hosts: config
                .hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            name: config.name,
        })
    }

    /// The profile's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the profile applies to a URL's host.
    pub fn applies_to(&self, url: &Url) -> bool {
        url.host_str()
            .is_some_and(|h| self.hosts.iter().any(|p| h.eq_ignore_ascii_case(p)))
    }

    /// The ad links and next-page link of a listing page.
    pub fn listing(&self, html: &str, page: &Url) -> Listing {
        let document = Html::parse_document(html);
        let mut ads: Vec<Url> = Vec::new();
        for link in document.select(&self.ad_links) {
            if let Some(url) = href(link, page) {
                if !ads.contains(&url) {
                    ads.push(url);
                }
            }
        }
        let next = self
            .next_page
            .as_ref()
            .and_then(|s| document.select(s).next())
            .and_then(|link| href(link, page));
        Listing { ads, next }
    }

    /// The ad on an ad page, if it has a title or body.
    pub fn ad(&self, html: &str, page: &Url) -> Option<Ad> {
        let document = Html::parse_document(html);
        let first = |s: &Selector| -> Option<String> {
            let element = document.select(s).next()?;
            let text = html_to_text(&element.inner_html());
            (!text.is_empty()).then_some(text)
        };
        let optional = |s: &Option<Selector>| s.as_ref().and_then(first);
        let date = self.date.as_ref().and_then(|s| {
            let element = document.select(s).next()?;
            element
                .value()
                .attr("datetime")
                .map(str::to_string)
                .or_else(|| first(s))
        });
        let mut extra = Map::new();
        extra.insert(
            "extractor".into(),
            Value::String(format!("{EXTRACTOR}:{}", self.name)),
        );
        let mut ad = Ad {
            id: String::new(),
            title: first(&self.title),
            text: first(&self.body).unwrap_or_default(),
            company: optional(&self.company),
            location: optional(&self.location),
            salary: optional(&self.salary),
            contact: optional(&self.contact),
            url: canonicalize(page.as_str(), None)
                .ok()
                .map(|u| u.to_string()),
            source: page.host_str().map(str::to_string),
            posted_at: date,
            language: None,
            extra,
        };
        if ad.title.is_none() && ad.text.is_empty() {
            return None;
        }
        ad.id = ad.content_id();
        Some(ad)
    }
}

fn href(link: ElementRef, page: &Url) -> Option<Url> {
    canonicalize(link.value().attr("href")?, Some(page)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFILE: &str = r#"
name = "kerja-board"
hosts = ["jobs.example.org"]
ad_links = "ul.results a.job"
next_page = "a[rel=next]"
title = "h1.title"
body = "div.description"
company = ".company"
location = ".loc"
salary = ".pay"
contact = ".apply"
date = "time.posted"
"#;

    fn profile() -> SiteProfile {
        SiteProfile::from_toml_str(PROFILE).unwrap()
    }

    #[test]
    fn listing_pages_give_ad_links_and_the_next_page() {
        let page = Url::parse("https://jobs.example.org/search?p=1").unwrap();
        let html = r#"<ul class="results">
            <li><a class="job" href="/ad/1?utm_source=x">One</a></li>
            <li><a class="job" href="/ad/2">Two</a></li>
            <li><a class="job" href="/ad/1">One again</a></li>
            <li><a class="other" href="/about">About</a></li></ul>
            <a rel="next" href="/search?p=2">Next</a>"#;
        let listing = profile().listing(html, &page);
        let ads: Vec<&str> = listing.ads.iter().map(Url::as_str).collect();
        assert_eq!(
            ads,
            [
                "https://jobs.example.org/ad/1",
                "https://jobs.example.org/ad/2"
            ]
        );
        assert_eq!(
            listing.next.unwrap().as_str(),
            "https://jobs.example.org/search?p=2"
        );
    }

    #[test]
    fn ad_pages_give_the_ad_fields() {
        let page = Url::parse("https://jobs.example.org/ad/1#top").unwrap();
        let html = r#"<h1 class="title">Admin Online</h1>
            <div class="description"><p>Kerja di Kamboja.</p><p>Gaji besar &amp; mess.</p></div>
            <span class="company">PT Contoh</span><span class="pay">Rp 12 juta</span>
            <time class="posted" datetime="2026-09-14">14 Sep</time>"#;
        let ad = profile().ad(html, &page).unwrap();
        assert_eq!(ad.title.as_deref(), Some("Admin Online"));
        assert_eq!(ad.text, "Kerja di Kamboja.\nGaji besar & mess.");
        assert_eq!(ad.company.as_deref(), Some("PT Contoh"));
        assert_eq!(ad.salary.as_deref(), Some("Rp 12 juta"));
        assert_eq!(ad.location, None);
        assert_eq!(ad.posted_at.as_deref(), Some("2026-09-14"));
        assert_eq!(ad.url.as_deref(), Some("https://jobs.example.org/ad/1"));
        assert_eq!(ad.extra["extractor"], "profile:kerja-board");
        assert!(profile().ad("<p>nothing here</p>", &page).is_none());
    }

    #[test]
    fn bad_profiles_name_the_field_and_selector() {
        let bad = PROFILE.replace("h1.title", "h1..title");
        assert_eq!(
            SiteProfile::from_toml_str(&bad).unwrap_err().to_string(),
            "site profile `kerja-board`, `title`: invalid CSS selector `h1..title`"
        );
        let unknown = format!("{PROFILE}\nbogus = 1\n");
        assert!(
            SiteProfile::from_toml_str(&unknown)
                .unwrap_err()
                .to_string()
                .contains("bogus")
        );
        let no_hosts = PROFILE.replace("[\"jobs.example.org\"]", "[]");
        assert!(matches!(
            SiteProfile::from_toml_str(&no_hosts),
            Err(ProfileError::NoHosts(_))
        ));
    }

    #[test]
    fn profiles_apply_to_their_hosts_only() {
        let p = profile();
        assert!(p.applies_to(&Url::parse("https://JOBS.example.org/x").unwrap()));
        assert!(!p.applies_to(&Url::parse("https://other.example/x").unwrap()));
    }
}
