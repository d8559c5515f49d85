//! `labelvault`: the command line for annotators (import, queue, status), managers
//! (hub keys, sealing batches, redaction) and privacy officers. Every verb forwards to
//! `labelvault-core`; this file only parses arguments and prints.

mod batch;
mod device;
mod redact;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// LabelVault command line.
#[derive(Parser, Debug)]
#[command(
    name = "labelvault",
    version,
    about = "LabelVault: privacy-first labelling"
)]
struct Cli {
    /// Profile directory (default: the platform data dir; env LABELVAULT_PROFILE_DIR).
    #[arg(long, global = true, env = "LABELVAULT_PROFILE_DIR")]
    profile: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Show what the vault holds.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// This device's identity.
    Device {
        #[command(subcommand)]
        cmd: device::DeviceCmd,
    },
    /// Hub keys: make one (manager) or trust one (annotator).
    Hub {
        #[command(subcommand)]
        cmd: device::HubCmd,
    },
    /// Seal, inspect and import `.lvbatch` files.
    Batch {
        #[command(subcommand)]
        cmd: batch::BatchCmd,
    },
    /// The next items to label, in queue order.
    Queue {
        /// How many items.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print JSON lines.
        #[arg(long)]
        json: bool,
    },
    /// Import the generated demo batch if the vault is empty.
    Demo,
    /// Redact personal data from JSONL lines with `id` and `text`.
    Redact {
        /// Write the detected spans (`{"id", "entities": [{"start","end","type"}]}`,
        /// code-point offsets) instead of redacted texts.
        #[arg(long)]
        spans: bool,
        /// Input file (default: standard input).
        input: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LABELVAULT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.cmd {
        Cmd::Status { json } => device::status(cli.profile, json),
        Cmd::Device { cmd } => device::device(cli.profile, cmd),
        Cmd::Hub { cmd } => device::hub(cli.profile, cmd),
        Cmd::Batch { cmd } => batch::run(cli.profile, cmd),
        Cmd::Queue { limit, json } => batch::queue(cli.profile, limit, json),
        Cmd::Demo => batch::demo(cli.profile),
        Cmd::Redact { spans, input } => redact::run(spans, input),
    }
}

/// Open the profile's vault with the OS keyring.
pub(crate) fn open_vault(profile: Option<PathBuf>) -> Result<labelvault_core::Vault> {
    let profile = labelvault_core::Profile::resolve(profile)?;
    Ok(labelvault_core::Vault::open(
        &profile,
        &labelvault_core::KeyringStore::new(),
    )?)
}
