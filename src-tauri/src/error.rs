//! The error every command returns over IPC: a stable code for the UI and a message
//! that says what to do next. Built only from engine errors, which never carry item
//! text or keys.

use serde::Serialize;

/// An IPC error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpcError {
    /// Stable machine code (`keyring_locked`, `batch_expired`, …).
    pub code: String,
    /// What happened and what to do.
    pub message: String,
}

impl IpcError {
    /// An error with a code and message.
    pub fn new(code: &str, message: impl Into<String>) -> IpcError {
        IpcError {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

impl From<labelvault_core::VaultError> for IpcError {
    fn from(e: labelvault_core::VaultError) -> Self {
        IpcError::new(e.code(), e.to_string())
    }
}

impl From<labelvault_core::BatchError> for IpcError {
    fn from(e: labelvault_core::BatchError) -> Self {
        IpcError::new(e.code(), e.to_string())
    }
}

impl From<labelvault_core::sync::SyncError> for IpcError {
    fn from(e: labelvault_core::sync::SyncError) -> Self {
        IpcError::new(e.code(), e.to_string())
    }
}

/// Result type of every command.
pub type IpcResult<T> = Result<T, IpcError>;
