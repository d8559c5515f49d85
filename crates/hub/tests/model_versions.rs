//! Model versions over real loopback HTTP, on both stores: predictions re-scored by a
//! new model version become a new prediction revision (the old one kept), selection and
//! dispatch use the current one while labels keep meaning what their device was shown,
//! the evaluation scores each version, and two versions are compared on the export's
//! test split — every number checked against a computation made here from what the
//! test sent. Rows that would overwrite another text or bring back an erased message
//! are refused with a reason.

use labelvault_core::protocol::WireLabel;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

mod common;
use common::{start, Backend};

on_both_stores!(evaluation_by_model_version_and_compare);

fn wire(item: &str, verdict: &str, intent: Option<&str>, t: i64) -> WireLabel {
    serde_json::from_value(
        json!({"item_id": item, "revision": 1, "retracted": false, "verdict": verdict,
        "intent_id": intent, "flags": [], "pii_spans": [], "duration_ms": 5, "decided_at_ms": t}),
    )
    .unwrap()
}

const INTENTS: [&str; 3] = ["card_arrival", "card_lost", "refund"];
const N: usize = 40;
/// Messages m00..m29 are re-scored by v2; the rest keep only v1.
const RESCORED: usize = 30;

fn id(i: usize) -> String {
    format!("m{i:02}")
}
/// v1's intent.
fn v1(i: usize) -> &'static str {
    INTENTS[i % 3]
}
/// The human answer: v1 is wrong on every 4th message.
fn human(i: usize) -> &'static str {
    if i.is_multiple_of(4) {
        INTENTS[(i + 1) % 3]
    } else {
        v1(i)
    }
}
/// v2's intent: right except on every 5th message, where it differs from both.
fn v2(i: usize) -> &'static str {
    if i.is_multiple_of(5) {
        INTENTS[(i + 2) % 3]
    } else {
        human(i)
    }
}

/// Macro-F1 over intents with support or predictions, computed independently here.
fn macro_f1(pairs: &[(&str, &str)]) -> f64 {
    let intents: BTreeSet<&str> = pairs.iter().flat_map(|(m, h)| [*m, *h]).collect();
    let f1s: Vec<f64> = intents
        .iter()
        .map(|i| {
            let tp = pairs.iter().filter(|(m, h)| m == i && h == i).count() as f64;
            let pred = pairs.iter().filter(|(m, _)| m == i).count() as f64;
            let gold = pairs.iter().filter(|(_, h)| h == i).count() as f64;
            let p = if pred == 0.0 { 0.0 } else { tp / pred };
            let r = if gold == 0.0 { 0.0 } else { tp / gold };
            if p + r == 0.0 {
                0.0
            } else {
                2.0 * p * r / (p + r)
            }
        })
        .collect();
    f1s.iter().sum::<f64>() / f1s.len() as f64
}

fn accuracy(pairs: &[(&str, &str)]) -> f64 {
    pairs.iter().filter(|(m, h)| m == h).count() as f64 / pairs.len() as f64
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

fn evaluation_by_model_version_and_compare(b: Backend) {
    let h = start(b);
    let msg = |i: usize, version: Option<&str>, intent: &str, conf: f64| {
        let mut m = json!({"message_id": id(i), "text": format!("message {i} about my card"),
            "company": "acme", "channel": "chat", "received_at": 1000 + i as i64,
            "model_intent": intent, "confidence": conf,
            "language": if i.is_multiple_of(2) { "en-GB" } else { "de" }});
        if let Some(v) = version {
            m["model_version"] = v.into();
        }
        m
    };
    // v1 for every message.
    let first: Vec<Value> = (0..N).map(|i| msg(i, Some("v1"), v1(i), 0.3)).collect();
    let (st, r) = h.post("/v1/admin/messages", json!({ "messages": first }));
    assert_eq!(st, 200, "{r}");
    assert_eq!(
        (r["inserted"].as_u64(), r["rescored"].as_u64()),
        (Some(N as u64), Some(0))
    );
    // One annotator labels everything: the model's intent when it agrees, else the
    // human answer.
    let (a_id, a) = h.enroll("a");
    let (st, r) = h.post("/v1/admin/dispatch",
        json!({"selection": {"from": 0, "to": 10_000, "max_confidence": 1.0, "low_confidence_budget": 100},
               "overlap": 1, "batch_size": 100, "gold_share": 0.0}),
    );
    assert_eq!(st, 200, "{r}");
    let copies = |device: &str| -> Vec<(String, usize)> {
        h.state
            .store
            .items_jsonl()
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|c| c["device_id"] == device)
            .map(|c| {
                (
                    c["item_id"].as_str().unwrap().to_string(),
                    c["message_id"].as_str().unwrap()[1..].parse().unwrap(),
                )
            })
            .collect()
    };
    let on_a = copies(&a);
    assert_eq!(on_a.len(), N);
    let labels = on_a
        .iter()
        .enumerate()
        .map(|(k, (item, i))| {
            let t = 1_763_800_000_000 + k as i64;
            if human(*i) == v1(*i) {
                wire(item, "correct", None, t)
            } else {
                wire(item, "wrong", Some(human(*i)), t)
            }
        })
        .collect();
    h.upload(&a_id, &a, labels);

    // v2 re-scores m00..m29; the same file again is all duplicates; another text under
    // a known id is refused with the reason, the rest of the request stored.
    let second: Vec<Value> = (0..RESCORED)
        .map(|i| msg(i, Some("v2"), v2(i), 0.8))
        .collect();
    let (st, r) = h.post("/v1/admin/messages", json!({ "messages": second }));
    assert_eq!(st, 200, "{r}");
    assert_eq!(
        (
            r["inserted"].as_u64(),
            r["rescored"].as_u64(),
            r["duplicates"].as_u64()
        ),
        (Some(0), Some(RESCORED as u64), Some(0)),
        "{r}"
    );
    let (_, r) = h.post("/v1/admin/messages", json!({ "messages": second }));
    assert_eq!(
        (r["rescored"].as_u64(), r["duplicates"].as_u64()),
        (Some(0), Some(RESCORED as u64)),
        "{r}"
    );
    let mut changed = msg(1, Some("v3"), "refund", 0.9);
    changed["text"] = "SECRET other words".into();
    let (st, r) = h.post(
        "/v1/admin/messages",
        json!({ "messages": [msg(99, None, "refund", 0.5), changed] }),
    );
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["inserted"].as_u64(), Some(1), "{r}");
    assert_eq!(r["refused"].as_array().map(Vec::len), Some(1), "{r}");
    assert_eq!(r["refused"][0]["index"], 1);
    assert_eq!(r["refused"][0]["message_id"], "m01");
    let reason = r["refused"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("text differs from message m01 already held") && !reason.contains("SECRET"),
        "{reason}"
    );
    // An erased message is never taken in again, not even re-scored.
    let (st, e) = h.post("/v1/admin/erase", json!({"message_ids": ["m99"]}));
    assert_eq!(st, 200, "{e}");
    let (_, r) = h.post(
        "/v1/admin/messages",
        json!({ "messages": [msg(99, Some("v2"), "refund", 0.5)] }),
    );
    assert_eq!(r["inserted"].as_u64(), Some(0), "{r}");
    assert!(
        r["refused"][0]["reason"]
            .as_str()
            .is_some_and(|s| s.contains("erased")),
        "{r}"
    );

    // Both revisions kept; the second is current.
    let revs = h.state.store.prediction_revisions().unwrap();
    let m00: Vec<_> = revs.iter().filter(|r| r.message_id == "m00").collect();
    assert_eq!(m00.len(), 2);
    assert_eq!(
        (
            m00[0].revision,
            m00[0].model_version.as_str(),
            m00[0].model_intent.as_str()
        ),
        (1, "v1", v1(0))
    );
    assert_eq!(
        (
            m00[1].revision,
            m00[1].model_version.as_str(),
            m00[1].model_intent.as_str()
        ),
        (2, "v2", v2(0))
    );
    assert_eq!(m00[1].language.as_deref(), Some("en"));
    assert_eq!(revs.iter().filter(|r| r.message_id == "m01").count(), 2);
    assert_eq!(
        h.state.store.messages_by_id(&[id(99)]).unwrap()[0].model_version,
        "unversioned"
    );

    // Selection shows the current prediction: v2's confidence where re-scored.
    let (st, pool) = h.post("/v1/admin/select",
        json!({"selection": {"from": 0, "to": 10_000, "max_confidence": 1.0, "low_confidence_budget": 100},
               "overlap": 2}),
    );
    assert_eq!(st, 200, "{pool}");
    let seen: HashMap<String, (f64, String)> = pool["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["message_id"].as_str().unwrap().to_string(),
                (
                    e["confidence"].as_f64().unwrap(),
                    e["model_intent"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect();
    assert_eq!(seen["m05"], (0.8, v2(5).to_string()));
    assert_eq!(seen["m35"], (0.3, v1(35).to_string()));

    // A second annotator gets every message again, now with the current prediction,
    // and confirms it. "Correct" means what each device was shown: v2 on b, v1 on a.
    let (b_id, bdev) = h.enroll("b");
    let (st, r) = h.post("/v1/admin/dispatch",
        json!({"selection": {"from": 0, "to": 10_000, "max_confidence": 1.0, "low_confidence_budget": 100},
               "overlap": 2, "batch_size": 100, "gold_share": 0.0}),
    );
    assert_eq!(st, 200, "{r}");
    let on_b = copies(&bdev);
    assert_eq!(on_b.len(), N);
    let labels = on_b
        .iter()
        .enumerate()
        .map(|(k, (item, _))| wire(item, "correct", None, 1_763_900_000_000 + k as i64))
        .collect();
    h.upload(&b_id, &bdev, labels);
    let shown: HashMap<String, String> = h
        .state
        .store
        .labelled_copies(Some("m04"))
        .unwrap()
        .into_iter()
        .map(|c| (c.device_id, c.model_intent))
        .collect();
    assert_eq!(shown[&a], v1(4));
    assert_eq!(shown[&bdev], v2(4));
    // Where b's confirmed intent is not the human answer (v2 wrong on every 5th of
    // m00..m29; v1 wrong on m32, m36), the manager adjudicates the human answer.
    let current = |i: usize| if i < RESCORED { v2(i) } else { v1(i) };
    for i in (0..N).filter(|&i| current(i) != human(i)) {
        let (st, r) = h.post(
            "/v1/admin/adjudications",
            json!({"message_id": id(i), "intent": human(i)}),
        );
        assert_eq!(st, 200, "{r}");
    }

    // Truth is `human(i)` for every message. Per version, by hand:
    let v1_pairs: Vec<(&str, &str)> = (0..N).map(|i| (v1(i), human(i))).collect();
    let v2_pairs: Vec<(&str, &str)> = (0..RESCORED).map(|i| (v2(i), human(i))).collect();
    let (st, e) = h.get_json("/v1/admin/evaluation?method=majority");
    assert_eq!(st, 200, "{e}");
    assert_eq!(e["model_version"], Value::Null);
    let by: BTreeMap<&str, &Value> = e["by_model_version"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["model_version"].as_str().unwrap(), v))
        .collect();
    assert_eq!(by.keys().copied().collect::<Vec<_>>(), vec!["v1", "v2"]);
    assert_eq!(by["v1"]["items"], N as u64);
    assert!(close(&by["v1"]["accuracy"], accuracy(&v1_pairs)), "{e}");
    assert!(close(&by["v1"]["accuracy"], 0.75));
    assert!(close(&by["v1"]["macro_f1"], macro_f1(&v1_pairs)), "{e}");
    assert_eq!(by["v2"]["items"], RESCORED as u64);
    assert!(close(&by["v2"]["accuracy"], 0.8), "{e}");
    assert!(close(&by["v2"]["macro_f1"], macro_f1(&v2_pairs)), "{e}");
    // The overall evaluation uses each message's current prediction.
    let now: Vec<(&str, &str)> = (0..N).map(|i| (current(i), human(i))).collect();
    assert_eq!(e["items"], N as u64);
    assert!(close(&e["accuracy"], accuracy(&now)), "{e}");
    // Language is a bias-audit dimension (en-GB stored as en).
    let langs: BTreeMap<&str, u64> = e["bias_audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["dimension"] == "language")
        .map(|s| (s["segment"].as_str().unwrap(), s["items"].as_u64().unwrap()))
        .collect();
    assert_eq!(langs, BTreeMap::from([("de", 20), ("en", 20)]));
    // One version only.
    let (st, only) = h.get_json("/v1/admin/evaluation?method=majority&model_version=v1");
    assert_eq!(st, 200, "{only}");
    assert_eq!(only["model_version"], "v1");
    assert_eq!(only["items"], N as u64);
    assert!(close(&only["accuracy"], 0.75), "{only}");
    assert_eq!(only["by_model_version"].as_array().map(Vec::len), Some(1));
    let (st, html) = common::call(
        "GET",
        &format!("{}/v1/admin/evaluation.html?model_version=v2", h.url),
        &h.auth(),
        b"",
    );
    assert_eq!(st, 200);
    assert!(html.contains("By model version") && html.contains("model version v2"));
    let (st, r) = h.get_json("/v1/admin/evaluation?model_version=v9");
    assert_eq!(
        (st, r["code"].as_str()),
        (404, Some("unknown_model_version")),
        "{r}"
    );
    assert!(r["message"].as_str().unwrap().contains("v1, v2"), "{r}");
    let (st, r) = h.get_json("/v1/admin/evaluation?model_version=a%20b");
    assert_eq!((st, r["code"].as_str()), (400, Some("invalid")), "{r}");

    // The comparison: the export's test split (as the export itself reports it), on
    // messages both versions predicted.
    let (st, exported) = common::call(
        "GET",
        &format!(
            "{}/v1/admin/export?method=majority&part=test&mark=false",
            h.url
        ),
        &h.auth(),
        b"",
    );
    assert_eq!(st, 200, "{exported}");
    let test: Vec<usize> = exported
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()[1..]
                .parse()
                .unwrap()
        })
        .filter(|i| *i < RESCORED)
        .collect();
    assert!(!test.is_empty());
    let (mut only_a, mut only_b) = (0u64, 0u64);
    for &i in &test {
        let (a_ok, b_ok) = (v1(i) == human(i), v2(i) == human(i));
        only_a += u64::from(a_ok && !b_ok);
        only_b += u64::from(b_ok && !a_ok);
    }
    let a_pairs: Vec<(&str, &str)> = test.iter().map(|&i| (v1(i), human(i))).collect();
    let b_pairs: Vec<(&str, &str)> = test.iter().map(|&i| (v2(i), human(i))).collect();
    let (st, c) = h.get_json("/v1/admin/evaluation/compare?a=v1&b=v2&method=majority");
    assert_eq!(st, 200, "{c}");
    assert_eq!(
        (c["a"].as_str(), c["b"].as_str(), c["split"].as_str()),
        (Some("v1"), Some("v2"), Some("test"))
    );
    assert_eq!(c["items"], test.len() as u64, "{c} {test:?}");
    assert_eq!(
        (c["only_a_correct"].as_u64(), c["only_b_correct"].as_u64()),
        (Some(only_a), Some(only_b)),
        "{c}"
    );
    assert!(close(&c["accuracy_a"], accuracy(&a_pairs)), "{c}");
    assert!(close(&c["accuracy_b"], accuracy(&b_pairs)), "{c}");
    assert!(close(
        &c["accuracy_difference"],
        accuracy(&b_pairs) - accuracy(&a_pairs)
    ));
    assert!(close(&c["macro_f1_a"], macro_f1(&a_pairs)), "{c}");
    assert!(close(&c["macro_f1_b"], macro_f1(&b_pairs)), "{c}");
    assert!(close(
        &c["mcnemar_p"],
        labelvault_core::pipeline::evaluate::mcnemar_exact(only_a, only_b)
    ));
    let deltas = c["per_intent"].as_array().unwrap();
    assert!(deltas.iter().all(|d| close(
        &d["difference"],
        d["f1_b"].as_f64().unwrap() - d["f1_a"].as_f64().unwrap()
    )));
    // Swapped, the differences change sign.
    let (_, back) = h.get_json("/v1/admin/evaluation/compare?a=v2&b=v1&method=majority");
    assert!(close(
        &back["accuracy_difference"],
        -c["accuracy_difference"].as_f64().unwrap()
    ));
    for (q, code, st_want) in [
        ("a=v1&b=a%20b", "invalid", 400),
        ("a=v1", "invalid", 400),
        ("a=v1&b=v9", "unknown_model_version", 404),
        ("a=v1&b=v2&x=1", "unknown_field", 400),
    ] {
        let (st, r) = h.get_json(&format!("/v1/admin/evaluation/compare?{q}"));
        assert_eq!((st, r["code"].as_str()), (st_want, Some(code)), "{q}: {r}");
    }
}
