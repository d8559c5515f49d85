-- Each item's length as sealed, to check a label's missed-PII spans and length class.
ALTER TABLE assignments ADD COLUMN item_chars BIGINT;
