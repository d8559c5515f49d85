-- Uploads stored but not yet chained into the inbound ledger (PostgreSQL chains them in
-- batches, off the upload's own transaction). SQLite has one writer and keeps chaining
-- each upload inline, so this table stays empty here; it exists so both backends keep
-- the same versions and tables.
CREATE TABLE ledger_pending (
    id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, received_at_ms INTEGER NOT NULL,
    body BLOB NOT NULL, body_sha256 TEXT NOT NULL, receipt TEXT NOT NULL
) STRICT;
