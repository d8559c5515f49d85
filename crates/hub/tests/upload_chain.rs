//! Label uploads and the inbound ledger's chain, on every store. On PostgreSQL an upload
//! locks only its own device and leaves its ledger entry pending; entries are chained
//! in batches. These tests hold the observable contract to what it was when every
//! upload chained inline: many devices uploading at once (through two store instances,
//! as two hubs on one database) end with one chain that verifies with the hub key and
//! holds every upload exactly once; the same upload id sent twice at once is stored once
//! (same body: both get the one receipt; other body: one is refused); an upload whose
//! entry was not chained yet (another hub held the chain head, or the hub stopped) is
//! in the ledger export all the same.

use base64::Engine as _;
use labelvault_core::protocol::{Receipt, SignedReceipt, WireLabel};
use labelvault_hub::error::HubError;
use labelvault_hub::store::{self, HubStore, NewBatch, Upload};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Barrier};

mod common;
use common::Backend;

on_both_stores!(
    many_devices_uploading_at_once_make_one_verifying_chain,
    one_upload_id_sent_twice_at_once_is_stored_once,
    an_upload_not_chained_yet_is_in_the_ledger_export,
);

/// The PostgreSQL URL of a backend (`None` on SQLite), taken before the hub owns it.
fn pg_url(b: &Backend) -> Option<String> {
    match b {
        Backend::Postgres(db) => Some(db.url.clone()),
        Backend::Sqlite => None,
    }
}

/// A second store on the hub's database: its own instance on PostgreSQL (a second hub),
/// the hub's own on SQLite (one process owns an embedded database).
fn second_store(h: &common::Hub, url: &Option<String>) -> Arc<dyn HubStore> {
    match url {
        Some(u) => store::open(u).expect("open a second store"),
        None => h.state.store.clone(),
    }
}

/// Signs receipts as the hub's upload route does, with the test hub's key.
fn signer(h: &common::Hub) -> impl Fn(Receipt) -> SignedReceipt + Sync + Send + Clone {
    let key = h.state.key.clone();
    move |mut r: Receipt| {
        r.hub_key_id = key.key_id();
        let signature = base64::engine::general_purpose::STANDARD
            .encode(key.sign(&labelvault_core::protocol::receipt_message(&r)));
        SignedReceipt {
            receipt: r,
            signature,
        }
    }
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, b))
}

/// Enroll device number `n` with `items` assigned to it; its device id.
fn device_with_items(s: &dyn HubStore, n: u32, items: &[String]) -> String {
    let code = sha256_hex(&n.to_be_bytes());
    s.create_annotator(&format!("a{n}"), &code, i64::MAX)
        .expect("annotator");
    let mut key = [0u8; 32];
    key[..4].copy_from_slice(&n.to_be_bytes());
    key[31] = 1;
    let id = s.enroll(&code, 1, &key, "age1x").expect("enroll");
    s.store_batch(&NewBatch {
        batch_id: format!("b_{n}"),
        device_id: id.clone(),
        created_at: 1,
        expires_at: i64::MAX,
        bytes: vec![1],
        item_ids: items.to_vec(),
        item_chars: vec![],
        item_texts: vec![],
        intents: vec!["a".into()],
    })
    .expect("batch");
    id
}

fn label(item: &str, revision: u32) -> WireLabel {
    serde_json::from_value(serde_json::json!({"item_id": item, "revision": revision, "retracted": false,
        "verdict": "correct", "intent_id": null, "flags": [], "pii_spans": [], "duration_ms": 5, "decided_at_ms": 1}))
    .expect("label")
}

/// The ledger export (`GET /v1/admin/ledger`), verified with the hub key (chain, hashes,
/// receipt signatures, signed head); its entries as (device id, body SHA-256).
fn verified_ledger(h: &common::Hub) -> Vec<(String, String)> {
    let (st, _, _, text) = h.get("/v1/admin/ledger");
    assert_eq!(st, 200, "{text}");
    let pk = labelvault_core::identity::parse_public_key(&h.state.key.public_key())
        .expect("hub public key");
    let report =
        labelvault_core::ledger::verify_hub_ledger(&text, Some(&pk)).expect("ledger verifies");
    let ledger = labelvault_core::ledger::read_hub_ledger(&text).expect("ledger reads");
    assert_eq!(report.entries, ledger.entries.len() as u64);
    ledger
        .entries
        .into_iter()
        .map(|e| (e.device_id, e.body_sha256))
        .collect()
}

fn ingest(
    s: &dyn HubStore,
    sign: &(dyn Fn(Receipt) -> SignedReceipt + Sync),
    device: &str,
    upload_id: &str,
    body: &[u8],
    labels: &[WireLabel],
) -> Result<SignedReceipt, HubError> {
    s.ingest(
        &Upload {
            device_id: device,
            upload_id,
            body,
            body_sha256: &sha256_hex(body),
            labels,
            now_ms: 1_000,
        },
        sign,
    )
}

fn many_devices_uploading_at_once_make_one_verifying_chain(b: Backend) {
    let url = pg_url(&b);
    let h = common::start(b);
    let stores = [h.state.store.clone(), second_store(&h, &url)];
    let sign = signer(&h);
    const DEVICES: u32 = 12;
    const UPLOADS: usize = 8;
    const ITEMS: usize = 3;
    let devices: Vec<(String, Vec<String>)> = (0..DEVICES)
        .map(|d| {
            let items: Vec<String> = (0..ITEMS).map(|i| format!("i_{d}_{i}")).collect();
            (device_with_items(&*stores[0], d, &items), items)
        })
        .collect();
    // Every upload is sent twice at the same moment, once through each store; each
    // carries every item at revision u + 2 and the revision-1 labels again.
    let barrier = Arc::new(Barrier::new(devices.len() * 2));
    let mut threads = Vec::new();
    for (id, items) in &devices {
        for s in &stores {
            let (s, id, items, barrier, sign) = (
                s.clone(),
                id.clone(),
                items.clone(),
                barrier.clone(),
                sign.clone(),
            );
            threads.push(std::thread::spawn(move || {
                barrier.wait();
                (0..UPLOADS)
                    .map(|u| {
                        let mut labels: Vec<WireLabel> =
                            items.iter().map(|i| label(i, u as u32 + 2)).collect();
                        labels.extend(items.iter().map(|i| label(i, 1)));
                        let upload_id = format!("u_{u}");
                        let body = format!("{id}/{upload_id}").into_bytes();
                        let r =
                            ingest(&*s, &sign, &id, &upload_id, &body, &labels).expect("ingest");
                        ((id.clone(), upload_id), r)
                    })
                    .collect::<Vec<_>>()
            }));
        }
    }
    let mut by_upload: HashMap<(String, String), Vec<SignedReceipt>> = HashMap::new();
    for t in threads {
        for (k, r) in t.join().expect("upload thread") {
            by_upload.entry(k).or_default().push(r);
        }
    }
    assert_eq!(by_upload.len(), DEVICES as usize * UPLOADS);
    let mut accepted = 0;
    for (k, rs) in &by_upload {
        assert_eq!(rs.len(), 2);
        assert_eq!(rs[0], rs[1], "two receipts for {k:?}");
        accepted += rs[0].receipt.accepted as usize;
    }
    let expected_labels = DEVICES as usize * ITEMS * (UPLOADS + 1);
    assert_eq!(accepted, expected_labels);
    assert_eq!(
        h.state.store.labels_jsonl().unwrap().lines().count(),
        expected_labels
    );
    // One verifying chain holding every upload exactly once, whichever store read it.
    let entries = verified_ledger(&h);
    assert_eq!(entries.len(), DEVICES as usize * UPLOADS);
    let distinct: HashSet<&(String, String)> = entries.iter().collect();
    assert_eq!(distinct.len(), entries.len(), "an upload chained twice");
    for (id, upload_id) in by_upload.keys() {
        let body = format!("{id}/{upload_id}").into_bytes();
        assert!(distinct.contains(&(id.clone(), sha256_hex(&body))));
    }
    assert_eq!(
        store::verify_ledger(&stores[1].ledger_jsonl().unwrap()),
        Ok(entries.len() as u64)
    );
    // Uploads after the export chain on after it.
    let (id, items) = &devices[0];
    ingest(
        &*stores[1],
        &sign,
        id,
        "u_late",
        b"late",
        &[label(&items[0], 99)],
    )
    .expect("ingest");
    assert_eq!(verified_ledger(&h).len(), entries.len() + 1);
}

fn one_upload_id_sent_twice_at_once_is_stored_once(b: Backend) {
    let url = pg_url(&b);
    let h = common::start(b);
    let stores = [h.state.store.clone(), second_store(&h, &url)];
    let sign = signer(&h);
    const ROUNDS: usize = 10;
    let items: Vec<String> = (0..2).map(|i| format!("i_{i}")).collect();
    let id = device_with_items(&*stores[0], 0, &items);
    let labels = vec![label(&items[0], 1), label(&items[1], 1)];
    for round in 0..ROUNDS {
        // Even rounds: the same body twice; odd rounds: two bodies under one upload id.
        let upload_id = format!("u_{round}");
        let barrier = Arc::new(Barrier::new(2));
        let results: Vec<_> = stores
            .iter()
            .enumerate()
            .map(|(side, s)| {
                let (s, id, upload_id, labels, barrier, sign) = (
                    s.clone(),
                    id.clone(),
                    upload_id.clone(),
                    labels.clone(),
                    barrier.clone(),
                    sign.clone(),
                );
                let body = if round % 2 == 0 {
                    format!("body {round}")
                } else {
                    format!("body {round} side {side}")
                };
                std::thread::spawn(move || {
                    barrier.wait();
                    (
                        sha256_hex(body.as_bytes()),
                        ingest(&*s, &sign, &id, &upload_id, body.as_bytes(), &labels),
                    )
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().expect("upload thread"))
            .collect();
        if round % 2 == 0 {
            let (a, b) = (
                results[0].1.as_ref().expect("first send"),
                results[1].1.as_ref().expect("second send"),
            );
            assert_eq!(a, b, "round {round}: both sends get the one stored receipt");
        } else {
            let ok: Vec<_> = results.iter().filter(|(_, r)| r.is_ok()).collect();
            assert_eq!(ok.len(), 1, "round {round}: exactly one body is stored");
            let refused = results
                .iter()
                .find_map(|(_, r)| r.as_ref().err())
                .expect("one refusal");
            assert!(
                matches!(
                    refused,
                    HubError::Conflict {
                        code: "upload_id_reused",
                        ..
                    }
                ),
                "round {round}: {refused:?}"
            );
        }
    }
    // Labels once (the first round accepted both; later rounds are duplicates) and one
    // ledger entry per upload id, each the body whose receipt was given.
    assert_eq!(h.state.store.labels_jsonl().unwrap().lines().count(), 2);
    let entries = verified_ledger(&h);
    assert_eq!(entries.len(), ROUNDS);
    assert!(entries.iter().all(|(d, _)| d == &id));
    let bodies: HashSet<&String> = entries.iter().map(|(_, b)| b).collect();
    assert_eq!(bodies.len(), ROUNDS);
}

fn an_upload_not_chained_yet_is_in_the_ledger_export(b: Backend) {
    let url = pg_url(&b);
    let h = common::start(b);
    let sign = signer(&h);
    let items = vec!["i_0".to_string(), "i_1".to_string()];
    let id = device_with_items(&*h.state.store, 0, &items);
    ingest(
        &*h.state.store,
        &sign,
        &id,
        "u_0",
        b"first",
        &[label(&items[0], 1)],
    )
    .expect("ingest");
    let Some(url) = url else {
        // SQLite chains each upload as it is stored: nothing is ever pending.
        assert_eq!(h.state.store.chain_ledger().unwrap(), 0);
        ingest(
            &*h.state.store,
            &sign,
            &id,
            "u_1",
            b"second",
            &[label(&items[1], 1)],
        )
        .expect("ingest");
        assert_eq!(verified_ledger(&h).len(), 2);
        return;
    };
    let mut db = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    let count = |db: &mut postgres::Client, table: &str| -> i64 {
        db.query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .expect("count")
            .get(0)
    };
    // Chained by the hub on its own, off the request path, without any read.
    let chained = (0..100).any(|_| {
        let n = (count(&mut db, "ledger"), count(&mut db, "ledger_pending"));
        if n != (1, 0) {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        n == (1, 0)
    });
    assert!(chained, "the upload's entry was not chained within 5 s");
    // Another hub holds the chain head while an upload arrives through a second hub,
    // which then stops: the upload is answered and stored, its entry left pending.
    let mut holder = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    let mut tx = holder.transaction().expect("begin");
    tx.query_one("SELECT seq FROM ledger_head WHERE only_row FOR UPDATE", &[])
        .expect("hold the chain head");
    let other = store::open(&url).expect("second hub's store");
    let r = ingest(
        &*other,
        &sign,
        &id,
        "u_1",
        b"second",
        &[label(&items[1], 1)],
    )
    .expect("stored without waiting for the chain head");
    assert_eq!(r.receipt.accepted, 1);
    drop(other);
    assert_eq!(
        (count(&mut db, "ledger"), count(&mut db, "ledger_pending")),
        (1, 1)
    );
    tx.commit().expect("release the chain head");
    // The export chains it first, and the chain verifies with the hub key.
    let entries = verified_ledger(&h);
    assert_eq!(
        entries,
        vec![
            (id.clone(), sha256_hex(b"first")),
            (id.clone(), sha256_hex(b"second"))
        ]
    );
    assert_eq!(
        (count(&mut db, "ledger"), count(&mut db, "ledger_pending")),
        (2, 0)
    );
    // The periodic run chains what is pending without any read.
    let mut tx = holder.transaction().expect("begin");
    tx.query_one("SELECT seq FROM ledger_head WHERE only_row FOR UPDATE", &[])
        .expect("hold the chain head");
    ingest(
        &*h.state.store,
        &sign,
        &id,
        "u_2",
        b"third",
        &[label(&items[0], 2)],
    )
    .expect("ingest");
    assert_eq!(
        h.state.store.chain_ledger().unwrap(),
        0,
        "head held elsewhere"
    );
    assert_eq!(count(&mut db, "ledger_pending"), 1);
    tx.commit().expect("release the chain head");
    // (The hub's chaining thread, woken by the upload, may have run again meanwhile.)
    assert!(h.state.store.chain_ledger().unwrap() <= 1);
    assert_eq!(
        (count(&mut db, "ledger"), count(&mut db, "ledger_pending")),
        (3, 0)
    );
    assert_eq!(verified_ledger(&h).len(), 3);
}
