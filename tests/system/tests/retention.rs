//! Retention of raw text with the real hub binary: started with
//! `--raw-text-retention 1s`, the hub replaces each message's raw text by its redacted form
//! once the period has passed — the database then holds only the redaction — and the
//! message can still be dispatched and labelled. A malformed period stops the hub with a
//! clear error.

use labelvault_system_tests::{cli_ok, enroll, Hub, HubOptions, PostgresDb};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[test]
fn raw_text_past_its_retention_is_replaced_by_its_redaction() {
    retention_on(None);
}

#[test]
fn raw_text_past_its_retention_is_replaced_by_its_redaction_postgres() {
    if let Some(db) = PostgresDb::create("retention") {
        retention_on(Some(db.url.clone()));
    }
}

fn retention_on(db: Option<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = db.is_none();
    let hub = Hub::start_with(
        &dir.path().join("hub"),
        "127.0.0.1:0",
        HubOptions {
            db,
            env: vec![("LABELVAULT_HUB_RAW_TEXT_RETENTION".into(), "1s".into())],
        },
    );
    let (st, r) = hub.admin_post(
        "/v1/admin/messages",
        &json!({"messages": [{"message_id": "m1", "text": "write to jane.doe@example.com about my parcel",
            "company": "acme", "received_at": 1_764_000_000, "model_intent": "delivery", "confidence": 0.2}]}),
    );
    assert_eq!(st, 200, "{r}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status: Value =
            serde_json::from_str(&hub.admin_get("/v1/admin/pipeline")).expect("json");
        if status["texts_retired"] == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "retention never ran: {status}");
        std::thread::sleep(Duration::from_millis(200));
    }
    if sqlite {
        let text: String = hub
            .open_db()
            .query_row(
                "SELECT text FROM messages WHERE message_id = 'm1'",
                [],
                |r| r.get(0),
            )
            .expect("text");
        assert!(!text.contains("jane.doe"), "{text}");
        assert!(
            text.contains("[EMAIL_1]") && text.contains("about my parcel"),
            "{text}"
        );
    }
    // Still usable: dispatched (redacted again, unchanged) and labelled.
    let device = enroll(&hub, &dir.path().join("dev"), "ann");
    let (st, r) = hub.admin_post(
        "/v1/admin/dispatch",
        &json!({"selection": {"from": 0, "to": 2_000_000_000, "max_confidence": 1.0, "low_confidence_budget": 10},
                "overlap": 1, "batch_size": 10, "gold_share": 0.0}),
    );
    assert_eq!(st, 200, "{r}");
    cli_ok(&device.profile, &["pull"]);
    let queue = cli_ok(&device.profile, &["queue", "--json"]);
    assert!(
        queue.contains("about my parcel") && !queue.contains("jane.doe"),
        "{queue}"
    );
}

#[test]
fn a_malformed_retention_period_stops_the_hub() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(labelvault_system_tests::bin(
        "labelvault-hub",
        "labelvault-hub",
    ))
    .args(["serve", "--data-dir"])
    .arg(dir.path().join("hub"))
    .args(["--listen", "127.0.0.1:0", "--raw-text-retention", "90 days"])
    .output()
    .expect("hub");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unit is s, m, h or d"), "{err}");
}
