//! LabelVault engine: the encrypted vault, device identity, sealed batches and the
//! labelling queue. Knows nothing of Tauri, so the desktop app, the CLI and the hub all
//! share one implementation and almost every test lives here.

pub mod access;
pub mod admin_api;
pub mod batch;
pub mod demo;
pub mod erasure;
pub mod error;
pub mod grammar;
pub mod guard;
pub mod identity;
pub mod keystore;
pub mod labels;
pub mod ledger;
pub mod manage;
pub mod par;
pub mod pipeline;
pub mod profile;
pub mod protocol;
pub mod redact;
pub mod settings;
pub mod sync;
pub mod vault;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod testutil;

pub use error::{BatchError, VaultError};
pub use keystore::{KeyStore, KeyringStore};
pub use profile::Profile;
pub use vault::{QueueItem, Vault, VaultStatus};
