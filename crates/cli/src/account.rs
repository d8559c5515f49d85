//! People on the hub: `labelvault account create|enroll|list` and `labelvault who-read`.
//! A person's admin key is made on their own machine and kept in their OS keyring
//! (service `labelvault`, `admin-key/<account id>`); the hub only ever sees its public
//! half. `labelvault audit access` verifies an exported access ledger offline.

use crate::manage::{Admin, HubAdmin};
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use labelvault_core::access::{self, AccessLine};
use labelvault_core::admin_api::{self, AccountEnroll, AccountEnrolled, AccountRequest, Role};
use labelvault_core::identity::{self, HubKey};
use labelvault_core::keystore::{KeyStore, KeyringStore};
use labelvault_core::protocol::ApiError;
use std::path::PathBuf;

/// `labelvault account …`.
#[derive(Subcommand, Debug)]
pub enum AccountCmd {
    /// Manager: an account for a person with a role (manager, lead, privacy_officer,
    /// viewer); prints the one-time code they enroll their key with.
    Create {
        #[command(flatten)]
        hub: HubAdmin,
        /// The person's name.
        #[arg(long)]
        name: String,
        /// Their role.
        #[arg(long)]
        role: Role,
    },
    /// The person: make this machine's admin key (kept in the OS keyring) and register
    /// it with the code; later admin commands to that hub sign with it.
    Enroll {
        /// Hub URL.
        #[arg(long)]
        hub: String,
        /// The one-time code from `account create`.
        #[arg(long)]
        code: String,
    },
    /// Manager or privacy officer: every account with its role.
    List {
        #[command(flatten)]
        hub: HubAdmin,
    },
}

fn keyring() -> KeyringStore {
    KeyringStore::new()
}

/// Keyring entries: the account for a hub, its key, the hub key it pinned (named as the
/// engine names them, so the app finds them too).
fn entry(kind: &str, id: &str) -> String {
    match kind {
        "account" => labelvault_core::manage::account_entry(id),
        "key" => labelvault_core::manage::account_key_entry(id),
        "hub-key" => labelvault_core::manage::pinned_hub_key_entry(id),
        _ => format!("admin-{kind}/{id}"),
    }
}

/// The account enrolled on this machine for `hub`, with its key, if any.
pub fn account_for(hub: &str) -> Result<Option<(String, HubKey)>> {
    Ok(labelvault_core::manage::enrolled_account(&keyring(), hub)?)
}

pub fn run(cmd: AccountCmd) -> Result<()> {
    match cmd {
        AccountCmd::Create { hub, name, role } => {
            let admin = Admin::new(&hub)?;
            let r = admin_api::create_account(admin.client(), &AccountRequest { name, role })?;
            println!(
                "account {} ({}) created; give its holder this one-time code (valid 24 h):\n{}\nthey run: labelvault account enroll --hub {} --code CODE",
                r.account_id, r.role, r.enrollment_code, hub.hub
            );
        }
        AccountCmd::Enroll { hub, code } => {
            let (id, role, hub) = enroll_here(&hub, &code)?;
            println!(
                "enrolled as account {id} ({role}) with {hub}; its key is in this machine's OS keyring"
            );
        }
        AccountCmd::List { hub } => {
            let admin = Admin::new(&hub)?;
            for a in admin_api::accounts(admin.client())?.accounts {
                println!(
                    "{}  {:<16}  {}{}",
                    a.account_id,
                    a.role.as_str(),
                    a.name,
                    if a.revoked { "  (revoked)" } else { "" }
                );
            }
        }
    }
    Ok(())
}

/// Make this machine's admin key, register it with the hub under `code`, and keep it
/// (with the account id and the hub's key) in the OS keyring. Returns (account id,
/// role, hub URL).
pub fn enroll_here(hub: &str, code: &str) -> Result<(String, String, String)> {
    let hub = labelvault_core::manage::check_hub_url(hub)?;
    let key = HubKey::generate()?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let body = serde_json::to_vec(&AccountEnroll {
        enrollment_code: code.trim().to_string(),
        signing_key: key.public_key(),
    })?;
    let mut r = agent
        .post(&format!("{hub}/v1/accounts/enroll"))
        .header("content-type", "application/json")
        .send(&body[..])
        .with_context(|| format!("the hub at {hub} cannot be reached"))?;
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    if status != 200 {
        let e: Option<ApiError> = serde_json::from_str(&text).ok();
        bail!(
            "the hub refused the code ({}): {}",
            e.as_ref().map_or("?", |e| e.code.as_str()),
            e.as_ref().map_or("no explanation", |e| e.message.as_str())
        );
    }
    let v: AccountEnrolled = serde_json::from_str(&text)
        .context("the hub's answer to the enrollment is not an account; is it a LabelVault hub of this version?")?;
    let ks = keyring();
    ks.set_text(&entry("key", &v.account_id), &key.to_secret_text())?;
    ks.set_text(&entry("account", &hub), &v.account_id)?;
    ks.set_text(&entry("hub-key", &hub), &v.hub_public_key)?;
    Ok((v.account_id, v.role.as_str().to_string(), hub))
}

/// Print who read `message`'s raw text, from verified access-ledger lines.
fn print_reads(lines: &[AccessLine], message: &str) {
    let reads: Vec<&AccessLine> = lines
        .iter()
        .filter(|l| l.act == "raw_text_read" && l.message_ids.iter().any(|m| m == message))
        .collect();
    if reads.is_empty() {
        println!(
            "nobody read the raw text of {message} (in {} entries)",
            lines.len()
        );
    }
    for l in reads {
        println!(
            "{} ({}) read the raw text of {message} at {} ms (entry {}, {} {}, status {})",
            l.account_id, l.role, l.at_ms, l.seq, l.method, l.path, l.status
        );
    }
}

/// `labelvault who-read MESSAGE`: fetch the hub's access ledger, verify it under the
/// hub key, and list who read the message's raw text and when.
pub fn who_read(hub: HubAdmin, message: String, hub_key: Option<String>) -> Result<()> {
    let key = match hub_key {
        Some(k) => k,
        None => keyring()
            .get_text(&entry("hub-key", hub.hub.trim_end_matches('/')))?
            .map(|k| k.to_string())
            .context("give the hub's public key with --hub-key (labelvault-hub print-key)")?,
    };
    let key = identity::parse_public_key(&key)?;
    let admin = Admin::new(&hub)?;
    let text = String::from_utf8(admin.get("/v1/admin/access-ledger")?)
        .context("the access ledger is not text")?;
    let (lines, report) = access::verify(&text, &key)
        .map_err(|e| anyhow::anyhow!("access ledger verification FAILED at {e}"))?;
    println!(
        "access ledger verified: {} entries, hash chain intact, every entry signed by the hub key",
        report.entries
    );
    print_reads(&lines, &message);
    Ok(())
}

/// `labelvault audit access FILE --hub-key KEY [--message ID]`: offline.
pub fn verify_file(file: &PathBuf, hub_key: &str, message: Option<&str>) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let key = identity::parse_public_key(hub_key)?;
    let (lines, report) =
        access::verify(&text, &key).map_err(|e| anyhow::anyhow!("verification FAILED at {e}"))?;
    println!(
        "OK: {} access entries, hash chain intact, every entry signed by the hub key; {} raw-text read(s), {} act(s) refused for the role",
        report.entries, report.raw_text_reads, report.refused
    );
    println!("chain head: {}", report.head);
    match report.signed_head {
        Some((n, at)) => println!(
            "checkpoint: the hub signed {n} entries ending in this head at {at} ms (keep it: a later export must extend it)"
        ),
        None => println!("checkpoint: none in this export"),
    }
    if let Some(m) = message {
        print_reads(&lines, m);
    }
    Ok(())
}
