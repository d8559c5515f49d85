//! `labelvault demo-enroll`: the embedded default's set-up. Enrolls this device with a
//! local hub (using the hub's admin token, as the manager would), has the hub seal the
//! project's generated demo messages to it, and pulls them — so a newcomer sees label →
//! sync → ledger → receipt end to end. Does nothing if the device is already enrolled.

use anyhow::{Context, Result};
use labelvault_core::admin_api::{self, AccountRequest, AssignItem, AssignRequest, Role};
use labelvault_core::manage::AdminClient;
use labelvault_core::sync::{Client, HttpTransport};
use std::path::PathBuf;
use std::time::Duration;

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
    let admin = AdminClient::new(hub, token.trim(), Duration::from_secs(30))?;
    let created = admin_api::create_annotator(&admin, "demo annotator")?;
    let transport = HttpTransport::default();
    let link = Client::new(&mut vault, &transport).enroll(hub, &created.enrollment_code)?;
    // The demo items are already redacted (typed placeholders), as the hub's pipeline
    // would dispatch them.
    admin_api::assign(
        &admin,
        &AssignRequest {
            device_id: link.device_id.clone(),
            taxonomy: Some(labelvault_core::demo::demo_taxonomy()),
            items: labelvault_core::demo::demo_items()
                .into_iter()
                .map(AssignItem::from)
                .collect(),
            expires_days: None,
        },
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
        let created = admin_api::create_account(
            &admin,
            &AccountRequest {
                name: "demo manager".into(),
                role: Role::Manager,
            },
        )?;
        let (id, role, _) = crate::account::enroll_here(hub, &created.enrollment_code)?;
        println!("demo manager account {id} ({role}) enrolled; its key is in the OS keyring");
    }
    Ok(())
}
