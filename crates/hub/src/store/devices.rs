//! Annotators and their devices, written once for both stores over [`Tx`]: one-time
//! enrollment codes, device keys, revocation, replay nonces and each device's latest
//! ledger head.

use super::sql::{args, Lock, Row, Tx};
use super::{code_problem, AnnotatorRecord, CodeKind, CodeState, DeviceRecord};
use crate::error::HubError;
use labelvault_core::protocol::DeviceHead;

/// The advisory lock every operation on the review pool takes on PostgreSQL (dispatch,
/// reclaim, revocation, withdrawal), so overlap checks see every other dispatch.
pub(super) const POOL_LOCK: i64 = 0x4c56_504f_4f4c; // "LVPOOL"

/// A copy whose latest label on its device is not a retraction (or that has none:
/// `coalesce(…, TRUE)`); `c` is the copy.
pub(super) const LABELLED: &str = "coalesce((SELECT l.retracted FROM labels l WHERE l.device_id = c.device_id AND l.item_id = c.item_id ORDER BY l.revision DESC LIMIT 1), TRUE) = FALSE";

/// See [`super::HubStore::create_annotator`].
pub(super) fn create_annotator(
    tx: &mut dyn Tx,
    name: &str,
    code_sha256: &str,
    code_expires_at: i64,
) -> Result<String, HubError> {
    let id = super::random_id("a_")?;
    tx.execute(
        "INSERT INTO annotators (annotator_id, name, created_at) VALUES ($1, $2, $3)",
        args![&id, name, code_expires_at],
    )?;
    tx.execute(
        "INSERT INTO enrollment_codes (code_sha256, annotator_id, expires_at) VALUES ($1, $2, $3)",
        args![code_sha256, &id, code_expires_at],
    )?;
    Ok(id)
}

/// See [`super::HubStore::enroll`]. The code's row is locked while it is consumed, so a
/// code is single-use even when two hubs see it at once.
pub(super) fn enroll(
    tx: &mut dyn Tx,
    code_sha256: &str,
    now: i64,
    signing_key: &[u8; 32],
    recipient: &str,
) -> Result<String, HubError> {
    let row = tx.query_opt(
        "SELECT annotator_id, expires_at, used_at FROM enrollment_codes
         WHERE code_sha256 = $1 FOR UPDATE",
        args![code_sha256],
    )?;
    let (annotator, state) = match row {
        None => (String::new(), CodeState::Unknown),
        Some(r) => {
            let state = match r.opt_i64(2)? {
                Some(_) => CodeState::Used,
                None => CodeState::ValidUntil(r.i64(1)?),
            };
            (r.text(0)?, state)
        }
    };
    code_problem(CodeKind::Enrollment, state, now)?;
    let already = || HubError::conflict("already_enrolled", "this device is already enrolled");
    let exists = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM devices WHERE signing_key = $1)",
            args![signing_key],
        )?
        .bool(0)?;
    if exists {
        return Err(already());
    }
    let id = super::random_id("d_")?;
    tx.execute(
        "UPDATE enrollment_codes SET used_at = $2 WHERE code_sha256 = $1",
        args![code_sha256, now],
    )?;
    // The same key may have been enrolled through another hub with another code
    // meanwhile: the unique key refuses the second.
    if !tx.insert_unique(
        "INSERT INTO devices (device_id, annotator_id, signing_key, recipient, enrolled_at)
         VALUES ($1, $2, $3, $4, $5)",
        args![&id, &annotator, signing_key, recipient, now],
    )? {
        return Err(already());
    }
    Ok(id)
}

const DEVICE_COLUMNS: &str =
    "device_id, annotator_id, signing_key, recipient, revoked_at IS NOT NULL";

fn device_row(r: &Row) -> Result<DeviceRecord, HubError> {
    let device_id = r.text(0)?;
    let signing_key = r.key32(2).map_err(|_| {
        HubError::Internal(format!(
            "a stored device key is damaged (device {device_id}); restore the hub database from a backup"
        ))
    })?;
    Ok(DeviceRecord {
        device_id,
        annotator_id: r.text(1)?,
        signing_key,
        recipient: r.text(3)?,
        revoked: r.bool(4)?,
    })
}

/// See [`super::HubStore::device`].
pub(super) fn get(tx: &mut dyn Tx, device_id: &str) -> Result<Option<DeviceRecord>, HubError> {
    tx.query_opt(
        &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE device_id = $1"),
        args![device_id],
    )?
    .map(|r| device_row(&r))
    .transpose()
}

/// See [`super::HubStore::active_devices`].
pub(super) fn active(tx: &mut dyn Tx) -> Result<Vec<DeviceRecord>, HubError> {
    tx.query(
        &format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE revoked_at IS NULL
             ORDER BY enrolled_at, device_id COLLATE \"C\""
        ),
        &[],
    )?
    .iter()
    .map(device_row)
    .collect()
}

/// See [`super::HubStore::revoke`].
pub(super) fn revoke(tx: &mut dyn Tx, device_id: &str, now: i64) -> Result<Option<u64>, HubError> {
    tx.lock(Lock::Key(POOL_LOCK))?;
    if tx.execute(
        "UPDATE devices SET revoked_at = coalesce(revoked_at, $2) WHERE device_id = $1",
        args![device_id, now],
    )? == 0
    {
        return Ok(None);
    }
    // Pool copies are counted; gold copies are closed too but go back to no pool.
    let returned = tx.execute(
        &format!(
            "UPDATE copies AS c SET state = 'returned', returned_at = $2
             WHERE c.device_id = $1 AND c.state = 'open' AND NOT c.gold AND NOT ({LABELLED})"
        ),
        args![device_id, now],
    )?;
    tx.execute(
        &format!(
            "UPDATE copies AS c SET state = 'returned', returned_at = $2
             WHERE c.device_id = $1 AND c.state = 'open' AND c.gold AND NOT ({LABELLED})"
        ),
        args![device_id, now],
    )?;
    Ok(Some(returned))
}

/// See [`super::HubStore::use_nonce`]. A concurrent insert of the same nonce by another
/// hub waits for this one and then inserts nothing: exactly one of them wins.
pub(super) fn use_nonce(
    tx: &mut dyn Tx,
    device_id: &str,
    nonce: &str,
    now: i64,
) -> Result<bool, HubError> {
    // Nonces older than twice the clock window can no longer pass the time check.
    tx.execute(
        "DELETE FROM nonces WHERE seen_at < $1",
        args![now - 2 * labelvault_core::protocol::MAX_CLOCK_SKEW_SECS],
    )?;
    Ok(tx.execute(
        "INSERT INTO nonces (device_id, nonce, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        args![device_id, nonce, now],
    )? == 1)
}

/// See [`super::HubStore::note_device_head`].
pub(super) fn note_head(
    tx: &mut dyn Tx,
    device_id: &str,
    seq: u64,
    head: &str,
) -> Result<(), HubError> {
    tx.execute(
        "UPDATE devices SET ledger_seq = $2, ledger_head = $3
         WHERE device_id = $1 AND (ledger_seq IS NULL OR ledger_seq < $2)",
        args![device_id, i64::try_from(seq).unwrap_or(i64::MAX), head],
    )?;
    Ok(())
}

/// See [`super::HubStore::device_heads`].
pub(super) fn heads(tx: &mut dyn Tx) -> Result<Vec<DeviceHead>, HubError> {
    tx.query(
        "SELECT device_id, ledger_seq, ledger_head FROM devices
         WHERE ledger_seq IS NOT NULL ORDER BY device_id COLLATE \"C\"",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(DeviceHead {
            device_id: r.text(0)?,
            seq: r.u64(1)?,
            head: r.text(2)?,
        })
    })
    .collect()
}

/// See [`super::HubStore::annotators`].
pub(super) fn annotators(tx: &mut dyn Tx) -> Result<Vec<AnnotatorRecord>, HubError> {
    let mut rows = Vec::new();
    for r in tx.query(super::ANNOTATORS_SQL, &[])? {
        rows.push((r.text(0)?, r.text(1)?, r.opt_text(2)?, r.bool(3)?));
    }
    Ok(super::fold_annotators(rows))
}
