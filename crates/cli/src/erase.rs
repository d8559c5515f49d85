//! `labelvault erase`: a customer's erasure request carried out on the hub and, at their
//! next sync, on every device that holds a copy; and `audit verify-erasure`, the
//! privacy officer's offline check of the signed receipt against device ledgers.

use crate::manage::{Admin, HubAdmin};
use anyhow::{bail, Context, Result};
use base64::Engine as _;
use labelvault_core::admin_api;
use labelvault_core::erasure::{self, DeviceErasureState, EraseRequest, ErasureReceipt};
use labelvault_core::pipeline::ingest;
use labelvault_core::{identity, ledger, protocol};
use std::path::PathBuf;

/// Arguments of `labelvault erase`.
#[derive(clap::Args, Debug)]
pub struct EraseArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    /// A message to erase (repeat for several).
    #[arg(long = "message-id")]
    pub message_ids: Vec<String>,
    /// Erase every message of this company.
    #[arg(long)]
    pub company: Option<String>,
    /// Erase messages received before this time (RFC 3339, YYYY-MM-DD or Unix seconds).
    #[arg(long)]
    pub received_before: Option<String>,
    /// Instead of erasing: the receipt of an earlier erasure, signed now, with each
    /// device's state.
    #[arg(long, conflicts_with_all = ["message_ids", "company", "received_before"])]
    pub status: Option<String>,
    /// Write the signed receipt here (JSON) for the privacy officer.
    #[arg(long)]
    pub receipt: Option<PathBuf>,
    /// Print the receipt as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: EraseArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    let r: ErasureReceipt = match &a.status {
        Some(id) => {
            if !labelvault_core::grammar::ERASURE_ID.matches(id) {
                bail!("--status takes an erasure id (\"er_\" and 24 hex digits) from an earlier `labelvault erase`");
            }
            admin_api::erasure_status(admin.client(), id)?
        }
        None => {
            let received_before = match &a.received_before {
                Some(t) => Some(ingest::parse_time(t).context(
                    "--received-before is not a time: use RFC 3339, YYYY-MM-DD or Unix seconds",
                )?),
                None => None,
            };
            let req = EraseRequest {
                message_ids: a.message_ids.clone(),
                company: a.company.clone(),
                received_before,
            };
            if req == EraseRequest::default() {
                bail!("say what to erase: --message-id ID (repeatable), --company NAME and/or --received-before TIME");
            }
            admin_api::erase(admin.client(), &req)?
        }
    };
    if let Some(p) = &a.receipt {
        std::fs::write(p, serde_json::to_vec_pretty(&r)?)
            .with_context(|| format!("cannot write {}", p.display()))?;
    }
    if a.json {
        println!("{}", serde_json::to_string(&r)?);
        return Ok(());
    }
    let e = &r.erasure;
    println!(
        "erasure {}: {} message(s) erased on the hub ({} not found, {} erased before)",
        e.erasure_id,
        e.erased.len(),
        e.not_found.len(),
        e.already_erased.len()
    );
    println!(
        "hub: {} raw text(s) and {} redacted copy(ies) deleted, {} sealed batch file(s) deleted, {} other item(s) returned to the pool, {} company term(s) deleted",
        e.hub.texts_removed,
        e.hub.copies_cleared,
        e.hub.sealed_batches_deleted,
        e.hub.copies_returned_to_pool,
        e.hub.company_terms_deleted
    );
    for d in &e.devices {
        let state = match d.state {
            DeviceErasureState::Pending => "pending (purged at its next sync)".to_string(),
            DeviceErasureState::Purged => format!(
                "purged (its ledger entry {})",
                d.device_ledger_seq.unwrap_or_default()
            ),
            DeviceErasureState::Revoked => {
                "revoked (cannot sync; its vault key is only on that device)".to_string()
            }
        };
        println!("device {}: {} item(s), {state}", d.device_id, d.items);
    }
    println!(
        "{}",
        if e.complete() {
            "complete: every device that held a copy has purged it"
        } else {
            "not complete yet: check again with --status after the devices sync"
        }
    );
    Ok(())
}

/// `labelvault audit verify-erasure RECEIPT --hub-key KEY [--device-ledger FILE]...`:
/// the receipt's signature, and for each device ledger given, that the ledger verifies
/// and holds, at the position the receipt names, that device's acknowledgement of the
/// erasure notice.
pub fn verify(file: &PathBuf, hub_key: &str, device_ledgers: &[PathBuf]) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let r: ErasureReceipt = serde_json::from_str(&text)
        .with_context(|| format!("{} is not an erasure receipt", file.display()))?;
    let key = identity::parse_public_key(hub_key)?;
    erasure::verify_receipt(&r, &key).map_err(|e| anyhow::anyhow!("verification FAILED: {e}"))?;
    let e = &r.erasure;
    println!(
        "OK: erasure {} signed by the hub key at {}: {} message(s) erased on the hub",
        e.erasure_id,
        r.signed_at,
        e.erased.len()
    );
    for path in device_ledgers {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        ledger::verify(&text, None)
            .map_err(|err| anyhow::anyhow!("verification FAILED: {}: {err}", path.display()))?;
        let lines: Vec<ledger::LedgerLine> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()
            .with_context(|| format!("{} is not a ledger export", path.display()))?;
        let mut found = None;
        for d in &e.devices {
            let (Some(seq), Some(head)) = (d.device_ledger_seq, &d.device_ledger_head) else {
                continue;
            };
            let Some(l) = lines.iter().find(|l| l.seq == seq) else {
                continue;
            };
            if &l.entry_hash != head || l.method != "POST" || l.path != protocol::NOTICES_ACK_PATH {
                continue;
            }
            let body = base64::engine::general_purpose::STANDARD
                .decode(&l.body_b64)
                .unwrap_or_default();
            let Ok(ack) = serde_json::from_slice::<protocol::NoticeAck>(&body) else {
                continue;
            };
            if ack.device_id == d.device_id && ack.notice_ids.contains(&d.notice_id) {
                found = Some(d);
            }
        }
        match found {
            Some(d) => println!(
                "OK: {}: device {} acknowledged the erasure in its ledger entry {} ({} item(s))",
                path.display(),
                d.device_id,
                d.device_ledger_seq.unwrap_or_default(),
                d.items
            ),
            None => bail!(
                "verification FAILED: {} holds no acknowledgement of this erasure at the entry the receipt names",
                path.display()
            ),
        }
    }
    let pending = e
        .devices
        .iter()
        .filter(|d| d.state != DeviceErasureState::Purged)
        .count();
    println!(
        "devices: {} held copies, {} purged, {} not yet",
        e.devices.len(),
        e.devices.len() - pending,
        pending
    );
    Ok(())
}
