//! Rate limits, body limits, scoring by POST, metrics, the OpenAPI document and the audit log.

use lurewatch::serve::ServeConfig;
use lurewatch::serve::api::ENDPOINTS;
use lurewatch::serve::limit::RateLimit;
use serde_json::{Value, json};

use crate::support::{LURE, Server, client, get, post};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_token_is_rate_limited_with_retry_after() {
    let server = Server::start(ServeConfig {
        rate_limit: RateLimit::per_minute(3),
        ..ServeConfig::default()
    })
    .await;
    let busy = server.partner("busy", &[], &[]);
    let calm = server.partner("calm", &[], &[]);
    for _ in 0..3 {
        assert_eq!(get(&server, "/v1/flagged", Some(&busy)).await.0, 200);
    }
    let response = client()
        .get(format!("{}/v1/flagged", server.base))
        .bearer_auth(&busy)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    let body: Value = response.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("rate limit"));
    assert_eq!(
        get(&server, "/v1/flagged", Some(&calm)).await.0,
        200,
        "tokens are limited apart"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_tokens_is_throttled_per_address() {
    let server = Server::start(ServeConfig {
        auth_failure_limit: RateLimit::per_minute(5),
        ..ServeConfig::default()
    })
    .await;
    let token = server.partner("ngo", &[], &[]);
    for i in 0..5 {
        let guess = format!("lw_guess{i}");
        assert_eq!(get(&server, "/v1/flagged", Some(&guess)).await.0, 401);
    }
    let (status, body) = get(&server, "/v1/flagged", Some("lw_guess6")).await;
    assert_eq!(status, 429);
    assert!(body["error"].as_str().unwrap().contains("failed sign-ins"));
    assert_eq!(
        get(&server, "/v1/flagged", Some(&token)).await.0,
        200,
        "a valid token is never locked out by someone else's bad guesses"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused_with_413_and_small_ones_are_scored() {
    let server = Server::start(ServeConfig {
        max_body: 2048,
        ..ServeConfig::default()
    })
    .await;
    let token = server.partner("ngo", &[], &[]);
    let id = &server.lures("a", 1, "en")[0];
    let big = "x".repeat(4096);
    for (path, body) in [
        ("/v1/check".to_string(), json!({"text": big})),
        (
            format!("/v1/ads/{id}/review"),
            json!({"decision": "dismissed", "note": big}),
        ),
        (
            "/v1/webhooks".to_string(),
            json!({"url": format!("https://x.example/{big}")}),
        ),
    ] {
        let (status, answer) = post(&server, &path, &token, &body).await;
        assert_eq!(status, 413, "{path}");
        assert!(
            answer["error"]
                .as_str()
                .unwrap()
                .contains("larger than the limit of 2048 bytes")
        );
    }

    let (status, scored) = post(
        &server,
        "/v1/check",
        &token,
        &json!({"id": "c1", "text": LURE, "board": "x"}),
    )
    .await;
    assert_eq!(status, 200, "{scored}");
    assert_eq!(scored["id"], "c1");
    assert_eq!(
        scored["board"], "x",
        "other fields pass through, as in `score`"
    );
    assert_eq!(scored["flagged"], true);
    assert!(
        scored["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "passport_handover")
    );
    assert!(scored["note"].as_str().unwrap().contains("not proof"));
    for bad in [json!([1, 2]), json!({"title": ""})] {
        assert_eq!(
            post(&server, "/v1/check", &token, &bad).await.0,
            400,
            "{bad}"
        );
    }
    let response = client()
        .post(format!("{}/v1/check", server.base))
        .bearer_auth(&token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_openapi_and_the_audit_log_cover_every_request() {
    let mut server = Server::default().await;
    let token = server.partner("ngo", &[], &[]);
    let id = server.lures("m", 2, "en")[0].clone();
    get(&server, &format!("/v1/ads/{id}"), Some(&token)).await;
    get(&server, "/v1/ads/missing", Some(&token)).await;
    get(&server, "/v1/flagged", None).await;

    let (status, doc) = get(&server, "/v1/openapi.json", Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (method, path) in ENDPOINTS {
        let operation = &doc["paths"][*path][method.as_str().to_lowercase()];
        assert!(
            operation.is_object(),
            "{method} {path} missing from the OpenAPI document"
        );
    }

    let metrics = client()
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "lurewatch_http_requests_total{route=\"/v1/ads/{id}\",status=\"200\"} 1",
        "lurewatch_http_requests_total{route=\"/v1/ads/{id}\",status=\"404\"} 1",
        "lurewatch_http_requests_total{route=\"/v1/flagged\",status=\"401\"} 1",
        "lurewatch_http_request_duration_seconds_bucket{route=\"/v1/ads/{id}\",le=\"+Inf\"} 2",
        "# TYPE lurewatch_http_request_duration_seconds histogram",
        "lurewatch_webhook_deliveries_total{outcome=\"delivered\"} 0",
        "lurewatch_flagged_ads 2",
        "lurewatch_ads 2",
    ] {
        assert!(metrics.contains(line), "missing {line} in\n{metrics}");
    }
    assert!(!metrics.contains(&id), "raw paths never become labels");

    server.stop().await;
    let log = server.store().audit_log(100).unwrap();
    let find = |action: &str, outcome: u16| {
        log.iter()
            .find(|e| e.action == action && e.outcome == outcome)
            .unwrap_or_else(|| panic!("no audit entry {action} {outcome}: {log:?}"))
    };
    let shown = find("GET /v1/ads/{id}", 200);
    assert!(shown.partner_id.is_some());
    assert_eq!(
        shown.target.as_deref(),
        Some(format!("/v1/ads/{id}").as_str())
    );
    assert!(
        find("GET /v1/ads/{id}", 404)
            .detail
            .as_deref()
            .unwrap()
            .contains("no ad")
    );
    let refused = find("GET /v1/flagged", 401);
    assert_eq!(refused.partner_id, None);
    assert!(
        refused
            .detail
            .as_deref()
            .unwrap()
            .contains("client 127.0.0.1")
    );
    assert!(
        !log.iter().any(|e| e.action == "GET /metrics"),
        "scrapes are not audited"
    );
}
