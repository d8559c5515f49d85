-- Bearer tokens of accounts (scripts): stored hashed, expiring, revocable.
CREATE TABLE admin_tokens (
    token_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(account_id),
    token_sha256 TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;
