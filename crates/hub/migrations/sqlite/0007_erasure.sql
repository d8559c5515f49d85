-- Erasure: messages whose raw text an erasure removed, sealed batch files deleted
-- with them (and whether a device ever fetched each batch), the erasures themselves,
-- and the notices (erase or mask items) waiting for each device.
ALTER TABLE messages ADD COLUMN erased_at INTEGER;
ALTER TABLE batches ADD COLUMN fetched_at INTEGER;
ALTER TABLE batches ADD COLUMN erased_at INTEGER;
CREATE TABLE erasures (
    erasure_id TEXT PRIMARY KEY, requested_at INTEGER NOT NULL, requested_by TEXT NOT NULL,
    request TEXT NOT NULL, erased TEXT NOT NULL, not_found TEXT NOT NULL, already_erased TEXT NOT NULL,
    hub TEXT NOT NULL
) STRICT;
CREATE TABLE notices (
    notice_id TEXT PRIMARY KEY, device_id TEXT NOT NULL REFERENCES devices(device_id), erasure_id TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('erase', 'mask')), items TEXT NOT NULL, item_count INTEGER NOT NULL,
    created_at INTEGER NOT NULL, acked_at INTEGER, ack_seq INTEGER, ack_head TEXT
) STRICT;
CREATE INDEX notices_device ON notices (device_id, acked_at);
CREATE INDEX notices_erasure ON notices (erasure_id);
