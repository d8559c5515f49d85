//! Raw text is encrypted at rest, with the real hub binary: on SQLite the database is a
//! SQLCipher file that stock SQLite cannot read and no hub file shows a message's text;
//! a plaintext database from an earlier version is converted at start; a key file
//! others can read is refused; a wrong key is refused without touching the database;
//! `rewrap-db` re-keys it. On PostgreSQL `pg_dump` shows no text, and the key is rotated
//! while a hub with both keys keeps serving.

#![cfg(unix)]

use labelvault_system_tests::{cli_ok, enroll, files_under, Hub, HubOptions, PostgresDb};
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const TEXT: &str = "Quimbletrot Vandersnoot asked to move the delivery to Thursday";

fn holds(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn any_file_holds(dir: &Path, needle: &str) -> bool {
    files_under(dir)
        .iter()
        .any(|f| std::fs::read(f).map(|b| holds(&b, needle)).unwrap_or(false))
}

fn ingest(hub: &Hub, id: &str, text: &str) {
    let (st, r) = hub.admin_post(
        "/v1/admin/messages",
        &json!({"messages": [{"message_id": id, "text": text, "company": "acme",
            "received_at": 1_764_000_000, "model_intent": "delivery", "confidence": 0.2}]}),
    );
    assert_eq!(st, 200, "{r}");
}

fn key_env(file: &Path) -> (String, String) {
    (
        "LABELVAULT_HUB_DB_KEY_FILE".into(),
        file.to_string_lossy().into_owned(),
    )
}

/// `labelvault-hub serve` with these options, expected to fail: its stderr.
fn serve_fails(data: &Path, args: &[&str]) -> String {
    let out = Command::new(labelvault_system_tests::bin(
        "labelvault-hub",
        "labelvault-hub",
    ))
    .args(["serve", "--data-dir"])
    .arg(data)
    .args(["--listen", "127.0.0.1:0"])
    .args(args)
    .output()
    .expect("run the hub");
    assert!(!out.status.success(), "the hub started");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_sqlite_hub_database_is_sqlcipher_and_its_key_is_guarded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("hub");
    let key = dir.path().join("hub-db.key");
    let mut hub = Hub::start_with(
        &data,
        "127.0.0.1:0",
        HubOptions {
            db: None,
            env: vec![key_env(&key)],
        },
    );
    ingest(&hub, "m1", TEXT);
    let device = enroll(&hub, &dir.path().join("dev"), "ann");
    let (st, r) = hub.admin_post(
        "/v1/admin/dispatch",
        &json!({"selection": {"from": 0, "to": 2_000_000_000, "max_confidence": 1.0, "low_confidence_budget": 10},
                "overlap": 1, "batch_size": 10, "gold_share": 0.0}),
    );
    assert_eq!(st, 200, "{r}");
    cli_ok(&device.profile, &["pull"]);
    let queue = cli_ok(&device.profile, &["queue", "--json"]);
    assert!(
        queue.contains("asked to move the delivery"),
        "the hub still serves it: {queue}"
    );
    // No hub file shows the text or even a SQLite header; the key file is private.
    assert!(!any_file_holds(&data, "asked to move the delivery"));
    let head = std::fs::read(data.join("hub.db")).expect("hub.db");
    assert!(!head.starts_with(b"SQLite format 3"));
    assert_eq!(
        std::fs::metadata(&key).expect("key").permissions().mode() & 0o077,
        0
    );
    // Stock SQLite (no key) cannot read it; with the key it can.
    let plain = rusqlite::Connection::open(data.join("hub.db")).expect("open");
    assert!(plain
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r
            .get::<_, i64>(0))
        .is_err());
    drop(plain);
    let n: i64 = hub
        .open_db()
        .query_row(
            "SELECT count(*) FROM messages WHERE text = ?1",
            [TEXT],
            |r| r.get(0),
        )
        .expect("query");
    assert_eq!(n, 1);
    hub.kill9();

    // A key file others can read stops the hub, with the command that fixes it.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let err = serve_fails(&data, &["--db-key-file", &key.to_string_lossy()]);
    assert!(
        err.contains("others can read it") && err.contains("chmod 600"),
        "{err}"
    );
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    // Another key is refused, and the database is left as it was.
    let other = dir.path().join("other.key");
    let err = serve_fails(&data, &["--db-key-file", &other.to_string_lossy()]);
    assert!(err.contains("does not open with database key"), "{err}");
    assert!(!err.contains("Quimbletrot"), "{err}");

    // Rotation: rewrap-db re-keys the file; the hub then starts with the new key only.
    let new = dir.path().join("new.key");
    let out = Command::new(labelvault_system_tests::bin(
        "labelvault-hub",
        "labelvault-hub",
    ))
    .args(["rewrap-db", "--data-dir"])
    .arg(&data)
    .arg("--db-key-file")
    .arg(&new)
    .arg("--db-old-key-file")
    .arg(&key)
    .output()
    .expect("rewrap-db");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = serve_fails(&data, &["--db-key-file", &key.to_string_lossy()]);
    assert!(
        err.contains("does not open"),
        "the old key no longer opens it: {err}"
    );
    let hub = Hub::start_with(
        &data,
        "127.0.0.1:0",
        HubOptions {
            db: None,
            env: vec![key_env(&new)],
        },
    );
    let n: i64 = hub
        .open_db()
        .query_row(
            "SELECT count(*) FROM messages WHERE text = ?1",
            [TEXT],
            |r| r.get(0),
        )
        .expect("query");
    assert_eq!(n, 1, "the text survived the re-keying");
}

#[test]
fn a_plaintext_hub_database_from_before_is_converted_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("hub");
    std::fs::create_dir_all(&data).expect("dir");
    {
        // What an earlier hub wrote: a plain SQLite file with a message in it.
        let st = labelvault_hub::store::SqliteStore::open(&data.join("hub.db")).expect("store");
        use labelvault_hub::store::HubStore as _;
        st.insert_messages(
            &[labelvault_core::pipeline::Message {
                message_id: "old".into(),
                text: TEXT.into(),
                company: "acme".into(),
                channel: "chat".into(),
                received_at: 1_764_000_000,
                model_intent: "delivery".into(),
                confidence: 0.3,
                probabilities: vec![],
                reported_false_positive: false,
                training_consent: true,
                model_version: labelvault_core::pipeline::UNVERSIONED.into(),
                language: None,
            }],
            1_764_000_000,
        )
        .expect("insert");
    }
    assert!(any_file_holds(&data, "asked to move the delivery"));
    let key = dir.path().join("hub-db.key");
    let hub = Hub::start_with(
        &data,
        "127.0.0.1:0",
        HubOptions {
            db: None,
            env: vec![key_env(&key)],
        },
    );
    assert!(!any_file_holds(&data, "asked to move the delivery"));
    let n: i64 = hub
        .open_db()
        .query_row(
            "SELECT count(*) FROM messages WHERE text = ?1",
            [TEXT],
            |r| r.get(0),
        )
        .expect("query");
    assert_eq!(n, 1, "the message survived the conversion");
    let status: serde_json::Value =
        serde_json::from_str(&hub.admin_get("/v1/admin/pipeline")).expect("json");
    assert_eq!(status["messages"], 1, "{status}");
}

fn pg_dump(url: &str) -> Vec<u8> {
    let out = Command::new("pg_dump").arg(url).output().expect("pg_dump");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn a_postgres_dump_holds_no_text_and_the_key_rotates_while_serving() {
    let Some(db) = PostgresDb::create("at_rest") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (k1, k2) = (dir.path().join("k1.key"), dir.path().join("k2.key"));
    let data = dir.path().join("hub");
    let hub = Hub::start_with(
        &data,
        "127.0.0.1:0",
        HubOptions {
            db: Some(db.url.clone()),
            env: vec![key_env(&k1)],
        },
    );
    ingest(&hub, "m1", TEXT);
    let dump = pg_dump(&db.url);
    assert!(!holds(&dump, "asked to move the delivery"));
    assert!(holds(&dump, "lv1."), "sealed values are there");
    drop(hub);
    // A hub with the new key and the old one serves texts sealed under either.
    let k1_arg = k1.to_string_lossy().into_owned();
    let mut child = Command::new(labelvault_system_tests::bin(
        "labelvault-hub",
        "labelvault-hub",
    ))
    .args(["serve", "--data-dir"])
    .arg(&data)
    .args(["--listen", "127.0.0.1:0", "--database", &db.url])
    .args([
        "--db-key-file",
        &k2.to_string_lossy(),
        "--db-old-key-file",
        &k1_arg,
    ])
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::null())
    .spawn()
    .expect("hub with both keys");
    let url = {
        use std::io::BufRead as _;
        let out = child.stdout.take().expect("stdout");
        let mut lines = std::io::BufReader::new(out).lines();
        loop {
            let l = lines.next().expect("a line").expect("utf-8");
            if let Some(u) = l.strip_prefix("listening on ") {
                break u.trim().to_string();
            }
        }
    };
    let token = std::fs::read_to_string(data.join("admin.token")).expect("token");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let post = |path: &str, body: serde_json::Value| {
        let mut r = agent
            .post(&format!("{url}{path}"))
            .header("authorization", &format!("Bearer {}", token.trim()))
            .header("content-type", "application/json")
            .send(body.to_string().as_bytes())
            .expect("request");
        (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        )
    };
    let (st, r) = post(
        "/v1/admin/messages",
        json!({"messages": [{"message_id": "m2", "text": "Zebulon Quaxworth wants a refund", "company": "acme",
            "received_at": 1_764_000_001, "model_intent": "refund", "confidence": 0.2}]}),
    );
    assert_eq!(st, 200, "{r}");
    // Both texts open (the old under k1, the new under k2): a dispatch redacts and
    // seals them both for a device.
    let (st, r) = post("/v1/admin/annotators", json!({"name": "ann"}));
    assert_eq!(st, 200, "{r}");
    let code = serde_json::from_str::<serde_json::Value>(&r).expect("json")["enrollment_code"]
        .as_str()
        .expect("code")
        .to_string();
    let profile = dir.path().join("dev");
    cli_ok(&profile, &["enroll", "--hub", &url, "--code", &code]);
    let (st, r) = post(
        "/v1/admin/dispatch",
        json!({"selection": {"from": 0, "to": 2_000_000_000, "max_confidence": 1.0, "low_confidence_budget": 10},
                "overlap": 1, "batch_size": 10, "gold_share": 0.0}),
    );
    assert_eq!(st, 200, "{r}");
    cli_ok(&profile, &["pull"]);
    let queue = cli_ok(&profile, &["queue", "--json"]);
    assert!(
        queue.contains("asked to move the delivery") && queue.contains("wants a refund"),
        "{queue}"
    );
    // Rewrap while that hub serves; afterwards nothing is sealed under k1.
    let out = Command::new(labelvault_system_tests::bin(
        "labelvault-hub",
        "labelvault-hub",
    ))
    .args(["rewrap-db", "--data-dir"])
    .arg(&data)
    .args([
        "--database",
        &db.url,
        "--db-key-file",
        &k2.to_string_lossy(),
        "--db-old-key-file",
        &k1_arg,
    ])
    .output()
    .expect("rewrap-db");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let k1_id = labelvault_hub::at_rest::DbKey::from_file(&k1, false)
        .expect("k1")
        .id()
        .to_string();
    let dump = pg_dump(&db.url);
    assert!(
        !holds(&dump, &format!("lv1.{k1_id}.")),
        "a value is still under k1"
    );
    assert!(!holds(&dump, "wants a refund") && !holds(&dump, "asked to move"));
    let _ = child.kill();
    let _ = child.wait();
}
