//! Generates the Tauri context and one permission per app command, so the capability
//! file can allow exactly these commands and nothing else.

/// Every command the UI may call; `capabilities/default.json` allows each by name.
const COMMANDS: &[&str] = &[
    "vault_status",
    "queue_next",
    "queue_peek",
    "label_record",
    "label_undo",
    "label_recent",
    "batch_taxonomy",
    "batch_guidelines",
    "batches_list",
    "batch_import",
    "audit_ledger",
    "audit_retention",
    "audit_export",
    "audit_hub_access",
    "sync_now",
    "settings_get",
    "settings_set",
    "language_get",
    "language_set",
    "manage_link",
    "manage_connect",
    "manage_forget",
    "manage_overview",
    "manage_ingest",
    "manage_preview",
    "manage_dispatch",
    "manage_taxonomy",
    "manage_quality",
    "manage_missed_pii",
    "manage_annotators",
    "manage_confirm_terms",
    "manage_disagreements",
    "manage_adjudicate",
    "manage_undo_adjudication",
    "manage_withdraw",
    "manage_export",
    "manage_evaluation",
    "manage_compare",
    "manage_gold",
    "manage_company",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run the Tauri build script");
}
