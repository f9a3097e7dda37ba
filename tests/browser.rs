//! The review page in a real browser: headless Chromium, driven through ChromeDriver's W3C
//! WebDriver HTTP protocol, logs in with a partner token, opens a flagged ad, finds its evidence
//! marked and confirms it; the store must then hold the confirmation.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without
//! `/usr/bin/chromedriver` the test is skipped, unless `LUREWATCH_REQUIRE_BROWSER=1`, when it
//! fails.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lurewatch::store::ReviewStore;
use lurewatch::store::partner::Decision;
use serde_json::{Value, json};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// The key W3C WebDriver gives element references under.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// ChromeDriver and its browser session; both are ended when dropped, even when the test fails.
struct Browser {
    driver: Child,
    port: u16,
    http: reqwest::Client,
    session: Option<String>,
    profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            // Blocking by hand: no async runtime can be relied on while dropping.
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let _ = write!(
                    stream,
                    "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\
                     Content-Length: 0\r\nConnection: close\r\n\r\n",
                    self.port
                );
                let _ = stream.read_to_end(&mut Vec::new());
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    /// Starts ChromeDriver on a free port and opens a headless Chromium session.
    async fn start() -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser {
            driver,
            port,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap(),
            session: None,
            profile,
        };
        let started = Instant::now();
        loop {
            let ready = browser
                .http
                .get(format!("http://127.0.0.1:{port}/status"))
                .send()
                .await;
            if let Ok(response) = ready {
                let status: Value = response.json().await.unwrap_or_default();
                if status["value"]["ready"] == true {
                    break;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let user_data_dir = format!("--user-data-dir={}", browser.profile.path().display());
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", user_data_dir],
            },
        }}});
        let created = browser.call("POST", "/session", capabilities).await;
        let session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        browser.session = Some(session);
        browser
            .session_call(
                "POST",
                "/timeouts",
                json!({"implicit": 5000, "pageLoad": 15000}),
            )
            .await;
        // Phone width: the page must work there.
        browser
            .session_call("POST", "/window/rect", json!({"width": 400, "height": 900}))
            .await;
        browser
    }

    /// A WebDriver command; returns its `value`. A WebDriver error fails the test.
    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let request = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url).json(&body),
        };
        let response = request.send().await.expect("WebDriver request");
        let status = response.status();
        let reply: Value = response.json().await.expect("WebDriver reply");
        assert!(status.is_success(), "{method} {path}: {status} {reply}");
        reply["value"].clone()
    }

    async fn session_call(&self, method: &str, path: &str, body: Value) -> Value {
        let session = self.session.as_deref().unwrap_or_default();
        self.call(method, &format!("/session/{session}{path}"), body)
            .await
    }

    async fn go(&self, url: &str) {
        self.session_call("POST", "/url", json!({"url": url})).await;
    }

    async fn url(&self) -> String {
        let url = self.session_call("GET", "/url", Value::Null).await;
        url.as_str().unwrap_or_default().to_string()
    }

    /// Elements matching a CSS selector (waiting up to the implicit timeout for the first one).
    async fn find_all(&self, css: &str) -> Vec<String> {
        let found = self
            .session_call(
                "POST",
                "/elements",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        found
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e[ELEMENT].as_str().map(str::to_string))
            .collect()
    }

    async fn find(&self, css: &str) -> String {
        let found = self
            .session_call(
                "POST",
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string()
    }

    async fn text(&self, element: &str) -> String {
        let text = self
            .session_call("GET", &format!("/element/{element}/text"), Value::Null)
            .await;
        text.as_str().unwrap_or_default().to_string()
    }

    async fn attribute(&self, element: &str, name: &str) -> String {
        let value = self
            .session_call(
                "GET",
                &format!("/element/{element}/attribute/{name}"),
                Value::Null,
            )
            .await;
        value.as_str().unwrap_or_default().to_string()
    }

    async fn click(&self, element: &str) {
        self.session_call("POST", &format!("/element/{element}/click"), json!({}))
            .await;
    }

    async fn type_into(&self, element: &str, text: &str) {
        self.session_call(
            "POST",
            &format!("/element/{element}/value"),
            json!({"text": text}),
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_confirms_a_lure_in_a_real_browser() {
    if !std::path::Path::new(CHROMEDRIVER).exists() {
        if std::env::var("LUREWATCH_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!(
                "{CHROMEDRIVER} is missing and LUREWATCH_REQUIRE_BROWSER=1: install Debian's \
                 `chromium chromium-driver` (apt-get install -y chromium chromium-driver)"
            );
        }
        eprintln!("skipped: chromium-driver not installed ({CHROMEDRIVER} missing)");
        return;
    }
    let started = Instant::now();
    let fx = common::start().await;
    let browser = Browser::start().await;

    browser.go(&format!("{}/review", fx.base)).await;
    assert!(
        browser.url().await.ends_with("/review/login"),
        "sent to the login page"
    );
    let token_field = browser.find("#token").await;
    browser.type_into(&token_field, &fx.token).await;
    let log_in = browser
        .find("form[action='/review/login'] button[type=submit]")
        .await;
    browser.click(&log_in).await;

    let link = browser.find("ul.ads a[href='/review/ads/lure-1']").await;
    assert!(
        browser.url().await.ends_with("/review"),
        "logged in, on the list"
    );
    assert!(
        browser
            .text(&link)
            .await
            .contains("Customer Service (Overseas)")
    );
    let reminder = browser.find("p.reminder").await;
    assert!(
        browser
            .text(&reminder)
            .await
            .contains("never proof of trafficking")
    );
    browser.click(&link).await;

    let marks = browser.find_all("mark.evidence").await;
    assert!(!marks.is_empty(), "evidence is marked");
    let evidence = fx.text_evidence();
    let mut exact = false;
    for mark in &marks {
        let flag = browser.attribute(mark, "data-flag").await;
        let text = browser.text(mark).await;
        exact |= evidence.iter().any(|(id, e)| *id == flag && *e == text);
    }
    assert!(
        exact,
        "a mark holds exactly its flag's evidence: {evidence:?}"
    );

    let note = browser.find("#note").await;
    browser.type_into(&note, "Checked in a real browser").await;
    let confirm = browser.find("button[name=decision][value=confirmed]").await;
    browser.click(&confirm).await;
    let saved = browser.find("p.ok").await;
    assert!(
        browser
            .text(&saved)
            .await
            .contains("Saved: you confirmed this ad.")
    );

    let reviews = fx.store.reviews_of("lure-1", fx.partner_id).unwrap();
    assert_eq!(reviews.len(), 1, "one review recorded");
    assert_eq!(reviews[0].decision, Decision::Confirmed);
    assert_eq!(
        reviews[0].note.as_deref(),
        Some("Checked in a real browser")
    );
    drop(browser);
    eprintln!("browser test took {:.1} s", started.elapsed().as_secs_f64());
}
