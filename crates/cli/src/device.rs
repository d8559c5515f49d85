//! `labelvault status`, `device …` and `hub …`.

use anyhow::{Context, Result};
use clap::Subcommand;
use labelvault_core::identity::HubKey;
use std::path::PathBuf;

/// Device verbs.
#[derive(Subcommand, Debug)]
pub enum DeviceCmd {
    /// Print this device's public keys and fingerprint (creates the vault on first run).
    Show {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Hub key verbs.
#[derive(Subcommand, Debug)]
pub enum HubCmd {
    /// Make a new hub signing key (manager side) and print its public key.
    Keygen {
        /// Where to write the secret key (created with mode 0600; never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the public key of a hub secret key file.
    Pubkey {
        /// The hub secret key file.
        #[arg(long)]
        key: PathBuf,
    },
    /// Trust (pin) a hub public key so batches it signs can be imported.
    Trust {
        /// The hub's public key (base64), as printed by `labelvault hub keygen`.
        public_key: String,
    },
}

pub fn status(profile: Option<PathBuf>, json: bool) -> Result<()> {
    let vault = crate::open_vault(profile)?;
    let s = vault.status()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        println!("profile:     {}", s.profile_dir);
        println!("device:      {}", s.device_fingerprint);
        println!("schema:      v{}", s.schema_version);
        println!("batches:     {}", s.batches);
        println!(
            "items:       {} ({} false positive, {} low confidence, {} random sample, {} suspected label error)",
            s.items,
            s.by_reason.false_positive,
            s.by_reason.low_confidence,
            s.by_reason.random_sample,
            s.by_reason.suspected_label_error
        );
        println!("labelled:    {}", s.labelled);
        println!(
            "skipped:     {} (they come back at the end of the queue)",
            s.skipped
        );
        println!("remaining:   {}", s.remaining);
        if s.quarantined > 0 {
            println!(
                "held back:   {} (personal data found on import; not stored, not shown)",
                s.quarantined
            );
        }
    }
    Ok(())
}

pub fn device(profile: Option<PathBuf>, cmd: DeviceCmd) -> Result<()> {
    match cmd {
        DeviceCmd::Show { json } => {
            let vault = crate::open_vault(profile)?;
            let p = vault.identity().public();
            if json {
                println!("{}", serde_json::to_string_pretty(&p)?);
            } else {
                println!("fingerprint:  {}", p.fingerprint);
                println!("signing key:  {}", p.signing_key);
                println!("recipient:    {}", p.recipient);
            }
        }
    }
    Ok(())
}

/// Read a hub secret key file.
pub fn read_hub_key(path: &PathBuf) -> Result<HubKey> {
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the hub key file {}", path.display()))?,
    );
    Ok(HubKey::from_secret_text(&text)?)
}

pub fn hub(profile: Option<PathBuf>, cmd: HubCmd) -> Result<()> {
    match cmd {
        HubCmd::Keygen { out } => {
            let key = HubKey::generate()?;
            write_private(&out, key.to_secret_text().as_bytes())?;
            println!("public key: {}", key.public_key());
            println!("key id:     {}", key.key_id());
            eprintln!("secret key written to {} (keep it private)", out.display());
        }
        HubCmd::Pubkey { key } => {
            let key = read_hub_key(&key)?;
            println!("{}", key.public_key());
        }
        HubCmd::Trust { public_key } => {
            let vault = crate::open_vault(profile)?;
            let id = vault.trust_hub_key(&public_key)?;
            println!("trusted hub key {id}");
        }
    }
    Ok(())
}

/// Create the key file (owner-only, never overwriting).
fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    labelvault_core::keystore::create_private_file(path, bytes)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))
}
