// The app's commands, typed. Each is a thin call into the Rust engine.
import { invoke } from "@tauri-apps/api/core";

export type Reason = "false_positive" | "low_confidence" | "random_sample";
export type Alternative = { intent: string; confidence: number };
export type QueueItem = {
  item_id: string; batch_id: string; text: string; model_intent: string; confidence: number;
  alternatives: Alternative[]; reason: Reason;
};
export type ReasonCounts = { false_positive: number; low_confidence: number; random_sample: number };
export type HubLink = { hub_url: string; device_id: string; hub_key_id: string; enrolled_at: number };
export type VaultStatus = {
  profile_dir: string; device_fingerprint: string; schema_version: number; batches: number; items: number;
  labelled: number; remaining: number; by_reason: ReasonCounts; hub: HubLink | null;
};
export type Verdict = "correct" | "wrong" | "unsure" | "skip";
export type Flag = "misclassification" | "missed_pii" | "not_customer_message" | "multiple_intents";
export type Span = { start: number; end: number };
export type Decision = {
  item_id: string; verdict: Verdict; intent_id: string | null; flags: Flag[]; pii_spans: Span[]; duration_ms: number;
};
export type LabelRecord = {
  item_id: string; revision: number; retracted: boolean; verdict: Verdict | null; intent_id: string | null;
  flags: Flag[]; pii_spans: Span[]; duration_ms: number; created_at_ms: number;
};
export type AfterChange = { record: LabelRecord | null; next: QueueItem[] };
export type RecentDecision = { item: QueueItem; label: LabelRecord };
export type Intent = { id: string; description: string };
export type BatchSummary = {
  batch_id: string; items: number; labelled: number; imported_at: number; expires_at: number;
  by_reason: ReasonCounts; taxonomy: string;
};
export type ImportReport = { batch_id: string; items: number; already_imported: boolean };
export type SignedReceipt = { receipt: { accepted: number; duplicates: number; rejected: unknown[]; server_time_ms: number }; signature: string };
export type LedgerSummary = {
  seq: number; created_at_ms: number; hub_url: string; request: string; body_bytes: number; label_count: number;
  fields: string[]; entry_hash: string; receipt: SignedReceipt | null; attempts: number;
};
export type LedgerView = { entries: LedgerSummary[]; chain: string; total: number };
export type Retention = {
  items: number; acknowledged: number; unsynced_labels: number; next_purge_at: number | null;
  next_expiry_at: number | null; grace_secs: number;
};
export type Settings = { keymap: Record<string, string[]>; theme: string | null };
export type SyncOutcome = { report: { uploads: number; accepted: number; duplicates: number; rejected: number; purged: number }; new_batches: number };
export type IpcError = { code: string; message: string };

export const api = {
  status: () => invoke<VaultStatus>("vault_status"),
  next: (limit = 3) => invoke<QueueItem[]>("queue_next", { limit }),
  record: (decision: Decision) => invoke<AfterChange>("label_record", { decision }),
  undo: () => invoke<AfterChange>("label_undo"),
  recent: (limit = 20) => invoke<RecentDecision[]>("label_recent", { limit }),
  taxonomy: (batchId: string) => invoke<Intent[]>("batch_taxonomy", { batchId }),
  batches: () => invoke<BatchSummary[]>("batches_list"),
  importBatch: (bytesB64: string) => invoke<ImportReport>("batch_import", { bytesB64 }),
  ledger: (limit = 100) => invoke<LedgerView>("audit_ledger", { limit }),
  retention: () => invoke<Retention>("audit_retention"),
  sync: () => invoke<SyncOutcome>("sync_now"),
  settingsGet: () => invoke<Settings>("settings_get"),
  settingsSet: (settings: Settings) => invoke<void>("settings_set", { settings }),
};

/// An IPC error as a message for people (never a raw stack trace).
export function errorText(e: unknown): string {
  if (e && typeof e === "object" && "message" in e && typeof (e as IpcError).message === "string") return (e as IpcError).message;
  if (typeof e === "string") return e;
  return "Something went wrong in LabelVault; try again, and restart the app if it keeps happening.";
}
