-- Aggregation and quality: why each copy was dispatched (pending work by reason),
-- the manager's adjudications (append-only audit trail) and retraining marks.
ALTER TABLE copies ADD COLUMN reason TEXT;
CREATE TABLE adjudications (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, message_id TEXT NOT NULL REFERENCES messages(message_id),
    intent_id TEXT NOT NULL, decided_by TEXT NOT NULL, decided_at_ms BIGINT NOT NULL,
    previous_intent TEXT, supersedes BIGINT, labels TEXT NOT NULL
);
CREATE INDEX adjudications_message ON adjudications (message_id, seq);
CREATE TABLE retrain_marks (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('export', 'training', 'threshold')),
    at_ms BIGINT NOT NULL, threshold BIGINT NOT NULL
);
CREATE INDEX labels_received ON labels (received_at_ms);
