//! The hub's own records as JSONL, and the access ledger, written once for both stores
//! over [`Tx`]: every label revision received, every copy handed out, and who read which
//! messages' text.

use super::devices::LABELLED;
use super::sql::{args, Lock, Row, Tx};
use super::NewAccess;
use crate::error::HubError;

/// See [`super::HubStore::labels_jsonl`]. A damaged row fails the export loudly rather
/// than exporting a wrong label.
pub(super) fn labels_jsonl(tx: &mut dyn Tx) -> Result<String, HubError> {
    let mut out = String::new();
    tx.for_each(
        "SELECT device_id, item_id, revision, retracted, verdict, intent_id, flags, pii_spans,
                duration_ms, decided_at_ms, received_at_ms, also_intents
         FROM labels ORDER BY received_at_ms, device_id COLLATE \"C\", item_id COLLATE \"C\", revision",
        &[],
        &mut |r| {
            let json = |i: usize| -> Result<serde_json::Value, HubError> {
                serde_json::from_str(&r.text(i)?).map_err(|_| {
                    HubError::Internal(format!(
                        "a stored label is damaged (column {i} is not JSON; device {}, item {}); restore the hub database from a backup",
                        r.text(0).unwrap_or_default(),
                        r.text(1).unwrap_or_default()
                    ))
                })
            };
            let v = serde_json::json!({
                "device_id": r.text(0)?, "item_id": r.text(1)?, "revision": r.i64(2)?,
                "retracted": r.bool(3)?, "verdict": r.opt_text(4)?, "intent_id": r.opt_text(5)?,
                "flags": json(6)?, "pii_spans": json(7)?, "also_intents": json(11)?,
                "duration_ms": r.i64(8)?, "decided_at_ms": r.i64(9)?, "received_at_ms": r.i64(10)?,
            });
            out.push_str(&v.to_string());
            out.push('\n');
            Ok(())
        },
    )?;
    Ok(out)
}

/// See [`super::HubStore::items_jsonl`]: copies in the order they were handed out.
pub(super) fn items_jsonl(tx: &mut dyn Tx) -> Result<String, HubError> {
    let stored = tx.dialect().stored_order("c");
    let mut out = String::new();
    tx.for_each(
        &format!(
            "SELECT c.item_id, c.batch_id, c.device_id, c.message_id, c.gold, c.state, c.lease_expires_at, {LABELLED}
             FROM copies c ORDER BY c.created_at, c.batch_id COLLATE \"C\", {stored}"
        ),
        &[],
        &mut |r| {
            let v = serde_json::json!({
                "item_id": r.text(0)?, "batch_id": r.text(1)?, "device_id": r.text(2)?,
                "message_id": r.text(3)?, "gold": r.bool(4)?, "state": r.text(5)?,
                "lease_expires_at": r.i64(6)?, "labelled": r.bool(7)?,
            });
            out.push_str(&v.to_string());
            out.push('\n');
            Ok(())
        },
    )?;
    Ok(out)
}

/// See [`super::HubStore::append_access`]: one writer at a time across hubs, so the
/// chain never forks.
pub(super) fn append_access(
    tx: &mut dyn Tx,
    e: &NewAccess,
    sign: &(dyn Fn(&[u8; 32]) -> [u8; 64] + Sync),
) -> Result<u64, HubError> {
    tx.lock(Lock::Table("access_ledger"))?;
    let (seq, prev) = match tx.query_opt(
        "SELECT seq, entry_hash FROM access_ledger ORDER BY seq DESC LIMIT 1",
        &[],
    )? {
        Some(r) => (r.u64(0)? + 1, r.key32(1)?),
        None => (1, [0u8; 32]),
    };
    let hash = super::access_hash(&prev, seq, e);
    tx.execute(
        "INSERT INTO access_ledger (seq, prev_hash, entry_hash, at_ms, account_id, role, act, method, path, status, message_ids, signature)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        args![
            i64::try_from(seq).unwrap_or(i64::MAX),
            &prev,
            &hash,
            e.at_ms,
            &e.account_id,
            &e.role,
            &e.act,
            &e.method,
            &e.path,
            e.status,
            e.message_ids.json(),
            &sign(&hash)
        ],
    )?;
    Ok(seq)
}

fn access_entry(r: &Row) -> Result<NewAccess, HubError> {
    let ids = r.text(10)?;
    Ok(NewAccess {
        at_ms: r.i64(3)?,
        account_id: r.text(4)?,
        role: r.text(5)?,
        act: r.text(6)?,
        method: r.text(7)?,
        path: r.text(8)?,
        status: u16::try_from(r.i64(9)?).unwrap_or(0),
        message_ids: serde_json::from_str::<Vec<String>>(&ids)
            .map_err(|_| {
                HubError::Internal(
                    "a stored access entry is damaged (its message ids are not JSON); restore the hub database from a backup".into(),
                )
            })?
            .into(),
    })
}

/// See [`super::HubStore::access_jsonl`].
pub(super) fn access_jsonl(tx: &mut dyn Tx) -> Result<String, HubError> {
    let mut out = String::new();
    tx.for_each(
        "SELECT seq, prev_hash, entry_hash, at_ms, account_id, role, act, method, path, status, message_ids, signature
         FROM access_ledger ORDER BY seq",
        &[],
        &mut |r| {
            let e = access_entry(&r)?;
            out.push_str(&super::access_line(
                r.i64(0)?,
                &r.bytes(1)?,
                &r.bytes(2)?,
                e,
                &r.bytes(11)?,
            )?);
            out.push('\n');
            Ok(())
        },
    )?;
    Ok(out)
}
