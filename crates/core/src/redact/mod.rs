//! Redaction of personal data (see submodules).
