//! Files that other tools wrote, kept unchanged under `tests/fixtures/` with their
//! source commit and licence, sealed with the real CLI and imported into a real vault:
//! a Label Studio task whose predictions have no `score`, and a Prodigy textcat dataset
//! whose `answer`s say accept, reject and ignore.

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
