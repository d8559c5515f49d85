-- Uploads stored but not yet chained into the inbound ledger. An upload now commits
-- under a lock of its own device only and leaves its entry here; a short transaction
-- holding the ledger_head row then chains every pending entry (in id order) into
-- `ledger` and deletes it here, so uploads on all hubs no longer queue on one row.
CREATE TABLE ledger_pending (
    id BIGSERIAL PRIMARY KEY, device_id TEXT NOT NULL, received_at_ms BIGINT NOT NULL,
    body BYTEA NOT NULL, body_sha256 TEXT NOT NULL, receipt TEXT NOT NULL
);
