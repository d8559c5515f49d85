-- The retraining webhook: one event per due episode (unique), and every attempt to
-- deliver it.
CREATE TABLE webhook_events (
    event_id TEXT PRIMARY KEY, episode INTEGER NOT NULL UNIQUE, body TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL, next_attempt_at_ms INTEGER
) STRICT;
CREATE INDEX webhook_events_due ON webhook_events (state, next_attempt_at_ms);
CREATE TABLE webhook_attempts (
    event_id TEXT NOT NULL REFERENCES webhook_events(event_id), attempt INTEGER NOT NULL,
    at_ms INTEGER NOT NULL, status INTEGER, error TEXT, next_attempt_at_ms INTEGER,
    state TEXT NOT NULL, PRIMARY KEY (event_id, attempt)
) STRICT;
