-- People: admin accounts with roles and their own signing keys, and the access
-- ledger of every admin act.
CREATE TABLE accounts (
    account_id TEXT PRIMARY KEY, name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('manager', 'lead', 'privacy_officer', 'viewer')),
    signing_key BLOB UNIQUE, code_sha256 TEXT UNIQUE, code_expires_at INTEGER,
    created_at INTEGER NOT NULL, revoked_at INTEGER
) STRICT;
CREATE TABLE access_ledger (
    seq INTEGER PRIMARY KEY, prev_hash BLOB NOT NULL, entry_hash BLOB NOT NULL, at_ms INTEGER NOT NULL,
    account_id TEXT NOT NULL, role TEXT NOT NULL, act TEXT NOT NULL, method TEXT NOT NULL,
    path TEXT NOT NULL, status INTEGER NOT NULL, message_ids TEXT NOT NULL, signature BLOB NOT NULL
) STRICT;
