//! Two hub processes behind one PostgreSQL database, with a load balancer in front:
//! devices enrolled through one hub sync to both (alternating, concurrently, and with
//! a lost answer retried at the other hub), and every label is stored exactly once,
//! every receipt verifies, the inbound ledger is one unbroken chain, and a nonce used
//! at one hub is refused at the other. Needs `LABELVAULT_TEST_POSTGRES_URL`
//! (scripts/with-postgres.sh); skipped with a message without it, failed without it
//! when `LABELVAULT_REQUIRE_POSTGRES=1`.

use base64::Engine as _;
use labelvault_core::identity::{self, DeviceIdentity};
use labelvault_core::protocol::{self, LabelUpload, SignedReceipt, WireLabel};
use labelvault_system_tests::{cli_ok, Balancer, Device, Hub, HubOptions, PostgresDb, Route};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::Path;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn assign(hub: &Hub, device_id: &str, n: usize, tag: &str) -> Vec<String> {
    let items: Vec<Value> = (0..n)
        .map(|i| json!({"text": format!("{tag} message {i}: my card has not arrived"), "intent": "card_arrival",
                        "confidence": 0.4, "reason": "low_confidence"}))
        .collect();
    let (st, r) = hub.admin_post(
        "/v1/admin/assign",
        &json!({"device_id": device_id, "taxonomy": {"id": "t", "version": "1", "intents": [
            {"id": "card_arrival", "description": ""}, {"id": "change_pin", "description": ""}]},
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

/// Enroll a CLI device with a code from `hub`, giving it the balancer's URL.
fn enroll_behind(hub: &Hub, lb: &Balancer, profile: &Path, name: &str) -> Device {
    let (st, created) = hub.admin_post("/v1/admin/annotators", &json!({ "name": name }));
    assert_eq!(st, 200, "{created}");
    let code = created["enrollment_code"].as_str().unwrap();
    cli_ok(profile, &["enroll", "--hub", &lb.url, "--code", code]);
    let status: Value = serde_json::from_str(&cli_ok(profile, &["status", "--json"])).unwrap();
    Device {
        profile: profile.to_path_buf(),
        device_id: status["hub"]["device_id"].as_str().unwrap().to_string(),
    }
}

fn label_n(d: &Device, n: usize) {
    for i in 0..n {
        let verdict = ["correct", "unsure", "skip"][i % 3];
        cli_ok(&d.profile, &["label", "--verdict", verdict]);
    }
}

fn sync(d: &Device) -> Value {
    let out = cli_ok(&d.profile, &["sync", "--json", "--grace-days", "30"]);
    serde_json::from_str(out.lines().next().unwrap()).unwrap()
}

fn labels(hub: &Hub) -> Vec<Value> {
    hub.admin_get("/v1/admin/labels")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A signed device request, returning (status, body).
fn signed(
    id: &DeviceIdentity,
    device_id: &str,
    method: &str,
    url: &str,
    path: &str,
    body: &[u8],
    nonce: &str,
) -> (u16, Vec<u8>) {
    let ts = now();
    let sig = id.sign(&protocol::request_message(method, path, ts, nonce, body));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let headers = [
        (protocol::H_DEVICE, device_id.to_string()),
        (protocol::H_TIMESTAMP, ts.to_string()),
        (protocol::H_NONCE, nonce.to_string()),
        (protocol::H_SIGNATURE, B64.encode(sig)),
    ];
    let resp = if method == "GET" {
        let mut r = agent.get(&format!("{url}{path}"));
        for (k, v) in &headers {
            r = r.header(*k, v.as_str());
        }
        r.call()
    } else {
        let mut r = agent
            .post(&format!("{url}{path}"))
            .header("content-type", "application/json");
        for (k, v) in &headers {
            r = r.header(*k, v.as_str());
        }
        r.send(body)
    };
    let mut resp = resp.expect("request");
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_vec().unwrap_or_default())
}

fn verify_receipt(hub_key: &[u8; 32], r: &SignedReceipt) -> bool {
    let sig = B64.decode(&r.signature).unwrap_or_default();
    identity::verify(hub_key, &protocol::receipt_message(&r.receipt), &sig)
}

#[test]
fn two_hubs_share_one_postgres_database() {
    let Some(db) = PostgresDb::create("two_hubs_share_one_postgres_database") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Hub A creates the key, token and database key; hub B serves with the same ones
    // (every hub of one database signs receipts with the one key devices pin, and opens
    // the texts sealed under the one database key).
    let db_key = (
        "LABELVAULT_HUB_DB_KEY_FILE".to_string(),
        dir.path().join("hub-db.key").to_string_lossy().into_owned(),
    );
    let a = Hub::start_with(
        &dir.path().join("hub-a"),
        "127.0.0.1:0",
        HubOptions {
            db: Some(db.url.clone()),
            env: vec![db_key.clone()],
        },
    );
    let b_dir = dir.path().join("hub-b");
    std::fs::create_dir_all(&b_dir).unwrap();
    for f in ["hub.key", "admin.token"] {
        std::fs::copy(a.data_dir.join(f), b_dir.join(f)).unwrap();
    }
    let b = Hub::start_with(
        &b_dir,
        "127.0.0.1:0",
        HubOptions {
            db: Some(db.url.clone()),
            env: vec![db_key],
        },
    );
    assert_ne!(a.url, b.url);
    let hub_key_b64 = a.public_key();
    assert_eq!(b.public_key(), hub_key_b64);
    let hub_key: [u8; 32] = B64.decode(&hub_key_b64).unwrap().try_into().unwrap();
    let lb = Balancer::start(&[&a.url, &b.url]);

    // Devices enroll through hub A; their batches are assigned through hub B.
    lb.route(Route::To(0));
    let x = enroll_behind(&a, &lb, &dir.path().join("x"), "x");
    let y = enroll_behind(&a, &lb, &dir.path().join("y"), "y");
    assign(&b, &x.device_id, 16, "x");
    assign(&b, &y.device_id, 12, "y");
    lb.route(Route::RoundRobin);
    for d in [&x, &y] {
        assert!(cli_ok(&d.profile, &["pull"]).contains("imported batch"));
    }
    let mut expected = 0u64;
    let mut uploads = 0u64;

    // Alternating: one sync through each hub.
    for target in [0, 1, 0] {
        lb.route(Route::To(target));
        label_n(&x, 2);
        let r = sync(&x);
        assert_eq!(
            (r["accepted"].as_u64(), r["rejected"].as_u64()),
            (Some(2), Some(0)),
            "{r}"
        );
        expected += 2;
        uploads += r["uploads"].as_u64().unwrap();
    }

    // A lost answer: the upload reaches one hub, the device never hears back, retries
    // through the balancer and reaches the other hub, which answers with the stored
    // receipt (the labels are not stored twice).
    lb.route(Route::RoundRobin);
    lb.lose_upload_answers(1);
    label_n(&x, 3);
    let before = lb.seen().len();
    let r = sync(&x);
    assert_eq!(
        (
            r["uploads"].as_u64(),
            r["accepted"].as_u64(),
            r["duplicates"].as_u64()
        ),
        (Some(1), Some(3), Some(0)),
        "{r}"
    );
    expected += 3;
    uploads += 1;
    let posts: Vec<(usize, bool)> = lb.seen()[before..]
        .iter()
        .filter(|(_, line, _)| line.starts_with("POST /v1/labels"))
        .map(|(backend, _, lost)| (*backend, *lost))
        .collect();
    assert!(
        posts.len() >= 2 && posts[0].1,
        "no upload answer was lost: {posts:?}"
    );
    assert_ne!(
        posts[0].0, posts[1].0,
        "the retry went to the same hub: {posts:?}"
    );

    // Concurrently: both devices label and sync at once, round robin over the hubs.
    label_n(&x, 5);
    label_n(&y, 10);
    let handles: Vec<_> = [&x, &y]
        .into_iter()
        .map(|d| {
            let d = Device {
                profile: d.profile.clone(),
                device_id: d.device_id.clone(),
            };
            std::thread::spawn(move || sync(&d))
        })
        .collect();
    for (h, n) in handles.into_iter().zip([5, 10]) {
        let r = h.join().unwrap();
        assert_eq!(
            (r["accepted"].as_u64(), r["rejected"].as_u64()),
            (Some(n), Some(0)),
            "{r}"
        );
        uploads += r["uploads"].as_u64().unwrap();
    }
    expected += 15;

    // A device speaking the protocol directly: the same upload sent to both hubs at
    // the same moment gets one receipt, valid under the hub key, and its labels once.
    let z = std::sync::Arc::new(DeviceIdentity::generate().unwrap());
    let (st, created) = a.admin_post("/v1/admin/annotators", &json!({"name": "z"}));
    assert_eq!(st, 200);
    let p = z.public();
    let (st, enrolled) = b.admin_post(
        "/v1/enroll",
        &json!({"enrollment_code": created["enrollment_code"], "signing_key": p.signing_key, "recipient": p.recipient}),
    );
    assert_eq!(st, 200, "{enrolled}");
    let z_id = enrolled["device_id"].as_str().unwrap().to_string();
    let items = assign(&a, &z_id, 4, "z");
    let body = serde_json::to_vec(&LabelUpload {
        upload_id: format!("u_{}", "5a".repeat(16)),
        device_id: z_id.clone(),
        labels: items
            .iter()
            .map(|i| {
                serde_json::from_value::<WireLabel>(json!({"item_id": i, "revision": 1, "retracted": false,
                    "verdict": "correct", "intent_id": null, "flags": [], "pii_spans": [], "duration_ms": 3, "decided_at_ms": 1_763_800_000_000_i64}))
                .unwrap()
            })
            .collect(),
    })
    .unwrap();
    let racers: Vec<_> = [a.url.clone(), b.url.clone()]
        .into_iter()
        .enumerate()
        .map(|(i, url)| {
            let (z, z_id, body) = (z.clone(), z_id.clone(), body.clone());
            std::thread::spawn(move || {
                signed(
                    &z,
                    &z_id,
                    "POST",
                    &url,
                    "/v1/labels",
                    &body,
                    &format!("{i:032x}"),
                )
            })
        })
        .collect();
    let receipts: Vec<SignedReceipt> = racers
        .into_iter()
        .map(|t| {
            let (st, body) = t.join().unwrap();
            assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
            serde_json::from_slice(&body).unwrap()
        })
        .collect();
    assert_eq!(receipts[0], receipts[1]);
    assert_eq!(receipts[0].receipt.accepted, 4);
    assert!(verify_receipt(&hub_key, &receipts[0]));
    expected += 4;
    uploads += 1;

    // A nonce used at hub A is a replay at hub B.
    let (st, _) = signed(
        &z,
        &z_id,
        "GET",
        &a.url,
        "/v1/batches",
        b"",
        "0123456789abcdef0123456789abcdef",
    );
    assert_eq!(st, 200);
    let (st, refused) = signed(
        &z,
        &z_id,
        "GET",
        &b.url,
        "/v1/batches",
        b"",
        "0123456789abcdef0123456789abcdef",
    );
    let refused: Value = serde_json::from_slice(&refused).unwrap_or(Value::Null);
    assert_eq!(
        (st, refused["code"].as_str()),
        (401, Some("replayed")),
        "{refused}"
    );

    // Both hubs see the same labels, each exactly once.
    let from_a = labels(&a);
    assert_eq!(from_a, labels(&b));
    assert_eq!(from_a.len() as u64, expected);
    let keys: HashSet<String> = from_a
        .iter()
        .map(|l| format!("{}/{}/{}", l["device_id"], l["item_id"], l["revision"]))
        .collect();
    assert_eq!(keys.len() as u64, expected);

    // One ledger entry per upload, one unbroken chain, whichever hub appended it.
    // (Each hub signs its own head at export time: compare the entries.)
    let entries = |t: String| -> String {
        t.lines()
            .filter(|l| !l.starts_with("{\"signed_head\""))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    let hub_ledger = entries(a.admin_get("/v1/admin/ledger"));
    assert_eq!(hub_ledger, entries(b.admin_get("/v1/admin/ledger")));
    assert_eq!(
        labelvault_hub::store::verify_ledger(&hub_ledger),
        Ok(uploads)
    );
    let ledger_path = dir.path().join("hub-ledger.jsonl");
    std::fs::write(&ledger_path, &hub_ledger).unwrap();

    // Each device's receipts verify under the hub key, and its ledger matches the hub's.
    for d in [&x, &y] {
        let path = d.profile.join("device-ledger.jsonl");
        cli_ok(
            &d.profile,
            &["audit", "export", "-o", path.to_str().unwrap()],
        );
        let out = cli_ok(
            &d.profile,
            &[
                "audit",
                "verify",
                path.to_str().unwrap(),
                "--hub-key",
                &hub_key_b64,
            ],
        );
        assert!(out.contains("OK:"), "{out}");
        let out = cli_ok(
            &d.profile,
            &[
                "audit",
                "reconcile",
                path.to_str().unwrap(),
                ledger_path.to_str().unwrap(),
            ],
        );
        assert!(out.contains("the ledgers match"), "{out}");
    }
}
