//! National identity, tax and travel-document numbers: one recognizer per file, each
//! with its format, its cue words and its check-digit rule. Their verdicts are checked
//! against python-stdnum, a reference implementation nobody here wrote
//! (`tests/system/tests/national_ids.rs`).

pub mod de_tax_id;
pub mod es_nif;
pub mod fr_nir;
pub mod gb_nino;
pub mod it_fiscal_code;
pub mod nl_bsn;
pub mod travel_document;
pub mod us_ssn;
