// App bootstrap: screens, the global key handler, batches, audit and settings.
import { api, errorText, type VaultStatus } from "./api";
import { $, clear, el, fileBase64, showBanner } from "./dom";
import { local, pct, progressText, type Counts } from "./format";
import { HubAccess } from "./audit";
import { actionLabel, ACTION_LABELS, DEFAULT_KEYS, keyName, mergeKeys, overrides, rebind, type Action, type KeyMap } from "./keys";
import { applyStatic, language, LANGUAGES, pickLanguage, setLanguage, t, tn } from "./i18n";
import { LabelScreen } from "./label";
import { advance, describe, due, enrolment, initialSyncState, onlineSyncs, type SyncState } from "./syncstate";
import { ManageScreen } from "./manage";

/** How often the top bar's sync state is refreshed and a due background sync started. */
const SYNC_TICK_MS = 5_000;

type Screen = "label" | "batches" | "audit" | "settings" | "manage";
const SCREENS: Screen[] = ["label", "batches", "audit", "settings", "manage"];
let screen: Screen = "label";
let keys: KeyMap = DEFAULT_KEYS;
let rebinding: Action | null = null;
const label = new LabelScreen(keys);
const manage = new ManageScreen();
const hubAccess = new HubAccess();
let syncState: SyncState = initialSyncState(Date.now());

/** The top bar's sync state, in words (and as data for tests and styles). */
function showSyncState() {
  const node = $("sync-state");
  const words = describe(syncState, Date.now());
  node.textContent = words;
  node.dataset.phase = syncState.phase;
  // The full sentence on hover, since a narrow window cuts the line short.
  node.title = syncState.phase === "retrying" || syncState.phase === "stopped" ? `${words}. ${t("syncState.kept")}` : words;
}

/** One sync (button, background or network back), its outcome kept in `syncState`. */
async function runSync(): Promise<Awaited<ReturnType<typeof api.sync>>> {
  syncState = advance(syncState, { kind: "started" }, Date.now());
  showSyncState();
  try {
    const r = await api.sync();
    syncState = advance(syncState, { kind: "succeeded" }, Date.now());
    return r;
  } catch (e) {
    const code = e && typeof e === "object" && "code" in e ? String((e as { code: unknown }).code) : null;
    syncState = advance(syncState, { kind: "failed", code }, Date.now());
    throw e;
  } finally {
    showSyncState();
  }
}

function progress(c: Counts) {
  const total = c.labelled + c.skipped + c.remaining;
  $("progress-text").textContent = progressText(c);
  ($("progress-bar") as HTMLElement).style.width = total ? pct(c.labelled / total) : "0%";
}
label.onProgress = progress;

function show(s: Screen) {
  screen = s;
  for (const name of SCREENS) {
    $(`screen-${name}`).hidden = name !== s;
    $(`tab-${name}`).setAttribute("aria-selected", String(name === s));
  }
  if (s === "batches") void renderBatches();
  if (s === "audit") void renderAudit();
  if (s === "settings") renderSettings();
  if (s === "manage") void manage.show();
  if (s === "label") void label.load();
}

function fatal(message: string) {
  const app = $("app");
  clear(app);
  app.append(
    el("main", { class: "fatal", role: "alert" }, [
      el("h1", {}, [t("fatal.title")]),
      el("p", {}, [message]),
      el("p", { class: "muted" }, [t("fatal.hint")]),
    ]),
  );
}

async function refreshStatus(): Promise<VaultStatus> {
  const s = await api.status();
  label.counts = { labelled: s.labelled, skipped: s.skipped, remaining: s.remaining };
  progress(label.counts);
  hubUrl = s.hub?.hub_url ?? null;
  syncTitle();
  syncState = enrolment(syncState, hubUrl !== null, Date.now());
  showSyncState();
  return s;
}

/// A progress bar; its width is set through the CSSOM (the CSP forbids inline style attributes).
function bar(share: number): HTMLElement {
  const fill = el("div");
  fill.style.width = pct(share);
  return el("div", { class: "bar" }, [fill]);
}

const day = (ts: number) => new Date(ts * 1000).toISOString().slice(0, 16).replace("T", " ");

async function renderBatches() {
  try {
    const rows = $("batch-rows");
    clear(rows);
    for (const b of await api.batches()) {
      const r = b.by_reason;
      rows.append(
        el("tr", {}, [
          el("td", {}, [el("code", {}, [b.batch_id]), el("div", { class: "muted" }, [b.taxonomy])]),
          el("td", {}, [
            `${b.labelled} / ${b.items}`,
            bar(b.items ? b.labelled / b.items : 0),
            ...(b.held_back ? [el("div", { class: "held-back" }, [t("batches.heldBack", { count: b.held_back })])] : []),
          ]),
          el("td", {}, [t("batches.reasonCounts", { fp: r.false_positive, low: r.low_confidence, sample: r.random_sample, relabel: r.suspected_label_error ?? 0 })]),
          el("td", {}, [day(b.expires_at)]),
        ]),
      );
    }
  } catch (e) {
    showBanner(errorText(e));
  }
}

/// What the annotator is told when import held items back (kinds only, never text).
function heldBackNotice(n: number, kinds: string[]): string {
  return tn("batches.heldBackNotice", n, { kinds: kinds.join(", ") });
}

async function importFile(file: File) {
  try {
    const r = await api.importBatch(await fileBase64(file));
    const done = r.already_imported ? t("batches.already", { batch: r.batch_id }) : tn("batches.imported", r.items - r.quarantined, { batch: r.batch_id });
    if (r.quarantined) showBanner(`${done} ${heldBackNotice(r.quarantined, r.quarantined_kinds)}`);
    else showBanner(done, "info");
    await refreshStatus();
    await renderBatches();
  } catch (e) {
    showBanner(errorText(e));
  }
}

async function renderAudit() {
  try {
    const [ledger, ret] = await Promise.all([api.ledger(200), api.retention()]);
    $("chain-status").textContent = t("audit.verified", { when: local(Date.now()), chain: ledger.chain });
    $("chain-status").className = `chain ${ledger.chain.startsWith("ok") ? "chain-ok" : "chain-bad"}`;
    const when = (t: number | null) => (t ? day(t) : "—");
    $("retention").textContent = t("audit.retention", { items: ret.items, acknowledged: ret.acknowledged, unsynced: ret.unsynced_labels, purge: when(ret.next_purge_at), expiry: when(ret.next_expiry_at) });
    const rows = $("ledger-rows");
    clear(rows);
    for (const l of ledger.entries) {
      const r = l.receipt?.receipt;
      rows.append(
        el("tr", {}, [
          el("td", {}, [String(l.seq)]),
          el("td", {}, [local(l.created_at_ms)]),
          el("td", {}, [l.request, el("div", { class: "muted" }, [l.hub_url])]),
          el("td", {}, [String(l.label_count)]),
          el("td", {}, [String(l.body_bytes)]),
          el("td", { class: "fields" }, [l.fields.join(", ")]),
          el("td", {}, [
            r
              ? t("audit.receipted", { when: local(r.server_time_ms), accepted: r.accepted, duplicates: r.duplicates, rejected: r.rejected.length })
              : l.request.startsWith("RECEIPT")
                ? t("audit.receiptInChain")
                : l.label_count
                  ? t("audit.awaiting")
                  : "—",
          ]),
        ]),
      );
    }
  } catch (e) {
    showBanner(errorText(e));
  }
}

function renderSettings() {
  const rows = $("keymap-rows");
  clear(rows);
  for (const a of Object.keys(ACTION_LABELS) as Action[]) {
    const b = el("button", { "data-action": a, class: rebinding === a ? "rebinding" : "" }, [rebinding === a ? t("settings.pressKey") : keys[a].map(keyName).join(" / ") || "—"]);
    b.addEventListener("click", () => {
      rebinding = a;
      renderSettings();
    });
    rows.append(el("tr", {}, [el("td", {}, [actionLabel(a)]), el("td", {}, [b])]));
  }
}

/** The theme chosen in Settings: system, light or dark. */
let theme = "system";

function applyTheme(t: string) {
  theme = t;
  if (t === "light" || t === "dark") document.documentElement.dataset.theme = t;
  else delete document.documentElement.dataset.theme;
  ($("theme-select") as HTMLSelectElement).value = t;
}

/** The hub the vault syncs with (for the Sync button's title), once known. */
let hubUrl: string | null = null;

function syncTitle() {
  $("sync-button").title = hubUrl ? t("sync.titleHub", { url: hubUrl }) : t("sync.notEnrolled");
}

/// Use a language: the page's `lang`, the marked static text, the language control, and
/// whatever the current screen shows, re-worded without a restart.
function applyLanguage(tag: string) {
  setLanguage(tag);
  document.documentElement.lang = language();
  applyStatic(document);
  const select = $("language-select") as HTMLSelectElement;
  if (!select.options.length) {
    for (const [code, cat] of Object.entries(LANGUAGES)) select.append(el("option", { value: code, lang: code }, [cat["lang.name"]]));
  }
  select.value = language();
  syncTitle();
  showSyncState();
  if ($("progress-text").textContent) progress(label.counts);
  label.retranslate();
  if (screen === "batches") void renderBatches();
  if (screen === "audit") void renderAudit();
  if (screen === "settings") renderSettings();
  if (screen === "manage") void manage.show();
}

async function saveKeys(next: KeyMap) {
  try {
    await api.settingsSet({ keymap: overrides(next), theme });
    keys = next;
    label.setKeys(keys);
  } catch (e) {
    showBanner(errorText(e));
  }
}

document.addEventListener("keydown", (e) => {
  if (rebinding) {
    e.preventDefault();
    const a = rebinding;
    rebinding = null;
    if (e.key !== "Escape" && !/^[1-9]$/.test(e.key)) {
      // Say what a key that meant something else no longer does.
      const from = (Object.keys(keys) as Action[]).find((x) => x !== a && keys[x].includes(e.key));
      const next = rebind(keys, a, e.key);
      void saveKeys(next).then(() => {
        renderSettings();
        if (!from) return;
        const words = { key: keyName(e.key), from: actionLabel(from), to: actionLabel(a) };
        if (next[from].length) showBanner(t("settings.moved", { ...words, keys: next[from].map(keyName).join(" / ") }), "info");
        else showBanner(t("settings.movedNone", words));
      });
    } else renderSettings();
    return;
  }
  if (screen !== "label") return;
  const target = e.target as HTMLElement | null;
  // Recent-list items handle their own Enter.
  if (target && target.closest && target.closest("#recent-list") && e.key === "Enter") return;
  void label.onKey(e).then((used) => {
    if (used) e.preventDefault();
  });
  // Prevent defaults synchronously for keys we always own.
  if ($("picker").hidden && (e.key === "Backspace" || e.key === "Enter" || e.key === " ")) e.preventDefault();
  else if (!$("picker").hidden && ["ArrowDown", "ArrowUp", "PageDown", "PageUp", "Enter"].includes(e.key)) e.preventDefault();
});

async function boot() {
  // The language first, so nothing shows in the wrong one: the saved choice, else the
  // system's (navigator.languages), else English.
  const saved = await api.languageGet().catch(() => null);
  applyLanguage(saved ?? pickLanguage(navigator.languages?.length ? navigator.languages : [navigator.language]));
  for (const name of SCREENS) {
    $(`tab-${name}`).addEventListener("click", () => show(name));
  }
  manage.wire();
  hubAccess.wire();
  $("theme-select").addEventListener("change", async () => {
    const t = ($("theme-select") as HTMLSelectElement).value;
    applyTheme(t);
    try {
      await api.settingsSet({ keymap: overrides(keys), theme: t });
    } catch (e) {
      showBanner(errorText(e));
    }
  });
  $("language-select").addEventListener("change", async () => {
    const tag = ($("language-select") as HTMLSelectElement).value;
    applyLanguage(tag);
    try {
      await api.languageSet(tag);
    } catch (e) {
      showBanner(errorText(e));
    }
  });
  $("audit-verify").addEventListener("click", () => void renderAudit());
  $("audit-export").addEventListener("click", async () => {
    const b = $("audit-export") as HTMLButtonElement;
    b.disabled = true;
    try {
      const saved = await api.auditExport();
      $("audit-export-result").textContent = t("audit.saved", { bytes: saved.bytes, path: saved.path });
    } catch (e) {
      showBanner(errorText(e));
    } finally {
      b.disabled = false;
    }
  });
  $("keymap-reset").addEventListener("click", () => void saveKeys(DEFAULT_KEYS).then(renderSettings));
  const input = $("batch-file") as HTMLInputElement;
  input.addEventListener("change", () => {
    const f = input.files?.[0];
    if (f) void importFile(f);
    input.value = "";
  });
  const drop = $("dropzone");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const f = e.dataTransfer?.files?.[0];
    if (f) void importFile(f);
  });
  $("sync-button").addEventListener("click", async () => {
    if (syncState.phase === "syncing") return;
    try {
      const r = await runSync();
      const sent = t("sync.sent", { uploads: r.report.uploads, accepted: r.report.accepted, batches: r.new_batches });
      const notices = [
        r.notices.erased_items ? tn("sync.erased", r.notices.erased_items) : "",
        r.notices.masked_items ? tn("sync.masked", r.notices.masked_items) : "",
      ].filter(Boolean);
      if (r.held_back.length || notices.length) showBanner([sent, ...notices, ...r.held_back].join(" "));
      else showBanner(sent, "info");
      await refreshStatus();
      if (screen === "label") await label.load();
    } catch (e) {
      showBanner(errorText(e));
    }
  });
  // Sync in the background (src/syncstate.ts: every five minutes, sooner and then less
  // and less often after a failure) and at once when the network comes back: a sync
  // takes the vault only step by step, so labelling goes on meanwhile. Failures stay out
  // of the banner; the top bar says where sync stands and when it tries next.
  const backgroundSync = async () => {
    if (syncState.phase === "syncing") return;
    try {
      const r = await runSync();
      if (r.report.accepted || r.new_batches) {
        showBanner(t("sync.background", { accepted: r.report.accepted, batches: r.new_batches }), "info");
        await refreshStatus();
      }
    } catch {
      // Shown in the top bar; the labels wait in the vault for the next turn.
    }
  };
  window.setInterval(() => {
    if (due(syncState, Date.now())) void backgroundSync();
    else showSyncState();
  }, SYNC_TICK_MS);
  window.addEventListener("online", () => {
    if (onlineSyncs(syncState)) void backgroundSync();
  });
  // The first item comes first: it is what the annotator waits for. The vault-wide
  // counts of the status line take tens of milliseconds on a large vault and would hold
  // the vault while the first item's taxonomy waits, so they are asked for afterwards.
  const failed = await label.load().then(
    () => null,
    (e: unknown) => e,
  );
  try {
    await refreshStatus();
  } catch (e) {
    fatal(errorText(e));
    return;
  }
  try {
    const s = await api.settingsGet();
    keys = mergeKeys(s.keymap);
    label.setKeys(keys);
    applyTheme(s.theme ?? "system");
  } catch (e) {
    showBanner(errorText(e));
  }
  if (failed) showBanner(errorText(failed));
  document.body.dataset.ready = "true";
}

window.addEventListener("error", () => showBanner(t("error.window")));
void boot();
