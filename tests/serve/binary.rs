//! The `lurewatch serve` binary: prints the port it listens on, answers, and writes its audit
//! log when told to stop.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use lurewatch::store::{AuditStore, SqliteStore};

use crate::support::client;

fn lurewatch() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("lurewatch"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_prints_its_port_serves_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lw.db");
    let db = db.to_str().unwrap();
    let added = lurewatch()
        .args(["partner", "add", "hotline", "--db", db])
        .output()
        .unwrap();
    assert!(added.status.success());
    let stdout = String::from_utf8(added.stdout).unwrap();
    let token = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Token: "))
        .unwrap()
        .to_string();

    let mut child = lurewatch()
        .args([
            "--scorer",
            "rules",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--db",
            db,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("lurewatch: listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_string();
    assert!(!base.ends_with(":0"), "the real port is printed: {base}");

    let health = client()
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let flagged = client()
        .get(format!("{base}/v1/flagged"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(flagged.status(), 200);
    let body: serde_json::Value = flagged.json().await.unwrap();
    assert_eq!(body["items"], serde_json::json!([]));

    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "SIGTERM is a clean stop: {status}");
    let store = SqliteStore::open(dir.path().join("lw.db")).unwrap();
    let log = store.audit_log(10).unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "GET /v1/flagged" && e.outcome == 200),
        "buffered audit entries are written on shutdown: {log:?}"
    );
    assert!(log.iter().any(|e| e.action == "partner add"));
}
