-- The first schema: annotators, enrollment codes, enrolled devices, request nonces,
-- sealed batches and their intents, item assignments, labels, upload receipts and the
-- inbound ledger.
CREATE TABLE annotators (
    annotator_id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE enrollment_codes (
    code_sha256 TEXT PRIMARY KEY, annotator_id TEXT NOT NULL REFERENCES annotators(annotator_id),
    expires_at INTEGER NOT NULL, used_at INTEGER
) STRICT;
CREATE TABLE devices (
    device_id TEXT PRIMARY KEY, annotator_id TEXT NOT NULL REFERENCES annotators(annotator_id),
    signing_key BLOB NOT NULL UNIQUE, recipient TEXT NOT NULL, enrolled_at INTEGER NOT NULL, revoked_at INTEGER
) STRICT;
CREATE TABLE nonces (
    device_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_at INTEGER NOT NULL, PRIMARY KEY (device_id, nonce)
) STRICT, WITHOUT ROWID;
CREATE INDEX nonces_age ON nonces (seen_at);
CREATE TABLE batches (
    batch_id TEXT PRIMARY KEY, device_id TEXT NOT NULL REFERENCES devices(device_id),
    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, item_count INTEGER NOT NULL, bytes BLOB NOT NULL
) STRICT;
CREATE INDEX batches_device ON batches (device_id);
CREATE TABLE batch_intents (batch_id TEXT NOT NULL, intent_id TEXT NOT NULL, PRIMARY KEY (batch_id, intent_id)) STRICT, WITHOUT ROWID;
CREATE TABLE assignments (
    item_id TEXT PRIMARY KEY, batch_id TEXT NOT NULL REFERENCES batches(batch_id), device_id TEXT NOT NULL
) STRICT;
CREATE TABLE labels (
    device_id TEXT NOT NULL, item_id TEXT NOT NULL, revision INTEGER NOT NULL, retracted INTEGER NOT NULL,
    verdict TEXT, intent_id TEXT, flags TEXT NOT NULL, pii_spans TEXT NOT NULL, duration_ms INTEGER NOT NULL,
    decided_at_ms INTEGER NOT NULL, received_at_ms INTEGER NOT NULL, upload_id TEXT NOT NULL,
    PRIMARY KEY (device_id, item_id, revision)
) STRICT;
CREATE TABLE uploads (
    device_id TEXT NOT NULL, upload_id TEXT NOT NULL, body_sha256 TEXT NOT NULL, receipt TEXT NOT NULL,
    PRIMARY KEY (device_id, upload_id)
) STRICT;
CREATE TABLE ledger (
    seq INTEGER PRIMARY KEY, prev_hash BLOB NOT NULL, entry_hash BLOB NOT NULL, device_id TEXT NOT NULL,
    received_at_ms INTEGER NOT NULL, body BLOB NOT NULL, body_sha256 TEXT NOT NULL, receipt TEXT NOT NULL
) STRICT;
