//! A customer's erasure request, end to end with the real binaries on both stores: a
//! marker message dispatched to two devices (one fetched its batch, one never did) is
//! erased with `labelvault erase`; its text is gone from every hub file and from a
//! later export, the device that held it deletes it at its next sync and says so in its
//! ledger, the other device's unfetched batch is withdrawn, and the hub's signed
//! receipt verifies offline against both device ledgers — while an altered receipt, or
//! the receipt of before the devices synced, does not.

use labelvault_system_tests::{cli, cli_ok, enroll, files_under, Hub, HubOptions, PostgresDb};
use serde_json::{json, Value};
use std::path::Path;

const MARKER: &str = "zebrafishwobble";

fn hub_files_hold(hub: &Hub, needle: &str) -> bool {
    files_under(&hub.data_dir).iter().any(|f| {
        std::fs::read(f)
            .map(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
            .unwrap_or(false)
    })
}

/// Whether a `pg_dump` of the hub's database holds `needle` (PostgreSQL only).
fn pg_dump_holds(url: &str, needle: &str) -> bool {
    let bin = std::env::var("PG_BIN")
        .map(|b| format!("{b}/pg_dump"))
        .unwrap_or_else(|_| "pg_dump".into());
    let out = std::process::Command::new(bin)
        .arg(url)
        .output()
        .expect("pg_dump (installed by scripts/install-deps.sh)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Rows of the hub's own database holding `needle` in a text column, read the way the
/// hub reads them: SQLite opened with the database key, PostgreSQL through the hub's
/// sealer (the stored values are ciphertext).
fn stored_texts_holding(hub: &Hub, key_file: &Path, needle: &str) -> usize {
    let hex_key = std::fs::read_to_string(key_file).expect("key file");
    let mut key = [0u8; 32];
    for (i, b) in key.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex_key.trim()[2 * i..2 * i + 2], 16).expect("hex");
    }
    let texts: Vec<String> = match &hub.options.db {
        None => {
            let c = hub.open_db();
            let mut st = c
                .prepare(
                    "SELECT text FROM messages UNION ALL SELECT coalesce(redacted, '') FROM copies",
                )
                .expect("query");
            st.query_map([], |r| r.get::<_, String>(0))
                .expect("rows")
                .collect::<Result<_, _>>()
                .expect("texts")
        }
        Some(url) => {
            let sealer = labelvault_hub::at_rest::Sealer::new(
                labelvault_hub::at_rest::DbKey::from_bytes(key),
                vec![],
            );
            let mut c = postgres::Client::connect(url, postgres::NoTls).expect("connect");
            let mut out = Vec::new();
            for r in c.query("SELECT text FROM messages", &[]).expect("messages") {
                out.push(sealer.open("messages.text", r.get(0)).expect("opens"));
            }
            for r in c
                .query(
                    "SELECT redacted FROM copies WHERE redacted IS NOT NULL",
                    &[],
                )
                .expect("copies")
            {
                out.push(sealer.open("copies.redacted", r.get(0)).expect("opens"));
            }
            out
        }
    };
    texts.iter().filter(|t| t.contains(needle)).count()
}

fn admin_args<'a>(hub: &'a Hub, token: &'a str) -> Vec<&'a str> {
    vec!["--hub", hub.url.as_str(), "--admin-token-file", token]
}

fn erasure_on(dir: &Path, mut options: HubOptions) {
    let dump = options.db.clone();
    let key_file = dir.join("hub-db.key");
    options.env.push((
        "LABELVAULT_HUB_DB_KEY_FILE".into(),
        key_file.to_string_lossy().into_owned(),
    ));
    let hub = Hub::start_with(&dir.join("hub"), "127.0.0.1:0", options);
    let token = dir.join("hub").join("admin.token");
    let token = token.to_string_lossy().to_string();
    let (st, r) = hub.admin_post(
        "/v1/admin/messages",
        &json!({"messages": [
            {"message_id": "m-keep", "text": "I want my refund for order KIWIBIRD now", "company": "acme",
             "received_at": 1_764_000_000, "model_intent": "refund", "confidence": 0.4,
             "reported_false_positive": true},
            {"message_id": "m-erase", "text": format!("Please close my account, reference {MARKER}"),
             "company": "acme", "received_at": 1_764_000_010, "model_intent": "close_account",
             "confidence": 0.3}]}),
    );
    assert_eq!(st, 200, "{r}");
    let a = enroll(&hub, &dir.join("a"), "ann");
    let b = enroll(&hub, &dir.join("b"), "bob");
    let (st, r) = hub.admin_post(
        "/v1/admin/dispatch",
        &json!({"selection": {"from": 0, "to": 2_000_000_000, "max_confidence": 1.0, "low_confidence_budget": 10},
                "overlap": 2, "batch_size": 10, "gold_share": 0.0}),
    );
    assert_eq!(st, 200, "{r}");
    // Device a fetches and labels the reported false positive (first in its queue); b
    // never fetches its batch.
    cli_ok(&a.profile, &["pull"]);
    let queue = cli_ok(&a.profile, &["queue", "--json", "--limit", "10"]);
    assert!(
        queue.contains(MARKER) && queue.contains("KIWIBIRD"),
        "{queue}"
    );
    cli_ok(&a.profile, &["label", "--verdict", "correct"]);
    cli_ok(&a.profile, &["sync"]);
    let queue = cli_ok(&a.profile, &["queue", "--json", "--limit", "10"]);
    assert!(
        queue.contains(MARKER) && !queue.contains("KIWIBIRD"),
        "{queue}"
    );
    // The hub holds the text (the raw message and the redacted copies of it sent to the
    // two devices) — encrypted at rest: no hub file and no dump shows it.
    assert_eq!(stored_texts_holding(&hub, &key_file, MARKER), 3);
    assert!(!hub_files_hold(&hub, MARKER));
    if let Some(url) = &dump {
        assert!(!pg_dump_holds(url, MARKER));
        assert!(pg_dump_holds(url, "lv1."), "sealed values are in the dump");
    }

    // The privacy officer erases the message.
    let pending_receipt = dir.join("receipt-pending.json");
    let mut args = vec!["erase"];
    args.extend(admin_args(&hub, &token));
    args.extend([
        "--message-id",
        "m-erase",
        "--message-id",
        "m-unknown",
        "--receipt",
        pending_receipt.to_str().expect("path"),
    ]);
    let out = cli_ok(&a.profile, &args);
    assert!(
        out.contains("1 message(s) erased on the hub (1 not found"),
        "{out}"
    );
    assert!(
        out.contains("1 sealed batch file(s) deleted")
            || out.contains("2 sealed batch file(s) deleted"),
        "{out}"
    );
    assert!(out.contains("pending (purged at its next sync)"), "{out}");
    assert!(!out.contains(MARKER), "{out}");
    let receipt: Value =
        serde_json::from_slice(&std::fs::read(&pending_receipt).expect("receipt")).expect("json");
    let erasure_id = receipt["erasure"]["erasure_id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(
        receipt["erasure"]["devices"].as_array().map(Vec::len),
        Some(2)
    );
    // b never fetched its batch: the other message's copy there went back to the pool.
    assert_eq!(
        receipt["erasure"]["hub"]["copies_returned_to_pool"], 1,
        "{receipt}"
    );
    assert_eq!(
        stored_texts_holding(&hub, &key_file, MARKER),
        0,
        "the erased text is still stored"
    );
    assert!(!hub_files_hold(&hub, MARKER));
    if let Some(url) = &dump {
        assert!(!pg_dump_holds(url, MARKER));
    }
    // A later export holds the kept message, not the erased one.
    let export = hub.admin_get("/v1/admin/export?format=jsonl&mark=false");
    assert!(!export.contains(MARKER), "{export}");

    // Each device carries out the notice at its next sync.
    let out = cli_ok(&a.profile, &["sync"]);
    assert!(
        out.contains("1 item(s) deleted at the hub's request"),
        "{out}"
    );
    let queue = cli_ok(&a.profile, &["queue", "--json", "--limit", "10"]);
    assert!(!queue.contains(MARKER), "{queue}");
    cli_ok(&b.profile, &["sync"]);
    let queue = cli_ok(&b.profile, &["queue", "--json", "--limit", "10"]);
    assert!(
        !queue.contains(MARKER) && !queue.contains("KIWIBIRD"),
        "{queue}"
    );

    // The receipt now shows both devices purged, and it verifies against their ledgers.
    let done = dir.join("receipt.json");
    let mut args = vec!["erase"];
    args.extend(admin_args(&hub, &token));
    args.extend([
        "--status",
        erasure_id.as_str(),
        "--receipt",
        done.to_str().expect("path"),
    ]);
    let out = cli_ok(&a.profile, &args);
    assert!(out.contains("complete: every device"), "{out}");
    let ledger_a = dir.join("a.jsonl");
    let ledger_b = dir.join("b.jsonl");
    cli_ok(
        &a.profile,
        &["audit", "export", "--out", ledger_a.to_str().expect("p")],
    );
    cli_ok(
        &b.profile,
        &["audit", "export", "--out", ledger_b.to_str().expect("p")],
    );
    for l in [&ledger_a, &ledger_b] {
        let text = std::fs::read_to_string(l).expect("ledger");
        assert!(!text.contains(MARKER));
        cli_ok(&a.profile, &["audit", "verify", l.to_str().expect("p")]);
    }
    let key = hub.public_key();
    let verify = |receipt: &Path, ledgers: &[&Path]| {
        let mut args = vec![
            "audit".to_string(),
            "verify-erasure".into(),
            receipt.to_string_lossy().into_owned(),
            "--hub-key".into(),
            key.clone(),
        ];
        for l in ledgers {
            args.push("--device-ledger".into());
            args.push(l.to_string_lossy().into_owned());
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        cli(&a.profile, &refs)
    };
    let ok = verify(&done, &[&ledger_a, &ledger_b]);
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        text.contains("devices: 2 held copies, 2 purged, 0 not yet"),
        "{text}"
    );
    // Hostile: the receipt from before the devices synced names no ledger entry.
    let early = verify(&pending_receipt, &[&ledger_a]);
    assert!(!early.status.success());
    assert!(String::from_utf8_lossy(&early.stderr).contains("holds no acknowledgement"));
    // Hostile: an altered receipt (one message id fewer) fails its signature.
    let mut altered: Value =
        serde_json::from_slice(&std::fs::read(&done).expect("receipt")).expect("json");
    altered["erasure"]["erased"] = json!([]);
    let altered_path = dir.join("altered.json");
    std::fs::write(&altered_path, altered.to_string()).expect("write");
    let bad = verify(&altered_path, &[]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("does not verify"));
    // A second verifier written from docs/erasure.md alone (PyNaCl) agrees on both.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../interop/verify_access.py");
    let python = |receipt: &Path| {
        let out = std::process::Command::new("python3")
            .arg(&script)
            .arg("--erasure")
            .arg(receipt)
            .args(["--hub-key", &key])
            .output()
            .expect("python3");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let py = python(&done);
    assert!(
        py.contains("ok erasure: 1 messages, 2 devices, 2 purged"),
        "{py}"
    );
    assert!(
        python(&altered_path).starts_with("refused"),
        "python accepted an altered receipt"
    );

    // The erased message is never dispatched again; the returned copy of the kept one is.
    let (st, r) = hub.admin_post(
        "/v1/admin/dispatch",
        &json!({"selection": {"from": 0, "to": 2_000_000_000, "max_confidence": 1.0, "low_confidence_budget": 10},
                "overlap": 2, "batch_size": 10, "gold_share": 0.0}),
    );
    assert_eq!(st, 200, "{r}");
    cli_ok(&b.profile, &["pull"]);
    let queue = cli_ok(&b.profile, &["queue", "--json", "--limit", "10"]);
    assert!(
        queue.contains("KIWIBIRD") && !queue.contains(MARKER),
        "{queue}"
    );
    // Erasing it again changes nothing and says so.
    let (st, r) = hub.admin_post("/v1/admin/erase", &json!({"message_ids": ["m-erase"]}));
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["erasure"]["already_erased"], json!(["m-erase"]));
    // An erasure that selects nothing is refused with a reason.
    let (st, r) = hub.admin_post("/v1/admin/erase", &json!({}));
    assert_eq!(st, 400, "{r}");
    assert!(
        r["message"].as_str().unwrap_or("").contains("must select"),
        "{r}"
    );
}

#[test]
fn an_erasure_reaches_the_hub_its_exports_and_every_device_with_a_receipt_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    erasure_on(dir.path(), HubOptions::default());
}

#[test]
fn an_erasure_reaches_the_hub_its_exports_and_every_device_with_a_receipt_postgres() {
    let Some(db) = PostgresDb::create("erasure") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    erasure_on(
        dir.path(),
        HubOptions {
            db: Some(db.url.clone()),
            env: Vec::new(),
        },
    );
}
