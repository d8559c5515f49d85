//! Versioned schema migrations. `PRAGMA user_version` holds the version; each step runs
//! in its own transaction, so a crash mid-migration leaves the previous version intact.

use crate::error::VaultError;
use rusqlite::Connection;

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: u32 = 6;

const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;
    CREATE TABLE device_identity (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        signing_pkcs8 BLOB NOT NULL,
        age_identity  TEXT NOT NULL,
        created_at    INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE hub_keys (
        key_id     TEXT PRIMARY KEY,
        public_key BLOB NOT NULL,
        pinned_at  INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE batches (
        seq               INTEGER PRIMARY KEY,
        batch_id          TEXT NOT NULL UNIQUE,
        hub_key_id        TEXT NOT NULL,
        taxonomy_id       TEXT NOT NULL,
        taxonomy_version  TEXT NOT NULL,
        created_at        INTEGER NOT NULL,
        expires_at        INTEGER NOT NULL,
        imported_at       INTEGER NOT NULL,
        item_count        INTEGER NOT NULL,
        content_sha256    BLOB NOT NULL
    ) STRICT;
    CREATE TABLE batch_intents (
        batch_seq   INTEGER NOT NULL REFERENCES batches(seq) ON DELETE CASCADE,
        intent_id   TEXT NOT NULL,
        position    INTEGER NOT NULL,
        description TEXT NOT NULL,
        PRIMARY KEY (batch_seq, intent_id)
    ) STRICT, WITHOUT ROWID;
    -- seq is the global arrival order; reason_rank/sort_key/seq is the queue order.
    -- reason_rank: 0 false_positive, 1 low_confidence, 2 random_sample, 3 suspected_label_error.
    CREATE TABLE items (
        seq           INTEGER PRIMARY KEY,
        item_id       TEXT NOT NULL UNIQUE,
        batch_seq     INTEGER NOT NULL REFERENCES batches(seq) ON DELETE CASCADE,
        position      INTEGER NOT NULL,
        text          TEXT NOT NULL,
        model_intent  TEXT NOT NULL,
        confidence    REAL NOT NULL,
        alternatives  TEXT NOT NULL,
        reason_rank   INTEGER NOT NULL,
        sort_key      REAL NOT NULL,
        done          INTEGER NOT NULL DEFAULT 0,
        revision      INTEGER NOT NULL DEFAULT 0,
        decided_event INTEGER
    ) STRICT;
    CREATE INDEX items_queue ON items (reason_rank, sort_key, seq) WHERE done = 0;
    CREATE INDEX items_decided ON items (decided_event) WHERE done = 1;
    CREATE INDEX items_batch ON items (batch_seq, done);
    -- Every revision of every label, never updated or deleted while the item lives.
    CREATE TABLE label_events (
        event_id    INTEGER PRIMARY KEY,
        item_id     TEXT NOT NULL REFERENCES items(item_id) ON DELETE CASCADE,
        revision    INTEGER NOT NULL,
        retracted   INTEGER NOT NULL,
        verdict     TEXT,
        intent_id   TEXT,
        flags       INTEGER NOT NULL,
        pii_spans   TEXT NOT NULL,
        duration_ms INTEGER NOT NULL,
        created_at  INTEGER NOT NULL,
        UNIQUE (item_id, revision)
    ) STRICT;
    "#,
    // 2: hub enrollment, the outbound ledger, and sync state of label events.
    r#"
    CREATE TABLE hub_link (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        hub_url     TEXT NOT NULL,
        device_id   TEXT NOT NULL,
        hub_key_id  TEXT NOT NULL,
        enrolled_at INTEGER NOT NULL
    ) STRICT;
    -- Every outbound request, exactly as sent, hash-chained and signed by the device.
    CREATE TABLE ledger (
        seq           INTEGER PRIMARY KEY,
        prev_hash     BLOB NOT NULL,
        entry_hash    BLOB NOT NULL,
        created_at_ms INTEGER NOT NULL,
        hub_url       TEXT NOT NULL,
        method        TEXT NOT NULL,
        path          TEXT NOT NULL,
        body          BLOB NOT NULL,
        body_sha256   TEXT NOT NULL,
        signature     BLOB NOT NULL,
        upload_id     TEXT UNIQUE,
        label_count   INTEGER NOT NULL DEFAULT 0,
        receipt       TEXT,
        attempts      INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT
    ) STRICT;
    CREATE INDEX ledger_unacked ON ledger (seq) WHERE upload_id IS NOT NULL AND receipt IS NULL;
    ALTER TABLE label_events ADD COLUMN upload_seq INTEGER;
    ALTER TABLE label_events ADD COLUMN ack TEXT;
    ALTER TABLE label_events ADD COLUMN acked_at INTEGER;
    CREATE INDEX label_events_unsent ON label_events (event_id) WHERE upload_seq IS NULL;
    CREATE INDEX label_events_upload ON label_events (upload_seq);
    ALTER TABLE batches ADD COLUMN purged_at INTEGER;
    "#,
    // v3: a skipped item stays decided (its skip is a label that syncs) but comes back at
    // the end of the queue, oldest skip first, until it gets another verdict.
    r#"
    ALTER TABLE items ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX items_skipped ON items (decided_event) WHERE done = 1 AND skipped = 1;
    "#,
    // v4: items held back on import because the device found personal data in them
    // (vault/screen.rs). Their text is never stored; `kinds` is what was found, by type.
    r#"
    CREATE TABLE quarantine (
        item_id   TEXT PRIMARY KEY,
        batch_seq INTEGER NOT NULL REFERENCES batches(seq) ON DELETE CASCADE,
        position  INTEGER NOT NULL,
        kinds     TEXT NOT NULL
    ) STRICT;
    CREATE INDEX quarantine_batch ON quarantine (batch_seq);
    "#,
    // v5: intents carry example phrasings and a group; batches carry guidelines.
    r#"
    ALTER TABLE batch_intents ADD COLUMN examples TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE batch_intents ADD COLUMN grp TEXT NOT NULL DEFAULT '';
    ALTER TABLE batches ADD COLUMN guidelines TEXT NOT NULL DEFAULT '';
    "#,
    // v6: a label names the message's other intents (with `multiple_intents`).
    r#"
    ALTER TABLE label_events ADD COLUMN also_intents TEXT NOT NULL DEFAULT '[]';
    "#,
];

/// Read the stored version; refuse a newer one; apply missing steps.
pub(crate) fn migrate(conn: &mut Connection, path: &std::path::Path) -> Result<u32, VaultError> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(VaultError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
        tx.commit()?;
    }
    Ok(SCHEMA_VERSION)
}
