//! The message ids of one access-ledger entry, shared rather than copied: an export of
//! half a million labelled messages puts all their ids on the ledger at every request,
//! so the ids are kept once with the export body, and the two forms the ledger needs —
//! the digest the entry's hash covers and the JSON stored in the row — are computed
//! once for them instead of on every request.

use std::sync::{Arc, OnceLock};

/// Message ids for the access ledger (never text), cheap to clone.
#[derive(Clone, Default)]
pub struct AccessIds(Arc<Inner>);

#[derive(Default)]
struct Inner {
    ids: Vec<String>,
    digest: OnceLock<[u8; 32]>,
    json: OnceLock<String>,
}

impl AccessIds {
    /// The ids, in the order they are recorded.
    pub fn ids(&self) -> &[String] {
        &self.0.ids
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.ids.is_empty()
    }

    /// The SHA-256 of the ids joined by `\n`, which the entry's hash covers
    /// (`labelvault_core::access::ids_digest`), computed on first use.
    pub fn digest(&self) -> &[u8; 32] {
        self.0
            .digest
            .get_or_init(|| labelvault_core::access::ids_digest(&self.0.ids))
    }

    /// The ids as the JSON array the ledger row stores, computed on first use.
    pub fn json(&self) -> &str {
        self.0
            .json
            .get_or_init(|| serde_json::to_string(&self.0.ids).unwrap_or_default())
    }

    /// Compute both ledger forms now (with the export body, off the request's path).
    pub fn prepared(self) -> Self {
        self.digest();
        self.json();
        self
    }

    /// The ids as an owned list (copied only if still shared).
    pub fn into_vec(self) -> Vec<String> {
        match Arc::try_unwrap(self.0) {
            Ok(inner) => inner.ids,
            Err(shared) => shared.ids.clone(),
        }
    }
}

impl From<Vec<String>> for AccessIds {
    fn from(ids: Vec<String>) -> Self {
        AccessIds(Arc::new(Inner {
            ids,
            ..Inner::default()
        }))
    }
}

/// Only the count: the ids name people's messages and stay out of logs.
impl std::fmt::Debug for AccessIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AccessIds({} ids)", self.0.ids.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cached forms are the ones computed from the ids directly, and a clone shares
    /// them (computed once).
    #[test]
    fn ledger_forms_match_the_ids() {
        let ids: Vec<String> = (0..500).map(|i| format!("m{i}")).collect();
        let a = AccessIds::from(ids.clone()).prepared();
        let b = a.clone();
        assert_eq!(b.digest(), &labelvault_core::access::ids_digest(&ids));
        assert_eq!(b.json(), serde_json::to_string(&ids).unwrap_or_default());
        assert!(std::ptr::eq(a.json(), b.json()));
        assert_eq!(b.ids(), ids.as_slice());
        drop(a);
        assert_eq!(b.into_vec(), ids);
        assert!(AccessIds::default().is_empty());
        assert_eq!(AccessIds::default().json(), "[]");
    }
}
