// The app's commands, typed. Each is a thin call into the Rust engine.
import { invoke } from "@tauri-apps/api/core";
import { t } from "./i18n";
// The admin API's shapes are generated from the engine's Rust types
// (crates/core/src/admin_api.rs; docs/admin-api.md says how to regenerate them).
import type { BatchPlan } from "./generated/BatchPlan";
import type { CompanyAnswer } from "./generated/CompanyAnswer";
import type { Composition } from "./generated/Composition";
import type { DeviceProgress } from "./generated/DeviceProgress";
import type { DispatchResponse } from "./generated/DispatchResponse";
import type { ComparisonAnswer } from "./generated/ComparisonAnswer";
import type { EvaluationAnswer } from "./generated/EvaluationAnswer";
import type { ExportFormat } from "./generated/ExportFormat";
import type { IntentDelta } from "./generated/IntentDelta";
import type { Method } from "./generated/Method";
import type { GoldStored } from "./generated/GoldStored";
import type { IngestSummary } from "./generated/IngestSummary";
import type { Intent } from "./generated/Intent";
import type { PipelineStatus } from "./generated/PipelineStatus";
import type { Preview } from "./generated/Preview";
import type { Reason } from "./generated/Reason";
import type { RetrainStatus } from "./generated/RetrainStatus";
import type { Strategy } from "./generated/Strategy";
import type { VersionScore } from "./generated/VersionScore";
import type { Adjudication } from "./generated/Adjudication";
import type { Agreement } from "./generated/Agreement";
import type { Annotator } from "./generated/Annotator";
import type { AnnotatorList } from "./generated/AnnotatorList";
import type { AnnotatorQuality } from "./generated/AnnotatorQuality";
import type { ConfirmTermsAnswer } from "./generated/ConfirmTermsAnswer";
import type { CopyLabelView } from "./generated/CopyLabelView";
import type { Disagreement } from "./generated/Disagreement";
import type { DisagreementList } from "./generated/DisagreementList";
import type { MissedPiiReport } from "./generated/MissedPiiReport";
import type { PiiKind } from "./generated/PiiKind";
import type { QualityReport } from "./generated/QualityReport";

export type {
  Adjudication, Agreement, AnnotatorList, AnnotatorQuality, BatchPlan, CompanyAnswer, ComparisonAnswer, Composition, ConfirmTermsAnswer,
  DeviceProgress, Disagreement, DisagreementList, DispatchResponse, EvaluationAnswer, ExportFormat, GoldStored, IngestSummary, Intent,
  IntentDelta, MissedPiiReport, PiiKind, PipelineStatus, Preview, QualityReport, Reason, RetrainStatus, Strategy, VersionScore,
};

export type Alternative = { intent: string; confidence: number };
export type QueueItem = {
  item_id: string; batch_id: string; text: string; model_intent: string; confidence: number;
  alternatives: Alternative[]; reason: Reason; skipped: boolean;
};
export type ReasonCounts = { false_positive: number; low_confidence: number; random_sample: number; suspected_label_error: number };
export type HubLink = { hub_url: string; device_id: string; hub_key_id: string; enrolled_at: number };
export type VaultStatus = {
  profile_dir: string; device_fingerprint: string; schema_version: number; batches: number; items: number;
  labelled: number; skipped: number; remaining: number; quarantined: number; by_reason: ReasonCounts; hub: HubLink | null;
};
export type Verdict = "correct" | "wrong" | "unsure" | "skip";
export type Flag = "misclassification" | "missed_pii" | "not_customer_message" | "multiple_intents";
export type Span = { start: number; end: number };
export type Decision = {
  item_id: string; verdict: Verdict; intent_id: string | null; flags: Flag[]; pii_spans: Span[]; duration_ms: number;
  /** The message's other intents (with the multiple_intents flag; at most 4, never intent_id). */
  also_intents: string[];
};
export type LabelRecord = {
  item_id: string; revision: number; retracted: boolean; verdict: Verdict | null; intent_id: string | null;
  flags: Flag[]; pii_spans: Span[]; duration_ms: number; created_at_ms: number; also_intents?: string[];
};
export type AfterChange = { record: LabelRecord | null; next: QueueItem[] };
export type RecentDecision = { item: QueueItem; label: LabelRecord };
export type BatchSummary = {
  batch_id: string; items: number; labelled: number; imported_at: number; expires_at: number;
  by_reason: ReasonCounts; taxonomy: string; held_back: number;
};
/// A person behind device ids, as the hub lists them for managers.
export type Person = Annotator;
/// Annotators' missed-PII marks as the hub counts them (never the marked text).
export type MissedPii = MissedPiiReport;
export type ImportReport = {
  batch_id: string; items: number; already_imported: boolean; quarantined: number; quarantined_kinds: string[];
};
export type SignedReceipt = { receipt: { accepted: number; duplicates: number; rejected: unknown[]; server_time_ms: number }; signature: string };
export type LedgerSummary = {
  seq: number; created_at_ms: number; hub_url: string; request: string; body_bytes: number; label_count: number;
  fields: string[]; entry_hash: string; receipt: SignedReceipt | null; attempts: number;
};
export type LedgerView = { entries: LedgerSummary[]; chain: string; total: number };
/// One act on the hub's access ledger (ids and counts, never message text).
export type AccessRow = {
  seq: number; at_ms: number; account_id: string; name: string | null; role: string; act: string;
  method: string; path: string; status: number; messages: number; names_message: boolean;
};
/// The connected hub's access ledger, verified on this machine against the pinned hub key.
export type HubAccessView = {
  hub_url: string; verification: string; verified: boolean; entries: number; checkpoint_at_ms: number | null;
  message: string | null; matching: number; rows: AccessRow[];
};
export type Retention = {
  items: number; acknowledged: number; unsynced_labels: number; next_purge_at: number | null;
  next_expiry_at: number | null; grace_secs: number;
};
export type Settings = { keymap: Record<string, string[]>; theme: string | null };
export type SyncOutcome = {
  report: { uploads: number; accepted: number; duplicates: number; rejected: number; purged: number };
  new_batches: number; held_back: string[];
  notices: { notices: number; erased_items: number; masked_items: number };
};
export type IpcError = { code: string; message: string };

// The Manage view's shapes (the hub's JSON is documented in docs/openapi.yaml).
export type ManagerLink = { hub_url: string };
export type Overview = { pipeline: PipelineStatus; devices: DeviceProgress[] };
/// A taxonomy file as the shell read and checked it (nothing sent).
export type TaxonomySummary = { id: string; version: string; intents: number; groups: number; with_examples: number };
/// What a dispatch made (the hub's answer, as the shell read it).
export type Dispatched = DispatchResponse;
/// The hub's quality report, its disagreements and adjudications (generated types).
export type Quality = QualityReport;
export type CopyLabel = CopyLabelView;
/// What became of one batch the manager withdrew.
export type WithdrawOutcome = {
  batch_id: string; outcome: "withdrawn" | "already_fetched" | "already_withdrawn" | "unknown_batch" | "failed";
  copies_returned: number; code: string | null; message: string | null;
};
export type Disagreements = DisagreementList;
export type Saved = { path: string; bytes: number; splits?: Record<string, number> };
/// The model's evaluation, two versions compared, and whether retraining is due.
export type Evaluation = EvaluationAnswer;
export type Comparison = ComparisonAnswer;
export type EvaluationView = { evaluation: Evaluation; report: Saved; retrain: RetrainStatus };

export const api = {
  status: () => invoke<VaultStatus>("vault_status"),
  next: (limit = 3) => invoke<QueueItem[]>("queue_next", { limit }),
  record: (decision: Decision) => invoke<AfterChange>("label_record", { decision }),
  undo: () => invoke<AfterChange>("label_undo"),
  recent: (limit = 20) => invoke<RecentDecision[]>("label_recent", { limit }),
  taxonomy: (batchId: string) => invoke<Intent[]>("batch_taxonomy", { batchId }),
  guidelines: (batchId: string) => invoke<string>("batch_guidelines", { batchId }),
  batches: () => invoke<BatchSummary[]>("batches_list"),
  importBatch: (bytesB64: string) => invoke<ImportReport>("batch_import", { bytesB64 }),
  ledger: (limit = 100) => invoke<LedgerView>("audit_ledger", { limit }),
  retention: () => invoke<Retention>("audit_retention"),
  auditExport: () => invoke<{ path: string; bytes: number }>("audit_export"),
  auditHubAccess: (message: string | null, limit = 500) => invoke<HubAccessView>("audit_hub_access", { message, limit }),
  sync: () => invoke<SyncOutcome>("sync_now"),
  settingsGet: () => invoke<Settings>("settings_get"),
  settingsSet: (settings: Settings) => invoke<void>("settings_set", { settings }),
  languageGet: () => invoke<string | null>("language_get"),
  languageSet: (language: string) => invoke<void>("language_set", { language }),
  manageLink: () => invoke<ManagerLink | null>("manage_link"),
  manageConnect: (hubUrl: string, token: string) => invoke<ManagerLink>("manage_connect", { hubUrl, token }),
  manageForget: () => invoke<void>("manage_forget"),
  manageOverview: () => invoke<Overview>("manage_overview"),
  manageIngest: (fileName: string, bytesB64: string) => invoke<IngestSummary>("manage_ingest", { fileName, bytesB64 }),
  managePreview: (plan: BatchPlan) => invoke<Preview>("manage_preview", { plan }),
  manageTaxonomy: (contentB64: string) => invoke<TaxonomySummary>("manage_taxonomy", { contentB64 }),
  manageDispatch: (plan: BatchPlan, taxonomyB64: string | null, guidelines: string | null) =>
    invoke<Dispatched>("manage_dispatch", { plan, taxonomyB64, guidelines }),
  // Aggregation: the hub's default (Dawid–Skene) unless a method is given.
  manageQuality: (method?: Method) =>
    method ? invoke<Quality>("manage_quality", { method }) : invoke<Quality>("manage_quality"),
  manageMissedPii: () => invoke<MissedPii>("manage_missed_pii"),
  manageAnnotators: () => invoke<AnnotatorList>("manage_annotators"),
  manageConfirmTerms: (week: string, company: string, guess: string, asKind: PiiKind | null) =>
    invoke<ConfirmTermsAnswer>("manage_confirm_terms", { week, company, guess, asKind }),
  manageDisagreements: (withText = false, method?: Method, includeAdjudicated?: boolean) =>
    invoke<Disagreements>("manage_disagreements", {
      withText,
      ...(method ? { method } : {}),
      ...(includeAdjudicated ? { includeAdjudicated } : {}),
    }),
  manageAdjudicate: (messageId: string, intent: string) => invoke<Adjudication>("manage_adjudicate", { messageId, intent }),
  manageUndoAdjudication: (seq: number) => invoke<Adjudication>("manage_undo_adjudication", { seq }),
  manageWithdraw: (batchIds: string[]) => invoke<WithdrawOutcome[]>("manage_withdraw", { batchIds }),
  manageExport: (format: ExportFormat, seed: number) => invoke<Saved>("manage_export", { format, seed }),
  manageEvaluation: () => invoke<EvaluationView>("manage_evaluation"),
  manageCompare: (a: string, b: string) => invoke<Comparison>("manage_compare", { a, b }),
  manageGold: (contentB64: string) => invoke<GoldStored>("manage_gold", { contentB64 }),
  manageCompany: (company: string, newlyOnboarded: boolean) => invoke<CompanyAnswer>("manage_company", { company, newlyOnboarded }),
};

/// An IPC error as a message for people (never a raw stack trace).
export function errorText(e: unknown): string {
  if (e && typeof e === "object" && "message" in e && typeof (e as IpcError).message === "string") return (e as IpcError).message;
  if (typeof e === "string") return e;
  return t("error.generic");
}
