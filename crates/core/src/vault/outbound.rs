//! Vault storage for what leaves the device: the hub link, the outbound ledger, sync
//! state of label events, and retention (purging what the hub has acknowledged).

use super::Vault;
use crate::error::VaultError;
use crate::identity::B64;
use crate::ledger::{self, EntryFields, LedgerLine, GENESIS};
use crate::protocol::{SignedReceipt, WireLabel};
use base64::Engine as _;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// The hub this device enrolled with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubLink {
    /// Hub base URL, e.g. `http://127.0.0.1:7878`.
    pub hub_url: String,
    /// This device's id at the hub.
    pub device_id: String,
    /// Pinned hub key id.
    pub hub_key_id: String,
    /// Unix seconds.
    pub enrolled_at: i64,
}

/// A ledger entry as stored (what the sync client resends).
#[derive(Debug, Clone)]
pub struct StoredEntry {
    /// Chain position.
    pub seq: u64,
    /// Hub base URL.
    pub hub_url: String,
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Exact body.
    pub body: Vec<u8>,
    /// Upload id, for label uploads.
    pub upload_id: Option<String>,
    /// The entry's hash: with `seq`, the chain head the hub is told of and countersigns.
    pub entry_hash: [u8; 32],
}

/// A ledger entry for the Audit view: what left, when, where, and what came back.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerSummary {
    /// Chain position.
    pub seq: u64,
    /// Unix ms.
    pub created_at_ms: i64,
    /// Hub base URL.
    pub hub_url: String,
    /// `POST /v1/labels` etc.
    pub request: String,
    /// Body size in bytes.
    pub body_bytes: u64,
    /// Labels carried.
    pub label_count: u64,
    /// The fields present in the body (schema names only).
    pub fields: Vec<String>,
    /// Hex entry hash (short).
    pub entry_hash: String,
    /// The receipt, if any.
    pub receipt: Option<SignedReceipt>,
    /// Send attempts so far.
    pub attempts: u64,
}

/// What is held on the device now and when it goes.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RetentionStatus {
    /// Items stored.
    pub items: u64,
    /// Items whose current label the hub acknowledged.
    pub acknowledged: u64,
    /// Label revisions not yet acknowledged.
    pub unsynced_labels: u64,
    /// Earliest time (Unix s) an acknowledged item will be purged, if any.
    pub next_purge_at: Option<i64>,
    /// Earliest batch expiry (Unix s) among stored batches.
    pub next_expiry_at: Option<i64>,
    /// Grace period after acknowledgement, seconds.
    pub grace_secs: i64,
}

/// What a purge removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    /// Acknowledged items removed after the grace period.
    pub acknowledged_items: u64,
    /// Items removed because their batch expired.
    pub expired_items: u64,
}

/// Default retention grace after the hub acknowledges a label: 7 days.
pub const DEFAULT_GRACE_SECS: i64 = 7 * 24 * 3600;

/// Append one entry inside `tx`: chain it to the last entry, sign its hash with the
/// device key, and link the label events an upload carries.
fn append_in(
    tx: &rusqlite::Transaction<'_>,
    identity: &crate::identity::DeviceIdentity,
    hub_url: &str,
    method: &str,
    path: &str,
    body: &[u8],
    upload: Option<(&str, &[i64])>,
) -> Result<StoredEntry, VaultError> {
    let last: Option<(i64, Vec<u8>)> = tx
        .query_row(
            "SELECT seq, entry_hash FROM ledger ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (
            s as u64 + 1,
            <[u8; 32]>::try_from(h.as_slice())
                .map_err(|_| VaultError::Storage("ledger hash damaged".into()))?,
        ),
        None => (1, GENESIS),
    };
    let created_at_ms = now_ms();
    let body_hash = ledger::sha256(body);
    let h = ledger::entry_hash(&EntryFields {
        seq,
        prev_hash: &prev,
        created_at_ms,
        hub_url,
        method,
        path,
        body_sha256: &body_hash,
    });
    let sig = identity.sign(&ledger::signed_message(&h));
    let (upload_id, events) = match upload {
        Some((u, e)) => (Some(u), e),
        None => (None, &[][..]),
    };
    tx.execute(
        "INSERT INTO ledger (seq, prev_hash, entry_hash, created_at_ms, hub_url, method, path, body,
                             body_sha256, signature, upload_id, label_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            seq as i64,
            prev.to_vec(),
            h.to_vec(),
            created_at_ms,
            hub_url,
            method,
            path,
            body,
            hex::encode(body_hash),
            sig.to_vec(),
            upload_id,
            events.len() as i64
        ],
    )?;
    {
        let mut st =
            tx.prepare_cached("UPDATE label_events SET upload_seq = ?1 WHERE event_id = ?2")?;
        for e in events {
            st.execute(params![seq as i64, e])?;
        }
    }
    Ok(StoredEntry {
        seq,
        hub_url: hub_url.into(),
        method: method.into(),
        path: path.into(),
        body: body.to_vec(),
        upload_id: upload_id.map(str::to_string),
        entry_hash: h,
    })
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Vault {
    /// The hub link, if enrolled.
    pub fn hub_link(&self) -> Result<Option<HubLink>, VaultError> {
        Ok(self
            .conn
            .query_row(
                "SELECT hub_url, device_id, hub_key_id, enrolled_at FROM hub_link WHERE id = 1",
                [],
                |r| {
                    Ok(HubLink {
                        hub_url: r.get(0)?,
                        device_id: r.get(1)?,
                        hub_key_id: r.get(2)?,
                        enrolled_at: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Record enrollment: pin the hub key and remember the hub.
    pub fn set_hub_link(
        &self,
        link: &HubLink,
        hub_public_key: &str,
    ) -> Result<(), crate::BatchError> {
        let id = self.trust_hub_key(hub_public_key)?;
        if id != link.hub_key_id {
            return Err(crate::BatchError::Key(
                "the hub's key id does not match its public key".into(),
            ));
        }
        self.conn.execute(
            "INSERT INTO hub_link (id, hub_url, device_id, hub_key_id, enrolled_at) VALUES (1, ?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET hub_url = ?1, device_id = ?2, hub_key_id = ?3, enrolled_at = ?4",
            params![link.hub_url, link.device_id, link.hub_key_id, link.enrolled_at],
        )?;
        Ok(())
    }

    /// The pinned public key for a key id.
    pub fn hub_public_key(&self, key_id: &str) -> Result<Option<[u8; 32]>, VaultError> {
        let pk: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT public_key FROM hub_keys WHERE key_id = ?1",
                [key_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(pk.and_then(|p| p.try_into().ok()))
    }

    /// Append an entry to the outbound ledger, before the request is sent. For a label
    /// upload, the carried label events are marked as belonging to it in the same
    /// transaction, so a crash can never send a label twice under two uploads.
    pub fn append_ledger(
        &mut self,
        hub_url: &str,
        method: &str,
        path: &str,
        body: &[u8],
        upload: Option<(&str, &[i64])>,
    ) -> Result<StoredEntry, VaultError> {
        let tx = self.conn.transaction()?;
        let entry = append_in(&tx, &self.identity, hub_url, method, path, body, upload)?;
        tx.commit()?;
        Ok(entry)
    }

    /// Label revisions not yet carried by any upload, oldest first (event id, label).
    pub fn unsent_labels(&self, limit: usize) -> Result<Vec<(i64, WireLabel)>, VaultError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT e.event_id, {}, length(i.text)
             FROM label_events AS e INDEXED BY label_events_unsent
             LEFT JOIN items AS i ON i.item_id = e.item_id
             WHERE e.upload_seq IS NULL ORDER BY e.event_id LIMIT ?1",
            super::record::EVENT_COLUMNS
        ))?;
        let rows = st.query_map([limit as i64], |r| {
            let rec = super::record::record_from_row(r, 1)?;
            // The item's length in code points (SQLite's length() of text); spans were
            // checked against that text when recorded.
            let chars: Option<i64> = r.get(11)?;
            let chars = chars.map(|c| c.clamp(0, i64::from(u32::MAX)) as u32);
            Ok((r.get::<_, i64>(0)?, rec.to_wire(chars)))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Label uploads written to the ledger but not yet acknowledged, oldest first.
    pub fn unacknowledged_uploads(&self) -> Result<Vec<StoredEntry>, VaultError> {
        let mut st = self.conn.prepare_cached(
            "SELECT seq, hub_url, method, path, body, upload_id, entry_hash FROM ledger INDEXED BY ledger_unacked
             WHERE upload_id IS NOT NULL AND receipt IS NULL ORDER BY seq",
        )?;
        let rows = st.query_map([], |r| {
            let h: Vec<u8> = r.get(6)?;
            Ok(StoredEntry {
                seq: r.get::<_, i64>(0)? as u64,
                hub_url: r.get(1)?,
                method: r.get(2)?,
                path: r.get(3)?,
                body: r.get(4)?,
                upload_id: r.get(5)?,
                entry_hash: <[u8; 32]>::try_from(h.as_slice()).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Count a send attempt and its outcome (an error code, never a body).
    pub fn note_attempt(&self, seq: u64, error: Option<&str>) -> Result<(), VaultError> {
        self.conn.execute(
            "UPDATE ledger SET attempts = attempts + 1, last_error = ?2 WHERE seq = ?1",
            params![seq as i64, error],
        )?;
        Ok(())
    }

    /// Store a verified receipt: beside its upload (for the Audit view), as an entry of
    /// its own in the chain (so a receipt cannot be dropped or moved without breaking
    /// the chain), and mark the upload's label events acknowledged (accepted, duplicate,
    /// or the hub's rejection code). One transaction.
    pub fn store_receipt(&mut self, seq: u64, receipt: &SignedReceipt) -> Result<(), VaultError> {
        let json =
            serde_json::to_string(receipt).map_err(|e| VaultError::Storage(e.to_string()))?;
        let now = crate::batch::now_unix();
        let tx = self.conn.transaction()?;
        let hub_url: String = tx.query_row(
            "SELECT hub_url FROM ledger WHERE seq = ?1",
            [seq as i64],
            |r| r.get(0),
        )?;
        tx.execute(
            "UPDATE ledger SET receipt = ?2, last_error = NULL WHERE seq = ?1",
            params![seq as i64, json],
        )?;
        append_in(
            &tx,
            &self.identity,
            &hub_url,
            ledger::RECEIPT,
            "/v1/labels",
            json.as_bytes(),
            None,
        )?;
        tx.execute(
            "UPDATE label_events SET ack = 'accepted', acked_at = ?2 WHERE upload_seq = ?1",
            params![seq as i64, now],
        )?;
        {
            let mut st = tx.prepare_cached(
                "UPDATE label_events SET ack = ?3 WHERE upload_seq = ?4 AND item_id = ?1 AND revision = ?2",
            )?;
            for r in &receipt.receipt.rejected {
                st.execute(params![
                    r.item_id,
                    r.revision,
                    format!("rejected:{}", r.code),
                    seq as i64
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Call `f(item_id, text)` for every item text held (for the leak guard).
    pub fn for_each_item_text(
        &self,
        mut f: impl FnMut(&str, &str) -> bool,
    ) -> Result<(), VaultError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT item_id, text FROM items")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let text: String = r.get(1)?;
            if !f(&id, &text) {
                break;
            }
        }
        Ok(())
    }

    /// The whole ledger as export lines, oldest first.
    pub fn export_ledger(&self) -> Result<Vec<LedgerLine>, VaultError> {
        let key = self.identity.public().signing_key;
        let mut st = self.conn.prepare(
            "SELECT seq, prev_hash, entry_hash, created_at_ms, hub_url, method, path, body, body_sha256,
                    signature FROM ledger ORDER BY seq",
        )?;
        let rows = st.query_map([], |r| {
            Ok(LedgerLine {
                seq: r.get::<_, i64>(0)? as u64,
                prev_hash: hex::encode(r.get::<_, Vec<u8>>(1)?),
                entry_hash: hex::encode(r.get::<_, Vec<u8>>(2)?),
                created_at_ms: r.get(3)?,
                hub_url: r.get(4)?,
                method: r.get(5)?,
                path: r.get(6)?,
                body_b64: B64.encode(r.get::<_, Vec<u8>>(7)?),
                body_sha256: r.get(8)?,
                device_signing_key: key.clone(),
                signature: B64.encode(r.get::<_, Vec<u8>>(9)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The ledger for the Audit view, newest first.
    pub fn ledger_summaries(&self, limit: usize) -> Result<Vec<LedgerSummary>, VaultError> {
        let mut st = self.conn.prepare_cached(
            "SELECT seq, created_at_ms, hub_url, method, path, body, label_count, entry_hash, receipt, attempts
             FROM ledger ORDER BY seq DESC LIMIT ?1",
        )?;
        let rows = st.query_map([limit as i64], |r| {
            let body: Vec<u8> = r.get(5)?;
            let receipt: Option<String> = r.get(8)?;
            let fields = field_names(&body);
            Ok(LedgerSummary {
                seq: r.get::<_, i64>(0)? as u64,
                created_at_ms: r.get(1)?,
                hub_url: r.get(2)?,
                request: format!("{} {}", r.get::<_, String>(3)?, r.get::<_, String>(4)?),
                body_bytes: body.len() as u64,
                label_count: r.get::<_, i64>(6)? as u64,
                fields,
                entry_hash: hex::encode(&r.get::<_, Vec<u8>>(7)?[..8]),
                receipt: receipt.and_then(|j| serde_json::from_str(&j).ok()),
                attempts: r.get::<_, i64>(9)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// What is stored now and when it will be purged.
    pub fn retention_status(&self, grace_secs: i64) -> Result<RetentionStatus, VaultError> {
        let (items, acknowledged): (i64, i64) = self.conn.query_row(
            "SELECT count(*), count(e.ack) FROM items i LEFT JOIN label_events e ON e.event_id = i.decided_event",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let unsynced: i64 = self.conn.query_row(
            "SELECT count(*) FROM label_events WHERE ack IS NULL",
            [],
            |r| r.get(0),
        )?;
        let next_purge: Option<i64> = self.conn.query_row(
            "SELECT min(e.acked_at) FROM items i JOIN label_events e ON e.event_id = i.decided_event
             WHERE e.ack IS NOT NULL",
            [],
            |r| r.get(0),
        )?;
        let next_expiry: Option<i64> = self.conn.query_row(
            "SELECT min(expires_at) FROM batches WHERE purged_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(RetentionStatus {
            items: items as u64,
            acknowledged: acknowledged as u64,
            unsynced_labels: unsynced as u64,
            next_purge_at: next_purge.map(|t| t + grace_secs),
            next_expiry_at: next_expiry,
            grace_secs,
        })
    }

    /// Delete items whose current label the hub acknowledged more than `grace_secs`
    /// ago (and whose later revisions are all acknowledged too), and every item of an
    /// expired batch. Batch rows stay (marked purged) so a purged batch is never
    /// imported again.
    pub fn purge(&mut self, now: i64, grace_secs: i64) -> Result<PurgeReport, VaultError> {
        let tx = self.conn.transaction()?;
        let acknowledged = tx.execute(
            "DELETE FROM items WHERE done = 1 AND skipped = 0 AND item_id IN (
                 SELECT i.item_id FROM items i JOIN label_events e ON e.event_id = i.decided_event
                 WHERE e.ack IS NOT NULL AND e.acked_at + ?1 <= ?2
                   AND NOT EXISTS (SELECT 1 FROM label_events x WHERE x.item_id = i.item_id AND x.ack IS NULL))",
            params![grace_secs, now],
        )? as u64;
        let expired_batches: Vec<i64> = {
            let mut st =
                tx.prepare("SELECT seq FROM batches WHERE expires_at <= ?1 AND purged_at IS NULL")?;
            let rows = st.query_map([now], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut expired = 0u64;
        for b in expired_batches {
            expired += tx.execute("DELETE FROM items WHERE batch_seq = ?1", [b])? as u64;
            tx.execute(
                "UPDATE batches SET purged_at = ?2 WHERE seq = ?1",
                params![b, now],
            )?;
        }
        tx.commit()?;
        if acknowledged + expired > 0 {
            tracing::info!(acknowledged, expired, "purged items");
        }
        Ok(PurgeReport {
            acknowledged_items: acknowledged,
            expired_items: expired,
        })
    }
}

/// The field names present in a JSON body (schema names only, never values).
fn field_names(body: &[u8]) -> Vec<String> {
    fn walk(v: &serde_json::Value, prefix: &str, out: &mut std::collections::BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    let name = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    out.insert(name.clone());
                    walk(x, &name, out);
                }
            }
            serde_json::Value::Array(a) => {
                for x in a {
                    walk(x, &format!("{prefix}[]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = std::collections::BTreeSet::new();
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        walk(&v, "", &mut out);
    }
    out.into_iter().collect()
}
