-- The retraining webhook: one event per due episode (unique), and every attempt to
-- deliver it.
CREATE TABLE webhook_events (
    event_id TEXT PRIMARY KEY, episode BIGINT NOT NULL UNIQUE, body TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts BIGINT NOT NULL, next_attempt_at_ms BIGINT
);
CREATE INDEX webhook_events_due ON webhook_events (state, next_attempt_at_ms);
CREATE TABLE webhook_attempts (
    event_id TEXT NOT NULL REFERENCES webhook_events(event_id), attempt BIGINT NOT NULL,
    at_ms BIGINT NOT NULL, status BIGINT, error TEXT, next_attempt_at_ms BIGINT,
    state TEXT NOT NULL, PRIMARY KEY (event_id, attempt)
);
