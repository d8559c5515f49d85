//! The storage contract under concurrency, on every store: many uploads at once (and
//! the same upload twice at once) keep each label exactly once, the ledger one
//! unbroken chain, a nonce single-use and an enrollment code single-use. On PostgreSQL
//! the racing calls go through two separate store instances, as two hub processes
//! would.

use labelvault_core::pipeline::Message;
use labelvault_core::protocol::{Receipt, SignedReceipt, WireLabel};
use labelvault_hub::error::HubError;
use labelvault_hub::store::{self, DispatchBatch, HubStore, NewBatch, NewCopy, Upload};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Barrier};

mod common;
use common::Backend;

on_both_stores!(
    concurrent_uploads_keep_labels_once_and_one_chain,
    racing_nonces_and_codes_have_one_winner,
    racing_dispatches_never_exceed_the_overlap,
    a_label_error_copy_does_not_lift_the_overlap,
    racing_rescores_of_the_same_messages_both_get_a_revision,
    a_dispatch_built_before_a_rescore_is_refused,
    ingests_and_an_erasure_at_once_never_deadlock,
    a_damaged_row_fails_loudly_and_alike_on_every_store,
);

/// Two handles on one database: separate instances (two "processes") on PostgreSQL,
/// the same instance twice on SQLite (one process owns an embedded database).
fn two_stores(b: &Backend, dir: &std::path::Path) -> [Arc<dyn HubStore>; 2] {
    let a = store::open(&b.url(dir)).expect("open store");
    let other = match b {
        Backend::Sqlite => a.clone(),
        Backend::Postgres(_) => store::open(&b.url(dir)).expect("open a second store"),
    };
    [a, other]
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, b))
}

fn sign(r: Receipt) -> SignedReceipt {
    SignedReceipt {
        receipt: r,
        signature: "test".into(),
    }
}

fn enroll(s: &dyn HubStore, n: u8) -> String {
    let code = sha256_hex(&[n, 1]);
    s.create_annotator("a", &code, i64::MAX).expect("annotator");
    let mut key = [0u8; 32];
    key[0] = n;
    s.enroll(&code, 1, &key, "age1x").expect("enroll")
}

fn label(item: &str, revision: u32) -> WireLabel {
    serde_json::from_value(serde_json::json!({"item_id": item, "revision": revision, "retracted": false,
        "verdict": "correct", "intent_id": null, "flags": [], "pii_spans": [], "duration_ms": 5, "decided_at_ms": 1}))
    .expect("label")
}

fn concurrent_uploads_keep_labels_once_and_one_chain(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let stores = two_stores(&b, dir.path());
    const DEVICES: u8 = 4;
    const UPLOADS: usize = 6;
    const ITEMS: usize = 5;
    let mut devices = Vec::new();
    for d in 0..DEVICES {
        let id = enroll(&*stores[0], d);
        let items: Vec<String> = (0..ITEMS).map(|i| format!("i_{d}_{i}")).collect();
        stores[1]
            .store_batch(&NewBatch {
                batch_id: format!("b_{d}"),
                device_id: id.clone(),
                created_at: 1,
                expires_at: i64::MAX,
                bytes: vec![d],
                item_ids: items.clone(),
                item_chars: vec![],
                item_texts: vec![],
                intents: vec!["a".into()],
            })
            .expect("batch");
        devices.push((id, items));
    }
    // Each upload carries every item at revision `u + 1`, and the revision-1 labels
    // again (duplicates after the first upload). Every upload is sent twice at the
    // same moment, once through each store.
    let barrier = Arc::new(Barrier::new(devices.len() * 2));
    let mut threads = Vec::new();
    for (id, items) in devices.clone() {
        for (side, s) in stores.iter().enumerate() {
            let (s, id, items, barrier) = (s.clone(), id.clone(), items.clone(), barrier.clone());
            threads.push(std::thread::spawn(move || {
                barrier.wait();
                let mut receipts = Vec::new();
                for u in 0..UPLOADS {
                    let mut labels: Vec<WireLabel> =
                        items.iter().map(|i| label(i, u as u32 + 2)).collect();
                    labels.extend(items.iter().map(|i| label(i, 1)));
                    let upload_id = format!("u_{u}");
                    let body = format!("{id}/{upload_id}").into_bytes();
                    let r = s
                        .ingest(
                            &Upload {
                                device_id: &id,
                                upload_id: &upload_id,
                                body: &body,
                                body_sha256: &sha256_hex(&body),
                                labels: &labels,
                                now_ms: 1_000 + u as i64,
                            },
                            &sign,
                        )
                        .expect("ingest");
                    receipts.push(((id.clone(), upload_id), r, side));
                }
                receipts
            }));
        }
    }
    let mut by_upload: HashMap<(String, String), Vec<SignedReceipt>> = HashMap::new();
    for t in threads {
        for (k, r, _) in t.join().expect("ingest thread") {
            by_upload.entry(k).or_default().push(r);
        }
    }
    // Both sends of an upload got the one stored receipt.
    assert_eq!(by_upload.len(), DEVICES as usize * UPLOADS);
    let mut accepted = 0;
    for (k, rs) in &by_upload {
        assert_eq!(rs.len(), 2);
        assert_eq!(rs[0], rs[1], "two receipts for {k:?}");
        accepted += rs[0].receipt.accepted as usize;
    }
    // Every label once: ITEMS new revisions per upload, plus revision 1 once.
    let expected = DEVICES as usize * ITEMS * (UPLOADS + 1);
    assert_eq!(accepted, expected);
    let labels = stores[0].labels_jsonl().unwrap();
    let keys: HashSet<String> = labels
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            format!("{}/{}/{}", v["device_id"], v["item_id"], v["revision"])
        })
        .collect();
    assert_eq!(labels.lines().count(), expected);
    assert_eq!(keys.len(), expected);
    // One ledger entry per upload, one unbroken chain, whichever store wrote it.
    for s in &stores {
        assert_eq!(
            store::verify_ledger(&s.ledger_jsonl().unwrap()),
            Ok((DEVICES as usize * UPLOADS) as u64)
        );
    }
}

fn racing_nonces_and_codes_have_one_winner(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let stores = two_stores(&b, dir.path());
    let device = enroll(&*stores[0], 0);
    // A nonce used through one store is a replay through the other.
    assert!(stores[0].use_nonce(&device, "n-1", 100).unwrap());
    assert!(!stores[1].use_nonce(&device, "n-1", 101).unwrap());
    // Eight racers, one nonce: exactly one wins.
    let barrier = Arc::new(Barrier::new(8));
    let wins: usize = (0..8)
        .map(|i| {
            let (s, d, barrier) = (stores[i % 2].clone(), device.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                s.use_nonce(&d, "n-race", 100).unwrap()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap() as usize)
        .sum();
    assert_eq!(wins, 1);
    // One code, two devices enrolling at once through different stores: one device.
    let code = sha256_hex(b"race");
    stores[0].create_annotator("r", &code, i64::MAX).unwrap();
    let barrier = Arc::new(Barrier::new(2));
    let results: Vec<_> = (0..2u8)
        .map(|i| {
            let (s, code, barrier) = (stores[i as usize].clone(), code.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut key = [9u8; 32];
                key[1] = i;
                barrier.wait();
                s.enroll(&code, 1, &key, "age1x")
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    let refused = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert!(refused.to_string().contains("already used"), "{refused}");
    // The losing key is not enrolled.
    assert_eq!(stores[1].active_devices().unwrap().len(), 2);
}

fn racing_dispatches_never_exceed_the_overlap(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let stores = two_stores(&b, dir.path());
    let devices: Vec<String> = (0..8).map(|d| enroll(&*stores[0], d)).collect();
    // Several rounds (a race is a matter of timing): in each, eight dispatches at once
    // give the same new messages each to its own device, with an overlap of 2; at most
    // two may commit, and no message ever gets a third copy.
    const ROUNDS: usize = 6;
    const MESSAGES: usize = 4;
    for round in 0..ROUNDS {
        let messages: Vec<Message> = (0..MESSAGES)
            .map(|i| Message {
                message_id: format!("r{round}m{i}"),
                text: "my card has not arrived".into(),
                company: "co".into(),
                channel: "chat".into(),
                received_at: 1_000 + i as i64,
                model_intent: "a".into(),
                confidence: 0.5,
                probabilities: vec![("a".into(), 0.5)],
                reported_false_positive: false,
                training_consent: true,
                model_version: labelvault_core::pipeline::UNVERSIONED.into(),
                language: None,
            })
            .collect();
        stores[0].insert_messages(&messages, 1).unwrap();
        let barrier = Arc::new(Barrier::new(devices.len()));
        let results: Vec<Result<(), HubError>> = devices
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let (s, d, barrier) = (stores[i % 2].clone(), d.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let items: Vec<String> = (0..MESSAGES)
                        .map(|m| format!("it_{round}_{d}_{m}"))
                        .collect();
                    let batch = DispatchBatch {
                        batch: NewBatch {
                            batch_id: format!("b_{round}_{d}"),
                            device_id: d.clone(),
                            created_at: 10,
                            expires_at: 1_000_000,
                            bytes: vec![1],
                            item_ids: items.clone(),
                            item_chars: vec![],
                            item_texts: vec![],
                            intents: vec!["a".into()],
                        },
                        copies: items
                            .iter()
                            .enumerate()
                            .map(|(m, item)| NewCopy {
                                item_id: item.clone(),
                                message_id: format!("r{round}m{m}"),
                                gold: false,
                                reason: labelvault_core::batch::Reason::LowConfidence,
                                prediction: None,
                            })
                            .collect(),
                        lease_expires_at: 1_000_000,
                    };
                    barrier.wait();
                    s.store_dispatch(&[batch], 2, 10)
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        let committed = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(committed, 2, "round {round}: {results:?}");
        for e in results.iter().filter_map(|r| r.as_ref().err()) {
            assert!(
                matches!(
                    e,
                    HubError::Conflict {
                        code: "pool_changed",
                        ..
                    }
                ),
                "{e}"
            );
        }
    }
    let status = stores[1].pipeline_status().unwrap();
    assert_eq!(status.open_copies, (2 * MESSAGES * ROUNDS) as u64);
    let items = stores[1].items_jsonl().unwrap();
    for round in 0..ROUNDS {
        for m in 0..MESSAGES {
            let needle = format!("\"message_id\":\"r{round}m{m}\"");
            assert_eq!(items.lines().filter(|l| l.contains(&needle)).count(), 2);
        }
    }
}

/// One dispatch giving a message a suspected-label-error copy and, besides it, more
/// ordinary copies than the overlap is refused as a whole: the extra look does not lift
/// the overlap for the ordinary copies.
fn a_label_error_copy_does_not_lift_the_overlap(b: Backend) {
    use labelvault_core::batch::Reason;
    let dir = tempfile::tempdir().unwrap();
    let stores = two_stores(&b, dir.path());
    let devices: Vec<String> = (0..3).map(|d| enroll(&*stores[0], d)).collect();
    let message = Message {
        message_id: "m1".into(),
        text: "my card has not arrived".into(),
        company: "co".into(),
        channel: "chat".into(),
        received_at: 1_000,
        model_intent: "a".into(),
        confidence: 0.5,
        probabilities: vec![("a".into(), 0.5)],
        reported_false_positive: false,
        training_consent: true,
        model_version: labelvault_core::pipeline::UNVERSIONED.into(),
        language: None,
    };
    stores[0].insert_messages(&[message], 1).unwrap();
    let batch = |i: usize, reason: Reason| {
        let item = format!("it_{i}");
        DispatchBatch {
            batch: NewBatch {
                batch_id: format!("b_{i}"),
                device_id: devices[i].clone(),
                created_at: 10,
                expires_at: 1_000_000,
                bytes: vec![1],
                item_ids: vec![item.clone()],
                item_chars: vec![],
                item_texts: vec![],
                intents: vec!["a".into()],
            },
            copies: vec![NewCopy {
                item_id: item,
                message_id: "m1".into(),
                gold: false,
                reason,
                prediction: None,
            }],
            lease_expires_at: 1_000_000,
        }
    };
    let batches = [
        batch(0, Reason::SuspectedLabelError),
        batch(1, Reason::LowConfidence),
        batch(2, Reason::LowConfidence),
    ];
    let refused = stores[0].store_dispatch(&batches, 1, 10).unwrap_err();
    assert!(
        matches!(
            refused,
            HubError::Conflict {
                code: "pool_changed",
                ..
            }
        ),
        "{refused}"
    );
    assert_eq!(stores[1].pipeline_status().unwrap().open_copies, 0);
    // Within the overlap, the same shape is dispatched.
    stores[0].store_dispatch(&batches[..2], 1, 10).unwrap();
    assert_eq!(stores[1].pipeline_status().unwrap().open_copies, 2);
}

/// Two ingests re-scoring the same messages at once (named in opposite orders), through
/// two store instances: both succeed, and every message ends with revisions 1, 2 and 3,
/// each given once.
fn racing_rescores_of_the_same_messages_both_get_a_revision(b: Backend) {
    const N: usize = 30;
    let dir = tempfile::tempdir().unwrap();
    let stores = two_stores(&b, dir.path());
    let device = enroll(&*stores[0], 0);
    let message = |i: usize, version: &str, intent: &str| Message {
        received_at: 1_000 + i as i64,
        ..scored(format!("m{i:02}"), version, intent)
    };
    let first: Vec<Message> = (0..N).map(|i| message(i, "v1", "a")).collect();
    stores[0].insert_messages(&first, 1).unwrap();
    // One copy each, so the revisions are listed.
    let items: Vec<String> = (0..N).map(|i| format!("it{i}")).collect();
    let batch = DispatchBatch {
        batch: NewBatch {
            batch_id: "b".into(),
            device_id: device,
            created_at: 10,
            expires_at: 1_000_000,
            bytes: vec![1],
            item_ids: items.clone(),
            item_chars: vec![],
            item_texts: vec![],
            intents: vec!["a".into()],
        },
        copies: items
            .iter()
            .enumerate()
            .map(|(i, item)| NewCopy {
                item_id: item.clone(),
                message_id: format!("m{i:02}"),
                gold: false,
                reason: labelvault_core::batch::Reason::LowConfidence,
                prediction: None,
            })
            .collect(),
        lease_expires_at: 1_000_000,
    };
    stores[0].store_dispatch(&[batch], 1, 10).unwrap();
    let barrier = Arc::new(Barrier::new(2));
    let results: Vec<_> = [("v2", "b"), ("v3", "c")]
        .into_iter()
        .enumerate()
        .map(|(t, (version, intent))| {
            let mut ms: Vec<Message> = (0..N).map(|i| message(i, version, intent)).collect();
            if t == 1 {
                ms.reverse();
            }
            let (s, barrier) = (stores[t].clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                s.insert_messages(&ms, 2)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    for r in &results {
        let r = r.as_ref().expect("both re-scoring ingests succeed");
        assert_eq!(r.rescored, N as u64, "{r:?}");
    }
    let revisions = stores[1].prediction_revisions().unwrap();
    for i in 0..N {
        let id = format!("m{i:02}");
        let mut got: Vec<(i64, String)> = revisions
            .iter()
            .filter(|p| p.message_id == id)
            .map(|p| (p.revision, p.model_version.clone()))
            .collect();
        got.sort();
        assert_eq!(got.len(), 3, "{id}: {got:?}");
        assert_eq!(
            got.iter().map(|g| g.0).collect::<Vec<_>>(),
            vec![1, 2, 3],
            "{id}"
        );
        let later: BTreeSet<&str> = got[1..].iter().map(|g| g.1.as_str()).collect();
        assert_eq!(later, BTreeSet::from(["v2", "v3"]), "{id}");
    }
}

/// A dispatch whose items were built from a message's prediction, stored after an ingest
/// re-scored that message, is refused as a whole (`pool_changed`), so no copy records a
/// prediction revision other than the one its item shows; built from the new prediction,
/// it goes through.
fn a_dispatch_built_before_a_rescore_is_refused(b: Backend) {
    use labelvault_hub::store::ShownPrediction;
    let dir = tempfile::tempdir().unwrap();
    let stores = two_stores(&b, dir.path());
    let device = enroll(&*stores[0], 0);
    let message = |version: &str, intent: &str| scored("m1".into(), version, intent);
    stores[0].insert_messages(&[message("v1", "a")], 1).unwrap();
    let batch = |version: &str, intent: &str| DispatchBatch {
        batch: NewBatch {
            batch_id: format!("b_{version}"),
            device_id: device.clone(),
            created_at: 10,
            expires_at: 1_000_000,
            bytes: vec![1],
            item_ids: vec![format!("it_{version}")],
            item_chars: vec![],
            item_texts: vec![],
            intents: vec![intent.into()],
        },
        copies: vec![NewCopy {
            item_id: format!("it_{version}"),
            message_id: "m1".into(),
            gold: false,
            reason: labelvault_core::batch::Reason::LowConfidence,
            prediction: Some(ShownPrediction {
                model_version: version.into(),
                model_intent: intent.into(),
                confidence: 0.5,
            }),
        }],
        lease_expires_at: 1_000_000,
    };
    // Built from v1 (the dispatch read the message), then v2 is ingested.
    let stale = batch("v1", "a");
    let r = stores[1].insert_messages(&[message("v2", "b")], 2).unwrap();
    assert_eq!(r.rescored, 1);
    let refused = stores[0].store_dispatch(&[stale], 1, 10).unwrap_err();
    assert!(
        matches!(
            refused,
            HubError::Conflict {
                code: "pool_changed",
                ..
            }
        ),
        "{refused}"
    );
    assert_eq!(stores[1].pipeline_status().unwrap().open_copies, 0);
    stores[0]
        .store_dispatch(&[batch("v2", "b")], 1, 10)
        .unwrap();
    assert_eq!(stores[1].pipeline_status().unwrap().open_copies, 1);
}

/// Two ingests that each add new messages and re-score known ones, in crossing orders
/// (one meets a re-scored message first, the other a new one), and an erasure of some of
/// the re-scored messages, all at once through two store instances, several rounds: all
/// three succeed every time. (The read model's change counters are written by every one
/// of them; taken in varying orders they once made PostgreSQL abort one as a deadlock.)
fn ingests_and_an_erasure_at_once_never_deadlock(b: Backend) {
    use labelvault_core::erasure::EraseRequest;
    let dir = tempfile::tempdir().unwrap();
    let stores = two_stores(&b, dir.path());
    let message = scored;
    for round in 0..6 {
        let known = |i: usize| format!("m{round}_{i:02}");
        let first: Vec<Message> = (0..20).map(|i| message(known(i), "v1", "a")).collect();
        stores[0].insert_messages(&first, 1).unwrap();
        // Ids sort "a…" < "m…" < "z…": the first ingest meets its re-scored messages
        // first, the second its new ones.
        let one: Vec<Message> = (0..10)
            .map(|i| message(known(i), "v2", "b"))
            .chain((0..10).map(|i| message(format!("z{round}_{i:02}"), "v2", "b")))
            .collect();
        let two: Vec<Message> = (0..10)
            .map(|i| message(format!("a{round}_{i:02}"), "v2", "b"))
            .chain((10..20).map(|i| message(known(i), "v2", "b")))
            .collect();
        let barrier = Arc::new(Barrier::new(3));
        let ingests: Vec<_> = [one, two]
            .into_iter()
            .enumerate()
            .map(|(t, ms)| {
                let (s, barrier) = (stores[t].clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    s.insert_messages(&ms, 2)
                })
            })
            .collect();
        let erase = {
            let (s, barrier) = (stores[1].clone(), barrier.clone());
            let ids = vec![known(5), known(15)];
            std::thread::spawn(move || {
                barrier.wait();
                let request = EraseRequest {
                    message_ids: ids,
                    company: None,
                    received_before: None,
                };
                s.erase(&format!("er_{round:024x}"), "dpo", &request, 3)
            })
        };
        for t in ingests {
            let r = t.join().unwrap();
            let r = r.unwrap_or_else(|e| panic!("round {round}: an ingest failed: {e}"));
            assert_eq!(r.inserted, 10, "round {round}: {r:?}");
            // The erased message, if the erasure came first, is refused; never an error.
            assert!(r.rescored >= 9, "round {round}: {r:?}");
        }
        let erased = erase.join().unwrap();
        erased.unwrap_or_else(|e| panic!("round {round}: the erasure failed: {e}"));
    }
}

/// A message of company "co" received at 1,000, scored `intent` at 0.5 by `version`.
fn scored(id: String, version: &str, intent: &str) -> Message {
    Message {
        message_id: id,
        text: "my card has not arrived".into(),
        company: "co".into(),
        channel: "chat".into(),
        received_at: 1_000,
        model_intent: intent.into(),
        confidence: 0.5,
        probabilities: vec![(intent.into(), 0.5)],
        reported_false_positive: false,
        training_consent: true,
        model_version: version.into(),
        language: None,
    }
}

/// Run one statement on the store's database directly, as damage (a bad restore, a
/// hand edit) would.
fn damage(b: &Backend, dir: &std::path::Path, sql: &str) {
    match b {
        Backend::Sqlite => {
            let c = rusqlite::Connection::open(dir.join("hub.db")).expect("open the file");
            c.execute_batch(sql).expect("damage the row");
        }
        Backend::Postgres(db) => {
            let mut c = postgres::Client::connect(&db.url, postgres::NoTls).expect("connect");
            c.batch_execute(sql).expect("damage the row");
        }
    }
}

fn a_damaged_row_fails_loudly_and_alike_on_every_store(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let s = store::open(&b.url(dir.path())).expect("open store");
    s.insert_messages(&[scored("m1".into(), "v1", "card_arrival")], 1)
        .unwrap();
    s.add_adjudication(&store::NewAdjudication {
        message_id: "m1".into(),
        intent: "card_arrival".into(),
        by: "manager".into(),
        decided_at_ms: 5,
        previous_intent: None,
        labels: serde_json::json!([]),
    })
    .unwrap();
    let device = enroll(&*s, 7);
    assert_eq!(s.adjudications().unwrap().len(), 1);
    assert!(s.device(&device).unwrap().is_some());

    // An adjudication's labels that are not JSON: an error naming the damage, on both
    // stores, never an adjudication with no labels.
    damage(
        &b,
        dir.path(),
        "UPDATE adjudications SET labels = 'not json'",
    );
    let e = s.adjudications().expect_err("damaged labels are an error");
    assert!(e.to_string().contains("damaged"), "{e}");
    // A device key of the wrong length: the same.
    damage(
        &b,
        dir.path(),
        &format!(
            "UPDATE devices SET signing_key = {} WHERE device_id = '{device}'",
            match b {
                Backend::Sqlite => "x'0102'",
                Backend::Postgres(_) => "'\\x0102'::BYTEA",
            }
        ),
    );
    let e = s.device(&device).expect_err("a damaged key is an error");
    assert!(e.to_string().contains("damaged"), "{e}");
}
