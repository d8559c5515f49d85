-- A manager may take back a batch its device has not fetched (undo of a dispatch).
ALTER TABLE batches ADD COLUMN withdrawn_at INTEGER;
