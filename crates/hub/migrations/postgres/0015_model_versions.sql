-- Model versions and prediction revisions (as in the SQLite migration of the same number).
ALTER TABLE messages ADD COLUMN model_version TEXT NOT NULL DEFAULT 'unversioned';
ALTER TABLE messages ADD COLUMN language TEXT;
CREATE TABLE prediction_revisions (
    message_id TEXT NOT NULL REFERENCES messages(message_id), revision BIGINT NOT NULL,
    model_version TEXT NOT NULL, model_intent TEXT NOT NULL, confidence DOUBLE PRECISION NOT NULL,
    probabilities TEXT NOT NULL, ingested_at BIGINT NOT NULL,
    PRIMARY KEY (message_id, revision)
);
CREATE INDEX prediction_revisions_version ON prediction_revisions (model_version, message_id);
INSERT INTO prediction_revisions (message_id, revision, model_version, model_intent, confidence, probabilities, ingested_at)
    SELECT message_id, 1, 'unversioned', model_intent, confidence, probabilities, ingested_at FROM messages;
ALTER TABLE copies ADD COLUMN prediction_revision BIGINT;
UPDATE copies SET prediction_revision = 1;
