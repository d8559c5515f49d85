//! The hub's data directory is private: the directory 0700 and every file in it —
//! signing key, admin token, the SQLite database and its WAL with the raw message text —
//! 0600, also when an earlier version left them wider; a key made readable by others
//! stops the hub with the command that fixes it.

#![cfg(unix)]

use labelvault_system_tests::Hub;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

fn chmod(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod");
}

#[test]
fn every_file_the_hub_writes_is_private() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    chmod(&data, 0o755);
    let mut hub = Hub::start(&data);
    let (st, r) = hub.admin_post(
        "/v1/admin/messages",
        &json!({"messages": [{"message_id": "m1", "text": "raw text of a customer", "company": "acme",
            "received_at": 1_764_000_000, "model_intent": "refund", "confidence": 0.2}]}),
    );
    assert_eq!(st, 200, "{r}");
    let check = |when: &str| {
        assert_eq!(mode(&data), 0o700, "{when}: the data directory");
        let mut names = Vec::new();
        for e in std::fs::read_dir(&data).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            assert_eq!(mode(&p) & 0o077, 0, "{when}: {name} is mode {:o}", mode(&p));
            names.push(name);
        }
        for needed in ["hub.key", "admin.token", "hub.db"] {
            assert!(
                names.iter().any(|n| n == needed),
                "{when}: no {needed} in {names:?}"
            );
        }
    };
    check("running");
    // Its log goes to a file: plain text, no terminal colour codes.
    let log = std::fs::read_to_string(&hub.log).expect("hub log");
    assert!(log.contains("INFO"), "{log}");
    assert!(!log.contains('\u{1b}'), "colour codes in the log file");
    // Files an earlier version left readable are made private again at start.
    hub.kill9();
    chmod(&data.join("hub.db"), 0o644);
    chmod(&data, 0o755);
    hub.restart();
    check("restarted");
    // A key someone made readable stops the hub, saying how to fix it.
    hub.kill9();
    chmod(&data.join("hub.key"), 0o644);
    let out = std::process::Command::new(labelvault_system_tests::bin(
        "labelvault-hub",
        "labelvault-hub",
    ))
    .args(["serve", "--data-dir"])
    .arg(&data)
    .args(["--listen", "127.0.0.1:0"])
    .output()
    .expect("hub");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("readable by other users") && err.contains("chmod 600"),
        "{err}"
    );
}
