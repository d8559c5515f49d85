//! Notices to devices (erase or mask items they hold), written once for both stores
//! over [`Tx`]: queued per device, handed out in order, acknowledged once.

use super::sql::{args, Sealed, Tx};
use crate::error::HubError;
use labelvault_core::protocol::Notice;

/// See [`super::HubStore::add_notices`].
pub(super) fn add(tx: &mut dyn Tx, notices: &[Notice], now: i64) -> Result<(), HubError> {
    for n in notices {
        tx.execute(
            "INSERT INTO notices (notice_id, device_id, erasure_id, kind, items, item_count, created_at)
             VALUES ($1, $2, NULL, $3, $4, $5, $6)",
            args![
                &n.notice_id,
                &n.device_id,
                super::notice_kind_str(n.kind),
                &super::to_json(&n.items),
                i64::try_from(n.items.len()).unwrap_or(i64::MAX),
                now
            ],
        )?;
    }
    Ok(())
}

/// See [`super::HubStore::pending_notices`].
pub(super) fn pending(tx: &mut dyn Tx, device_id: &str) -> Result<Vec<Notice>, HubError> {
    let limit = labelvault_core::protocol::MAX_NOTICES_PER_ACK as i64;
    tx.query(
        "SELECT notice_id, kind, items FROM notices WHERE device_id = $1 AND acked_at IS NULL
         ORDER BY created_at, notice_id COLLATE \"C\" LIMIT $2",
        args![device_id, limit],
    )?
    .iter()
    .map(|r| super::notice_from_row(r.text(0)?, device_id.to_string(), &r.text(1)?, &r.text(2)?))
    .collect()
}

/// See [`super::HubStore::ack_notices`].
pub(super) fn ack(
    tx: &mut dyn Tx,
    device_id: &str,
    notice_ids: &[String],
    now: i64,
    pin: Option<(u64, String)>,
) -> Result<u64, HubError> {
    let (seq, head) = match pin {
        Some((s, h)) => (Some(i64::try_from(s).unwrap_or(i64::MAX)), Some(h)),
        None => (None, None),
    };
    let mut n = 0;
    for id in notice_ids {
        n += tx.execute(
            "UPDATE notices SET acked_at = $3, ack_seq = $4, ack_head = $5
             WHERE notice_id = $1 AND device_id = $2 AND acked_at IS NULL",
            args![id, device_id, now, seq, head.as_ref()],
        )?;
    }
    Ok(n)
}

/// See [`super::HubStore::company_copies`].
pub(super) fn company_copies(
    tx: &mut dyn Tx,
    company: &str,
) -> Result<Vec<(String, String, String)>, HubError> {
    let rows = tx.query(
        "SELECT c.device_id, c.item_id, c.redacted FROM copies c
         JOIN messages m ON m.message_id = c.message_id
         JOIN devices d ON d.device_id = c.device_id
         WHERE m.company = $1 AND m.erased_at IS NULL AND c.redacted IS NOT NULL
           AND d.revoked_at IS NULL
         ORDER BY c.device_id COLLATE \"C\", c.item_id COLLATE \"C\"",
        args![company],
    )?;
    rows.iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?, tx.open(Sealed::Copy, r.text(2)?)?)))
        .collect()
}
