-- Consent (as in the SQLite migration of the same number).
ALTER TABLE messages ADD COLUMN no_consent BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE companies ADD COLUMN no_consent BOOLEAN NOT NULL DEFAULT FALSE;
