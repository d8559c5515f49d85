-- The manager's reads (quality, disagreements, export, evaluation, /metrics) answer from
-- a read model each hub keeps in memory and rebuilds when the store changes. New labels
-- and adjudications are noticed by counting uploads and adjudications; the other
-- changes that alter those answers are counted here, by triggers, so every hub sharing
-- the database notices them too: `privacy` (a text erased or retired, consent, the
-- redaction terms: an export made before must never be served again) and `content`
-- (gold answers, predictions, a message's company or channel). Each transaction bumps
-- a counter at most once (a transaction-local setting remembers it), so a bulk write
-- does not rewrite the row once per row. The triggers are deferred to commit and lock
-- both counter rows in one order: a transaction takes them last, after every row lock
-- it needs, and always in the same order, so two writers (two ingests, an ingest and
-- an erasure, two hubs) never wait on each other in a cycle. Row triggers fire only
-- for rows written: `INSERT … ON CONFLICT DO NOTHING` that inserts nothing bumps nothing.
CREATE TABLE read_model_changes (kind TEXT PRIMARY KEY, n BIGINT NOT NULL);
INSERT INTO read_model_changes (kind, n) VALUES ('privacy', 0), ('content', 0);
CREATE FUNCTION read_model_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    flag TEXT := 'labelvault.read_model_' || TG_ARGV[0];
    tx TEXT := txid_current()::text;
BEGIN
    IF current_setting(flag, true) IS DISTINCT FROM tx THEN
        PERFORM set_config(flag, tx, true);
        PERFORM 1 FROM read_model_changes ORDER BY kind FOR UPDATE;
        UPDATE read_model_changes SET n = n + 1 WHERE kind = TG_ARGV[0];
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER read_model_messages_privacy AFTER UPDATE OF text, erased_at, text_retired_at, no_consent ON messages
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION read_model_bump('privacy');
CREATE CONSTRAINT TRIGGER read_model_messages_content AFTER UPDATE OF gold_intent, model_intent, confidence, model_version, language, company, channel ON messages
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION read_model_bump('content');
CREATE CONSTRAINT TRIGGER read_model_companies AFTER INSERT OR UPDATE OF no_consent ON companies
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION read_model_bump('privacy');
CREATE CONSTRAINT TRIGGER read_model_terms AFTER INSERT OR DELETE ON company_terms
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION read_model_bump('privacy');
CREATE CONSTRAINT TRIGGER read_model_erasures AFTER INSERT ON erasures
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION read_model_bump('privacy');
CREATE CONSTRAINT TRIGGER read_model_predictions AFTER INSERT ON prediction_revisions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION read_model_bump('content');
