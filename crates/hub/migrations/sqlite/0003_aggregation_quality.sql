-- Aggregation and quality: why each copy was dispatched (pending work by reason),
-- the manager's adjudications (append-only audit trail) and retraining marks.
ALTER TABLE copies ADD COLUMN reason TEXT;
CREATE TABLE adjudications (
    seq INTEGER PRIMARY KEY, message_id TEXT NOT NULL REFERENCES messages(message_id),
    intent_id TEXT NOT NULL, decided_by TEXT NOT NULL, decided_at_ms INTEGER NOT NULL,
    previous_intent TEXT, supersedes INTEGER, labels TEXT NOT NULL
) STRICT;
CREATE INDEX adjudications_message ON adjudications (message_id, seq);
CREATE TABLE retrain_marks (
    seq INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('export', 'training', 'threshold')),
    at_ms INTEGER NOT NULL, threshold INTEGER NOT NULL
) STRICT;
CREATE INDEX labels_received ON labels (received_at_ms);
