-- The pipeline: messages with raw text (hub only), companies, gold answers, and the
-- copies of messages sealed to devices under opaque item ids, with leases.
CREATE TABLE messages (
    message_id TEXT PRIMARY KEY, text TEXT NOT NULL, company TEXT NOT NULL, channel TEXT NOT NULL,
    received_at INTEGER NOT NULL, model_intent TEXT NOT NULL, confidence REAL NOT NULL,
    probabilities TEXT NOT NULL, reported_false_positive INTEGER NOT NULL,
    gold_intent TEXT, ingested_at INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_time ON messages (received_at, message_id);
CREATE TABLE companies (
    company TEXT PRIMARY KEY, newly_onboarded INTEGER NOT NULL, updated_at INTEGER NOT NULL
) STRICT;
CREATE TABLE copies (
    item_id TEXT PRIMARY KEY REFERENCES assignments(item_id),
    message_id TEXT NOT NULL REFERENCES messages(message_id),
    device_id TEXT NOT NULL REFERENCES devices(device_id), batch_id TEXT NOT NULL REFERENCES batches(batch_id),
    gold INTEGER NOT NULL, state TEXT NOT NULL CHECK (state IN ('open', 'returned')),
    lease_expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL, returned_at INTEGER
) STRICT;
CREATE INDEX copies_message ON copies (message_id, state);
CREATE INDEX copies_lease ON copies (state, lease_expires_at);
CREATE INDEX copies_device ON copies (device_id, state);
