-- The text each dispatched copy was sealed with (redacted), to read missed-PII marks
-- as the device saw them; and the terms managers confirmed from those marks.
ALTER TABLE copies ADD COLUMN redacted TEXT;
CREATE TABLE company_terms (
    company TEXT NOT NULL, term TEXT NOT NULL, kind TEXT NOT NULL, added_at INTEGER NOT NULL,
    PRIMARY KEY (company, term)
) STRICT;
