//! Labelling-screen figures in the real webview, with 100,000 items in the vault:
//! keydown → next item painted over 500 keyboard decisions (p50/p95/p99), cold start of
//! the app binary to the first item interactive, and resident memory of the app and its
//! WebKit processes afterwards. Run through `scripts/bench-ui.sh`.

use labelvault_e2e::{press, text, wait_done, Driver};
use labelvault_system_tests::cli_ok;
use std::path::Path;
use std::time::Instant;

const ITEMS: usize = 100_000;
const DECISIONS: usize = 500;

fn rss_kib(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// RSS of every process whose command line names the app or a WebKit helper.
fn memory() -> Vec<(String, u64)> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir("/proc") {
        for e in rd.flatten() {
            let pid = e.file_name().to_string_lossy().to_string();
            if !pid.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            let cmd = std::fs::read_to_string(format!("/proc/{pid}/cmdline"))
                .unwrap_or_default()
                .replace('\0', " ");
            let name = if cmd.contains("labelvault-app") {
                "labelvault-app"
            } else if cmd.contains("WebKitWebProcess") {
                "WebKitWebProcess"
            } else if cmd.contains("WebKitNetworkProcess") {
                "WebKitNetworkProcess"
            } else {
                continue;
            };
            out.push((name.to_string(), rss_kib(&pid)));
        }
    }
    out
}

/// When the app process started, Unix ms: its start time in clock ticks since boot
/// (/proc/PID/stat) against the time since boot now (/proc/uptime), both at 10 ms
/// resolution. (The boot time in /proc/stat is whole seconds, too coarse for this.)
fn app_started_at_ms() -> Option<f64> {
    let pid = std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid = e.file_name().to_string_lossy().to_string();
        let cmd = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).ok()?;
        let exe = cmd.split('\0').next()?;
        exe.ends_with("labelvault-app").then_some(pid)
    })?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Field 22 (starttime), counted after the parenthesised command name.
    let after = stat.rsplit_once(')')?.1;
    let ticks: f64 = after.split_whitespace().nth(19)?.parse().ok()?;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs_f64()
        * 1e3;
    let uptime_s: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    // USER_HZ is 100 on Linux.
    Some(now_ms - (uptime_s - ticks / 100.0) * 1e3)
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().expect("tmp");
    let profile = dir.path().join("profile");
    // A vault with 100k items: seal and import through the CLI.
    let v: serde_json::Value =
        serde_json::from_str(&cli_ok(&profile, &["device", "show", "--json"])).expect("json");
    let key = dir.path().join("hub.key");
    let out = cli_ok(
        &profile,
        &["hub", "keygen", "--out", key.to_str().expect("utf8")],
    );
    let public = out
        .lines()
        .next()
        .expect("line")
        .trim_start_matches("public key:")
        .trim()
        .to_string();
    cli_ok(&profile, &["hub", "trust", &public]);
    let mut items = String::with_capacity(ITEMS * 200);
    let intents = [
        "card_arrival",
        "change_pin",
        "top_up_failed",
        "exchange_rate",
        "refund_not_showing",
        "lost_card",
    ];
    for i in 0..ITEMS {
        let reason = ["false_positive", "low_confidence", "random_sample"][i % 3];
        items.push_str(&serde_json::json!({
            "text": format!("message {i}: my card [CARD_1] was charged twice, please refund [NAME_1] as soon as possible, thanks"),
            "intent": intents[i % intents.len()], "confidence": (i % 1000) as f64 / 1000.0,
            "reason": reason,
            "alternatives": [{"intent": intents[(i + 1) % intents.len()], "confidence": 0.1}],
        }).to_string());
        items.push('\n');
    }
    std::fs::write(dir.path().join("items.jsonl"), items).expect("write");
    let batch = dir.path().join("b.lvbatch");
    cli_ok(
        &profile,
        &[
            "batch",
            "seal",
            "--hub-key",
            key.to_str().expect("utf8"),
            "--to",
            v["recipient"].as_str().expect("r"),
            "-o",
            batch.to_str().expect("utf8"),
            dir.path().join("items.jsonl").to_str().expect("utf8"),
        ],
    );
    cli_ok(
        &profile,
        &["batch", "import", batch.to_str().expect("utf8")],
    );

    let driver = Driver::start(&[
        ("LABELVAULT_PROFILE_DIR", &profile),
        ("LABELVAULT_NO_DEMO", Path::new("1")),
        // The app's start-up timings (vault key, integrity check, vault open) on stderr.
        ("LABELVAULT_LOG", Path::new("info,labelvault_core=debug")),
    ]);
    let t = Instant::now();
    let c = driver.session().await;
    // Interactive: the first item painted and the start-up sequence finished.
    let mut first_item_at: Option<f64> = None;
    let deadline = Instant::now() + std::time::Duration::from_secs(20);
    while first_item_at.is_none() && Instant::now() < deadline {
        first_item_at = c
            .execute(
                "return document.body.dataset.ready === 'true' ? (window.__lvFirstItemAt ?? null) : null;",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_f64());
        if first_item_at.is_none() {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
    let cold = t.elapsed();
    // Where the start-up time goes, from the page's own clock (Unix ms): navigation
    // start (the web process exists and asked for the page), the bundle parsed
    // (DOMContentLoaded), then the first item painted.
    let phases: Option<(f64, f64)> = c
        .execute(
            "const n = performance.getEntriesByType('navigation')[0]; \
             return n ? [performance.timeOrigin, performance.timeOrigin + n.domContentLoadedEventEnd] : null;",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| serde_json::from_value(v).ok());
    wait_done(&c, 0).await;
    let app_start = app_started_at_ms();
    let cold_from_exec = app_start
        .zip(first_item_at)
        .map(|(start, first)| first - start);
    // Warm up a few decisions, then measure.
    // A skip is not "done": it is counted apart (the item comes back at the end).
    let keys = ["a", "\u{E007}", "1", "2", "s"];
    let (mut done, mut skipped) = (0u64, 0u64);
    for i in 0..DECISIONS {
        let k = keys[i % keys.len()];
        press(&c, k).await;
        if k == "s" {
            skipped += 1;
            let want = format!("{skipped} skipped");
            while !text(&c, "#progress-text").await.contains(&want) {
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
        } else {
            done += 1;
            wait_done(&c, done).await;
        }
    }
    let lat: Vec<f64> = serde_json::from_value(
        c.execute("return window.__lvLatencies.slice(-500);", vec![])
            .await
            .expect("latencies"),
    )
    .expect("numbers");
    let mut l = lat.clone();
    let mut ipc: Vec<f64> = serde_json::from_value(
        c.execute("return window.__lvIpc.slice(-500);", vec![])
            .await
            .expect("ipc"),
    )
    .expect("numbers");
    let mut frame_wait: Vec<f64> = serde_json::from_value(
        c.execute("return window.__lvFrameWait.slice(-500);", vec![])
            .await
            .expect("frame wait"),
    )
    .expect("numbers");
    // The same decisions with keydown events dispatched inside the page (no WebDriver
    // input pipeline between keypresses), to separate the app's own latency from the
    // automation's: WebKitWebDriver completes each key action before the next one.
    let js = "const done = arguments[arguments.length - 1]; (async () => { \
        const before = window.__lvLatencies.length; const ipcBefore = window.__lvIpc.length; \
        const text = () => document.getElementById('progress-text').textContent; \
        for (let i = 0; i < 500; i++) { \
          const t = text(); \
          document.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true })); \
          while (text() === t) { await new Promise(r => setTimeout(r, 0)); } \
          await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0))); \
        } \
        done(JSON.stringify([window.__lvLatencies.slice(before), window.__lvIpc.slice(ipcBefore)])); })();";
    let r = c.execute_async(js, vec![]).await.expect("in-page keys");
    let (mut inpage, mut inpage_ipc): (Vec<f64>, Vec<f64>) =
        serde_json::from_str(r.as_str().expect("json string")).expect("numbers");
    let mem = memory();
    let total: u64 = mem.iter().map(|m| m.1).sum();
    println!(
        "UI figures ({ITEMS} items in the vault, {} keyboard decisions, debug={}):",
        lat.len(),
        cfg!(debug_assertions)
    );
    println!(
        "  keydown -> next item painted: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(&mut l, 0.5),
        pct(&mut l, 0.95),
        pct(&mut l, 0.99),
        pct(&mut l, 1.0)
    );
    println!(
        "  of which keydown -> vault answer (IPC + commit + next items): p50 {:.1} ms, p95 {:.1} ms",
        pct(&mut ipc, 0.5),
        pct(&mut ipc, 0.95)
    );
    println!(
        "  of which DOM updated -> next frame (WebKit's frame clock; 60 Hz gives a uniform 0-16.7 ms wait): p50 {:.1} ms, p95 {:.1} ms",
        pct(&mut frame_wait, 0.5),
        pct(&mut frame_wait, 0.95)
    );
    println!(
        "  same, keydown dispatched in the page (no WebDriver between keys), {} decisions: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms; vault answer p50 {:.1} ms",
        inpage.len(),
        pct(&mut inpage, 0.5),
        pct(&mut inpage, 0.95),
        pct(&mut inpage, 0.99),
        pct(&mut inpage_ipc, 0.5)
    );
    match cold_from_exec {
        Some(ms) => println!(
            "  cold start, app process exec -> first item painted (kernel start time, 10 ms resolution): {ms:.0} ms"
        ),
        None => println!("  cold start from exec: not measurable (no /proc or no paint time)"),
    }
    if let (Some(start), Some((nav, dcl)), Some(first)) = (app_start, phases, first_item_at) {
        println!(
            "    of which: exec -> page navigation starts (GTK, WebKit processes) {:.0} ms; -> bundle parsed (DOMContentLoaded) {:.0} ms; -> first item painted (vault open, first IPC calls) {:.0} ms",
            nav - start,
            dcl - nav,
            first - dcl
        );
    }
    println!(
        "  cold start including the WebDriver session set-up (session request -> first item interactive): {:.0} ms",
        cold.as_secs_f64() * 1e3
    );
    for (name, kib) in &mem {
        println!("  RSS {name}: {:.1} MiB", *kib as f64 / 1024.0);
    }
    println!("  RSS total: {:.1} MiB", total as f64 / 1024.0);
    // Every keyboard decision but the skips, then the in-page 'a' decisions.
    assert!(text(&c, "#progress-text")
        .await
        .starts_with(&format!("{} done", done + DECISIONS as u64)));
    let _ = c.close().await;
}
