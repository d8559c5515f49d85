//! Driving the real LabelVault app through WebDriver: start tauri-driver (which starts
//! WebKitWebDriver and the app), open a session, press keys, read the screen.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A profile with a trusted hub key and one sealed batch for it, made with the real CLI:
/// `intents` (id, description) are the batch's taxonomy and `items` its item lines (the
/// input of `labelvault batch seal`). Returns the profile directory and the batch file.
pub fn sealed_batch(
    dir: &Path,
    intents: &[(String, String)],
    items: &[serde_json::Value],
) -> (PathBuf, PathBuf) {
    let tax = serde_json::json!({"id": "e2e", "version": "1",
        "intents": intents.iter().map(|(id, d)| serde_json::json!({"id": id, "description": d})).collect::<Vec<_>>()});
    sealed_batch_with(dir, &tax, items, "")
}

/// Like [`sealed_batch`], with a whole taxonomy file (`{"id", "version", "intents":
/// [{"id", "description", "examples", "group"}]}`) and the manager's guidelines. Without
/// guidelines the real CLI seals the batch; with them (the CLI's `batch seal` takes
/// none) the engine's own sealing does, with the key `labelvault hub keygen` wrote.
pub fn sealed_batch_with(
    dir: &Path,
    taxonomy: &serde_json::Value,
    items: &[serde_json::Value],
    guidelines: &str,
) -> (PathBuf, PathBuf) {
    use labelvault_system_tests::cli_ok;
    let profile = dir.join("profile");
    let v: serde_json::Value =
        serde_json::from_str(&cli_ok(&profile, &["device", "show", "--json"])).expect("device");
    let key_file = dir.join("hub.key");
    let out = cli_ok(&profile, &["hub", "keygen", "--out", &path_str(&key_file)]);
    let public = out
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("public key:")
        .trim()
        .to_string();
    cli_ok(&profile, &["hub", "trust", &public]);
    std::fs::write(dir.join("tax.json"), taxonomy.to_string()).expect("write taxonomy");
    let lines: Vec<String> = items.iter().map(|i| i.to_string()).collect();
    std::fs::write(dir.join("items.jsonl"), lines.join("\n") + "\n").expect("write items");
    let batch = dir.join("e2e.lvbatch");
    let recipient = v["recipient"].as_str().expect("recipient").to_string();
    if !guidelines.is_empty() {
        use labelvault_core::batch::{self, input};
        let hub = labelvault_core::identity::HubKey::from_secret_text(
            &std::fs::read_to_string(&key_file).expect("read hub key"),
        )
        .expect("hub key");
        let items = input::parse_items(
            lines.join("\n").as_bytes(),
            input::InputFormat::Auto,
            batch::Reason::LowConfidence,
        )
        .expect("items");
        let taxonomy = input::parse_taxonomy(taxonomy.to_string().as_bytes()).expect("taxonomy");
        let mut payload = input::build_payload(
            items,
            Some(taxonomy),
            &recipient,
            batch::now_unix(),
            14 * 86_400,
        )
        .expect("payload");
        payload.guidelines = guidelines.to_string();
        std::fs::write(&batch, batch::seal(&payload, &hub).expect("seal")).expect("write batch");
        return (profile, batch);
    }
    cli_ok(
        &profile,
        &[
            "batch",
            "seal",
            "--hub-key",
            &path_str(&key_file),
            "--to",
            &recipient,
            "--taxonomy",
            &path_str(&dir.join("tax.json")),
            "-o",
            &path_str(&batch),
            &path_str(&dir.join("items.jsonl")),
        ],
    );
    (profile, batch)
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Where a test's screenshot goes: `target/e2e/<name>`.
pub fn screenshot_path(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test exe");
    let target = exe
        .ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "target"))
        .expect("target dir")
        .to_path_buf();
    let dir = target.join("e2e");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir.join(name)
}

/// Save a screenshot of the window as it is painted now.
pub async fn screenshot(c: &Client, name: &str) {
    painted(c).await;
    let shot = c.screenshot().await.expect("screenshot");
    std::fs::write(screenshot_path(name), shot).expect("write screenshot");
}

/// Click the element a CSS selector matches.
pub async fn click(c: &Client, css: &str) {
    // Bring it into view and wait until it stops moving: a view still re-rendering above
    // it (a refresh after a hub call) moves it between WebDriver's aim and its press, and
    // the press then lands on whatever took its place, as a hurried user's would.
    let place = "const e = document.querySelector(arguments[0]); if (!e) return null; \
                 e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect(); \
                 return [r.x, r.y, r.width, r.height].join(' ');";
    let mut last = None;
    for _ in 0..50 {
        let now = c
            .execute(place, vec![serde_json::json!(css)])
            .await
            .ok()
            .and_then(|v| v.as_str().map(String::from));
        if now.is_some() && now == last {
            break;
        }
        last = now;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no {css}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Whether the user can see the element: rendered with a size, not hidden by CSS or by
/// an ancestor, and at least partly inside the window's viewport.
pub async fn visible(c: &Client, css: &str) -> bool {
    let js = "const e = document.querySelector(arguments[0]); if (!e) return false; \
              const r = e.getBoundingClientRect(); const s = getComputedStyle(e); \
              return e.getClientRects().length > 0 && r.width > 0 && r.height > 0 \
                && s.visibility !== 'hidden' && r.bottom > 0 && r.top < innerHeight \
                && r.right > 0 && r.left < innerWidth;";
    c.execute(js, vec![serde_json::json!(css)])
        .await
        .expect("visibility script")
        .as_bool()
        .unwrap_or(false)
}

/// Whether the E2E environment is here; if not and not required, tests skip.
pub fn available() -> bool {
    let ok =
        which("tauri-driver") && which("WebKitWebDriver") && std::env::var_os("DISPLAY").is_some();
    if !ok {
        if std::env::var_os("LABELVAULT_E2E_REQUIRED").is_some() {
            panic!("E2E required but tauri-driver, WebKitWebDriver or $DISPLAY is missing: run scripts/e2e.sh");
        }
        eprintln!(
            "skipping E2E: tauri-driver, WebKitWebDriver or $DISPLAY missing (run scripts/e2e.sh)"
        );
    }
    ok
}

fn which(bin: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(bin).exists()))
        .unwrap_or(false)
}

/// The app binary (`LABELVAULT_APP_BIN`, else target/debug/labelvault-app).
pub fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("LABELVAULT_APP_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("test exe");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    dir.join("labelvault-app")
}

/// A running tauri-driver.
pub struct Driver {
    child: Child,
    /// WebDriver URL.
    pub url: String,
}

impl Driver {
    /// Start tauri-driver on a free port with `envs` passed down to the app. The app's
    /// log (stderr) is dropped unless `LABELVAULT_E2E_APP_LOG` is set (the UI bench sets
    /// it to print the start-up timings).
    pub fn start(envs: &[(&str, &Path)]) -> Driver {
        let port = free_port();
        let native = free_port();
        let mut cmd = Command::new("tauri-driver");
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(if std::env::var_os("LABELVAULT_E2E_APP_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        });
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start tauri-driver");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { child, url }
    }

    /// Open a session, which launches the app.
    pub async fn session(&self) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app_binary().to_string_lossy() }),
        );
        caps.insert("browserName".into(), serde_json::json!("wry"));
        // tauri-driver accepts connections before its WebKitWebDriver listens; on a fresh
        // machine the first one can take seconds to start, and the session request then
        // fails with a dropped connection. Retry for a while before giving up.
        let deadline = Instant::now() + Duration::from_secs(30);
        let c = loop {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&self.url)
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    eprintln!("WebDriver session not ready yet ({e}); retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => panic!("WebDriver session: {e:?}"),
            }
        };
        wait_for(&c, "body[data-ready='true'], main.fatal").await;
        c
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Wait (up to 15 s) for a CSS selector to match.
pub async fn wait_for(c: &Client, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if c.find(Locator::Css(css)).await.is_ok() {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {css}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Text of an element.
pub async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .expect(css)
        .text()
        .await
        .expect("text")
}

/// Press one key (a character, or a WebDriver key code such as `\u{E007}` for Enter).
pub async fn press(c: &Client, key: &str) {
    let mut actions = KeyActions::new("keyboard".into());
    for ch in key.chars() {
        actions = actions.then(KeyAction::Down { value: ch });
    }
    for ch in key.chars().rev() {
        actions = actions.then(KeyAction::Up { value: ch });
    }
    c.perform_actions(actions).await.expect("key press");
}

/// WebDriver key codes.
pub mod key {
    /// Enter.
    pub const ENTER: &str = "\u{E007}";
    /// Backspace.
    pub const BACKSPACE: &str = "\u{E003}";
    /// Escape.
    pub const ESCAPE: &str = "\u{E00C}";
    /// Right arrow.
    pub const RIGHT: &str = "\u{E014}";
    /// Shift (held with the next key in one chord).
    pub const SHIFT: &str = "\u{E008}";
    /// Down arrow.
    pub const DOWN: &str = "\u{E015}";
    /// Up arrow.
    pub const UP: &str = "\u{E013}";
    /// Page down.
    pub const PAGE_DOWN: &str = "\u{E00F}";
}

/// Wait until the webview has painted two more frames (so a screenshot shows the
/// current DOM, not an older frame).
pub async fn painted(c: &Client) {
    let js = "const done = arguments[arguments.length - 1]; \
              requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(true), 50)));";
    c.execute_async(js, vec![]).await.expect("paint wait");
}

/// Wait until the progress text shows `n done`.
pub async fn wait_done(c: &Client, n: u64) {
    let want = format!("{n} done");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let t = text(c, "#progress-text").await;
        if t.starts_with(&want) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "expected '{want}', screen says '{t}'"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
