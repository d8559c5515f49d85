-- Retention (as in the SQLite migration of the same number).
ALTER TABLE messages ADD COLUMN text_retired_at BIGINT;
CREATE INDEX messages_ingested ON messages (ingested_at) WHERE text_retired_at IS NULL AND erased_at IS NULL;
