-- Dispatch reads without visiting every message row: the candidate query (each message
-- of a window with what selection needs, in received order, ids in byte order) is
-- answered from one index that holds those columns (it replaces messages_time, whose
-- order it keeps), the intents the messages mention are listed by skipping through an
-- index of them, and gold answers are found in an index of gold messages only.
DROP INDEX messages_time;
CREATE INDEX messages_window ON messages (received_at, message_id COLLATE "C")
    INCLUDE (company, channel, model_intent, confidence, reported_false_positive, no_consent,
             model_version, language, gold_intent, erased_at);
CREATE INDEX messages_intent ON messages (model_intent);
CREATE INDEX messages_gold ON messages (message_id COLLATE "C", gold_intent) WHERE gold_intent IS NOT NULL;
