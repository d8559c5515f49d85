-- Retention: when a message's raw text was replaced by its redacted form.
ALTER TABLE messages ADD COLUMN text_retired_at INTEGER;
CREATE INDEX messages_ingested ON messages (ingested_at) WHERE text_retired_at IS NULL AND erased_at IS NULL;
