import { describe as suite, expect, it } from "vitest";
import { setLanguage } from "./i18n";
import {
  advance,
  classify,
  describe,
  due,
  enrolment,
  initialSyncState,
  onlineSyncs,
  retryDelay,
  RETRY_FIRST_MS,
  RETRY_MAX_MS,
  SYNC_EVERY_MS,
  type SyncState,
} from "./syncstate";

const T0 = 1_800_000_000_000;
const mid = () => 0.5; // no jitter

suite("background sync schedule", () => {
  it("waits one period after start, then syncs every five minutes while syncs succeed", () => {
    let s = initialSyncState(T0);
    expect(due(s, T0)).toBe(false);
    expect(due(s, T0 + SYNC_EVERY_MS)).toBe(true);
    s = advance(s, { kind: "started" }, T0 + SYNC_EVERY_MS);
    expect(s.phase).toBe("syncing");
    expect(due(s, T0 + 10 * SYNC_EVERY_MS)).toBe(false); // never two at once
    s = advance(s, { kind: "succeeded" }, T0 + SYNC_EVERY_MS);
    expect(s).toMatchObject({ phase: "synced", failures: 0, lastSyncedAt: T0 + SYNC_EVERY_MS, nextAt: T0 + 2 * SYNC_EVERY_MS });
  });

  it("backs off after failures: 30 s, 1 min, 2 min … capped at 30 min, and resets on success", () => {
    let s: SyncState = initialSyncState(T0);
    const waits: number[] = [];
    let now = T0;
    for (let i = 0; i < 10; i++) {
      s = advance(advance(s, { kind: "started" }, now), { kind: "failed", code: "offline" }, now, mid);
      expect(s.phase).toBe("retrying");
      waits.push((s.nextAt ?? 0) - now);
      now = s.nextAt ?? now;
    }
    expect(waits.slice(0, 4)).toEqual([RETRY_FIRST_MS, 2 * RETRY_FIRST_MS, 4 * RETRY_FIRST_MS, 8 * RETRY_FIRST_MS]);
    expect(Math.max(...waits)).toBe(RETRY_MAX_MS);
    s = advance(s, { kind: "succeeded" }, now);
    expect(s.failures).toBe(0);
    s = advance(s, { kind: "failed", code: "offline" }, now, mid);
    expect((s.nextAt ?? 0) - now).toBe(RETRY_FIRST_MS);
  });

  it("jitters each wait within ±20%", () => {
    expect(retryDelay(1, () => 0)).toBe(0.8 * RETRY_FIRST_MS);
    expect(retryDelay(1, () => 1)).toBe(1.2 * RETRY_FIRST_MS);
    expect(retryDelay(50, () => 1)).toBe(1.2 * RETRY_MAX_MS);
    expect(retryDelay(0, mid)).toBe(RETRY_FIRST_MS);
  });

  it("stops background turns for errors a retry cannot mend, and for a device without a hub", () => {
    expect(classify("offline")).toBe("retry");
    expect(classify("hub_refused")).toBe("retry");
    expect(classify(null)).toBe("retry");
    expect(classify("not_enrolled")).toBe("not_enrolled");
    for (const code of ["bad_receipt", "leak_guard", "keyring_locked"]) expect(classify(code)).toBe("stop");
    const stopped = advance(initialSyncState(T0), { kind: "failed", code: "bad_receipt" }, T0);
    expect(stopped.phase).toBe("stopped");
    expect(due(stopped, T0 + 100 * SYNC_EVERY_MS)).toBe(false);
    // The Sync button still runs, and a success brings the schedule back.
    expect(advance(stopped, { kind: "succeeded" }, T0).nextAt).toBe(T0 + SYNC_EVERY_MS);
  });

  it("syncs when the network comes back, unless a person must act first", () => {
    const retrying = advance(initialSyncState(T0), { kind: "failed", code: "offline" }, T0, mid);
    expect(onlineSyncs(retrying)).toBe(true);
    expect(onlineSyncs(initialSyncState(T0))).toBe(true);
    expect(onlineSyncs(advance(retrying, { kind: "started" }, T0))).toBe(false);
    expect(onlineSyncs(advance(retrying, { kind: "failed", code: "bad_receipt" }, T0))).toBe(false);
    expect(onlineSyncs(enrolment(initialSyncState(T0), false, T0))).toBe(false);
  });

  it("follows enrolment: no turns without a hub, turns again once enrolled", () => {
    let s = enrolment(initialSyncState(T0), false, T0);
    expect(s.phase).toBe("not_enrolled");
    expect(due(s, T0 + 100 * SYNC_EVERY_MS)).toBe(false);
    s = enrolment(s, true, T0 + 1000);
    expect(s).toMatchObject({ phase: "idle", nextAt: T0 + 1000 + SYNC_EVERY_MS });
    const synced = advance(s, { kind: "succeeded" }, T0);
    expect(enrolment(synced, true, T0)).toBe(synced);
  });
});

suite("what the top bar says", () => {
  it("says when the last sync went through and when the next try comes, in the interface language", () => {
    setLanguage("en");
    const synced = advance(initialSyncState(T0), { kind: "succeeded" }, T0 - 3 * 60_000);
    expect(describe(synced, T0)).toBe("Synced 3 min. ago");
    const retrying = advance(synced, { kind: "failed", code: "offline" }, T0, mid);
    expect(describe(retrying, T0)).toBe("Not synced, retry in 30 sec.");
    expect(describe(advance(retrying, { kind: "started" }, T0), T0)).toBe("Syncing…");
    expect(describe(enrolment(initialSyncState(T0), false, T0), T0)).toBe("Not enrolled with a hub");
    setLanguage("de");
    expect(describe(synced, T0)).toBe("Synchronisiert vor 3 Min.");
    expect(describe(retrying, T0)).toContain("in 30 Sek.");
    setLanguage("en");
  });
});
