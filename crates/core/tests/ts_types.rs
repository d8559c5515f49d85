//! The app's TypeScript types of the admin API (`ui/src/generated/`) are generated from
//! the engine's Rust types (`labelvault_core::admin_api`, feature `ts`). This test
//! generates them again and fails, naming the file, when the committed ones differ, so
//! the app cannot drift from what the shell and the hub send.
//!
//! Regenerate after changing a type:
//! `LABELVAULT_WRITE_TS=1 cargo test -p labelvault-core --test ts_types`

use labelvault_core::admin_api as api;
use labelvault_core::manage::{DeviceProgress, IngestSummary};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::{Config, TS};

const REGENERATE: &str = "LABELVAULT_WRITE_TS=1 cargo test -p labelvault-core --test ts_types";

/// The committed files.
fn generated_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/generated")
}

/// Every type the app uses, with what they refer to, written into `dir`.
fn export_all(dir: &Path) {
    let cfg = Config::new()
        // The hub's integers (counts, Unix seconds, seeds) travel as JSON numbers.
        .with_large_int("number")
        .with_out_dir(dir);
    macro_rules! export {
        ($($t:ty),* $(,)?) => {
            $(<$t as TS>::export_all(&cfg).expect(concat!("export ", stringify!($t)));)*
        };
    }
    export!(
        api::BatchPlan,
        api::Preview,
        api::SelectRequest,
        api::SelectAnswer,
        api::DispatchRequest,
        api::DispatchResponse,
        api::PipelineStatus,
        api::IngestReport,
        api::ReclaimRequest,
        api::ReclaimAnswer,
        api::GoldRequest,
        api::GoldStored,
        api::CompanyRequest,
        api::CompanyAnswer,
        api::WithdrawAnswer,
        api::ExportFormat,
        api::Strategy,
        IngestSummary,
        DeviceProgress,
    );
}

/// File name → content of the `.ts` files in `dir`.
fn files(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".ts") {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            out.insert(name, text);
        }
    }
    out
}

#[test]
fn committed_typescript_types_match_the_rust_types() {
    let tmp = tempfile::tempdir().expect("temp dir");
    export_all(tmp.path());
    let fresh = files(tmp.path());
    assert!(
        fresh.contains_key("BatchPlan.ts") && fresh.contains_key("Composition.ts"),
        "ts-rs wrote {:?}",
        fresh.keys()
    );
    let dir = generated_dir();
    if std::env::var_os("LABELVAULT_WRITE_TS").is_some() {
        std::fs::create_dir_all(&dir).expect("create ui/src/generated");
        for old in files(&dir).keys() {
            std::fs::remove_file(dir.join(old)).expect("remove an old generated file");
        }
        for (name, text) in &fresh {
            std::fs::write(dir.join(name), text).expect("write a generated file");
        }
        return;
    }
    let committed = files(&dir);
    let mut problems = Vec::new();
    for (name, text) in &fresh {
        match committed.get(name) {
            None => problems.push(format!("ui/src/generated/{name} is missing")),
            Some(c) if c != text => problems.push(format!(
                "ui/src/generated/{name} differs from its Rust type:\n--- committed\n{c}\n--- generated\n{text}"
            )),
            Some(_) => {}
        }
    }
    for name in committed.keys().filter(|n| !fresh.contains_key(*n)) {
        problems.push(format!("ui/src/generated/{name} has no Rust type any more"));
    }
    assert!(
        problems.is_empty(),
        "the app's TypeScript types drifted from the admin API's Rust types; regenerate them with `{REGENERATE}` and commit ui/src/generated/:\n{}",
        problems.join("\n")
    );
}
