//! People and roles with the real binaries: the bootstrap token creates a manager and a
//! privacy officer; each enrolls a key of their own (kept in the OS keyring) and every
//! later command signs with it. The manager ingests, dispatches and exports raw text; the
//! privacy officer may not export, and answers "who read message m's raw text, and when"
//! with one command from the verified access ledger.

use labelvault_system_tests::{cli, cli_ok, enroll, Hub, HubOptions, PostgresDb};
use std::path::Path;
use std::process::Command;

#[test]
fn a_privacy_officer_finds_who_read_a_message_with_one_command_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    people_on(dir.path(), HubOptions::default());
}

#[test]
fn a_privacy_officer_finds_who_read_a_message_with_one_command_postgres() {
    let Some(db) = PostgresDb::create("people") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    people_on(
        dir.path(),
        HubOptions {
            db: Some(db.url.clone()),
            env: Vec::new(),
        },
    );
}

/// The hub binary with the data directory and database the hub was started with.
fn hub_cmd(hub: &Hub, verb: &str) -> Command {
    let mut cmd = Command::new(labelvault_system_tests::bin(
        "labelvault-hub",
        "labelvault-hub",
    ));
    cmd.args([verb, "--data-dir"]).arg(&hub.data_dir);
    if let Some(db) = &hub.options.db {
        cmd.args(["--database", db]);
    }
    cmd
}

fn people_on(dir: &Path, options: HubOptions) {
    let hub = Hub::start_with(&dir.join("hub"), "127.0.0.1:0", options);
    let token = dir.join("hub").join("admin.token");
    let token = token.to_string_lossy().to_string();
    let me = dir.join("me");
    // Two people, two "machines": one keyring holds one account per hub URL, so the
    // officer reaches the same hub as localhost.
    let manager_url = hub.url.clone();
    let officer_url = hub.url.replace("127.0.0.1", "localhost");
    let code_of = |out: &str| -> String {
        out.lines()
            .find(|l| l.len() == 24 && l.chars().filter(|c| *c == '-').count() == 4)
            .unwrap_or_else(|| panic!("a code in {out}"))
            .to_string()
    };
    // The bootstrap: the first manager is made on the hub's machine, no token needed.
    let out = hub_cmd(&hub, "add-account")
        .args(["--name", "Mia Manager", "--role", "manager"])
        .output()
        .expect("add-account");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = String::from_utf8_lossy(&out.stdout).into_owned();
    cli_ok(
        &me,
        &[
            "account",
            "enroll",
            "--hub",
            &manager_url,
            "--code",
            &code_of(&out),
        ],
    );
    let out = cli_ok(
        &me,
        &[
            "account",
            "create",
            "--hub",
            &manager_url,
            "--admin-token-file",
            &token,
            "--name",
            "Pat Officer",
            "--role",
            "privacy_officer",
        ],
    );
    let enrolled = cli_ok(
        &me,
        &[
            "account",
            "enroll",
            "--hub",
            &officer_url,
            "--code",
            &code_of(&out),
        ],
    );
    assert!(enrolled.contains("(privacy_officer)"), "{enrolled}");

    // The manager works with their own key (no token file from here on).
    let messages = dir.join("m.jsonl");
    std::fs::write(
        &messages,
        "{\"message_id\":\"m1\",\"text\":\"where is my parcel\",\"company\":\"acme\",\"received_at\":1764000000,\"model_intent\":\"delivery\",\"confidence\":0.2}\n",
    )
    .expect("write");
    cli_ok(
        &me,
        &[
            "ingest",
            "--hub",
            &manager_url,
            messages.to_str().expect("p"),
        ],
    );
    let device = enroll(&hub, &dir.join("dev"), "ann");
    cli_ok(
        &me,
        &[
            "dispatch",
            "--hub",
            &manager_url,
            "--from",
            "0",
            "--budget",
            "10",
            "--max-confidence",
            "1",
        ],
    );
    cli_ok(&device.profile, &["pull"]);
    cli_ok(&device.profile, &["label", "--verdict", "correct"]);
    cli_ok(&device.profile, &["sync"]);
    let export_dir = dir.join("export");
    cli_ok(
        &me,
        &[
            "export",
            "--hub",
            &manager_url,
            "--no-mark",
            "--out",
            export_dir.to_str().expect("p"),
        ],
    );

    // The officer may not export raw text, and that attempt is on the record too.
    let refused = cli(
        &me,
        &[
            "export",
            "--hub",
            &officer_url,
            "--out",
            export_dir.to_str().expect("p"),
        ],
    );
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("role_forbidden"), "{err}");
    // One command: who read m1's raw text, and when.
    let answer = cli_ok(&me, &["who-read", "--hub", &officer_url, "m1"]);
    assert!(answer.contains("access ledger verified"), "{answer}");
    let reads: Vec<&str> = answer
        .lines()
        .filter(|l| l.contains("read the raw text of m1"))
        .collect();
    assert_eq!(reads.len(), 1, "{answer}");
    assert!(
        reads[0].contains("(manager)") && reads[0].contains("/v1/admin/export"),
        "{answer}"
    );
    assert!(!answer.contains("where is my parcel"), "{answer}");

    // A second verifier written from docs/ledger.md alone (PyNaCl) agrees with
    // `labelvault audit access` on the real ledger and on an altered one.
    let ledger = dir.join("access.jsonl");
    std::fs::write(&ledger, hub.admin_get("/v1/admin/access-ledger")).expect("write");
    let key = hub.public_key();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../interop/verify_access.py");
    let python = |file: &Path| {
        let out = Command::new("python3")
            .arg(&script)
            .arg(file)
            .args(["--hub-key", &key, "--message", "m1"])
            .output()
            .expect("python3");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let py = python(&ledger);
    assert!(py.starts_with("ok "), "{py}");
    let py_reads: Vec<&str> = py.lines().filter(|l| l.starts_with("read ac_")).collect();
    assert_eq!(py_reads.len(), 1, "{py}");
    assert!(py_reads[0].contains(" manager "), "{py}");
    let ours = cli_ok(
        &me,
        &[
            "audit",
            "access",
            ledger.to_str().expect("p"),
            "--hub-key",
            &key,
            "--message",
            "m1",
        ],
    );
    assert!(ours.starts_with("OK: "), "{ours}");
    // `audit verify` recognises an access ledger and verifies it the same way.
    let same = cli_ok(
        &me,
        &[
            "audit",
            "verify",
            ledger.to_str().expect("p"),
            "--hub-key",
            &key,
        ],
    );
    assert!(
        same.starts_with("OK: ") && same.contains("access entries"),
        "{same}"
    );
    let text = std::fs::read_to_string(&ledger).expect("read");
    let altered = dir.join("altered.jsonl");
    std::fs::write(
        &altered,
        text.replacen("\"role\":\"manager\"", "\"role\":\"viewer\"", 1),
    )
    .expect("write");
    assert!(
        python(&altered).starts_with("refused"),
        "python accepted an altered ledger"
    );
    // A cut tail under the export's signed checkpoint: both refuse it.
    let all: Vec<&str> = text.lines().collect();
    assert!(all[all.len() - 1].starts_with("{\"signed_head\""), "{text}");
    let cut_text: String = all
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != all.len() - 2)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let cut = dir.join("cut.jsonl");
    std::fs::write(&cut, cut_text).expect("write");
    assert!(
        python(&cut).starts_with("refused"),
        "python accepted a cut tail"
    );
    assert!(!cli(
        &me,
        &[
            "audit",
            "access",
            cut.to_str().expect("p"),
            "--hub-key",
            &key
        ]
    )
    .status
    .success());
    let theirs = cli(
        &me,
        &[
            "audit",
            "access",
            altered.to_str().expect("p"),
            "--hub-key",
            &key,
        ],
    );
    assert!(
        !theirs.status.success(),
        "audit access accepted an altered ledger"
    );

    // The bootstrap token is renewed on the hub's machine while the hub runs: the old
    // one is refused at once, the new one (written to admin.token) served.
    assert_eq!(hub.admin_get_status("/v1/admin/pipeline").0, 200);
    let out = hub_cmd(&hub, "admin-token")
        .arg("--renew")
        .output()
        .expect("admin-token");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.contains("valid until"), "{err}");
    let renewed = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(
        renewed,
        std::fs::read_to_string(&token).expect("admin.token").trim()
    );
    assert_ne!(renewed, hub.token);
    let (st, body) = hub.admin_get_status("/v1/admin/pipeline");
    assert_eq!(st, 401, "{body}");
    assert!(body.contains("bad_admin_token"), "{body}");
    let mut renewed_hub = hub;
    renewed_hub.token = renewed;
    assert_eq!(renewed_hub.admin_get_status("/v1/admin/pipeline").0, 200);
    // The token is kept hashed: no hub file and no stored value holds it.
    let plain = std::fs::read_to_string(&token).expect("admin.token");
    let mut files = labelvault_system_tests::files_under(&renewed_hub.data_dir);
    files.push(renewed_hub.log.clone());
    for f in files {
        if f.file_name().is_some_and(|n| n == "admin.token") {
            continue;
        }
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(plain.trim()),
            "{} holds the admin token",
            f.display()
        );
    }
}
