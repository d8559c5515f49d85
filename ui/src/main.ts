// App bootstrap: screens, the global key handler, batches, audit and settings.
import { api, errorText, type VaultStatus } from "./api";
import { $, clear, el, fileBase64, showBanner } from "./dom";
import { local, pct, progressText, type Counts } from "./format";
import { HubAccess } from "./audit";
import { ACTION_LABELS, DEFAULT_KEYS, mergeKeys, overrides, rebind, type Action, type KeyMap } from "./keys";
import { LabelScreen } from "./label";
import { ManageScreen } from "./manage";

type Screen = "label" | "batches" | "audit" | "settings" | "manage";
const SCREENS: Screen[] = ["label", "batches", "audit", "settings", "manage"];
let screen: Screen = "label";
let keys: KeyMap = DEFAULT_KEYS;
let rebinding: Action | null = null;
const label = new LabelScreen(keys);
const manage = new ManageScreen();
const hubAccess = new HubAccess();

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
      el("h1", {}, ["LabelVault cannot open your vault"]),
      el("p", {}, [message]),
      el("p", { class: "muted" }, ["Nothing was changed. Fix the problem above and start LabelVault again."]),
    ]),
  );
}

async function refreshStatus(): Promise<VaultStatus> {
  const s = await api.status();
  label.counts = { labelled: s.labelled, skipped: s.skipped, remaining: s.remaining };
  progress(label.counts);
  $("sync-button").title = s.hub ? `Sync with ${s.hub.hub_url}` : "Not enrolled with a hub (labelvault enroll)";
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
            ...(b.held_back
              ? [el("div", { class: "held-back" }, [`${b.held_back} held back: personal data found on this device; not shown`])]
              : []),
          ]),
          el("td", {}, [`${r.false_positive} false positive · ${r.low_confidence} low confidence · ${r.random_sample} sample`]),
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
  return `${n} item(s) held back: this device found personal data in them (${kinds.join(", ")}) that the hub's redaction missed. They are not stored and will not be shown; tell your manager.`;
}

async function importFile(file: File) {
  try {
    const r = await api.importBatch(await fileBase64(file));
    const done = r.already_imported ? `Batch ${r.batch_id} was already imported; nothing changed.` : `Imported batch ${r.batch_id} (${r.items - r.quarantined} items).`;
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
    $("chain-status").textContent = `Verified ${local(Date.now())}: ledger ${ledger.chain}`;
    $("chain-status").className = `chain ${ledger.chain.startsWith("ok") ? "chain-ok" : "chain-bad"}`;
    const when = (t: number | null) => (t ? day(t) : "—");
    $("retention").textContent = `Stored now: ${ret.items} items (${ret.acknowledged} acknowledged by the hub), ${ret.unsynced_labels} label revisions not yet acknowledged. Next purge: ${when(ret.next_purge_at)}; next batch expiry: ${when(ret.next_expiry_at)}.`;
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
              ? `receipted ${local(r.server_time_ms)}: ${r.accepted} accepted, ${r.duplicates} duplicate, ${r.rejected.length} rejected`
              : l.request.startsWith("RECEIPT")
                ? "the hub's signed receipt, in the chain"
                : l.label_count
                  ? "awaiting the hub's receipt"
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
    const b = el("button", { "data-action": a, class: rebinding === a ? "rebinding" : "" }, [rebinding === a ? "press a key…" : keys[a].join(" / ") || "—"]);
    b.addEventListener("click", () => {
      rebinding = a;
      renderSettings();
    });
    rows.append(el("tr", {}, [el("td", {}, [ACTION_LABELS[a]]), el("td", {}, [b])]));
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
        const shown = e.key === " " ? "Space" : e.key;
        if (next[from].length) showBanner(`"${shown}" moved from ${ACTION_LABELS[from]} to ${ACTION_LABELS[a]}; ${ACTION_LABELS[from]} keeps ${next[from].join(" / ")}.`, "info");
        else showBanner(`"${shown}" now means ${ACTION_LABELS[a]}; ${ACTION_LABELS[from]} has no key left: bind one here.`);
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
  $("audit-verify").addEventListener("click", () => void renderAudit());
  $("audit-export").addEventListener("click", async () => {
    const b = $("audit-export") as HTMLButtonElement;
    b.disabled = true;
    try {
      const saved = await api.auditExport();
      $("audit-export-result").textContent = `Saved the ledger (${saved.bytes} bytes) to ${saved.path}. Check it anywhere with: labelvault audit verify FILE --hub-key KEY`;
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
    try {
      const r = await api.sync();
      const sent = `Sent ${r.report.uploads} upload(s): ${r.report.accepted} accepted; ${r.new_batches} new batch(es).`;
      const notices = [
        r.notices.erased_items ? `${r.notices.erased_items} item(s) deleted at the hub's request (a customer's erasure).` : "",
        r.notices.masked_items ? `${r.notices.masked_items} item(s) had personal data masked at the hub's request.` : "",
      ].filter(Boolean);
      if (r.held_back.length || notices.length) showBanner([sent, ...notices, ...r.held_back].join(" "));
      else showBanner(sent, "info");
      await refreshStatus();
      if (screen === "label") await label.load();
    } catch (e) {
      showBanner(errorText(e));
    }
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

window.addEventListener("error", () => showBanner("Something went wrong in the window; your decisions so far are saved. Restart LabelVault if it persists."));
void boot();
