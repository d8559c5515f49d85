//! A manager's taxonomy with example phrasings and groups, and guidelines for the batch,
//! reach the annotator's vault through the real CLI, hub and sealed batch, so the app can
//! show them at the decision (the picker and the guidelines panel, `h`); and a label that
//! names the message's other intents (`m`) reaches the hub with them.

use labelvault_system_tests::{cli, cli_ok, enroll, Hub};
use serde_json::json;

#[test]
fn examples_groups_and_guidelines_travel_with_the_batch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hub = Hub::start(&dir.path().join("hub"));
    let token = hub.data_dir.join("admin.token");
    let token = token.to_str().expect("path");
    let me = dir.path().join("manager");
    let messages: String = (0..4)
        .map(|i| {
            json!({"message_id": format!("m{i}"), "text": format!("where is my card number {i}"),
                   "company": "acme", "received_at": 1764000000 + i,
                   "model_intent": if i % 2 == 0 { "card_arrival" } else { "change_pin" },
                   "confidence": 0.2})
            .to_string()
                + "\n"
        })
        .collect();
    let file = dir.path().join("m.jsonl");
    std::fs::write(&file, messages).expect("write");
    let admin = ["--hub", &hub.url, "--admin-token-file", token];
    let mut args = vec!["ingest"];
    args.extend(admin);
    args.push(file.to_str().expect("p"));
    cli_ok(&me, &args);
    let dev = enroll(&hub, &dir.path().join("dev"), "ann");
    let tax = dir.path().join("tax.json");
    std::fs::write(
        &tax,
        json!({"id": "support", "version": "3", "intents": [
            {"id": "card_arrival", "description": "The card has not arrived",
             "examples": ["Still waiting for my card", "Card not delivered"], "group": "cards"},
            {"id": "change_pin", "description": "Change or unblock the PIN",
             "examples": ["Forgot my PIN"], "group": "cards / security"}]})
        .to_string(),
    )
    .expect("taxonomy");
    let guide = dir.path().join("guide.txt");
    let guidelines = "Label the customer's main request.\nA blocked PIN is change_pin.";
    std::fs::write(&guide, guidelines).expect("guidelines");
    let dispatch = |guide: &str| {
        let mut args = vec![
            "dispatch",
            "--from",
            "0",
            "--budget",
            "10",
            "--max-confidence",
            "1",
            "--taxonomy",
            tax.to_str().expect("p"),
            "--guidelines",
            guide,
        ];
        args.extend(admin);
        cli(&me, &args)
    };
    // Guidelines over the limit are refused by the hub, naming the field.
    let long = dir.path().join("long.txt");
    std::fs::write(&long, "x".repeat(33 * 1024)).expect("write");
    let refused = dispatch(long.to_str().expect("p"));
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("guidelines"), "{err}");
    let ok = dispatch(guide.to_str().expect("p"));
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    cli_ok(&dev.profile, &["pull"]);

    let profile = labelvault_core::Profile::resolve(Some(dev.profile.clone())).expect("profile");
    let vault = labelvault_core::Vault::open(&profile, &labelvault_core::KeyringStore::new())
        .expect("vault");
    let batches = vault.batches().expect("batches");
    assert_eq!(batches.len(), 1);
    let id = &batches[0].batch_id;
    let intents = vault.taxonomy(id).expect("taxonomy");
    let shown: Vec<(&str, &str, usize)> = intents
        .iter()
        .map(|i| (i.id.as_str(), i.group.as_str(), i.examples.len()))
        .collect();
    assert_eq!(
        shown,
        vec![
            ("card_arrival", "cards", 2),
            ("change_pin", "cards / security", 1)
        ]
    );
    assert_eq!(intents[0].examples[1], "Card not delivered");
    assert_eq!(vault.guidelines(id).expect("guidelines"), guidelines);
    drop(vault);

    // Several intents: the right one and the others, from the batch's taxonomy only.
    let unknown = cli(
        &dev.profile,
        &[
            "label",
            "--verdict",
            "wrong",
            "--intent",
            "change_pin",
            "--also",
            "pay_bill",
        ],
    );
    assert!(!unknown.status.success());
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(err.contains("pay_bill is not in the taxonomy"), "{err}");
    cli_ok(
        &dev.profile,
        &[
            "label",
            "--verdict",
            "wrong",
            "--intent",
            "change_pin",
            "--also",
            "card_arrival",
        ],
    );
    cli_ok(&dev.profile, &["sync"]);
    let labels = hub.admin_get("/v1/admin/labels");
    let multi: Vec<serde_json::Value> = labels
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|l: &serde_json::Value| l["also_intents"] != json!([]))
        .collect();
    assert_eq!(multi.len(), 1, "{labels}");
    assert_eq!(multi[0]["intent_id"], "change_pin");
    assert_eq!(multi[0]["also_intents"], json!(["card_arrival"]));
    assert_eq!(multi[0]["flags"], json!(["multiple_intents"]));
    // The device's ledger, with the label naming both, verifies offline.
    let ledger = dir.path().join("ledger.jsonl");
    cli_ok(
        &dev.profile,
        &["audit", "export", "--out", ledger.to_str().expect("p")],
    );
    let out = cli_ok(
        &dev.profile,
        &[
            "audit",
            "verify",
            ledger.to_str().expect("p"),
            "--hub-key",
            &hub.public_key(),
        ],
    );
    assert!(out.starts_with("OK"), "{out}");

    // The manager's undo from the command line: the fetched batch can no longer be
    // withdrawn; an adjudication is taken back by a new entry.
    let mut args = vec!["withdraw", id.as_str()];
    args.extend(admin);
    let late = cli(&me, &args);
    assert!(!late.status.success());
    let err = String::from_utf8_lossy(&late.stderr);
    assert!(err.contains("already_fetched"), "{err}");
    let mut args = vec!["adjudicate", "m1", "card_arrival", "--json"];
    args.extend(admin);
    let a: serde_json::Value = serde_json::from_str(&cli_ok(&me, &args)).expect("json");
    let seq = a["seq"].to_string();
    let mut args = vec!["adjudicate", "--undo", seq.as_str()];
    args.extend(admin);
    let undone = cli_ok(&me, &args);
    assert!(
        undone.contains("m1 is back to its gold answer or its annotators' majority"),
        "{undone}"
    );
}
