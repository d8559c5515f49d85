//! The label-upload body as the hub handles it (`POST /v1/labels` after the signature
//! check): strict `LabelUpload` JSON (unknown fields refused), the handler's checks
//! (device, count, upload id), then the real SQLite store's `ingest` (per-label
//! validation, idempotency, receipt, inbound ledger) against a store with one batch of
//! assigned items.
//!
//! The authenticated device is spelled `dev_fuzz` in the seeds and mapped to the id the
//! store gave the test device.
//!
//! Asserts: no panic; a parse error maps to a 400 error; every label is counted once as
//! accepted, duplicate or rejected; labels for unassigned items, revision 0, empty spans
//! or a `wrong` verdict without an intent are rejected; the receipt binds the body; a
//! retry returns the identical receipt; reusing the upload id for another body is a
//! conflict; storage never fails.
#![no_main]

use labelvault_core::labels::{Verdict, MAX_SPANS};
use labelvault_core::protocol::{LabelUpload, Receipt, SignedReceipt, MAX_LABELS_PER_UPLOAD};
use labelvault_hub::error::HubError;
use labelvault_hub::store::{HubStore, NewBatch, SqliteStore, Upload};
use libfuzzer_sys::fuzz_target;
use std::sync::Mutex;

/// Item ids assigned to the test device (the seeds use them).
const ITEMS: [&str; 4] = [
    "it_00000000000000000000000000000001",
    "it_00000000000000000000000000000002",
    "it_00000000000000000000000000000003",
    "it_00000000000000000000000000000004",
];
/// The batch's taxonomy.
const INTENTS: [&str; 3] = ["card_arrival", "refund_request", "lost_card"];
/// Fresh store after this many ingests, so long runs do not grow one database forever.
const INGESTS_PER_STORE: u32 = 20_000;

struct Hub {
    _dir: std::path::PathBuf,
    store: SqliteStore,
    device_id: String,
    ingests: u32,
}

fn new_hub() -> Hub {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        std::path::PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let mut r = [0u8; 8];
    getrandom(&mut r);
    let dir = base.join(format!("lv-fuzz-hub-{}", hex::encode(r)));
    let store = SqliteStore::open(&dir.join("hub.db")).unwrap();
    store.create_annotator("fuzz", "code", i64::MAX).unwrap();
    let key = labelvault_fuzz::keys().hub_public;
    let device_id = store
        .enroll("code", 0, &key, labelvault_fuzz::DEVICE_RECIPIENT)
        .unwrap();
    store
        .store_batch(&NewBatch {
            batch_id: "b_fuzz".into(),
            device_id: device_id.clone(),
            created_at: 0,
            expires_at: i64::MAX,
            bytes: vec![0],
            item_ids: ITEMS.iter().map(|s| s.to_string()).collect(),
            item_chars: vec![],
            item_texts: vec![],
            intents: INTENTS.iter().map(|s| s.to_string()).collect(),
        })
        .unwrap();
    Hub {
        _dir: dir,
        store,
        device_id,
        ingests: 0,
    }
}

fn getrandom(b: &mut [u8]) {
    use ring::rand::SecureRandom;
    ring::rand::SystemRandom::new().fill(b).unwrap();
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self._dir);
    }
}

static HUB: Mutex<Option<Hub>> = Mutex::new(None);

fn sign(r: Receipt) -> SignedReceipt {
    SignedReceipt {
        receipt: r,
        signature: String::new(),
    }
}

fn must_reject(l: &labelvault_core::protocol::WireLabel) -> bool {
    !ITEMS.contains(&l.item_id.as_str())
        || l.revision == 0
        || (l.retracted && (l.verdict.is_some() || l.intent_id.is_some()))
        || (!l.retracted
            && (l.verdict.is_none()
                || (l.verdict == Some(Verdict::Wrong) && l.intent_id.is_none())
                || l.pii_spans.iter().any(|s| s.start >= s.end)
                || l.pii_spans.len() > MAX_SPANS
                || l.intent_id
                    .as_deref()
                    .is_some_and(|i| !INTENTS.contains(&i))))
}

fuzz_target!(|body: &[u8]| {
    // The handler's parse: strict JSON into the label schema.
    let upload: LabelUpload = match serde_json::from_slice(body) {
        Ok(u) => u,
        Err(e) => {
            let err = HubError::from_json(&e);
            assert!(matches!(err, HubError::BadRequest { .. }));
            return;
        }
    };
    // The handler's checks, in its order.
    if upload.device_id != "dev_fuzz"
        || upload.labels.len() > MAX_LABELS_PER_UPLOAD
        || upload.upload_id.is_empty()
        || upload.upload_id.len() > 128
    {
        return;
    }
    let mut guard = HUB.lock().unwrap();
    if guard
        .as_ref()
        .is_none_or(|h| h.ingests >= INGESTS_PER_STORE)
    {
        *guard = None;
        *guard = Some(new_hub());
    }
    let hub = guard.as_mut().unwrap();
    hub.ingests += 1;
    let body_sha = hex::encode(ring::digest::digest(&ring::digest::SHA256, body));
    let up = Upload {
        device_id: &hub.device_id,
        upload_id: &upload.upload_id,
        body,
        body_sha256: &body_sha,
        labels: &upload.labels,
        now_ms: 1_700_000_000_000,
    };
    let receipt = match hub.store.ingest(&up, &sign) {
        Ok(r) => r,
        // The fuzzer reused an upload id from an earlier input with another body.
        Err(HubError::Conflict { code, .. }) => {
            assert_eq!(code, "upload_id_reused");
            return;
        }
        Err(e) => panic!("storage failed on a parsed upload: {e:?}"),
    };
    let r = &receipt.receipt;
    assert_eq!(r.body_sha256, body_sha);
    assert_eq!(r.upload_id, upload.upload_id);
    assert_eq!(r.device_id, hub.device_id);
    // A fresh upload id counts every label once; a replayed one returns the old receipt.
    let counted = r.accepted as usize + r.duplicates as usize + r.rejected.len();
    assert_eq!(counted, upload.labels.len());
    for l in &upload.labels {
        if must_reject(l) {
            assert!(
                r.rejected
                    .iter()
                    .any(|x| x.item_id == l.item_id && x.revision == l.revision),
                "an invalid label was not rejected"
            );
        }
    }
    for x in &r.rejected {
        assert!(matches!(
            x.code.as_str(),
            "not_assigned" | "invalid" | "unknown_intent"
        ));
    }
    // A retry of the same body gets the same receipt.
    let again = hub.store.ingest(&up, &sign).expect("retry");
    assert_eq!(again, receipt);
    // Another body under the same upload id is refused.
    let mut other = body.to_vec();
    other.push(b' ');
    let other_sha = hex::encode(ring::digest::digest(&ring::digest::SHA256, &other));
    let conflict = hub.store.ingest(
        &Upload {
            body: &other,
            body_sha256: &other_sha,
            ..up
        },
        &sign,
    );
    assert!(matches!(conflict, Err(HubError::Conflict { .. })));
});
