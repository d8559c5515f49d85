//! Load generator: the real hub binary on loopback, N simulated devices with real
//! Ed25519 keys and age identities, real signed requests, concurrent pulls and uploads
//! with jittered think time, and retries that re-send the same upload (same upload id,
//! same bytes) on a network error, a 5xx or a 429. At the end, every label a device got
//! a receipt for must be on the hub exactly once.
//!
//! Run (both sizes, SQLite, in a temporary directory):
//!
//! ```text
//! cargo bench -p labelvault-hub --bench load -- --devices 100,1000
//! ```
//!
//! Options (each also from an environment variable):
//!
//! * `--devices N[,N…]` (`LABELVAULT_LOAD_DEVICES`, default `100`): one run per size.
//! * `--database URL` (`LABELVAULT_LOAD_DATABASE`): passed to the hub as `--db` as it is
//!   (`sqlite://…`, `postgres://…`); default a fresh SQLite file per run. With a shared
//!   database the count check only looks at this run's devices.
//! * `--items K` (default 30): items assigned to each device.
//! * `--duration S` (default 60): labelling phase; devices stop taking new items after it.
//! * `--drop P` (default 0.02): share of upload answers the client throws away after
//!   the hub has answered (as if the connection died), so the retry path and the hub's
//!   idempotency are exercised even when the hub never fails.
//! * `--hubs H` (`LABELVAULT_LOAD_HUBS`, default 1): hub processes on the one
//!   database (PostgreSQL only when more than one), with the same `hub.key`,
//!   `admin.token` and database key file, as docs/hub-storage.md says to run them;
//!   device `i` talks to hub `i mod H` only.
//! * `--hub-bin PATH`: the hub binary (default: the one built with this bench).
//!
//! At the end every label must be on the hub exactly once, and the inbound ledger
//! (`GET /v1/admin/ledger`) must verify with the hub key and hold every upload a device
//! has a receipt for exactly once.
//!
//! Everything is bounded: at most 10,000 devices and 1,000 items each, and a run that has
//! not drained its queues 120 s after the labelling phase fails.

use base64::Engine as _;
use labelvault_core::identity::{self, HubKey};
use labelvault_core::labels::Verdict;
use labelvault_core::protocol::{
    self, BatchListing, EnrollRequest, EnrollResponse, LabelUpload, SignedReceipt, WireLabel,
};
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, String>;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const MAX_DEVICES: usize = 10_000;
const MAX_HUBS: usize = 8;
const MAX_ITEMS: usize = 1_000;
const DRAIN_SECS: u64 = 120;
const MAX_ATTEMPTS: u32 = 12;

#[derive(Debug, Clone)]
struct Options {
    devices: Vec<usize>,
    database: Option<String>,
    items: usize,
    duration: Duration,
    drop: f64,
    hubs: usize,
    hub_bin: std::path::PathBuf,
}

fn options() -> Result<Options> {
    let mut o = Options {
        devices: vec![100],
        database: std::env::var("LABELVAULT_LOAD_DATABASE")
            .ok()
            .filter(|s| !s.is_empty()),
        items: 30,
        duration: Duration::from_secs(60),
        drop: 0.02,
        hubs: match std::env::var("LABELVAULT_LOAD_HUBS") {
            Ok(h) if !h.is_empty() => number(&h, "LABELVAULT_LOAD_HUBS")?,
            _ => 1,
        },
        hub_bin: std::path::PathBuf::from(env!("CARGO_BIN_EXE_labelvault-hub")),
    };
    let mut devices = std::env::var("LABELVAULT_LOAD_DEVICES").ok();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--bench" => {} // cargo bench passes it to every harness-less bench
            "--devices" => devices = Some(value("--devices")?),
            "--database" => o.database = Some(value("--database")?),
            "--items" => o.items = number(&value("--items")?, "--items")?,
            "--duration" => {
                o.duration = Duration::from_secs(number(&value("--duration")?, "--duration")?)
            }
            "--drop" => {
                o.drop = value("--drop")?
                    .parse()
                    .ok()
                    .filter(|p: &f64| (0.0..0.5).contains(p))
                    .ok_or("--drop must be a share in [0, 0.5)")?
            }
            "--hubs" => o.hubs = number(&value("--hubs")?, "--hubs")?,
            "--hub-bin" => o.hub_bin = value("--hub-bin")?.into(),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if let Some(d) = devices {
        o.devices = d
            .split(',')
            .map(|n| number(n.trim(), "--devices"))
            .collect::<Result<_>>()?;
    }
    if o.devices.iter().any(|&n| n == 0 || n > MAX_DEVICES) {
        return Err(format!("--devices must be 1–{MAX_DEVICES}"));
    }
    if o.hubs == 0 || o.hubs > MAX_HUBS {
        return Err(format!("--hubs must be 1–{MAX_HUBS}"));
    }
    if o.hubs > 1
        && !o
            .database
            .as_deref()
            .is_some_and(|d| d.starts_with("postgres://") || d.starts_with("postgresql://"))
    {
        return Err(
            "--hubs above 1 needs --database postgres://… (hubs share one database)".into(),
        );
    }
    if o.items == 0 || o.items > MAX_ITEMS {
        return Err(format!("--items must be 1–{MAX_ITEMS}"));
    }
    if o.duration.is_zero() || o.duration > Duration::from_secs(1800) {
        return Err("--duration must be 1–1800 seconds".into());
    }
    Ok(o)
}

fn number<T: std::str::FromStr>(s: &str, name: &str) -> Result<T> {
    s.parse()
        .map_err(|_| format!("{name}: {s:?} is not a number"))
}

/// Small, fast, seeded per device: pacing jitter and drop decisions only.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// `mean` scaled by a factor uniform in [0.5, 1.5).
    fn jitter(&mut self, mean: Duration) -> Duration {
        mean.mul_f64(0.5 + self.unit())
    }
}

/// Raise the open-file limit to its hard limit (1,000 devices need ~2,000 sockets on
/// each side of loopback); the hub inherits it.
fn raise_nofile() -> u64 {
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        let mut l = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) != 0 {
            return 0;
        }
        if l.rlim_cur < l.rlim_max {
            let want = libc::rlimit {
                rlim_cur: l.rlim_max,
                rlim_max: l.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &want) == 0 {
                return want.rlim_cur;
            }
        }
        l.rlim_cur
    }
}

/// The hub process.
struct Hub {
    child: Child,
    url: String,
    token: String,
    hub_key: [u8; 32],
    hub_key_id: String,
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start hub number `i` of a run. Hubs after the first get the first one's `hub.key`
/// and `admin.token` in their data directory, and all share one database key file, as
/// docs/hub-storage.md ("Several hubs on one PostgreSQL database") says to run them.
fn start_hub(o: &Options, dir: &std::path::Path, i: usize) -> Result<Hub> {
    let data = dir.join(if i == 0 {
        "hub".into()
    } else {
        format!("hub{i}")
    });
    if i > 0 {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&data)
            .map_err(|e| format!("hub {i} data dir: {e}"))?;
        for f in ["hub.key", "admin.token"] {
            // `copy` keeps the 0600 mode.
            std::fs::copy(dir.join("hub").join(f), data.join(f))
                .map_err(|e| format!("hub {i} {f}: {e}"))?;
        }
    }
    let db = o
        .database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", data.join("hub.db").display()));
    let log_path = dir.join(if i == 0 {
        "hub.log".into()
    } else {
        format!("hub{i}.log")
    });
    let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let mut cmd = Command::new(&o.hub_bin);
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .args(["--db", &db]);
    if o.hubs > 1 {
        cmd.arg("--db-key-file").arg(dir.join("db.key"));
    }
    let mut child = cmd
        .env("LABELVAULT_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", o.hub_bin.display()))?;
    let stdout = child.stdout.take().ok_or("no hub stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        match lines.next() {
            Some(Ok(l)) => {
                if let Some(u) = l.trim().strip_prefix("listening on ") {
                    break u.to_string();
                }
            }
            _ => {
                let _ = child.kill();
                return Err(format!(
                    "the hub exited before listening; see {}",
                    log_path.display()
                ));
            }
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let token = std::fs::read_to_string(data.join("admin.token"))
        .map_err(|e| format!("admin token: {e}"))?
        .trim()
        .to_string();
    let key_text =
        std::fs::read_to_string(data.join("hub.key")).map_err(|e| format!("hub key: {e}"))?;
    let key = HubKey::from_secret_text(&key_text).map_err(|e| e.to_string())?;
    let hub_key = identity::parse_public_key(&key.public_key()).map_err(|e| e.to_string())?;
    Ok(Hub {
        child,
        url,
        token,
        hub_key,
        hub_key_id: key.key_id(),
    })
}

/// One HTTP answer, or why none came.
enum Answer {
    Ok(u16, Vec<u8>),
    Network(String),
}

fn call(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Answer {
    let result = if method == "GET" {
        let mut r = agent.get(url);
        for (k, v) in headers {
            r = r.header(*k, v.as_str());
        }
        r.call()
    } else {
        let mut r = agent.post(url).header("content-type", "application/json");
        for (k, v) in headers {
            r = r.header(*k, v.as_str());
        }
        r.send(body)
    };
    match result {
        Ok(mut resp) => {
            let status = resp.status().as_u16();
            match resp.body_mut().with_config().limit(1 << 30).read_to_vec() {
                Ok(b) => Answer::Ok(status, b),
                Err(e) => Answer::Network(e.to_string()),
            }
        }
        Err(e) => Answer::Network(e.to_string()),
    }
}

fn admin(
    hub: &Hub,
    agent: &ureq::Agent,
    path: &str,
    body: &serde_json::Value,
) -> Result<serde_json::Value> {
    let auth = [("authorization", format!("Bearer {}", hub.token))];
    match call(
        agent,
        "POST",
        &format!("{}{path}", hub.url),
        &auth,
        body.to_string().as_bytes(),
    ) {
        Answer::Ok(200, b) => serde_json::from_slice(&b).map_err(|e| format!("{path}: {e}")),
        Answer::Ok(s, b) => Err(format!("{path}: HTTP {s}: {}", String::from_utf8_lossy(&b))),
        Answer::Network(e) => Err(format!("{path}: {e}")),
    }
}

/// A simulated device: its keys, id and queue.
struct Device {
    n: usize,
    /// Index of the hub it talks to.
    hub: usize,
    signing: Ed25519KeyPair,
    age: age::x25519::Identity,
    device_id: String,
}

impl Device {
    /// The four signature headers for one request (core's request message).
    fn signed(&self, method: &str, path: &str, body: &[u8]) -> Vec<(&'static str, String)> {
        let ts = labelvault_core::batch::now_unix();
        let mut nonce = [0u8; 16];
        let _ = getrandom::fill(&mut nonce);
        let nonce = hex::encode(nonce);
        let msg = protocol::request_message(method, path, ts, &nonce, body);
        let sig = self.signing.sign(&msg);
        vec![
            (protocol::H_DEVICE, self.device_id.clone()),
            (protocol::H_TIMESTAMP, ts.to_string()),
            (protocol::H_NONCE, nonce),
            (protocol::H_SIGNATURE, B64.encode(sig.as_ref())),
        ]
    }
}

/// Make a device: keys, an annotator, enrollment, and one assigned batch.
fn setup_device(hub: &Hub, agent: &ureq::Agent, n: usize, items: usize) -> Result<Device> {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| "key generation failed")?;
    let signing = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| "bad key")?;
    let age = age::x25519::Identity::generate();
    let created = admin(
        hub,
        agent,
        "/v1/admin/annotators",
        &json!({"name": format!("load {n}")}),
    )?;
    let code = created["enrollment_code"]
        .as_str()
        .ok_or("no enrollment code")?;
    let body = serde_json::to_vec(&EnrollRequest {
        enrollment_code: code.to_string(),
        signing_key: B64.encode(signing.public_key().as_ref()),
        recipient: age.to_public().to_string(),
    })
    .map_err(|e| e.to_string())?;
    let enrolled: EnrollResponse =
        match call(agent, "POST", &format!("{}/v1/enroll", hub.url), &[], &body) {
            Answer::Ok(200, b) => serde_json::from_slice(&b).map_err(|e| e.to_string())?,
            Answer::Ok(s, _) => return Err(format!("enroll: HTTP {s}")),
            Answer::Network(e) => return Err(format!("enroll: {e}")),
        };
    if enrolled.hub_key_id != hub.hub_key_id {
        return Err("the hub enrolled with another key".into());
    }
    let list: Vec<serde_json::Value> = (0..items)
        .map(|i| json!({"text": format!("device {n} message {i}: my card payment was declined twice at the shop"),
                        "intent": "card_declined", "confidence": 0.4, "reason": "low_confidence"}))
        .collect();
    admin(
        hub,
        agent,
        "/v1/admin/assign",
        &json!({"device_id": enrolled.device_id, "items": list,
                "taxonomy": {"id": "t", "version": "1", "intents": [
                    {"id": "card_declined", "description": ""}, {"id": "other", "description": ""}]}}),
    )?;
    Ok(Device {
        n,
        hub: 0,
        signing,
        age,
        device_id: enrolled.device_id,
    })
}

/// Everything the devices measured.
#[derive(Default)]
struct Stats {
    upload_ms: Vec<f64>,
    pull_ms: Vec<f64>,
    errors: BTreeMap<String, u64>,
    retries: u64,
    uploads: u64,
    accepted: u64,
    duplicates: u64,
    rejected: u64,
    /// Every (device, item, revision) acknowledged by a receipt.
    acknowledged: Vec<(String, String, u32)>,
    /// Every (device, upload id) a receipt came back for.
    receipted: Vec<(String, String)>,
    failed_devices: Vec<String>,
}

struct Shared {
    /// Each hub's URL; a device uses `hub_urls[dev.hub]`.
    hub_urls: Vec<String>,
    hub_key: [u8; 32],
    hub_key_id: String,
    agent: ureq::Agent,
    stats: Mutex<Stats>,
    drop: f64,
}

impl Shared {
    fn error(&self, kind: String) {
        if let Ok(mut s) = self.stats.lock() {
            *s.errors.entry(kind).or_default() += 1;
        }
    }
}

fn error_kind(status: u16, body: &[u8]) -> String {
    let code = serde_json::from_slice::<protocol::ApiError>(body)
        .map(|e| e.code)
        .unwrap_or_else(|_| "no_code".into());
    format!("http_{status}_{code}")
}

/// GET with retries; returns the body.
fn device_get(
    sh: &Shared,
    dev: &Device,
    rng: &mut Rng,
    path: &str,
    deadline: Instant,
) -> Result<Vec<u8>> {
    let mut delay = Duration::from_millis(100);
    loop {
        let headers = dev.signed("GET", path, b"");
        let t = Instant::now();
        match call(
            &sh.agent,
            "GET",
            &format!("{}{path}", sh.hub_urls[dev.hub]),
            &headers,
            b"",
        ) {
            Answer::Ok(200, b) => {
                if let Ok(mut s) = sh.stats.lock() {
                    s.pull_ms.push(t.elapsed().as_secs_f64() * 1e3);
                }
                return Ok(b);
            }
            Answer::Ok(s, b) if s >= 500 || s == 429 => sh.error(error_kind(s, &b)),
            Answer::Ok(s, b) => return Err(error_kind(s, &b)),
            Answer::Network(_) => sh.error("network".into()),
        }
        if Instant::now() > deadline {
            return Err("gave_up".into());
        }
        std::thread::sleep(rng.jitter(delay));
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// Pull: list, fetch and open every batch; the item ids and the intents to use.
fn pull(sh: &Shared, dev: &Device, rng: &mut Rng, deadline: Instant) -> Result<Vec<String>> {
    let list: Vec<BatchListing> =
        serde_json::from_slice(&device_get(sh, dev, rng, "/v1/batches", deadline)?)
            .map_err(|_| "unreadable batch list")?;
    let mut items = Vec::new();
    for b in list {
        let bytes = device_get(
            sh,
            dev,
            rng,
            &format!("/v1/batches/{}", b.batch_id),
            deadline,
        )?;
        let opened = labelvault_core::batch::open(
            &bytes,
            &|kid| (kid == sh.hub_key_id).then_some(sh.hub_key),
            &dev.age,
            labelvault_core::batch::now_unix(),
        )
        .map_err(|e| format!("batch: {}", e.code()))?;
        items.extend(opened.payload.items.into_iter().map(|i| i.item_id));
    }
    Ok(items)
}

/// Send one upload until a valid receipt comes back, always the same bytes.
fn deliver(
    sh: &Shared,
    dev: &Device,
    rng: &mut Rng,
    upload: &LabelUpload,
    deadline: Instant,
) -> Result<SignedReceipt> {
    let body = serde_json::to_vec(upload).map_err(|e| e.to_string())?;
    let sha = hex::encode(ring::digest::digest(&ring::digest::SHA256, &body));
    let mut delay = Duration::from_millis(100);
    for attempt in 1..=MAX_ATTEMPTS {
        if attempt > 1 {
            if let Ok(mut s) = sh.stats.lock() {
                s.retries += 1;
            }
        }
        let headers = dev.signed("POST", "/v1/labels", &body);
        let t = Instant::now();
        let answer = call(
            &sh.agent,
            "POST",
            &format!("{}/v1/labels", sh.hub_urls[dev.hub]),
            &headers,
            &body,
        );
        let ms = t.elapsed().as_secs_f64() * 1e3;
        match answer {
            Answer::Ok(200, b) => {
                if rng.unit() < sh.drop {
                    // The hub answered; pretend the connection died before we read it.
                    sh.error("injected_drop".into());
                } else {
                    let r: SignedReceipt =
                        serde_json::from_slice(&b).map_err(|_| "unreadable receipt")?;
                    let sig = B64
                        .decode(&r.signature)
                        .map_err(|_| "receipt signature not base64")?;
                    if r.receipt.body_sha256 != sha
                        || r.receipt.upload_id != upload.upload_id
                        || !identity::verify(
                            &sh.hub_key,
                            &protocol::receipt_message(&r.receipt),
                            &sig,
                        )
                    {
                        return Err("bad_receipt".into());
                    }
                    if let Ok(mut s) = sh.stats.lock() {
                        s.upload_ms.push(ms);
                    }
                    return Ok(r);
                }
            }
            Answer::Ok(s, b) if s >= 500 || s == 429 => sh.error(error_kind(s, &b)),
            Answer::Ok(s, b) => return Err(error_kind(s, &b)),
            Answer::Network(_) => sh.error("network".into()),
        }
        if Instant::now() > deadline {
            break;
        }
        std::thread::sleep(rng.jitter(delay));
        delay = (delay * 2).min(Duration::from_secs(5));
    }
    Err("gave_up".into())
}

/// One device's life: stagger, pull, then label with think time and upload in small
/// groups until the items or the labelling phase run out.
fn run_device(
    sh: &Shared,
    dev: &Device,
    think: Duration,
    ramp: Duration,
    stop: Instant,
    deadline: Instant,
) -> Result<()> {
    let mut rng = Rng::new(dev.n as u64 + 1);
    std::thread::sleep(ramp.mul_f64(rng.unit()));
    let items = pull(sh, dev, &mut rng, deadline)?;
    let mut seq = 0;
    let mut i = 0;
    while i < items.len() && Instant::now() < stop {
        let group = 1 + (rng.next() % 6) as usize;
        let mut labels = Vec::new();
        for item in items.iter().skip(i).take(group) {
            std::thread::sleep(rng.jitter(think));
            let wrong = rng.unit() < 0.2;
            labels.push(WireLabel {
                item_id: item.clone(),
                revision: 1,
                retracted: false,
                verdict: Some(if wrong {
                    Verdict::Wrong
                } else {
                    Verdict::Correct
                }),
                intent_id: wrong.then(|| "other".to_string()),
                flags: vec![],
                pii_spans: vec![],
                length_class: None,
                duration_ms: think.as_millis() as u64,
                decided_at_ms: labelvault_core::batch::now_unix() * 1000,
                also_intents: Vec::new(),
            });
        }
        i += labels.len();
        seq += 1;
        let upload = LabelUpload {
            upload_id: format!("u_{:016x}{:016x}", dev.n, seq),
            device_id: dev.device_id.clone(),
            labels,
        };
        let r = deliver(sh, dev, &mut rng, &upload, deadline)?;
        if let Ok(mut s) = sh.stats.lock() {
            s.uploads += 1;
            s.accepted += u64::from(r.receipt.accepted);
            s.duplicates += u64::from(r.receipt.duplicates);
            s.rejected += r.receipt.rejected.len() as u64;
            s.receipted
                .push((dev.device_id.clone(), upload.upload_id.clone()));
            let refused: HashSet<&str> = r
                .receipt
                .rejected
                .iter()
                .map(|x| x.item_id.as_str())
                .collect();
            for l in &upload.labels {
                if !refused.contains(l.item_id.as_str()) {
                    s.acknowledged
                        .push((dev.device_id.clone(), l.item_id.clone(), l.revision));
                }
            }
        }
    }
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// What one run measured (one table row).
struct Row {
    devices: usize,
    db: String,
    setup_s: f64,
    load_s: f64,
    labels: u64,
    uploads: u64,
    rate: f64,
    p50: f64,
    p99: f64,
    pull_p50: f64,
    retries: u64,
    errors: BTreeMap<String, u64>,
    check: String,
    ledger: String,
    ok: bool,
}

fn run(o: &Options, n: usize) -> Result<Row> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let hubs = (0..o.hubs)
        .map(|i| start_hub(o, dir.path(), i))
        .collect::<Result<Vec<Hub>>>()?;
    if hubs.iter().any(|h| h.hub_key_id != hubs[0].hub_key_id) {
        return Err("the hubs run with different keys".into());
    }
    let hub = &hubs[0];
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .max_idle_connections(n + 64)
        .max_idle_connections_per_host(n + 64)
        .build()
        .into();

    // Set-up: annotators, enrollment and one batch each, 4 at a time per hub, each
    // device at its own hub.
    let t = Instant::now();
    let next = AtomicU64::new(0);
    let made: Mutex<Vec<Device>> = Mutex::new(Vec::with_capacity(n));
    let setup_err: Mutex<Option<String>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..4 * hubs.len() {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                if i >= n {
                    break;
                }
                let at = i % hubs.len();
                match setup_device(&hubs[at], &agent, i, o.items) {
                    Ok(mut d) => {
                        d.hub = at;
                        made.lock().map(|mut m| m.push(d)).unwrap_or(())
                    }
                    Err(e) => {
                        if let Ok(mut x) = setup_err.lock() {
                            x.get_or_insert(e);
                        }
                        break;
                    }
                }
            });
        }
    });
    if let Some(e) = setup_err.into_inner().map_err(|_| "lock")? {
        return Err(format!("set-up failed: {e}"));
    }
    let devices = made.into_inner().map_err(|_| "lock")?;
    let setup_s = t.elapsed().as_secs_f64();

    // Load: every device its own thread, paced so the labelling fits the duration.
    let sh = Arc::new(Shared {
        hub_urls: hubs.iter().map(|h| h.url.clone()).collect(),
        hub_key: hub.hub_key,
        hub_key_id: hub.hub_key_id.clone(),
        agent: agent.clone(),
        stats: Mutex::new(Stats::default()),
        drop: o.drop,
    });
    let ramp = o.duration.mul_f64(0.1).min(Duration::from_secs(10));
    let think = (o.duration - ramp).mul_f64(0.8) / o.items as u32;
    let t = Instant::now();
    let stop = t + o.duration;
    let deadline = stop + Duration::from_secs(DRAIN_SECS);
    std::thread::scope(|s| {
        for dev in &devices {
            let sh = &sh;
            let spawned = std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn_scoped(s, move || {
                    if let Err(e) = run_device(sh, dev, think, ramp, stop, deadline) {
                        sh.error(format!("device_failed_{e}"));
                        if let Ok(mut st) = sh.stats.lock() {
                            st.failed_devices.push(dev.device_id.clone());
                        }
                    }
                });
            if spawned.is_err() {
                sh.error("thread_spawn".into());
            }
        }
    });
    let load_s = t.elapsed().as_secs_f64();
    let mut stats = std::mem::take(&mut *sh.stats.lock().map_err(|_| "lock")?);

    // Exact count check: this run's labels on the hub, each exactly once, equal to
    // what the devices hold receipts for.
    let ours: HashSet<&str> = devices.iter().map(|d| d.device_id.as_str()).collect();
    let text = match call(
        &agent,
        "GET",
        &format!("{}/v1/admin/labels", hub.url),
        &[("authorization", format!("Bearer {}", hub.token))],
        b"",
    ) {
        Answer::Ok(200, b) => String::from_utf8(b).map_err(|_| "labels not UTF-8")?,
        Answer::Ok(s, _) => return Err(format!("admin labels: HTTP {s}")),
        Answer::Network(e) => return Err(format!("admin labels: {e}")),
    };
    let mut on_hub: HashMap<(String, String, u32), u32> = HashMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|_| "bad labels line")?;
        let dev = v["device_id"].as_str().unwrap_or_default();
        if !ours.contains(dev) {
            continue;
        }
        let key = (
            dev.to_string(),
            v["item_id"].as_str().unwrap_or_default().to_string(),
            v["revision"].as_u64().unwrap_or(0) as u32,
        );
        *on_hub.entry(key).or_default() += 1;
    }
    let sent: HashSet<(String, String, u32)> = stats.acknowledged.drain(..).collect();
    let dupes = on_hub.values().filter(|&&c| c > 1).count();
    let missing = sent.iter().filter(|k| !on_hub.contains_key(*k)).count();
    let extra = on_hub.keys().filter(|k| !sent.contains(*k)).count();
    let ok = dupes == 0
        && missing == 0
        && extra == 0
        && stats.failed_devices.is_empty()
        && stats.accepted == sent.len() as u64
        && stats.rejected == 0;
    let check = format!(
        "{} sent, {} on hub, {missing} missing, {dupes} duplicated, {extra} unexpected{}",
        sent.len(),
        on_hub.len(),
        if ok { ": OK" } else { ": FAILED" }
    );
    // The inbound ledger, read at the last hub: one chain that verifies with the hub
    // key and holds every upload a device got a receipt for, exactly once.
    let last = &hubs[hubs.len() - 1];
    let t = Instant::now();
    let ledger = match call(
        &agent,
        "GET",
        &format!("{}/v1/admin/ledger", last.url),
        &[("authorization", format!("Bearer {}", last.token))],
        b"",
    ) {
        Answer::Ok(200, b) => String::from_utf8(b).map_err(|_| "ledger not UTF-8")?,
        Answer::Ok(s, _) => return Err(format!("admin ledger: HTTP {s}")),
        Answer::Network(e) => return Err(format!("admin ledger: {e}")),
    };
    let ledger_s = t.elapsed().as_secs_f64();
    let receipted: HashSet<(String, String)> = stats.receipted.drain(..).collect();
    let (ledger_ok, ledger) = match labelvault_core::ledger::verify_hub_ledger(
        &ledger,
        Some(&hub.hub_key),
    ) {
        Err(e) => (false, format!("ledger does not verify: {e}: FAILED")),
        Ok(report) => {
            let parsed = labelvault_core::ledger::read_hub_ledger(&ledger)
                .map_err(|e| format!("ledger: {e}"))?;
            let mut in_chain: HashMap<(String, String), u32> = HashMap::new();
            for e in parsed.entries {
                if ours.contains(e.device_id.as_str()) {
                    *in_chain
                        .entry((e.device_id, e.receipt.receipt.upload_id))
                        .or_default() += 1;
                }
            }
            let twice = in_chain.values().filter(|&&c| c > 1).count();
            let absent = receipted
                .iter()
                .filter(|k| !in_chain.contains_key(*k))
                .count();
            let ok = twice == 0 && absent == 0 && in_chain.len() == receipted.len();
            (
                    ok,
                    format!(
                        "ledger verifies ({} entries, read in {ledger_s:.1} s): {} uploads receipted, {absent} absent, {twice} twice{}",
                        report.entries,
                        receipted.len(),
                        if ok { ": OK" } else { ": FAILED" }
                    ),
                )
        }
    };
    let ok = ok && ledger_ok;
    stats.upload_ms.sort_by(f64::total_cmp);
    stats.pull_ms.sort_by(f64::total_cmp);
    let db = o
        .database
        .as_deref()
        .and_then(|u| u.split("://").next())
        .unwrap_or("sqlite")
        .to_string()
        + &if hubs.len() > 1 {
            format!("×{}", hubs.len())
        } else {
            String::new()
        };
    Ok(Row {
        devices: n,
        db,
        setup_s,
        load_s,
        labels: stats.accepted,
        uploads: stats.uploads,
        rate: stats.accepted as f64 / load_s,
        p50: percentile(&stats.upload_ms, 0.5),
        p99: percentile(&stats.upload_ms, 0.99),
        pull_p50: percentile(&stats.pull_ms, 0.5),
        retries: stats.retries,
        errors: stats.errors,
        check,
        ledger,
        ok,
    })
}

fn main() -> std::process::ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("load: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let nofile = raise_nofile();
    println!(
        "load: {} × hub {}, {} items/device, {} s labelling, {:.1}% answers dropped, open-file limit {nofile}",
        o.hubs,
        o.hub_bin.display(),
        o.items,
        o.duration.as_secs(),
        o.drop * 100.0
    );
    let mut rows = Vec::new();
    let mut failed = false;
    for &n in &o.devices {
        println!("load: {n} devices …");
        match run(&o, n) {
            Ok(r) => {
                failed |= !r.ok;
                rows.push(r);
            }
            Err(e) => {
                eprintln!("load: {n} devices: {e}");
                failed = true;
            }
        }
    }
    println!();
    println!(
        "{:>7} {:>8} {:>8} {:>8} {:>8} {:>10} {:>9} {:>9} {:>9} {:>8}  count check",
        "devices",
        "db",
        "setup s",
        "load s",
        "labels",
        "labels/s",
        "p50 ms",
        "p99 ms",
        "pull p50",
        "retries"
    );
    for r in &rows {
        println!(
            "{:>7} {:>8} {:>8.1} {:>8.1} {:>8} {:>10.0} {:>9.1} {:>9.1} {:>9.1} {:>8}  {}",
            r.devices,
            r.db,
            r.setup_s,
            r.load_s,
            r.labels,
            r.rate,
            r.p50,
            r.p99,
            r.pull_p50,
            r.retries,
            r.check
        );
    }
    for r in &rows {
        let errs: Vec<String> = r.errors.iter().map(|(k, v)| format!("{k}={v}")).collect();
        println!("  {} devices: {}", r.devices, r.ledger);
        println!(
            "  {} devices: {} uploads; errors: {}",
            r.devices,
            r.uploads,
            if errs.is_empty() {
                "none".into()
            } else {
                errs.join(", ")
            }
        );
    }
    if failed {
        eprintln!("load: FAILED (see the count check and errors above)");
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
