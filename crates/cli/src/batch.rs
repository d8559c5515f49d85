//! `labelvault batch …`, `queue` and `demo`.

use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use labelvault_core::batch::{self, input, Reason};
use std::path::PathBuf;

/// Input shapes for `batch seal`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// Tell from the content.
    Auto,
    /// JSON lines or a JSON array (plain, Label Studio or Prodigy shapes).
    Json,
    /// CSV with a header row.
    Csv,
}

/// Batch verbs.
#[derive(Subcommand, Debug)]
pub enum BatchCmd {
    /// Seal items for one device and sign them with the hub key (manager side).
    Seal {
        /// The hub secret key file (from `labelvault hub keygen`).
        #[arg(long)]
        hub_key: PathBuf,
        /// The device's age recipient (`age1…`, from `labelvault device show`).
        #[arg(long)]
        to: String,
        /// Taxonomy JSON (`{"id","version","intents":[{"id","description"}]}`);
        /// default: the intents the items mention.
        #[arg(long)]
        taxonomy: Option<PathBuf>,
        /// Input shape.
        #[arg(long, value_enum, default_value_t = Format::Auto)]
        format: Format,
        /// Reason for items that give none: false_positive, low_confidence, random_sample,
        /// suspected_label_error.
        #[arg(long, default_value = "low_confidence")]
        default_reason: String,
        /// Days until the batch expires on the device.
        #[arg(long, default_value_t = 14)]
        expires_days: u32,
        /// Output file (default: `<batch id>.lvbatch` in the current directory).
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// Items file: JSONL, JSON array or CSV.
        input: PathBuf,
    },
    /// Verify, decrypt and import a batch into this device's vault.
    Import {
        /// The `.lvbatch` file.
        file: PathBuf,
    },
    /// Print a batch file's clear header (nothing is verified or decrypted).
    Inspect {
        /// The `.lvbatch` file.
        file: PathBuf,
    },
}

pub fn run(profile: Option<PathBuf>, cmd: BatchCmd) -> Result<()> {
    match cmd {
        BatchCmd::Seal {
            hub_key,
            to,
            taxonomy,
            format,
            default_reason,
            expires_days,
            out,
            input: path,
        } => {
            let hub = crate::device::read_hub_key(&hub_key)?;
            let Some(default_reason) = Reason::parse(&default_reason) else {
                bail!("--default-reason must be false_positive, low_confidence, random_sample or suspected_label_error");
            };
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let fmt = match format {
                Format::Auto => input::InputFormat::Auto,
                Format::Json => input::InputFormat::Json,
                Format::Csv => input::InputFormat::Csv,
            };
            let items = input::parse_items(&bytes, fmt, default_reason)
                .with_context(|| format!("in {}", path.display()))?;
            let taxonomy = match taxonomy {
                Some(t) => Some(input::parse_taxonomy(
                    &std::fs::read(&t).with_context(|| format!("cannot read {}", t.display()))?,
                )?),
                None => None,
            };
            let payload = input::build_payload(
                items,
                taxonomy,
                &to,
                batch::now_unix(),
                i64::from(expires_days) * 24 * 3600,
            )?;
            let sealed = batch::seal(&payload, &hub)?;
            let out = out.unwrap_or_else(|| PathBuf::from(format!("{}.lvbatch", payload.batch_id)));
            std::fs::write(&out, &sealed)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "sealed batch {} ({} items, expires {}) to {}",
                payload.batch_id,
                payload.items.len(),
                batch::rfc3339(payload.expires_at),
                out.display()
            );
        }
        BatchCmd::Import { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let mut vault = crate::open_vault(profile)?;
            let r = vault.import_batch(&bytes, batch::now_unix())?;
            print_import(&r);
        }
        BatchCmd::Inspect { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let h = batch::read_header(&bytes)?;
            println!("batch:      {}", h.batch_id);
            println!("items:      {}", h.item_count);
            println!("hub key:    {}", h.hub_key_id);
            println!("recipient:  {}", h.recipient);
            println!("created:    {}", batch::rfc3339(h.created_at));
            println!("expires:    {}", batch::rfc3339(h.expires_at));
            println!("(header only: not verified; `batch import` verifies and decrypts)");
        }
    }
    Ok(())
}

pub fn queue(profile: Option<PathBuf>, limit: usize, json: bool) -> Result<()> {
    let vault = crate::open_vault(profile)?;
    for item in vault.peek_queue(limit)? {
        if json {
            println!("{}", serde_json::to_string(&item)?);
        } else {
            println!(
                "{:<15} {:<28} {:>5.2}  {}",
                item.reason.as_str(),
                item.model_intent,
                item.confidence,
                item.text
            );
        }
    }
    Ok(())
}

pub fn demo(profile: Option<PathBuf>) -> Result<()> {
    let mut vault = crate::open_vault(profile)?;
    match labelvault_core::demo::ensure_demo_batch(&mut vault)? {
        Some(r) => println!("imported demo batch {} ({} items)", r.batch_id, r.items),
        None => println!("the vault already has batches; no demo batch imported"),
    }
    Ok(())
}

/// Say what an import did; items held back are reported on standard error, by kind only.
pub fn print_import(r: &batch::ImportReport) {
    if r.already_imported {
        println!(
            "batch {} was already imported ({} items); nothing changed",
            r.batch_id, r.items
        );
    } else {
        println!(
            "imported batch {} ({} items)",
            r.batch_id,
            r.items - r.quarantined
        );
    }
    if let Some(notice) = r.quarantine_notice() {
        eprintln!("warning: {notice}");
    }
}
