//! Label → sync → ledger → receipt, end to end across processes: the real hub binary on
//! loopback, the real `labelvault` CLI, the real keyring (run inside
//! scripts/with-keyring.sh) and real vault files.

use labelvault_system_tests::{cli, cli_ok, enroll, files_under, Device, Hub};
use serde_json::{json, Value};
use std::collections::HashSet;

fn assign(hub: &Hub, device: &Device, texts: &[String]) -> Vec<String> {
    let items: Vec<Value> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let intent = ["card_arrival", "change_pin"][i % 2];
            let reason = ["false_positive", "low_confidence", "random_sample"][i % 3];
            let confidence = 0.3 + (i % 5) as f64 * 0.1;
            json!({"text": t, "intent": intent, "confidence": confidence, "reason": reason,
                   "alternatives": [{"intent": "top_up_failed", "confidence": 0.1}]})
        })
        .collect();
    let (st, r) = hub.admin_post(
        "/v1/admin/assign",
        &json!({"device_id": device.device_id, "taxonomy": {"id": "t", "version": "1", "intents": [
            {"id": "card_arrival", "description": ""}, {"id": "change_pin", "description": ""}, {"id": "top_up_failed", "description": ""}]},
            "items": items}),
    );
    assert_eq!(st, 200, "{r}");
    r["item_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn hub_labels(hub: &Hub) -> Vec<Value> {
    hub.admin_get("/v1/admin/labels")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn label_sync_ledger_receipt_and_canary() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(&dir.path().join("hub"));
    let a = enroll(&hub, &dir.path().join("a"), "annotator a");
    let markers: Vec<String> = (0..12)
        .map(|i| format!("CANARY{i:02}QX{}", 7000 + i))
        .collect();
    let texts: Vec<String> = markers
        .iter()
        .map(|m| format!("hello my card {m} has not arrived yet please help"))
        .collect();
    let ids = assign(&hub, &a, &texts);
    assert!(cli_ok(&a.profile, &["pull"]).contains("imported batch"));

    // Every kind of decision, flags and missed-PII spans included.
    cli_ok(&a.profile, &["label", "--verdict", "correct"]);
    cli_ok(
        &a.profile,
        &[
            "label",
            "--verdict",
            "wrong",
            "--intent",
            "top_up_failed",
            "--flag",
            "misclassification",
        ],
    );
    cli_ok(
        &a.profile,
        &[
            "label",
            "--verdict",
            "unsure",
            "--flag",
            "missed_pii",
            "--span",
            "14:30",
        ],
    );
    cli_ok(
        &a.profile,
        &[
            "label",
            "--verdict",
            "skip",
            "--flag",
            "not_customer_message",
        ],
    );
    cli_ok(
        &a.profile,
        &[
            "label",
            "--verdict",
            "correct",
            "--flag",
            "multiple_intents",
        ],
    );
    cli_ok(&a.profile, &["undo"]);
    cli_ok(&a.profile, &["label", "--verdict", "correct"]);
    let report: Value = serde_json::from_str(
        cli_ok(&a.profile, &["sync", "--json"])
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(report["accepted"], 7, "{report}");
    assert_eq!(report["rejected"], 0);

    // The hub has each revision exactly once, for items assigned to this device.
    let labels = hub_labels(&hub);
    assert_eq!(labels.len(), 7);
    let keys: HashSet<(String, u64)> = labels
        .iter()
        .map(|l| {
            (
                l["item_id"].as_str().unwrap().into(),
                l["revision"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(keys.len(), 7);
    assert!(labels
        .iter()
        .all(|l| ids.contains(&l["item_id"].as_str().unwrap().to_string())));
    // A second sync sends nothing new.
    let again: Value = serde_json::from_str(
        cli_ok(&a.profile, &["sync", "--json"])
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(again["uploads"], 0);
    assert_eq!(hub_labels(&hub).len(), 7);

    // The privacy officer's checks: export, verify offline with the hub key, reconcile.
    let ledger = dir.path().join("device-ledger.jsonl");
    cli_ok(
        &a.profile,
        &["audit", "export", "-o", ledger.to_str().unwrap()],
    );
    let out = cli_ok(
        &a.profile,
        &[
            "audit",
            "verify",
            ledger.to_str().unwrap(),
            "--hub-key",
            &hub.public_key(),
        ],
    );
    assert!(
        out.contains("OK:") && out.contains("receipts: 1 verified"),
        "{out}"
    );
    let hub_ledger = dir.path().join("hub-ledger.jsonl");
    std::fs::write(&hub_ledger, hub.admin_get("/v1/admin/ledger")).unwrap();
    let out = cli_ok(
        &a.profile,
        &[
            "audit",
            "reconcile",
            ledger.to_str().unwrap(),
            hub_ledger.to_str().unwrap(),
        ],
    );
    assert!(out.contains("the ledgers match"), "{out}");
    // Tampering with one byte of a body is caught and the entry named (on a copy).
    let ledger_copy = dir.path().join("tampered.jsonl");
    std::fs::copy(&ledger, &ledger_copy).unwrap();
    let ledger = ledger_copy;
    let text = std::fs::read_to_string(&ledger).unwrap();
    let pos = text.find("\"body_b64\":\"").unwrap() + 20;
    let mut bytes = text.into_bytes();
    bytes[pos] = if bytes[pos] == b'A' { b'B' } else { b'A' };
    std::fs::write(&ledger, &bytes).unwrap();
    let out = cli(&a.profile, &["audit", "verify", ledger.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ledger entry 1"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Canary: no marker in any hub file (DB, WAL, keys), the hub's log, any request
    // body the device sent (its ledger) or the hub received (its ledger).
    let mut hub_files = files_under(&hub.data_dir);
    hub_files.push(hub.log.clone());
    let sent =
        decoded_bodies(&std::fs::read_to_string(dir.path().join("device-ledger.jsonl")).unwrap());
    let received = decoded_bodies(&std::fs::read_to_string(&hub_ledger).unwrap());
    assert!(
        sent.contains("pii_spans") && received.contains("misclassification"),
        "bodies were not decoded"
    );
    for m in &markers {
        for f in &hub_files {
            let content = std::fs::read(f).unwrap_or_default();
            assert!(
                !content.windows(m.len()).any(|w| w == m.as_bytes()),
                "marker in {}",
                f.display()
            );
        }
        assert!(!sent.contains(m.as_str()) && !received.contains(m.as_str()));
    }

    // Purge after acknowledgement with no grace: labelled items leave the device; the
    // skipped one stays, since it comes back at the end of the queue.
    let before: Value = serde_json::from_str(&cli_ok(&a.profile, &["status", "--json"])).unwrap();
    cli_ok(&a.profile, &["sync", "--grace-days", "0"]);
    let after: Value = serde_json::from_str(&cli_ok(&a.profile, &["status", "--json"])).unwrap();
    assert_eq!(
        before["items"].as_u64().unwrap() - after["items"].as_u64().unwrap(),
        4,
        "{after}"
    );
    assert_eq!(after["skipped"], 1, "{after}");
}

/// Every `body_b64` of a ledger export, decoded and concatenated.
fn decoded_bodies(jsonl: &str) -> String {
    use base64::Engine as _;
    let mut out = String::new();
    for l in jsonl.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(l).unwrap();
        // (The hub ledger's last line, its signed head, has no body.)
        let Some(b64) = v["body_b64"].as_str() else {
            continue;
        };
        let b = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        out.push_str(&String::from_utf8_lossy(&b));
        out.push('\n');
    }
    out
}

#[test]
fn authorization_revocation_and_foreign_batches() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(&dir.path().join("hub"));
    let a = enroll(&hub, &dir.path().join("a"), "a");
    let b = enroll(&hub, &dir.path().join("b"), "b");
    assign(
        &hub,
        &a,
        &[
            "one two three four five six".into(),
            "seven eight nine ten eleven".into(),
        ],
    );
    // B sees no batch of A's.
    assert!(cli_ok(&b.profile, &["pull"]).contains("no new batches"));
    cli_ok(&a.profile, &["pull"]);
    cli_ok(&a.profile, &["label", "--verdict", "correct"]);
    // An enrollment code works once.
    let (_, created) = hub.admin_post("/v1/admin/annotators", &json!({"name": "c"}));
    let code = created["enrollment_code"].as_str().unwrap();
    cli_ok(
        &dir.path().join("c"),
        &["enroll", "--hub", &hub.url, "--code", code],
    );
    let reuse = cli(
        &dir.path().join("d"),
        &["enroll", "--hub", &hub.url, "--code", code],
    );
    assert!(!reuse.status.success());
    // Revoked: refused, and the label stays queued on the device.
    let (st, _) = hub.admin_post(
        &format!("/v1/admin/devices/{}/revoke", a.device_id),
        &json!({}),
    );
    assert_eq!(st, 200);
    let out = cli(&a.profile, &["sync", "--attempts", "1"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("revoked"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(hub_labels(&hub).is_empty());
}

#[test]
fn offline_then_back_and_sigkill_mid_sync_lose_and_duplicate_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    let mut hub = Hub::start(&hub_dir);
    let a = enroll(&hub, &dir.path().join("a"), "a");
    let texts: Vec<String> = (0..400)
        .map(|i| format!("message number {i} about a card payment"))
        .collect();
    assign(&hub, &a, &texts);
    cli_ok(&a.profile, &["pull"]);
    for _ in 0..150 {
        cli_ok(&a.profile, &["label", "--verdict", "correct"]);
    }
    // Hub down: sync fails clearly, nothing is lost.
    let url = hub.url.clone();
    drop(hub);
    let out = cli(&a.profile, &["sync", "--attempts", "2"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be reached"));
    // Back on the same port is not guaranteed; the device keeps its hub URL, so restart
    // the hub on that address.
    let port = url.rsplit(':').next().unwrap().to_string();
    hub = Hub::start_on(&hub_dir, &format!("127.0.0.1:{port}"));
    // SIGKILL the sync at random points, several times, then let one finish.
    let mut seed = 12345u64;
    for round in 0..8 {
        for _ in 0..20 {
            cli_ok(&a.profile, &["label", "--verdict", "correct"]);
        }
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let delay = std::time::Duration::from_millis(5 + (seed >> 33) % 120);
        let mut child = std::process::Command::new(labelvault_system_tests::bin(
            "labelvault-cli",
            "labelvault",
        ))
        .arg("--profile")
        .arg(&a.profile)
        .args(["sync", "--attempts", "1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let _ = round;
    }
    cli_ok(&a.profile, &["sync"]);
    let labels = hub_labels(&hub);
    let keys: HashSet<(String, u64)> = labels
        .iter()
        .map(|l| {
            (
                l["item_id"].as_str().unwrap().into(),
                l["revision"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(labels.len(), 150 + 8 * 20, "every label exactly once");
    assert_eq!(keys.len(), labels.len());
    // And the device ledger still verifies after all those kills.
    let ledger = dir.path().join("l.jsonl");
    cli_ok(
        &a.profile,
        &["audit", "export", "-o", ledger.to_str().unwrap()],
    );
    cli_ok(
        &a.profile,
        &[
            "audit",
            "verify",
            ledger.to_str().unwrap(),
            "--hub-key",
            &hub.public_key(),
        ],
    );
}

#[test]
fn demo_enroll_sets_up_the_embedded_default() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(&dir.path().join("hub"));
    let p = dir.path().join("p");
    let token = hub.data_dir.join("admin.token");
    let out = cli_ok(
        &p,
        &[
            "demo-enroll",
            "--hub",
            &hub.url,
            "--admin-token-file",
            token.to_str().unwrap(),
        ],
    );
    assert!(out.contains("1 demo batch(es) delivered"), "{out}");
    // A demo manager account was enrolled on this machine: manager verbs work against
    // the demo hub without its token.
    assert!(out.contains("demo manager account ac_"), "{out}");
    let progress = cli_ok(&p, &["progress", "--hub", &hub.url]);
    assert!(!progress.is_empty(), "{progress}");
    assert!(cli_ok(
        &p,
        &[
            "demo-enroll",
            "--hub",
            &hub.url,
            "--admin-token-file",
            token.to_str().unwrap()
        ]
    )
    .contains("already enrolled"));
    let status: Value = serde_json::from_str(&cli_ok(&p, &["status", "--json"])).unwrap();
    assert_eq!(
        status["items"].as_u64().unwrap() as usize,
        labelvault_core::demo::demo_items().len()
    );
    cli_ok(&p, &["label", "--verdict", "correct"]);
    let r: Value =
        serde_json::from_str(cli_ok(&p, &["sync", "--json"]).lines().next().unwrap()).unwrap();
    assert_eq!(r["accepted"], 1);
}

/// A sync reaches the vault step by step: while a request is on the wire, the vault's
/// lock is free, so an app records decisions during a slow sync. The transport below is
/// the real HTTP transport to the real hub, watched: before each request it checks
/// whether the vault's lock is held (and records a decision while the request is out).
#[test]
fn a_sync_never_holds_the_vault_while_the_hub_answers() {
    use labelvault_core::sync::{Client, HttpTransport, Response, SyncOptions, Transport};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    struct Watching<'a> {
        inner: HttpTransport,
        vault: &'a Mutex<labelvault_core::Vault>,
        held: AtomicUsize,
        sent: AtomicUsize,
        decided: AtomicUsize,
    }
    impl Transport for Watching<'_> {
        fn send(
            &self,
            method: &str,
            url: &str,
            headers: &[(&str, String)],
            body: &[u8],
        ) -> Result<Response, String> {
            self.sent.fetch_add(1, Ordering::SeqCst);
            match self.vault.try_lock() {
                // Free: record a decision now, as the app's next keypress would.
                Ok(mut v) => {
                    if let Some(item) = v.peek_queue(1).expect("queue").first() {
                        v.record(&labelvault_core::labels::Decision {
                            item_id: item.item_id.clone(),
                            verdict: labelvault_core::labels::Verdict::Correct,
                            intent_id: None,
                            flags: vec![],
                            also_intents: vec![],
                            pii_spans: vec![],
                            duration_ms: 1_000,
                        })
                        .expect("a decision during the sync");
                        self.decided.fetch_add(1, Ordering::SeqCst);
                    }
                }
                Err(_) => {
                    self.held.fetch_add(1, Ordering::SeqCst);
                }
            }
            self.inner.send(method, url, headers, body)
        }
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let hub = Hub::start(&dir.path().join("hub"));
    let dev = enroll(&hub, &dir.path().join("dev"), "ann");
    let texts: Vec<String> = (0..6).map(|i| format!("where is my card {i}")).collect();
    assign(&hub, &dev, &texts);
    let profile = labelvault_core::Profile::resolve(Some(dev.profile.clone())).expect("profile");
    let vault = Mutex::new(
        labelvault_core::Vault::open(&profile, &labelvault_core::KeyringStore::new())
            .expect("vault"),
    );
    let watch = Watching {
        inner: HttpTransport::new(std::time::Duration::from_secs(15)),
        vault: &vault,
        held: AtomicUsize::new(0),
        sent: AtomicUsize::new(0),
        decided: AtomicUsize::new(0),
    };
    let mut client = Client::over(&vault, &watch);
    let pulled = client.pull().expect("pull");
    assert_eq!(pulled.len(), 1);
    // The decisions made while the batch list and the batch were on the wire, and any
    // made during the upload, all reach the hub by the end.
    let report = client.upload(&SyncOptions::default()).expect("upload");
    client.apply_notices().expect("notices");
    let report2 = client
        .upload(&SyncOptions::default())
        .expect("upload again");
    assert_eq!(
        watch.held.load(Ordering::SeqCst),
        0,
        "the vault was held during a request"
    );
    assert!(watch.sent.load(Ordering::SeqCst) >= 4);
    let decided = watch.decided.load(Ordering::SeqCst) as u64;
    assert!(
        decided >= 2,
        "decisions were recorded while requests were out"
    );
    assert_eq!(report.accepted + report2.accepted, decided);
    let labels = hub.admin_get("/v1/admin/labels");
    assert_eq!(labels.lines().count() as u64, decided);
}
