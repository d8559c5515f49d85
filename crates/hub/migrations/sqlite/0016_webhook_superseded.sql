-- A webhook event whose episode ended (an export or training mark) before it was
-- delivered is closed as `superseded` instead of being sent. SQLite cannot change a
-- CHECK in place: both webhook tables are rebuilt, rows kept.
CREATE TABLE webhook_events_v16 (
    event_id TEXT PRIMARY KEY, episode INTEGER NOT NULL UNIQUE, body TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'superseded')),
    attempts INTEGER NOT NULL, next_attempt_at_ms INTEGER
) STRICT;
INSERT INTO webhook_events_v16 (event_id, episode, body, created_at_ms, state, attempts, next_attempt_at_ms)
    SELECT event_id, episode, body, created_at_ms, state, attempts, next_attempt_at_ms FROM webhook_events;
CREATE TABLE webhook_attempts_v16 (
    event_id TEXT NOT NULL REFERENCES webhook_events_v16(event_id), attempt INTEGER NOT NULL,
    at_ms INTEGER NOT NULL, status INTEGER, error TEXT, next_attempt_at_ms INTEGER,
    state TEXT NOT NULL, PRIMARY KEY (event_id, attempt)
) STRICT;
INSERT INTO webhook_attempts_v16 (event_id, attempt, at_ms, status, error, next_attempt_at_ms, state)
    SELECT event_id, attempt, at_ms, status, error, next_attempt_at_ms, state FROM webhook_attempts;
DROP TABLE webhook_attempts;
DROP TABLE webhook_events;
ALTER TABLE webhook_events_v16 RENAME TO webhook_events;
ALTER TABLE webhook_attempts_v16 RENAME TO webhook_attempts;
CREATE INDEX webhook_events_due ON webhook_events (state, next_attempt_at_ms);
