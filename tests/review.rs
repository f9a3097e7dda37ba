//! The review flow end to end: log in to the review page over HTTP, list flagged ads, open one,
//! see its evidence marked, confirm it with the CSRF token, find the review in the store, export
//! the reviews with the real binary and train on them with `train --extra`.

mod common;

use std::path::Path;

use assert_cmd::Command;
use lurewatch::store::partner::Decision;
use lurewatch::store::{PartnerStore, ReviewStore};
use predicates::prelude::*;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A request with a form body (`application/x-www-form-urlencoded`).
trait FormBody {
    fn form_fields<K: AsRef<str>, V: AsRef<str>>(self, fields: &[(K, V)]) -> Self;
}

impl FormBody for reqwest::RequestBuilder {
    fn form_fields<K: AsRef<str>, V: AsRef<str>>(self, fields: &[(K, V)]) -> Self {
        let mut body = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in fields {
            body.append_pair(key.as_ref(), value.as_ref());
        }
        self.header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.finish())
    }
}

fn location(response: &reqwest::Response) -> &str {
    response.headers()[LOCATION].to_str().unwrap()
}

/// Logs in and returns the `lw_session=...` cookie pair.
async fn log_in(http: &reqwest::Client, base: &str, token: &str) -> String {
    let response = http
        .post(format!("{base}/review/login"))
        .form_fields(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/review");
    let set = response.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Strict"), "{set}");
    assert!(set.contains("Path=/review"), "{set}");
    assert!(!set.contains("Secure"), "plain HTTP: {set}");
    assert!(!set.contains(token), "the cookie never holds the token");
    set.split(';').next().unwrap().to_string()
}

async fn get(http: &reqwest::Client, url: &str, cookie: &str) -> (StatusCode, String) {
    let response = http.get(url).header(COOKIE, cookie).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// The value of the first `name="csrf"` field on a page.
fn csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_logs_in_confirms_a_lure_and_the_review_trains_the_model() {
    let fx = common::start().await;
    let http = client();
    let base = &fx.base;

    let response = http.get(format!("{base}/review")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "not logged in");
    assert_eq!(location(&response), "/review/login");
    let login = http
        .get(format!("{base}/review/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let login_page = login.text().await.unwrap();
    assert!(login_page.contains("never proof of trafficking"));
    assert!(login_page.contains("<label for=\"token\">"));

    let refused = http
        .post(format!("{base}/review/login"))
        .form_fields(&[("token", "lw_wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.headers().get(SET_COOKIE).is_none());
    assert!(refused.text().await.unwrap().contains("not accepted"));

    let secure = http
        .post(format!("{base}/review/login"))
        .header("x-forwarded-proto", "https")
        .form_fields(&[("token", fx.token.as_str())])
        .send()
        .await
        .unwrap();
    assert!(
        secure.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );

    let cookie = log_in(&http, base, &fx.token).await;
    let (status, list) = get(&http, &format!("{base}/review"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Customer Service (Overseas)"), "{list}");
    assert!(list.contains("href=\"/review/ads/lure-1\""));
    assert!(list.contains("never proof of trafficking"));
    assert!(
        !list.contains(&fx.other_id),
        "out-of-scope ads are not listed"
    );
    let (_, filtered) = get(&http, &format!("{base}/review?min_score=100.5"), &cookie).await;
    assert!(filtered.contains("not a number from 0 to 100"));

    let ad_url = format!("{base}/review/ads/lure-1");
    let (status, page) = get(&http, &ad_url, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<mark class=\"evidence\""), "{page}");
    assert!(
        fx.text_evidence().iter().any(|(id, evidence)| page
            .contains(&format!("data-flag=\"{id}\""))
            && page.contains(&format!(">{evidence}</mark>"))),
        "some evidence is marked exactly: {page}"
    );
    assert!(page.contains("@kh_hr_desk"));
    assert!(page.contains("https://jobs.example/ads/1"));
    let token = csrf(&page);

    for missing in [fx.other_id.as_str(), "no-such-ad"] {
        let (status, page) = get(&http, &format!("{base}/review/ads/{missing}"), &cookie).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(page.contains("Ad not found"));
    }
    let decide = |id: &str, fields: Vec<(&'static str, String)>| {
        http.post(format!("{base}/review/ads/{id}/decision"))
            .header(COOKIE, &cookie)
            .form_fields(&fields)
            .send()
    };
    let forged = decide("lure-1", vec![("decision", "confirmed".into())])
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN, "no CSRF token");
    let out_of_scope = decide(
        &fx.other_id,
        vec![("decision", "confirmed".into()), ("csrf", token.clone())],
    )
    .await
    .unwrap();
    assert_eq!(out_of_scope.status(), StatusCode::NOT_FOUND);
    let unknown = decide(
        "lure-1",
        vec![("decision", "maybe".into()), ("csrf", token.clone())],
    )
    .await
    .unwrap();
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    assert!(
        fx.store
            .reviews_of("lure-1", fx.partner_id)
            .unwrap()
            .is_empty()
    );
    assert!(
        fx.store
            .reviews_of(&fx.other_id, fx.partner_id)
            .unwrap()
            .is_empty()
    );

    let confirmed = decide(
        "lure-1",
        vec![
            ("decision", "confirmed".into()),
            (
                "note",
                "  Same handle as a known compound recruiter  ".into(),
            ),
            ("csrf", token.clone()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&confirmed), "/review/ads/lure-1?saved=confirmed");
    let reviews = fx.store.reviews_of("lure-1", fx.partner_id).unwrap();
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].decision, Decision::Confirmed);
    assert_eq!(
        reviews[0].note.as_deref(),
        Some("Same handle as a known compound recruiter")
    );
    let (_, page) = get(&http, &format!("{ad_url}?saved=confirmed"), &cookie).await;
    assert!(page.contains("Saved: you confirmed this ad."));
    assert!(page.contains("you confirmed it. Note: “Same handle as a known compound recruiter”"));

    let logout = http
        .post(format!("{base}/review/logout"))
        .header(COOKIE, &cookie)
        .form_fields(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::SEE_OTHER);
    assert!(
        logout.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let after = http
        .get(format!("{base}/review"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "the session ended");

    let again = log_in(&http, base, &fx.token).await;
    fx.store.revoke_partner("ngo", 1).unwrap();
    let revoked = http
        .get(format!("{base}/review"))
        .header(COOKIE, &again)
        .send()
        .await
        .unwrap();
    assert_eq!(
        revoked.status(),
        StatusCode::SEE_OTHER,
        "revoking the token ends its sessions"
    );

    export_and_train(&fx.db);
}

fn lurewatch() -> Command {
    Command::cargo_bin("lurewatch").unwrap()
}

/// `reviews export` writes what `train --extra` reads, and training reports the extra ad.
fn export_and_train(db: &Path) {
    let out = tempfile::tempdir().unwrap();
    let export = out.path().join("reviews.jsonl");
    lurewatch()
        .args(["reviews", "export", "--partner", "ngo", "--db"])
        .arg(db)
        .arg("-o")
        .arg(&export)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "exported 1 reviewed ads (1 confirmed lures, 0 dismissed)",
        ));
    let text = std::fs::read_to_string(&export).unwrap();
    let record: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(record["id"], "lure-1");
    assert_eq!(record["label"], "lure");
    assert_eq!(record["group"], "review:lure-1");
    assert_eq!(
        record["review_note"],
        "Same handle as a known compound recruiter"
    );
    lurewatch()
        .args(["reviews", "export", "--partner", "nobody", "--db"])
        .arg(db)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no partner is named `nobody`"));

    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/train_small.jsonl");
    let corpus_ads = std::fs::read_to_string(&corpus).unwrap().lines().count();
    lurewatch()
        .args(["train", "--folds", "3", "--corpus"])
        .arg(&corpus)
        .arg("--extra")
        .arg(&export)
        .arg("--out-dir")
        .arg(out.path())
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "added 1 labelled ad from {} (1 lure, 0 legitimate)",
            export.display()
        )))
        .stderr(predicate::str::contains(format!(
            "trained on {} ads",
            corpus_ads + 1
        )));
    assert!(out.path().join("model.json").exists());
}
