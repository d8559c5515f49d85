//! The CLI behaves like a Unix tool when its reader goes away (`labelvault … | head`):
//! it ends quietly, with no panic message.

use labelvault_system_tests::{bin, cli_ok};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn a_closed_stdout_ends_the_cli_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p");
    cli_ok(&profile, &["demo"]);
    // `redact` echoes every input line, so its output outgrows the pipe buffer.
    let line = "{\"id\":\"x\",\"text\":\"call me on +44 20 7946 0958 about the refund\"}\n";
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, line.repeat(20_000)).unwrap();
    let mut child = Command::new(bin("labelvault-cli", "labelvault"))
        .arg("--profile")
        .arg(&profile)
        .arg("redact")
        .arg(&input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.contains("[PHONE_1]"), "{first}");
    drop(out);
    let result = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}
