-- The latest device ledger entry each device announced (x-lv-ledger-seq/-head), for
-- the signed head of the hub ledger.
ALTER TABLE devices ADD COLUMN ledger_seq INTEGER;
ALTER TABLE devices ADD COLUMN ledger_head TEXT;
