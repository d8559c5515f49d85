//! Recording decisions and undoing them. Every change is a new row in `label_events`
//! committed before the call returns; nothing is overwritten, so undo never loses a
//! decision and a crash loses nothing that was acknowledged.

use super::queue::{item_from_row, RecentDecision, ITEM_COLUMNS};
use super::Vault;
use crate::error::VaultError;
use crate::labels::{
    content_problem, ContentProblem, Decision, Flag, LabelRecord, Span, Verdict, MAX_ALSO_INTENTS,
    MAX_SPANS,
};
use rusqlite::{params, OptionalExtension};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A stored revision from [`EVENT_COLUMNS`] starting at column `base`: the one reader
/// of `label_events` rows, for the app's history and the outbound queue alike.
pub(super) fn record_from_row(r: &rusqlite::Row<'_>, base: usize) -> rusqlite::Result<LabelRecord> {
    let verdict: Option<String> = r.get(base + 2)?;
    let spans: String = r.get(base + 6)?;
    Ok(LabelRecord {
        item_id: r.get(base)?,
        revision: r.get(base + 1)?,
        verdict: verdict.as_deref().and_then(Verdict::parse),
        retracted: r.get::<_, i64>(base + 3)? != 0,
        intent_id: r.get(base + 4)?,
        flags: Flag::from_bits(r.get(base + 5)?),
        pii_spans: serde_json::from_str(&spans).unwrap_or_default(),
        duration_ms: r.get::<_, i64>(base + 7)?.max(0) as u64,
        created_at_ms: r.get(base + 8)?,
        // Written by `record` from a checked list; a damaged value shows none.
        also_intents: serde_json::from_str(&r.get::<_, String>(base + 9)?).unwrap_or_default(),
    })
}

/// The `label_events` columns [`record_from_row`] reads, in its order (alias `e`).
pub(super) const EVENT_COLUMNS: &str =
    "e.item_id, e.revision, e.verdict, e.retracted, e.intent_id, e.flags, e.pii_spans, e.duration_ms, e.created_at, e.also_intents";

impl Vault {
    /// Validate and store a decision as the item's next revision. Errors name the
    /// problem and the item id, never its text.
    pub fn record(&mut self, d: &Decision) -> Result<LabelRecord, VaultError> {
        let tx = self.conn.transaction()?;
        let (batch_seq, batch_id, model_intent, text, revision): (
            i64,
            String,
            String,
            String,
            u32,
        ) = tx
            .query_row(
                "SELECT i.batch_seq, b.batch_id, i.model_intent, i.text, i.revision
                 FROM items i JOIN batches b ON b.seq = i.batch_seq WHERE i.item_id = ?1",
                [&d.item_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?
            .ok_or_else(|| VaultError::Invalid(format!("unknown item {}", d.item_id)))?;
        let intent_id = match (d.verdict, &d.intent_id) {
            (Verdict::Correct, None) => Some(model_intent),
            (Verdict::Correct, Some(i)) if *i != model_intent => {
                return Err(VaultError::Invalid(
                    "a `correct` verdict cannot name an intent other than the model's; use `wrong`"
                        .into(),
                ))
            }
            (_, i) => i.clone(),
        };
        let chars = text.chars().count() as u32;
        match content_problem(
            Some(d.verdict),
            intent_id.as_deref(),
            &d.pii_spans,
            Some(chars),
        ) {
            None => {}
            Some(ContentProblem::NoVerdict | ContentProblem::WrongWithoutIntent) => {
                return Err(VaultError::Invalid(
                    "a `wrong` verdict needs the right intent".into(),
                ))
            }
            Some(ContentProblem::TooManySpans) => {
                return Err(VaultError::Invalid(format!(
                    "at most {MAX_SPANS} missed-PII spans per label"
                )))
            }
            Some(ContentProblem::BadSpan(s)) => {
                return Err(VaultError::Invalid(format!(
                    "missed-PII span {}..{} is outside the item's {chars} characters",
                    s.start, s.end
                )))
            }
        }
        // Every intent a label names is one of its batch's taxonomy.
        let in_taxonomy = |i: &str| -> Result<(), VaultError> {
            let known: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM batch_intents WHERE batch_seq = ?1 AND intent_id = ?2)",
                params![batch_seq, i],
                |r| r.get(0),
            )?;
            if known {
                Ok(())
            } else {
                Err(VaultError::Invalid(format!(
                    "intent {i} is not in the taxonomy of batch {batch_id}"
                )))
            }
        };
        if let Some(i) = &intent_id {
            in_taxonomy(i)?;
        }
        // The other intents: only with the flag, from the taxonomy, distinct, not the
        // label's own (the label grammar, `grammar::check_label`, says the same).
        if !d.also_intents.is_empty() {
            if !d.flags.contains(&Flag::MultipleIntents) {
                return Err(VaultError::Invalid(
                    "other intents need the multiple_intents flag".into(),
                ));
            }
            if d.also_intents.len() > MAX_ALSO_INTENTS {
                return Err(VaultError::Invalid(format!(
                    "at most {MAX_ALSO_INTENTS} other intents per label"
                )));
            }
            for (n, i) in d.also_intents.iter().enumerate() {
                if Some(i) == intent_id.as_ref() || d.also_intents[..n].contains(i) {
                    return Err(VaultError::Invalid(format!(
                        "intent {i} is named twice in one label"
                    )));
                }
                in_taxonomy(i)?;
            }
        }
        let mut spans: Vec<Span> = d.pii_spans.clone();
        // Sorted and merged where they overlap: the label grammar wants disjoint spans.
        spans.sort_by_key(|s| (s.start, s.end));
        let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
        for s in spans {
            match merged.last_mut() {
                Some(last) if s.start < last.end => last.end = last.end.max(s.end),
                _ => merged.push(s),
            }
        }
        let spans = merged;
        let mut flags = d.flags.clone();
        if !spans.is_empty() && !flags.contains(&Flag::MissedPii) {
            flags.push(Flag::MissedPii);
        }
        flags.sort();
        flags.dedup();
        let rec = LabelRecord {
            item_id: d.item_id.clone(),
            revision: revision + 1,
            retracted: false,
            verdict: Some(d.verdict),
            intent_id,
            flags,
            pii_spans: spans,
            duration_ms: d.duration_ms.min(24 * 3600 * 1000),
            created_at_ms: now_ms(),
            also_intents: d.also_intents.clone(),
        };
        let spans_json = serde_json::to_string(&rec.pii_spans)
            .map_err(|e| VaultError::Storage(e.to_string()))?;
        tx.execute(
            "INSERT INTO label_events (item_id, revision, retracted, verdict, intent_id, flags,
                                       pii_spans, duration_ms, created_at, also_intents)
             VALUES (?1, ?2, 0, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                rec.item_id,
                rec.revision,
                d.verdict.as_str(),
                rec.intent_id,
                Flag::to_bits(&rec.flags),
                spans_json,
                rec.duration_ms as i64,
                rec.created_at_ms,
                serde_json::to_string(&rec.also_intents)
                    .map_err(|e| VaultError::Storage(e.to_string()))?
            ],
        )?;
        let event = tx.last_insert_rowid();
        tx.execute(
            "UPDATE items SET done = 1, skipped = ?4, revision = ?2, decided_event = ?3 WHERE item_id = ?1",
            params![rec.item_id, rec.revision, event, rec.verdict == Some(Verdict::Skip)],
        )?;
        tx.commit()?;
        self.note_decision();
        Ok(rec)
    }

    /// Take back the most recent decision still standing: a new revision marks it
    /// retracted and the item returns to the queue. `None` when nothing is left to undo.
    pub fn undo(&mut self) -> Result<Option<LabelRecord>, VaultError> {
        let tx = self.conn.transaction()?;
        let last: Option<(String, u32)> = tx
            .query_row(
                "SELECT item_id, revision FROM items INDEXED BY items_decided
                 WHERE done = 1 ORDER BY decided_event DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((item_id, revision)) = last else {
            return Ok(None);
        };
        let rec = LabelRecord {
            item_id,
            revision: revision + 1,
            retracted: true,
            verdict: None,
            intent_id: None,
            flags: vec![],
            pii_spans: vec![],
            duration_ms: 0,
            created_at_ms: now_ms(),
            also_intents: Vec::new(),
        };
        tx.execute(
            "INSERT INTO label_events (item_id, revision, retracted, verdict, intent_id, flags,
                                       pii_spans, duration_ms, created_at)
             VALUES (?1, ?2, 1, NULL, NULL, 0, '[]', 0, ?3)",
            params![rec.item_id, rec.revision, rec.created_at_ms],
        )?;
        tx.execute(
            "UPDATE items SET done = 0, skipped = 0, revision = ?2, decided_event = NULL WHERE item_id = ?1",
            params![rec.item_id, rec.revision],
        )?;
        tx.commit()?;
        self.note_decision();
        Ok(Some(rec))
    }

    /// Every revision of an item's label, oldest first.
    pub fn history(&self, item_id: &str) -> Result<Vec<LabelRecord>, VaultError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM label_events e WHERE e.item_id = ?1 ORDER BY e.revision"
        ))?;
        let rows = st.query_map([item_id], |r| record_from_row(r, 0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The current label of every decided item, in the order decided.
    pub fn current_labels(&self) -> Result<Vec<LabelRecord>, VaultError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM items i INDEXED BY items_decided
             JOIN label_events e ON e.event_id = i.decided_event
             WHERE i.done = 1 ORDER BY i.decided_event"
        ))?;
        let rows = st.query_map([], |r| record_from_row(r, 0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The last `limit` decisions still standing, newest first, with their items.
    pub fn recent_decisions(&self, limit: usize) -> Result<Vec<RecentDecision>, VaultError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {ITEM_COLUMNS}, {EVENT_COLUMNS} FROM items i INDEXED BY items_decided
             JOIN batches b ON b.seq = i.batch_seq
             JOIN label_events e ON e.event_id = i.decided_event
             WHERE i.done = 1 ORDER BY i.decided_event DESC LIMIT ?1"
        ))?;
        let rows = st.query_map([limit as i64], |r| {
            Ok(RecentDecision {
                item: item_from_row(r)?,
                label: record_from_row(r, 8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
