//! Who may see what: tokens, scopes, and each partner's own reviews and webhooks.

use lurewatch::serve::ServeConfig;
use lurewatch::store::now_millis;
use serde_json::json;

use crate::support::{Server, client, get, ids, post};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_a_valid_token_are_refused() {
    let server = Server::default().await;
    server.lures("a", 2, "en");
    let token = server.partner("ngo", &[], &[]);
    let revoked = server.partner("former", &[], &[]);
    server
        .store()
        .revoke_partner("former", now_millis())
        .unwrap();

    let (status, body) = get(&server, "/v1/flagged", None).await;
    assert_eq!(status, 401);
    assert_eq!(body["status"], 401);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("Authorization: Bearer")
    );
    let (status, body) = get(&server, "/v1/flagged", Some("lw_not_a_token")).await;
    assert_eq!(status, 401);
    assert!(body["error"].as_str().unwrap().contains("not valid"));
    let (status, body) = get(&server, "/v1/flagged", Some(&revoked)).await;
    assert_eq!(status, 401);
    assert!(body["error"].as_str().unwrap().contains("revoked"));
    let response = client()
        .get(format!("{}/v1/ads/a0", server.base))
        .header("Authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "only bearer tokens count");
    assert!(response.headers().contains_key("www-authenticate"));
    let response = client()
        .post(format!("{}/v1/check", server.base))
        .json(&json!({"text": "hello"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    let (status, body) = get(&server, "/v1/flagged", Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&body).len(), 2);
    assert_eq!(
        get(&server, "/healthz", None).await.0,
        200,
        "health needs no token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scoped_partner_never_sees_out_of_scope_ads() {
    let server = Server::default().await;
    let thai = server.lures("th", 3, "th");
    let english = server.lures("en", 4, "en");
    let token = server.partner("thai-hotline", &["th"], &[]);

    let (status, body) = get(&server, "/v1/flagged?limit=500", Some(&token)).await;
    assert_eq!(status, 200);
    let mut seen = ids(&body);
    seen.sort();
    assert_eq!(seen, thai);
    let (_, body) = get(&server, "/v1/flagged?language=en", Some(&token)).await;
    assert!(ids(&body).is_empty(), "a filter never widens the scope");

    let csv = client()
        .get(format!("{}/v1/flagged.csv", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|id| id.starts_with("th")), "{rows:?}");

    let atom = client()
        .get(format!("{}/v1/flagged.atom", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let feed: atom_syndication::Feed = atom.parse().unwrap();
    assert_eq!(feed.entries().len(), 3);
    assert!(
        feed.entries()
            .iter()
            .all(|e| e.id().starts_with("urn:lurewatch:ad:th"))
    );

    let (status, body) = get(&server, &format!("/v1/ads/{}", english[0]), Some(&token)).await;
    assert_eq!(status, 403);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("outside your organisation's scope")
    );
    assert_eq!(
        get(&server, "/v1/ads/no-such-ad", Some(&token)).await.0,
        404
    );
    assert_eq!(
        get(&server, &format!("/v1/ads/{}", thai[0]), Some(&token))
            .await
            .0,
        200
    );
    let review = json!({"decision": "confirmed"});
    let path = format!("/v1/ads/{}/review", english[0]);
    assert_eq!(post(&server, &path, &token, &review).await.0, 403);
    assert_eq!(
        post(&server, "/v1/ads/no-such-ad/review", &token, &review)
            .await
            .0,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_ad_shows_its_evidence_urls_and_only_the_callers_reviews_and_webhooks() {
    let server = Server::start(ServeConfig {
        allow_private: true,
        ..ServeConfig::default()
    })
    .await;
    let id = &server.lures("ad", 1, "en")[0];
    let alice = server.partner("alice", &[], &[]);
    let bob = server.partner("bob", &[], &[]);

    let path = format!("/v1/ads/{id}/review");
    let (status, review) = post(
        &server,
        &path,
        &alice,
        &json!({"decision": "confirmed", "note": "Same handle as a known lure"}),
    )
    .await;
    assert_eq!(status, 201, "{review}");
    assert_eq!(review["review_state"], "confirmed");
    let (status, body) = post(&server, &path, &alice, &json!({"decision": "maybe"})).await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("confirmed"));

    let (_, ad) = get(&server, &format!("/v1/ads/{id}"), Some(&alice)).await;
    assert_eq!(ad["review_state"], "confirmed");
    assert_eq!(ad["reviews"][0]["note"], "Same handle as a known lure");
    assert_eq!(ad["urls"][0], format!("https://board.example/{id}"));
    assert!(
        ad["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "passport_handover"
                && f["evidence"].as_str().unwrap().contains("Passport"))
    );
    assert!(
        ad["entities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["value"] == "@hr_fast_job")
    );
    assert_eq!(ad["history"].as_array().unwrap().len(), 1);
    assert!(ad["note"].as_str().unwrap().contains("not proof"));

    let (_, seen_by_bob) = get(&server, &format!("/v1/ads/{id}"), Some(&bob)).await;
    assert_eq!(seen_by_bob["review_state"], "unreviewed");
    assert!(seen_by_bob["reviews"].as_array().unwrap().is_empty());

    let (status, hook) = post(
        &server,
        "/v1/webhooks",
        &alice,
        &json!({"url": "http://127.0.0.1:9/lurewatch"}),
    )
    .await;
    assert_eq!(status, 201, "{hook}");
    assert!(hook["secret"].as_str().unwrap().starts_with("whsec_"));
    let hook_path = format!("/v1/webhooks/{}", hook["id"]);
    let (_, bobs) = get(&server, "/v1/webhooks", Some(&bob)).await;
    assert!(bobs["webhooks"].as_array().unwrap().is_empty());
    let (_, deliveries) = get(&server, "/v1/deliveries", Some(&bob)).await;
    assert!(deliveries["deliveries"].as_array().unwrap().is_empty());
    let delete = |token: String| {
        let url = format!("{}{hook_path}", server.base);
        async move {
            client()
                .delete(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        delete(bob.clone()).await,
        404,
        "bob cannot stop alice's webhook"
    );
    let (_, alices) = get(&server, "/v1/webhooks", Some(&alice)).await;
    assert_eq!(alices["webhooks"][0]["active"], true);
    assert!(
        alices["webhooks"][0].get("secret").is_none(),
        "the secret is shown once"
    );
    assert_eq!(delete(alice.clone()).await, 204);
    let (_, alices) = get(&server, "/v1/webhooks", Some(&alice)).await;
    assert_eq!(alices["webhooks"][0]["active"], false);
}
