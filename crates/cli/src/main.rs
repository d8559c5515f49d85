//! `labelvault`: the command line for annotators (import, queue, status), managers
//! (hub keys, sealing batches, redaction) and privacy officers. Every verb forwards to
//! `labelvault-core`; this file only parses arguments and prints.

mod account;
mod batch;
mod demo_hub;
mod device;
mod erase;
mod hub_sync;
mod manage;
mod redact;
mod webhook;

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
    /// Enroll this device with a hub using a one-time code from the manager.
    Enroll {
        /// Hub URL, e.g. http://127.0.0.1:7878
        #[arg(long)]
        hub: String,
        /// The one-time enrollment code.
        #[arg(long)]
        code: String,
    },
    /// Download and import batches assigned to this device.
    Pull,
    /// Upload labels (ledgered, leak-guarded, receipted), purge what retention allows,
    /// then pull new batches.
    Sync {
        /// Days to keep items after the hub acknowledged their labels.
        #[arg(long, default_value_t = 7.0)]
        grace_days: f64,
        /// Attempts per request before leaving the rest queued.
        #[arg(long, default_value_t = 4)]
        attempts: u32,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Record a decision from the command line (scripting, headless use).
    Label(hub_sync::LabelArgs),
    /// Take back the most recent decision.
    Undo,
    /// The outbound ledger: export, verify offline, reconcile with the hub, show.
    Audit {
        #[command(subcommand)]
        cmd: hub_sync::AuditCmd,
    },
    /// Enroll with a local hub using its admin token and receive the demo batch from
    /// it (the embedded default of `scripts/run-app.sh`).
    DemoEnroll {
        /// Hub URL.
        #[arg(long)]
        hub: String,
        /// The hub's admin token file (DATA_DIR/admin.token).
        #[arg(long)]
        admin_token_file: PathBuf,
    },
    /// Manager: load messages with model predictions into the hub (bad rows are
    /// reported by line number, never with their text).
    Ingest(manage::IngestArgs),
    /// Manager: mark a company as newly onboarded, so selection samples its messages.
    Company(manage::CompanyArgs),
    /// Manager: store known answers for hidden gold items.
    Gold(manage::GoldArgs),
    /// Manager: show the review pool for a time window, in dispatch order (dry run).
    Select(manage::SelectArgs),
    /// Manager: redact, batch and assign the pool to devices (overlap, hidden gold,
    /// lease), delivered through the hub and optionally exported as `.lvbatch` files.
    Dispatch(manage::DispatchArgs),
    /// Manager: return unlabelled items whose lease ended to the pool.
    Reclaim(manage::ReclaimArgs),
    /// Manager: messages, gold, and items open / labelled / returned.
    Progress(manage::ProgressArgs),
    /// Manager: what annotators marked as personal data the redaction missed, by guessed
    /// kind, company and week (never the text).
    MissedPii(manage::MissedPiiArgs),
    /// Manager: agreement (alpha, kappa) per batch, company and intent; annotators' gold
    /// accuracy and self-consistency.
    Quality(manage::QualityArgs),
    /// Manager: messages the annotators disagree on, for adjudication.
    Disagreements(manage::DisagreementsArgs),
    /// Manager: decide a message's intent (overrides aggregation; kept in an audit trail).
    Adjudicate(manage::AdjudicateArgs),
    /// Manager: undo a dispatch — take back a batch its device has not fetched yet (its
    /// items go back to the pool).
    Withdraw(manage::WithdrawArgs),
    /// Manager: export the training set (hub text + human label), split train/validation/test.
    Export(manage::ExportArgs),
    /// Manager: the model against human labels (JSON, or an HTML report).
    Evaluate(manage::EvaluateArgs),
    /// Manager: whether enough new labels arrived to retrain; acknowledge a training run.
    Retrain(manage::RetrainArgs),
    /// Manager: the hub's retraining webhook events and every delivery attempt.
    WebhookDeliveries(webhook::WebhookDeliveriesArgs),
    /// People on the hub: accounts with roles and each person's own signing key.
    Account {
        #[command(subcommand)]
        cmd: account::AccountCmd,
    },
    /// Privacy officer: who read a message's raw text, and when — from the hub's access
    /// ledger, verified under the hub key.
    WhoRead {
        #[command(flatten)]
        hub: manage::HubAdmin,
        /// The hub's public key (default: the one pinned when this machine enrolled).
        #[arg(long)]
        hub_key: Option<String>,
        /// The message id.
        message_id: String,
    },
    /// Privacy officer: erase a customer's messages (by id, company or received-before)
    /// from the hub now and from every device at its next sync; prints and saves the
    /// hub's signed receipt (`--status ID` shows it again, updated).
    Erase(erase::EraseArgs),
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
    #[cfg(unix)]
    // SAFETY: first thing in main, before any other thread exists. Restores the default
    // action for SIGPIPE so `labelvault … | head` ends quietly, as Unix tools do,
    // instead of panicking on the closed pipe.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LABELVAULT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            // Refused ingest rows have their own codes, so scripts can tell them apart.
            match e.downcast_ref::<manage::RowsRefused>() {
                Some(r) => ExitCode::from(r.exit_code()),
                None => ExitCode::FAILURE,
            }
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
        Cmd::Enroll { hub, code } => hub_sync::enroll(cli.profile, &hub, &code),
        Cmd::Pull => hub_sync::pull(cli.profile),
        Cmd::Sync {
            grace_days,
            attempts,
            json,
        } => hub_sync::sync(cli.profile, grace_days, attempts, json),
        Cmd::Label(a) => hub_sync::label(cli.profile, a),
        Cmd::Undo => hub_sync::undo(cli.profile),
        Cmd::Audit { cmd } => hub_sync::audit(cli.profile, cmd),
        Cmd::DemoEnroll {
            hub,
            admin_token_file,
        } => demo_hub::run(cli.profile, &hub, &admin_token_file),
        Cmd::Redact { spans, input } => redact::run(spans, input),
        Cmd::Ingest(a) => manage::ingest(a),
        Cmd::Company(a) => manage::company(a),
        Cmd::Gold(a) => manage::gold(a),
        Cmd::Select(a) => manage::select(a),
        Cmd::Dispatch(a) => manage::dispatch(a),
        Cmd::Reclaim(a) => manage::reclaim(a),
        Cmd::Progress(a) => manage::progress(a),
        Cmd::MissedPii(a) => manage::missed_pii(a),
        Cmd::Erase(a) => erase::run(a),
        Cmd::Account { cmd } => account::run(cmd),
        Cmd::WhoRead {
            hub,
            hub_key,
            message_id,
        } => account::who_read(hub, message_id, hub_key),
        Cmd::Quality(a) => manage::quality(a),
        Cmd::Disagreements(a) => manage::disagreements(a),
        Cmd::Adjudicate(a) => manage::adjudicate(a),
        Cmd::Withdraw(a) => manage::withdraw(a),
        Cmd::Export(a) => manage::export(a),
        Cmd::Evaluate(a) => manage::evaluate(a),
        Cmd::Retrain(a) => manage::retrain(a),
        Cmd::WebhookDeliveries(a) => webhook::webhook_deliveries(a),
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
