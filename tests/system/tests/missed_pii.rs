//! The loop from an annotator's missed-PII mark back to the manager, with the real
//! binaries: the hub dispatches a message whose name its redaction misses, the device
//! labels it with a span over that name (`labelvault label --spans`) and syncs, and
//! `labelvault missed-pii` shows the mark counted by guessed kind and company — never the
//! name — while the device's ledger holds only the span offsets.

use base64::Engine as _;
use labelvault_system_tests::{cli_ok, enroll, Hub};
use serde_json::json;

#[test]
fn a_marked_name_reaches_the_manager_as_a_count_by_kind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hub = Hub::start(&dir.path().join("hub"));
    // A name the redactor misses: one unknown word after "the agent", where its tagger
    // does not look and no other rule takes it.
    let text = "the agent Zorblax was so helpful with my refund today";
    let (st, r) = hub.admin_post(
        "/v1/admin/messages",
        &json!({"messages": [{"message_id": "m1", "text": text, "company": "acme",
            "received_at": 1_764_000_000, "model_intent": "refund", "confidence": 0.2}]}),
    );
    assert_eq!(st, 200, "{r}");
    let device = enroll(&hub, &dir.path().join("dev"), "ann");
    // A second annotator holds another copy of the same message, not yet labelled.
    let other = enroll(&hub, &dir.path().join("other"), "bob");
    let (st, r) = hub.admin_post(
        "/v1/admin/dispatch",
        &json!({"selection": {"from": 0, "to": 2_000_000_000, "max_confidence": 1.0, "low_confidence_budget": 10},
                "overlap": 2, "batch_size": 10, "gold_share": 0.0}),
    );
    assert_eq!(st, 200, "{r}");
    cli_ok(&device.profile, &["pull"]);
    cli_ok(&other.profile, &["pull"]);
    let queue = cli_ok(&other.profile, &["queue", "--json", "--limit", "10"]);
    assert!(queue.contains("Zorblax"), "{queue}");
    // The redaction left the name: the annotator marks its 7 characters.
    cli_ok(
        &device.profile,
        &[
            "label",
            "--verdict",
            "correct",
            "--flag",
            "missed_pii",
            "--span",
            "10:17",
        ],
    );
    cli_ok(&device.profile, &["sync"]);
    let token = dir.path().join("hub").join("admin.token");
    let out = cli_ok(
        &device.profile,
        &[
            "missed-pii",
            "--hub",
            &hub.url,
            "--admin-token-file",
            &token.to_string_lossy(),
        ],
    );
    assert!(out.contains("acme") && out.contains("PERSON"), "{out}");
    assert!(out.contains("1 mark(s) on 1 message(s)"), "{out}");
    assert!(!out.contains("Zorblax"), "{out}");
    // The manager confirms the row: the name becomes one of acme's terms, and the next
    // acme message reaches the device with it masked.
    let token = token.to_string_lossy().to_string();
    let admin = |extra: &[&str]| {
        let mut args = vec![
            "missed-pii",
            "--hub",
            hub.url.as_str(),
            "--admin-token-file",
            token.as_str(),
        ];
        args.extend_from_slice(extra);
        cli_ok(&device.profile, &args)
    };
    let listed: serde_json::Value = serde_json::from_str(&admin(&["--json"])).expect("json");
    let week = listed["rows"][0]["week"]
        .as_str()
        .expect("week")
        .to_string();
    let confirmed = admin(&[
        "--confirm",
        "--week",
        &week,
        "--company",
        "acme",
        "--guess",
        "PERSON",
    ]);
    assert!(confirmed.contains("1 new term(s)"), "{confirmed}");
    assert!(!confirmed.contains("Zorblax"), "{confirmed}");
    // The other copy, already on the second device, is masked at its next sync, keeping
    // its length (each code point becomes a block).
    let out = cli_ok(&other.profile, &["sync"]);
    assert!(out.contains("1 item(s) had personal data masked"), "{out}");
    let queue = cli_ok(&other.profile, &["queue", "--json", "--limit", "10"]);
    assert!(!queue.contains("Zorblax"), "{queue}");
    assert!(
        queue.contains(&format!("{} was so helpful", "█".repeat(7))),
        "{queue}"
    );
    let (st, r) = hub.admin_post(
        "/v1/admin/messages",
        &json!({"messages": [{"message_id": "m2", "text": "zorblax called back", "company": "acme",
            "received_at": 1_764_000_100, "model_intent": "refund", "confidence": 0.2}]}),
    );
    assert_eq!(st, 200, "{r}");
    let (st, r) = hub.admin_post(
        "/v1/admin/dispatch",
        &json!({"selection": {"from": 1_764_000_050, "to": 2_000_000_000, "max_confidence": 1.0, "low_confidence_budget": 10},
                "overlap": 1, "batch_size": 10, "gold_share": 0.0, "devices": [device.device_id]}),
    );
    assert_eq!(st, 200, "{r}");
    cli_ok(&device.profile, &["pull"]);
    let queue = cli_ok(&device.profile, &["queue", "--json", "--limit", "10"]);
    assert!(queue.contains("[NAME_1] called back"), "{queue}");
    assert!(!queue.contains("zorblax"), "{queue}");
    // What left the device: the span's offsets and the item's length class, not the name.
    let ledger = cli_ok(&device.profile, &["audit", "export"]);
    let uploads: Vec<serde_json::Value> = ledger
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("ledger line"))
        .filter(|e| e["method"] == "POST" && e["path"] == "/v1/labels")
        .map(|e| {
            let body = base64::engine::general_purpose::STANDARD
                .decode(e["body_b64"].as_str().expect("body"))
                .expect("base64");
            assert!(!String::from_utf8_lossy(&body).contains("Zorblax"));
            serde_json::from_slice(&body).expect("upload")
        })
        .collect();
    let label = &uploads.last().expect("an upload")["labels"][0];
    assert_eq!(label["pii_spans"], json!([{"start": 10, "end": 17}]));
    // 53 code points: class 6 (up to 64).
    assert_eq!(label["length_class"], 6, "{label}");
}
