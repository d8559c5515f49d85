-- Erasure (as in the SQLite migration of the same number).
ALTER TABLE messages ADD COLUMN erased_at BIGINT;
ALTER TABLE batches ADD COLUMN fetched_at BIGINT;
ALTER TABLE batches ADD COLUMN erased_at BIGINT;
CREATE TABLE erasures (
    erasure_id TEXT PRIMARY KEY, requested_at BIGINT NOT NULL, requested_by TEXT NOT NULL,
    request TEXT NOT NULL, erased TEXT NOT NULL, not_found TEXT NOT NULL, already_erased TEXT NOT NULL,
    hub TEXT NOT NULL
);
CREATE TABLE notices (
    notice_id TEXT PRIMARY KEY, device_id TEXT NOT NULL REFERENCES devices(device_id), erasure_id TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('erase', 'mask')), items TEXT NOT NULL, item_count BIGINT NOT NULL,
    created_at BIGINT NOT NULL, acked_at BIGINT, ack_seq BIGINT, ack_head TEXT
);
CREATE INDEX notices_device ON notices (device_id, acked_at);
CREATE INDEX notices_erasure ON notices (erasure_id);
