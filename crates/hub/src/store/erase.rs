//! Erasure of messages (a data subject's request, a company leaving), written once for
//! both stores over [`Tx`]: texts and redacted copies removed, unlabelled copies
//! returned, sealed batches deleted, a notice queued for every device holding an item,
//! and the erasure recorded with what it did.

use super::devices::{LABELLED, POOL_LOCK};
use super::sql::{args, Lock, Tx};
use crate::error::HubError;
use labelvault_core::erasure::{EraseRequest, Erasure, HubErasure};

/// The messages a request names, sorted: to erase, not found, already erased.
#[derive(Default)]
struct Named {
    erased: Vec<String>,
    not_found: Vec<String>,
    already: Vec<String>,
}

fn select(tx: &mut dyn Tx, request: &EraseRequest) -> Result<Named, HubError> {
    let (mut erased, mut not_found, mut already) = (Vec::new(), Vec::new(), Vec::new());
    let company = request.company.as_deref();
    let before = request.received_before;
    let filter = "(CAST($2 AS TEXT) IS NULL OR company = $2)
                  AND (CAST($3 AS BIGINT) IS NULL OR received_at < $3)";
    if request.message_ids.is_empty() {
        for r in tx.query(
            &format!(
                "SELECT message_id FROM messages
                 WHERE erased_at IS NULL AND {filter} AND CAST($1 AS TEXT) IS NULL
                 ORDER BY message_id COLLATE \"C\""
            ),
            args![None::<&str>, company, before],
        )? {
            erased.push(r.text(0)?);
        }
    } else {
        for id in &request.message_ids {
            match tx.query_opt(
                &format!(
                    "SELECT erased_at IS NOT NULL FROM messages WHERE message_id = $1 AND {filter}"
                ),
                args![id, company, before],
            )? {
                None => not_found.push(id.clone()),
                Some(r) if r.bool(0)? => already.push(id.clone()),
                Some(_) => erased.push(id.clone()),
            }
        }
        erased.sort();
        erased.dedup();
    }
    Ok(Named {
        erased,
        not_found,
        already,
    })
}

/// See [`super::HubStore::erase`].
pub(super) fn erase(
    tx: &mut dyn Tx,
    erasure_id: &str,
    requested_by: &str,
    request: &EraseRequest,
    now: i64,
) -> Result<(), HubError> {
    tx.lock(Lock::Key(POOL_LOCK))?;
    let Named {
        erased,
        not_found,
        already,
    } = select(tx, request)?;
    let mut hub = HubErasure::default();
    let mut held = Vec::new();
    let mut batches = std::collections::BTreeSet::new();
    for id in &erased {
        hub.texts_removed += tx.execute(
            "UPDATE messages SET text = '', erased_at = $2 WHERE message_id = $1",
            args![id, now],
        )?;
        for r in tx.query(
            "SELECT device_id, item_id, batch_id FROM copies WHERE message_id = $1",
            args![id],
        )? {
            held.push((r.text(0)?, r.text(1)?));
            batches.insert(r.text(2)?);
        }
        hub.copies_cleared += tx.execute(
            "UPDATE copies SET redacted = NULL WHERE message_id = $1 AND redacted IS NOT NULL",
            args![id],
        )?;
        tx.execute(
            &format!(
                "UPDATE copies AS c SET state = 'returned', returned_at = $2
                 WHERE c.message_id = $1 AND c.state = 'open' AND NOT ({LABELLED})"
            ),
            args![id, now],
        )?;
    }
    let empty: &[u8] = &[];
    for b in &batches {
        let Some(r) = tx.query_opt(
            "SELECT fetched_at FROM batches WHERE batch_id = $1 AND erased_at IS NULL",
            args![b],
        )?
        else {
            continue;
        };
        if r.opt_i64(0)?.is_none() {
            hub.copies_returned_to_pool += tx.execute(
                &format!(
                    "UPDATE copies AS c SET state = 'returned', returned_at = $2
                     WHERE c.batch_id = $1 AND c.state = 'open' AND NOT ({LABELLED})"
                ),
                args![b, now],
            )?;
        }
        hub.sealed_batches_deleted += tx.execute(
            "UPDATE batches SET bytes = $3, erased_at = $2 WHERE batch_id = $1",
            args![b, now, empty],
        )?;
    }
    if let (Some(company), true, None) = (
        &request.company,
        request.message_ids.is_empty(),
        request.received_before,
    ) {
        hub.company_terms_deleted += tx.execute(
            "DELETE FROM company_terms WHERE company = $1",
            args![company],
        )?;
    }
    for n in &super::erase_notices(held)? {
        tx.execute(
            "INSERT INTO notices (notice_id, device_id, erasure_id, kind, items, item_count, created_at)
             VALUES ($1, $2, $3, 'erase', $4, $5, $6)",
            args![
                &n.notice_id,
                &n.device_id,
                erasure_id,
                &super::to_json(&n.items),
                i64::try_from(n.items.len()).unwrap_or(i64::MAX),
                now
            ],
        )?;
    }
    tx.execute(
        "INSERT INTO erasures (erasure_id, requested_at, requested_by, request, erased, not_found, already_erased, hub)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![
            erasure_id,
            now,
            requested_by,
            &super::to_json(request),
            &super::to_json(&erased),
            &super::to_json(&not_found),
            &super::to_json(&already),
            &super::to_json(&hub)
        ],
    )?;
    Ok(())
}

/// See [`super::HubStore::erasure`].
pub(super) fn get(tx: &mut dyn Tx, erasure_id: &str) -> Result<Option<Erasure>, HubError> {
    let Some(r) = tx.query_opt(
        "SELECT erasure_id, requested_at, requested_by, request, erased, not_found, already_erased, hub
         FROM erasures WHERE erasure_id = $1",
        args![erasure_id],
    )?
    else {
        return Ok(None);
    };
    let row = (
        r.text(0)?,
        r.i64(1)?,
        r.text(2)?,
        r.text(3)?,
        r.text(4)?,
        r.text(5)?,
        r.text(6)?,
        r.text(7)?,
    );
    let notices = tx
        .query(
            "SELECT n.device_id, n.notice_id, n.item_count, n.acked_at, n.ack_seq, n.ack_head,
                    d.revoked_at IS NOT NULL
             FROM notices n JOIN devices d ON d.device_id = n.device_id
             WHERE n.erasure_id = $1 ORDER BY n.device_id COLLATE \"C\"",
            args![erasure_id],
        )?
        .iter()
        .map(|n| {
            Ok((
                n.text(0)?,
                n.text(1)?,
                n.i64(2)?,
                n.opt_i64(3)?,
                n.opt_i64(4)?,
                n.opt_text(5)?,
                n.bool(6)?,
            ))
        })
        .collect::<Result<Vec<_>, HubError>>()?;
    Ok(Some(super::fold_erasure(row, notices)?))
}
