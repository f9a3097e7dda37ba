//! The feed: stable pages while ads arrive, filters, and the CSV and Atom forms read back by
//! real parsers.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::support::{LURE, Server, client, get, ids, lure, write_lure};

fn count_each(ids: &[String]) -> HashMap<&str, usize> {
    let mut counts = HashMap::new();
    for id in ids {
        *counts.entry(id.as_str()).or_insert(0) += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_skip_and_repeat_nothing_while_ads_arrive() {
    let server = Server::default().await;
    let existing = server.lures("old", 60, "en");
    let token = server.partner("ngo", &[], &[]);
    let state = server.state.clone();
    let writer = tokio::task::spawn_blocking(move || {
        for i in 0..60 {
            write_lure(state.store.as_ref(), &format!("new{i}"), "en");
            std::thread::sleep(std::time::Duration::from_millis(3));
        }
    });

    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    let mut poll: Option<String> = None;
    let mut mids = 0;
    loop {
        let path = match &cursor {
            None => "/v1/flagged?limit=7".to_string(),
            Some(c) => format!("/v1/flagged?limit=7&cursor={c}"),
        };
        let (status, body) = get(&server, &path, Some(&token)).await;
        assert_eq!(status, 200, "{body}");
        if cursor.is_none() {
            poll = body["poll_cursor"].as_str().map(str::to_string);
        }
        paged.extend(ids(&body));
        // Besides the writer, make sure ads arrive between every two pages.
        let state = server.state.clone();
        // Numbered by page, not by ads seen: an empty last page must not reuse an id.
        let id = format!("mid{mids}");
        tokio::task::spawn_blocking(move || write_lure(state.store.as_ref(), &id, "en"))
            .await
            .unwrap();
        mids += 1;
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    writer.await.unwrap();

    let counts = count_each(&paged);
    assert!(
        counts.values().all(|&n| n == 1),
        "an ad was repeated: {counts:?}"
    );
    for id in &existing {
        assert_eq!(counts.get(id.as_str()), Some(&1), "{id} was skipped");
    }

    // Polling from the first page's position finds exactly what arrived after it.
    let mut since = poll.expect("the first page gives a poll cursor");
    let mut polled = Vec::new();
    loop {
        let (status, body) = get(
            &server,
            &format!("/v1/flagged?since={since}&limit=10"),
            Some(&token),
        )
        .await;
        assert_eq!(status, 200);
        let page = ids(&body);
        if page.is_empty() {
            break;
        }
        polled.extend(page);
        since = body["next_cursor"].as_str().unwrap().to_string();
    }
    let all: Vec<String> = paged.iter().chain(&polled).cloned().collect();
    let counts = count_each(&all);
    assert_eq!(counts.len(), 120 + mids, "every ad, old and new, once");
    assert!(counts.values().all(|&n| n == 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_narrow_the_feed_and_bad_parameters_are_named() {
    let server = Server::default().await;
    let mut in_cambodia = lure("kh-1", LURE, "th");
    in_cambodia.extra = Map::from_iter([("country".to_string(), json!("KH"))]);
    server.store_ads(vec![in_cambodia]);
    server.lures("th", 2, "th");
    server.lures("pt", 2, "pt-BR");
    let token = server.partner("ngo", &[], &[]);
    let list = |query: &'static str| {
        let server = &server;
        let token = token.clone();
        async move {
            let (status, body) = get(server, &format!("/v1/flagged?{query}"), Some(&token)).await;
            assert_eq!(status, 200, "{query}: {body}");
            body
        }
    };

    assert_eq!(ids(&list("").await).len(), 5);
    assert_eq!(ids(&list("language=pt").await).len(), 2, "pt covers pt-BR");
    assert_eq!(ids(&list("country=kh").await), ["kh-1"]);
    let flagged = list("flag=passport_handover").await;
    assert_eq!(ids(&flagged).len(), 5);
    assert!(flagged["items"].as_array().unwrap().iter().all(|i| {
        i["flags"]
            .as_array()
            .unwrap()
            .contains(&json!("passport_handover"))
    }));
    assert!(ids(&list("flag=no_such_flag").await).is_empty());
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today.succ_opt().unwrap();
    let yesterday = today.pred_opt().unwrap();
    let from_tomorrow = format!("from={tomorrow}");
    let to_yesterday = format!("to={yesterday}");
    let today_only = format!("from={today}&to={today}");
    for (query, expected) in [(from_tomorrow, 0), (to_yesterday, 0), (today_only, 5)] {
        let (_, body) = get(&server, &format!("/v1/flagged?{query}"), Some(&token)).await;
        assert_eq!(ids(&body).len(), expected, "{query}");
    }
    let scores: Vec<f64> = list("").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["score"].as_f64().unwrap())
        .collect();
    let lowest = scores.iter().cloned().fold(f64::INFINITY, f64::min);
    // Scores are shown with four decimals: ask from just below the lowest shown.
    let below = lowest - 0.0001;
    let (_, body) = get(
        &server,
        &format!("/v1/flagged?min_score={below}"),
        Some(&token),
    )
    .await;
    assert_eq!(ids(&body).len(), 5);
    let (_, body) = get(&server, "/v1/flagged?min_score=1", Some(&token)).await;
    assert!(
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["score"] == 1.0)
    );

    for (query, parameter) in [
        ("limit=0", "`limit`"),
        ("limit=abc", "`limit`"),
        ("min_score=high", "`min_score`"),
        ("language=%3Cscript%3E", "`language`"),
        ("country=Cambodia", "`country`"),
        ("from=last%20week", "`from`"),
        ("to=2026-13-01", "`to`"),
        ("cursor=42", "`cursor`"),
        ("sort=score", "`sort`"),
    ] {
        let (status, body) = get(&server, &format!("/v1/flagged?{query}"), Some(&token)).await;
        assert_eq!(status, 400, "{query}");
        assert!(
            body["error"].as_str().unwrap().contains(parameter),
            "{query}: {body}"
        );
    }
}

const AWKWARD: &str = "<b>Boss</b> & \"partners\" 'welcome' 🚀✈️ งานดี เงินเดือนสูง";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_and_atom_parse_back_with_awkward_text() {
    let server = Server::default().await;
    let mut ads = Vec::new();
    for i in 0..3 {
        let mut ad = lure(
            &format!("odd-{i}"),
            &format!("{AWKWARD}\n{LURE}\u{7}"),
            "th",
        );
        ad.title = Some(format!("{AWKWARD} <script>alert({i})</script>"));
        ads.push(ad);
    }
    server.store_ads(ads);
    let token = server.partner("ngo", &[], &[]);

    let response = client()
        .get(format!("{}/v1/flagged.csv?limit=2", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let next = response.headers()["x-next-cursor"]
        .to_str()
        .unwrap()
        .to_string();
    let link = response.headers()["link"].to_str().unwrap().to_string();
    assert!(link.contains(&format!("cursor={next}")) && link.ends_with("rel=\"next\""));
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(&row[column("text")], format!("{AWKWARD}\n{LURE}\u{7}"));
        assert!(row[column("title")].starts_with(AWKWARD));
        assert!(row[column("flags")].contains("passport_handover"));
        assert_eq!(&row[column("language")], "th");
    }

    let response = client()
        .get(format!("{}/v1/flagged.atom", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let feed: atom_syndication::Feed = response.text().await.unwrap().parse().unwrap();
    assert_eq!(feed.entries().len(), 3);
    assert!(feed.links().iter().any(|l| l.rel() == "self"));
    for entry in feed.entries() {
        assert!(entry.id().starts_with("urn:lurewatch:ad:odd-"));
        assert!(
            entry.title().as_str().starts_with(AWKWARD),
            "{}",
            entry.title().as_str()
        );
        assert!(
            entry.links()[0]
                .href()
                .starts_with("https://board.example/odd-")
        );
        let summary = entry.summary().unwrap().as_str();
        assert!(summary.contains("Passport or ID handed over"), "{summary}");
        assert!(summary.contains("not proof of trafficking"));
        let content = entry.content().unwrap().value().unwrap();
        assert!(content.contains("งานดี") && content.contains("<b>Boss</b> &"));
        assert!(
            !content.contains('\u{7}'),
            "characters XML cannot carry are dropped"
        );
    }
    let json: Value = get(&server, "/v1/flagged?limit=1", Some(&token)).await.1;
    assert_eq!(json["items"][0]["text"], format!("{AWKWARD}\n{LURE}\u{7}"));
}
