//! Two implementations, one verdict: `labelvault audit verify` and the independent
//! Python verifier written from docs/ledger.md (tests/interop/verify_ledger.py, PyNaCl /
//! libsodium for Ed25519) agree on every ledger — a real one made by the CLI against a
//! real hub, tampered copies of it, and hostile ledgers whose every signature is valid
//! but whose content breaks the label grammar or whose signatures carry a small-order
//! component. Both must refuse every hostile case.

use base64::Engine as _;
use labelvault_core::identity::DeviceIdentity;
use labelvault_core::ledger::{self, LedgerLine, GENESIS};
use labelvault_system_tests::{cli, cli_ok, enroll, Hub};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../interop/verify_ledger.py")
}

/// The Python verifier's verdict (true = verifies) and its output.
fn python_verdict(file: &Path, hub_key: Option<&str>) -> (bool, String) {
    let mut cmd = Command::new("python3");
    cmd.arg(script()).arg(file);
    if let Some(k) = hub_key {
        cmd.args(["--hub-key", k]);
    }
    let out = cmd
        .output()
        .expect("python3 (scripts/install-deps.sh installs it)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    match out.status.code() {
        Some(0) => (true, text),
        Some(1) => (false, text),
        _ => panic!(
            "the Python verifier could not run (scripts/install-deps.sh installs PyNaCl): {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// `labelvault audit verify`'s verdict and its output.
fn rust_verdict(profile: &Path, file: &Path, hub_key: Option<&str>) -> (bool, String) {
    let f = file.to_string_lossy().into_owned();
    let mut args = vec!["audit", "verify", f.as_str()];
    if let Some(k) = hub_key {
        args.extend(["--hub-key", k]);
    }
    let out = cli(profile, &args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// A ledger line signed by `id` (every signature valid).
fn signed_line(
    id: &DeviceIdentity,
    seq: u64,
    prev: &[u8; 32],
    req: (&str, &str, &str, &[u8]),
) -> (String, [u8; 32]) {
    let (line, h) = LedgerLine::signed(id, seq, prev, 1_763_800_000_000 + seq as i64 * 1000, req);
    (serde_json::to_string(&line).expect("line"), h)
}

/// A hostile ledger: a plain GET, then the hostile request.
fn hostile(id: &DeviceIdentity, req: (&str, &str, &str, &[u8])) -> String {
    let (first, h) = signed_line(
        id,
        1,
        &GENESIS,
        ("http://127.0.0.1:7878", "GET", "/v1/batches", b""),
    );
    let (second, _) = signed_line(id, 2, &h, req);
    format!("{first}\n{second}\n")
}

fn upload(change: impl Fn(&mut Value)) -> Vec<u8> {
    let mut u = json!({"upload_id": format!("u_{}", "cd".repeat(16)), "device_id": format!("d_{}", "ef".repeat(12)),
        "labels": [{"item_id": format!("it_{}", "ab".repeat(16)), "revision": 1, "retracted": false, "verdict": "wrong",
            "intent_id": "card_arrival", "flags": [], "pii_spans": [], "duration_ms": 900, "decided_at_ms": 1_763_800_000_000_i64}]});
    change(&mut u);
    // The canonical form a device writes: the struct's field order.
    let u: labelvault_core::protocol::LabelUpload = serde_json::from_value(u).expect("upload");
    serde_json::to_vec(&u).expect("json")
}

#[test]
fn the_python_verifier_and_audit_verify_agree_on_real_tampered_and_hostile_ledgers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hub = Hub::start(&dir.path().join("hub"));
    let a = enroll(&hub, &dir.path().join("a"), "annotator a");
    let items: Vec<Value> = (0..6)
        .map(|i| json!({"text": format!("message {i} about my card"), "intent": "card_arrival", "confidence": 0.4, "reason": "low_confidence"}))
        .collect();
    let (st, r) = hub.admin_post(
        "/v1/admin/assign",
        &json!({"device_id": a.device_id, "taxonomy": {"id": "t", "version": "1", "intents": [
            {"id": "card_arrival", "description": ""}, {"id": "change_pin", "description": ""}]}, "items": items}),
    );
    assert_eq!(st, 200, "{r}");
    cli_ok(&a.profile, &["pull"]);
    cli_ok(&a.profile, &["label", "--verdict", "correct"]);
    cli_ok(
        &a.profile,
        &["label", "--verdict", "wrong", "--intent", "change_pin"],
    );
    cli_ok(&a.profile, &["label", "--verdict", "skip"]);
    cli_ok(&a.profile, &["sync"]);
    cli_ok(&a.profile, &["label", "--verdict", "correct"]);
    cli_ok(&a.profile, &["sync"]);
    let real = dir.path().join("real.jsonl");
    cli_ok(
        &a.profile,
        &["audit", "export", "-o", &real.to_string_lossy()],
    );
    let text = std::fs::read_to_string(&real).expect("ledger");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.len() >= 5,
        "enroll, GETs and two uploads: {}",
        lines.len()
    );
    let hub_key = hub.public_key();
    // The hub key as OpenSSL 3 and Python `cryptography` read it.
    let pem = Command::new(labelvault_system_tests::bin(
        "labelvault-hub",
        "labelvault-hub",
    ))
    .args(["print-key", "--pem", "--data-dir"])
    .arg(dir.path().join("hub"))
    .output()
    .expect("print-key --pem");
    assert!(pem.status.success());
    let pem_file = dir.path().join("hub.pem");
    std::fs::write(&pem_file, &pem.stdout).expect("pem");
    let loaded = Command::new("python3")
        .args([
            "-c",
            "import sys, base64; from cryptography.hazmat.primitives import serialization as s; \
            k = s.load_pem_public_key(open(sys.argv[1], 'rb').read()); \
            print(base64.b64encode(k.public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)).decode())",
        ])
        .arg(&pem_file)
        .output()
        .expect("python3");
    assert_eq!(
        String::from_utf8_lossy(&loaded.stdout).trim(),
        hub_key,
        "cryptography reads the PEM key: {}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    if let Ok(o) = Command::new("openssl")
        .args(["pkey", "-pubin", "-noout", "-in"])
        .arg(&pem_file)
        .output()
    {
        assert!(
            o.status.success(),
            "openssl pkey: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let other_key = labelvault_core::identity::HubKey::generate()
        .expect("key")
        .public_key();

    let receipt_at = lines
        .iter()
        .position(|l| l.contains("\"method\":\"RECEIPT\""))
        .expect("a receipt entry in the real ledger");
    let without = |skip: usize| -> String {
        lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, l)| format!("{l}\n"))
            .collect()
    };
    let mut cases: Vec<(&str, String, Option<String>, bool)> = vec![
        ("real ledger", text.clone(), None, true),
        (
            "a receipt entry dropped",
            without(receipt_at),
            Some(hub_key.clone()),
            false,
        ),
        // A cut tail still verifies on its own: the proof then reaches less far, and
        // `audit reconcile` against the hub's signed head catches it (below).
        (
            "the last entry dropped",
            without(lines.len() - 1),
            Some(hub_key.clone()),
            true,
        ),
        (
            "real ledger, receipts checked",
            text.clone(),
            Some(hub_key.clone()),
            true,
        ),
        (
            "receipts under another hub key",
            text.clone(),
            Some(other_key),
            false,
        ),
        (
            "one body byte changed",
            text.replacen("\"body_b64\":\"ey", "\"body_b64\":\"eX", 1),
            None,
            false,
        ),
        (
            "middle entry dropped",
            lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != 1)
                .map(|(_, l)| format!("{l}\n"))
                .collect(),
            None,
            false,
        ),
        (
            "two entries swapped",
            {
                let mut v: Vec<&str> = lines.clone();
                v.swap(1, 2);
                v.iter().map(|l| format!("{l}\n")).collect()
            },
            None,
            false,
        ),
    ];
    let id = DeviceIdentity::generate().expect("identity");
    let url = "http://127.0.0.1:7878";
    /// (case, (hub URL, method, path, body))
    type Hostile<'a> = (&'a str, (&'a str, &'a str, &'a str, Vec<u8>));
    let hostile_cases: Vec<Hostile<'_>> = vec![
        (
            "valid hand-made ledger",
            (url, "POST", "/v1/labels", upload(|_| {})),
        ),
        (
            "valid label naming other intents",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| {
                    u["labels"][0]["flags"] = json!(["multiple_intents"]);
                    u["labels"][0]["also_intents"] = json!(["change_pin", "top_up"]);
                }),
            ),
        ),
        (
            "other intents holding a sentence",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| {
                    u["labels"][0]["flags"] = json!(["multiple_intents"]);
                    u["labels"][0]["also_intents"] = json!(["Jane Doe lives at 1 Elm Street"]);
                }),
            ),
        ),
        (
            "other intents without the flag",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| u["labels"][0]["also_intents"] = json!(["change_pin"])),
            ),
        ),
        (
            "other intents repeating the label's own",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| {
                    u["labels"][0]["flags"] = json!(["multiple_intents"]);
                    u["labels"][0]["also_intents"] = json!(["card_arrival"]);
                }),
            ),
        ),
        (
            "five other intents",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| {
                    u["labels"][0]["flags"] = json!(["multiple_intents"]);
                    u["labels"][0]["also_intents"] = json!(["a", "b", "c", "d", "e"]);
                }),
            ),
        ),
        (
            "item_id holds an e-mail",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| u["labels"][0]["item_id"] = json!("it_jane.doe@example.com")),
            ),
        ),
        (
            "intent_id holds a sentence",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| u["labels"][0]["intent_id"] = json!("Jane Doe lives at 1 Elm Street")),
            ),
        ),
        (
            "upload_id holds a name",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| u["upload_id"] = json!("u_Jane_Doe")),
            ),
        ),
        (
            "device_id holds a name",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| u["device_id"] = json!("d_jane_doe")),
            ),
        ),
        (
            "duration_ms holds bytes of a name",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| u["labels"][0]["duration_ms"] = json!(0x004a_616e_6544_6f65_u64)),
            ),
        ),
        (
            "span reversed",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| {
                    u["labels"][0]["flags"] = json!(["missed_pii"]);
                    u["labels"][0]["pii_spans"] = json!([{"start": 74, "end": 65}]);
                }),
            ),
        ),
        (
            "span far past any item",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| {
                    u["labels"][0]["flags"] = json!(["missed_pii"]);
                    u["labels"][0]["pii_spans"] = json!([{"start": 1_000_074, "end": 1_000_097}]);
                }),
            ),
        ),
        (
            "span past its own length class",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| {
                    u["labels"][0]["flags"] = json!(["missed_pii"]);
                    u["labels"][0]["pii_spans"] = json!([{"start": 40, "end": 74}]);
                    u["labels"][0]["length_class"] = json!(5);
                }),
            ),
        ),
        (
            "spans without a length class",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| {
                    u["labels"][0]["flags"] = json!(["missed_pii"]);
                    u["labels"][0]["pii_spans"] = json!([{"start": 1, "end": 2}]);
                }),
            ),
        ),
        (
            "length class without spans",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| u["labels"][0]["length_class"] = json!(3)),
            ),
        ),
        (
            "length class past 2^14",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| {
                    u["labels"][0]["flags"] = json!(["missed_pii"]);
                    u["labels"][0]["pii_spans"] = json!([{"start": 1, "end": 2}]);
                    u["labels"][0]["length_class"] = json!(15);
                }),
            ),
        ),
        (
            "flag repeated",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| {
                    u["labels"][0]["flags"] = json!(["misclassification", "misclassification"])
                }),
            ),
        ),
        (
            "wrong without an intent",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| u["labels"][0]["intent_id"] = Value::Null),
            ),
        ),
        (
            "decided in the future",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| u["labels"][0]["decided_at_ms"] = json!(4_000_000_000_000_i64)),
            ),
        ),
        (
            "no labels",
            (
                url,
                "POST",
                "/v1/labels",
                upload(|u| u["labels"] = json!([])),
            ),
        ),
        (
            "GET path holds a name",
            (url, "GET", "/v1/batches/Jane-Doe", vec![]),
        ),
        (
            "hub URL with a query",
            (
                "http://127.0.0.1:7878?name=jane",
                "GET",
                "/v1/batches",
                vec![],
            ),
        ),
        (
            "hub URL with user info",
            ("http://jane@127.0.0.1:7878", "GET", "/v1/batches", vec![]),
        ),
        (
            "enrollment code holds an e-mail",
            (
                url,
                "POST",
                "/v1/enroll",
                serde_json::to_vec(&labelvault_core::protocol::EnrollRequest {
                    enrollment_code: "jane.doe@example.com".into(),
                    signing_key: id.public().signing_key,
                    recipient: id.public().recipient,
                })
                .expect("json"),
            ),
        ),
    ];
    let admin_record = serde_json::to_vec(&labelvault_core::protocol::AdminCall::of(
        "POST",
        br#"{"messages":[{"text":"Jane Doe, 1 Elm Street"}]}"#,
    ))
    .expect("json");
    cases.push((
        "an admin call recorded by hash, size and rows",
        hostile(&id, (url, "ADMIN", "/v1/admin/messages", &admin_record)),
        None,
        true,
    ));
    // A device's acknowledgement of the hub's notices: ids only. Hostile variants carry
    // a name in a notice id, or a field beyond the schema.
    let ack = |ids: Value, extra: bool| -> Vec<u8> {
        let mut v = json!({"device_id": format!("d_{}", "ef".repeat(12)), "notice_ids": ids});
        if extra {
            v["note"] = json!("Jane Doe asked for this");
            return serde_json::to_vec(&v).expect("json");
        }
        let a: labelvault_core::protocol::NoticeAck = serde_json::from_value(v).expect("ack");
        serde_json::to_vec(&a).expect("json")
    };
    for (case, body, ok) in [
        (
            "a notice acknowledgement",
            ack(json!([format!("n_{}", "12".repeat(12))]), false),
            true,
        ),
        (
            "a notice id holding a name",
            ack(json!(["n_jane_doe"]), false),
            false,
        ),
        (
            "a notice id repeated",
            ack(
                json!([
                    format!("n_{}", "12".repeat(12)),
                    format!("n_{}", "12".repeat(12))
                ]),
                false,
            ),
            false,
        ),
        (
            "an acknowledgement with a note",
            ack(json!([format!("n_{}", "12".repeat(12))]), true),
            false,
        ),
    ] {
        cases.push((
            case,
            hostile(&id, (url, "POST", "/v1/notices/ack", &body)),
            None,
            ok,
        ));
    }
    cases.push((
        "a GET of the notices",
        hostile(&id, (url, "GET", "/v1/notices", b"")),
        None,
        true,
    ));
    let marked = upload(|u| {
        u["labels"][0]["flags"] = json!(["missed_pii"]);
        u["labels"][0]["pii_spans"] = json!([{"start": 3, "end": 9}, {"start": 20, "end": 32}]);
        u["labels"][0]["length_class"] = json!(5);
    });
    cases.push((
        "missed-PII spans within their length class",
        hostile(&id, (url, "POST", "/v1/labels", &marked)),
        None,
        true,
    ));
    cases.push((
        "an adjudication undo recorded",
        hostile(
            &id,
            (
                url,
                "ADMIN",
                "/v1/admin/adjudications/12/undo",
                &admin_record,
            ),
        ),
        None,
        true,
    ));
    cases.push((
        "a dispatch withdrawal recorded",
        hostile(
            &id,
            (
                url,
                "ADMIN",
                &format!("/v1/admin/batches/b_{}/withdraw", "0a".repeat(16)),
                &admin_record,
            ),
        ),
        None,
        true,
    ));
    cases.push((
        "an undo path holding a name",
        hostile(
            &id,
            (
                url,
                "ADMIN",
                "/v1/admin/adjudications/jane/undo",
                &admin_record,
            ),
        ),
        None,
        false,
    ));
    cases.push((
        "an admin path holding a name",
        hostile(
            &id,
            (url, "ADMIN", "/v1/admin/messages?who=jane", &admin_record),
        ),
        None,
        false,
    ));
    cases.push((
        "an admin record holding the body",
        hostile(
            &id,
            (
                url,
                "ADMIN",
                "/v1/admin/messages",
                br#"{"messages":[{"text":"Jane Doe"}]}"#,
            ),
        ),
        None,
        false,
    ));
    for (name, (u, m, p, body)) in &hostile_cases {
        cases.push((
            name,
            hostile(&id, (u, m, p, body)),
            None,
            *name == "valid hand-made ledger" || *name == "valid label naming other intents",
        ));
    }
    // Signatures with a small-order component in R are covered at every ledger size in
    // crates/core (proptests/strict_sig.rs), against libsodium's verdicts.
    // Both verifiers say how far the hub's countersignature reaches.
    std::fs::write(dir.path().join("real.jsonl"), &text).expect("write");
    let (_, rust_out) = rust_verdict(&a.profile, &real, Some(&hub_key));
    let (_, py_out) = python_verdict(&real, Some(&hub_key));
    let through = py_out
        .rsplit("countersigned through ")
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    assert!(
        through.parse::<u64>().unwrap_or(0) > 0
            && rust_out.contains(&format!("entries 1-{through} are countersigned")),
        "{rust_out} / {py_out}"
    );

    // The hub's ledger, signed head included: both verify it; reordered, cut or under
    // another key, both refuse it.
    let hub_text = hub.admin_get("/v1/admin/ledger");
    let hub_lines: Vec<&str> = hub_text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(hub_lines.len() >= 3, "two uploads and the signed head");
    assert!(hub_lines
        .last()
        .unwrap_or(&"")
        .starts_with("{\"signed_head\""));
    let joined = |v: &[&str]| v.iter().map(|l| format!("{l}\n")).collect::<String>();
    let mut swapped = hub_lines.clone();
    swapped.swap(0, 1);
    let other = labelvault_core::identity::HubKey::generate()
        .expect("key")
        .public_key();
    let hub_cases: Vec<(&str, String, &str, bool)> = vec![
        ("hub ledger", hub_text.clone(), hub_key.as_str(), true),
        (
            "hub ledger reordered",
            joined(&swapped),
            hub_key.as_str(),
            false,
        ),
        (
            "hub ledger without its signed head",
            joined(&hub_lines[..hub_lines.len() - 1]),
            hub_key.as_str(),
            false,
        ),
        (
            "hub ledger with its last entry dropped",
            joined(
                &[
                    &hub_lines[..hub_lines.len() - 2],
                    &hub_lines[hub_lines.len() - 1..],
                ]
                .concat(),
            ),
            hub_key.as_str(),
            false,
        ),
        (
            "hub ledger under another key",
            hub_text.clone(),
            other.as_str(),
            false,
        ),
    ];
    for (name, ledger, key, expect) in hub_cases {
        let file = dir.path().join("hub-case.jsonl");
        std::fs::write(&file, &ledger).expect("write");
        let f = file.to_string_lossy().into_owned();
        let out = cli(&a.profile, &["audit", "verify-hub", &f, "--hub-key", key]);
        let py = Command::new("python3")
            .arg(script())
            .args(["--hub-ledger", &f, "--hub-key", key])
            .output()
            .expect("python3");
        assert_eq!(
            out.status.success(),
            py.status.code() == Some(0),
            "{name}: {out:?} / {py:?}"
        );
        assert_eq!(out.status.success(), expect, "{name}: {out:?}");
    }

    // Reconcile the device export with the hub's signed ledger: clean for the real pair;
    // a dropped tail (the last GET, which no receipt covers) and a dropped receipt entry
    // are caught.
    let hub_file = dir.path().join("hub.jsonl");
    std::fs::write(&hub_file, &hub_text).expect("write");
    let reconcile = |device: &str| {
        let f = dir.path().join("device-case.jsonl");
        std::fs::write(&f, device).expect("write");
        cli(
            &a.profile,
            &[
                "audit",
                "reconcile",
                &f.to_string_lossy(),
                &hub_file.to_string_lossy(),
                "--hub-key",
                &hub_key,
            ],
        )
    };
    let clean = reconcile(&text);
    assert!(clean.status.success(), "{clean:?}");
    assert!(
        lines.last().unwrap_or(&"").contains("\"method\":\"GET\""),
        "the real ledger ends with a GET"
    );
    let cut = reconcile(&without(lines.len() - 1));
    assert!(!cut.status.success());
    assert!(
        String::from_utf8_lossy(&cut.stdout).contains(&format!(
            "missing from the device export: entry {}",
            lines.len()
        )),
        "{cut:?}"
    );
    let no_receipt = reconcile(&without(receipt_at));
    assert!(!no_receipt.status.success(), "{no_receipt:?}");

    for (name, ledger, key, expect) in cases {
        let file = dir.path().join("case.jsonl");
        std::fs::write(&file, &ledger).expect("write case");
        let (rust_ok, rust_out) = rust_verdict(&a.profile, &file, key.as_deref());
        let (py_ok, py_out) = python_verdict(&file, key.as_deref());
        assert_eq!(
            rust_ok, py_ok,
            "{name}: audit verify says {rust_out:?}, the Python verifier {py_out:?}"
        );
        assert_eq!(rust_ok, expect, "{name}: {rust_out}");
        // Refusals name a rule, never the hostile value.
        for secret in ["jane", "Jane", "Elm"] {
            assert!(
                !rust_out.contains(secret) && !py_out.contains(secret),
                "{name} leaks: {rust_out} / {py_out}"
            );
        }
    }
}

/// A batch sealed by the real CLI to an age identity made by pyrage opens in the
/// independent Python reader (tests/interop/open_batch.py, from docs/batch-format.md);
/// a changed byte or another hub key is refused by both readers.
#[test]
fn the_python_reader_opens_a_batch_the_cli_sealed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reader = Path::new(env!("CARGO_MANIFEST_DIR")).join("../interop/open_batch.py");
    let new = Command::new("python3")
        .arg(&reader)
        .arg("--new-identity")
        .output()
        .expect("python3 (scripts/install-deps.sh installs pyrage)");
    assert!(
        new.status.success(),
        "{}",
        String::from_utf8_lossy(&new.stderr)
    );
    let text = String::from_utf8_lossy(&new.stdout).into_owned();
    let mut lines = text.lines();
    let (identity, recipient) = (
        lines.next().expect("identity").to_string(),
        lines.next().expect("recipient").to_string(),
    );
    let profile = dir.path().join("manager");
    let key_file = dir.path().join("hub.key");
    let out = cli_ok(
        &profile,
        &["hub", "keygen", "--out", &key_file.to_string_lossy()],
    );
    let hub_key = out
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("public key:")
        .trim()
        .to_string();
    std::fs::write(
        dir.path().join("tax.json"),
        json!({"id": "t", "version": "1", "intents": [{"id": "card_arrival", "description": ""}, {"id": "change_pin", "description": ""}]}).to_string(),
    )
    .expect("taxonomy");
    let items: String = (0..7)
        .map(|i| json!({"text": format!("message {i} about [NAME_1]'s card"), "intent": "card_arrival", "confidence": 0.4, "reason": "low_confidence"}).to_string() + "\n")
        .collect();
    std::fs::write(dir.path().join("items.jsonl"), items).expect("items");
    let batch = dir.path().join("b.lvbatch");
    cli_ok(
        &profile,
        &[
            "batch",
            "seal",
            "--hub-key",
            &key_file.to_string_lossy(),
            "--to",
            &recipient,
            "--taxonomy",
            &dir.path().join("tax.json").to_string_lossy(),
            "-o",
            &batch.to_string_lossy(),
            &dir.path().join("items.jsonl").to_string_lossy(),
        ],
    );
    let open = |file: &Path, key: &str| {
        Command::new("python3")
            .arg(&reader)
            .arg(file)
            .args(["--hub-key", key, "--identity", &identity])
            .output()
            .expect("python3")
    };
    let ok = open(&batch, &hub_key);
    let said = String::from_utf8_lossy(&ok.stdout).into_owned();
    assert!(
        ok.status.success() && said.starts_with("ok 7 items, batch b_"),
        "{said} {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(!said.contains("message"), "no item text printed");
    let mut bytes = std::fs::read(&batch).expect("batch");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    let tampered = dir.path().join("tampered.lvbatch");
    std::fs::write(&tampered, &bytes).expect("write");
    let refused = open(&tampered, &hub_key);
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let other = labelvault_core::identity::HubKey::generate()
        .expect("key")
        .public_key();
    assert_eq!(open(&batch, &other).status.code(), Some(1));
}

/// A valid ledger of `n` entries: label uploads, each answered by its receipt entry
/// (signed by `hub`), and a GET to round an odd count.
fn valid_ledger(id: &DeviceIdentity, hub: &labelvault_core::identity::HubKey, n: u64) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let url = "http://127.0.0.1:7878";
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let mut out = String::with_capacity(n as usize * 900);
    let mut prev = GENESIS;
    let mut seq = 0u64;
    while seq < n {
        if n - seq == 1 {
            let (line, _) = signed_line(id, seq + 1, &prev, (url, "GET", "/v1/batches", b""));
            out.push_str(&line);
            out.push('\n');
            break;
        }
        let k = seq / 2;
        let body = upload(|u| {
            u["upload_id"] = json!(format!("u_{k:032x}"));
            u["labels"][0]["item_id"] = json!(format!("it_{k:032x}"));
        });
        let (line, h) = signed_line(id, seq + 1, &prev, (url, "POST", "/v1/labels", &body));
        out.push_str(&line);
        out.push('\n');
        let r = labelvault_core::protocol::Receipt {
            upload_id: format!("u_{k:032x}"),
            device_id: format!("d_{}", "ef".repeat(12)),
            body_sha256: hex(&ledger::sha256(&body)),
            accepted: 1,
            duplicates: 0,
            rejected: vec![],
            server_time_ms: 1_763_800_000_000,
            hub_key_id: hub.key_id(),
            device_seq: Some(seq + 1),
            device_head: Some(hex(&h)),
        };
        let signature = b64.encode(hub.sign(&labelvault_core::protocol::receipt_message(&r)));
        let receipt = serde_json::to_vec(&labelvault_core::protocol::SignedReceipt {
            receipt: r,
            signature,
        })
        .expect("json");
        let (line, h2) = signed_line(id, seq + 2, &h, (url, "RECEIPT", "/v1/labels", &receipt));
        out.push_str(&line);
        out.push('\n');
        prev = h2;
        seq += 2;
    }
    out
}

/// Valid ledgers of 1 to 100,000 entries verify in both implementations, with the hub
/// key, countersigned to their last upload.
#[test]
fn valid_ledgers_of_one_to_a_hundred_thousand_entries_verify_in_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = DeviceIdentity::generate().expect("identity");
    let hub = labelvault_core::identity::HubKey::generate().expect("hub key");
    let key = hub.public_key();
    let profile = dir.path().join("officer");
    for n in [1u64, 2, 33, 1_000, 100_000] {
        let file = dir.path().join(format!("valid-{n}.jsonl"));
        std::fs::write(&file, valid_ledger(&id, &hub, n)).expect("write");
        let (rust_ok, rust_out) = rust_verdict(&profile, &file, Some(&key));
        let (py_ok, py_out) = python_verdict(&file, Some(&key));
        assert!(rust_ok && py_ok, "{n}: {rust_out} / {py_out}");
        assert!(rust_out.contains(&format!("OK: {n} entries")), "{rust_out}");
        // Uploads sit at odd positions, each receipted by the next entry.
        let through = if n >= 2 { 2 * (n / 2) - 1 } else { 0 };
        assert!(py_out.contains(&format!("ok {n} entries")), "{py_out}");
        assert!(
            py_out
                .trim_end()
                .ends_with(&format!("countersigned through {through}")),
            "{n}: {py_out}"
        );
    }
}
