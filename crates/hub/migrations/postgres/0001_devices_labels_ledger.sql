-- The first schema (as in the SQLite migration of the same number) in PostgreSQL
-- types, plus the inbound ledger's chain-head row.
CREATE TABLE annotators (
    annotator_id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL
);
CREATE TABLE enrollment_codes (
    code_sha256 TEXT PRIMARY KEY, annotator_id TEXT NOT NULL REFERENCES annotators(annotator_id),
    expires_at BIGINT NOT NULL, used_at BIGINT
);
CREATE TABLE devices (
    device_id TEXT PRIMARY KEY, annotator_id TEXT NOT NULL REFERENCES annotators(annotator_id),
    signing_key BYTEA NOT NULL UNIQUE, recipient TEXT NOT NULL, enrolled_at BIGINT NOT NULL, revoked_at BIGINT
);
CREATE TABLE nonces (
    device_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_at BIGINT NOT NULL, PRIMARY KEY (device_id, nonce)
);
CREATE INDEX nonces_age ON nonces (seen_at);
CREATE TABLE batches (
    batch_id TEXT PRIMARY KEY, device_id TEXT NOT NULL REFERENCES devices(device_id),
    created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, item_count BIGINT NOT NULL, bytes BYTEA NOT NULL
);
CREATE INDEX batches_device ON batches (device_id);
CREATE TABLE batch_intents (batch_id TEXT NOT NULL, intent_id TEXT NOT NULL, PRIMARY KEY (batch_id, intent_id));
CREATE TABLE assignments (
    item_id TEXT PRIMARY KEY, batch_id TEXT NOT NULL REFERENCES batches(batch_id), device_id TEXT NOT NULL
);
CREATE TABLE labels (
    device_id TEXT NOT NULL, item_id TEXT NOT NULL, revision BIGINT NOT NULL, retracted BOOLEAN NOT NULL,
    verdict TEXT, intent_id TEXT, flags TEXT NOT NULL, pii_spans TEXT NOT NULL, duration_ms BIGINT NOT NULL,
    decided_at_ms BIGINT NOT NULL, received_at_ms BIGINT NOT NULL, upload_id TEXT NOT NULL,
    PRIMARY KEY (device_id, item_id, revision)
);
CREATE TABLE uploads (
    device_id TEXT NOT NULL, upload_id TEXT NOT NULL, body_sha256 TEXT NOT NULL, receipt TEXT NOT NULL,
    PRIMARY KEY (device_id, upload_id)
);
CREATE TABLE ledger (
    seq BIGINT PRIMARY KEY, prev_hash BYTEA NOT NULL, entry_hash BYTEA NOT NULL, device_id TEXT NOT NULL,
    received_at_ms BIGINT NOT NULL, body BYTEA NOT NULL, body_sha256 TEXT NOT NULL, receipt TEXT NOT NULL
);
-- The one row every ingest locks: the last entry's number and hash.
CREATE TABLE ledger_head (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    seq BIGINT NOT NULL, entry_hash BYTEA NOT NULL
);
INSERT INTO ledger_head (only_row, seq, entry_hash) VALUES (TRUE, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');
