-- A label names the message's other intents (with `multiple_intents`).
ALTER TABLE labels ADD COLUMN also_intents TEXT NOT NULL DEFAULT '[]';
