//! The review pages rendered from a real store in a temporary directory.

use serde_json::json;

use super::ad_page::{AdView, ad_page};
use super::html::{REMINDER, Viewer};
use super::list::{Filters, PAGE_SIZE, Row, list_page};
use crate::ad::Ad;
use crate::classify::Classifier;
use crate::features::rules::RuleSet;
use crate::store::partner::Decision;
use crate::store::{AdStore, AdWrite, PartnerStore, ReviewStore, Scope, SqliteStore};

const VIEWER: Viewer<'static> = Viewer {
    partner: "ngo",
    csrf: "c5rf",
};

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
    (dir, store)
}

fn scored(ad: Ad, at: i64) -> AdWrite {
    let scored = Classifier::embedded_rules().unwrap().classify(ad);
    assert!(scored.flagged, "test ads must be flagged");
    AdWrite::scored(&scored, at)
}

fn lure(id: &str) -> Ad {
    Ad {
        id: id.into(),
        title: Some(format!("Customer service <{id}>")),
        language: Some("en".into()),
        text: "Customer service in Sihanoukville, Cambodia. No experience, salary $2500/month, \
               free flight and visa. Passport kept by the company. Telegram @hr_fast_job \
               <script>alert(1)</script>"
            .into(),
        contact: Some("Telegram @hr_fast_job".into()),
        url: Some(format!("https://jobs.example/{id}?a=1&b=2")),
        source: Some("jobs.example".into()),
        ..Ad::default()
    }
}

#[test]
fn the_ad_page_marks_evidence_explains_and_offers_a_decision() {
    let (_dir, store) = store();
    store.write_ads(&[scored(lure("ad-1"), 1_000)]).unwrap();
    let partner = store
        .add_partner("ngo", &Scope::default(), "h", "x", 0)
        .unwrap();
    store
        .add_review(
            "ad-1",
            partner.id,
            Decision::Dismissed,
            Some("<b>odd</b>"),
            2_000,
        )
        .unwrap();
    let stored = store.ad("ad-1", &Scope::default()).unwrap().unwrap();
    let reviews = store.reviews_of("ad-1", partner.id).unwrap();
    let rules = RuleSet::embedded().unwrap();
    let html = ad_page(
        VIEWER,
        AdView {
            stored: &stored,
            reviews: &reviews,
            rules: &rules,
            notice: Some("Saved: you dismissed this ad."),
        },
    );
    assert!(html.contains(REMINDER));
    assert!(
        html.contains("<mark class=\"evidence\" data-flag=\""),
        "{html}"
    );
    let flags = stored.scores[0].result["flags"].as_array().unwrap();
    let in_text = flags
        .iter()
        .find(|f| f["field"] == "text" && f["evidence"].as_str().is_some_and(|e| !e.is_empty()))
        .unwrap();
    let evidence = in_text["evidence"].as_str().unwrap();
    assert!(html.contains(&format!(">{evidence}</mark>")) || html.contains(evidence));
    let id = in_text["id"].as_str().unwrap();
    let explanation = &rules.get(id).unwrap().explanation;
    assert!(
        html.contains(&super::html::esc(explanation)),
        "rule explanation shown"
    );
    assert!(!html.contains("<script>"), "the ad's markup is escaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(
        html.matches("<strong>@hr_fast_job</strong>").count(),
        1,
        "a contact is listed once, however often it is written"
    );
    assert!(
        html.contains("https://jobs.example/ad-1?a=1&amp;b=2"),
        "sighting listed"
    );
    assert!(html.contains("What moved the score most"));
    assert!(html.contains("you dismissed it. Note: “&lt;b&gt;odd&lt;/b&gt;”"));
    assert!(html.contains("action=\"/review/ads/ad-1/decision\""));
    assert!(html.contains("name=\"decision\" value=\"confirmed\""));
    assert!(html.contains("name=\"decision\" value=\"dismissed\""));
    assert!(html.contains("name=\"csrf\" value=\"c5rf\""));
    assert!(html.contains("<label for=\"note\">"));
    assert!(html.contains("Saved: you dismissed this ad."));
    assert!(html.contains("Customer service &lt;ad-1&gt;"));
}

#[test]
fn a_stored_score_with_broken_parts_still_renders() {
    let (_dir, store) = store();
    let thai = Ad {
        id: "th-1".into(),
        language: Some("th".into()),
        text: "รับสมัครงานแอดมิน ทำงานที่สีหนุวิลล์ กัมพูชา เงินเดือน 40,000 บาท บินฟรี \
               ไม่ต้องมีประสบการณ์ ติดต่อไลน์ @jobfast 😀"
            .into(),
        ..Ad::default()
    };
    store.write_ads(&[scored(thai, 1_000)]).unwrap();
    let mut stored = store.ad("th-1", &Scope::default()).unwrap().unwrap();
    let text_len = stored.ad.text.len();
    stored.scores[0].result["flags"]
        .as_array_mut()
        .unwrap()
        .extend([
            json!({"id": "x", "label": "past the end", "polarity": "risk", "field": "text",
                   "evidence": "?", "start": text_len - 2, "end": text_len + 10}),
            json!({"id": "y", "label": "inside a character", "polarity": "risk", "field": "text",
                   "evidence": "?", "start": 1, "end": 5}),
            json!({"id": "z", "label": "not a flag"}),
            json!("nonsense"),
        ]);
    stored.scores[0].result["entities"] = json!(7);
    stored.scores[0].result["pay"] = json!({"ratio": "lots"});
    let rules = RuleSet::embedded().unwrap();
    let html = ad_page(
        VIEWER,
        AdView {
            stored: &stored,
            reviews: &[],
            rules: &rules,
            notice: None,
        },
    );
    assert!(
        html.contains("<mark class=\"evidence\""),
        "good spans still marked"
    );
    for bad in ["x", "y"] {
        assert!(!html.contains(&format!("<mark class=\"evidence\" data-flag=\"{bad}\"")));
        assert!(
            html.contains(&format!("<li data-flag=\"{bad}\">")),
            "still listed"
        );
    }
    assert!(html.contains("lang=\"th\""));
    assert!(html.contains("😀"));
    assert!(html.contains("You have not decided on this ad yet."));
    assert!(html.contains("(no title)"));
}

#[test]
fn the_list_shows_scores_flags_decisions_and_an_older_link() {
    let (_dir, store) = store();
    let writes: Vec<AdWrite> = (0..PAGE_SIZE + 2)
        .map(|i| scored(lure(&format!("ad-{i:02}")), 1_000 + i as i64))
        .collect();
    store.write_ads(&writes).unwrap();
    let partner = store
        .add_partner("ngo", &Scope::default(), "h", "x", 0)
        .unwrap();
    let newest = format!("ad-{:02}", PAGE_SIZE + 1);
    store
        .add_review(&newest, partner.id, Decision::Confirmed, None, 5_000)
        .unwrap();
    let filters = Filters::from_query("min_score=10&language=en");
    let (query, problems) = filters.query(&Scope::default());
    let rows: Vec<Row> = store
        .flagged(&query)
        .unwrap()
        .into_iter()
        .map(|ad| {
            let decision = store
                .reviews_of(&ad.ad.id, partner.id)
                .unwrap()
                .first()
                .map(|r| (r.decision, r.reviewed_at));
            Row { ad, decision }
        })
        .collect();
    assert_eq!(rows.len(), PAGE_SIZE + 1);
    let rules = RuleSet::embedded().unwrap();
    let html = list_page(VIEWER, &filters, &problems, &rows, &rules);
    assert!(html.contains(REMINDER));
    assert_eq!(html.matches("<li>").count(), PAGE_SIZE);
    let first = html.find(&newest).unwrap();
    assert!(
        first < html.find("ad-01").unwrap_or(usize::MAX),
        "newest first"
    );
    assert!(html.contains("You confirmed it"));
    assert!(html.contains("% · High risk") || html.contains("% · Medium risk"));
    assert!(!html.contains("100% ·"), "never shown as certain");
    let hub = rules.get("hub_place").map(|r| r.label.clone()).unwrap();
    assert!(html.contains(&super::html::esc(&hub)), "flag labels shown");
    assert!(
        html.contains("Seen on jobs.example, first"),
        "the host is not repeated"
    );
    let older = format!(
        "href=\"/review?min_score=10&amp;language=en&amp;before={}\"",
        rows[PAGE_SIZE - 1].ad.seq
    );
    assert!(html.contains(&older), "{html}");
    assert!(html.contains("value=\"10\""), "the form keeps the filters");
    let bad = Filters::from_query("country=Cambodia");
    let (_, problems) = bad.query(&Scope::default());
    let html = list_page(VIEWER, &bad, &problems, &[], &rules);
    assert!(html.contains("No flagged ads match."));
    assert!(html.contains("not a two-letter country code"));
}
