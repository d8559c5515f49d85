//! Files that other tools wrote, kept unchanged under `tests/fixtures/` with their
//! source commit and licence, sealed with the real CLI and imported into a real vault:
//! a Label Studio task whose predictions have no `score`, and a Prodigy textcat dataset
//! whose `answer`s say accept, reject and ignore; and Argilla v2 records written by the
//! argilla package itself.

use labelvault_system_tests::cli_ok;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(rel)
}

/// Seal `items` to a fresh device with the real CLI, import it there, and return the
/// device's queue (every item, as JSON).
fn seal_and_import(dir: &Path, items: &Path) -> Vec<Value> {
    let profile = dir.join("device");
    let show: Value =
        serde_json::from_str(&cli_ok(&profile, &["device", "show", "--json"])).expect("device");
    let key_file = dir.join("hub.key");
    let out = cli_ok(
        &profile,
        &["hub", "keygen", "--out", &key_file.to_string_lossy()],
    );
    let public = out
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("public key:")
        .trim()
        .to_string();
    cli_ok(&profile, &["hub", "trust", &public]);
    let batch = dir.join("real.lvbatch");
    cli_ok(
        &profile,
        &[
            "batch",
            "seal",
            "--hub-key",
            &key_file.to_string_lossy(),
            "--to",
            show["recipient"].as_str().expect("recipient"),
            "-o",
            &batch.to_string_lossy(),
            &items.to_string_lossy(),
        ],
    );
    cli_ok(&profile, &["batch", "import", &batch.to_string_lossy()]);
    cli_ok(&profile, &["queue", "--json", "--limit", "1000"])
        .lines()
        .map(|l| serde_json::from_str(l).expect("queue line"))
        .collect()
}

#[test]
fn a_label_studio_task_without_scores_imports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let queue = seal_and_import(
        dir.path(),
        &fixture("label-studio/text_with_2_predictions.json"),
    );
    assert_eq!(queue.len(), 1, "{queue:?}");
    // No score anywhere: the first prediction, with unknown confidence (0), the other one
    // as an alternative.
    assert_eq!(queue[0]["model_intent"], "class_A", "{}", queue[0]);
    assert_eq!(queue[0]["confidence"].as_f64(), Some(0.0), "{}", queue[0]);
    assert!(
        queue[0]["alternatives"].to_string().contains("class_B"),
        "{}",
        queue[0]
    );
}

#[test]
fn a_prodigy_dataset_keeps_its_answers() {
    let file = fixture("prodigy/annotated_github-issues-DOCUMENTATION-textcat.head60.jsonl");
    let rows: Vec<Value> = std::fs::read_to_string(&file)
        .expect("fixture")
        .lines()
        .map(|l| serde_json::from_str(l).expect("row"))
        .collect();
    let count = |a: &str| rows.iter().filter(|r| r["answer"] == a).count();
    let (accept, reject, ignore) = (count("accept"), count("reject"), count("ignore"));
    assert!(accept > 0 && reject > 0 && ignore > 0);
    let dir = tempfile::tempdir().expect("tempdir");
    let queue = seal_and_import(dir.path(), &file);
    // Ignored rows are left out; rejected ones are reported false positives (the device's
    // queue puts them first), accepted ones keep the default reason. Items the device's
    // own redactor holds back are counted by the vault, not shown.
    let held = {
        let s: Value =
            serde_json::from_str(&cli_ok(&dir.path().join("device"), &["status", "--json"]))
                .expect("status");
        s["quarantined"].as_u64().unwrap_or(0) as usize
    };
    assert_eq!(queue.len() + held, accept + reject, "{held} held back");
    let fp = queue
        .iter()
        .filter(|q| q["reason"] == "false_positive")
        .count();
    assert!(
        fp + held >= reject && fp <= reject,
        "{fp} false positives of {reject} rejected"
    );
    assert!(queue.iter().all(|q| q["model_intent"] == "DOCUMENTATION"));
    println!(
        "{} rows: {accept} accept, {reject} reject, {ignore} ignore -> {} shown ({fp} false positives), {held} held back",
        rows.len(),
        queue.len()
    );
}

/// Argilla v2 records written by the `argilla` package itself (`Record`, and the
/// `to_json` writer `Dataset.records.to_json` uses), read as `labelvault ingest` and
/// `batch seal` read them: the suggestion is the model's output (a missing score is
/// unknown confidence), a person's submitted response naming another intent makes a
/// reported false positive, one naming the same intent changes nothing. (Argilla's
/// writer leaves out a response's status, so a discarded record is covered by the unit
/// test of `formats::argilla_answer`.)
#[test]
fn argilla_records_written_by_argilla_import() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("argilla.json");
    let script = r#"
import sys
import argilla as rg
from argilla.records._io._json import JsonIO
user = "00000000-0000-4000-8000-000000000001"
def rec(i, text, value, score=None, answer=None, status=None):
    r = rg.Record(id=i, fields={"text": text},
                  metadata={"company": "acme", "channel": "chat", "received_at": "2026-11-01"},
                  suggestions=[rg.Suggestion(question_name="intent", value=value, score=score, agent="model-v3")],
                  responses=[rg.Response(question_name="intent", value=answer, user_id=user,
                                         status=status or "submitted")] if answer else [])
    return r
JsonIO.to_json([
    rec("a1", "where is my new card", "card_arrival", 0.91),
    rec("a2", "I want to change my pin", "card_arrival", 0.55, answer="change_pin"),
    rec("a3", "top up did not work", "top_up_failed"),
    rec("a4", "my card is here, thanks", "card_arrival", 0.7, answer="card_arrival"),
], sys.argv[1])
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&file)
        .output()
        .expect("python3 (scripts/install-deps.sh installs argilla)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let queue = seal_and_import(dir.path(), &file);
    let by_text = |t: &str| {
        queue
            .iter()
            .find(|q| q["text"] == t)
            .unwrap_or_else(|| panic!("{t} not in {queue:?}"))
    };
    assert_eq!(queue.len(), 4, "{queue:?}");
    assert_eq!(
        by_text("my card is here, thanks")["reason"],
        "low_confidence",
        "a response agreeing with the suggestion changes nothing"
    );
    let scored = by_text("where is my new card");
    assert_eq!(
        (
            scored["model_intent"].as_str(),
            scored["confidence"].as_f64()
        ),
        (Some("card_arrival"), Some(0.91))
    );
    assert_eq!(
        by_text("I want to change my pin")["reason"],
        "false_positive",
        "a response naming another intent is a reported false positive"
    );
    assert_eq!(
        by_text("top up did not work")["confidence"].as_f64(),
        Some(0.0),
        "no score: unknown confidence"
    );
}
