//! A review server in-process on 127.0.0.1 with a store in a temporary directory holding one
//! flagged lure the partner may see, one flagged lure outside the partner's scope, and a partner
//! token. Shared by `tests/review.rs` and `tests/browser.rs`.
#![allow(dead_code)] // each test crate uses a different part of the fixture

use std::path::PathBuf;
use std::sync::Arc;

use lurewatch::ad::Ad;
use lurewatch::classify::{Classifier, ScoredAd};
use lurewatch::features::rules::Polarity;
use lurewatch::serve::{AppState, ServeConfig, router};
use lurewatch::store::partner::{hash_token, new_token, token_hint};
use lurewatch::store::{AdStore, AdWrite, PartnerStore, Scope, SqliteStore, Store, now_millis};

/// The running server and what it was given.
pub struct Fixture {
    /// Keeps the database directory alive.
    pub _dir: tempfile::TempDir,
    /// The database file.
    pub db: PathBuf,
    /// The store the server uses.
    pub store: Arc<SqliteStore>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The partner's token and id.
    pub token: String,
    pub partner_id: i64,
    /// The lure the partner may review, as scored.
    pub lure: ScoredAd,
    /// A flagged ad outside the partner's scope (Thai; the partner reviews English).
    pub other_id: String,
}

impl Fixture {
    /// The lure's risk flags with evidence in its text, as (flag id, evidence).
    pub fn text_evidence(&self) -> Vec<(String, String)> {
        self.lure
            .flags
            .iter()
            .filter(|f| f.polarity == Polarity::Risk && !f.evidence.is_empty())
            .map(|f| (f.id.clone(), f.evidence.clone()))
            .collect()
    }
}

/// Starts the server.
pub async fn start() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lurewatch.db");
    let store = Arc::new(SqliteStore::open(&db).unwrap());
    let classifier = Arc::new(Classifier::embedded().unwrap());
    let lure = classifier.classify(Ad {
        id: "lure-1".into(),
        title: Some("Customer Service (Overseas) – start next week".into()),
        text: "Customer service in Sihanoukville, $1500/month, no experience needed. Free flight \
               and visa. Send a photo of your passport to Telegram @kh_hr_desk"
            .into(),
        contact: Some("Telegram @kh_hr_desk".into()),
        url: Some("https://jobs.example/ads/1".into()),
        source: Some("jobs.example".into()),
        language: Some("en".into()),
        ..Ad::default()
    });
    assert!(
        lure.flagged,
        "the fixture lure must be flagged: {}",
        lure.score
    );
    let other = classifier.classify(Ad {
        id: "other-th".into(),
        text: "รับสมัครพนักงานแอดมิน ทำงานที่สีหนุวิลล์ กัมพูชา เงินเดือน 50,000 บาท \
               ไม่ต้องมีประสบการณ์ บินฟรี ทำวีซ่าให้ ส่งรูปพาสปอร์ตทางเทเลแกรม @th_hr_fast"
            .into(),
        language: Some("th".into()),
        ..Ad::default()
    });
    let now = now_millis();
    let mut writes = vec![AdWrite::scored(&lure, now)];
    let other_id = other.ad.id.clone();
    let mut other_write = AdWrite::scored(&other, now);
    if let Some(score) = other_write.score.as_mut() {
        // Out-of-scope ads must be hidden whatever the model makes of this one.
        score.flagged = true;
    }
    writes.push(other_write);
    store.write_ads(&writes).unwrap();
    let token = new_token();
    let scope = Scope {
        languages: vec!["en".into()],
        countries: vec![],
    };
    let partner = store
        .add_partner("ngo", &scope, &hash_token(&token), &token_hint(&token), now)
        .unwrap();
    let state = AppState::new(
        store.clone() as Arc<dyn Store>,
        classifier,
        ServeConfig::default(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
        let _ = axum::serve(listener, app).await;
    });
    Fixture {
        _dir: dir,
        db,
        store,
        base,
        token,
        partner_id: partner.id,
        lure,
        other_id,
    }
}
