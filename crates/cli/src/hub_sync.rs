//! `labelvault enroll`, `pull`, `sync`, `label`, `undo` and `audit …`: the device's side
//! of the hub, and the privacy officer's offline checks.

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use labelvault_core::labels::{Decision, Flag, Span, Verdict};
use labelvault_core::sync::{Client, HttpTransport, SyncOptions};
use labelvault_core::{identity, ledger};
use std::path::PathBuf;
use std::time::Duration;

/// Privacy-officer verbs.
#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Write this device's outbound ledger as JSONL (default: standard output).
    Export {
        /// Output file.
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// Verify an exported ledger offline: hash chain, device signatures, label-only
    /// bodies, and (with --hub-key) every receipt signature.
    Verify {
        /// The exported ledger (JSONL).
        file: PathBuf,
        /// The hub's public key (base64) to check receipts against.
        #[arg(long)]
        hub_key: Option<String>,
    },
    /// Compare a device ledger with the hub's inbound ledger: uploads and receipts on
    /// one side only, and device entries the hub countersigned or last saw that the
    /// export lacks (a dropped tail or request).
    Reconcile {
        /// Device ledger (from `audit export`).
        device: PathBuf,
        /// Hub ledger (from the hub's `GET /v1/admin/ledger`).
        hub: PathBuf,
        /// The hub's public key (base64): verify the hub ledger and its signed head first.
        #[arg(long)]
        hub_key: Option<String>,
    },
    /// Verify a hub ledger export offline: hash chain, receipts and the signed head.
    VerifyHub {
        /// Hub ledger (from the hub's `GET /v1/admin/ledger`).
        file: PathBuf,
        /// The hub's public key (base64).
        #[arg(long)]
        hub_key: String,
    },
    /// Verify an erasure receipt offline (the hub's signature), and with
    /// --device-ledger, that each device ledger holds the device's acknowledgement at
    /// the entry the receipt names.
    VerifyErasure {
        /// The receipt (`labelvault erase --receipt FILE`).
        file: PathBuf,
        /// The hub's public key (base64).
        #[arg(long)]
        hub_key: String,
        /// A device's exported ledger (`labelvault audit export`); repeatable.
        #[arg(long = "device-ledger")]
        device_ledgers: Vec<PathBuf>,
    },
    /// Verify the hub's access ledger offline (`GET /v1/admin/access-ledger`): hash chain
    /// and the hub's signature on every entry; with --message, who read its raw text.
    Access {
        /// The access ledger (JSONL).
        file: PathBuf,
        /// The hub's public key (base64).
        #[arg(long)]
        hub_key: String,
        /// A message id: list who read its raw text, and when.
        #[arg(long)]
        message: Option<String>,
    },
    /// Show the ledger and what is stored on this device, and when it will be purged.
    Show {
        /// Entries to show, newest first.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

pub fn enroll(profile: Option<PathBuf>, hub: &str, code: &str) -> Result<()> {
    let mut vault = crate::open_vault(profile)?;
    let transport = HttpTransport::default();
    let link = Client::new(&mut vault, &transport).enroll(hub, code)?;
    println!(
        "enrolled with {} as device {} (hub key {} pinned)",
        link.hub_url, link.device_id, link.hub_key_id
    );
    Ok(())
}

pub fn pull(profile: Option<PathBuf>) -> Result<()> {
    let mut vault = crate::open_vault(profile)?;
    let transport = HttpTransport::default();
    let mut client = Client::new(&mut vault, &transport);
    let reports = client.pull()?;
    let notices = client.apply_notices()?;
    for r in &reports {
        crate::batch::print_import(r);
    }
    print_notices(&notices);
    if reports.is_empty() {
        println!("no new batches");
    }
    Ok(())
}

pub fn sync(profile: Option<PathBuf>, grace_days: f64, attempts: u32, json: bool) -> Result<()> {
    let mut vault = crate::open_vault(profile)?;
    let transport = HttpTransport::new(Duration::from_secs(30));
    let opts = SyncOptions {
        grace_secs: (grace_days * 86_400.0) as i64,
        attempts,
        ..SyncOptions::default()
    };
    let mut client = Client::new(&mut vault, &transport);
    let report = client.upload(&opts)?;
    let pulled = client.pull()?;
    let notices = client.apply_notices()?;
    if !json {
        print_notices(&notices);
    }
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "sent {} upload(s): {} accepted, {} already there, {} rejected; {} item(s) purged; {} new batch(es)",
            report.uploads,
            report.accepted,
            report.duplicates,
            report.rejected,
            report.purged,
            pulled.len()
        );
    }
    Ok(())
}

/// Say what the hub's notices changed (counts only).
fn print_notices(n: &labelvault_core::sync::NoticeReport) {
    if n.erased_items > 0 {
        println!(
            "{} item(s) deleted at the hub's request (a customer's erasure)",
            n.erased_items
        );
    }
    if n.masked_items > 0 {
        println!(
            "{} item(s) had personal data masked at the hub's request",
            n.masked_items
        );
    }
}

fn parse_span(s: &str) -> Result<Span> {
    let (a, b) = s
        .split_once(':')
        .context("a span is START:END (character offsets)")?;
    Ok(Span {
        start: a.trim().parse().context("span start is not a number")?,
        end: b.trim().parse().context("span end is not a number")?,
    })
}

fn parse_flag(s: &str) -> Result<Flag> {
    Flag::parse(s).with_context(|| {
        format!("unknown flag {s:?}: use misclassification, missed_pii, not_customer_message or multiple_intents")
    })
}

/// Arguments of `labelvault label`.
#[derive(clap::Args, Debug)]
pub struct LabelArgs {
    /// Item id (default: the next item in the queue).
    #[arg(long)]
    pub item: Option<String>,
    /// correct, wrong, unsure or skip.
    #[arg(long)]
    pub verdict: String,
    /// The right intent (needed with `wrong`).
    #[arg(long)]
    pub intent: Option<String>,
    /// Flags (repeatable).
    #[arg(long = "flag")]
    pub flags: Vec<String>,
    /// Missed personal data as START:END character offsets (repeatable).
    #[arg(long = "span")]
    pub spans: Vec<String>,
    /// Another intent the message carries (repeatable, at most 4; implies the
    /// multiple_intents flag).
    #[arg(long = "also")]
    pub also: Vec<String>,
}

pub fn label(profile: Option<PathBuf>, a: LabelArgs) -> Result<()> {
    let mut vault = crate::open_vault(profile)?;
    let Some(verdict) = Verdict::parse(&a.verdict) else {
        bail!("--verdict must be correct, wrong, unsure or skip");
    };
    let item_id = match a.item {
        Some(i) => i,
        None => match vault.next_item()? {
            Some(q) => q.item_id,
            None => bail!("the queue is empty: nothing to label"),
        },
    };
    let rec = vault.record(&Decision {
        item_id,
        verdict,
        intent_id: a.intent,
        flags: a
            .flags
            .iter()
            .map(|f| parse_flag(f))
            .chain((!a.also.is_empty()).then_some(Ok(Flag::MultipleIntents)))
            .collect::<Result<_>>()?,
        pii_spans: a
            .spans
            .iter()
            .map(|s| parse_span(s))
            .collect::<Result<_>>()?,
        duration_ms: 0,
        also_intents: a.also,
    })?;
    println!(
        "{} revision {}: {}",
        rec.item_id,
        rec.revision,
        verdict.as_str()
    );
    Ok(())
}

pub fn undo(profile: Option<PathBuf>) -> Result<()> {
    let mut vault = crate::open_vault(profile)?;
    match vault.undo()? {
        Some(r) => println!("undid {} (revision {} retracts it)", r.item_id, r.revision),
        None => println!("nothing to undo"),
    }
    Ok(())
}

pub fn audit(profile: Option<PathBuf>, cmd: AuditCmd) -> Result<()> {
    match cmd {
        AuditCmd::Export { out } => {
            let vault = crate::open_vault(profile)?;
            let mut text = String::new();
            for l in vault.export_ledger()? {
                text.push_str(&serde_json::to_string(&l)?);
                text.push('\n');
            }
            match out {
                Some(p) => std::fs::write(&p, text)
                    .with_context(|| format!("cannot write {}", p.display()))?,
                None => print!("{text}"),
            }
        }
        AuditCmd::Verify { file, hub_key } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            // The hub's access ledger is verified by the same verb (its lines name an
            // account where a device ledger's name a hub URL).
            if text
                .lines()
                .next()
                .is_some_and(|l| l.contains("\"account_id\":"))
            {
                let key = hub_key.context(
                    "an access ledger is signed by the hub: pass --hub-key (labelvault-hub print-key)",
                )?;
                return crate::account::verify_file(&file, &key, None);
            }
            let key = match hub_key {
                Some(k) => Some(identity::parse_public_key(&k)?),
                None => None,
            };
            match ledger::verify(&text, key.as_ref()) {
                Ok(r) => {
                    println!(
                        "OK: {} entries, hash chain intact, every device signature valid",
                        r.entries
                    );
                    println!("device key fingerprint: {}", r.device_fingerprint);
                    println!(
                        "label uploads: {} carrying {} labels; every body is label-only",
                        r.label_uploads, r.labels
                    );
                    if r.admin_calls > 0 {
                        println!(
                            "admin calls (the Manage view): {} recorded by body hash, size and row count only",
                            r.admin_calls
                        );
                    }
                    match key {
                        Some(_) => {
                            println!("receipts: {} verified against the hub key, {} upload(s) awaiting a receipt", r.receipts_verified, r.awaiting_receipt);
                            if r.countersigned_through == 0 {
                                println!("proof reaches: no entry is countersigned by the hub yet");
                            } else {
                                println!(
                                    "proof reaches: entries 1-{} are countersigned by the hub; {} later entr{} not (compare with the hub's ledger: audit reconcile)",
                                    r.countersigned_through,
                                    r.entries - r.countersigned_through,
                                    if r.entries - r.countersigned_through == 1 { "y is" } else { "ies are" }
                                );
                            }
                        }
                        None => println!("receipts: not checked (pass --hub-key to check them); {} upload(s) awaiting a receipt", r.awaiting_receipt),
                    }
                    println!("chain head: {}", r.head);
                }
                Err(e) => bail!("verification FAILED at {e}"),
            }
        }
        AuditCmd::VerifyErasure {
            file,
            hub_key,
            device_ledgers,
        } => crate::erase::verify(&file, &hub_key, &device_ledgers)?,
        AuditCmd::Access {
            file,
            hub_key,
            message,
        } => crate::account::verify_file(&file, &hub_key, message.as_deref())?,
        AuditCmd::VerifyHub { file, hub_key } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let key = identity::parse_public_key(&hub_key)?;
            match ledger::verify_hub_ledger(&text, Some(&key)) {
                Ok(r) => {
                    println!("OK: {} hub ledger entries, hash chain intact, every receipt signed by the hub key", r.entries);
                    println!(
                        "signed head: entry {} ({}), {} device head(s)",
                        r.entries, r.head, r.devices
                    );
                }
                Err(e) => bail!("verification FAILED at hub {e}"),
            }
        }
        AuditCmd::Reconcile {
            device,
            hub,
            hub_key,
        } => {
            let d = std::fs::read_to_string(&device)
                .with_context(|| format!("cannot read {}", device.display()))?;
            let h = std::fs::read_to_string(&hub)
                .with_context(|| format!("cannot read {}", hub.display()))?;
            let key = match hub_key {
                Some(k) => Some(identity::parse_public_key(&k)?),
                None => None,
            };
            let r = ledger::reconcile(&d, &h, key.as_ref()).map_err(anyhow::Error::msg)?;
            println!(
                "device {}: {} upload(s) on both sides",
                r.device_id, r.matched
            );
            for (seq, id) in &r.only_on_device {
                println!(
                    "only on the device: entry {seq} (upload {id}) — not received by the hub (yet)"
                );
            }
            for (seq, hash) in &r.only_on_hub {
                println!("only on the hub: hub entry {seq} (body {hash}) — the device has no record of sending it");
            }
            for seq in &r.receipts_only_on_hub {
                println!("receipt only on the hub: hub entry {seq} — the device export holds no receipt entry for it (dropped, or not received yet)");
            }
            for seq in &r.receipts_only_on_device {
                println!("receipt only on the device: entry {seq} — the hub's ledger has no such receipt");
            }
            for seq in &r.missing_from_device {
                println!("missing from the device export: entry {seq} — the hub countersigned or was told of it, the export lacks it or holds another (a dropped tail or request)");
            }
            if !r.is_clean() {
                bail!("the ledgers differ");
            }
            println!("the ledgers match");
        }
        AuditCmd::Show { limit } => {
            let vault = crate::open_vault(profile)?;
            let grace = labelvault_core::vault::DEFAULT_GRACE_SECS;
            let ret = vault.retention_status(grace)?;
            println!("stored now: {} items ({} acknowledged by the hub), {} label revisions not yet acknowledged", ret.items, ret.acknowledged, ret.unsynced_labels);
            if let Some(t) = ret.next_purge_at {
                println!(
                    "next purge of acknowledged items: {}",
                    labelvault_core::batch::rfc3339(t)
                );
            }
            if let Some(t) = ret.next_expiry_at {
                println!("next batch expiry: {}", labelvault_core::batch::rfc3339(t));
            }
            for s in vault.ledger_summaries(limit)? {
                let receipt = match &s.receipt {
                    Some(r) => format!(
                        "receipt: {} accepted, {} duplicate, {} rejected",
                        r.receipt.accepted,
                        r.receipt.duplicates,
                        r.receipt.rejected.len()
                    ),
                    None if s.label_count > 0 => "awaiting receipt".into(),
                    None => String::new(),
                };
                println!(
                    "#{:<5} {} {:<24} {:>7} B {:>5} labels  {}  {}",
                    s.seq,
                    labelvault_core::batch::rfc3339(s.created_at_ms / 1000),
                    s.request,
                    s.body_bytes,
                    s.label_count,
                    s.hub_url,
                    receipt
                );
            }
        }
    }
    Ok(())
}
