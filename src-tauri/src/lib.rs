//! The desktop shell: opens the vault at start-up and exposes the app's commands to the
//! webview. Each domain has its own small module whose commands only translate between
//! IPC and `labelvault-core`; no business logic lives here.

pub mod audit;
pub mod batches;
pub mod error;
pub mod labels;
pub mod manage;
pub mod settings;
pub mod state;
pub mod sync;
pub mod vault;

#[cfg(test)]
mod ipc_tests;

/// Add the app's state and commands to a builder (shared by `run` and the IPC tests).
pub fn setup<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    state: state::AppState,
) -> tauri::Builder<R> {
    builder
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            vault::vault_status,
            vault::queue_next,
            vault::queue_peek,
            labels::label_record,
            labels::label_undo,
            labels::label_recent,
            batches::batch_taxonomy,
            batches::batch_guidelines,
            batches::batches_list,
            batches::batch_import,
            audit::audit_ledger,
            audit::audit_retention,
            audit::audit_export,
            audit::audit_hub_access,
            sync::sync_now,
            settings::settings_get,
            settings::settings_set,
            settings::language_get,
            settings::language_set,
            manage::manage_link,
            manage::manage_connect,
            manage::manage_forget,
            manage::manage_overview,
            manage::manage_ingest,
            manage::manage_preview,
            manage::manage_dispatch,
            manage::manage_taxonomy,
            manage::manage_quality,
            manage::manage_missed_pii,
            manage::manage_annotators,
            manage::manage_confirm_terms,
            manage::manage_disagreements,
            manage::manage_adjudicate,
            manage::manage_undo_adjudication,
            manage::manage_withdraw,
            manage::manage_export,
            manage::manage_evaluation,
            manage::manage_compare,
            manage::manage_gold,
            manage::manage_company,
        ])
}

/// Run the desktop app: logs to stderr (never item text), vault opened from the default
/// profile with the OS keyring, demo batch imported into an empty vault.
pub fn run() {
    let started = std::time::Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LABELVAULT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colour codes only on a terminal, never in a log file or pipe (as the hub and CLI).
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let state = state::AppState::open_default();
    // Start-up timings (no page content): where a slow cold start goes.
    let builder = tauri::Builder::default().on_page_load(move |_, payload| {
        tracing::info!(
            event = ?payload.event(),
            ms = started.elapsed().as_millis() as u64,
            "page load"
        );
    });
    if let Err(e) = setup(builder, state).run(tauri::generate_context!()) {
        eprintln!("error: LabelVault could not start its window: {e}");
        std::process::exit(1);
    }
}
