//! A new model version through the real `labelvault` CLI and the real hub binary: v1
//! predictions are ingested, dispatched to a device enrolled with the real keyring,
//! labelled through the engine and synced; v2 re-scores the same messages (the CLI
//! reports them re-scored; a row with another text under a known id is refused by its
//! line, without the text, and the exit code says so); `labelvault evaluate` scores both
//! versions and `labelvault evaluate --compare v1 v2` compares them on the export's test
//! split — every figure computed here from what the test sent. Run inside
//! scripts/with-keyring.sh.

use labelvault_core::labels::{Decision, Verdict};
use labelvault_system_tests::{cli, cli_ok, enroll, Hub};
use serde_json::{json, Value};
use std::collections::HashMap;

const INTENTS: [&str; 4] = ["card_arrival", "card_lost", "refund", "top_up_failed"];
const N: usize = 80;
const LANGUAGES: [&str; 3] = ["en", "de-AT", "fr"];

/// The human answer of message `i`.
fn truth(i: usize) -> &'static str {
    INTENTS[(i * 7 + i / 5) % 4]
}
/// v1: wrong on every third message.
fn v1(i: usize) -> &'static str {
    if i.is_multiple_of(3) {
        INTENTS[(i * 7 + i / 5 + 1) % 4]
    } else {
        truth(i)
    }
}
/// v2: wrong on every seventh message only.
fn v2(i: usize) -> &'static str {
    if i.is_multiple_of(7) {
        INTENTS[(i * 7 + i / 5 + 2) % 4]
    } else {
        truth(i)
    }
}

fn file(dir: &std::path::Path, name: &str, rows: &[Value]) -> String {
    let p = dir.join(name);
    std::fs::write(
        &p,
        rows.iter()
            .map(|r| r.to_string() + "\n")
            .collect::<String>(),
    )
    .unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn a_second_model_version_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(&dir.path().join("hub"));
    let token = hub.data_dir.join("admin.token");
    let admin = [
        "--hub",
        hub.url.as_str(),
        "--admin-token-file",
        token.to_str().unwrap(),
    ];
    let nowhere = dir.path().join("manager-profile");
    let run = |args: &[&str]| -> std::process::Output {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(admin.iter().copied());
        cli(&nowhere, &all)
    };
    let row = |i: usize, version: &str, intent: &str| {
        json!({"id": format!("m{i:03}"), "text": format!("message number {i} about my card"),
               "company": "acme", "channel": "chat", "received_at": 1_767_225_600 + i as i64,
               "intent": intent, "confidence": 0.4, "model_version": version,
               "language": LANGUAGES[i % 3]})
    };
    let first: Vec<Value> = (0..N).map(|i| row(i, "v1", v1(i))).collect();
    let out = run(&["ingest", &file(dir.path(), "v1.jsonl", &first)]);
    assert!(out.status.success());

    // One device labels every message with its true intent.
    let a = enroll(&hub, &dir.path().join("a"), "annotator a");
    let out = run(&[
        "dispatch",
        "--json",
        "--from",
        "1767225600",
        "--to",
        "1767312000",
        "--budget",
        "1000",
        "--max-confidence",
        "1",
        "--sample",
        "0",
        "--overlap",
        "1",
        "--batch-size",
        "100",
        "--gold-share",
        "0",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let items: HashMap<String, usize> = hub
        .admin_get("/v1/admin/items")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|c| {
            (
                c["item_id"].as_str().unwrap().to_string(),
                c["message_id"].as_str().unwrap()[1..].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(items.len(), N);
    cli_ok(&a.profile, &["pull"]);
    {
        let profile = labelvault_core::Profile::resolve(Some(a.profile.clone())).unwrap();
        let mut vault =
            labelvault_core::Vault::open(&profile, &labelvault_core::KeyringStore::new()).unwrap();
        for q in vault.peek_queue(1000).unwrap() {
            let i = items[&q.item_id];
            assert_eq!(q.model_intent, v1(i), "the device was shown v1");
            let (verdict, intent_id) = if truth(i) == q.model_intent {
                (Verdict::Correct, None)
            } else {
                (Verdict::Wrong, Some(truth(i).to_string()))
            };
            vault
                .record(&Decision {
                    item_id: q.item_id.clone(),
                    verdict,
                    intent_id,
                    flags: Vec::new(),
                    pii_spans: Vec::new(),
                    duration_ms: 900,
                    also_intents: Vec::new(),
                })
                .unwrap();
        }
    }
    cli_ok(&a.profile, &["sync"]);

    // v2 re-scores every message: all re-scored, none stored anew, none refused.
    let second: Vec<Value> = (0..N).map(|i| row(i, "v2", v2(i))).collect();
    let v2_file = file(dir.path(), "v2.jsonl", &second);
    let out = run(&["ingest", "--json", &v2_file]);
    assert!(out.status.success());
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            r["inserted"].as_u64(),
            r["rescored"].as_u64(),
            r["duplicates"].as_u64()
        ),
        (Some(0), Some(N as u64), Some(0)),
        "{r}"
    );
    let out = run(&["ingest", &v2_file]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        said.contains("0 re-scored") && said.contains(&format!("{N} already on the hub")),
        "{said}"
    );
    // Another text under a known id: refused by its line (3), the rest stored.
    let mut changed = row(5, "v3", "refund");
    changed["text"] = "SECRET words of another message".into();
    let mixed = file(
        dir.path(),
        "mixed.jsonl",
        &[row(200, "v3", "refund"), row(201, "v3", "refund"), changed],
    );
    let out = run(&["ingest", &mixed]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(3), "{said}");
    assert!(
        said.contains("line 3: text differs from message m005 already held")
            && !said.contains("SECRET"),
        "{said}"
    );

    // Both versions scored against the humans.
    let out = run(&["evaluate", "--json", "--method", "majority"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    let acc = |f: fn(usize) -> &'static str, ids: &[usize]| {
        ids.iter().filter(|&&i| f(i) == truth(i)).count() as f64 / ids.len() as f64
    };
    let all: Vec<usize> = (0..N).collect();
    let by = e["by_model_version"].as_array().unwrap();
    assert_eq!(by.len(), 2, "{e}");
    assert_eq!(
        (by[0]["model_version"].as_str(), by[0]["items"].as_u64()),
        (Some("v1"), Some(N as u64))
    );
    assert!(
        (by[0]["accuracy"].as_f64().unwrap() - acc(v1, &all)).abs() < 1e-9,
        "{e}"
    );
    assert!(
        (by[1]["accuracy"].as_f64().unwrap() - acc(v2, &all)).abs() < 1e-9,
        "{e}"
    );
    let langs: Vec<(&str, u64)> = e["bias_audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["dimension"] == "language")
        .map(|s| (s["segment"].as_str().unwrap(), s["items"].as_u64().unwrap()))
        .collect();
    assert_eq!(langs, vec![("de", 27), ("en", 27), ("fr", 26)]);
    let human =
        String::from_utf8_lossy(&run(&["evaluate", "--method", "majority"]).stdout).to_string();
    assert!(
        human.contains("by model version:") && human.contains("v2"),
        "{human}"
    );

    // One version only.
    let out = run(&[
        "evaluate",
        "--json",
        "--method",
        "majority",
        "--model-version",
        "v2",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let only: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (only["model_version"].as_str(), only["items"].as_u64()),
        (Some("v2"), Some(N as u64))
    );
    assert!(
        (only["accuracy"].as_f64().unwrap() - acc(v2, &all)).abs() < 1e-9,
        "{only}"
    );

    // The comparison, on what the export calls its test split.
    let test: Vec<usize> = hub
        .admin_get("/v1/admin/export?method=majority&part=test&mark=false")
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()[1..]
                .parse()
                .unwrap()
        })
        .collect();
    assert!(test.len() >= 8, "{test:?}");
    let out = run(&[
        "evaluate",
        "--json",
        "--method",
        "majority",
        "--compare",
        "v1",
        "v2",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    let only = |x: fn(usize) -> &'static str, y: fn(usize) -> &'static str| {
        test.iter()
            .filter(|&&i| x(i) == truth(i) && y(i) != truth(i))
            .count() as u64
    };
    assert_eq!(c["items"].as_u64(), Some(test.len() as u64), "{c}");
    assert_eq!(c["only_a_correct"].as_u64(), Some(only(v1, v2)), "{c}");
    assert_eq!(c["only_b_correct"].as_u64(), Some(only(v2, v1)), "{c}");
    assert!(
        (c["accuracy_a"].as_f64().unwrap() - acc(v1, &test)).abs() < 1e-9,
        "{c}"
    );
    assert!(
        (c["accuracy_b"].as_f64().unwrap() - acc(v2, &test)).abs() < 1e-9,
        "{c}"
    );
    let p = labelvault_core::pipeline::evaluate::mcnemar_exact(only(v1, v2), only(v2, v1));
    assert!((c["mcnemar_p"].as_f64().unwrap() - p).abs() < 1e-12, "{c}");
    let human = String::from_utf8_lossy(
        &run(&["evaluate", "--method", "majority", "--compare", "v1", "v2"]).stdout,
    )
    .to_string();
    assert!(
        human.contains("McNemar's exact test p = ") && human.contains("F1 per intent (v1 → v2)"),
        "{human}"
    );
    // A version the hub never saw: the error says which ones it holds.
    let out = run(&["evaluate", "--compare", "v1", "v9"]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        !out.status.success() && err.contains("v9") && err.contains("v1, v2"),
        "{err}"
    );
}
