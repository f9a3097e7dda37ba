//! Public messaging-channel preview pages in the style of `t.me/s/<channel>`: one ad per
//! message, with the message's permalink and date, and the link to older messages.
//!
//! Recruiters for scam compounds post lures in public channels; the web preview of a channel
//! lists its latest messages. [`channel_page`] turns each message with text into an [`Ad`] (its
//! URL the message's permalink, `posted_at` its date, `source` the channel) and returns the
//! "load older messages" link so the crawler can page back through the channel.

use std::sync::LazyLock;

use scraper::{Html, Selector};
use serde_json::{Map, Value};
use url::Url;

use super::canonical::canonicalize;
use super::jsonld::html_to_text;
use crate::ad::Ad;

/// Name recorded in each ad's `extractor` field.
pub const EXTRACTOR: &str = "channel";

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("a valid built-in selector")
}

static MESSAGE: LazyLock<Selector> = LazyLock::new(|| selector(".tgme_widget_message[data-post]"));
static TEXT: LazyLock<Selector> = LazyLock::new(|| selector(".tgme_widget_message_text"));
static DATE: LazyLock<Selector> = LazyLock::new(|| selector(".tgme_widget_message_date"));
static TIME: LazyLock<Selector> = LazyLock::new(|| selector("time[datetime]"));
static OLDER: LazyLock<Selector> = LazyLock::new(|| selector("a.tme_messages_more[data-before]"));

/// The messages of one channel preview page and the link to older ones.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelPage {
    /// One ad per message with text, in page order.
    pub ads: Vec<Ad>,
    /// The page of older messages, if the page links one.
    pub older: Option<Url>,
}

/// Reads a channel preview page fetched from `page`.
pub fn channel_page(html: &str, page: &Url) -> ChannelPage {
    let document = Html::parse_document(html);
    let mut ads = Vec::new();
    for message in document.select(&MESSAGE) {
        let Some(post) = message.value().attr("data-post") else {
            continue;
        };
        let Some(text) = message
            .select(&TEXT)
            .next()
            .map(|t| html_to_text(&t.inner_html()))
            .filter(|t| !t.is_empty())
        else {
            continue;
        };
        let permalink = message
            .select(&DATE)
            .next()
            .and_then(|a| a.value().attr("href"))
            .and_then(|href| canonicalize(href, Some(page)).ok())
            .or_else(|| canonicalize(&format!("https://t.me/{post}"), None).ok());
        let posted_at = message
            .select(&TIME)
            .next()
            .and_then(|t| t.value().attr("datetime"))
            .map(str::to_string);
        let channel = post.split('/').next().unwrap_or(post);
        let mut extra = Map::new();
        extra.insert("extractor".into(), Value::String(EXTRACTOR.into()));
        extra.insert("channel_post".into(), Value::String(post.to_string()));
        let mut ad = Ad {
            id: String::new(),
            title: None,
            text,
            company: None,
            location: None,
            salary: None,
            contact: None,
            url: permalink.map(|u| u.to_string()),
            source: Some(format!("telegram:{channel}")),
            posted_at,
            language: None,
            extra,
        };
        ad.id = ad.content_id();
        ads.push(ad);
    }
    let older = document
        .select(&OLDER)
        .next()
        .and_then(|a| a.value().attr("href"))
        .and_then(|href| canonicalize(href, Some(page)).ok());
    ChannelPage { ads, older }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<html><body><section class="tgme_channel_history">
<a class="tme_messages_more" data-before="120" href="/s/kh_jobs_vip?before=120"></a>
<div class="tgme_widget_message" data-post="kh_jobs_vip/121">
  <div class="tgme_widget_message_text">🔥 Customer service in <b>Sihanoukville</b><br>$1500/month, free visa.<br>DM @kh_hr</div>
  <a class="tgme_widget_message_date" href="https://t.me/kh_jobs_vip/121"><time datetime="2026-10-02T08:15:00+00:00">08:15</time></a>
</div>
<div class="tgme_widget_message" data-post="kh_jobs_vip/122">
  <div class="tgme_widget_message_photo_wrap"></div>
</div>
<div class="tgme_widget_message" data-post="kh_jobs_vip/123">
  <div class="tgme_widget_message_text">Typing job, no experience, fly this week.</div>
</div>
</section></body></html>"#;

    #[test]
    fn each_message_with_text_becomes_an_ad_with_its_permalink_and_date() {
        let page = Url::parse("https://t.me/s/kh_jobs_vip").unwrap();
        let result = channel_page(PAGE, &page);
        assert_eq!(result.ads.len(), 2, "the photo-only message is skipped");
        let first = &result.ads[0];
        assert_eq!(
            first.text,
            "🔥 Customer service in Sihanoukville\n$1500/month, free visa.\nDM @kh_hr"
        );
        assert_eq!(first.url.as_deref(), Some("https://t.me/kh_jobs_vip/121"));
        assert_eq!(
            first.posted_at.as_deref(),
            Some("2026-10-02T08:15:00+00:00")
        );
        assert_eq!(first.source.as_deref(), Some("telegram:kh_jobs_vip"));
        assert_eq!(first.extra["channel_post"], "kh_jobs_vip/121");
        assert_eq!(
            result.ads[1].url.as_deref(),
            Some("https://t.me/kh_jobs_vip/123"),
            "a message without a date link gets its permalink from data-post"
        );
    }

    #[test]
    fn the_older_messages_link_is_followed() {
        let page = Url::parse("https://t.me/s/kh_jobs_vip").unwrap();
        let older = channel_page(PAGE, &page).older.unwrap();
        assert_eq!(older.as_str(), "https://t.me/s/kh_jobs_vip?before=120");
        assert_eq!(
            channel_page("<html></html>", &page),
            ChannelPage {
                ads: vec![],
                older: None
            }
        );
    }
}
