//! `labelvault demo-enroll`: the embedded default's set-up. Enrolls this device with a
//! local hub (using the hub's admin token, as the manager would), has the hub seal the
//! project's generated demo messages to it, and pulls them — so a newcomer sees label →
//! sync → ledger → receipt end to end. Does nothing if the device is already enrolled.

use anyhow::{bail, Context, Result};
use labelvault_core::sync::{Client, HttpTransport};
use std::path::PathBuf;
use std::time::Duration;

fn admin(url: &str, token: &str, path: &str, body: serde_json::Value) -> Result<serde_json::Value> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut r = agent
        .post(&format!("{url}{path}"))
        .header("authorization", &format!("Bearer {token}"))
        .header("content-type", "application/json")
        .send(body.to_string().as_bytes())
        .with_context(|| format!("the hub at {url} cannot be reached"))?;
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    if status != 200 {
        bail!("the hub refused {path} ({status}): {text}");
    }
    Ok(serde_json::from_str(&text)?)
}

pub fn run(profile: Option<PathBuf>, hub: &str, token_file: &PathBuf) -> Result<()> {
    let mut vault = crate::open_vault(profile)?;
    if let Some(link) = vault.hub_link()? {
        println!(
            "already enrolled with {} as {}",
            link.hub_url, link.device_id
        );
        return Ok(());
    }
    let token =
        zeroize::Zeroizing::new(std::fs::read_to_string(token_file).with_context(|| {
            format!("cannot read the hub admin token {}", token_file.display())
        })?);
    let token = token.trim();
    let created = admin(
        hub,
        token,
        "/v1/admin/annotators",
        serde_json::json!({"name": "demo annotator"}),
    )?;
    let code = created["enrollment_code"]
        .as_str()
        .context("the hub gave no enrollment code")?;
    let transport = HttpTransport::default();
    let link = Client::new(&mut vault, &transport).enroll(hub, code)?;
    // The demo items are already redacted (typed placeholders), as the hub's pipeline
    // would dispatch them.
    let items: Vec<serde_json::Value> = labelvault_core::demo::demo_items()
        .into_iter()
        .map(|i| {
            serde_json::json!({"text": i.text, "intent": i.intent, "confidence": i.confidence,
                               "reason": i.reason, "alternatives": i.alternatives})
        })
        .collect();
    admin(
        hub,
        token,
        "/v1/admin/assign",
        serde_json::json!({"device_id": link.device_id, "taxonomy": labelvault_core::demo::demo_taxonomy(), "items": items}),
    )?;
    let pulled = Client::new(&mut vault, &transport).pull()?;
    println!(
        "enrolled with {} as {}; {} demo batch(es) delivered",
        link.hub_url,
        link.device_id,
        pulled.len()
    );
    // A demo manager: this machine's own account key, so the manager verbs work against
    // the demo hub without its token (labelvault progress --hub URL).
    if crate::account::account_for(hub)?.is_none() {
        let created = admin(
            hub,
            token,
            "/v1/admin/accounts",
            serde_json::json!({"name": "demo manager", "role": "manager"}),
        )?;
        let code = created["enrollment_code"]
            .as_str()
            .context("the hub gave no account code")?;
        let (id, role, _) = crate::account::enroll_here(hub, code)?;
        println!("demo manager account {id} ({role}) enrolled; its key is in the OS keyring");
    }
    Ok(())
}
