//! Faults on the real hub binary, with the real CLI as the device (run inside
//! scripts/with-keyring.sh): a connection cut after the hub stored an upload but before
//! its answer arrived, then SIGKILL and restart; SIGKILL in the middle of a large message
//! import; a full disk; a damaged row. Each test checks that no acknowledged label is
//! lost or doubled and that the device's queue drains once the hub is back, and prints
//! how long the recovery took (`fault recovery: …`, written past the test harness's
//! output capture so it shows in the CI log).

use labelvault_system_tests::{cli, cli_ok, enroll, enroll_at, Device, Hub, HubOptions};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

fn report_recovery(name: &str, took: Duration) {
    let line = format!("fault recovery: {name}: {} ms\n", took.as_millis());
    let _ = std::io::stderr().write_all(line.as_bytes());
}

fn assign(hub: &Hub, device: &Device, n: usize) -> Vec<String> {
    let items: Vec<Value> = (0..n)
        .map(|i| {
            json!({"text": format!("message {i}: my card has not arrived yet, please help"),
                   "intent": "card_arrival", "confidence": 0.4, "reason": "low_confidence"})
        })
        .collect();
    let (st, r) = hub.admin_post(
        "/v1/admin/assign",
        &json!({"device_id": device.device_id, "items": items, "taxonomy": {"id": "t", "version": "1",
            "intents": [{"id": "card_arrival", "description": ""}, {"id": "change_pin", "description": ""}]}}),
    );
    assert_eq!(st, 200, "{r}");
    r["item_ids"]
        .as_array()
        .expect("item ids")
        .iter()
        .map(|v| v.as_str().expect("id").to_string())
        .collect()
}

fn label(device: &Device, n: usize) {
    for _ in 0..n {
        cli_ok(&device.profile, &["label", "--verdict", "correct"]);
    }
}

/// One `labelvault sync --json`: the report, or the error output.
fn sync(device: &Device, attempts: u32) -> Result<Value, String> {
    let out = cli(
        &device.profile,
        &["sync", "--json", "--attempts", &attempts.to_string()],
    );
    if out.status.success() {
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        Ok(serde_json::from_str(text.lines().next().unwrap_or("")).expect("sync report"))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Sync until it succeeds (the hub is back), then once more to show nothing is left.
fn drain(device: &Device, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    let report = loop {
        match sync(device, 2) {
            Ok(r) => break r,
            Err(e) => {
                assert!(Instant::now() < deadline, "the queue did not drain: {e}");
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    };
    let again = sync(device, 1).expect("a sync after draining");
    assert_eq!(again["uploads"], 0, "the queue is empty: {again}");
    report
}

/// (device, item, revision) → how many times the hub has it.
fn hub_labels(hub: &Hub) -> HashMap<(String, String, u64), usize> {
    let mut m = HashMap::new();
    for l in hub.admin_get("/v1/admin/labels").lines() {
        if l.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(l).expect("label line");
        let key = (
            v["device_id"].as_str().expect("device").to_string(),
            v["item_id"].as_str().expect("item").to_string(),
            v["revision"].as_u64().expect("revision"),
        );
        *m.entry(key).or_default() += 1;
    }
    m
}

/// The hub holds exactly one label (revision 1) for each of `items` from `device`.
fn assert_exactly_once(hub: &Hub, device: &Device, items: &[String]) {
    let labels = hub_labels(hub);
    let mine: Vec<_> = labels
        .iter()
        .filter(|((d, _, _), _)| d == &device.device_id)
        .collect();
    assert!(mine.iter().all(|(_, &c)| c == 1), "a label is stored twice");
    let got: HashSet<&str> = mine.iter().map(|((_, i, _), _)| i.as_str()).collect();
    let want: HashSet<&str> = items.iter().map(String::as_str).collect();
    assert_eq!(got, want, "every acknowledged label, exactly once");
}

/// A loopback TCP proxy that, when armed, forwards the next `POST /v1/labels` to the
/// hub, waits for the hub's answer (so the upload is stored) and then drops both
/// connections instead of passing the answer on.
struct CutProxy {
    url: String,
    armed: Arc<AtomicBool>,
    cut: mpsc::Receiver<()>,
}

fn pump(mut from: TcpStream, mut to: TcpStream, watch: Option<(Arc<AtomicBool>, Arc<AtomicBool>)>) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Some((armed, cut_here)) = &watch {
            let is_upload = buf[..n].windows(15).any(|w| w == b"POST /v1/labels");
            if is_upload && armed.swap(false, Ordering::SeqCst) {
                cut_here.store(true, Ordering::SeqCst);
            }
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

impl CutProxy {
    fn start(upstream: String) -> CutProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let armed = Arc::new(AtomicBool::new(false));
        let (tx, cut) = mpsc::channel();
        let arm = armed.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(hub) = TcpStream::connect(&upstream) else {
                    continue; // the hub is down: the client sees a closed connection
                };
                let cut_here = Arc::new(AtomicBool::new(false));
                let (c2, h2) = (
                    client.try_clone().expect("clone"),
                    hub.try_clone().expect("clone"),
                );
                let watch = Some((arm.clone(), cut_here.clone()));
                std::thread::spawn(move || pump(c2, h2, watch));
                let tx = tx.clone();
                std::thread::spawn(move || {
                    let (mut hub, client) = (hub, client);
                    let mut buf = [0u8; 16 * 1024];
                    let mut out = client.try_clone().expect("clone");
                    loop {
                        let n = match hub.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        if cut_here.load(Ordering::SeqCst) {
                            // The hub has answered: drop the answer and the connection.
                            let _ = client.shutdown(Shutdown::Both);
                            let _ = hub.shutdown(Shutdown::Both);
                            let _ = tx.send(());
                            return;
                        }
                        if out.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = out.shutdown(Shutdown::Write);
                });
            }
        });
        CutProxy { url, armed, cut }
    }
}

/// (a) The hub stores an upload, the connection dies before its answer reaches the
/// device, and the hub is killed (SIGKILL) and restarted while the device retries: the
/// retry (same upload id, same bytes) gets the original receipt, nothing is doubled.
#[test]
fn cut_after_commit_then_kill_and_restart() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut hub = Hub::start(&dir.path().join("hub"));
    let proxy = CutProxy::start(hub.addr());
    let dev = enroll_at(&hub, &proxy.url, &dir.path().join("a"), "a");
    let items = assign(&hub, &dev, 8);
    cli_ok(&dev.profile, &["pull"]);
    label(&dev, 8);

    proxy.armed.store(true, Ordering::SeqCst);
    let profile = dev.profile.clone();
    let first = std::thread::spawn(move || cli(&profile, &["sync", "--json", "--attempts", "6"]));
    proxy
        .cut
        .recv_timeout(Duration::from_secs(60))
        .expect("the upload reached the hub and its answer was cut");
    // The hub answered, so the upload is stored; it is not acknowledged on the device.
    assert_eq!(hub_labels(&hub).len(), 8, "stored before the cut");
    let t = Instant::now();
    hub.restart();
    let first = first.join().expect("sync thread");
    let report = if first.status.success() {
        let text = String::from_utf8_lossy(&first.stdout).into_owned();
        let r: Value = serde_json::from_str(text.lines().next().unwrap_or("")).expect("report");
        let again = sync(&dev, 1).expect("sync after the retry");
        assert_eq!(again["uploads"], 0, "{again}");
        r
    } else {
        drain(&dev, Duration::from_secs(60))
    };
    let took = t.elapsed();
    // The hub's stored receipt answers the retry: the same 8 accepted, none twice.
    assert_eq!(report["uploads"], 1, "{report}");
    assert_eq!(report["accepted"], 8, "{report}");
    assert_exactly_once(&hub, &dev, &items);
    let ledger = hub.admin_get("/v1/admin/ledger");
    let entries = ledger
        .lines()
        .filter(|l| !l.starts_with("{\"signed_head\""))
        .count();
    assert_eq!(entries, 1, "one ledger entry for one upload");
    report_recovery("connection cut after commit + SIGKILL/restart", took);
}

fn ingest_file(path: &Path, n: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("file"));
    for i in 0..n {
        let company = ["acme", "globex"][i % 2];
        let line = json!({"id": format!("m-{i:06}"), "text": format!("customer message {i}: my top up failed twice this morning"),
                          "company": company, "channel": "chat",
                          "received_at": 1_767_225_600 + i as i64, "intent": "top_up_failed",
                          "confidence": 0.5});
        writeln!(f, "{line}").expect("write");
    }
}

/// (b) SIGKILL while the manager's import is being posted (several 5,000-message
/// requests): the hub restarts cleanly, and running the import again completes with
/// every message stored exactly once.
#[test]
fn kill_during_large_import_then_rerun() {
    const N: usize = 60_000;
    let dir = tempfile::tempdir().expect("tmp");
    let mut hub = Hub::start(&dir.path().join("hub"));
    let input = dir.path().join("messages.jsonl");
    ingest_file(&input, N);
    let token = hub.data_dir.join("admin.token");
    let args = |hub: &Hub| -> Vec<String> {
        vec![
            "ingest".into(),
            "--json".into(),
            input.display().to_string(),
            "--hub".into(),
            hub.url.clone(),
            "--admin-token-file".into(),
            token.display().to_string(),
        ]
    };
    let manager = dir.path().join("manager");
    let a = args(&hub);
    let m = manager.clone();
    let import = std::thread::spawn(move || {
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        cli(&m, &refs)
    });
    // Kill once the first requests are stored and before the last one is.
    let deadline = Instant::now() + Duration::from_secs(120);
    let at_kill = loop {
        assert!(Instant::now() < deadline, "the import never started");
        let (st, body) = hub.admin_get_status("/v1/admin/pipeline");
        let stored = if st == 200 {
            serde_json::from_str::<Value>(&body).expect("status")["messages"]
                .as_u64()
                .unwrap_or(0)
        } else {
            0
        };
        if stored > 0 {
            break stored;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let t = Instant::now();
    hub.kill9();
    assert!(
        (at_kill as usize) < N,
        "the kill must land mid-import ({at_kill} of {N} stored)"
    );
    let first = import.join().expect("import thread");
    assert!(
        !first.status.success(),
        "the interrupted import reports a failure"
    );
    assert!(
        String::from_utf8_lossy(&first.stderr).contains("re-running the import skips them"),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    hub.restart();
    // The database is intact after the kill.
    let conn = hub.open_db();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity check");
    assert_eq!(check, "ok");
    let a = args(&hub);
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    let again: Value = serde_json::from_str(&cli_ok(&manager, &refs)).expect("json");
    let took = t.elapsed();
    assert_eq!(again["read"], N as u64);
    let (inserted, dupes) = (
        again["inserted"].as_u64().expect("inserted"),
        again["duplicates"].as_u64().expect("duplicates"),
    );
    assert_eq!(inserted + dupes, N as u64, "{again}");
    assert!(
        dupes >= at_kill,
        "what was stored before the kill is skipped: {again}"
    );
    let status: Value = serde_json::from_str(&hub.admin_get("/v1/admin/pipeline")).expect("status");
    assert_eq!(status["messages"], N as u64, "every message exactly once");
    let ids: i64 = conn
        .query_row("SELECT count(DISTINCT message_id) FROM messages", [], |r| {
            r.get(0)
        })
        .expect("count");
    assert_eq!(ids as usize, N);
    report_recovery(
        &format!("SIGKILL mid-import ({at_kill} of {N} stored), restart, re-import"),
        took,
    );
}

/// A full file system for the hub's database: a small tmpfs when this machine lets us
/// mount one, otherwise the hub's test-build hook (the database may not grow).
struct FullDisk {
    tmpfs: Option<std::path::PathBuf>,
    flag: std::path::PathBuf,
}

impl FullDisk {
    fn new(dir: &Path) -> FullDisk {
        let mnt = dir.join("small-disk");
        std::fs::create_dir_all(&mnt).expect("mount point");
        // LABELVAULT_FAULTS_NO_MOUNT=1 exercises the fallback where mounting works too.
        let may_mount = std::env::var_os("LABELVAULT_FAULTS_NO_MOUNT").is_none();
        let mounted = may_mount
            && std::process::Command::new("mount")
                .args(["-t", "tmpfs", "-o", "size=8m", "tmpfs"])
                .arg(&mnt)
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        FullDisk {
            tmpfs: mounted.then_some(mnt),
            flag: dir.join("disk-full.flag"),
        }
    }

    fn options(&self) -> HubOptions {
        match &self.tmpfs {
            Some(mnt) => HubOptions {
                db: Some(format!("sqlite://{}", mnt.join("hub.db").display())),
                env: vec![],
            },
            None => HubOptions {
                db: None,
                env: vec![(
                    "LABELVAULT_HUB_TEST_DISK_FULL_FLAG".into(),
                    self.flag.display().to_string(),
                )],
            },
        }
    }

    fn how(&self) -> &'static str {
        if self.tmpfs.is_some() {
            "8 MiB tmpfs"
        } else {
            "test hook; no mount allowed"
        }
    }

    fn fill(&self) {
        match &self.tmpfs {
            Some(mnt) => {
                let mut f = std::fs::File::create(mnt.join("filler")).expect("filler");
                let block = vec![0u8; 64 * 1024];
                while f.write_all(&block).is_ok() {}
                // Whatever is left is smaller than a block: fill it byte by byte.
                while f.write_all(&[0u8; 512]).is_ok() {}
                while f.write_all(&[0u8]).is_ok() {}
                let _ = f.sync_all();
            }
            None => std::fs::write(&self.flag, b"full").expect("flag"),
        }
    }

    fn free(&self) {
        match &self.tmpfs {
            Some(mnt) => std::fs::remove_file(mnt.join("filler")).expect("free"),
            None => std::fs::remove_file(&self.flag).expect("free"),
        }
    }
}

impl Drop for FullDisk {
    fn drop(&mut self) {
        if let Some(mnt) = &self.tmpfs {
            let _ = std::process::Command::new("umount")
                .arg("-l")
                .arg(mnt)
                .status();
        }
    }
}

/// (c) The hub's disk fills up: uploads get a clear 507 `storage_full`, reads keep
/// working, acknowledged labels stay, and once space is back the queue drains.
#[test]
fn full_disk_refuses_clearly_and_recovers() {
    let dir = tempfile::tempdir().expect("tmp");
    let disk = FullDisk::new(dir.path());
    let mut hub = Hub::start_with(&dir.path().join("hub"), "127.0.0.1:0", disk.options());
    let dev = enroll(&hub, &dir.path().join("a"), "a");
    let items = assign(&hub, &dev, 40);
    cli_ok(&dev.profile, &["pull"]);
    label(&dev, 10);
    assert_eq!(sync(&dev, 1).expect("first sync")["accepted"], 10);
    label(&dev, 30);

    disk.fill();
    let err = sync(&dev, 2).expect_err("the full hub refuses the upload");
    assert!(err.contains("storage_full"), "a clear error: {err}");
    // The status code itself, on a write that must grow the database.
    let messages: Vec<Value> = (0..2_000)
        .map(|i| json!({"message_id": format!("m{i}"), "text": format!("message {i}: my top up failed again today"),
                        "company": "acme", "received_at": 1_767_225_600 + i, "model_intent": "top_up_failed",
                        "confidence": 0.5}))
        .collect();
    let (st, body) = hub.admin_post("/v1/admin/messages", &json!({ "messages": messages }));
    assert_eq!(st, 507, "{body}");
    assert_eq!(body["code"], "storage_full");
    // The hub stays up; an admin read, which cannot be put on the access ledger now, is
    // refused the same clear way rather than served unrecorded.
    let (st, _) = hub.admin_get_status("/v1/health");
    assert_eq!(st, 200);
    let (st, body) = hub.admin_get_status("/v1/admin/labels");
    assert_eq!(st, 507, "{body}");
    assert!(body.contains("storage_full"), "{body}");
    let log = std::fs::read_to_string(&hub.log).expect("log");
    assert!(log.contains("storage full"), "the log says why");

    let t = Instant::now();
    disk.free();
    assert_eq!(hub_labels(&hub).len(), 10, "no acknowledged label lost");
    let report = drain(&dev, Duration::from_secs(60));
    let took = t.elapsed();
    assert_eq!(report["accepted"], 30, "{report}");
    assert_exactly_once(&hub, &dev, &items);
    report_recovery(&format!("full disk ({})", disk.how()), took);
    hub.kill9();
}

/// (d) A damaged row: what touches it fails loudly (500, the log names the row), never
/// silently wrong; everything else keeps working; once repaired, the queue drains.
#[test]
fn damaged_rows_fail_loudly_and_only_there() {
    let dir = tempfile::tempdir().expect("tmp");
    let hub = Hub::start(&dir.path().join("hub"));
    let a = enroll(&hub, &dir.path().join("a"), "a");
    let b = enroll(&hub, &dir.path().join("b"), "b");
    let items_a = assign(&hub, &a, 4);
    let items_b = assign(&hub, &b, 4);
    for d in [&a, &b] {
        cli_ok(&d.profile, &["pull"]);
        label(d, 2);
        assert_eq!(sync(d, 1).expect("sync")["accepted"], 2);
    }
    let db = hub.open_db();
    db.busy_timeout(Duration::from_secs(10)).expect("timeout");
    // Damage one of a's labels and b's device key.
    let (item, flags): (String, String) = db
        .query_row(
            "SELECT item_id, flags FROM labels WHERE device_id = ?1 LIMIT 1",
            [&a.device_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a label");
    db.execute(
        "UPDATE labels SET flags = '[\"misclass' WHERE device_id = ?1 AND item_id = ?2",
        [&a.device_id, &item],
    )
    .expect("damage label");
    let key: Vec<u8> = db
        .query_row(
            "SELECT signing_key FROM devices WHERE device_id = ?1",
            [&b.device_id],
            |r| r.get(0),
        )
        .expect("key");
    db.execute(
        "UPDATE devices SET signing_key = x'00' WHERE device_id = ?1",
        [&b.device_id],
    )
    .expect("damage key");

    // The export touches the damaged label: refused, not exported wrong.
    let (st, body) = hub.admin_get_status("/v1/admin/labels");
    assert_eq!(st, 500, "{body}");
    assert!(body.contains("\"internal\""), "{body}");
    // b's requests touch its damaged key: refused loudly.
    label(&b, 2);
    let err = sync(&b, 1).expect_err("b is refused");
    assert!(err.contains("internal"), "{err}");
    // Everything else keeps working: a uploads, the ledger and pipeline read.
    label(&a, 2);
    assert_eq!(sync(&a, 1).expect("a still syncs")["accepted"], 2);
    assert_eq!(hub.admin_get_status("/v1/admin/ledger").0, 200);
    assert_eq!(hub.admin_get_status("/v1/admin/pipeline").0, 200);
    let log = std::fs::read_to_string(&hub.log).expect("log");
    assert!(
        log.contains("stored label is damaged"),
        "the log names the row"
    );
    assert!(
        log.contains("stored device key is damaged"),
        "the log names the key"
    );

    // Repaired (restored from a backup of the rows), b's queue drains.
    let t = Instant::now();
    db.execute(
        "UPDATE labels SET flags = ?3 WHERE device_id = ?1 AND item_id = ?2",
        [&a.device_id, &item, &flags],
    )
    .expect("repair label");
    db.execute(
        "UPDATE devices SET signing_key = ?2 WHERE device_id = ?1",
        rusqlite::params![b.device_id, key],
    )
    .expect("repair key");
    let report = drain(&b, Duration::from_secs(30));
    let took = t.elapsed();
    assert_eq!(report["accepted"], 2, "{report}");
    assert_exactly_once(&hub, &a, &items_a);
    assert_exactly_once(&hub, &b, &items_b);
    report_recovery("damaged label row and device key, repaired", took);
}
