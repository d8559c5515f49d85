//! Sync of 10,000 labels over loopback — build, validate, leak guard, ledger, send,
//! verify receipt — against the same labels sent with the privacy steps off (no guard,
//! no validation, no ledger: a signed POST and nothing else) in the same run; hub ingest
//! throughput on SQLite.
//!
//! Run: `cargo bench -p labelvault-hub --bench sync`.

use base64::Engine as _;
use labelvault_core::keystore::MemoryKeyStore;
use labelvault_core::labels::{Decision, Verdict};
use labelvault_core::protocol::{self, LabelUpload};
use labelvault_core::sync::{Client, HttpTransport, SyncOptions, Transport};
use labelvault_core::{Profile, Vault};
use labelvault_hub::{config, routes, store, AppState};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

const N: usize = 10_000;

fn admin(url: &str, token: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
    let mut r = ureq::post(&format!("{url}{path}"))
        .header("authorization", &format!("Bearer {token}"))
        .header("content-type", "application/json")
        .send(body.to_string().as_bytes())
        .expect("admin call");
    serde_json::from_str(
        &r.body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_string()
            .expect("body"),
    )
    .expect("json")
}

/// An enrolled device with N labelled items.
fn device(
    dir: &std::path::Path,
    name: &str,
    url: &str,
    token: &str,
    keys: &MemoryKeyStore,
    transport: &HttpTransport,
) -> Vault {
    let mut v = Vault::open(&Profile::at(&dir.join(name)).expect("profile"), keys).expect("vault");
    let code = admin(url, token, "/v1/admin/annotators", json!({"name": name}))["enrollment_code"]
        .as_str()
        .expect("code")
        .to_string();
    let link = Client::new(&mut v, transport)
        .enroll(url, &code)
        .expect("enroll");
    let items: Vec<serde_json::Value> = (0..N)
        .map(|i| json!({"text": format!("customer {name} message {i}: my card payment to the shop was declined twice today"),
                        "intent": "card_declined", "confidence": 0.3, "reason": "low_confidence"}))
        .collect();
    admin(
        url,
        token,
        "/v1/admin/assign",
        json!({"device_id": link.device_id, "items": items,
        "taxonomy": {"id": "t", "version": "1", "intents": [{"id": "card_declined", "description": ""}, {"id": "other", "description": ""}]}}),
    );
    Client::new(&mut v, transport).pull().expect("pull");
    while let Some(q) = v.next_item().expect("next") {
        let verdict = if q.text.len() % 2 == 0 {
            Verdict::Correct
        } else {
            Verdict::Wrong
        };
        let intent = (verdict == Verdict::Wrong).then(|| "other".to_string());
        v.record(&Decision {
            item_id: q.item_id,
            verdict,
            intent_id: intent,
            flags: vec![],
            pii_spans: vec![],
            duration_ms: 800,
            also_intents: Vec::new(),
        })
        .expect("record");
    }
    v
}

fn main() {
    let dir = tempfile::tempdir().expect("tmp");
    let key = config::load_or_create_key(dir.path()).expect("key");
    let token = config::load_or_create_token(dir.path()).expect("token");
    let token_s = token.as_str().to_string();
    let store =
        store::open(&format!("sqlite://{}", dir.path().join("hub.db").display())).expect("store");
    labelvault_hub::people::register_bootstrap(&*store, &token, 30, None).expect("admin token");
    let state = AppState {
        store,
        key: Arc::new(key),
        redactor: Default::default(),
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = routes::router(state).layer(axum::middleware::map_response(routes::limit_errors));
    rt.spawn(async move { axum::serve(listener, app).await });

    let keys = MemoryKeyStore::default();
    let transport = HttpTransport::new(Duration::from_secs(60));
    let mut a = device(dir.path(), "a", &url, &token_s, &keys, &transport);
    let b = device(dir.path(), "b", &url, &token_s, &keys, &transport);

    // Full sync with every privacy step.
    let t = Instant::now();
    let report = Client::new(&mut a, &transport)
        .upload(&SyncOptions {
            grace_secs: i64::MAX / 4,
            ..SyncOptions::default()
        })
        .expect("sync");
    let full = t.elapsed();
    assert_eq!(report.accepted as usize, N);

    // Baseline: the same kind of labels, signed and POSTed directly (no validation, no
    // guard, no ledger), receipts still checked, in the same chunk size.
    let link = b.hub_link().expect("link").expect("enrolled");
    let labels = b.unsent_labels(N).expect("labels");
    let t = Instant::now();
    let mut accepted = 0u64;
    for (n, chunk) in labels
        .chunks(labelvault_core::sync::LABELS_PER_UPLOAD)
        .enumerate()
    {
        let body = serde_json::to_vec(&LabelUpload {
            upload_id: format!("u_{n:032x}"),
            device_id: link.device_id.clone(),
            labels: chunk.iter().map(|(_, l)| l.clone()).collect(),
        })
        .expect("json");
        let ts = labelvault_core::batch::now_unix();
        let nonce = labelvault_core::batch::random_id("").expect("nonce");
        let sig = b.identity().sign(&protocol::request_message(
            "POST",
            "/v1/labels",
            ts,
            &nonce,
            &body,
        ));
        let headers = vec![
            (protocol::H_DEVICE, link.device_id.clone()),
            (protocol::H_TIMESTAMP, ts.to_string()),
            (protocol::H_NONCE, nonce),
            (
                protocol::H_SIGNATURE,
                base64::engine::general_purpose::STANDARD.encode(sig),
            ),
        ];
        let resp = transport
            .send("POST", &format!("{url}/v1/labels"), &headers, &body)
            .expect("post");
        let r: protocol::SignedReceipt = serde_json::from_slice(&resp.body).expect("receipt");
        accepted += u64::from(r.receipt.accepted);
    }
    let raw = t.elapsed();
    assert_eq!(accepted as usize, N);
    println!("sync of {N} labels over loopback, SQLite hub:");
    println!(
        "  with validation + leak guard + ledger + receipt check: {:.0} ms",
        full.as_secs_f64() * 1e3
    );
    println!(
        "  baseline (signed POST only, same chunks):             {:.0} ms",
        raw.as_secs_f64() * 1e3
    );
    println!(
        "  cost of the privacy steps: {:.2}x",
        full.as_secs_f64() / raw.as_secs_f64()
    );
    println!(
        "  hub ingest (baseline path): {:.0} labels/s",
        N as f64 / raw.as_secs_f64()
    );
    drop(rt);
}
