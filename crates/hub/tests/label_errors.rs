//! The fourth selection reason over real loopback HTTP, on both stores: answered
//! messages whose human label contradicts a confident model are flagged by confident
//! learning, previewed and dispatched once more with reason `suspected_label_error` (to
//! another device than the one that answered), never twice; with the budget at 0 (the
//! default) nothing is flagged.

use labelvault_core::protocol::WireLabel;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};

mod common;
use common::{start, Backend, Hub};

on_both_stores!(
    labels_contradicting_a_confident_model_go_back_for_review,
    a_rescore_by_a_model_trained_on_the_labels_does_not_hide_label_errors,
);

fn wire(item: &str, verdict: &str, intent: Option<&str>, decided_at_ms: i64) -> WireLabel {
    serde_json::from_value(json!({"item_id": item, "revision": 1, "retracted": false, "verdict": verdict,
        "intent_id": intent, "flags": [], "pii_spans": [], "duration_ms": 5000, "decided_at_ms": decided_at_ms}))
    .unwrap()
}

const INTENTS: [&str; 3] = ["card_arrival", "card_lost", "refund"];

/// The messages the annotators contradict, and the model's confidence in each (lower
/// p(human answer) = more suspicious = earlier).
const CONTRADICTED: [(usize, f64); 4] = [(5, 0.99), (17, 0.97), (29, 0.95), (41, 0.93)];

fn items(h: &Hub) -> Vec<Value> {
    h.state
        .store
        .items_jsonl()
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn select(h: &Hub, budget: usize) -> Value {
    let (st, r) = h.post(
        "/v1/admin/select",
        json!({"selection": {"from": 0, "to": 10_000, "max_confidence": 1.0, "label_error_budget": budget}}),
    );
    assert_eq!(st, 200, "{r}");
    r
}

fn flagged(sel: &Value) -> Vec<String> {
    sel["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["reason"] == "suspected_label_error")
        .map(|e| e["message_id"].as_str().unwrap().to_string())
        .collect()
}

fn labels_contradicting_a_confident_model_go_back_for_review(b: Backend) {
    let h = start(b);
    // 60 messages, the model confident (0.9, or more for the four contradicted ones).
    let conf: HashMap<usize, f64> = CONTRADICTED.into_iter().collect();
    let ms: Vec<Value> = (0..60)
        .map(|i| {
            let model = INTENTS[i % 3];
            let c = conf.get(&i).copied().unwrap_or(0.9);
            let rest = (1.0 - c) / 2.0;
            json!({"message_id": format!("m{i:03}"), "text": format!("message {i} about my card"),
                   "company": "acme", "received_at": 1000 + i as i64, "model_intent": model, "confidence": c,
                   "probabilities": [[model, c], [INTENTS[(i + 1) % 3], rest], [INTENTS[(i + 2) % 3], rest]]})
        })
        .collect();
    let (st, r) = h.post("/v1/admin/messages", json!({ "messages": ms }));
    assert_eq!(st, 200, "{r}");
    let devs = [h.enroll("a"), h.enroll("b"), h.enroll("c")];
    let (st, r) = h.post("/v1/admin/dispatch",
        json!({"selection": {"from": 0, "to": 10_000, "max_confidence": 1.0, "low_confidence_budget": 100},
               "overlap": 1, "batch_size": 100}),
    );
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["composition"]["suspected_label_error"], 0);
    // Everyone confirms the model, except on the contradicted messages: the next intent.
    let first = items(&h);
    assert_eq!(first.len(), 60);
    let mut labeller: HashMap<String, String> = HashMap::new();
    for (id, dev) in &devs {
        let mut labels = Vec::new();
        for (k, it) in first.iter().enumerate() {
            if it["device_id"] != dev.as_str() {
                continue;
            }
            let m = it["message_id"].as_str().unwrap();
            labeller.insert(m.to_string(), dev.clone());
            let i: usize = m[1..].parse().unwrap();
            let item = it["item_id"].as_str().unwrap();
            let t = 1_763_800_000_000 + k as i64;
            labels.push(if conf.contains_key(&i) {
                wire(item, "wrong", Some(INTENTS[(i + 1) % 3]), t)
            } else {
                wire(item, "correct", None, t)
            });
        }
        h.upload(id, dev, labels);
    }

    // Budget 0 (the default): nothing flagged; every message is answered, so the pool
    // is empty.
    let (st, r) = h.post(
        "/v1/admin/select",
        json!({"selection": {"from": 0, "to": 10_000, "max_confidence": 1.0}}),
    );
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["composition"]["suspected_label_error"], 0);
    assert_eq!(r["entries"], json!([]));
    assert!(flagged(&select(&h, 0)).is_empty());

    // Budget 3: the three contradicted answers the model is surest against, in that
    // order, one more copy each.
    let sel = select(&h, 3);
    assert_eq!(sel["composition"]["suspected_label_error"], 3, "{sel}");
    assert_eq!(flagged(&sel), vec!["m005", "m017", "m029"]);
    assert!(sel["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["copies_needed"] == 1));
    assert_eq!(sel["copies_needed"], 3);

    // Out of limits: refused with a message saying the range.
    let (st, e) = h.post(
        "/v1/admin/select",
        json!({"selection": {"from": 0, "to": 10_000, "label_error_budget": 100_001}}),
    );
    assert_eq!(st, 400, "{e}");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("label_error_budget"));

    // Dispatch: each flagged message goes to a device other than the one that answered.
    let (st, r) = h.post("/v1/admin/dispatch",
        json!({"selection": {"from": 0, "to": 10_000, "max_confidence": 1.0, "label_error_budget": 3},
               "overlap": 1, "batch_size": 100}),
    );
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["composition"]["suspected_label_error"], 3);
    assert_eq!(r["copies"], 3);
    assert_eq!(r["shortfall"], 0);
    let seen: BTreeSet<String> = first
        .iter()
        .map(|i| i["item_id"].as_str().unwrap().to_string())
        .collect();
    let again: Vec<Value> = items(&h)
        .into_iter()
        .filter(|i| !seen.contains(i["item_id"].as_str().unwrap()))
        .collect();
    let mut sent: Vec<&str> = again
        .iter()
        .map(|i| i["message_id"].as_str().unwrap())
        .collect();
    sent.sort_unstable();
    assert_eq!(sent, vec!["m005", "m017", "m029"]);
    for i in &again {
        let m = i["message_id"].as_str().unwrap();
        assert_ne!(i["device_id"].as_str().unwrap(), labeller[m], "{m}");
    }
    // The devices receive them with the reason: the pending gauge counts them by it.
    let (st, metrics) = common::call("GET", &format!("{}/metrics", h.url), &h.auth(), b"");
    assert_eq!(st, 200);
    assert!(
        metrics.contains("labelvault_items_pending{reason=\"suspected_label_error\"} 3"),
        "{metrics}"
    );
    // Never twice: the next selection offers only the fourth.
    assert_eq!(flagged(&select(&h, 3)), vec!["m041"]);
}

/// After the labels, a model trained on them re-scores every message and now agrees
/// with every human answer (in-sample). Confident learning still judges the labels
/// against the prediction they were given against (the dispatched revision), so the
/// contradicted ones are still flagged; what goes out again carries the new prediction.
fn a_rescore_by_a_model_trained_on_the_labels_does_not_hide_label_errors(b: Backend) {
    let h = start(b);
    let conf: HashMap<usize, f64> = CONTRADICTED.into_iter().collect();
    let message = |i: usize, version: &str, model: &str, c: f64| {
        let others: Vec<&str> = INTENTS.iter().copied().filter(|x| *x != model).collect();
        let rest = (1.0 - c) / 2.0;
        json!({"message_id": format!("m{i:03}"), "text": format!("message {i} about my card"),
               "company": "acme", "received_at": 1000 + i as i64, "model_intent": model, "confidence": c,
               "model_version": version,
               "probabilities": [[model, c], [others[0], rest], [others[1], rest]]})
    };
    let ms: Vec<Value> = (0..60)
        .map(|i| {
            message(
                i,
                "v1",
                INTENTS[i % 3],
                conf.get(&i).copied().unwrap_or(0.9),
            )
        })
        .collect();
    let (st, r) = h.post("/v1/admin/messages", json!({ "messages": ms }));
    assert_eq!(st, 200, "{r}");
    let devs = [h.enroll("a"), h.enroll("b"), h.enroll("c")];
    let (st, r) = h.post("/v1/admin/dispatch",
        json!({"selection": {"from": 0, "to": 10_000, "max_confidence": 1.0, "low_confidence_budget": 100},
               "overlap": 1, "batch_size": 100}),
    );
    assert_eq!(st, 200, "{r}");
    let first = items(&h);
    assert_eq!(first.len(), 60);
    for (id, dev) in &devs {
        let mut labels = Vec::new();
        for (k, it) in first.iter().enumerate() {
            if it["device_id"] != dev.as_str() {
                continue;
            }
            let i: usize = it["message_id"].as_str().unwrap()[1..].parse().unwrap();
            let item = it["item_id"].as_str().unwrap();
            let t = 1_763_800_000_000 + k as i64;
            labels.push(if conf.contains_key(&i) {
                wire(item, "wrong", Some(INTENTS[(i + 1) % 3]), t)
            } else {
                wire(item, "correct", None, t)
            });
        }
        h.upload(id, dev, labels);
    }
    // v2, trained on these labels, agrees with every human answer.
    let human = |i: usize| {
        if conf.contains_key(&i) {
            INTENTS[(i + 1) % 3]
        } else {
            INTENTS[i % 3]
        }
    };
    let ms: Vec<Value> = (0..60).map(|i| message(i, "v2", human(i), 0.98)).collect();
    let (st, r) = h.post("/v1/admin/messages", json!({ "messages": ms }));
    assert_eq!(st, 200, "{r}");
    assert_eq!(
        h.state.store.messages_by_id(&["m005".into()]).unwrap()[0].model_version,
        "v2"
    );

    let sel = select(&h, 3);
    assert_eq!(flagged(&sel), vec!["m005", "m017", "m029"], "{sel}");
    let (st, r) = h.post("/v1/admin/dispatch",
        json!({"selection": {"from": 0, "to": 10_000, "max_confidence": 1.0, "label_error_budget": 3},
               "overlap": 1, "batch_size": 100}),
    );
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["copies"], 3);
    // The copies sent back record the current (v2) prediction revision.
    let revisions = h.state.store.prediction_revisions().unwrap();
    assert!(revisions
        .iter()
        .any(|p| p.message_id == "m005" && p.revision == 2 && p.model_version == "v2"));
    let held = h.state.store.messages_by_id(&["m005".into()]).unwrap();
    assert_eq!(held[0].model_intent, human(5));
}
