//! The sealed content of a batch (`BatchPayload`): strict JSON, then `validate`, then a
//! seal/open round trip to the test device.
//!
//! Asserts: no panic; errors never repeat an item's text; a payload that validates seals,
//! opens again unchanged (confidences to the last bit or one unit in the last place), and
//! an expired one is refused as expired.
#![no_main]

use labelvault_core::batch::{self, BatchPayload};
use labelvault_core::BatchError;
use labelvault_fuzz::{assert_no_text, keys, marker_only_in_texts, DEVICE_RECIPIENT, NOW};
use libfuzzer_sys::fuzz_target;

fn trusted(id: &str) -> Option<[u8; 32]> {
    let k = keys();
    (id == k.hub.key_id()).then_some(k.hub_public)
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= f64::EPSILON * a.abs().max(b.abs())
}

fn same(a: &BatchPayload, b: &BatchPayload) -> bool {
    a.batch_id == b.batch_id
        && a.recipient == b.recipient
        && a.created_at == b.created_at
        && a.expires_at == b.expires_at
        && a.taxonomy == b.taxonomy
        && a.items.len() == b.items.len()
        && a.items.iter().zip(&b.items).all(|(x, y)| {
            x.item_id == y.item_id
                && x.text == y.text
                && x.model_intent == y.model_intent
                && x.reason == y.reason
                && close(x.confidence, y.confidence)
                && x.alternatives.len() == y.alternatives.len()
                && x.alternatives
                    .iter()
                    .zip(&y.alternatives)
                    .all(|(p, q)| p.intent == q.intent && close(p.confidence, q.confidence))
        })
}

fuzz_target!(|data: &[u8]| {
    let Ok(mut p) = serde_json::from_slice::<BatchPayload>(data) else {
        return;
    };
    let leak_check = marker_only_in_texts(&String::from_utf8_lossy(data));
    if let Err(e) = p.validate() {
        assert_no_text(&e.to_string(), leak_check);
        return;
    }
    let k = keys();
    p.recipient = DEVICE_RECIPIENT.to_string();
    let bytes = batch::seal(&p, &k.hub).expect("a valid payload seals");
    match batch::open(&bytes, &trusted, &k.age, NOW) {
        Ok(o) => {
            assert!(p.expires_at > NOW);
            assert!(same(&o.payload, &p), "round trip changed the payload");
        }
        Err(BatchError::Expired { .. }) => assert!(p.expires_at <= NOW),
        Err(e) => panic!("a freshly sealed batch does not open: {e}"),
    }
});
