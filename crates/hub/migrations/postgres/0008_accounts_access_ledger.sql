-- People and the access ledger (as in the SQLite migration of the same number). It has no
-- chain-head row: an append locks the access_ledger table instead.
CREATE TABLE accounts (
    account_id TEXT PRIMARY KEY, name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('manager', 'lead', 'privacy_officer', 'viewer')),
    signing_key BYTEA UNIQUE, code_sha256 TEXT UNIQUE, code_expires_at BIGINT,
    created_at BIGINT NOT NULL, revoked_at BIGINT
);
CREATE TABLE access_ledger (
    seq BIGINT PRIMARY KEY, prev_hash BYTEA NOT NULL, entry_hash BYTEA NOT NULL, at_ms BIGINT NOT NULL,
    account_id TEXT NOT NULL, role TEXT NOT NULL, act TEXT NOT NULL, method TEXT NOT NULL,
    path TEXT NOT NULL, status INTEGER NOT NULL, message_ids TEXT NOT NULL, signature BYTEA NOT NULL
);
