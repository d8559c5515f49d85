// The Manage view: a manager connects the app to a hub (URL + admin token, the token
// kept in the system keyring) and steers the work from here: load messages, see the
// pool, create and assign batches, watch progress, adjudicate, export and evaluate.
import { api, errorText, type Adjudication, type BatchPlan, type Dispatched, type Disagreement, type Evaluation, type MissedPii, type Person, type Quality, type TaxonomySummary, type WithdrawOutcome } from "./api";
import { barChart, calibrationChart, type BarRow } from "./charts";
import { $, clear, el, fileBase64, showBanner } from "./dom";
import { pct, utf8Bytes } from "./format";
import { t } from "./i18n";

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
  return `Withdraw ${batches.length} batch(es) with ${items} item(s)? Devices that already fetched theirs keep them.`;
}

/// One batch's outcome in words.
export function withdrawOutcomeText(o: WithdrawOutcome): string {
  switch (o.outcome) {
    case "withdrawn":
      return `withdrawn: its device never received it; ${o.copies_returned} item(s) back in the pool`;
    case "already_fetched":
      return "already fetched by its device: it stays there and its labels come back as usual";
    case "already_withdrawn":
      return "already withdrawn";
    case "unknown_batch":
      return "the hub knows no such batch";
    default:
      return `not withdrawn: ${o.message ?? o.code ?? "the hub refused"}`;
  }
}

/// The whole undo in one line: "Withdrew 2 of 3 batch(es): 12 item(s) back in the pool; 1 already fetched (kept by its device)".
export function withdrawSummary(outcomes: WithdrawOutcome[]): string {
  const n = (k: string) => outcomes.filter((o) => o.outcome === k).length;
  const back = outcomes.reduce((s, o) => s + (o.outcome === "withdrawn" ? o.copies_returned : 0), 0);
  const parts = [`Withdrew ${n("withdrawn")} of ${outcomes.length} batch(es): ${back} item(s) back in the pool`];
  if (n("already_fetched")) parts.push(`${n("already_fetched")} already fetched (kept by its device)`);
  if (n("already_withdrawn")) parts.push(`${n("already_withdrawn")} already withdrawn`);
  const other = n("unknown_batch") + n("failed");
  if (other) parts.push(`${other} not withdrawn (see below)`);
  return `${parts.join("; ")}.`;
}

/// What an undone adjudication left in force: "m12 is back to its annotators' majority"
/// (no decision in force any more) or "m12 is change_pin again".
export function undoAdjudicationText(a: Pick<Adjudication, "message_id" | "intent">): string {
  return a.intent ? `${a.message_id} is ${a.intent} again` : `${a.message_id} is back to its annotators' majority`;
}

/** The hub's limit on a dispatch's guidelines, in bytes (32 KiB). */
export const GUIDELINES_LIMIT = 32 * 1024;

/// The guidelines' byte counter: "1,234 / 32,768 bytes", and whether it is over the limit.
export function guidelinesCount(text: string): { text: string; over: boolean } {
  const n = utf8Bytes(text);
  const f = (x: number) => x.toLocaleString("en-US");
  return { text: `${f(n)} / ${f(GUIDELINES_LIMIT)} bytes${n > GUIDELINES_LIMIT ? " — too long, shorten them" : ""}`, over: n > GUIDELINES_LIMIT };
}

/// A checked taxonomy file in words: "banking v3: 150 intents, 10 groups, 150 with examples".
export function taxonomyText(t: TaxonomySummary): string {
  const groups = t.groups ? `, ${t.groups} group${t.groups === 1 ? "" : "s"}` : ", no groups";
  const ex = t.with_examples ? `, ${t.with_examples} with examples` : "";
  return `${t.id} ${t.version}: ${t.intents} intent${t.intents === 1 ? "" : "s"}${groups}${ex}`;
}

/// What the confirmation says about the taxonomy and the guidelines going with the batches.
export function attachmentsText(t: TaxonomySummary | null, guidelines: string): string {
  const tax = t ? `Taxonomy ${t.id} version ${t.version} (${t.intents} intents).` : "Taxonomy: every intent the messages mention (no file chosen).";
  const g = guidelines.trim() ? `Guidelines for annotators attached (${utf8Bytes(guidelines).toLocaleString("en-US")} bytes).` : "No guidelines attached.";
  return `${tax} ${g}`;
}

const num = (id: string, fallback: number) => {
  const v = Number(($(id) as HTMLInputElement).value);
  return Number.isFinite(v) ? v : fallback;
};
const fmt = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? "—" : x.toFixed(digits));

/// The kinds of personal data a manager can mask confirmed marks as (the hub's PII type names).
const KINDS = ["PERSON", "STREET_ADDRESS", "PHONE_NUMBER", "EMAIL_ADDRESS", "NATIONAL_ID", "ORDER_NUMBER", "DATE_OF_BIRTH", "IBAN_CODE", "CREDIT_CARD", "IP_ADDRESS", "URL"];

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
      $("manage-plan-result").textContent = "Nothing was assigned.";
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
      showBanner(`Connected to ${link.hub_url}.`, "info");
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
      $("manage-counts").textContent = `${p.messages} messages (${p.gold} gold) · items out: ${p.open_copies} open, ${p.labelled_copies} labelled, ${p.returned_copies} returned to the pool` + (p.new_companies.length ? ` · newly onboarded: ${p.new_companies.join(", ")}` : "");
      const rows: BarRow[] = o.devices.map((d) => {
        const total = d.assigned + d.returned;
        return {
          label: this.deviceNames.has(d.device_id) ? `${this.deviceNames.get(d.device_id)} · ${d.device_id.slice(0, 10)}…` : d.device_id,
          parts: [
            { share: total ? d.labelled / total : 0, cls: "done" },
            { share: total ? d.returned / total : 0, cls: "ret" },
          ],
          note: `${d.labelled} / ${d.assigned} labelled` + (d.returned ? `, ${d.returned} returned` : ""),
        };
      });
      const box = $("manage-devices");
      clear(box);
      box.append(rows.length ? barChart(rows, "Progress per device") : el("p", { class: "muted" }, ["No batches assigned yet."]));
      box.dataset.devices = String(rows.length);
      await Promise.all([this.quality(), this.disagreements(), this.missedPii()]);
    } catch (e) {
      showBanner(errorText(e));
    }
  }

  private async load(file: File) {
    const out = $("manage-load-result");
    clear(out);
    out.append(el("p", { class: "muted" }, [`Sending ${file.name}…`]));
    try {
      const r = await api.manageIngest(file.name, await fileBase64(file));
      clear(out);
      out.append(el("p", { id: "manage-load-summary" }, [`${file.name}: ${r.read} read, ${r.inserted} stored, ${r.duplicates} already on the hub, ${r.bad_rows.length} bad row(s) skipped.`]));
      if (r.bad_rows.length) {
        const list = el("ul", {}, r.bad_rows.slice(0, 20).map((b) => el("li", {}, [`line ${b.line}: ${b.reason}`])));
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
      overlap: num("plan-overlap", 2),
      batch_size: num("plan-size", 50),
      gold_share: num("plan-gold", 0.05),
      low_confidence_budget: num("plan-budget", 500),
      max_confidence: num("plan-maxconf", 0.6),
      sample_per_company: num("plan-sample", 100),
      lease_secs: Math.round(num("plan-lease", 7) * DAY),
      devices: [],
    };
  }

  /// Why the plan's dispatch would fail, before asking the hub (the hub checks again).
  private planProblems(plan: BatchPlan, poolSize: number): string[] {
    const out: string[] = [];
    if (plan.gold_share > 0 && this.gold === 0) out.push("No gold answers are loaded: load a gold file above, or set the gold share to 0.");
    if (poolSize === 0) out.push("The pool is empty for these dates and settings: nothing would be assigned.");
    if (guidelinesCount(this.guidelinesValue()).over) out.push(`The guidelines are over ${GUIDELINES_LIMIT.toLocaleString("en-US")} bytes: shorten them.`);
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
      const r = await api.managePreview(plan);
      const problems = this.planProblems(plan, r.pool_size);
      if (problems.length) {
        out.append(el("p", { id: "manage-plan-problem", class: "problem", role: "alert" }, [`Cannot create batches: ${problems.join(" ")}`]));
        return;
      }
      $("manage-confirm-text").textContent =
        `Assign ${r.pool_size} message(s) as ${r.copies_needed} item(s) (overlap ${plan.overlap}), ` +
        `about ${Math.round(plan.gold_share * 100)}% hidden gold, in batches of up to ${plan.batch_size}, ` +
        `for ${Math.round(plan.lease_secs / 86400)} day(s)? They are sealed to the enrolled devices at once. ` +
        attachmentsText(this.taxonomy?.summary ?? null, this.guidelinesValue());
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
      out.append(el("span", { id: "manage-taxonomy-summary" }, [`${f.name}: ${taxonomyText(summary)}`]));
      $("manage-taxonomy-clear").hidden = false;
    } catch (e) {
      out.textContent = "";
      out.append(el("span", { id: "manage-taxonomy-problem", class: "problem", role: "alert" }, [`${f.name}: ${errorText(e)}`]));
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
      out.textContent = `${r.gold} gold answer(s) stored.`;
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
      out.textContent = "Enter the company's name as it appears in the messages.";
      return;
    }
    try {
      await api.manageCompany(company, true);
      out.textContent = `${company} is marked newly onboarded: selection samples its messages.`;
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
      if (!dispatch) {
        const r = await api.managePreview(plan);
        const c = r.composition;
        out.append(el("p", { id: "manage-preview-summary" }, [`Dry run: ${r.pool_size} message(s) in the pool (${c.false_positive} reported false positive, ${c.low_confidence} low confidence, ${c.random_sample} random sample) → ${r.copies_needed} item(s) with overlap ${plan.overlap}. Nothing was assigned. ${attachmentsText(this.taxonomy?.summary ?? null, this.guidelinesValue())}`]));
        for (const p of this.planProblems(plan, r.pool_size)) out.append(el("p", { class: "problem", role: "alert" }, [`Warning: ${p}`]));
        return;
      }
      const guidelines = this.guidelinesValue();
      const r = await api.manageDispatch(plan, this.taxonomy?.b64 ?? null, guidelines.trim() ? guidelines : null);
      out.append(el("p", { id: "manage-dispatch-summary" }, [`Assigned ${r.dispatched_messages} message(s) as ${r.copies} item(s) plus ${r.gold_copies} hidden gold item(s) in ${r.batches.length} batch(es).` + (r.shortfall ? ` ${r.shortfall} item(s) could not be placed: not enough distinct devices.` : "") + ` ${attachmentsText(this.taxonomy?.summary ?? null, guidelines)}`]));
      out.append(el("ul", { id: "manage-dispatch-batches" }, r.batches.map((b) => el("li", { "data-batch": b.batch_id }, [`${b.batch_id} → device ${b.device_id}: ${b.items} items`]))));
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
    const button = el("button", { type: "button", id: "manage-withdraw" }, ["Undo dispatch"]) as HTMLButtonElement;
    const confirm = el("div", { id: "manage-withdraw-confirm", class: "confirm-box" }) as HTMLElement;
    confirm.hidden = true;
    const yes = el("button", { type: "button", id: "manage-withdraw-yes" }, ["Withdraw"]) as HTMLButtonElement;
    const no = el("button", { type: "button", id: "manage-withdraw-no" }, ["Keep the dispatch"]);
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
            el("li", { "data-batch": o.batch_id, "data-outcome": o.outcome }, [`${o.batch_id} → device ${this.deviceNames.get(device.get(o.batch_id) ?? "") ?? device.get(o.batch_id) ?? "?"}: ${withdrawOutcomeText(o)}`]),
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
      box.append(el("p", { class: "muted", id: "manage-missed-none" }, ["No marks yet."]));
      return;
    }
    const head = el("tr", {}, ["Week of", "Company", "Kind (guess)", "Marks", "Messages", "Company terms"].map((h) => el("th", {}, [h])));
    const result = el("p", { id: "manage-missed-result", role: "status" });
    const rows = m.rows.map((r) => {
      // Marks become the company's terms, masked in every later dispatch. A guess that
      // is no kind of personal data needs the manager to say which kind.
      const known = KINDS.includes(r.guess);
      const kind = el("select", { "aria-label": `Kind for ${r.company} ${r.guess}` }, KINDS.map((k) => el("option", { value: k }, [k]))) as HTMLSelectElement;
      const button = el("button", { type: "button", class: "confirm-terms" }, ["Mask as company terms"]) as HTMLButtonElement;
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          const c = await api.manageConfirmTerms(r.week, r.company, r.guess, known ? null : kind.value);
          result.textContent = `${c.marks} mark(s) confirmed: ${c.added} new term(s); ${r.company} now has ${c.company_terms} term(s), masked in every later dispatch.`;
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
      el("p", { class: "muted" }, [`${m.marks} mark(s) on ${m.messages} message(s).`]),
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
    box.append(el("p", { id: "manage-agreement" }, [`Krippendorff's α ${fmt(o.alpha)} · Cohen's κ ${fmt(o.kappa)} over ${o.paired_messages} message(s) labelled by two or more annotators.`]));
    const agreeRows = (groups: typeof q.by_company): BarRow[] =>
      groups.slice(0, 12).map((g) => ({ label: g.key, parts: [{ share: Math.max(0, g.alpha ?? 0), cls: "done" }], note: `α ${fmt(g.alpha, 2)} · κ ${fmt(g.kappa, 2)} · ${g.paired_messages} msg` }));
    if (q.by_company.length) {
      box.append(el("h3", {}, ["By company"]), barChart(agreeRows(q.by_company), "Agreement by company"));
    }
    if (q.annotators.length) {
      box.append(el("h3", {}, ["Annotators: accuracy on hidden gold"]));
      box.append(
        barChart(
          q.annotators.map((a) => ({
            label: a.name ?? this.names.get(a.annotator_id) ?? a.annotator_id,
            parts: [{ share: a.gold.accuracy ?? 0, cls: "done" }],
            note: `gold ${a.gold.correct}/${a.gold.answered} · self-consistency ${a.self_consistency.rate === null ? "—" : pct(a.self_consistency.rate)}`,
          })),
          "Annotator accuracy on gold",
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
      $("manage-dis-count").textContent = `${d.open} open disagreement(s)` + (d.disagreements.length < d.open ? `; showing the first ${d.disagreements.length}` : "");
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
      el("div", {}, [el("code", {}, [d.message_id]), ` · ${d.company} · model: ${d.model_intent} (${pct(d.confidence)})`]),
      el("p", { class: "dis-text", dir: "auto" }, [d.text ?? "(text hidden)"]),
      el("div", { class: "muted" }, [labels]),
      el("div", { class: "row" }, ["Decide: ", ...buttons]),
    ]);
  }

  private async adjudicate(messageId: string, intent: string) {
    try {
      const a = await api.manageAdjudicate(messageId, intent);
      showBanner(`${messageId} is now labelled ${intent}.`, "info");
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
    const note = el("span", { class: "adj-note" }, [`${a.message_id} is now labelled ${a.intent}.`]);
    const undo = el("button", { type: "button", class: "adj-undo", "data-seq": String(a.seq) }, ["Undo"]) as HTMLButtonElement;
    const out = el("span", { class: "adj-result", "aria-live": "polite" });
    const li = el("li", { "data-message": a.message_id, "data-seq": String(a.seq) }, [note, " ", undo, " ", out]);
    undo.addEventListener("click", async () => {
      undo.disabled = true;
      clear(out);
      try {
        const u = await api.manageUndoAdjudication(a.seq);
        note.textContent = `${a.message_id}: the decision for ${a.intent} was undone;`;
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
      const format = ($("export-format") as HTMLSelectElement).value;
      const r = await api.manageExport(format, num("export-seed", 0));
      clear(out);
      const splits = r.splits ? ` — ${Object.entries(r.splits).map(([k, n]) => `${n} ${k}`).join(", ")}` : "";
      out.append(el("p", { id: "manage-export-saved" }, [`Saved ${r.bytes} bytes to ${r.path}${splits}`]));
      out.append(el("p", { id: "manage-export-warning", class: "problem" }, [
        "This file holds raw customer text (the hub's messages, not redacted): keep it where customer data may be kept." +
          (this.openDisagreements ? ` ${this.openDisagreements} open disagreement(s) were resolved by majority vote in it; adjudicate them first for a clean set.` : ""),
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
        el("p", { id: "manage-eval-summary" }, [`Model accuracy against human labels ${pct(e.accuracy)} over ${e.items} message(s); macro F1 ${fmt(e.macro_f1)}; expected calibration error ${fmt(e.expected_calibration_error)}. Report saved to ${v.report.path}.`]),
        el("p", { class: "muted" }, [v.retrain.due ? `Retraining is due: ${v.retrain.new_labels} new labels (threshold ${v.retrain.threshold}).` : `${v.retrain.new_labels} new labels since the last export (retraining at ${v.retrain.threshold}).`]),
      );
      if (e.top_confusions.length) {
        const max = Math.max(...e.top_confusions.map((c) => c.count));
        box.append(el("h3", {}, ["Top confusions (model said → humans said)"]), barChart(e.top_confusions.slice(0, 10).map((c) => ({ label: `${c.model} → ${c.human}`, parts: [{ share: c.count / max, cls: "ret" }], note: String(c.count) })), "Top confusions"));
      }
      box.append(el("h3", {}, ["Calibration"]), calibrationChart(e.calibration));
      const worst = [...e.per_intent].sort((a, b) => a.f1 - b.f1 || b.support - a.support).slice(0, 10);
      const table = el("table", { class: "table heat" }, [el("thead", {}, [el("tr", {}, ["Intent", "Precision", "Recall", "F1", "Support"].map((h) => el("th", {}, [h])))])]);
      const body = el("tbody");
      for (const r of worst) body.append(el("tr", {}, [el("td", {}, [r.intent]), el("td", {}, [fmt(r.precision, 2)]), el("td", {}, [fmt(r.recall, 2)]), el("td", {}, [fmt(r.f1, 2)]), el("td", {}, [String(r.support)])]));
      table.append(body);
      box.append(el("h3", {}, ["Weakest intents"]), table);
    } catch (e) {
      showBanner(errorText(e));
    }
  }
}
