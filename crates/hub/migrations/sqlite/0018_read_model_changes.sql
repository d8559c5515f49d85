-- The manager's reads (quality, disagreements, export, evaluation, /metrics) answer from
-- a read model the hub keeps in memory and rebuilds when the store changes. New labels
-- and adjudications are noticed by counting uploads and adjudications; the other
-- changes that alter those answers are counted here, by triggers, so every hub sharing
-- the database notices them too: `privacy` (a text erased or retired, consent, the
-- redaction terms: an export made before must never be served again) and `content`
-- (gold answers, predictions, a message's company or channel).
CREATE TABLE read_model_changes (kind TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT;
INSERT INTO read_model_changes (kind, n) VALUES ('privacy', 0), ('content', 0);
CREATE TRIGGER read_model_messages_privacy AFTER UPDATE OF text, erased_at, text_retired_at, no_consent ON messages
BEGIN UPDATE read_model_changes SET n = n + 1 WHERE kind = 'privacy'; END;
CREATE TRIGGER read_model_messages_content AFTER UPDATE OF gold_intent, model_intent, confidence, model_version, language, company, channel ON messages
BEGIN UPDATE read_model_changes SET n = n + 1 WHERE kind = 'content'; END;
CREATE TRIGGER read_model_companies_insert AFTER INSERT ON companies
BEGIN UPDATE read_model_changes SET n = n + 1 WHERE kind = 'privacy'; END;
CREATE TRIGGER read_model_companies_update AFTER UPDATE OF no_consent ON companies
BEGIN UPDATE read_model_changes SET n = n + 1 WHERE kind = 'privacy'; END;
CREATE TRIGGER read_model_terms_insert AFTER INSERT ON company_terms
BEGIN UPDATE read_model_changes SET n = n + 1 WHERE kind = 'privacy'; END;
CREATE TRIGGER read_model_terms_delete AFTER DELETE ON company_terms
BEGIN UPDATE read_model_changes SET n = n + 1 WHERE kind = 'privacy'; END;
CREATE TRIGGER read_model_erasures AFTER INSERT ON erasures
BEGIN UPDATE read_model_changes SET n = n + 1 WHERE kind = 'privacy'; END;
CREATE TRIGGER read_model_predictions AFTER INSERT ON prediction_revisions
BEGIN UPDATE read_model_changes SET n = n + 1 WHERE kind = 'content'; END;
