//! Webhooks: a receiver on 127.0.0.1 checks every signature with the published helper, fails the
//! first two attempts, and gets the third.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use lurewatch::serve::ServeConfig;
use lurewatch::serve::webhook::{
    DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookConfig, verify_signature,
};
use serde_json::{Value, json};

use crate::support::{Server, get, post as post_json};

/// What the receiver saw.
#[derive(Default)]
struct Received {
    secret: Option<String>,
    attempts: Vec<(Result<(), String>, String, Value)>,
}

async fn receive(
    State(received): State<Arc<Mutex<Received>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let mut received = received.lock().unwrap();
    let secret = received.secret.clone().unwrap_or_default();
    let verified = verify_signature(
        &secret,
        &header(TIMESTAMP_HEADER),
        &body,
        &header(SIGNATURE_HEADER),
        chrono::Utc::now().timestamp(),
        Duration::from_secs(300),
    )
    .map_err(|e| e.to_string());
    let payload: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    received
        .attempts
        .push((verified, header(DELIVERY_HEADER), payload));
    if received.attempts.len() <= 2 {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_signed_retried_after_failures_and_logged() {
    let received = Arc::new(Mutex::new(Received::default()));
    let receiver = axum::Router::new()
        .route("/hook", post(receive))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let server = Server::start(ServeConfig {
        allow_private: true,
        webhooks: WebhookConfig {
            poll_interval: Duration::from_millis(30),
            first_retry: Duration::from_millis(50),
            max_retry: Duration::from_millis(200),
            max_attempts: 5,
            timeout: Duration::from_secs(5),
        },
        ..ServeConfig::default()
    })
    .await;
    let token = server.partner("hotline", &["th"], &[]);
    let (status, hook) =
        post_json(&server, "/v1/webhooks", &token, &json!({"url": hook_url})).await;
    assert_eq!(status, 201, "{hook}");
    received.lock().unwrap().secret = hook["secret"].as_str().map(str::to_string);

    server.lures("en", 1, "en");
    let thai = server.lures("th", 1, "th");

    let mut delivered = Value::Null;
    for _ in 0..200 {
        let (_, body) = get(&server, "/v1/deliveries", Some(&token)).await;
        if body["deliveries"][0]["state"] == "delivered" {
            delivered = body;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let deliveries = delivered["deliveries"]
        .as_array()
        .expect("delivered in time");
    assert_eq!(deliveries.len(), 1, "only the ad in the partner's scope");
    assert_eq!(deliveries[0]["ad_id"], thai[0].as_str());
    assert_eq!(
        deliveries[0]["attempts"], 3,
        "two failures, then the delivery"
    );
    assert_eq!(deliveries[0]["last_error"], Value::Null);

    {
        let received = received.lock().unwrap();
        assert_eq!(received.attempts.len(), 3);
        let delivery_id = deliveries[0]["id"].to_string();
        for (verified, id, payload) in &received.attempts {
            assert_eq!(verified, &Ok(()), "every attempt is signed");
            assert_eq!(id, &delivery_id, "retries keep the delivery id");
            assert_eq!(payload["event"], "ad.flagged");
            assert_eq!(payload["ad"]["id"], thai[0].as_str());
            assert!(
                payload["ad"]["flags"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("passport_handover"))
            );
        }
        let tampered = verify_signature(
            received.secret.as_deref().unwrap(),
            &chrono::Utc::now().timestamp().to_string(),
            b"{}",
            "sha256=00",
            chrono::Utc::now().timestamp(),
            Duration::from_secs(300),
        );
        assert!(tampered.is_err());
    }

    let metrics = crate::support::client()
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("lurewatch_webhook_deliveries_total{outcome=\"delivered\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("lurewatch_webhook_deliveries_total{outcome=\"retry\"} 2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_and_checks_never_reach_private_networks() {
    let server = Server::default().await;
    let token = server.partner("ngo", &[], &[]);
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://10.0.0.7/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:9/hook",
        "http://[::ffff:192.168.0.1]/",
    ] {
        let (status, body) = post_json(&server, "/v1/webhooks", &token, &json!({"url": url})).await;
        assert_eq!(status, 400, "{url}");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("private or local network"),
            "{body}"
        );
        let (status, body) = post_json(&server, "/v1/check", &token, &json!({"url": url})).await;
        assert_eq!(status, 400, "{url}");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("private or local network"),
            "{body}"
        );
    }
    let (status, body) = post_json(
        &server,
        "/v1/webhooks",
        &token,
        &json!({"url": "ftp://files.example/x"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("http and https"));

    let allowing = Server::start(ServeConfig {
        allow_private: true,
        ..ServeConfig::default()
    })
    .await;
    let token = allowing.partner("ngo", &[], &[]);
    let (status, body) = post_json(
        &allowing,
        "/v1/check",
        &token,
        &json!({"url": "http://127.0.0.1:9/ad"}),
    )
    .await;
    assert_eq!(status, 502, "nothing listens there: {body}");
    assert!(body["error"].as_str().unwrap().contains("could not fetch"));

    // A real page with a JSON-LD job posting, checked by its URL.
    let page = format!(
        r#"<html><head><script type="application/ld+json">{}</script></head><body></body></html>"#,
        json!({"@type": "JobPosting", "title": "Customer service (Cambodia)",
               "description": "Customer service in Sihanoukville, $2000/month, no experience. \
                   Free flight and visa. The company keeps your passport. Telegram @kh_hr_desk"})
    );
    let app = axum::Router::new().route(
        "/ad/7",
        axum::routing::get(move || {
            let page = page.clone();
            async move { axum::response::Html(page) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let site = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let (status, body) = post_json(
        &allowing,
        "/v1/check",
        &token,
        &json!({"url": format!("{site}/ad/7")}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["flagged"], true, "{body}");
    assert!(body["text"].as_str().unwrap().contains("Sihanoukville"));
    let (status, _) = post_json(
        &allowing,
        "/v1/check",
        &token,
        &json!({"url": format!("{site}/nothing-here")}),
    )
    .await;
    assert_eq!(status, 502, "a 404 is reported as a failed fetch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_hangs_does_not_hold_up_other_partners() {
    let slow = axum::Router::new().route(
        "/hook",
        post(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            StatusCode::NO_CONTENT
        }),
    );
    let fast = axum::Router::new().route("/hook", post(|| async { StatusCode::NO_CONTENT }));
    let mut hooks = Vec::new();
    for app in [slow, fast] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        hooks.push(format!("http://{}/hook", listener.local_addr().unwrap()));
        tokio::spawn(async move { axum::serve(listener, app).await });
    }
    let server = Server::start(ServeConfig {
        allow_private: true,
        webhooks: WebhookConfig {
            poll_interval: Duration::from_millis(30),
            first_retry: Duration::from_millis(50),
            max_retry: Duration::from_millis(200),
            max_attempts: 2,
            timeout: Duration::from_secs(20),
        },
        ..ServeConfig::default()
    })
    .await;
    let slow_token = server.partner("slow", &[], &[]);
    let fast_token = server.partner("fast", &[], &[]);
    for (token, url) in [(&slow_token, &hooks[0]), (&fast_token, &hooks[1])] {
        let (status, _) = post_json(&server, "/v1/webhooks", token, &json!({"url": url})).await;
        assert_eq!(status, 201);
    }
    server.lures("first", 1, "en");
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The slow receiver is now holding its first delivery; a later ad still reaches the other.
    server.lures("second", 1, "en");
    let started = std::time::Instant::now();
    loop {
        let (_, body) = get(&server, "/v1/deliveries", Some(&fast_token)).await;
        let delivered = body["deliveries"]
            .as_array()
            .map(|d| d.iter().filter(|d| d["state"] == "delivered").count())
            .unwrap_or(0);
        if delivered == 2 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the other partner's deliveries waited for the hanging receiver: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
