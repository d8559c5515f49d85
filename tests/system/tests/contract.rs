//! The hub's HTTP API, checked by tools nobody here wrote: `promtool check metrics` on a
//! real `/metrics` scrape (after messages, a dispatch, labels and a sync), `promtool
//! check rules` and `promtool test rules` on the example alerts in
//! `docs/prometheus-alerts.yml`, then
//! Schemathesis running every one of its checks against `docs/openapi.yaml` on the live
//! hub, with a fixed seed and a bounded number of examples. `scripts/install-deps.sh`
//! installs both (Debian's `prometheus` package for promtool; `schemathesis` from PyPI).
//! The operations whose rules a schema cannot state (a cross-field rule, a checksum) are
//! listed, with the rule, in `tests/schemathesis/schemathesis.toml`.

use labelvault_system_tests::{cli_ok, enroll, Hub};
use serde_json::json;
use std::path::Path;
use std::process::{Command, Stdio};

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn promtool_and_schemathesis_accept_the_live_hub() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hub = Hub::start(&dir.path().join("hub"));
    let token_file = hub.data_dir.join("admin.token");
    let token_file = token_file.to_str().expect("path");
    let me = dir.path().join("manager");
    // Real figures behind the scrape: messages, two devices, a dispatch, labels synced.
    let messages: String = (0..40)
        .map(|i| {
            let intent = ["card_arrival", "change_pin", "top_up_failed"][i % 3];
            json!({"message_id": format!("m{i}"), "text": format!("where is my card, order {i}"),
                   "company": if i % 2 == 0 { "acme" } else { "globex" }, "received_at": 1764000000 + i,
                   "model_intent": intent,
                   "confidence": 0.1 + (i % 7) as f64 / 10.0, "reported_false_positive": i % 9 == 0})
            .to_string()
                + "\n"
        })
        .collect();
    let file = dir.path().join("m.jsonl");
    std::fs::write(&file, messages).expect("write");
    let admin = ["--hub", hub.url.as_str(), "--admin-token-file", token_file];
    let run = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(admin);
        cli_ok(&me, &all)
    };
    run(&["ingest", file.to_str().expect("p")]);
    let a = enroll(&hub, &dir.path().join("a"), "ann a");
    let b = enroll(&hub, &dir.path().join("b"), "ann b");
    run(&[
        "dispatch",
        "--from",
        "0",
        "--budget",
        "20",
        "--max-confidence",
        "1",
        "--overlap",
        "2",
    ]);
    for (dev, verdict) in [(&a, "correct"), (&b, "unsure")] {
        cli_ok(&dev.profile, &["pull"]);
        for _ in 0..5 {
            cli_ok(&dev.profile, &["label", "--verdict", verdict]);
        }
        cli_ok(&dev.profile, &["sync"]);
    }

    // promtool on the scrape.
    let (st, scrape) = hub.admin_get_status("/metrics");
    assert_eq!(st, 200, "{scrape}");
    assert!(
        scrape.contains("labelvault_labels_received_total{"),
        "{scrape}"
    );
    let mut promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (scripts/install-deps.sh installs Debian's prometheus package)");
    std::io::Write::write_all(
        &mut promtool.stdin.take().expect("stdin"),
        scrape.as_bytes(),
    )
    .expect("write the scrape");
    let out = promtool.wait_with_output().expect("promtool");
    assert!(
        out.status.success(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // The example alerting rules in docs/ are valid, and fire when they should.
    for args in [
        vec!["check", "rules", "docs/prometheus-alerts.yml"],
        vec!["test", "rules", "tests/prometheus/alerts.test.yml"],
    ] {
        let out = Command::new("promtool")
            .current_dir(repo())
            .args(&args)
            .output()
            .expect("promtool");
        assert!(
            out.status.success(),
            "promtool {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // Schemathesis, every check. It may revoke the bootstrap token as it fuzzes the
    // account endpoints, which is why it runs last.
    // As a module of the python3 on PATH, wherever pip put its `st` script.
    let out = Command::new("python3")
        // Its example database and reports stay in the test's own directory.
        .current_dir(dir.path())
        .args(["-m", "schemathesis.cli", "--config-file"])
        .arg(repo().join("tests/schemathesis/schemathesis.toml"))
        .arg("run")
        .arg(repo().join("docs/openapi.yaml"))
        .args(["--url", &hub.url])
        .args(["-H", &format!("Authorization: Bearer {}", hub.token)])
        .args([
            "--checks",
            "all",
            "--max-examples",
            "20",
            "--seed",
            "1",
            "-w",
            "1",
        ])
        .args(["--phases", "examples,coverage,fuzzing", "--no-color"])
        .output()
        .expect("python3 -m schemathesis.cli (scripts/install-deps.sh installs schemathesis)");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{said}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("Tested: 4"), "{said}");
}
