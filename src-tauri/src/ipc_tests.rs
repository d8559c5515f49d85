//! Every command through Tauri's IPC layer in-process (mock runtime, the app's real
//! config and capabilities), over a real vault in a temp profile with the real keyring.
//! Run inside scripts/with-keyring.sh.

use crate::state::AppState;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;

struct Harness {
    _dir: tempfile::TempDir,
    webview: tauri::WebviewWindow<tauri::test::MockRuntime>,
    _app: tauri::App<tauri::test::MockRuntime>,
}

fn keys() -> labelvault_core::KeyringStore {
    labelvault_core::KeyringStore::with_service("labelvault-test")
}

fn harness_with(state: AppState, dir: tempfile::TempDir) -> Harness {
    let app = crate::setup(mock_builder(), state)
        .build(tauri::generate_context!())
        .expect("app");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    Harness {
        _dir: dir,
        webview,
        _app: app,
    }
}

/// The app with a manager's keys over a fresh profile in `dir`, its Manage view not yet
/// connected (some tests first check what a disconnected view says).
fn manager_app(dir: &std::path::Path) -> Harness {
    let state = AppState::open(Some(dir.join("p")), &keys(), false)
        .with_manager_keys(std::sync::Arc::new(keys()));
    harness_with(state, tempfile::tempdir().expect("tmp"))
}

/// Connect the Manage view to a real hub with its admin token.
fn connect(h: &Harness, hub: &labelvault_system_tests::Hub) {
    call(
        h,
        "manage_connect",
        json!({"hubUrl": hub.url, "token": hub.token}),
    )
    .expect("connected");
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().expect("tmp");
    let state = AppState::open(Some(dir.path().join("p")), &keys(), true);
    harness_with(state, dir)
}

fn call(h: &Harness, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        &h.webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().expect("json"))
}

#[test]
fn status_queue_and_batches() {
    let h = harness();
    let s = call(&h, "vault_status", json!({})).unwrap();
    let n = labelvault_core::demo::demo_items().len() as u64;
    assert_eq!(s["items"], n);
    assert_eq!(s["remaining"], n);
    let q = call(&h, "queue_next", json!({"limit": 3})).unwrap();
    assert_eq!(q.as_array().unwrap().len(), 3);
    assert_eq!(q[0]["reason"], "false_positive");
    let peek = call(&h, "queue_peek", json!({"limit": 100})).unwrap();
    assert_eq!(peek.as_array().unwrap().len() as u64, n);
    let b = call(&h, "batches_list", json!({})).unwrap();
    assert_eq!(b[0]["items"], n);
    let tax = call(&h, "batch_taxonomy", json!({"batchId": b[0]["batch_id"]})).unwrap();
    assert_eq!(
        tax.as_array().unwrap().len(),
        labelvault_core::demo::demo_taxonomy().intents.len()
    );
    assert!(tax[0]["examples"].as_array().is_some_and(|e| !e.is_empty()));
    assert!(tax[0]["group"].as_str().is_some_and(|g| !g.is_empty()));
    let g = call(&h, "batch_guidelines", json!({"batchId": b[0]["batch_id"]})).unwrap();
    assert_eq!(g, labelvault_core::demo::DEMO_GUIDELINES);
    let none = call(&h, "batch_guidelines", json!({"batchId": "b_unknown"})).unwrap();
    assert_eq!(none, "");
}

#[test]
fn the_dispatch_form_checks_taxonomy_files_and_guidelines() {
    use base64::Engine as _;
    let h = harness();
    let b64 = |v: &Value| base64::engine::general_purpose::STANDARD.encode(v.to_string());
    let good = json!({"id": "banking", "version": "v3", "intents": [
        {"id": "card_lost", "description": "Lost card", "examples": ["I lost my card"], "group": "cards"},
        {"id": "card_arrival", "description": "Card arrival", "group": "cards"},
        {"id": "balance", "description": "Balance", "examples": ["how much"], "group": "accounts"},
        {"id": "greeting"}]});
    let r = call(&h, "manage_taxonomy", json!({"contentB64": b64(&good)})).unwrap();
    assert_eq!(
        r,
        json!({"id": "banking", "version": "v3", "intents": 4, "groups": 2, "with_examples": 2})
    );
    let twice = json!({"id": "t", "version": "1", "intents": [{"id": "a"}, {"id": "a"}]});
    let e = call(&h, "manage_taxonomy", json!({"contentB64": b64(&twice)})).unwrap_err();
    assert_eq!(e["code"], "bad_input");
    assert!(e["message"].as_str().unwrap().contains("twice"), "{e}");
    let secret = "Zq7-private-example";
    let many =
        json!({"id": "t", "version": "1", "intents": [{"id": "a", "examples": vec![secret; 11]}]});
    let e = call(&h, "manage_taxonomy", json!({"contentB64": b64(&many)})).unwrap_err();
    assert!(!e.to_string().contains(secret), "{e}");
    let e = call(
        &h,
        "manage_taxonomy",
        json!({"contentB64": b64(&json!([1]))}),
    )
    .unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("taxonomy"), "{e}");
    let e = call(&h, "manage_taxonomy", json!({"contentB64": "%%"})).unwrap_err();
    assert_eq!(e["code"], "bad_input");

    // Refused before anything is sent (no hub is connected here).
    let plan = json!({"from": 0, "to": 1, "overlap": 1, "batch_size": 1, "gold_share": 0.0,
        "low_confidence_budget": 1, "max_confidence": 0.6, "sample_per_company": 0, "lease_secs": 3600});
    let long = "x".repeat(labelvault_core::batch::limits::MAX_GUIDELINES + 1);
    let e = call(
        &h,
        "manage_dispatch",
        json!({"plan": plan, "guidelines": long}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "bad_input");
    let e = call(
        &h,
        "manage_dispatch",
        json!({"plan": plan, "taxonomyB64": b64(&twice)}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "bad_input");
    let e = call(
        &h,
        "manage_dispatch",
        json!({"plan": plan, "taxonomyB64": b64(&good), "guidelines": "Be kind."}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "manager_not_connected");
}

#[test]
fn record_undo_recent_and_validation() {
    let h = harness();
    let q = call(&h, "queue_next", json!({})).unwrap();
    let first = q[0]["item_id"].as_str().unwrap().to_string();
    let second = q[1]["item_id"].as_str().unwrap().to_string();
    let r = call(
        &h,
        "label_record",
        json!({"decision": {"item_id": first, "verdict": "correct", "intent_id": null,
        "flags": ["multiple_intents"], "pii_spans": [], "duration_ms": 800}}),
    )
    .unwrap();
    assert_eq!(r["record"]["revision"], 1);
    assert_eq!(r["next"][0]["item_id"], second.as_str());
    assert_eq!(call(&h, "vault_status", json!({})).unwrap()["labelled"], 1);
    let recent = call(&h, "label_recent", json!({"limit": 5})).unwrap();
    assert_eq!(recent[0]["item"]["item_id"], first.as_str());
    let u = call(&h, "label_undo", json!({})).unwrap();
    assert_eq!(u["record"]["retracted"], true);
    assert_eq!(u["next"][0]["item_id"], first.as_str());
    // A `wrong` without an intent is refused with a clear message and stable code.
    let e = call(
        &h,
        "label_record",
        json!({"decision": {"item_id": first, "verdict": "wrong", "intent_id": null,
        "flags": [], "pii_spans": [], "duration_ms": 1}}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "invalid");
    // Unknown fields in a decision are refused (label-only schema).
    let e = call(
        &h,
        "label_record",
        json!({"decision": {"item_id": first, "verdict": "correct", "intent_id": null,
        "flags": [], "pii_spans": [], "duration_ms": 1, "note": "free text"}}),
    )
    .unwrap_err();
    assert!(e.to_string().contains("note"), "{e}");
    let nothing = call(&h, "label_undo", json!({})).unwrap();
    assert!(nothing["record"].is_null());
}

#[test]
fn import_errors_audit_sync_and_settings() {
    let h = harness();
    let e = call(&h, "batch_import", json!({"bytesB64": "bm90IGEgYmF0Y2g="})).unwrap_err();
    assert_eq!(e["code"], "batch_format");
    let e = call(&h, "batch_import", json!({"bytesB64": "%%%"})).unwrap_err();
    assert_eq!(e["code"], "batch_format");
    let ledger = call(&h, "audit_ledger", json!({})).unwrap();
    assert_eq!(ledger["total"], 0);
    assert!(ledger["chain"].as_str().unwrap().starts_with("ok"));
    let ret = call(&h, "audit_retention", json!({})).unwrap();
    assert_eq!(ret["items"], labelvault_core::demo::demo_items().len());
    let e = call(&h, "sync_now", json!({})).unwrap_err();
    assert_eq!(e["code"], "not_enrolled");
    let s = call(&h, "settings_get", json!({})).unwrap();
    assert_eq!(s["keymap"], json!({}));
    call(
        &h,
        "settings_set",
        json!({"settings": {"keymap": {"accept": ["y"]}, "theme": null}}),
    )
    .unwrap();
    assert_eq!(
        call(&h, "settings_get", json!({})).unwrap()["keymap"]["accept"][0],
        "y"
    );
    let e = call(
        &h,
        "settings_set",
        json!({"settings": {"keymap": {"accept": ["y"], "skip": ["y"]}, "theme": null}}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "invalid");
    // The interface language: none saved, then kept as chosen; nonsense is refused.
    assert_eq!(call(&h, "language_get", json!({})).unwrap(), Value::Null);
    call(&h, "language_set", json!({"language": "de"})).unwrap();
    assert_eq!(call(&h, "language_get", json!({})).unwrap(), "de");
    let e = call(&h, "language_set", json!({"language": "../de"})).unwrap_err();
    assert_eq!(e["code"], "invalid");
}

#[test]
fn a_closed_vault_explains_itself_everywhere() {
    let dir = tempfile::tempdir().expect("tmp");
    // Create a vault, then make its key disappear from the keyring.
    let p = dir.path().join("p");
    drop(AppState::open(Some(p.clone()), &keys(), false));
    let desc: Value =
        serde_json::from_slice(&std::fs::read(p.join("profile.json")).unwrap()).unwrap();
    use labelvault_core::KeyStore;
    keys()
        .delete(desc["keyring_account"].as_str().unwrap())
        .unwrap();
    let state = AppState::open(Some(p), &keys(), true);
    let h = harness_with(state, dir);
    for cmd in [
        "vault_status",
        "queue_next",
        "label_undo",
        "batches_list",
        "audit_ledger",
    ] {
        let e = call(&h, cmd, json!({})).unwrap_err();
        assert_eq!(e["code"], "key_missing", "{cmd}");
        assert!(
            e["message"].as_str().unwrap().contains("keyring"),
            "{cmd}: {e}"
        );
    }
}

#[test]
fn a_vault_opened_in_the_background_serves_the_first_commands() {
    let dir = tempfile::tempdir().expect("tmp");
    // Commands sent while the vault is still opening wait for it, then see the demo batch.
    let state = AppState::open_in_background(Some(dir.path().join("p")), keys(), true);
    let h = harness_with(state, dir);
    let items = call(&h, "queue_next", json!({"limit": 3})).unwrap();
    assert_eq!(items.as_array().map(|a| a.len()), Some(3));
    let s = call(&h, "vault_status", json!({})).unwrap();
    assert!(s["remaining"].as_u64().unwrap() >= 3);

    // A failure to open in the background is reported like an in-line one.
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("p");
    drop(AppState::open(Some(p.clone()), &keys(), false));
    std::fs::write(p.join("vault.db"), b"not a database at all").unwrap();
    let h = harness_with(AppState::open_in_background(Some(p), keys(), true), dir);
    let e = call(&h, "vault_status", json!({})).unwrap_err();
    assert_eq!(e["code"], "corrupt", "{e}");
}

#[test]
fn commands_outside_the_app_are_refused() {
    let h = harness();
    // Not an app command: the ACL refuses it.
    assert!(call(&h, "plugin:fs|read_file", json!({"path": "/etc/passwd"})).is_err());
    assert!(call(&h, "no_such_command", json!({})).is_err());
}

/// The Manage view's commands against a real hub process on loopback.
#[test]
fn manage_commands_against_a_real_hub() {
    use base64::Engine as _;
    use labelvault_system_tests::{enroll, Hub};
    let dir = tempfile::tempdir().expect("tmp");
    let hub = Hub::start(&dir.path().join("hub"));
    let device_dir = dir.path().join("device");
    let h = manager_app(dir.path());

    assert_eq!(call(&h, "manage_link", json!({})).unwrap(), Value::Null);
    let e = call(&h, "manage_overview", json!({})).unwrap_err();
    assert_eq!(e["code"], "manager_not_connected");
    let e = call(
        &h,
        "manage_connect",
        json!({"hubUrl": "127.0.0.1:7878", "token": "t"}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "bad_hub_url");
    let e = call(
        &h,
        "manage_connect",
        json!({"hubUrl": "http://127.0.0.1:1", "token": "t"}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "hub_unreachable");
    let e = call(
        &h,
        "manage_connect",
        json!({"hubUrl": hub.url, "token": "wrong"}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "bad_admin_token");
    assert_eq!(call(&h, "manage_link", json!({})).unwrap(), Value::Null);
    let link = call(
        &h,
        "manage_connect",
        json!({"hubUrl": hub.url, "token": hub.token}),
    )
    .unwrap();
    assert_eq!(link["hub_url"], hub.url.as_str());
    assert_eq!(
        call(&h, "manage_link", json!({})).unwrap()["hub_url"],
        hub.url.as_str()
    );

    // Messages: one bad row (named by line and field, never by its text).
    let marker = "Zq7-private-text-marker";
    let mut file = String::new();
    for i in 0..6 {
        file.push_str(
            &json!({"id": format!("m{i}"), "text": format!("{marker} {i}"), "company": "acme",
            "received_at": "2026-11-02", "intent": "card_arrival", "confidence": 0.3})
            .to_string(),
        );
        file.push('\n');
    }
    file.push_str(&json!({"id": "bad", "text": marker, "company": "acme"}).to_string());
    file.push('\n');
    let b64 = base64::engine::general_purpose::STANDARD.encode(&file);
    let r = call(
        &h,
        "manage_ingest",
        json!({"fileName": "../x/msgs.jsonl", "bytesB64": b64}),
    )
    .unwrap();
    assert_eq!(
        (r["read"].as_u64(), r["inserted"].as_u64()),
        (Some(6), Some(6)),
        "{r}"
    );
    assert_eq!(r["bad_rows"][0]["line"], 7);
    assert!(!r.to_string().contains(marker), "{r}");
    let r = call(
        &h,
        "manage_ingest",
        json!({"fileName": "msgs.jsonl", "bytesB64": b64}),
    )
    .unwrap();
    assert_eq!(r["duplicates"], 6);
    let e = call(
        &h,
        "manage_ingest",
        json!({"fileName": "m", "bytesB64": "%%"}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "bad_input");

    let plan = json!({"from": 0, "to": 4_000_000_000i64, "overlap": 1, "batch_size": 50, "gold_share": 0.0,
        "low_confidence_budget": 100, "max_confidence": 0.6, "sample_per_company": 0, "lease_secs": 3600});
    let p = call(&h, "manage_preview", json!({"plan": plan})).unwrap();
    assert_eq!(p["pool_size"], 6, "{p}");
    let e = call(&h, "manage_dispatch", json!({"plan": plan})).unwrap_err();
    assert_eq!(e["code"], "no_devices", "{e}");
    let mut bad_plan = plan.clone();
    bad_plan["overlap"] = json!(0);
    let e = call(&h, "manage_preview", json!({"plan": bad_plan})).unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("overlap"), "{e}");

    let d = enroll(&hub, &device_dir, "ann");
    let r = call(&h, "manage_dispatch", json!({"plan": plan})).unwrap();
    assert_eq!(r["copies"], 6, "{r}");
    let o = call(&h, "manage_overview", json!({})).unwrap();
    assert_eq!(o["pipeline"]["messages"], 6);
    assert_eq!(o["devices"][0]["device_id"], d.device_id.as_str());
    assert_eq!(o["devices"][0]["assigned"], 6);
    assert_eq!(o["devices"][0]["labelled"], 0);

    // Undo the dispatch: the device has not fetched, so the batch comes back; a second
    // withdrawal says so per batch; a malformed id never reaches the hub.
    let batches: Vec<Value> = r["batches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["batch_id"].clone())
        .collect();
    let w = call(&h, "manage_withdraw", json!({"batchIds": batches})).unwrap();
    assert_eq!(w[0]["outcome"], "withdrawn", "{w}");
    assert_eq!(w[0]["copies_returned"], 6, "{w}");
    let w = call(&h, "manage_withdraw", json!({"batchIds": batches})).unwrap();
    assert_eq!(w[0]["outcome"], "already_withdrawn", "{w}");
    assert_eq!(w[0]["code"], "already_withdrawn", "{w}");
    let e = call(&h, "manage_withdraw", json!({"batchIds": ["../v1/x"]})).unwrap_err();
    assert_eq!(e["code"], "bad_input", "{e}");
    let e = call(&h, "manage_withdraw", json!({"batchIds": []})).unwrap_err();
    assert_eq!(e["code"], "bad_input", "{e}");
    // The items are back in the pool: the same plan dispatches them again.
    let r = call(&h, "manage_dispatch", json!({"plan": plan})).unwrap();
    assert_eq!(r["copies"], 6, "{r}");

    // Adjudicate, then undo: the message has no decision in force any more.
    let a = call(
        &h,
        "manage_adjudicate",
        json!({"messageId": "m1", "intent": "card_arrival"}),
    )
    .unwrap();
    let seq = a["seq"].as_u64().unwrap();
    let u = call(&h, "manage_undo_adjudication", json!({"seq": seq})).unwrap();
    assert_eq!(u["message_id"], "m1", "{u}");
    assert_eq!(u["intent"], "", "{u}");
    let e = call(&h, "manage_undo_adjudication", json!({"seq": seq})).unwrap_err();
    assert_eq!(e["code"], "not_latest", "{e}");

    let e = call(&h, "manage_export", json!({"format": "xml", "seed": 0})).unwrap_err();
    assert_eq!(e["code"], "bad_format");

    call(&h, "manage_forget", json!({})).unwrap();
    assert_eq!(call(&h, "manage_link", json!({})).unwrap(), Value::Null);
    let e = call(&h, "manage_overview", json!({})).unwrap_err();
    assert_eq!(e["code"], "manager_not_connected");
}

/// The quality views can ask a real hub for another aggregation than its default: the
/// call carries `method` (and the disagreements `include_adjudicated`), the device ledger
/// records it, and the hub answers under that method; a method outside the enum's names
/// is refused in the form's words before anything is sent or recorded.
#[test]
fn the_quality_views_ask_for_another_aggregation_method() {
    use labelvault_system_tests::Hub;
    let dir = tempfile::tempdir().expect("tmp");
    let hub = Hub::start(&dir.path().join("hub"));
    let h = manager_app(dir.path());
    connect(&h, &hub);
    let requests = |h: &Harness| -> Vec<String> {
        call(h, "audit_ledger", json!({"limit": 1000})).unwrap()["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["request"].as_str().unwrap_or_default().to_string())
            .collect()
    };

    let q = call(&h, "manage_quality", json!({"method": "majority"})).unwrap();
    assert_eq!(q["method"], "majority", "{q}");
    let q = call(&h, "manage_quality", json!({})).unwrap();
    assert_eq!(q["method"], "dawid_skene", "{q}");
    let d = call(
        &h,
        "manage_disagreements",
        json!({"method": "majority", "includeAdjudicated": true}),
    )
    .unwrap();
    assert!(d["disagreements"].is_array(), "{d}");
    let sent = requests(&h);
    assert!(
        sent.iter()
            .any(|r| r.ends_with("/v1/admin/quality?method=majority")),
        "{sent:?}"
    );
    assert!(
        sent.iter().any(|r| r.contains("/v1/admin/disagreements?")
            && r.contains("include_adjudicated=true")
            && r.contains("method=majority")),
        "{sent:?}"
    );

    for bad in ["mean", "Majority", "dawid skene"] {
        let e = call(&h, "manage_quality", json!({"method": bad})).unwrap_err();
        assert_eq!(e["code"], "bad_input", "{bad}: {e}");
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("aggregation method"),
            "{e}"
        );
    }
    assert_eq!(
        requests(&h).len(),
        sent.len(),
        "nothing sent for a bad method"
    );
}

/// With a person's account enrolled on this machine for the hub, the Manage view signs
/// its calls with that account's key (its role applies, its id is on the hub's access
/// ledger) instead of using the saved token.
#[test]
fn the_manage_view_signs_with_an_enrolled_account() {
    use labelvault_core::keystore::KeyStore as _;
    use labelvault_system_tests::Hub;
    let dir = tempfile::tempdir().expect("tmp");
    let hub = Hub::start(&dir.path().join("hub"));
    let (st, created) = hub.admin_post(
        "/v1/admin/accounts",
        &json!({"name": "Lee Lead", "role": "lead"}),
    );
    assert_eq!(st, 200, "{created}");
    let key = labelvault_core::identity::HubKey::generate().expect("key");
    let (st, r) = hub.admin_post(
        "/v1/accounts/enroll",
        &json!({"enrollment_code": created["enrollment_code"], "signing_key": key.public_key()}),
    );
    assert_eq!(st, 200, "{r}");
    let id = r["account_id"].as_str().expect("id").to_string();
    let ks = keys();
    ks.set_text(
        &labelvault_core::manage::account_key_entry(&id),
        &key.to_secret_text(),
    )
    .expect("keyring");
    ks.set_text(&labelvault_core::manage::account_entry(&hub.url), &id)
        .expect("keyring");
    let h = manager_app(dir.path());
    connect(&h, &hub);
    // A lead may read the pipeline figures but not the item map behind the overview.
    let _ = call(&h, "manage_overview", json!({}));
    let ledger = hub.admin_get("/v1/admin/access-ledger");
    let mine: Vec<Value> = ledger
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("line"))
        .filter(|l| l["account_id"] == id.as_str())
        .collect();
    assert!(!mine.is_empty(), "no call signed by the account: {ledger}");
    assert!(mine.iter().all(|l| l["role"] == "lead"), "{ledger}");
}

/// The Audit view's hub access record: read through the Manage view's connection,
/// verified against the hub key pinned on this machine (never one the hub supplies at
/// the time), newest first with the people's names; a wrong key fails verification and
/// shows no rows; no message text in any answer.
#[test]
fn the_audit_view_reads_the_hubs_access_record() {
    use base64::Engine as _;
    use labelvault_core::keystore::KeyStore as _;
    use labelvault_system_tests::Hub;
    let dir = tempfile::tempdir().expect("tmp");
    let hub = Hub::start(&dir.path().join("hub"));
    let h = manager_app(dir.path());

    let e = call(&h, "audit_hub_access", json!({})).unwrap_err();
    assert_eq!(e["code"], "manager_not_connected");
    assert!(
        e["message"].as_str().unwrap().contains("in Manage first"),
        "{e}"
    );

    // A manager's account enrolled on this machine signs the Manage view's calls.
    let (st, created) = hub.admin_post(
        "/v1/admin/accounts",
        &json!({"name": "Mara Manager", "role": "manager"}),
    );
    assert_eq!(st, 200, "{created}");
    let key = labelvault_core::identity::HubKey::generate().expect("key");
    let (st, r) = hub.admin_post(
        "/v1/accounts/enroll",
        &json!({"enrollment_code": created["enrollment_code"], "signing_key": key.public_key()}),
    );
    assert_eq!(st, 200, "{r}");
    let id = r["account_id"].as_str().expect("id").to_string();
    let ks = keys();
    ks.set_text(
        &labelvault_core::manage::account_key_entry(&id),
        &key.to_secret_text(),
    )
    .expect("keyring");
    ks.set_text(&labelvault_core::manage::account_entry(&hub.url), &id)
        .expect("keyring");
    connect(&h, &hub);

    // No key pinned for this hub: nothing to verify against, so no record.
    let pinned = labelvault_core::manage::pinned_hub_key_entry(&hub.url);
    let _ = ks.delete(&pinned);
    let e = call(&h, "audit_hub_access", json!({})).unwrap_err();
    assert_eq!(e["code"], "hub_key_unknown", "{e}");

    let marker = "Qx9-private-text-marker";
    let mut file = String::new();
    for i in 0..4 {
        file.push_str(
            &json!({"id": format!("m{i}"), "text": format!("{marker} {i}"), "company": "acme",
            "received_at": "2026-11-02", "intent": "card_arrival", "confidence": 0.3})
            .to_string(),
        );
        file.push('\n');
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(&file);
    call(
        &h,
        "manage_ingest",
        json!({"fileName": "msgs.jsonl", "bytesB64": b64}),
    )
    .unwrap();

    // Another key than the hub's: verification fails, and no row is shown.
    let other = labelvault_core::identity::HubKey::generate().expect("key");
    ks.set_text(&pinned, &other.public_key()).expect("keyring");
    let v = call(&h, "audit_hub_access", json!({})).unwrap();
    assert!(
        v["verification"].as_str().unwrap().starts_with("FAILED: "),
        "{v}"
    );
    assert_eq!(v["verified"], false);
    assert_eq!(v["rows"], json!([]));

    // The hub's own key (as `labelvault account enroll` pins it).
    ks.set_text(&pinned, &hub.public_key()).expect("keyring");
    let v = call(&h, "audit_hub_access", json!({})).unwrap();
    let line = v["verification"].as_str().unwrap();
    assert!(
        line.starts_with("ok: ")
            && line.contains("hash chain intact")
            && line.contains("checkpoint"),
        "{v}"
    );
    assert_eq!(v["verified"], true);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len() as u64, v["entries"].as_u64().unwrap());
    assert!(
        rows.windows(2)
            .all(|w| w[0]["seq"].as_u64() > w[1]["seq"].as_u64()),
        "newest first: {v}"
    );
    let ingest = rows
        .iter()
        .find(|r| r["act"] == "ingest")
        .expect("the upload is on the record");
    assert_eq!(ingest["name"], "Mara Manager");
    assert_eq!(ingest["account_id"], id.as_str());
    assert_eq!(ingest["role"], "manager");
    assert_eq!(ingest["method"], "POST");
    assert_eq!(ingest["path"], "/v1/admin/messages");
    assert_eq!(ingest["status"], 200);
    assert!(
        rows.iter()
            .any(|r| r["account_id"] == "bootstrap" && r["act"] == "account_create"),
        "the token's own acts (the account's creation): {v}"
    );
    // Nobody read m1's raw text yet.
    let v = call(&h, "audit_hub_access", json!({"message": " m1 "})).unwrap();
    assert_eq!(v["message"], "m1");
    assert_eq!(
        (v["matching"].as_u64(), v["rows"].clone()),
        (Some(0), json!([]))
    );
    // A raw-text read of the disagreements (none open: no ids) is listed, but not as m1's.
    call(&h, "manage_disagreements", json!({"withText": true})).unwrap();
    let v = call(&h, "audit_hub_access", json!({})).unwrap();
    assert!(
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["act"] == "raw_text_read" && r["name"] == "Mara Manager"),
        "{v}"
    );
    let e = call(&h, "audit_hub_access", json!({"message": "m\n1"})).unwrap_err();
    assert_eq!(e["code"], "bad_input");
    assert!(!v.to_string().contains(marker), "no message text: {v}");
    let _ = ks.delete(&pinned);
}

/// The Manage view's model loop against a real hub: a file of v1 predictions, the
/// batch plan's strategy, per-intent cap, seed and label-error budget passed through to
/// the hub, a v2 file re-scoring the same messages (counted as re-scored; a row with
/// another text under a known id refused by its line), and the comparison of v1 and v2
/// on the export's test split — every figure computed here from what the test sent.
#[test]
fn the_manage_view_compares_model_versions() {
    use base64::Engine as _;
    use labelvault_system_tests::{enroll, Hub};
    const INTENTS: [&str; 4] = ["card_arrival", "card_lost", "refund", "top_up_failed"];
    const N: usize = 80;
    let truth = |i: usize| INTENTS[(i * 7 + i / 5) % 4];
    // v1 is wrong on every third message, v2 on every seventh.
    let v1 = |i: usize| {
        if i.is_multiple_of(3) {
            INTENTS[(i * 7 + i / 5 + 1) % 4]
        } else {
            truth(i)
        }
    };
    let v2 = |i: usize| {
        if i.is_multiple_of(7) {
            INTENTS[(i * 7 + i / 5 + 2) % 4]
        } else {
            truth(i)
        }
    };
    let marker = "Kp4-private-text-marker";
    let row = |i: usize, version: &str, intent: &str| {
        json!({"id": format!("m{i:03}"), "text": format!("{marker} {i}"), "company": "acme",
               "received_at": 1_767_225_600 + i as i64, "intent": intent,
               "confidence": 0.3 + (i % 10) as f64 * 0.01, "model_version": version})
    };
    let b64 = |rows: &[Value]| {
        base64::engine::general_purpose::STANDARD.encode(
            rows.iter()
                .map(|r| r.to_string() + "\n")
                .collect::<String>(),
        )
    };

    let dir = tempfile::tempdir().expect("tmp");
    let hub = Hub::start(&dir.path().join("hub"));
    let h = manager_app(dir.path());
    connect(&h, &hub);
    let first: Vec<Value> = (0..N).map(|i| row(i, "v1", v1(i))).collect();
    let r = call(
        &h,
        "manage_ingest",
        json!({"fileName": "v1.jsonl", "bytesB64": b64(&first)}),
    )
    .unwrap();
    assert_eq!(
        (
            r["inserted"].as_u64(),
            r["rescored"].as_u64(),
            r["refused"].as_u64()
        ),
        (Some(N as u64), Some(0), Some(0)),
        "{r}"
    );

    // The plan's new fields reach the hub: a cap of 3 per intent over 4 intents leaves
    // 12 low-confidence items; a bad strategy or budget never leaves the app.
    let mut plan = json!({"from": 0, "to": 4_000_000_000i64, "overlap": 1, "batch_size": 100,
        "gold_share": 0.0, "low_confidence_budget": 1000, "max_confidence": 1.0,
        "sample_per_company": 0, "lease_secs": 3600, "strategy": "margin",
        "per_intent_cap": 3, "seed": 7, "label_error_budget": 0});
    let p = call(&h, "manage_preview", json!({"plan": plan})).unwrap();
    assert_eq!(p["composition"]["low_confidence"], 12, "{p}");
    assert_eq!(p["composition"]["suspected_label_error"], 0, "{p}");
    for (key, bad) in [
        ("strategy", json!("most_wrong")),
        ("label_error_budget", json!(100_001)),
    ] {
        let mut b = plan.clone();
        b[key] = bad;
        let e = call(&h, "manage_preview", json!({"plan": b})).unwrap_err();
        assert_eq!(e["code"], "bad_input", "{e}");
        let e = call(&h, "manage_dispatch", json!({"plan": b})).unwrap_err();
        assert_eq!(e["code"], "bad_input", "{e}");
    }
    // An older form without the new fields still plans (the hub's defaults).
    let mut old = plan.clone();
    for k in ["strategy", "per_intent_cap", "seed", "label_error_budget"] {
        old.as_object_mut().unwrap().remove(k);
    }
    let p = call(&h, "manage_preview", json!({"plan": old})).unwrap();
    assert_eq!(p["pool_size"], N, "{p}");

    plan["per_intent_cap"] = json!(0);
    let device = enroll(&hub, &dir.path().join("device"), "ann");
    let d = call(&h, "manage_dispatch", json!({"plan": plan})).unwrap();
    assert_eq!(d["copies"], N, "{d}");
    // The device labels every message with its true intent (it was shown v1).
    let items: std::collections::HashMap<String, usize> = hub
        .admin_get("/v1/admin/items")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|c| {
            (
                c["item_id"].as_str().unwrap().to_string(),
                c["message_id"].as_str().unwrap()[1..].parse().unwrap(),
            )
        })
        .collect();
    labelvault_system_tests::cli_ok(&device.profile, &["pull"]);
    {
        let profile = labelvault_core::Profile::resolve(Some(device.profile.clone())).unwrap();
        let mut vault =
            labelvault_core::Vault::open(&profile, &labelvault_core::KeyringStore::new()).unwrap();
        for q in vault.peek_queue(1000).unwrap() {
            let i = items[&q.item_id];
            assert_eq!(q.model_intent, v1(i));
            let right = truth(i) == q.model_intent;
            vault
                .record(&labelvault_core::labels::Decision {
                    item_id: q.item_id.clone(),
                    verdict: if right {
                        labelvault_core::labels::Verdict::Correct
                    } else {
                        labelvault_core::labels::Verdict::Wrong
                    },
                    intent_id: (!right).then(|| truth(i).to_string()),
                    flags: Vec::new(),
                    pii_spans: Vec::new(),
                    duration_ms: 900,
                    also_intents: Vec::new(),
                })
                .unwrap();
        }
    }
    labelvault_system_tests::cli_ok(&device.profile, &["sync"]);

    // v2 re-scores every message.
    let second: Vec<Value> = (0..N).map(|i| row(i, "v2", v2(i))).collect();
    let r = call(
        &h,
        "manage_ingest",
        json!({"fileName": "v2.jsonl", "bytesB64": b64(&second)}),
    )
    .unwrap();
    let counts = |r: &Value| {
        (
            r["inserted"].as_u64(),
            r["duplicates"].as_u64(),
            r["rescored"].as_u64(),
            r["refused"].as_u64(),
        )
    };
    assert_eq!(
        counts(&r),
        (Some(0), Some(0), Some(N as u64), Some(0)),
        "{r}"
    );
    // A row with another text under a known id is refused by its line, without its
    // text; the rest of the file is stored.
    let mut changed = row(5, "v3", "refund");
    changed["text"] = json!(format!("{marker} another message"));
    let mixed = [row(200, "v3", "refund"), changed];
    let r = call(
        &h,
        "manage_ingest",
        json!({"fileName": "mixed.jsonl", "bytesB64": b64(&mixed)}),
    )
    .unwrap();
    assert_eq!(counts(&r), (Some(1), Some(0), Some(0), Some(1)), "{r}");
    assert_eq!(r["bad_rows"][0]["line"], 2, "{r}");
    assert!(
        r["bad_rows"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("m005"),
        "{r}"
    );
    assert!(!r.to_string().contains(marker), "{r}");

    // The comparison, on what the export calls its test split.
    let test: Vec<usize> = hub
        .admin_get("/v1/admin/export?part=test&mark=false")
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()[1..]
                .parse()
                .unwrap()
        })
        .collect();
    assert!(test.len() >= 8, "{test:?}");
    let c = call(&h, "manage_compare", json!({"a": "v1", "b": "v2"})).unwrap();
    let acc = |f: &dyn Fn(usize) -> &'static str| {
        test.iter().filter(|&&i| f(i) == truth(i)).count() as f64 / test.len() as f64
    };
    let only = |x: &dyn Fn(usize) -> &'static str, y: &dyn Fn(usize) -> &'static str| {
        test.iter()
            .filter(|&&i| x(i) == truth(i) && y(i) != truth(i))
            .count() as u64
    };
    assert_eq!(
        (c["a"].as_str(), c["b"].as_str(), c["items"].as_u64()),
        (Some("v1"), Some("v2"), Some(test.len() as u64)),
        "{c}"
    );
    assert!(
        (c["accuracy_a"].as_f64().unwrap() - acc(&v1)).abs() < 1e-9,
        "{c}"
    );
    assert!(
        (c["accuracy_b"].as_f64().unwrap() - acc(&v2)).abs() < 1e-9,
        "{c}"
    );
    assert_eq!(c["only_a_correct"].as_u64(), Some(only(&v1, &v2)), "{c}");
    assert_eq!(c["only_b_correct"].as_u64(), Some(only(&v2, &v1)), "{c}");
    let p = labelvault_core::pipeline::evaluate::mcnemar_exact(only(&v1, &v2), only(&v2, &v1));
    assert!((c["mcnemar_p"].as_f64().unwrap() - p).abs() < 1e-12, "{c}");
    assert!(!c["per_intent"].as_array().unwrap().is_empty(), "{c}");

    // A version the hub never saw: its error names the ones it holds. A malformed one
    // never leaves the app.
    let e = call(&h, "manage_compare", json!({"a": "v1", "b": "v9"})).unwrap_err();
    assert_eq!(e["code"], "unknown_model_version", "{e}");
    assert!(e["message"].as_str().unwrap().contains("v1, v2"), "{e}");
    for bad in ["", "v1&b=v2", "v 1", "v+1"] {
        let e = call(&h, "manage_compare", json!({"a": bad, "b": "v2"})).unwrap_err();
        assert_eq!(e["code"], "bad_input", "{bad}: {e}");
    }
}
