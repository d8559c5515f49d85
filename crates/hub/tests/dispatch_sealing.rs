//! A dispatch seals its batches side by side: each batch, opened with its device's own
//! age identity, holds exactly the items its stored copies record, in their order, with
//! the dispatch's guidelines, on every store.

use serde_json::{json, Value};

mod common;
use common::{start, Backend};

on_both_stores!(each_sealed_batch_holds_its_copies_items_in_order);

const INTENTS: [&str; 2] = ["card_arrival", "refund"];

fn each_sealed_batch_holds_its_copies_items_in_order(b: Backend) {
    let h = start(b);
    let ms: Vec<Value> = (0..90)
        .map(|i| {
            let intent = INTENTS[i % 2];
            json!({"message_id": format!("m{i:03}"), "text": format!("message m{i:03} about my card"),
                   "company": "acme", "received_at": 1000 + i,
                   "model_intent": intent, "confidence": 0.1})
        })
        .chain((0..5).map(|g| {
            json!({"message_id": format!("g{g}"), "text": format!("message g{g} about my card"),
                   "company": "acme", "received_at": 5000, "model_intent": "refund", "confidence": 0.9})
        }))
        .collect();
    let (st, r) = h.post("/v1/admin/messages", json!({ "messages": ms }));
    assert_eq!(st, 200, "{r}");
    let answers: Vec<Value> = (0..5)
        .map(|g| json!({"message_id": format!("g{g}"), "intent": "refund"}))
        .collect();
    assert_eq!(
        h.post("/v1/admin/gold", json!({ "answers": answers })).0,
        200
    );
    // Three devices whose age identities the test holds.
    let mut ids = Vec::new();
    for k in 0..3 {
        ids.push(h.enroll_with_age(&format!("a{k}")));
    }
    let (st, d) = h.post(
        "/v1/admin/dispatch",
        json!({"selection": {"from": 0, "to": 10_000, "max_confidence": 1.0, "low_confidence_budget": 100},
               "overlap": 2, "batch_size": 7, "gold_share": 0.2, "guidelines": "Pick the intent."}),
    );
    assert_eq!(st, 200, "{d}");
    let batches = d["batches"].as_array().unwrap();
    assert!(batches.len() >= 20, "many batches to seal: {d}");
    // The copies as stored, per batch in order: (item id, message id).
    let mut stored: std::collections::HashMap<String, Vec<(String, String)>> = Default::default();
    for l in h.state.store.items_jsonl().unwrap().lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        stored
            .entry(v["batch_id"].as_str().unwrap().to_string())
            .or_default()
            .push((
                v["item_id"].as_str().unwrap().to_string(),
                v["message_id"].as_str().unwrap().to_string(),
            ));
    }
    let hub_pk = labelvault_core::identity::parse_public_key(&h.state.key.public_key()).unwrap();
    let key_id = h.state.key.key_id();
    let mut seen = 0;
    for b in batches {
        let batch_id = b["batch_id"].as_str().unwrap();
        let (_, age_id) = ids
            .iter()
            .find(|(dev, _)| dev == b["device_id"].as_str().unwrap())
            .unwrap();
        let bytes = h.state.store.batch_file(batch_id).unwrap().unwrap();
        let opened = labelvault_core::batch::open(
            &bytes,
            &|id| (id == key_id).then_some(hub_pk),
            age_id,
            labelvault_core::batch::now_unix(),
        )
        .unwrap();
        assert_eq!(opened.payload.batch_id, batch_id);
        assert_eq!(opened.payload.guidelines, "Pick the intent.");
        let copies = &stored[batch_id];
        assert_eq!(opened.payload.items.len(), copies.len());
        assert_eq!(b["items"].as_u64(), Some(copies.len() as u64));
        for (item, (item_id, message_id)) in opened.payload.items.iter().zip(copies) {
            assert_eq!(&item.item_id, item_id);
            assert_eq!(item.text, format!("message {message_id} about my card"));
            let i: usize = message_id[1..].parse().unwrap();
            let intent = if message_id.starts_with('g') {
                "refund"
            } else {
                INTENTS[i % 2]
            };
            assert_eq!(item.model_intent, intent);
        }
        seen += copies.len();
    }
    assert_eq!(seen, stored.values().map(Vec::len).sum::<usize>());
}
