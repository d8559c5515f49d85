//! The `labelvault` binary end to end, against the real keyring (run inside
//! scripts/with-keyring.sh) and real vault files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_labelvault"));
    c.env_remove("LABELVAULT_PROFILE_DIR");
    c
}

fn run(args: &[&str], profile: &Path) -> Output {
    bin()
        .arg("--profile")
        .arg(profile)
        .args(args)
        .output()
        .unwrap()
}

fn ok(args: &[&str], profile: &Path) -> String {
    let out = run(args, profile);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn recipient(profile: &Path) -> String {
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["device", "show", "--json"], profile)).unwrap();
    v["recipient"].as_str().unwrap().to_string()
}

struct Setup {
    dir: tempfile::TempDir,
    profile: PathBuf,
    hub_key: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let hub_key = dir.path().join("hub.key");
    let out = ok(
        &["hub", "keygen", "--out", hub_key.to_str().unwrap()],
        &profile,
    );
    let public = out
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("public key:")
        .trim()
        .to_string();
    ok(&["hub", "trust", &public], &profile);
    Setup {
        dir,
        profile,
        hub_key,
    }
}

fn seal(s: &Setup, input: &str, name: &str, extra: &[&str]) -> PathBuf {
    let src = s.dir.path().join(name);
    std::fs::write(&src, input).unwrap();
    let out = s.dir.path().join(format!("{name}.lvbatch"));
    let to = recipient(&s.profile);
    let mut args = vec![
        "batch",
        "seal",
        "--hub-key",
        s.hub_key.to_str().unwrap(),
        "--to",
        &to,
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args.push(src.to_str().unwrap());
    ok(&args, &s.profile);
    out
}

#[test]
fn seal_every_input_shape_import_and_queue() {
    let s = setup();
    let plain = r#"{"text":"where is my card [NAME_1]","intent":"card_arrival","confidence":0.41,"reason":"low_confidence","alternatives":[{"intent":"change_pin","confidence":0.3}]}
{"text":"charged twice","intent":"change_pin","confidence":0.93,"reason":"false_positive"}
"#;
    let label_studio = r#"[{"data":{"text":"my top up failed"},"predictions":[{"score":0.35,"result":[{"value":{"choices":["top_up_failed"]}}]},{"score":0.2,"result":[{"value":{"choices":["card_arrival"]}}]}]}]"#;
    let prodigy = r#"{"text":"pin blocked","label":"change_pin","meta":{"score":0.22,"reason":"low_confidence"}}
{"text":"new customer question","label":"card_arrival","meta":{"score":0.7,"reason":"random_sample"}}
"#;
    let csv = "text,intent,confidence,reason,alternatives\n\"hello, card?\",card_arrival,0.3,low_confidence,change_pin:0.2;top_up_failed:0.1\n";
    for (name, input) in [
        ("plain.jsonl", plain),
        ("ls.json", label_studio),
        ("prodigy.jsonl", prodigy),
        ("items.csv", csv),
    ] {
        let f = seal(&s, input, name, &[]);
        let out = ok(&["batch", "import", f.to_str().unwrap()], &s.profile);
        assert!(out.starts_with("imported batch"), "{name}: {out}");
        let again = ok(&["batch", "import", f.to_str().unwrap()], &s.profile);
        assert!(again.contains("already imported"), "{name}: {again}");
    }
    let status: serde_json::Value =
        serde_json::from_str(&ok(&["status", "--json"], &s.profile)).unwrap();
    assert_eq!(status["batches"], 4);
    assert_eq!(status["items"], 6);
    assert_eq!(status["by_reason"]["false_positive"], 1);
    let queue: Vec<serde_json::Value> = ok(&["queue", "--json", "--limit", "10"], &s.profile)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let order: Vec<(String, f64)> = queue
        .iter()
        .map(|q| {
            (
                q["reason"].as_str().unwrap().to_string(),
                q["confidence"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        vec![
            ("false_positive".into(), 0.93),
            ("low_confidence".into(), 0.22),
            ("low_confidence".into(), 0.3),
            ("low_confidence".into(), 0.35),
            ("low_confidence".into(), 0.41),
            ("random_sample".into(), 0.7),
        ]
    );
    // Label Studio's second prediction became an alternative.
    let ls = queue
        .iter()
        .find(|q| q["model_intent"] == "top_up_failed")
        .unwrap();
    assert_eq!(ls["alternatives"][0]["intent"], "card_arrival");
}

#[test]
fn bad_inputs_get_line_numbers_and_no_text() {
    let s = setup();
    let src = s.dir.path().join("bad.jsonl");
    std::fs::write(&src, "{\"text\":\"SECRET-TEXT-1\",\"intent\":\"a\",\"confidence\":0.5}\n{\"text\":\"SECRET-TEXT-2\",\"intent\":\"a\",\"confidence\":\"high\"}\n").unwrap();
    let to = recipient(&s.profile);
    let out = run(
        &[
            "batch",
            "seal",
            "--hub-key",
            s.hub_key.to_str().unwrap(),
            "--to",
            &to,
            src.to_str().unwrap(),
        ],
        &s.profile,
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 2") && err.contains("confidence"),
        "{err}"
    );
    assert!(!err.contains("SECRET-TEXT"), "{err}");
    // A recipient that is not an age key.
    std::fs::write(
        &src,
        "{\"text\":\"x\",\"intent\":\"a\",\"confidence\":0.5}\n",
    )
    .unwrap();
    let out = run(
        &[
            "batch",
            "seal",
            "--hub-key",
            s.hub_key.to_str().unwrap(),
            "--to",
            "bob",
            src.to_str().unwrap(),
        ],
        &s.profile,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("device show"));
}

#[test]
fn a_batch_for_another_device_is_refused_with_advice() {
    let s = setup();
    let other = s.dir.path().join("other-profile");
    let f = seal(
        &s,
        "{\"text\":\"x y z\",\"intent\":\"a\",\"confidence\":0.5}\n",
        "one.jsonl",
        &[],
    );
    // The other profile trusts the hub too, but the batch is sealed to the first device.
    let public = ok(
        &["hub", "pubkey", "--key", s.hub_key.to_str().unwrap()],
        &s.profile,
    );
    ok(&["hub", "trust", public.trim()], &other);
    let out = run(&["batch", "import", f.to_str().unwrap()], &other);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sealed to another device"), "{err}");
    let status: serde_json::Value =
        serde_json::from_str(&ok(&["status", "--json"], &other)).unwrap();
    assert_eq!(status["items"], 0);
}

#[test]
fn no_keyring_means_a_clear_error_and_no_files() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p");
    let out = bin()
        .arg("--profile")
        .arg(&profile)
        .args(["device", "show"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/labelvault-test-bus",
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("keyring is unavailable"), "{err}");
    assert!(!profile.join("vault.db").exists());
    assert!(!profile.join("profile.json").exists());
}

#[test]
fn demo_and_status() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    assert!(ok(&["demo"], &p).starts_with("imported demo batch"));
    assert!(ok(&["demo"], &p).contains("already has batches"));
    let status = ok(&["status"], &p);
    assert!(status.contains("batches:     1"), "{status}");
}
