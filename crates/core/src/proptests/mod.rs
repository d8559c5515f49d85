//! Property tests (proptest) for the invariants the rest of the system leans on: the
//! ledger's hash chain, the labelling queue's order, and the aggregation statistics.
//! Case counts are kept small so the whole suite stays fast; the fuzz targets in
//! `fuzz/` explore the parsers far more deeply.

mod aggregate;
mod ledger;
mod queue;
mod strict_sig;
