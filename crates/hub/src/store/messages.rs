//! Stored messages as the review pipeline reads them, written once for both stores
//! over [`Tx`]: gold messages, the intents in use, prediction revisions, and texts that
//! retention retires. Texts go through [`Tx::open`]/[`Tx::seal`] (sealed by the hub on
//! PostgreSQL).

use super::devices::LABELLED;
use super::sql::{args, Arg, Row, Sealed, Tx};
use super::{CandidateQuery, Candidates, IngestReport, LabelledPrediction, PredictionRevision};
use crate::error::HubError;
use labelvault_core::pipeline::Message;

/// The columns [`message_row`] reads, in its order; the table is aliased `m`.
pub(super) const MESSAGE_COLUMNS: &str = "m.message_id, m.text, m.company, m.channel, m.received_at, m.model_intent, m.confidence, m.probabilities, m.reported_false_positive, m.no_consent, m.model_version, m.language";

/// SQL: the message aliased `m` may be used for training (its own consent and its
/// company's).
pub(super) const CONSENTED: &str = "NOT m.no_consent AND NOT EXISTS (SELECT 1 FROM companies k WHERE k.company = m.company AND k.no_consent)";

/// A model's probabilities as stored.
pub(super) fn probabilities(s: &str, column: usize) -> Result<Vec<(String, f64)>, HubError> {
    if s == "[]" {
        // What every candidate read without distributions holds: not worth a parse.
        return Ok(Vec::new());
    }
    serde_json::from_str(s).map_err(|_| {
        HubError::Internal(format!(
            "a stored row is damaged: its probabilities (column {column}) are not a JSON list of [intent, probability]; restore the hub database from a backup"
        ))
    })
}

/// A message read with [`MESSAGE_COLUMNS`] first.
pub(super) fn message_row(tx: &dyn Tx, r: &mut Row) -> Result<Message, HubError> {
    let text = tx.open(Sealed::Message, r.take_text(1)?)?;
    message_with_text(r, text)
}

/// A message read with [`MESSAGE_COLUMNS`] first, with `text` for its text column; its
/// values are moved out of `r`.
fn message_with_text(r: &mut Row, text: String) -> Result<Message, HubError> {
    Ok(Message {
        message_id: r.take_text(0)?,
        text,
        company: r.take_text(2)?,
        channel: r.take_text(3)?,
        received_at: r.i64(4)?,
        model_intent: r.take_text(5)?,
        confidence: r.f64(6)?,
        probabilities: probabilities(&r.take_text(7)?, 7)?,
        reported_false_positive: r.bool(8)?,
        training_consent: !r.bool(9)?,
        model_version: r.take_text(10)?,
        language: r.take_opt_text(11)?,
    })
}

/// See [`super::HubStore::gold_messages`].
pub(super) fn gold(tx: &mut dyn Tx) -> Result<Vec<(Message, String)>, HubError> {
    let rows = tx.query(
        &format!(
            "SELECT {MESSAGE_COLUMNS}, m.gold_intent FROM messages m
             WHERE m.gold_intent IS NOT NULL AND m.erased_at IS NULL AND {CONSENTED}
             ORDER BY m.message_id COLLATE \"C\""
        ),
        &[],
    )?;
    rows.into_iter()
        .map(|mut r| {
            let gold = r.take_text(12)?;
            Ok((message_row(tx, &mut r)?, gold))
        })
        .collect()
}

/// See [`super::HubStore::known_intents`]. Skips through `messages_intent`, one seek per
/// distinct intent, instead of reading every message: a dispatch asks for these on a
/// million messages.
pub(super) fn known_intents(tx: &mut dyn Tx) -> Result<Vec<String>, HubError> {
    tx.query(
        "WITH RECURSIVE n(v) AS (
             SELECT min(model_intent) FROM messages
             UNION ALL
             SELECT (SELECT min(model_intent) FROM messages WHERE model_intent > n.v)
             FROM n WHERE n.v IS NOT NULL
         )
         SELECT i FROM (SELECT v AS i FROM n WHERE v IS NOT NULL
                        UNION SELECT gold_intent FROM messages WHERE gold_intent IS NOT NULL) u
         ORDER BY i COLLATE \"C\"",
        &[],
    )?
    .iter()
    .map(|r| r.text(0))
    .collect()
}

/// See [`super::HubStore::raw_texts_before`].
pub(super) fn raw_texts_before(
    tx: &mut dyn Tx,
    cutoff: i64,
    limit: usize,
) -> Result<Vec<(String, String, String)>, HubError> {
    let rows = tx.query(
        "SELECT message_id, text, company FROM messages
         WHERE ingested_at < $1 AND text_retired_at IS NULL AND erased_at IS NULL
         ORDER BY ingested_at, message_id COLLATE \"C\" LIMIT $2",
        args![cutoff, i64::try_from(limit).unwrap_or(i64::MAX)],
    )?;
    rows.iter()
        .map(|r| {
            Ok((
                r.text(0)?,
                tx.open(Sealed::Message, r.text(1)?)?,
                r.text(2)?,
            ))
        })
        .collect()
}

/// See [`super::HubStore::retire_text`].
pub(super) fn retire_text(
    tx: &mut dyn Tx,
    message_id: &str,
    redacted: &str,
    now: i64,
) -> Result<bool, HubError> {
    let sealed = tx.seal(Sealed::Message, redacted)?;
    Ok(tx.execute(
        "UPDATE messages SET text = $2, text_retired_at = $3
         WHERE message_id = $1 AND text_retired_at IS NULL AND erased_at IS NULL",
        args![message_id, &sealed, now],
    )? == 1)
}

/// See [`super::HubStore::prediction_revisions`].
pub(super) fn prediction_revisions(tx: &mut dyn Tx) -> Result<Vec<PredictionRevision>, HubError> {
    tx.query(
        "SELECT p.message_id, p.revision, p.model_version, p.model_intent, p.confidence, m.language
         FROM prediction_revisions p JOIN messages m ON m.message_id = p.message_id
         WHERE EXISTS (SELECT 1 FROM copies c WHERE c.message_id = p.message_id)
         ORDER BY p.message_id COLLATE \"C\", p.revision",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(PredictionRevision {
            message_id: r.text(0)?,
            revision: r.i64(1)?,
            model_version: r.text(2)?,
            model_intent: r.text(3)?,
            confidence: r.f64(4)?,
            language: r.opt_text(5)?,
        })
    })
    .collect()
}

/// See [`super::HubStore::labelled_predictions`].
pub(super) fn labelled_predictions(tx: &mut dyn Tx) -> Result<Vec<LabelledPrediction>, HubError> {
    tx.query(
        "SELECT p.message_id, p.model_version, p.model_intent, p.confidence, p.probabilities
         FROM prediction_revisions p
         WHERE p.revision = (SELECT min(c.prediction_revision) FROM copies c
                             WHERE c.message_id = p.message_id
                               AND EXISTS (SELECT 1 FROM labels l
                                           WHERE l.device_id = c.device_id AND l.item_id = c.item_id))",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(LabelledPrediction {
            message_id: r.text(0)?,
            model_version: r.text(1)?,
            model_intent: r.text(2)?,
            confidence: r.f64(3)?,
            probabilities: probabilities(&r.text(4)?, 4)?,
        })
    })
    .collect()
}

/// A model's probabilities as stored: a JSON list of `[intent, probability]`.
pub(super) fn probabilities_json(p: &[(String, f64)]) -> String {
    super::to_json(&p)
}

/// See [`super::HubStore::insert_messages`]. A message already held with the same text
/// is a duplicate (same prediction) or a re-score (another prediction: a new revision);
/// another text under the same id is refused.
pub(super) fn insert(
    tx: &mut dyn Tx,
    messages: &[Message],
    now: i64,
) -> Result<IngestReport, HubError> {
    let mut report = IngestReport::default();
    // Rows are taken in message id order, so two ingests naming the same messages in
    // different orders lock them in the same order and cannot deadlock.
    let mut order: Vec<usize> = (0..messages.len()).collect();
    order.sort_by(|&a, &b| messages[a].message_id.cmp(&messages[b].message_id));
    for index in order {
        let m = &messages[index];
        let sealed = tx.seal(Sealed::Message, &m.text)?;
        let probabilities = probabilities_json(&m.probabilities);
        let inserted = tx.execute(
            "INSERT INTO messages (message_id, text, company, channel, received_at, model_intent,
                                   confidence, probabilities, reported_false_positive, no_consent,
                                   model_version, language, ingested_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING",
            args![
                &m.message_id,
                &sealed,
                &m.company,
                &m.channel,
                m.received_at,
                &m.model_intent,
                m.confidence,
                &probabilities,
                m.reported_false_positive,
                !m.training_consent,
                &m.model_version,
                m.language.as_ref(),
                now
            ],
        )?;
        if inserted == 1 {
            report.inserted += 1;
            tx.execute(
                "INSERT INTO companies (company, newly_onboarded, updated_at) VALUES ($1, FALSE, $2)
                 ON CONFLICT DO NOTHING",
                args![&m.company, now],
            )?;
            add_revision(tx, m, 1, &probabilities, now)?;
            continue;
        }
        // FOR UPDATE: two ingests re-scoring one message at once take turns, so each
        // revision number is given once. The latest revision is read by a separate
        // statement once the lock is held: under PostgreSQL's READ COMMITTED a subquery
        // of the locking statement would still see the snapshot from before the other
        // ingest committed.
        let r = tx.query_one(
            "SELECT text, model_version, model_intent, confidence, probabilities,
                    erased_at IS NOT NULL, text_retired_at IS NOT NULL
             FROM messages m WHERE message_id = $1 FOR UPDATE",
            args![&m.message_id],
        )?;
        let revisions = tx
            .query_one(
                "SELECT CAST(coalesce(max(revision), 0) AS BIGINT) FROM prediction_revisions
                 WHERE message_id = $1",
                args![&m.message_id],
            )?
            .i64(0)?;
        let held = super::HeldPrediction {
            text: tx.open(Sealed::Message, r.text(0)?)?,
            model_version: r.text(1)?,
            model_intent: r.text(2)?,
            confidence: r.f64(3)?,
            probabilities: r.text(4)?,
            erased: r.bool(5)?,
            retired: r.bool(6)?,
            revisions,
            message_id: m.message_id.clone(),
        };
        match held.compare(m) {
            super::Known::Same => report.duplicates += 1,
            super::Known::Refused(reason) => report.refused.push(super::RefusedMessage {
                index,
                message_id: m.message_id.clone(),
                reason,
            }),
            super::Known::Rescored => {
                add_revision(tx, m, held.revisions + 1, &probabilities, now)?;
                tx.execute(
                    "UPDATE messages SET model_version = $2, model_intent = $3, confidence = $4,
                            probabilities = $5, language = coalesce($6, language)
                     WHERE message_id = $1",
                    args![
                        &m.message_id,
                        &m.model_version,
                        &m.model_intent,
                        m.confidence,
                        &probabilities,
                        m.language.as_ref()
                    ],
                )?;
                report.rescored += 1;
            }
        }
    }
    report.refused.sort_by_key(|r| r.index);
    Ok(report)
}

fn add_revision(
    tx: &mut dyn Tx,
    m: &Message,
    revision: i64,
    probabilities: &str,
    now: i64,
) -> Result<(), HubError> {
    tx.execute(
        "INSERT INTO prediction_revisions (message_id, revision, model_version, model_intent,
                                           confidence, probabilities, ingested_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![
            &m.message_id,
            revision,
            &m.model_version,
            &m.model_intent,
            m.confidence,
            probabilities,
            now
        ],
    )?;
    Ok(())
}

/// Ids per statement when messages are read by id: few statements for a dispatch's tens
/// of thousands, well under both databases' limits on parameters.
const IDS_PER_STATEMENT: usize = 500;

/// See [`super::HubStore::messages_by_id`]: in the order of `ids`, read a chunk of ids
/// at a time. A dispatch asks for its texts a thousand at a time while another thread
/// redacts the ones already read, so the rows are built here, on this thread.
pub(super) fn by_id(tx: &mut dyn Tx, ids: &[String]) -> Result<Vec<Message>, HubError> {
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let args: Vec<Arg<'_>> = chunk.iter().map(Arg::from).collect();
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.message_id IN ({})",
            marks.join(", ")
        );
        tx.for_each(&sql, &args, &mut |r| {
            rows.push(r);
            Ok(())
        })?;
    }
    // Where each id goes in the answer (an id asked for twice gets two copies).
    let mut at: std::collections::HashMap<&str, Vec<usize>> =
        std::collections::HashMap::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        at.entry(id.as_str()).or_default().push(i);
    }
    let mut out: Vec<Option<Message>> = vec![None; ids.len()];
    for mut r in rows {
        let m = message_row(tx, &mut r)?;
        if let Some(places) = at.get(m.message_id.as_str()) {
            if let Some((&last, rest)) = places.split_last() {
                for &i in rest {
                    out[i] = Some(m.clone());
                }
                out[last] = Some(m);
            }
        }
    }
    out.into_iter()
        .map(|m| {
            m.ok_or_else(|| {
                HubError::not_found("unknown_message", "a selected message is no longer stored")
            })
        })
        .collect()
}

/// See [`super::HubStore::candidates`]: read in one snapshot, so holders, messages and
/// the newly onboarded companies agree; active copies first (few rows), then one pass over
/// the window's messages (from the covering index `messages_window` on SQLite, so without
/// their texts or, unless asked for, their distributions). With `q.selectable_below`, a
/// message no tier of selection can take (not a reported false positive, confident, of a
/// company not newly onboarded) is only counted: on a large hub most are, and each one
/// built in full costs more than the database's read of it.
pub(super) fn candidates(tx: &mut dyn Tx, q: &CandidateQuery) -> Result<Candidates, HubError> {
    let mut holders: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    tx.for_each(
        &format!(
            "SELECT c.message_id, c.device_id FROM copies c JOIN messages m ON m.message_id = c.message_id
             WHERE c.state = 'open' AND NOT c.gold AND (c.lease_expires_at > $3 OR {LABELLED})
               AND m.received_at >= $1 AND m.received_at < $2
             ORDER BY {}",
            tx.dialect().stored_order("c")
        ),
        args![q.from, q.to, q.now],
        &mut |r| {
            holders.entry(r.text(0)?).or_default().push(r.text(1)?);
            Ok(())
        },
    )?;
    let new_companies = super::companies::flagged(tx, super::companies::Flag::NewlyOnboarded)?;
    let no_consent = super::companies::flagged(tx, super::companies::Flag::NoConsent)?;
    // The companies' flags are read once above and bound as lists: a subquery per
    // message (the usual `CONSENTED` test) costs an index probe for each of a window's
    // million rows, and few companies are without consent or newly onboarded.
    let marks = |from: usize, n: usize| -> String {
        let m: Vec<String> = (from..from + n).map(|p| format!("${p}")).collect();
        m.join(", ")
    };
    let consented = if no_consent.is_empty() {
        String::from("NOT m.no_consent")
    } else {
        format!(
            "NOT m.no_consent AND m.company NOT IN ({})",
            marks(4, no_consent.len())
        )
    };
    // What some tier of selection can take; the same test the engine's tiers make.
    let selectable = if new_companies.is_empty() {
        String::from("(m.reported_false_positive OR m.confidence < $3)")
    } else {
        format!(
            "(m.reported_false_positive OR m.confidence < $3 OR m.company IN ({}))",
            marks(4 + no_consent.len(), new_companies.len())
        )
    };
    let window = format!(
        "FROM messages m
         WHERE m.received_at >= $1 AND m.received_at < $2 AND m.gold_intent IS NULL
           AND m.erased_at IS NULL AND {consented}"
    );
    let bound = q.selectable_below.unwrap_or(0.0);
    // The arguments of a statement over the window: with the selectable test or not.
    let window_args = |selecting: bool| -> Vec<Arg<'_>> {
        let mut a = args![q.from, q.to, bound].to_vec();
        a.extend(no_consent.iter().map(|c| Arg::from(c.as_str())));
        if selecting {
            a.extend(new_companies.iter().map(|c| Arg::from(c.as_str())));
        }
        a
    };
    let (only, selecting) = match q.selectable_below {
        Some(_) => (format!("AND {selectable}"), true),
        None => (String::from("AND $3 >= 0.0"), false),
    };
    let probabilities = if q.with_probabilities {
        "m.probabilities"
    } else {
        "'[]'"
    };
    let mut out = Candidates::default();
    tx.for_each(
        &format!(
            "SELECT m.message_id, '', m.company, m.channel, m.received_at, m.model_intent, m.confidence,
                    {probabilities}, m.reported_false_positive, m.no_consent, m.model_version, m.language
             {window} {only}
             ORDER BY m.received_at, m.message_id COLLATE \"C\""
        ),
        &window_args(selecting),
        &mut |mut r| {
            let h = if holders.is_empty() {
                Vec::new()
            } else {
                holders.remove(r.text(0)?.as_str()).unwrap_or_default()
            };
            if h.len() < q.overlap {
                // The text column is left empty: selection needs none.
                out.messages.push(message_with_text(&mut r, String::new())?);
                out.holders.push(h);
            }
            Ok(())
        },
    )?;
    out.in_window = out.messages.len();
    if selecting {
        // The others are only counted: those holding enough copies are no candidates.
        let rest = format!("{window} AND NOT {selectable}");
        if holders.is_empty() {
            out.in_window += tx
                .query_one(&format!("SELECT count(*) {rest}"), &window_args(true))?
                .u64(0)? as usize;
        } else {
            tx.for_each(
                &format!("SELECT m.message_id {rest}"),
                &window_args(true),
                &mut |r| {
                    let held = holders.get(r.text(0)?.as_str()).map_or(0, Vec::len);
                    out.in_window += usize::from(held < q.overlap);
                    Ok(())
                },
            )?;
        }
    }
    out.new_companies = new_companies;
    Ok(out)
}
