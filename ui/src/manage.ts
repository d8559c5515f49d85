// The Manage view: a manager connects the app to a hub (URL + admin token, the token
// kept in the system keyring) and steers the work from here: load messages, see the
// pool, create and assign batches, watch progress, adjudicate, export and evaluate.
import { ADMIN_DEFAULTS } from "./generated/defaults";
import { api, errorText, type Adjudication, type BatchPlan, type Comparison, type Composition, type Dispatched, type Disagreement, type Evaluation, type ExportFormat, type IngestSummary, type IntentDelta, type MissedPii, type Person, type PiiKind, type Quality, type Strategy, type TaxonomySummary, type VersionScore, type WithdrawOutcome } from "./api";
import { barChart, calibrationChart, type BarRow } from "./charts";
import { $, clear, el, fileBase64, showBanner } from "./dom";
import { pct, utf8Bytes } from "./format";
import { t, tn } from "./i18n";

const DAY = 86_400;

/// Unix seconds of a `yyyy-mm-dd` date input (UTC midnight), or a fallback when empty.
export function dateSeconds(value: string, fallback: number): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return fallback;
  const t = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(t) ? Math.floor(t / 1000) : fallback;
}

/// The intents a manager may choose between for a disagreement: the annotators'
/// answers (most votes first) and then the model's.
export function adjudicationChoices(d: Pick<Disagreement, "labels" | "model_intent">): string[] {
  const votes = new Map<string, number>();
  for (const l of d.labels) if (l.intent) votes.set(l.intent, (votes.get(l.intent) ?? 0) + 1);
  const out = [...votes.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([i]) => i);
  if (!out.includes(d.model_intent)) out.push(d.model_intent);
  return out;
}

/// The question before undoing a dispatch: what goes back, and what cannot.
export function withdrawQuestion(batches: Dispatched["batches"]): string {
  const items = batches.reduce((n, b) => n + b.items, 0);
  return t("mg.withdrawQ", { batches: batches.length, items });
}

/// One batch's outcome in words.
export function withdrawOutcomeText(o: WithdrawOutcome): string {
  switch (o.outcome) {
    case "withdrawn":
      return t("mg.out.withdrawn", { count: o.copies_returned });
    case "already_fetched":
      return t("mg.out.fetched");
    case "already_withdrawn":
      return t("mg.out.already");
    case "unknown_batch":
      return t("mg.out.unknown");
    default:
      return t("mg.out.failed", { why: o.message ?? o.code ?? t("mg.out.refused") });
  }
}

/// The whole undo in one line: "Withdrew 2 of 3 batch(es): 12 item(s) back in the pool; 1 already fetched (kept by its device)".
export function withdrawSummary(outcomes: WithdrawOutcome[]): string {
  const n = (k: string) => outcomes.filter((o) => o.outcome === k).length;
  const back = outcomes.reduce((s, o) => s + (o.outcome === "withdrawn" ? o.copies_returned : 0), 0);
  const parts = [t("mg.withdrew", { withdrawn: n("withdrawn"), total: outcomes.length, back })];
  if (n("already_fetched")) parts.push(t("mg.withdrew.fetched", { count: n("already_fetched") }));
  if (n("already_withdrawn")) parts.push(t("mg.withdrew.already", { count: n("already_withdrawn") }));
  const other = n("unknown_batch") + n("failed");
  if (other) parts.push(t("mg.withdrew.other", { count: other }));
  return t("mg.list", { items: parts.join("; ") });
}

/// What an undone adjudication left in force: "m12 is back to its annotators' majority"
/// (no decision in force any more) or "m12 is change_pin again".
export function undoAdjudicationText(a: Pick<Adjudication, "message_id" | "intent">): string {
  return a.intent ? t("mg.undoAdj.again", { message: a.message_id, intent: a.intent }) : t("mg.undoAdj.majority", { message: a.message_id });
}

/** The hub's limit on a dispatch's guidelines, in bytes (32 KiB). */
export const GUIDELINES_LIMIT = 32 * 1024;

/// The guidelines' byte counter: "1,234 / 32,768 bytes", and whether it is over the limit.
export function guidelinesCount(text: string): { text: string; over: boolean } {
  const n = utf8Bytes(text);
  const over = n > GUIDELINES_LIMIT;
  return { text: t(over ? "mg.gCountOver" : "mg.gCount", { n, limit: GUIDELINES_LIMIT }), over };
}

/// A checked taxonomy file in words: "banking v3: 150 intents, 10 groups, 150 with examples".
export function taxonomyText(s: TaxonomySummary): string {
  const head = tn("mg.tax.intents", s.intents, { id: s.id, version: s.version });
  const groups = s.groups ? tn("mg.tax.groups", s.groups, { summary: head }) : t("mg.tax.noGroups", { summary: head });
  return s.with_examples ? t("mg.tax.examples", { summary: groups, count: s.with_examples }) : groups;
}

/// What the confirmation says about the taxonomy and the guidelines going with the batches.
export function attachmentsText(s: TaxonomySummary | null, guidelines: string): string {
  const taxonomy = s ? t("mg.att.tax", { id: s.id, version: s.version, count: s.intents }) : t("mg.att.noTax");
  const g = guidelines.trim() ? t("mg.att.guide", { bytes: utf8Bytes(guidelines) }) : t("mg.att.noGuide");
  return t("mg.att", { taxonomy, guidelines: g });
}

/// An upload's outcome in one line: stored, already there, re-scored (a new prediction
/// for a known message), refused by the hub and skipped as unreadable. Refused rows are
/// among `bad_rows` (listed by line below the line), so they are not counted twice.
export function ingestText(file: string, r: IngestSummary): string {
  const refused = r.refused ?? 0;
  return t("mg.loaded", {
    file, read: r.read, inserted: r.inserted, duplicates: r.duplicates, rescored: r.rescored ?? 0, refused,
    bad: Math.max(0, r.bad_rows.length - refused),
  });
}

/// The pool's make-up in words, the suspected label errors included.
export function compositionText(c: Composition): string {
  return t("mg.composition", { fp: c.false_positive, low: c.low_confidence, sample: c.random_sample, relabel: c.suspected_label_error ?? 0 });
}

/** The hub's limit on a plan's label-error budget. */
export const LABEL_ERROR_LIMIT = ADMIN_DEFAULTS.max_label_error_budget;
/** The largest whole number a JSON number carries exactly (the hub takes up to 2^64 − 1). */
const WHOLE_LIMIT = Number.MAX_SAFE_INTEGER;

/// The plan's new fields the hub would refuse, in the form's words, before any call.
export function planFieldProblems(plan: Pick<BatchPlan, "per_intent_cap" | "seed" | "label_error_budget">): string[] {
  const out: string[] = [];
  const whole = (v: number, max: number) => Number.isInteger(v) && v >= 0 && v <= max;
  if (!whole(plan.per_intent_cap, WHOLE_LIMIT)) out.push(t("mg.planField", { field: t("manage.cap"), min: 0, max: WHOLE_LIMIT }));
  if (!whole(plan.seed, WHOLE_LIMIT)) out.push(t("mg.planField", { field: t("manage.planSeed"), min: 0, max: WHOLE_LIMIT }));
  if (!whole(plan.label_error_budget, LABEL_ERROR_LIMIT)) out.push(t("mg.planField", { field: t("manage.labelErrors"), min: 0, max: LABEL_ERROR_LIMIT }));
  return out;
}

/// A share as a percentage with one decimal: "83.3%".
export function pct1(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/// A difference with its sign ("+0.125", "−0.050"; "0.000" when none at this precision).
export function signed(x: number, digits = 3): string {
  const s = Math.abs(x).toFixed(digits);
  if (Number(s) === 0) return s;
  return `${x > 0 ? "+" : "−"}${s}`;
}

/// A p-value as people read it: four decimals, "< 0.0001" below that.
export function pValueText(p: number): string {
  return p < 0.0001 ? "< 0.0001" : p.toFixed(4);
}

/// The intents whose F1 changed most between the two versions (largest change first,
/// then the most labelled), leaving out those that did not change.
export function largestF1Changes(rows: IntentDelta[], k = 5): IntentDelta[] {
  return rows
    .filter((r) => Math.abs(r.difference) > 1e-12)
    .sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference) || b.support - a.support || a.intent.localeCompare(b.intent))
    .slice(0, k);
}

/// The pair the compare control starts with: the two newest-looking versions (the
/// hub lists them by name), A the older, B the newer; null with fewer than two.
export function defaultPair(versions: VersionScore[]): [string, string] | null {
  if (versions.length < 2) return null;
  return [versions[versions.length - 2].model_version, versions[versions.length - 1].model_version];
}

const num = (id: string, fallback: number) => {
  const v = Number(($(id) as HTMLInputElement).value);
  return Number.isFinite(v) ? v : fallback;
};
const fmt = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? "—" : x.toFixed(digits));

/// The kinds of personal data a manager can mask confirmed marks as (the hub's PII type names).
const KINDS: PiiKind[] = ["PERSON", "STREET_ADDRESS", "PHONE_NUMBER", "EMAIL_ADDRESS", "NATIONAL_ID", "ORDER_NUMBER", "DATE_OF_BIRTH", "IBAN_CODE", "CREDIT_CARD", "IP_ADDRESS", "URL"];

/// Start the batch form from the admin API's defaults and limits (generated from the
/// engine's, so the form, the CLI and the hub agree). Overlap and gold share keep the
/// form's own starting values (2 and 5%: a second look and hidden checks by default).
export function fillPlanDefaults() {
  const set = (id: string, attrs: Record<string, string | number>) => {
    const input = $(id) as HTMLInputElement;
    for (const [k, v] of Object.entries(attrs)) input.setAttribute(k, String(v));
    if ("value" in attrs) input.value = String(attrs.value);
  };
  set("plan-overlap", { max: ADMIN_DEFAULTS.max_overlap });
  set("plan-size", { value: ADMIN_DEFAULTS.batch_size, max: ADMIN_DEFAULTS.max_batch_size });
  set("plan-gold", { max: ADMIN_DEFAULTS.max_gold_share });
  set("plan-budget", { value: ADMIN_DEFAULTS.low_confidence_budget });
  set("plan-maxconf", { value: ADMIN_DEFAULTS.max_confidence });
  set("plan-sample", { value: ADMIN_DEFAULTS.sample_per_company });
  set("plan-lease", { value: ADMIN_DEFAULTS.lease_secs / DAY });
  set("plan-label-errors", { max: ADMIN_DEFAULTS.max_label_error_budget });
  ($("plan-strategy") as HTMLSelectElement).value = ADMIN_DEFAULTS.strategy;
  set("export-seed", { value: ADMIN_DEFAULTS.export_seed });
}

export class ManageScreen {
  private connected = false;
  /** Whether the manager chose to see the disagreements' raw text. */
  private revealed = false;
  /** Open disagreements at the last refresh (an export resolves them by majority). */
  private openDisagreements = 0;
  /** Gold answers the hub holds (from the last refresh). */
  private gold = 0;
  /** Annotator id → name, and device id → its annotator's name (from the hub). */
  private names = new Map<string, string>();
  private deviceNames = new Map<string, string>();
  /** The chosen taxonomy file (base64, as read) and what the shell found in it. */
  private taxonomy: { b64: string; summary: TaxonomySummary } | null = null;

  /// Attach the view's handlers (once, at start-up).
  wire() {
    fillPlanDefaults();
    ($("manage-connect-form") as HTMLFormElement).addEventListener("submit", (e) => {
      e.preventDefault();
      void this.connect();
    });
    $("manage-forget").addEventListener("click", () => void this.forget());
    $("manage-refresh").addEventListener("click", () => void this.refresh());
    const file = $("manage-file") as HTMLInputElement;
    file.addEventListener("change", () => {
      const f = file.files?.[0];
      if (f) void this.load(f);
      file.value = "";
    });
    $("manage-preview").addEventListener("click", () => void this.plan(false));
    $("manage-dispatch").addEventListener("click", () => void this.confirmDispatch());
    $("manage-confirm-yes").addEventListener("click", () => {
      $("manage-confirm").hidden = true;
      void this.plan(true);
    });
    $("manage-confirm-no").addEventListener("click", () => {
      $("manage-confirm").hidden = true;
      $("manage-plan-result").textContent = t("mg.notAssigned");
    });
    const gold = $("manage-gold-file") as HTMLInputElement;
    gold.addEventListener("change", () => {
      const f = gold.files?.[0];
      if (f) void this.loadGold(f);
      gold.value = "";
    });
    $("manage-company-form").addEventListener("submit", (e) => {
      e.preventDefault();
      void this.markCompany();
    });
    const tax = $("manage-taxonomy-file") as HTMLInputElement;
    tax.addEventListener("change", () => {
      const f = tax.files?.[0];
      if (f) void this.loadTaxonomy(f);
      tax.value = "";
    });
    $("manage-taxonomy-clear").addEventListener("click", () => {
      this.taxonomy = null;
      $("manage-taxonomy-result").textContent = "";
      $("manage-taxonomy-clear").hidden = true;
    });
    const guide = $("manage-guidelines") as HTMLTextAreaElement;
    guide.addEventListener("input", () => this.countGuidelines());
    this.countGuidelines();
    $("manage-export").addEventListener("click", () => void this.exportSet());
    $("manage-reveal").addEventListener("click", () => {
      this.revealed = true;
      void this.disagreements();
    });
    $("manage-evaluate").addEventListener("click", () => void this.evaluate());
    $("manage-compare-button").addEventListener("click", () => void this.compare());
  }

  /// Called when the tab opens.
  async show() {
    try {
      const link = await api.manageLink();
      this.setConnected(link?.hub_url ?? null);
      if (link) await this.refresh();
    } catch (e) {
      showBanner(errorText(e));
    }
  }

  private setConnected(url: string | null) {
    this.connected = url !== null;
    $("manage-link").textContent = url ? t("manage.connected", { url }) : t("manage.notConnected", { file: "admin.token" });
    $("manage-forget").hidden = !url;
    $("manage-body").hidden = !url;
    if (url) ($("manage-url") as HTMLInputElement).value = url;
    ($("manage-token") as HTMLInputElement).value = "";
  }

  private async connect() {
    const url = ($("manage-url") as HTMLInputElement).value;
    const token = ($("manage-token") as HTMLInputElement).value;
    try {
      const link = await api.manageConnect(url, token);
      this.setConnected(link.hub_url);
      showBanner(t("mg.connectedTo", { url: link.hub_url }), "info");
      await this.refresh();
    } catch (e) {
      showBanner(errorText(e));
    }
  }

  private async forget() {
    try {
      await api.manageForget();
      this.setConnected(null);
    } catch (e) {
      showBanner(errorText(e));
    }
  }

  /// Re-read everything the view shows from the hub.
  async refresh() {
    if (!this.connected) return;
    try {
      const [o, people] = await Promise.all([api.manageOverview(), api.manageAnnotators().catch(() => ({ annotators: [] as Person[] }))]);
      // The people behind the ids, for every list below.
      this.names.clear();
      this.deviceNames.clear();
      for (const p of people.annotators) {
        this.names.set(p.annotator_id, p.name);
        for (const d of p.devices) this.deviceNames.set(d.device_id, p.name);
      }
      const p = o.pipeline;
      // No gold answers yet: a gold share would make every dispatch fail, so start at 0.
      if (this.gold === 0 && p.gold === 0) ($("plan-gold") as HTMLInputElement).value = "0";
      this.gold = p.gold;
      const counts = t("mg.counts", { messages: p.messages, gold: p.gold, open: p.open_copies, labelled: p.labelled_copies, returned: p.returned_copies });
      $("manage-counts").textContent = p.new_companies.length ? t("mg.countsNew", { counts, companies: p.new_companies.join(", ") }) : counts;
      const rows: BarRow[] = o.devices.map((d) => {
        const total = d.assigned + d.returned;
        return {
          label: this.deviceNames.has(d.device_id) ? `${this.deviceNames.get(d.device_id)} · ${d.device_id.slice(0, 10)}…` : d.device_id,
          parts: [
            { share: total ? d.labelled / total : 0, cls: "done" },
            { share: total ? d.returned / total : 0, cls: "ret" },
          ],
          note: t(d.returned ? "mg.devReturned" : "mg.devLabelled", { labelled: d.labelled, assigned: d.assigned, returned: d.returned }),
        };
      });
      const box = $("manage-devices");
      clear(box);
      box.append(rows.length ? barChart(rows, t("manage.perDevice")) : el("p", { class: "muted" }, [t("mg.noBatches")]));
      box.dataset.devices = String(rows.length);
      await Promise.all([this.quality(), this.disagreements(), this.missedPii()]);
    } catch (e) {
      showBanner(errorText(e));
    }
  }

  private async load(file: File) {
    const out = $("manage-load-result");
    clear(out);
    out.append(el("p", { class: "muted" }, [t("mg.sending", { file: file.name })]));
    try {
      const r = await api.manageIngest(file.name, await fileBase64(file));
      clear(out);
      out.append(el("p", { id: "manage-load-summary" }, [ingestText(file.name, r)]));
      if (r.bad_rows.length) {
        const list = el("ul", {}, r.bad_rows.slice(0, 20).map((b) => el("li", {}, [t("mg.badLine", { line: String(b.line), reason: b.reason })])));
        out.append(list);
      }
      await this.refresh();
    } catch (e) {
      clear(out);
      showBanner(errorText(e));
    }
  }

  private planFromForm(): BatchPlan {
    const now = Math.floor(Date.now() / 1000);
    return {
      from: dateSeconds(($("plan-from") as HTMLInputElement).value, 0),
      to: dateSeconds(($("plan-to") as HTMLInputElement).value, now + DAY),
      overlap: num("plan-overlap", ADMIN_DEFAULTS.overlap),
      batch_size: num("plan-size", ADMIN_DEFAULTS.batch_size),
      gold_share: num("plan-gold", 0),
      low_confidence_budget: num("plan-budget", ADMIN_DEFAULTS.low_confidence_budget),
      max_confidence: num("plan-maxconf", ADMIN_DEFAULTS.max_confidence),
      sample_per_company: num("plan-sample", ADMIN_DEFAULTS.sample_per_company),
      lease_secs: Math.round(num("plan-lease", ADMIN_DEFAULTS.lease_secs / DAY) * DAY),
      devices: [],
      strategy: ($("plan-strategy") as HTMLSelectElement).value as Strategy,
      per_intent_cap: num("plan-cap", 0),
      seed: num("plan-seed", 0),
      label_error_budget: num("plan-label-errors", 0),
    };
  }

  /// Why the plan's dispatch would fail, before asking the hub (the hub checks again).
  private planProblems(plan: BatchPlan, poolSize: number): string[] {
    const out: string[] = [];
    if (plan.gold_share > 0 && this.gold === 0) out.push(t("mg.noGold"));
    if (poolSize === 0) out.push(t("mg.emptyPool"));
    if (guidelinesCount(this.guidelinesValue()).over) out.push(t("mg.guideOver", { limit: GUIDELINES_LIMIT }));
    return out;
  }

  /// Preview, then ask before assigning: what will be sent to whom, or why it cannot be.
  private async confirmDispatch() {
    const out = $("manage-plan-result");
    const b = $("manage-dispatch") as HTMLButtonElement;
    b.disabled = true;
    try {
      const plan = this.planFromForm();
      clear(out);
      const fields = planFieldProblems(plan);
      if (fields.length) {
        out.append(el("p", { id: "manage-plan-problem", class: "problem", role: "alert" }, [t("mg.cannot", { problems: fields.join(" ") })]));
        return;
      }
      const r = await api.managePreview(plan);
      const problems = this.planProblems(plan, r.pool_size);
      if (problems.length) {
        out.append(el("p", { id: "manage-plan-problem", class: "problem", role: "alert" }, [t("mg.cannot", { problems: problems.join(" ") })]));
        return;
      }
      $("manage-confirm-text").textContent =
        t("mg.assignQ", {
          messages: r.pool_size,
          composition: compositionText(r.composition),
          items: r.copies_needed,
          overlap: plan.overlap,
          gold: Math.round(plan.gold_share * 100),
          size: plan.batch_size,
          days: Math.round(plan.lease_secs / 86400),
          attachments: attachmentsText(this.taxonomy?.summary ?? null, this.guidelinesValue()),
        });
      $("manage-confirm").hidden = false;
      ($("manage-confirm-yes") as HTMLButtonElement).focus();
    } catch (e) {
      out.append(el("p", { class: "problem", role: "alert" }, [errorText(e)]));
    } finally {
      b.disabled = false;
    }
  }

  /// Read the chosen taxonomy file and have the shell check it; it goes with the next
  /// dispatch. A bad file is refused here and the previous choice is dropped.
  private async loadTaxonomy(f: File) {
    const out = $("manage-taxonomy-result");
    out.textContent = "Checking…";
    this.taxonomy = null;
    $("manage-taxonomy-clear").hidden = true;
    try {
      const b64 = await fileBase64(f);
      const summary = await api.manageTaxonomy(b64);
      this.taxonomy = { b64, summary };
      out.textContent = "";
      out.append(el("span", { id: "manage-taxonomy-summary" }, [t("mg.fileResult", { file: f.name, result: taxonomyText(summary) })]));
      $("manage-taxonomy-clear").hidden = false;
    } catch (e) {
      out.textContent = "";
      out.append(el("span", { id: "manage-taxonomy-problem", class: "problem", role: "alert" }, [t("mg.fileResult", { file: f.name, result: errorText(e) })]));
    }
  }

  private guidelinesValue(): string {
    return ($("manage-guidelines") as HTMLTextAreaElement).value;
  }

  private countGuidelines() {
    const c = guidelinesCount(this.guidelinesValue());
    const out = $("manage-guidelines-count");
    out.textContent = c.text;
    out.className = c.over ? "problem" : "muted";
  }

  private async loadGold(f: File) {
    const out = $("manage-gold-result");
    out.textContent = "Loading…";
    try {
      const r = await api.manageGold(await fileBase64(f));
      out.textContent = t("mg.goldStored", { count: r.gold });
      await this.refresh();
    } catch (e) {
      out.textContent = "";
      out.append(el("span", { class: "problem", role: "alert" }, [errorText(e)]));
    }
  }

  private async markCompany() {
    const out = $("manage-company-result");
    const company = ($("manage-company") as HTMLInputElement).value.trim();
    if (!company) {
      out.textContent = t("mg.companyEmpty");
      return;
    }
    try {
      await api.manageCompany(company, true);
      out.textContent = t("mg.companyMarked", { company });
      await this.refresh();
    } catch (e) {
      out.textContent = "";
      out.append(el("span", { class: "problem", role: "alert" }, [errorText(e)]));
    }
  }

  private async plan(dispatch: boolean) {
    const out = $("manage-plan-result");
    try {
      const plan = this.planFromForm();
      clear(out);
      const fields = planFieldProblems(plan);
      if (fields.length) {
        out.append(el("p", { id: "manage-plan-problem", class: "problem", role: "alert" }, [t("mg.cannot", { problems: fields.join(" ") })]));
        return;
      }
      if (!dispatch) {
        const r = await api.managePreview(plan);
        const c = r.composition;
        out.append(el("p", { id: "manage-preview-summary" }, [t("mg.dryRun", { messages: r.pool_size, fp: c.false_positive, low: c.low_confidence, sample: c.random_sample, relabel: c.suspected_label_error ?? 0, items: r.copies_needed, overlap: plan.overlap, attachments: attachmentsText(this.taxonomy?.summary ?? null, this.guidelinesValue()) })]));
        for (const p of this.planProblems(plan, r.pool_size)) out.append(el("p", { class: "problem", role: "alert" }, [t("mg.warning", { problem: p })]));
        return;
      }
      const guidelines = this.guidelinesValue();
      const r = await api.manageDispatch(plan, this.taxonomy?.b64 ?? null, guidelines.trim() ? guidelines : null);
      out.append(el("p", { id: "manage-dispatch-summary" }, [t(r.shortfall ? "mg.assignedShort" : "mg.assigned", { messages: r.dispatched_messages, items: r.copies, gold: r.gold_copies, batches: r.batches.length, shortfall: r.shortfall, attachments: attachmentsText(this.taxonomy?.summary ?? null, guidelines) })]));
      out.append(el("ul", { id: "manage-dispatch-batches" }, r.batches.map((b) => el("li", { "data-batch": b.batch_id }, [t("mg.batchTo", { batch: b.batch_id, device: b.device_id, count: b.items })]))));
      if (r.batches.length) out.append(this.undoDispatch(r.batches));
      await this.refresh();
    } catch (e) {
      showBanner(errorText(e));
    }
  }

  /// "Undo dispatch" under a dispatch's result: asks first (what goes back, what
  /// cannot), then withdraws each batch and shows each batch's outcome. An error stays
  /// beside the button.
  private undoDispatch(batches: Dispatched["batches"]): HTMLElement {
    const box = el("div", { id: "manage-withdraw-box", class: "row" });
    const button = el("button", { type: "button", id: "manage-withdraw" }, [t("mg.undoDispatch")]) as HTMLButtonElement;
    const confirm = el("div", { id: "manage-withdraw-confirm", class: "confirm-box" }) as HTMLElement;
    confirm.hidden = true;
    const yes = el("button", { type: "button", id: "manage-withdraw-yes" }, [t("mg.withdraw")]) as HTMLButtonElement;
    const no = el("button", { type: "button", id: "manage-withdraw-no" }, [t("mg.keepDispatch")]);
    confirm.append(el("p", { id: "manage-withdraw-question" }, [withdrawQuestion(batches)]), yes, " ", no);
    const result = el("div", { id: "manage-withdraw-result", "aria-live": "polite" });
    button.addEventListener("click", () => {
      confirm.hidden = false;
      yes.focus();
    });
    no.addEventListener("click", () => {
      confirm.hidden = true;
    });
    yes.addEventListener("click", async () => {
      confirm.hidden = true;
      button.disabled = true;
      clear(result);
      try {
        const outcomes = await api.manageWithdraw(batches.map((b) => b.batch_id));
        const device = new Map(batches.map((b) => [b.batch_id, b.device_id]));
        result.append(
          el("p", { id: "manage-withdraw-summary" }, [withdrawSummary(outcomes)]),
          el("ul", { id: "manage-withdraw-outcomes" }, outcomes.map((o) =>
            el("li", { "data-batch": o.batch_id, "data-outcome": o.outcome }, [t("mg.outcomeRow", { batch: o.batch_id, device: this.deviceNames.get(device.get(o.batch_id) ?? "") ?? device.get(o.batch_id) ?? "?", outcome: withdrawOutcomeText(o) })]),
          )),
        );
        // A batch that failed for another reason may be tried again.
        button.disabled = !outcomes.some((o) => o.outcome === "failed");
        await this.refresh();
      } catch (e) {
        button.disabled = false;
        result.append(el("p", { class: "problem", role: "alert", id: "manage-withdraw-error" }, [errorText(e)]));
      }
    });
    box.append(button, confirm, result);
    return box;
  }

  private async missedPii(): Promise<void> {
    const box = $("manage-missed");
    clear(box);
    let m: MissedPii;
    try {
      m = await api.manageMissedPii();
    } catch (e) {
      box.append(el("p", { class: "muted" }, [errorText(e)]));
      return;
    }
    if (!m.rows.length) {
      box.append(el("p", { class: "muted", id: "manage-missed-none" }, [t("mg.noMarks")]));
      return;
    }
    const head = el("tr", {}, (["mg.th.week", "mg.th.company", "mg.th.kind", "mg.th.marks", "mg.th.messages", "mg.th.terms"] as const).map((h) => el("th", {}, [t(h)])));
    const result = el("p", { id: "manage-missed-result", role: "status" });
    const rows = m.rows.map((r) => {
      // Marks become the company's terms, masked in every later dispatch. A guess that
      // is no kind of personal data needs the manager to say which kind.
      const known = (KINDS as string[]).includes(r.guess);
      const kind = el("select", { "aria-label": t("mg.kindFor", { company: r.company, guess: r.guess }) }, KINDS.map((k) => el("option", { value: k }, [k]))) as HTMLSelectElement;
      const button = el("button", { type: "button", class: "confirm-terms" }, [t("mg.maskTerms")]) as HTMLButtonElement;
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          const c = await api.manageConfirmTerms(r.week, r.company, r.guess, known ? null : (kind.value as PiiKind));
          result.textContent = t("mg.confirmed", { marks: c.marks, added: c.added, company: r.company, terms: c.company_terms });
        } catch (e) {
          result.textContent = errorText(e);
        } finally {
          button.disabled = false;
        }
      });
      return el("tr", { "data-guess": r.guess }, [
        el("td", {}, [r.week]), el("td", {}, [r.company]), el("td", {}, [r.guess]), el("td", {}, [String(r.marks)]), el("td", {}, [String(r.messages)]),
        el("td", {}, known ? [button] : [kind, " ", button]),
      ]);
    });
    box.append(
      el("table", { class: "table", id: "manage-missed-table" }, [el("thead", {}, [head]), el("tbody", {}, rows)]),
      el("p", { class: "muted" }, [t("mg.marksOn", { marks: m.marks, messages: m.messages })]),
      result,
    );
  }

  private async quality() {
    const box = $("manage-quality");
    clear(box);
    let q: Quality;
    try {
      q = await api.manageQuality();
    } catch (e) {
      box.append(el("p", { class: "muted" }, [errorText(e)]));
      return;
    }
    const o = q.overall;
    box.append(el("p", { id: "manage-agreement" }, [t("mg.agreement", { alpha: fmt(o.alpha), kappa: fmt(o.kappa), count: o.paired_messages })]));
    const agreeRows = (groups: typeof q.by_company): BarRow[] =>
      groups.slice(0, 12).map((g) => ({ label: g.key, parts: [{ share: Math.max(0, g.alpha ?? 0), cls: "done" }], note: t("mg.agreeNote", { alpha: fmt(g.alpha, 2), kappa: fmt(g.kappa, 2), count: g.paired_messages }) }));
    if (q.by_company.length) {
      box.append(el("h3", {}, [t("mg.byCompany")]), barChart(agreeRows(q.by_company), t("mg.agreeByCompany")));
    }
    if (q.annotators.length) {
      box.append(el("h3", {}, [t("mg.goldAccuracy")]));
      box.append(
        barChart(
          q.annotators.map((a) => ({
            label: a.name ?? this.names.get(a.annotator_id) ?? a.annotator_id,
            parts: [{ share: a.gold.accuracy ?? 0, cls: "done" }],
            note: t("mg.goldNote", { correct: a.gold.correct, answered: a.gold.answered, rate: a.self_consistency.rate === null ? "—" : pct(a.self_consistency.rate) }),
          })),
          t("mg.goldChart"),
        ),
      );
    }
  }

  private async disagreements() {
    const list = $("manage-disagreements");
    clear(list);
    try {
      const d = await api.manageDisagreements(this.revealed);
      this.openDisagreements = d.open;
      $("manage-dis-count").textContent = t(d.disagreements.length < d.open ? "mg.disCountFirst" : "mg.disCount", { count: d.open, shown: d.disagreements.length });
      $("manage-reveal-note").hidden = this.revealed || d.open === 0;
      for (const item of d.disagreements) list.append(this.disagreement(item));
    } catch (e) {
      $("manage-dis-count").textContent = errorText(e);
    }
  }

  private disagreement(d: Disagreement): HTMLElement {
    const labels = d.labels.map((l) => `${this.names.get(l.annotator_id) ?? l.annotator_id}: ${l.intent ?? l.verdict}`).join(" · ");
    const buttons = adjudicationChoices(d).map((intent) => {
      const b = el("button", { type: "button", class: "adjudicate", "data-intent": intent }, [intent]);
      b.addEventListener("click", () => void this.adjudicate(d.message_id, intent));
      return b;
    });
    return el("li", { "data-message": d.message_id }, [
      el("div", {}, [el("code", {}, [d.message_id]), t("mg.disModel", { company: d.company, intent: d.model_intent, confidence: pct(d.confidence) })]),
      el("p", { class: "dis-text", dir: "auto" }, [d.text ?? "(text hidden)"]),
      el("div", { class: "muted" }, [labels]),
      el("div", { class: "row" }, [t("mg.decide"), " ", ...buttons]),
    ]);
  }

  private async adjudicate(messageId: string, intent: string) {
    try {
      const a = await api.manageAdjudicate(messageId, intent);
      showBanner(t("mg.nowLabelled", { message: messageId, intent }), "info");
      $("manage-adjudicated").prepend(this.adjudicated(a));
      $("manage-adjudicated-h").hidden = false;
      await this.disagreements();
      await this.quality();
    } catch (e) {
      showBanner(errorText(e));
    }
  }

  /// A decision just taken, with "Undo": the hub restores what was in force before
  /// (an earlier adjudication, or none: the message is open again). The outcome or an
  /// error stays on the row.
  private adjudicated(a: Adjudication): HTMLElement {
    const note = el("span", { class: "adj-note" }, [t("mg.nowLabelled", { message: a.message_id, intent: a.intent ?? "" })]);
    const undo = el("button", { type: "button", class: "adj-undo", "data-seq": String(a.seq) }, [t("mg.undo")]) as HTMLButtonElement;
    const out = el("span", { class: "adj-result", "aria-live": "polite" });
    const li = el("li", { "data-message": a.message_id, "data-seq": String(a.seq) }, [note, " ", undo, " ", out]);
    undo.addEventListener("click", async () => {
      undo.disabled = true;
      clear(out);
      try {
        const u = await api.manageUndoAdjudication(a.seq);
        note.textContent = t("mg.undoneFor", { message: a.message_id, intent: a.intent ?? "" });
        undo.remove();
        out.append(el("span", { class: "adj-undone" }, [undoAdjudicationText(u)]));
        li.dataset.seq = String(u.seq);
        await this.disagreements();
        await this.quality();
      } catch (e) {
        undo.disabled = false;
        out.append(el("span", { class: "problem", role: "alert" }, [errorText(e)]));
      }
    });
    return li;
  }

  private async exportSet() {
    const out = $("manage-export-result");
    try {
      const format = ($("export-format") as HTMLSelectElement).value as ExportFormat;
      const r = await api.manageExport(format, num("export-seed", 0));
      clear(out);
      const splits = r.splits ? Object.entries(r.splits).map(([k, n]) => `${n} ${k}`).join(", ") : "";
      out.append(el("p", { id: "manage-export-saved" }, [t(splits ? "mg.savedSplits" : "mg.saved", { bytes: String(r.bytes), path: r.path, splits })]));
      out.append(el("p", { id: "manage-export-warning", class: "problem" }, [
        this.openDisagreements ? t("mg.rawWarningOpen", { count: this.openDisagreements }) : t("mg.rawWarning"),
      ]));
    } catch (e) {
      showBanner(errorText(e));
    }
  }

  private async evaluate() {
    const box = $("manage-evaluation");
    try {
      const v = await api.manageEvaluation();
      clear(box);
      const e: Evaluation = v.evaluation;
      box.append(
        el("p", { id: "manage-eval-summary" }, [t("mg.evalSummary", { accuracy: pct(e.accuracy), count: e.items, f1: fmt(e.macro_f1), ece: fmt(e.expected_calibration_error), path: v.report.path })]),
        el("p", { class: "muted" }, [t(v.retrain.due ? "mg.retrainDue" : "mg.retrainNot", { count: v.retrain.new_labels, threshold: v.retrain.threshold })]),
      );
      this.showVersions(e.by_model_version ?? []);
      if (e.top_confusions.length) {
        const max = Math.max(...e.top_confusions.map((c) => c.count));
        box.append(el("h3", {}, [t("mg.confusions")]), barChart(e.top_confusions.slice(0, 10).map((c) => ({ label: `${c.model} → ${c.human}`, parts: [{ share: c.count / max, cls: "ret" }], note: String(c.count) })), t("mg.confusionsChart")));
      }
      box.append(el("h3", {}, [t("mg.calibration")]), calibrationChart(e.calibration));
      const worst = [...e.per_intent].sort((a, b) => a.f1 - b.f1 || b.support - a.support).slice(0, 10);
      const table = el("table", { class: "table heat" }, [el("thead", {}, [el("tr", {}, (["mg.th.intent", "mg.th.precision", "mg.th.recall", "mg.th.f1", "mg.th.support"] as const).map((h) => el("th", {}, [t(h)])))])]);
      const body = el("tbody");
      for (const r of worst) body.append(el("tr", {}, [el("td", {}, [r.intent]), el("td", {}, [fmt(r.precision, 2)]), el("td", {}, [fmt(r.recall, 2)]), el("td", {}, [fmt(r.f1, 2)]), el("td", {}, [String(r.support)])]));
      table.append(body);
      box.append(el("h3", {}, [t("mg.weakest")]), table);
    } catch (e) {
      showBanner(errorText(e));
    }
  }

  /// The per-version table, and the compare control filled from it (two versions or more).
  private showVersions(versions: VersionScore[]) {
    const box = $("manage-versions");
    clear(box);
    clear($("manage-compare-result"));
    const compare = $("manage-compare");
    compare.hidden = true;
    if (!versions.length) return;
    const head = el("tr", {}, (["mg.th.version", "mg.th.items", "mg.th.accuracy", "mg.th.macroF1"] as const).map((h) => el("th", {}, [t(h)])));
    const rows = versions.map((v) =>
      el("tr", { "data-version": v.model_version }, [el("td", {}, [v.model_version]), el("td", {}, [String(v.items)]), el("td", {}, [pct1(v.accuracy)]), el("td", {}, [fmt(v.macro_f1)])]),
    );
    box.append(el("h3", {}, [t("mg.versions")]), el("table", { class: "table", id: "manage-versions-table" }, [el("thead", {}, [head]), el("tbody", {}, rows)]));
    const pair = defaultPair(versions);
    if (!pair) {
      box.append(el("p", { class: "muted", id: "manage-one-version" }, [t("mg.oneVersion", { version: versions[0].model_version })]));
      return;
    }
    for (const [id, chosen] of [["manage-compare-a", pair[0]], ["manage-compare-b", pair[1]]] as const) {
      const select = $(id) as HTMLSelectElement;
      clear(select);
      for (const v of versions) select.append(el("option", { value: v.model_version }, [v.model_version]));
      select.value = chosen;
    }
    compare.hidden = false;
  }

  /// Compare the two chosen versions and show the hub's answer: each one's accuracy and
  /// macro-F1 with the difference, McNemar's test, and the largest per-intent changes.
  private async compare() {
    const out = $("manage-compare-result");
    const a = ($("manage-compare-a") as HTMLSelectElement).value;
    const b = ($("manage-compare-b") as HTMLSelectElement).value;
    clear(out);
    if (a === b) {
      out.append(el("p", { class: "problem", role: "alert", id: "manage-compare-problem" }, [t("mg.compareSame")]));
      return;
    }
    const button = $("manage-compare-button") as HTMLButtonElement;
    button.disabled = true;
    try {
      out.append(...comparisonView(await api.manageCompare(a, b)));
    } catch (e) {
      out.append(el("p", { class: "problem", role: "alert", id: "manage-compare-problem" }, [errorText(e)]));
    } finally {
      button.disabled = false;
    }
  }
}

/// The comparison as the view shows it: a head line, a table of both versions' accuracy
/// and macro-F1 with their difference, McNemar's test in words, and the intents whose
/// F1 changed most.
export function comparisonView(c: Comparison): HTMLElement[] {
  if (c.items === 0) return [el("p", { id: "manage-compare-head", class: "muted" }, [t("mg.compareNone", { a: c.a, b: c.b })])];
  const head = el("tr", {}, [el("th", {}, [t("mg.th.measure")]), el("th", {}, [c.a]), el("th", {}, [c.b]), el("th", {}, [t("mg.th.difference")])]);
  const row = (key: "mg.th.accuracy" | "mg.th.macroF1", id: string, x: string, y: string, d: string) =>
    el("tr", { "data-measure": id }, [el("th", { scope: "row" }, [t(key)]), el("td", {}, [x]), el("td", {}, [y]), el("td", {}, [d])]);
  const table = el("table", { class: "table", id: "manage-compare-table" }, [
    el("thead", {}, [head]),
    el("tbody", {}, [
      row("mg.th.accuracy", "accuracy", pct1(c.accuracy_a), pct1(c.accuracy_b), t("mg.points", { value: signed(c.accuracy_difference * 100, 1) })),
      row("mg.th.macroF1", "macro_f1", fmt(c.macro_f1_a), fmt(c.macro_f1_b), signed(c.macro_f1_difference)),
    ]),
  ]);
  const verdict = t(c.mcnemar_p < 0.05 ? "mg.significant" : "mg.notSignificant");
  const out: HTMLElement[] = [
    el("p", { id: "manage-compare-head" }, [t("mg.compareHead", { a: c.a, b: c.b, count: c.items })]),
    table,
    el("p", { id: "manage-compare-test" }, [t("mg.mcnemar", { a: c.a, b: c.b, onlyA: c.only_a_correct, onlyB: c.only_b_correct, p: pValueText(c.mcnemar_p), verdict })]),
  ];
  const changes = largestF1Changes(c.per_intent);
  if (changes.length) {
    const h = el("tr", {}, [el("th", {}, [t("mg.th.intent")]), el("th", {}, [t("mg.th.f1Of", { version: c.a })]), el("th", {}, [t("mg.th.f1Of", { version: c.b })]), el("th", {}, [t("mg.th.difference")]), el("th", {}, [t("mg.th.support")])]);
    out.push(
      el("h4", {}, [t("mg.f1Changes", { a: c.a, b: c.b })]),
      el("table", { class: "table", id: "manage-compare-intents" }, [
        el("thead", {}, [h]),
        el("tbody", {}, changes.map((d) => el("tr", { "data-intent": d.intent }, [el("td", {}, [d.intent]), el("td", {}, [fmt(d.f1_a, 2)]), el("td", {}, [fmt(d.f1_b, 2)]), el("td", {}, [signed(d.difference, 2)]), el("td", {}, [String(d.support)])]))),
      ]),
    );
  }
  return out;
}
