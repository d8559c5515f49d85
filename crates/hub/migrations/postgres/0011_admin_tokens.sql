-- Bearer tokens of accounts (as in the SQLite migration of the same number).
CREATE TABLE admin_tokens (
    token_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(account_id),
    token_sha256 TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
