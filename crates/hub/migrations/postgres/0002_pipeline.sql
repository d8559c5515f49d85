-- The pipeline: messages with raw text (hub only), companies, gold answers, and the
-- copies of messages sealed to devices under opaque item ids, with leases.
CREATE TABLE messages (
    message_id TEXT PRIMARY KEY, text TEXT NOT NULL, company TEXT NOT NULL, channel TEXT NOT NULL,
    received_at BIGINT NOT NULL, model_intent TEXT NOT NULL, confidence DOUBLE PRECISION NOT NULL,
    probabilities TEXT NOT NULL, reported_false_positive BOOLEAN NOT NULL,
    gold_intent TEXT, ingested_at BIGINT NOT NULL
);
CREATE INDEX messages_time ON messages (received_at, message_id);
CREATE TABLE companies (
    company TEXT PRIMARY KEY, newly_onboarded BOOLEAN NOT NULL, updated_at BIGINT NOT NULL
);
CREATE TABLE copies (
    item_id TEXT PRIMARY KEY REFERENCES assignments(item_id),
    message_id TEXT NOT NULL REFERENCES messages(message_id),
    device_id TEXT NOT NULL REFERENCES devices(device_id), batch_id TEXT NOT NULL REFERENCES batches(batch_id),
    gold BOOLEAN NOT NULL, state TEXT NOT NULL CHECK (state IN ('open', 'returned')),
    lease_expires_at BIGINT NOT NULL, created_at BIGINT NOT NULL, returned_at BIGINT,
    -- Insertion order (SQLite's rowid), for a stable export.
    ord BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX copies_message ON copies (message_id, state);
CREATE INDEX copies_lease ON copies (state, lease_expires_at);
CREATE INDEX copies_device ON copies (device_id, state);
