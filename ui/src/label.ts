// The labelling screen: one item at a time, decided by keyboard, committed to the vault
// before the next item shows; the next items are prefetched so the screen never waits
// on a query. Latency (keydown → next item painted) is recorded for the benchmark.
import { api, errorText, type Flag, type Intent, type QueueItem, type RecentDecision, type Span, type Verdict } from "./api";
import { afterDecision, afterUndo, choices, groupIntents, groupNames, pct, pickerRows, REASON_LABELS, segments, words, type Counts } from "./format";
import { actionLabel, ACTION_LABELS, keyName, resolve, type Action, type KeyMap } from "./keys";
import { t, tn, type MessageKey } from "./i18n";
import { addAlso, alsoFor, MAX_ALSO, withAlso } from "./also";
import { $, clear, el, showBanner } from "./dom";

/** What is marked before the decision: flags, missed-PII spans, the message's other intents. */
type Pending = { flags: Set<Flag>; spans: Span[]; also: string[] };

/** Decisions shown in the sidebar. */
const RECENT_LIMIT = 20;
/** Keys typed while a decision is being committed, replayed in order (never dropped). */
const TYPEAHEAD_LIMIT = 32;

/** What the screen reads of a key event (a replayed key has no event left). */
export type KeyLike = Pick<KeyboardEvent, "key" | "ctrlKey" | "altKey" | "metaKey" | "shiftKey">;

declare global {
  interface Window {
    /** keydown → next item painted, in ms (last 2000 decisions). */
    __lvLatencies: number[];
    /** keydown → the vault's answer arrived (IPC + commit), in ms. */
    __lvIpc: number[];
    /** DOM updated → the next frame's requestAnimationFrame (WebKit's frame wait), in ms. */
    __lvFrameWait: number[];
    /** Wall-clock time (Unix ms) of the frame that first showed an item: cold start. */
    __lvFirstItemAt?: number;
  }
}
window.__lvLatencies = [];
window.__lvIpc = [];
window.__lvFrameWait = [];

export class LabelScreen {
  private queue: QueueItem[] = [];
  private taxonomies = new Map<string, Intent[]>();
  /** Each batch's guidelines from the manager (plain text, may be empty). */
  private guidelinesText = new Map<string, string>();
  private current: QueueItem | null = null;
  private shownAt = performance.now();
  private pending: Pending = { flags: new Set(), spans: [], also: [] };
  private busy = false;
  private editing: QueueItem | null = null;
  /** The intents bound to 1–9 for the item on screen, as displayed. */
  private numbered: string[] = [];
  /** The open picker: its intents, the matches shown, the highlight; "decide" picks the
   *  right intent, "also" adds the message's other intents (m). */
  private picker: { list: Intent[]; shown: Intent[]; index: number; flags: Flag[]; mode: "decide" | "also" } | null = null;
  private spanMode: { words: { start: number; end: number }[]; from: number; to: number } | null = null;
  private recent: RecentDecision[] = [];
  private ahead: KeyLike[] = [];
  onProgress: (counts: Counts) => void = () => {};
  /** Counts shown in the top bar: set from vault_status, adjusted per decision. */
  counts: Counts = { labelled: 0, skipped: 0, remaining: 0 };

  constructor(private keys: KeyMap) {}

  setKeys(keys: KeyMap) {
    this.keys = keys;
    this.renderKeyHints();
  }

  /// Re-word what is on screen after a change of language; the item, the marks made on
  /// it so far and the picker's state stay as they are.
  retranslate() {
    const item = this.current;
    if (item) {
      $("reason").textContent = reasonLabel(item.reason);
      $("batch-pos").textContent = this.editing ? this.editingText(item) : "";
      for (const tag of Array.from(document.querySelectorAll("#choices .recent-tag"))) tag.textContent = t("label.recentTag");
      this.renderPending();
    }
    $("confirm").textContent = "";
    const list = $("recent-list");
    clear(list);
    for (const r of this.recent) list.append(this.recentRow(r));
    this.renderKeyHints();
  }

  async load() {
    this.queue = await api.next(3);
    this.editing = null;
    await this.show(this.queue[0] ?? null);
    if (window.__lvFirstItemAt === undefined && this.current) {
      requestAnimationFrame(() => (window.__lvFirstItemAt = performance.timeOrigin + performance.now()));
    }
    await this.refreshRecent();
    this.renderKeyHints();
  }

  private async taxonomy(batchId: string): Promise<Intent[]> {
    let t = this.taxonomies.get(batchId);
    if (!t) {
      t = await api.taxonomy(batchId);
      this.taxonomies.set(batchId, t);
    }
    return t;
  }

  private async guidelines(batchId: string): Promise<string> {
    let g = this.guidelinesText.get(batchId);
    if (g === undefined) {
      g = await api.guidelines(batchId);
      this.guidelinesText.set(batchId, g);
    }
    return g;
  }

  private async show(item: QueueItem | null) {
    this.current = item;
    this.pending = { flags: new Set(), spans: [], also: [] };
    this.spanMode = null;
    $("item-card").hidden = !item;
    $("empty").hidden = !!item;
    if (!item) return;
    const tax = this.taxonomies.get(item.batch_id) ?? (await this.taxonomy(item.batch_id));
    this.renderMessage(item.text);
    const reason = $("reason");
    reason.textContent = reasonLabel(item.reason);
    reason.className = `reason ${item.reason}`;
    $("batch-pos").textContent = this.editing ? this.editingText(item) : "";
    $("model-intent").textContent = item.model_intent;
    $("model-conf").textContent = pct(item.confidence);
    ($("model-confbar") as HTMLElement).style.width = pct(item.confidence);
    const list = $("choices");
    clear(list);
    const alts = new Map(item.alternatives.map((a) => [a.intent, a.confidence]));
    const recent = this.recentIntents();
    this.numbered = choices(item.model_intent, item.alternatives, tax, recent);
    this.numbered.forEach((id, i) => {
      const c = alts.get(id);
      const tag = c !== undefined ? el("span", { class: "conf" }, [pct(c)]) : recent.includes(id) ? el("span", { class: "muted recent-tag" }, [t("label.recentTag")]) : "";
      list.append(el("li", { title: id }, [el("kbd", {}, [String(i + 1)]), el("span", { class: "intent-name" }, [id]), tag]));
    });
    this.renderPending();
    this.shownAt = performance.now();
  }

  /// What the annotator decided earlier about the item being edited.
  private editingText(item: QueueItem): string {
    const was = this.recent.find((r) => r.item.item_id === item.item_id)?.label;
    return was ? t("label.editingWas", { decision: decisionText(was.verdict, was.intent_id, was.also_intents ?? []) }) : t("label.editing");
  }

  /// The message, with the kept missed-PII spans marked and, while selecting, the
  /// current selection; without either, placeholders are styled and isolated.
  private renderMessage(text: string, highlight?: { start: number; end: number }) {
    const msg = $("message");
    clear(msg);
    const kept = this.pending.spans;
    if (highlight || kept.length) {
      const chars = Array.from(text);
      const cls = (i: number) =>
        highlight && i >= highlight.start && i < highlight.end ? "span-select" : kept.some((s) => i >= s.start && i < s.end) ? "span-kept" : "";
      let i = 0;
      while (i < chars.length) {
        const c = cls(i);
        let j = i + 1;
        while (j < chars.length && cls(j) === c) j++;
        const run = chars.slice(i, j).join("");
        msg.append(c ? el("mark", { class: c, title: c === "span-kept" ? t("label.markedPii") : "" }, [run]) : run);
        i = j;
      }
      return;
    }
    for (const s of segments(text)) {
      // A placeholder is isolated (bdi), so "[NAME_1]" keeps its shape inside right-to-left text.
      msg.append(s.placeholder ? el("bdi", { class: "ph", title: t("label.redacted"), dir: "ltr" }, [s.text]) : s.text);
    }
  }

  private renderPending() {
    const p = $("pending");
    clear(p);
    const names: Record<Flag, string> = {
      misclassification: t("flag.misclassification"),
      missed_pii: t("flag.missedPii", { count: this.pending.spans.length }),
      not_customer_message: t("flag.notCustomer"),
      multiple_intents: t("flag.several"),
    };
    for (const f of this.pending.flags) {
      if (f !== "multiple_intents") {
        p.append(el("span", { class: "chip" }, [names[f]]));
        continue;
      }
      // Several intents: the flag, then each other intent named, each removable.
      p.append(this.removableChip(names[f], t("label.notSeveral"), () => {
        this.pending.flags.delete("multiple_intents");
        this.pending.also = [];
      }, { id: "pending-multiple" }));
      for (const id of this.pending.also) {
        p.append(this.removableChip(`+ ${id}`, t("label.remove", { intent: id }), () => {
          this.pending.also = this.pending.also.filter((x) => x !== id);
        }, { class: "chip also-chip", "data-also": id }));
      }
    }
    if (this.spanMode) p.append(el("span", { class: "chip active" }, [t("label.selecting")]));
  }

  /// A chip with a ✕ button that takes it back.
  private removableChip(text: string, label: string, remove: () => void, attrs: Record<string, string>): HTMLElement {
    const x = el("button", { type: "button", class: "chip-x", "aria-label": label, title: label }, ["✕"]);
    x.addEventListener("mousedown", (ev) => ev.preventDefault());
    x.addEventListener("click", () => {
      remove();
      this.renderPending();
      this.renderAlsoInPicker();
      $("message").focus();
    });
    return el("span", { class: "chip", ...attrs }, [text, " ", x]);
  }

  private renderKeyHints() {
    const k = $("keys");
    clear(k);
    const show: Action[] = ["accept", "wrong", "flag_misclassification", "missed_pii", "not_customer", "multiple_intents", "skip", "undo", "guidelines", "help"];
    for (const a of show) {
      const keys = this.keys[a];
      if (!keys.length) continue;
      k.append(el("span", { class: "hint" }, [el("kbd", {}, [keyName(keys[0])]), " ", actionLabel(a)]));
    }
    k.append(el("span", { class: "hint" }, [el("kbd", {}, ["1–9"]), " ", t("label.rightIntent")]));
    const help = $("help-rows");
    clear(help);
    for (const a of Object.keys(ACTION_LABELS) as Action[]) {
      help.append(el("tr", {}, [el("td", {}, [this.keys[a].map(keyName).join(" / ") || "—"]), el("td", {}, [actionLabel(a)])]));
    }
    help.append(el("tr", {}, [el("td", {}, ["1–9"]), el("td", {}, [t("help.digits")])]));
    const section = (title: string, rows: [string, string][]) => {
      help.append(el("tr", {}, [el("th", { colspan: "2" }, [title])]));
      for (const [k, what] of rows) help.append(el("tr", {}, [el("td", {}, [k]), el("td", {}, [what])]));
    };
    section(t("help.picker"), [
      [t("help.typeKey"), t("help.pickerType")],
      ["↑ / ↓", t("help.pickerMove")],
      ["PgUp / PgDn", t("help.pickerPage")],
      ["Enter", t("help.pickerEnter")],
      ["Esc", t("help.pickerEsc")],
    ]);
    const m = this.keys.multiple_intents[0];
    section(m ? t("help.severalKey", { key: m }) : t("help.several"), [
      [t("help.typeEnter"), t("help.severalAdd", { max: MAX_ALSO })],
      ["Backspace", t("help.severalBackspace")],
      ["Esc", t("help.severalEsc")],
    ]);
    section(t("help.pii"), [
      ["← / →", t("help.piiMove")],
      ["Shift+→ / Shift+←", t("help.piiExtend")],
      ["Enter", t("help.piiKeep")],
      ["Backspace", t("help.piiRemove")],
      ["Esc", t("help.piiCancel")],
    ]);
    section(t("help.recent"), [[t("help.recentKeys"), t("help.recentEdit")]]);
  }

  /// The guidelines at the decision: the manager's guidelines for the item's batch
  /// first, then what the model's intent and the numbered choices mean, then every
  /// intent of the batch under its group, with its description and example phrasings.
  private async showGuidelines() {
    const item = this.current;
    const body = $("guidelines-body");
    clear(body);
    if (!item) {
      body.append(el("p", {}, [t("guide.noItem")]));
    } else {
      const [tax, text] = await Promise.all([this.taxonomy(item.batch_id), this.guidelines(item.batch_id)]);
      body.append(el("h3", {}, [t("guide.fromManager")]));
      // Plain text only: textContent keeps any markup inert, CSS keeps its line breaks.
      const g = el("div", { id: "guidelines-text", class: "guidelines-text", dir: "auto" });
      g.textContent = text;
      body.append(text.trim() ? g : el("p", { id: "guidelines-none", class: "muted" }, [t("guide.none")]));
      const byId = new Map(tax.map((t) => [t.id, t]));
      const row = (id: string, tag: string, groupTag = true) => {
        const it = byId.get(id);
        const examples = it?.examples ?? [];
        return el("div", { class: "guideline", "data-intent": id }, [
          el("strong", {}, [id]),
          tag ? el("span", { class: "muted" }, [` (${tag})`]) : "",
          groupTag && it?.group ? el("span", { class: "group-tag", dir: "auto" }, [it.group]) : "",
          el("p", { dir: "auto" }, [it?.description || t("guide.noDescription")]),
          examples.length ? el("ul", { class: "examples" }, examples.map((x) => el("li", { dir: "auto" }, [x]))) : "",
        ]);
      };
      body.append(el("h3", {}, [t("guide.thisItem")]), row(item.model_intent, t("guide.modelGuess")));
      this.numbered.forEach((id, n) => body.append(row(id, t("guide.keyN", { n: n + 1 }))));
      const groups = groupIntents(tax);
      const named = groupNames(tax).length > 0;
      body.append(el("h3", {}, [named ? t("guide.everyGroups", { count: tax.length, groups: groupNames(tax).length }) : tn("guide.every", tax.length)]));
      for (const grp of groups) {
        if (named) body.append(el("h4", { class: "guideline-group", dir: "auto" }, [grp.group || t("guide.other")]));
        // Under its heading an intent needs no group label of its own.
        for (const t of grp.intents) body.append(row(t.id, "", !named));
      }
    }
    $("guidelines").hidden = false;
    $("guidelines-body").scrollTop = 0;
  }

  /// Intents this annotator chose recently (newest first), for the keys 1–9.
  private recentIntents(): string[] {
    const out: string[] = [];
    for (const r of this.recent) {
      const id = r.label.intent_id;
      if (r.label.verdict === "wrong" && id && !out.includes(id)) out.push(id);
    }
    return out;
  }

  async refreshRecent() {
    this.recent = await api.recent(RECENT_LIMIT);
    const list = $("recent-list");
    clear(list);
    for (const r of this.recent) list.append(this.recentRow(r));
  }

  /// Put a just-recorded decision at the top of the sidebar without asking the vault
  /// again: one row in, its older row (if any) and the overflow out.
  private pushRecent(r: RecentDecision) {
    this.recent = [r, ...this.recent.filter((x) => x.item.item_id !== r.item.item_id)].slice(0, RECENT_LIMIT);
    const list = $("recent-list");
    for (const li of Array.from(list.children)) {
      if ((li as HTMLElement).dataset.item === r.item.item_id) li.remove();
    }
    list.prepend(this.recentRow(r));
    while (list.children.length > RECENT_LIMIT) list.lastElementChild?.remove();
  }

  private recentRow(r: RecentDecision): HTMLElement {
    const v = r.label.verdict ?? "";
    const li = el("li", { tabindex: "0", class: `recent-${v}`, "data-item": r.item.item_id, title: t("label.recentRowTitle") }, [
      el("span", { class: "verdict" }, [v in VERDICT_TEXT ? t(VERDICT_TEXT[v]) : v]),
      " ",
      el("span", {}, [v === "wrong" || v === "correct" ? withAlso(r.label.intent_id ?? "", r.label.also_intents ?? []) : (r.label.also_intents ?? []).length ? t("label.alsoList", { intents: (r.label.also_intents ?? []).join(" + ") }) : ""]),
      r.label.flags.length ? el("span", { class: "muted" }, [` · ${r.label.flags.map((f) => (f in FLAG_TEXT ? t(FLAG_TEXT[f]) : f)).join(", ")}`]) : "",
      el("span", { class: "snippet", dir: "auto" }, [snippet(r.item.text)]),
    ]);
    li.addEventListener("click", () => this.edit(r));
    li.addEventListener("keydown", (e) => {
      if ((e as KeyboardEvent).key === "Enter") {
        e.stopPropagation();
        this.edit(r);
      }
    });
    return li;
  }

  private async edit(r: RecentDecision) {
    this.editing = r.item;
    await this.show(r.item);
    // Focus leaves the Recent list, so the next Enter decides instead of re-opening.
    $("message").focus();
  }

  /// Handle a key on the labelling screen. Returns true if it was used.
  async onKey(e: KeyLike): Promise<boolean> {
    const t0 = performance.now();
    if (!$("help").hidden) {
      if (e.key === "Escape" || e.key === "?") $("help").hidden = true;
      return true;
    }
    if (!$("guidelines").hidden) {
      if (e.key === "Escape" || this.keys.guidelines.includes(e.key)) $("guidelines").hidden = true;
      return true;
    }
    if (this.picker) return this.pickerKey(e, t0);
    if (this.spanMode) return this.spanKey(e);
    if (this.busy) {
      if (this.ahead.length < TYPEAHEAD_LIMIT) {
        const { key, ctrlKey, altKey, metaKey, shiftKey } = e;
        this.ahead.push({ key, ctrlKey, altKey, metaKey, shiftKey });
      }
      return true;
    }
    const r = resolve(this.keys, e.key, { ctrl: e.ctrlKey, alt: e.altKey, meta: e.metaKey });
    if (!r) return false;
    if (r.kind === "action" && r.action === "undo") {
      await this.undo(t0);
      return true;
    }
    if (r.kind === "action" && r.action === "help") {
      $("help").hidden = false;
      return true;
    }
    if (r.kind === "action" && r.action === "guidelines") {
      await this.showGuidelines();
      return true;
    }
    const item = this.current;
    if (!item) return r.kind === "action";
    if (r.kind === "choose") {
      const c = this.numbered[r.index];
      if (c) await this.decide("wrong", c, t0);
      return true;
    }
    switch (r.action) {
      case "accept":
        await this.decide("correct", null, t0);
        break;
      case "skip":
        await this.decide("skip", null, t0);
        break;
      case "unsure":
        await this.decide("unsure", null, t0);
        break;
      case "not_customer":
        this.pending.flags.add("not_customer_message");
        await this.decide("unsure", null, t0);
        break;
      case "multiple_intents":
        this.pending.flags.add("multiple_intents");
        this.renderPending();
        await this.openPicker([], "also");
        break;
      case "wrong":
        await this.openPicker([], "decide");
        break;
      case "flag_misclassification":
        await this.openPicker(["misclassification"], "decide");
        break;
      case "missed_pii":
        this.startSpan();
        break;
    }
    return true;
  }

  private async decide(verdict: Verdict, intent: string | null, t0: number) {
    const item = this.current;
    if (!item || this.busy) return;
    this.busy = true;
    try {
      const flags = [...this.pending.flags];
      const main = verdict === "correct" ? item.model_intent : intent;
      const also = flags.includes("multiple_intents") ? alsoFor(this.pending.also, main) : [];
      const res = await api.record({
        item_id: item.item_id,
        verdict,
        intent_id: intent,
        flags,
        also_intents: also,
        pii_spans: this.pending.spans,
        duration_ms: Math.round(performance.now() - this.shownAt),
      });
      window.__lvIpc.push(performance.now() - t0);
      if (window.__lvIpc.length > 2000) window.__lvIpc.shift();
      // Where the item was: undecided or skipped in the queue, or an earlier decision
      // being edited (a skip, or another verdict).
      const earlier = this.editing ? this.recent.find((r) => r.item.item_id === item.item_id)?.label.verdict : null;
      const was = this.editing ? (earlier === "skip" ? "skipped" : "decided") : item.skipped ? "skipped" : "undecided";
      this.counts = afterDecision(this.counts, was, verdict);
      this.editing = null;
      this.queue = res.next;
      // Recent first: the next item's keys 1–9 include this choice.
      if (res.record) this.pushRecent({ item, label: res.record });
      const undoKey = this.keys.undo[0] ?? "";
      const decision = decisionText(verdict, res.record?.intent_id ?? intent, res.record?.also_intents ?? also);
      $("confirm").textContent = undoKey ? t("label.confirmedUndo", { decision, key: keyName(undoKey) }) : t("label.confirmed", { decision });
      await this.show(this.queue[0] ?? null);
      this.onProgress(this.counts);
      const updated = performance.now();
      requestAnimationFrame(() => {
        const now = performance.now();
        const l = window.__lvLatencies;
        l.push(now - t0);
        if (l.length > 2000) l.shift();
        const w = window.__lvFrameWait;
        w.push(now - updated);
        if (w.length > 2000) w.shift();
      });
    } catch (e) {
      showBanner(errorText(e));
    } finally {
      this.busy = false;
      this.replayAhead();
    }
  }

  private async undo(t0: number) {
    if (this.busy) return;
    this.busy = true;
    try {
      const res = await api.undo();
      if (!res.record) {
        showBanner(t("label.nothingToUndo"), "info");
        return;
      }
      // Undo takes back the most recent decision still standing: Recent's first row.
      this.counts = afterUndo(this.counts, this.recent[0]?.label.verdict ?? null);
      $("confirm").textContent = t("label.undone");
      this.editing = null;
      this.queue = res.next;
      // The undone item returns to the queue; show it.
      const back = res.next.find((q) => q.item_id === res.record?.item_id) ?? res.next[0] ?? null;
      await this.show(back);
      this.onProgress(this.counts);
      requestAnimationFrame(() => window.__lvLatencies.push(performance.now() - t0));
      void this.refreshRecent();
    } catch (e) {
      showBanner(errorText(e));
    } finally {
      this.busy = false;
      this.replayAhead();
    }
  }

  /// Handle the next key typed while the previous decision was being committed.
  private replayAhead() {
    const next = this.ahead.shift();
    if (next) setTimeout(() => void this.onKey(next), 0);
  }

  private async openPicker(flags: Flag[], mode: "decide" | "also") {
    const item = this.current;
    if (!item) return;
    const all = await this.taxonomy(item.batch_id);
    // Deciding: every intent but the model's. Adding other intents: every intent but the
    // main one (the model's guess until corrected) and those already added.
    const tax = all.filter((i) => i.id !== item.model_intent && (mode === "decide" || !this.pending.also.includes(i.id)));
    this.picker = { list: tax, shown: tax, index: 0, flags, mode };
    const input = $("picker-input") as HTMLInputElement;
    input.value = "";
    $("picker-title").textContent =
      mode === "also"
        ? t("picker.alsoTitle", { intent: item.model_intent, max: MAX_ALSO })
        : t("picker.title");
    $("picker").setAttribute("aria-label", mode === "also" ? t("picker.alsoLabel") : t("picker.title"));
    $("picker-help").textContent =
      mode === "also"
        ? t("picker.alsoHelp")
        : t("picker.help");
    $("picker-note").textContent = "";
    $("picker").hidden = false;
    this.renderAlsoInPicker();
    this.renderPicker();
    input.focus();
  }

  /// In "also" mode, the other intents added so far, above the list.
  private renderAlsoInPicker() {
    const box = $("picker-also");
    clear(box);
    const p = this.picker;
    box.hidden = !p || p.mode !== "also";
    if (!p || p.mode !== "also") return;
    box.append(this.pending.also.length ? t("picker.also", { intents: this.pending.also.join(" + ") }) : t("picker.noneAdded"));
  }

  /// The picker lists every matching intent (no cap) with a count: with no filter, under
  /// the taxonomy's group headings; filtered, best first with each row's group named.
  /// Each row shows the description and the first example phrasing; the highlighted row
  /// stays in view and shows its full name, description and every example.
  private renderPicker() {
    const p = this.picker;
    if (!p) return;
    const input = $("picker-input") as HTMLInputElement;
    const view = pickerRows(p.list, input.value);
    p.shown = view.shown;
    p.index = Math.min(Math.max(0, p.index), Math.max(0, p.shown.length - 1));
    const list = $("picker-list");
    clear(list);
    const count = $("picker-count");
    count.textContent = input.value.trim()
      ? t("picker.match", { shown: p.shown.length, total: p.list.length })
      : tn("picker.count", p.list.length);
    let selected: HTMLElement | null = null;
    for (const r of view.rows) {
      if (r.kind === "group") {
        list.append(el("li", { class: "picker-group", role: "presentation", dir: "auto" }, [r.name]));
        continue;
      }
      const { intent: i, index: n } = r;
      const sel = n === p.index;
      const examples = i.examples ?? [];
      const shownExamples = sel ? examples : examples.slice(0, 1);
      const li = el("li", { class: sel ? "opt sel" : "opt", "aria-selected": String(sel), role: "option", id: `picker-opt-${n}`, title: i.id, "data-intent": i.id }, [
        el("span", { class: "name-line" }, [
          el("strong", { class: "intent-name" }, [i.id]),
          !view.headings && i.group ? el("span", { class: "group-tag", dir: "auto" }, [i.group]) : "",
        ]),
        i.description ? el("span", { class: "desc", dir: "auto" }, [i.description]) : "",
        ...shownExamples.map((x) => el("span", { class: "example", dir: "auto" }, [`“${x}”`])),
      ]);
      li.addEventListener("mousedown", (ev) => {
        ev.preventDefault();
        p.index = n;
        void this.pickerKey({ key: "Enter", ctrlKey: false, altKey: false, metaKey: false, shiftKey: false }, performance.now());
      });
      list.append(li);
      if (sel) selected = li;
    }
    if (selected) {
      input.setAttribute("aria-activedescendant", (selected as HTMLElement).id);
      // Keep the group heading just above the highlight in view too.
      const above = (selected as HTMLElement).previousElementSibling;
      if (above?.classList.contains("picker-group")) above.scrollIntoView({ block: "nearest" });
      (selected as HTMLElement).scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
      list.append(el("li", { class: "muted" }, [t("picker.noMatch")]));
    }
  }

  private async pickerKey(e: KeyLike, t0: number): Promise<boolean> {
    const p = this.picker!;
    if (e.key === "Escape") {
      this.closePicker();
      return true;
    }
    const step: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    if (e.key in step) {
      p.index = Math.min(Math.max(0, p.index + step[e.key]), Math.max(0, p.shown.length - 1));
      this.renderPicker();
      return true;
    }
    if (p.mode === "also" && e.key === "Backspace" && !($("picker-input") as HTMLInputElement).value) {
      const gone = this.pending.also.pop();
      if (gone) this.refreshAlsoPicker(t("picker.removed", { intent: gone }));
      return true;
    }
    if (e.key === "Enter" && p.mode === "also") {
      const chosen = p.shown[p.index];
      if (!chosen || !this.current) return true;
      const r = addAlso(this.pending.also, chosen.id, this.current.model_intent);
      this.pending.also = r.list;
      this.pending.flags.add("multiple_intents");
      this.refreshAlsoPicker(r.refused ?? t("picker.added", { intent: chosen.id }));
      return true;
    }
    if (e.key === "Enter") {
      const chosen = p.shown[p.index];
      if (!chosen) return true;
      for (const f of p.flags) this.pending.flags.add(f);
      this.closePicker();
      await this.decide("wrong", chosen.id, t0);
      return true;
    }
    // Typing goes to the input; re-render after it updates.
    setTimeout(() => {
      if (this.picker) {
        this.picker.index = 0;
        this.renderPicker();
      }
    }, 0);
    return false;
  }

  /// After adding or removing an other intent: the list without those added, an empty
  /// filter, the note (why a choice was refused, or what changed).
  private refreshAlsoPicker(note: string) {
    const p = this.picker;
    const item = this.current;
    if (!p || !item) return;
    const all = this.taxonomies.get(item.batch_id) ?? [];
    p.list = all.filter((i) => i.id !== item.model_intent && !this.pending.also.includes(i.id));
    p.index = 0;
    ($("picker-input") as HTMLInputElement).value = "";
    $("picker-note").textContent = note;
    this.renderAlsoInPicker();
    this.renderPicker();
    this.renderPending();
  }

  private closePicker() {
    this.picker = null;
    $("picker").hidden = true;
    $("message").focus();
  }

  private startSpan() {
    const item = this.current;
    if (!item) return;
    // A mouse selection inside the message wins.
    const sel = window.getSelection();
    const msg = $("message");
    if (sel && sel.rangeCount && !sel.isCollapsed && msg.contains(sel.anchorNode) && msg.contains(sel.focusNode)) {
      const range = sel.getRangeAt(0);
      const pre = document.createRange();
      pre.selectNodeContents(msg);
      pre.setEnd(range.startContainer, range.startOffset);
      const start = Array.from(pre.toString()).length;
      const end = start + Array.from(range.toString()).length;
      if (end > start) {
        this.addSpan({ start, end });
        sel.removeAllRanges();
        return;
      }
    }
    const w = words(item.text);
    if (!w.length) return;
    this.spanMode = { words: w, from: 0, to: 0 };
    this.renderSpan();
  }

  private renderSpan() {
    const s = this.spanMode!;
    this.renderMessage(this.current!.text, { start: s.words[s.from].start, end: s.words[s.to].end });
    this.renderPending();
  }

  private spanKey(e: KeyLike): boolean {
    const s = this.spanMode!;
    const last = s.words.length - 1;
    if (e.key === "Escape") {
      this.spanMode = null;
      this.renderMessage(this.current!.text);
      this.renderPending();
    } else if (e.key === "Backspace" || e.key === "Delete") {
      // Take back the last kept span (a wrong mark must not reach the hub).
      this.pending.spans.pop();
      if (!this.pending.spans.length) this.pending.flags.delete("missed_pii");
      this.spanMode = null;
      this.renderMessage(this.current!.text);
      this.renderPending();
    } else if (e.key === "ArrowRight" && e.shiftKey) {
      s.to = Math.min(last, s.to + 1);
      this.renderSpan();
    } else if (e.key === "ArrowLeft" && e.shiftKey) {
      s.to = Math.max(s.from, s.to - 1);
      this.renderSpan();
    } else if (e.key === "ArrowRight") {
      s.from = Math.min(last, s.from + 1);
      s.to = s.from;
      this.renderSpan();
    } else if (e.key === "ArrowLeft") {
      s.from = Math.max(0, s.from - 1);
      s.to = s.from;
      this.renderSpan();
    } else if (e.key === "Enter") {
      const span = { start: s.words[s.from].start, end: s.words[s.to].end };
      this.spanMode = null;
      this.renderMessage(this.current!.text);
      this.addSpan(span);
    }
    return true;
  }

  private addSpan(span: Span) {
    this.pending.spans.push(span);
    this.pending.flags.add("missed_pii");
    if (this.current) this.renderMessage(this.current.text);
    this.renderPending();
  }
}

/** How a verdict reads to the annotator (the model's intent was right, or corrected). */
const VERDICT_TEXT: Record<string, MessageKey> = { correct: "verdict.correct", wrong: "verdict.wrong", unsure: "verdict.unsure", skip: "verdict.skip" };

/** Flags in words, not enum names. */
const FLAG_TEXT: Record<string, MessageKey> = {
  misclassification: "flagText.misclassification",
  missed_pii: "flagText.missedPii",
  not_customer_message: "flag.notCustomer",
  multiple_intents: "flag.several",
};

/** Why an item is in the queue, in words (an unknown reason as it is). */
function reasonLabel(reason: string): string {
  return reason in REASON_LABELS ? t(REASON_LABELS[reason]) : reason;
}

/// A decision in words, for the confirmation line and the editing note; the message's
/// other intents follow its own ("card_arrival + change_pin").
function decisionText(verdict: Verdict | null, intent: string | null, also: string[] = []): string {
  const joined = also.join(" + ");
  switch (verdict) {
    case "correct":
      return intent ? t("decision.correctIntent", { intent: withAlso(intent, also) }) : also.length ? t("decision.correctAlso", { also: joined }) : t("decision.correct");
    case "wrong":
      return t("decision.wrong", { intent: intent ? withAlso(intent, also) : withAlso(t("decision.anotherIntent"), also) });
    case "unsure":
      return also.length ? t("decision.unsureAlso", { also: joined }) : t("decision.unsure");
    case "skip":
      return t("decision.skip");
    default:
      return t("decision.takenBack");
  }
}

/// The start of a (redacted) item text for the Recent list.
function snippet(text: string): string {
  const chars = Array.from(text.replace(/\s+/g, " ").trim());
  return chars.length > 60 ? `${chars.slice(0, 60).join("")}…` : chars.join("");
}

