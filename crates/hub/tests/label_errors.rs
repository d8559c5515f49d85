//! The fourth selection reason over real loopback HTTP, on both stores: answered
//! messages whose human label contradicts a confident model are flagged by confident
//! learning, previewed and dispatched once more with reason `suspected_label_error` (to
//! another device than the one that answered), never twice; with the budget at 0 (the
//! default) nothing is flagged.

use base64::Engine as _;
use labelvault_core::identity::DeviceIdentity;
use labelvault_core::protocol::{self, LabelUpload, WireLabel};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};

mod common;
use common::{start, Backend, Hub};

on_both_stores!(labels_contradicting_a_confident_model_go_back_for_review);

fn call(method: &str, url: &str, headers: &[(&str, String)], body: &[u8]) -> (u16, String) {
    let a: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let resp = if method == "GET" {
        let mut r = a.get(url);
        for (k, v) in headers {
            r = r.header(*k, v.as_str());
        }
        r.call()
    } else {
        let mut r = a.post(url).header("content-type", "application/json");
        for (k, v) in headers {
            r = r.header(*k, v.as_str());
        }
        r.send(body)
    };
    let mut resp = resp.unwrap();
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_string().unwrap())
}

fn auth(h: &Hub) -> Vec<(&'static str, String)> {
    vec![("authorization", format!("Bearer {}", h.token.as_str()))]
}

fn post(h: &Hub, path: &str, body: Value) -> (u16, Value) {
    let (st, t) = call(
        "POST",
        &format!("{}{path}", h.url),
        &auth(h),
        body.to_string().as_bytes(),
    );
    (st, serde_json::from_str(&t).unwrap_or(Value::Null))
}

fn enroll(h: &Hub, name: &str) -> (DeviceIdentity, String) {
    let (_, a) = post(h, "/v1/admin/annotators", json!({ "name": name }));
    let id = DeviceIdentity::generate().unwrap();
    let p = id.public();
    let (st, r) = call(
        "POST",
        &format!("{}/v1/enroll", h.url),
        &[],
        json!({"enrollment_code": a["enrollment_code"], "signing_key": p.signing_key, "recipient": p.recipient})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(st, 200, "{r}");
    let r: Value = serde_json::from_str(&r).unwrap();
    (id, r["device_id"].as_str().unwrap().to_string())
}

fn upload(h: &Hub, id: &DeviceIdentity, dev: &str, labels: Vec<WireLabel>) {
    let body = serde_json::to_vec(&LabelUpload {
        upload_id: labelvault_core::batch::random_id("u_").unwrap(),
        device_id: dev.into(),
        labels,
    })
    .unwrap();
    let ts = labelvault_core::batch::now_unix();
    let nonce = labelvault_core::batch::random_id("").unwrap();
    let sig = id.sign(&protocol::request_message(
        "POST",
        "/v1/labels",
        ts,
        &nonce,
        &body,
    ));
    let (st, r) = call(
        "POST",
        &format!("{}/v1/labels", h.url),
        &[
            (protocol::H_DEVICE, dev.to_string()),
            (protocol::H_TIMESTAMP, ts.to_string()),
            (protocol::H_NONCE, nonce),
            (
                protocol::H_SIGNATURE,
                base64::engine::general_purpose::STANDARD.encode(sig),
            ),
        ],
        &body,
    );
    assert_eq!(st, 200, "{r}");
}

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
    let (st, r) = post(
        h,
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
    let (st, r) = post(&h, "/v1/admin/messages", json!({ "messages": ms }));
    assert_eq!(st, 200, "{r}");
    let devs = [enroll(&h, "a"), enroll(&h, "b"), enroll(&h, "c")];
    let (st, r) = post(
        &h,
        "/v1/admin/dispatch",
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
        upload(&h, id, dev, labels);
    }

    // Budget 0 (the default): nothing flagged; every message is answered, so the pool
    // is empty.
    let (st, r) = post(
        &h,
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
    let (st, e) = post(
        &h,
        "/v1/admin/select",
        json!({"selection": {"from": 0, "to": 10_000, "label_error_budget": 100_001}}),
    );
    assert_eq!(st, 400, "{e}");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("label_error_budget"));

    // Dispatch: each flagged message goes to a device other than the one that answered.
    let (st, r) = post(
        &h,
        "/v1/admin/dispatch",
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
    let (st, metrics) = call("GET", &format!("{}/metrics", h.url), &auth(&h), b"");
    assert_eq!(st, 200);
    assert!(
        metrics.contains("labelvault_items_pending{reason=\"suspected_label_error\"} 3"),
        "{metrics}"
    );
    // Never twice: the next selection offers only the fourth.
    assert_eq!(flagged(&select(&h, 3)), vec!["m041"]);
}
