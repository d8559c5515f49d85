// The Audit view's hub access record: the connected hub's access ledger (who did what on
// the hub, and who read which message's raw text), verified by the Rust side against the
// hub key pinned on this machine. Ids and counts only; no message text ever reaches it.
import { api, errorText, type AccessRow, type HubAccessView } from "./api";
import { $, clear, el } from "./dom";
import { local } from "./format";
import { t } from "./i18n";

/// Who acted: "Mara Manager (ac_…)", the hub's admin token, or a bare account id.
export function person(r: Pick<AccessRow, "account_id" | "name">): string {
  if (r.account_id === "bootstrap") return r.name ?? t("acc.bootstrap");
  return r.name ? `${r.name} (${r.account_id})` : r.account_id;
}

/// The line under the table: how many rows, and for a message filter who read it.
export function accessSummary(v: Pick<HubAccessView, "verified" | "entries" | "message" | "matching" | "rows">): string {
  if (!v.verified) return t("acc.notShown");
  const cut = v.rows.length < v.matching ? t("acc.cut", { count: v.rows.length }) : "";
  if (v.message === null) return t("acc.acts", { count: v.matching, cut });
  if (v.matching === 0) return t("acc.nobody", { message: v.message, entries: v.entries });
  const who = [...new Set(v.rows.map((r) => r.name ?? r.account_id))].join(", ");
  return t("acc.read", { message: v.message, count: v.matching, who, cut });
}

/// The "Messages" cell: how many messages the act names, and whether the filtered one.
export function messagesCell(r: Pick<AccessRow, "messages" | "names_message">, message: string | null): string {
  if (!r.messages) return "—";
  return message && r.names_message ? t("acc.incl", { count: r.messages, message }) : String(r.messages);
}

export class HubAccess {
  private busy = false;

  wire() {
    $("hub-access-form").addEventListener("submit", (e) => {
      e.preventDefault();
      void this.load();
    });
  }

  async load() {
    if (this.busy) return;
    this.busy = true;
    const button = $("hub-access-load") as HTMLButtonElement;
    const problem = $("hub-access-error");
    const section = $("hub-access");
    button.disabled = true;
    button.textContent = t("access.loading");
    section.setAttribute("aria-busy", "true");
    const message = ($("hub-access-message") as HTMLInputElement).value.trim() || null;
    try {
      const v = await api.auditHubAccess(message);
      clear(problem);
      this.render(v);
    } catch (e) {
      // Stays next to the button until the next load succeeds.
      clear(problem);
      problem.append(el("span", { class: "problem", role: "alert" }, [errorText(e)]));
    } finally {
      this.busy = false;
      button.disabled = false;
      button.textContent = t("access.load");
      section.removeAttribute("aria-busy");
    }
  }

  private render(v: HubAccessView) {
    const status = $("hub-access-status");
    status.textContent = v.verification;
    status.className = `chain ${v.verified ? "chain-ok" : "chain-bad"}`;
    status.dataset.verified = String(v.verified);
    $("hub-access-summary").textContent = t("acc.summary", { hub: v.hub_url, when: local(Date.now()), summary: accessSummary(v) });
    const rows = $("hub-access-rows");
    clear(rows);
    rows.dataset.rows = String(v.rows.length);
    for (const r of v.rows) {
      rows.append(
        el("tr", { "data-act": r.act, "data-seq": String(r.seq), class: r.act === "raw_text_read" ? "raw-read" : "" }, [
          el("td", {}, [String(r.seq)]),
          el("td", {}, [local(r.at_ms)]),
          el("td", {}, [person(r)]),
          el("td", {}, [r.role]),
          el("td", {}, [r.act]),
          el("td", { class: "fields" }, [`${r.method} ${r.path}`]),
          el("td", { class: r.status >= 400 ? "problem" : "" }, [String(r.status)]),
          el("td", {}, [messagesCell(r, v.message)]),
        ]),
      );
    }
  }
}
