//! End-to-end tests of the real binary's store commands: `partner add|list|revoke`,
//! `score --db` and `export` (JSON Lines, CSV, Atom, by partner scope, pseudonymised).

use std::path::Path;

use assert_cmd::Command;
use lurewatch::export::pseudonym::Pseudonymiser;
use lurewatch::store::{AuditStore, SqliteStore};
use predicates::prelude::*;
use serde_json::Value;

/// Two lures sharing one phone number (one also names it in its title), a Thai lure and a
/// harmless ad.
const ADS: &str = r#"{"id":"p1","language":"en","text":"Customer service job in Sihanoukville, Cambodia! $1,500/month, no experience needed. Free flight, visa and dormitory. Send a photo of your passport. Call +66 81 234 5678 or mail hr.desk@example.com. 100% legal."}
{"id":"p2","language":"en","title":"Typing job, call +66 81 234 5678","text":"Typing job in Poipet, Cambodia, $2,000/month, no experience. Free ticket and visa. The company keeps your passport for safety. Call +66 81 234 5678 now, Telegram @kh_hr_desk."}
{"id":"t1","language":"th","text":"รับสมัครแอดมิน ทำงานที่สีหนุวิลล์ กัมพูชา เงินเดือน 50,000 บาท ไม่ต้องมีประสบการณ์ ฟรีตั๋วเครื่องบินและวีซ่า บริษัทเก็บพาสปอร์ตไว้ให้ ติดต่อ Telegram @th_admin_job"}
{"id":"ok","language":"en","text":"Barista wanted in Lisbon, contract, 1,000 EUR per month. Apply at the shop."}
"#;

fn lurewatch() -> Command {
    Command::cargo_bin("lurewatch").unwrap()
}

fn db_arg(dir: &Path) -> String {
    dir.join("lw.db").to_str().unwrap().to_string()
}

/// A database holding the scored ads of [`ADS`].
fn scored_db(dir: &Path) -> String {
    let input = dir.join("ads.jsonl");
    std::fs::write(&input, ADS).unwrap();
    let db = db_arg(dir);
    lurewatch()
        .args([
            "--scorer",
            "rules",
            "score",
            input.to_str().unwrap(),
            "--db",
            &db,
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("stored 4 scores"));
    db
}

#[test]
fn partners_are_added_listed_and_revoked_and_each_action_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_arg(dir.path());
    let added = lurewatch()
        .args([
            "partner",
            "add",
            "thai-hotline",
            "--language",
            "th",
            "--country",
            "th",
            "--db",
            &db,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("will not be shown again"))
        .get_output()
        .stdout
        .clone();
    let added = String::from_utf8(added).unwrap();
    let token = added
        .lines()
        .find_map(|l| l.strip_prefix("Token: "))
        .unwrap();
    assert!(token.starts_with("lw_") && token.len() == 67);

    lurewatch()
        .args(["partner", "add", "thai-hotline", "--db", &db])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("exists already"));
    lurewatch()
        .args([
            "partner",
            "add",
            "x",
            "--language",
            "thai language",
            "--db",
            &db,
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a language tag"));

    let listed = lurewatch()
        .args(["partner", "list", "--db", &db])
        .assert()
        .success();
    let listed = String::from_utf8(listed.get_output().stdout.clone()).unwrap();
    assert!(listed.starts_with("NAME"), "{listed}");
    assert!(listed.contains("thai-hotline") && listed.contains("languages th; countries TH"));
    assert!(listed.contains(&token[..9]), "the hint tells tokens apart");
    assert!(
        !listed.contains(token),
        "the token itself is never shown again"
    );

    lurewatch()
        .args(["partner", "revoke", "thai-hotline", "--db", &db])
        .assert()
        .success()
        .stdout(predicate::str::contains("no longer works"));
    let listed = lurewatch()
        .args(["partner", "list", "--db", &db])
        .assert()
        .success();
    let row = String::from_utf8(listed.get_output().stdout.clone()).unwrap();
    let row = row
        .lines()
        .find(|l| l.starts_with("thai-hotline"))
        .unwrap()
        .to_string();
    assert!(
        !row.trim_end().ends_with('-'),
        "a revocation time is listed: {row}"
    );
    lurewatch()
        .args(["partner", "revoke", "nobody", "--db", &db])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no partner named `nobody`"));

    let store = SqliteStore::open(&db).unwrap();
    let log = store.audit_log(20).unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "partner add" && e.outcome == 200)
    );
    assert!(
        log.iter()
            .any(|e| e.action == "partner add" && e.outcome == 409)
    );
    assert!(
        log.iter()
            .any(|e| e.action == "partner revoke" && e.outcome == 200)
    );
    assert!(
        log.iter()
            .any(|e| e.action == "partner revoke" && e.outcome == 404)
    );
}

#[test]
fn a_pseudonymised_export_links_ads_by_contact_without_revealing_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = scored_db(dir.path());
    let key = dir.path().join("key");
    std::fs::write(&key, b"a secret key of thirty-two bytes").unwrap();

    let out = lurewatch()
        .args([
            "export",
            "--db",
            &db,
            "--language",
            "en",
            "--pseudonymise",
            "--key-file",
        ])
        .arg(&key)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for secret in ["234 5678", "812345678", "hr.desk@example.com", "kh_hr_desk"] {
        assert!(!text.contains(secret), "{secret} leaked:\n{text}");
    }
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        records.len(),
        2,
        "the two English lures, not the harmless ad"
    );
    let pseudonymiser = Pseudonymiser::new(b"a secret key of thirty-two bytes").unwrap();
    let phone = pseudonymiser.pseudonym("phone", "+66812345678");
    for record in &records {
        assert!(
            record["text"].as_str().unwrap().contains(&phone),
            "{record}"
        );
        assert!(
            record["contacts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["value"] == phone.as_str())
        );
    }
    assert!(
        records[1]["title"].as_str().unwrap().contains(&phone),
        "the title too"
    );

    lurewatch()
        .args(["export", "--db", &db, "--pseudonymise"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("head -c 32 /dev/urandom"));
}

#[test]
fn exports_in_csv_and_atom_follow_a_partners_scope() {
    let dir = tempfile::tempdir().unwrap();
    let db = scored_db(dir.path());
    lurewatch()
        .args(["partner", "add", "thai", "--language", "th", "--db", &db])
        .assert()
        .success();

    let csv_path = dir.path().join("thai.csv");
    lurewatch()
        .args(["export", "--db", &db, "--partner", "thai", "-o"])
        .arg(&csv_path)
        .assert()
        .success()
        .stderr(predicate::str::contains("exported 1 flagged ads"));
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][0], "t1");

    let atom = lurewatch()
        .args([
            "export",
            "--db",
            &db,
            "--format",
            "atom",
            "--from",
            "2000-01-01",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let feed = atom_syndication::Feed::read_from(&atom[..]).unwrap();
    let mut ids: Vec<&str> = feed.entries().iter().map(|e| e.id()).collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "urn:lurewatch:ad:p1",
            "urn:lurewatch:ad:p2",
            "urn:lurewatch:ad:t1"
        ]
    );

    let none = lurewatch()
        .args(["export", "--db", &db, "--to", "2000-01-01"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(none.is_empty(), "nothing was flagged before 2000");
    lurewatch()
        .args([
            "export",
            "--db",
            &db,
            "--partner",
            "thai",
            "--language",
            "vi",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sees only languages th"));
    lurewatch()
        .args(["export", "--db", &db, "--from", "last week"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("YYYY-MM-DD"));

    let store = SqliteStore::open(&db).unwrap();
    let log = store.audit_log(20).unwrap();
    let export = log
        .iter()
        .find(|e| e.action == "export" && e.target.as_deref() == Some("thai"));
    assert!(
        export.is_some_and(|e| e.detail.as_deref().unwrap_or("").contains("1 ads")),
        "{log:?}"
    );
}
