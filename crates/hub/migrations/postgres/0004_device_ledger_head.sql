-- The latest device ledger entry each device announced (x-lv-ledger-seq/-head), for
-- the signed head of the hub ledger.
ALTER TABLE devices ADD COLUMN ledger_seq BIGINT;
ALTER TABLE devices ADD COLUMN ledger_head TEXT;
