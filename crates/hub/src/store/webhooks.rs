//! The retraining webhook's outbox, written once for both stores over [`Tx`]: one event
//! per episode, claimed by one hub at a time, every attempt recorded.

use super::sql::{args, Row, Tx};
use super::{WebhookAttempt, WebhookDelivery, WebhookEvent};
use crate::error::HubError;

/// See [`super::HubStore::webhook_enqueue`].
pub(super) fn enqueue(
    tx: &mut dyn Tx,
    episode: i64,
    event_id: &str,
    body: &str,
    now_ms: i64,
) -> Result<bool, HubError> {
    let n = tx.execute(
        "INSERT INTO webhook_events (event_id, episode, body, created_at_ms, state, attempts, next_attempt_at_ms)
         VALUES ($1, $2, $3, $4, 'pending', 0, $4) ON CONFLICT (episode) DO NOTHING",
        args![event_id, episode, body, now_ms],
    )?;
    Ok(n == 1)
}

/// See [`super::HubStore::webhook_claim`]. `SKIP LOCKED`: hubs sharing a PostgreSQL
/// database each take a different event.
pub(super) fn claim(
    tx: &mut dyn Tx,
    now_ms: i64,
    lease_until_ms: i64,
) -> Result<Option<WebhookEvent>, HubError> {
    tx.query_opt(
        "UPDATE webhook_events SET next_attempt_at_ms = $2 WHERE event_id = (
             SELECT event_id FROM webhook_events
             WHERE state = 'pending' AND next_attempt_at_ms <= $1
             ORDER BY next_attempt_at_ms, created_at_ms LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING event_id, episode, body, attempts",
        args![now_ms, lease_until_ms],
    )?
    .map(|r| {
        Ok(WebhookEvent {
            event_id: r.text(0)?,
            episode: r.i64(1)?,
            body: r.text(2)?,
            attempts: count32(&r, 3)?,
        })
    })
    .transpose()
}

fn count32(r: &Row, i: usize) -> Result<u32, HubError> {
    Ok(u32::try_from(r.u64(i)?).unwrap_or(u32::MAX))
}

/// See [`super::HubStore::webhook_record`].
pub(super) fn record(tx: &mut dyn Tx, a: &WebhookAttempt) -> Result<bool, HubError> {
    let held = tx.execute(
        "UPDATE webhook_events SET state = $2, attempts = $3, next_attempt_at_ms = $4
         WHERE event_id = $1 AND state = 'pending' AND attempts = $5",
        args![
            &a.event_id,
            &a.state,
            a.attempt,
            a.next_attempt_at_ms,
            i64::from(a.attempt) - 1
        ],
    )?;
    if held != 1 {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO webhook_attempts (event_id, attempt, at_ms, status, error, next_attempt_at_ms, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![
            &a.event_id,
            a.attempt,
            a.at_ms,
            a.status,
            a.error.as_ref(),
            a.next_attempt_at_ms,
            &a.state
        ],
    )?;
    Ok(true)
}

/// See [`super::HubStore::webhook_deliveries`].
pub(super) fn deliveries(tx: &mut dyn Tx, limit: usize) -> Result<Vec<WebhookDelivery>, HubError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let events = tx.query(
        "SELECT event_id, episode, created_at_ms, state, next_attempt_at_ms FROM webhook_events
         ORDER BY created_at_ms DESC, episode DESC LIMIT $1",
        args![limit],
    )?;
    let mut out = Vec::with_capacity(events.len());
    for r in &events {
        let event_id = r.text(0)?;
        let attempts = tx
            .query(
                "SELECT event_id, attempt, at_ms, status, error, next_attempt_at_ms, state
                 FROM webhook_attempts WHERE event_id = $1 ORDER BY attempt",
                args![&event_id],
            )?
            .iter()
            .map(|a| {
                Ok(WebhookAttempt {
                    event_id: a.text(0)?,
                    attempt: count32(a, 1)?,
                    at_ms: a.i64(2)?,
                    status: a.opt_i64(3)?.map(|s| s.clamp(0, 999) as u16),
                    error: a.opt_text(4)?,
                    next_attempt_at_ms: a.opt_i64(5)?,
                    state: a.text(6)?,
                })
            })
            .collect::<Result<Vec<_>, HubError>>()?;
        let state = r.text(3)?;
        out.push(WebhookDelivery {
            event_id,
            episode: r.i64(1)?,
            created_at_ms: r.i64(2)?,
            next_attempt_at_ms: if state == "pending" {
                r.opt_i64(4)?
            } else {
                None
            },
            state,
            attempts,
        });
    }
    Ok(out)
}

/// See [`super::HubStore::webhook_supersede`].
pub(super) fn supersede(tx: &mut dyn Tx, event_id: &str, attempts: u32) -> Result<bool, HubError> {
    Ok(tx.execute(
        "UPDATE webhook_events SET state = 'superseded', next_attempt_at_ms = NULL
         WHERE event_id = $1 AND state = 'pending' AND attempts = $2",
        args![event_id, attempts],
    )? == 1)
}

/// See [`super::HubStore::webhook_counts`].
pub(super) fn counts(tx: &mut dyn Tx) -> Result<Vec<(String, u64)>, HubError> {
    tx.query(
        "SELECT state, count(*) FROM webhook_events GROUP BY state ORDER BY state COLLATE \"C\"",
        &[],
    )?
    .iter()
    .map(|r| Ok((r.text(0)?, r.u64(1)?)))
    .collect()
}
