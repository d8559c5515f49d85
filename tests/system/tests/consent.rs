//! Consent with the real binaries, on both stores: a message ingested with
//! `training_consent: false`, and every message of a company whose customers withdraw
//! consent after labelling, are stored but never dispatched or exported; the pool
//! figures count them; consent given again brings the company's messages back.

use labelvault_system_tests::{cli_ok, enroll, Hub, HubOptions, PostgresDb};
use serde_json::{json, Value};
use std::path::Path;

fn consent_on(dir: &Path, options: HubOptions) {
    let hub = Hub::start_with(&dir.join("hub"), "127.0.0.1:0", options);
    let token = dir
        .join("hub")
        .join("admin.token")
        .to_string_lossy()
        .to_string();
    let (st, r) = hub.admin_post(
        "/v1/admin/messages",
        &json!({"messages": [
            {"message_id": "yes-1", "text": "my card was charged twice", "company": "acme",
             "received_at": 1_764_000_000, "model_intent": "charge", "confidence": 0.2},
            {"message_id": "no-1", "text": "please cancel my order", "company": "acme",
             "received_at": 1_764_000_001, "model_intent": "cancel", "confidence": 0.2,
             "training_consent": false},
            {"message_id": "glob-1", "text": "where is my refund", "company": "globex",
             "received_at": 1_764_000_002, "model_intent": "refund", "confidence": 0.2}]}),
    );
    assert_eq!(st, 200, "{r}");
    let status: Value = serde_json::from_str(&hub.admin_get("/v1/admin/pipeline")).expect("json");
    assert_eq!(status["messages"], 3);
    assert_eq!(status["without_consent"], 1, "{status}");
    let device = enroll(&hub, &dir.join("dev"), "ann");
    let (st, r) = hub.admin_post(
        "/v1/admin/dispatch",
        &json!({"selection": {"from": 0, "to": 2_000_000_000, "max_confidence": 1.0, "low_confidence_budget": 10},
                "overlap": 1, "batch_size": 10, "gold_share": 0.0}),
    );
    assert_eq!(st, 200, "{r}");
    cli_ok(&device.profile, &["pull"]);
    let queue = cli_ok(&device.profile, &["queue", "--json", "--limit", "10"]);
    assert!(
        queue.contains("charged twice") && queue.contains("where is my refund"),
        "{queue}"
    );
    assert!(
        !queue.contains("cancel my order"),
        "a message without consent was dispatched: {queue}"
    );
    for _ in 0..2 {
        cli_ok(&device.profile, &["label", "--verdict", "correct"]);
    }
    cli_ok(&device.profile, &["sync"]);
    // globex's customers withdraw consent after the labelling: its message leaves the
    // exports, and the figures say so.
    let out = cli_ok(
        &device.profile,
        &[
            "company",
            "--hub",
            &hub.url,
            "--admin-token-file",
            &token,
            "--consent",
            "false",
            "globex",
        ],
    );
    assert!(out.contains("withheld"), "{out}");
    let status: Value = serde_json::from_str(&hub.admin_get("/v1/admin/pipeline")).expect("json");
    assert_eq!(status["without_consent"], 2, "{status}");
    assert_eq!(status["companies_without_consent"], json!(["globex"]));
    let progress = cli_ok(
        &device.profile,
        &["progress", "--hub", &hub.url, "--admin-token-file", &token],
    );
    assert!(
        progress.contains("withheld (no consent to training use): 2 message(s), companies globex"),
        "{progress}"
    );
    let export = hub.admin_get("/v1/admin/export?format=jsonl&mark=false");
    assert!(export.contains("charged twice"), "{export}");
    assert!(
        !export.contains("where is my refund") && !export.contains("cancel my order"),
        "{export}"
    );
    // Consent given again: back in the export.
    let (st, r) = hub.admin_post(
        "/v1/admin/companies",
        &json!({"company": "globex", "training_consent": true}),
    );
    assert_eq!(st, 200, "{r}");
    let export = hub.admin_get("/v1/admin/export?format=jsonl&mark=false");
    assert!(export.contains("where is my refund"), "{export}");
    // Each change of consent is an act of its own on the access ledger.
    let ledger = hub.admin_get("/v1/admin/access-ledger");
    let acts: Vec<String> = ledger
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("line")["act"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .filter(|a| a.starts_with("consent_"))
        .collect();
    assert_eq!(acts, ["consent_withdrawn", "consent_given"], "{ledger}");
    // A company request that says nothing is refused.
    let (st, r) = hub.admin_post("/v1/admin/companies", &json!({"company": "globex"}));
    assert_eq!(st, 400, "{r}");
}

#[test]
fn messages_without_consent_are_never_dispatched_or_exported_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    consent_on(dir.path(), HubOptions::default());
}

#[test]
fn messages_without_consent_are_never_dispatched_or_exported_postgres() {
    let Some(db) = PostgresDb::create("consent") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    consent_on(
        dir.path(),
        HubOptions {
            db: Some(db.url.clone()),
            env: Vec::new(),
        },
    );
}
