//! Helpers for cross-process tests: locate (or build) the workspace binaries, run the
//! hub on a loopback port, and call its admin API.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Path of a workspace binary next to the running one, building it if needed.
pub fn bin(package: &str, name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test exe");
    // target/<profile>/deps/<test> (tests) or target/<profile>/<bin> → target/<profile>/<name>
    let mut dir = exe.parent().expect("exe dir").to_path_buf();
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir = dir.parent().expect("target dir").to_path_buf();
    }
    let path = dir.join(name);
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-p", package, "--bin", name]);
        if dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let st = cmd.status().expect("cargo build");
        assert!(st.success(), "could not build {name}");
    }
    path
}

/// How to start a hub beyond its data directory: a database URL and extra environment.
#[derive(Debug, Clone, Default)]
pub struct HubOptions {
    /// `--database` (default: the hub's own `sqlite://DATA_DIR/hub.db`).
    pub db: Option<String>,
    /// Extra environment variables for the hub process.
    pub env: Vec<(String, String)>,
}

/// A running hub.
pub struct Hub {
    /// The process.
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its data directory.
    pub data_dir: PathBuf,
    /// Where its stderr (logs) goes.
    pub log: PathBuf,
    /// Admin token.
    pub token: String,
    /// How it was started (reused by [`Hub::restart`]).
    pub options: HubOptions,
}

impl Hub {
    /// Start `labelvault-hub serve` on an ephemeral loopback port.
    pub fn start(data_dir: &Path) -> Hub {
        Hub::start_on(data_dir, "127.0.0.1:0")
    }

    /// Start `labelvault-hub serve` on a given loopback address.
    pub fn start_on(data_dir: &Path, listen: &str) -> Hub {
        Hub::start_with(data_dir, listen, HubOptions::default())
    }

    /// Start `labelvault-hub serve` on a given loopback address with options (a
    /// database URL, extra environment).
    pub fn start_with(data_dir: &Path, listen: &str, options: HubOptions) -> Hub {
        let log = data_dir.with_extension("log");
        // Appended, so a restarted hub's log follows the killed one's.
        let logf = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("log file");
        let mut cmd = Command::new(bin("labelvault-hub", "labelvault-hub"));
        cmd.args(["serve", "--data-dir"])
            .arg(data_dir)
            .args(["--listen", listen]);
        cmd.env("RUST_LOG", "debug")
            .env("LABELVAULT_LOG", "debug")
            .stdout(Stdio::piped())
            .stderr(logf);
        if let Some(db) = &options.db {
            cmd.args(["--database", db]);
        }
        for (k, v) in &options.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start hub");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = loop {
            assert!(Instant::now() < deadline, "hub did not start");
            match lines.next() {
                Some(Ok(l)) => {
                    if let Some(u) = l.trim().strip_prefix("listening on ") {
                        break u.trim().to_string();
                    }
                }
                _ => panic!("hub exited before listening; see {}", log.display()),
            }
        };
        // Keep draining stdout so the hub never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let token = std::fs::read_to_string(data_dir.join("admin.token"))
            .expect("admin token")
            .trim()
            .to_string();
        Hub {
            child,
            url,
            data_dir: data_dir.to_path_buf(),
            log,
            token,
            options,
        }
    }

    /// The `127.0.0.1:PORT` it listens on.
    pub fn addr(&self) -> String {
        self.url
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .to_string()
    }

    /// Kill the process with SIGKILL (no shutdown of any kind) and wait for it.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Kill the hub with SIGKILL and start it again on the same address, data and
    /// options.
    pub fn restart(&mut self) {
        self.kill9();
        let addr = self.addr();
        let next = Hub::start_with(&self.data_dir, &addr, self.options.clone());
        // The old value's Drop only kills an already dead process.
        *self = next;
    }

    /// Admin GET, returning (status, body text) whatever the status.
    pub fn admin_get_status(&self, path: &str) -> (u16, String) {
        let mut r = Self::agent()
            .get(&format!("{}{path}", self.url))
            .header("authorization", &format!("Bearer {}", self.token))
            .call()
            .expect("admin request");
        let status = r.status().as_u16();
        let text = r
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_string()
            .unwrap_or_default();
        (status, text)
    }

    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into()
    }

    /// Admin POST, returning (status, JSON).
    pub fn admin_post(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let mut r = Self::agent()
            .post(&format!("{}{path}", self.url))
            .header("authorization", &format!("Bearer {}", self.token))
            .header("content-type", "application/json")
            .send(body.to_string().as_bytes())
            .expect("admin request");
        let status = r.status().as_u16();
        let text = r.body_mut().read_to_string().unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// Admin GET, returning the body text.
    pub fn admin_get(&self, path: &str) -> String {
        let mut r = Self::agent()
            .get(&format!("{}{path}", self.url))
            .header("authorization", &format!("Bearer {}", self.token))
            .call()
            .expect("admin request");
        assert_eq!(r.status().as_u16(), 200, "GET {path}");
        r.body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_string()
            .expect("body")
    }

    /// The hub's database key, as the hub loads it: the key file its environment names,
    /// or its data directory's entry in the OS keyring.
    pub fn db_key(&self) -> labelvault_hub::at_rest::DbKey {
        match self
            .options
            .env
            .iter()
            .find(|(k, _)| k == "LABELVAULT_HUB_DB_KEY_FILE")
        {
            Some((_, f)) => labelvault_hub::at_rest::DbKey::from_file(Path::new(f), false),
            None => labelvault_hub::at_rest::DbKey::from_keyring(&self.data_dir),
        }
        .expect("the hub's database key")
    }

    /// The hub's SQLite database opened with its key (SQLCipher), as the hub opens it.
    pub fn open_db(&self) -> rusqlite::Connection {
        let c = rusqlite::Connection::open(self.data_dir.join("hub.db")).expect("open hub.db");
        c.execute_batch(&labelvault_hub::store::keying_pragmas(&self.db_key()))
            .expect("key");
        c
    }

    /// The hub's public key, from `labelvault-hub print-key`.
    pub fn public_key(&self) -> String {
        let out = Command::new(bin("labelvault-hub", "labelvault-hub"))
            .args(["print-key", "--data-dir"])
            .arg(&self.data_dir)
            .output()
            .expect("print-key");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        text.split_whitespace()
            .find(|w| w.len() == 44 && w.ends_with('='))
            .expect("a base64 key in print-key output")
            .to_string()
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A database of its own for one test on the PostgreSQL server named by
/// `LABELVAULT_TEST_POSTGRES_URL` (scripts/with-postgres.sh starts one), dropped at the
/// end. `None`, after saying why, when no server is given; a panic instead when
/// `LABELVAULT_REQUIRE_POSTGRES=1`, so CI cannot skip the PostgreSQL tests silently.
pub struct PostgresDb {
    /// URL of the new database.
    pub url: String,
    server: String,
    name: String,
}

impl PostgresDb {
    /// Create the database (see the type's documentation).
    pub fn create(test: &str) -> Option<PostgresDb> {
        let Ok(server) = std::env::var("LABELVAULT_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var("LABELVAULT_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "LABELVAULT_REQUIRE_POSTGRES=1 but LABELVAULT_TEST_POSTGRES_URL is not set: \
                 run the tests under scripts/with-postgres.sh"
            );
            println!(
                "SKIPPED {test}: it needs PostgreSQL; set LABELVAULT_TEST_POSTGRES_URL or run under scripts/with-postgres.sh"
            );
            return None;
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let name = format!("lv_sys_{}_{nanos}", std::process::id());
        let mut admin = postgres::Client::connect(&server, postgres::NoTls)
            .expect("connect to LABELVAULT_TEST_POSTGRES_URL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create a test database");
        let start = server.find("://").map(|i| i + 3).unwrap_or(0);
        let (head, query) = server.split_at(server.find('?').unwrap_or(server.len()));
        let base = match head[start..].find('/') {
            Some(i) => &head[..start + i],
            None => head,
        };
        Some(PostgresDb {
            url: format!("{base}/{name}{query}"),
            server: server.clone(),
            name,
        })
    }
}

impl Drop for PostgresDb {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// Where [`Balancer`] sends the next connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Always to backend `i`.
    To(usize),
    /// To each backend in turn.
    RoundRobin,
}

#[derive(Default)]
struct BalancerState {
    route: Option<Route>,
    next: usize,
    /// Connections whose first request is an upload: answer none of the next N.
    drop_uploads: usize,
    /// Per connection: (backend, first request line, response dropped).
    seen: Vec<(usize, String, bool)>,
}

/// A loopback TCP load balancer in front of several hubs: one device URL, each
/// connection forwarded to one hub. It can also lose a hub's answer to an upload
/// (the request reaches the hub, the device never hears back), as a network can.
pub struct Balancer {
    /// `http://127.0.0.1:PORT`, the URL devices are given.
    pub url: String,
    state: std::sync::Arc<std::sync::Mutex<BalancerState>>,
}

impl Balancer {
    /// Listen on an ephemeral loopback port in front of `backends` (`http://HOST:PORT`).
    pub fn start(backends: &[&str]) -> Balancer {
        use std::net::{TcpListener, TcpStream};
        let addrs: Vec<String> = backends
            .iter()
            .map(|u| {
                u.trim_start_matches("http://")
                    .trim_end_matches('/')
                    .to_string()
            })
            .collect();
        let listener = TcpListener::bind("127.0.0.1:0").expect("balancer listen");
        let url = format!("http://{}", listener.local_addr().expect("balancer addr"));
        let state = std::sync::Arc::new(std::sync::Mutex::new(BalancerState {
            route: Some(Route::RoundRobin),
            ..BalancerState::default()
        }));
        let st = state.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (st, addrs) = (st.clone(), addrs.clone());
                std::thread::spawn(move || {
                    let _ = forward(client, &addrs, &st);
                });
            }
        });

        fn forward(
            mut client: TcpStream,
            addrs: &[String],
            st: &std::sync::Mutex<BalancerState>,
        ) -> std::io::Result<()> {
            use std::io::{Read, Write};
            // Read up to the end of the first request line to see what it is.
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(2).any(|w| w == b"\r\n") {
                let n = client.read(&mut buf)?;
                if n == 0 {
                    return Ok(());
                }
                head.extend_from_slice(&buf[..n]);
            }
            let line = String::from_utf8_lossy(&head)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string();
            let (backend, lose) = {
                let mut s = st.lock().expect("balancer state");
                let backend = match s.route.unwrap_or(Route::RoundRobin) {
                    Route::To(i) => i,
                    Route::RoundRobin => {
                        s.next += 1;
                        (s.next - 1) % addrs.len()
                    }
                };
                let lose = s.drop_uploads > 0 && line.starts_with("POST /v1/labels");
                if lose {
                    s.drop_uploads -= 1;
                }
                s.seen.push((backend, line, lose));
                (backend, lose)
            };
            let mut server = TcpStream::connect(&addrs[backend])?;
            server.write_all(&head)?;
            let (mut c2, mut s2) = (client.try_clone()?, server.try_clone()?);
            let up = std::thread::spawn(move || {
                let _ = std::io::copy(&mut c2, &mut s2);
                let _ = s2.shutdown(std::net::Shutdown::Write);
            });
            if lose {
                // Wait for the hub's answer (it has committed by then), then cut the
                // device off without it.
                let mut first = [0u8; 1];
                let _ = server.read(&mut first);
                std::thread::sleep(Duration::from_millis(200));
                let _ = client.shutdown(std::net::Shutdown::Both);
                let _ = server.shutdown(std::net::Shutdown::Both);
            } else {
                let _ = std::io::copy(&mut server, &mut client);
                let _ = client.shutdown(std::net::Shutdown::Both);
            }
            let _ = up.join();
            Ok(())
        }
        Balancer { url, state }
    }

    /// Choose where the following connections go.
    pub fn route(&self, r: Route) {
        self.state.lock().expect("balancer state").route = Some(r);
    }

    /// Lose the hub's answer to the next `n` connections that start with an upload.
    pub fn lose_upload_answers(&self, n: usize) {
        self.state.lock().expect("balancer state").drop_uploads = n;
    }

    /// Every connection so far: (backend index, first request line, answer lost).
    pub fn seen(&self) -> Vec<(usize, String, bool)> {
        self.state.lock().expect("balancer state").seen.clone()
    }
}

/// Run the `labelvault` CLI on a profile.
pub fn cli(profile: &Path, args: &[&str]) -> Output {
    Command::new(bin("labelvault-cli", "labelvault"))
        .arg("--profile")
        .arg(profile)
        .args(args)
        .env_remove("LABELVAULT_PROFILE_DIR")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e}",
                bin("labelvault-cli", "labelvault").display()
            )
        })
}

/// A device profile enrolled with a hub.
pub struct Device {
    /// Its profile directory.
    pub profile: PathBuf,
    /// The id the hub gave it.
    pub device_id: String,
}

/// Create an annotator on the hub and enroll `profile` with its one-time code.
pub fn enroll(hub: &Hub, profile: &Path, name: &str) -> Device {
    enroll_at(hub, &hub.url, profile, name)
}

/// As [`enroll`], but the device talks to the hub at `url` (e.g. through a proxy).
pub fn enroll_at(hub: &Hub, url: &str, profile: &Path, name: &str) -> Device {
    let (st, created) =
        hub.admin_post("/v1/admin/annotators", &serde_json::json!({ "name": name }));
    assert_eq!(st, 200, "{created}");
    let code = created["enrollment_code"].as_str().expect("code");
    cli_ok(profile, &["enroll", "--hub", url, "--code", code]);
    let status: serde_json::Value =
        serde_json::from_str(&cli_ok(profile, &["status", "--json"])).expect("status json");
    Device {
        profile: profile.to_path_buf(),
        device_id: status["hub"]["device_id"]
            .as_str()
            .expect("device id")
            .to_string(),
    }
}

/// Run the CLI and insist on success; returns stdout.
pub fn cli_ok(profile: &Path, args: &[&str]) -> String {
    let out = cli(profile, args);
    assert!(
        out.status.success(),
        "labelvault {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(rd) = std::fs::read_dir(&d) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
    }
    out
}
