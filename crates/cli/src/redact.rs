//! `labelvault redact` (the redactor is being written).
pub fn run(_spans: bool, _input: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    anyhow::bail!("redaction is not available in this build")
}
