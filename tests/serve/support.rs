//! A real server on 127.0.0.1 for each test, with its own database, and helpers to fill it.

use std::sync::{Arc, OnceLock};

use lurewatch::ad::Ad;
use lurewatch::classify::Classifier;
use lurewatch::serve::{AppState, ServeConfig};
use lurewatch::store::partner::{hash_token, new_token, token_hint};
use lurewatch::store::{AdWrite, Scope, SqliteStore, Store, now_millis};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// An obvious lure: the rule scorer flags it.
pub const LURE: &str = "Customer service in Sihanoukville, Cambodia. No experience, salary \
    $2500/month, free flight and visa. Passport is kept by the company. Contact Telegram @hr_fast_job";

/// The shared classifier (the rule scorer: fast to load, deterministic).
pub fn classifier() -> Arc<Classifier> {
    static CLASSIFIER: OnceLock<Arc<Classifier>> = OnceLock::new();
    CLASSIFIER
        .get_or_init(|| Arc::new(Classifier::embedded_rules().expect("shipped rules load")))
        .clone()
}

/// A running server.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Its state (the store is reachable through it).
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts a server with these settings on a fresh database.
    pub async fn start(config: ServeConfig) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path().join("t.db")).unwrap());
        let state = AppState::new(store, classifier(), config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(lurewatch::serve::serve(listener, state.clone(), async {
            let _ = stop.await;
        }));
        Server {
            base,
            state,
            shutdown: Some(shutdown),
            task: Some(task),
            _dir: dir,
        }
    }

    /// Starts a server with the default settings.
    pub async fn default() -> Server {
        Server::start(ServeConfig::default()).await
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.state.store.as_ref()
    }

    /// Stops the server the way Ctrl-C does and waits for it (audit entries are then written).
    pub async fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }

    /// Adds a partner and returns its token.
    pub fn partner(&self, name: &str, languages: &[&str], countries: &[&str]) -> String {
        let token = new_token();
        let scope = Scope {
            languages: languages.iter().map(|s| s.to_string()).collect(),
            countries: countries.iter().map(|s| s.to_string()).collect(),
        };
        self.store()
            .add_partner(
                name,
                &scope,
                &hash_token(&token),
                &token_hint(&token),
                now_millis(),
            )
            .unwrap();
        token
    }

    /// Scores and stores flagged ads `<prefix>0`, `<prefix>1`, … in one language.
    pub fn lures(&self, prefix: &str, count: usize, language: &str) -> Vec<String> {
        let ads: Vec<Ad> = (0..count)
            .map(|i| lure(&format!("{prefix}{i}"), LURE, language))
            .collect();
        self.store_ads(ads)
    }

    /// Scores and stores these ads; they must all be flagged. Returns their ids.
    pub fn store_ads(&self, ads: Vec<Ad>) -> Vec<String> {
        let classifier = classifier();
        let at = now_millis();
        let writes: Vec<AdWrite> = ads
            .into_iter()
            .map(|ad| {
                let scored = classifier.classify(ad);
                assert!(scored.flagged, "test ad {} must be flagged", scored.ad.id);
                AdWrite::scored(&scored, at)
            })
            .collect();
        self.store().write_ads(&writes).unwrap();
        writes.into_iter().map(|w| w.ad.id).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// An ad with this id, text and language, seen at its own URL.
pub fn lure(id: &str, text: &str, language: &str) -> Ad {
    Ad {
        id: id.into(),
        text: text.into(),
        language: Some(language.into()),
        url: Some(format!("https://board.example/{id}")),
        ..Ad::default()
    }
}

/// An HTTP client that never goes through a proxy.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// GET with a token; the status and the body as JSON (`Null` when it is not JSON).
pub async fn get(server: &Server, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = client().get(format!("{}{path}", server.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// POST JSON with a token; the status and the body as JSON.
pub async fn post(server: &Server, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let response = client()
        .post(format!("{}{path}", server.base))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The ids of the items of a `/v1/flagged` answer.
pub fn ids(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {body}"))
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

/// Scores and stores one flagged lure (for writers running beside a test's requests).
pub fn write_lure(store: &dyn Store, id: &str, language: &str) {
    let scored = classifier().classify(lure(id, LURE, language));
    assert!(scored.flagged);
    store
        .write_ads(&[AdWrite::scored(&scored, now_millis())])
        .unwrap();
}
