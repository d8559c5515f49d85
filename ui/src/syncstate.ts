// When the app syncs by itself, and what the top bar says about it.
//
// The app syncs every five minutes while all is well (the first time five minutes after
// it starts). When the hub cannot be reached (or
// answers with trouble of its own) it tries again sooner, then less and less often
// (30 s, 1 min, 2 min, … up to 30 min, each with ±20% jitter so a fleet of laptops
// coming back online does not knock on the hub in step); a browser "online" event or the
// Sync button tries at once. Errors no retry can mend (not enrolled, a receipt that does
// not verify, the leak guard) stop the background turns until the annotator syncs by
// hand, so a problem that needs a person is shown once, not retried forever.
//
// Pure functions over a small state, so the schedule is tested without timers.

import { language, t } from "./i18n";

/** How often the app syncs by itself while syncs succeed. */
export const SYNC_EVERY_MS = 5 * 60_000;
/** The first retry after a failed sync. */
export const RETRY_FIRST_MS = 30_000;
/** The longest wait between retries. */
export const RETRY_MAX_MS = 30 * 60_000;

/** Where background sync stands. */
export type SyncPhase =
  /** Nothing tried yet in this run of the app. */
  | "idle"
  /** A sync is under way. */
  | "syncing"
  /** The last sync went through. */
  | "synced"
  /** The last sync failed for a reason worth retrying; the next try is scheduled. */
  | "retrying"
  /** The device is not enrolled with a hub: nothing to sync with. */
  | "not_enrolled"
  /** The last sync failed for a reason that needs a person; background turns wait for the Sync button. */
  | "stopped";

/** The state the top bar shows and the scheduler keeps. */
export interface SyncState {
  phase: SyncPhase;
  /** When a sync last went through (ms since the epoch). */
  lastSyncedAt: number | null;
  /** Failed syncs in a row. */
  failures: number;
  /** When the next background sync is due (null: none scheduled). */
  nextAt: number | null;
  /** The error code of the last failure. */
  lastError: string | null;
}

/** Before the first sync: the first background turn comes one period after start (the annotator can press Sync sooner). */
export function initialSyncState(now: number): SyncState {
  return { phase: "idle", lastSyncedAt: null, failures: 0, nextAt: now + SYNC_EVERY_MS, lastError: null };
}

/** Error codes that a later try cannot mend on its own: background sync stops for them. */
const NEEDS_A_PERSON = new Set([
  "leak_guard",
  "bad_receipt",
  "invalid_upload",
  "keyring_locked",
  "keyring_unavailable",
  "key_missing",
  "wrong_key",
  "corrupt",
  "newer_schema",
]);

/** How a failed sync is handled, from its error code. */
export function classify(code: string | null | undefined): "retry" | "not_enrolled" | "stop" {
  if (code === "not_enrolled") return "not_enrolled";
  if (code && NEEDS_A_PERSON.has(code)) return "stop";
  // offline, hub_refused (the hub's own trouble, or a refusal a manager can lift),
  // anything unexpected: try again later, less and less often.
  return "retry";
}

/** The wait before retry number `failures` (1 = the first): doubling from 30 s, capped at 30 min, ±20% jitter. */
export function retryDelay(failures: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(failures));
  const base = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(n - 1, 20));
  const jitter = 0.8 + 0.4 * Math.min(Math.max(random(), 0), 1);
  return Math.round(base * jitter);
}

/** What happened to a sync. */
export type SyncEvent =
  | { kind: "started" }
  | { kind: "succeeded" }
  | { kind: "failed"; code: string | null };

/** The state after `event` at `now`. */
export function advance(s: SyncState, event: SyncEvent, now: number, random: () => number = Math.random): SyncState {
  switch (event.kind) {
    case "started":
      return { ...s, phase: "syncing", nextAt: null };
    case "succeeded":
      return { phase: "synced", lastSyncedAt: now, failures: 0, nextAt: now + SYNC_EVERY_MS, lastError: null };
    case "failed": {
      const how = classify(event.code);
      if (how === "not_enrolled") return { ...s, phase: "not_enrolled", failures: 0, nextAt: null, lastError: event.code };
      if (how === "stop") return { ...s, phase: "stopped", failures: s.failures + 1, nextAt: null, lastError: event.code };
      const failures = s.failures + 1;
      return { ...s, phase: "retrying", failures, nextAt: now + retryDelay(failures, random), lastError: event.code };
    }
  }
}

/** The state once the vault says whether it is enrolled: no turns without a hub, and turns again once there is one. */
export function enrolment(s: SyncState, enrolled: boolean, now: number): SyncState {
  if (!enrolled && (s.phase === "idle" || s.phase === "retrying")) return { ...s, phase: "not_enrolled", nextAt: null };
  if (enrolled && s.phase === "not_enrolled") return { ...s, phase: "idle", nextAt: now + SYNC_EVERY_MS, lastError: null };
  return s;
}

/** Whether a background turn should run at `now` (the Sync button and "online" always run). */
export function due(s: SyncState, now: number): boolean {
  return s.phase !== "syncing" && s.nextAt !== null && now >= s.nextAt;
}

/** Whether the network coming back should sync at once: not while one runs, and not
 * when the last failure needs a person (or there is no hub): those wait for Sync. */
export function onlineSyncs(s: SyncState): boolean {
  return s.phase !== "syncing" && s.phase !== "stopped" && s.phase !== "not_enrolled";
}

/** "3 min. ago" / "in 2 min." in the interface language (short: the top bar is narrow). */
export function relative(ms: number, now: number): string {
  const rtf = new Intl.RelativeTimeFormat(language(), { numeric: "auto", style: "short" });
  const secs = Math.round((ms - now) / 1000);
  const abs = Math.abs(secs);
  if (abs < 60) return rtf.format(secs, "second");
  if (abs < 3600) return rtf.format(Math.round(secs / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(secs / 3600), "hour");
  return rtf.format(Math.round(secs / 86400), "day");
}

/** The top bar's words for `s` at `now`. */
export function describe(s: SyncState, now: number): string {
  switch (s.phase) {
    case "idle":
      return t("syncState.idle");
    case "syncing":
      return t("syncState.syncing");
    case "synced":
      return t("syncState.synced", { ago: relative(s.lastSyncedAt ?? now, now) });
    case "retrying":
      return t("syncState.retrying", { when: relative(s.nextAt ?? now, now) });
    case "not_enrolled":
      return t("syncState.notEnrolled");
    case "stopped":
      return t("syncState.stopped");
  }
}
