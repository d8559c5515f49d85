import { describe, expect, it } from "vitest";
import { barLayout, calibrationPoints } from "./charts";
import { adjudicationChoices, compositionText, dateSeconds, defaultPair, ingestText, largestF1Changes, planFieldProblems, pValueText, pct1, signed, undoAdjudicationText, withdrawOutcomeText, withdrawQuestion, withdrawSummary } from "./manage";
import { setLanguage } from "./i18n";
import type { Composition, WithdrawOutcome } from "./api";

describe("manage view logic", () => {
  it("reads date inputs as UTC midnights and falls back when empty or bad", () => {
    expect(dateSeconds("2026-12-01", 7)).toBe(Date.UTC(2026, 11, 1) / 1000);
    expect(dateSeconds("", 7)).toBe(7);
    expect(dateSeconds("yesterday", 7)).toBe(7);
  });
  it("offers the annotators' answers by votes, then the model's", () => {
    const labels = [
      { annotator_id: "a", device_id: "d1", item_id: "i1", batch_id: "b", decided_at_ms: 1, verdict: "wrong", intent: "refund" },
      { annotator_id: "b", device_id: "d2", item_id: "i2", batch_id: "b", decided_at_ms: 1, verdict: "wrong", intent: "card_lost" },
      { annotator_id: "c", device_id: "d3", item_id: "i3", batch_id: "b", decided_at_ms: 1, verdict: "wrong", intent: "card_lost" },
      { annotator_id: "d", device_id: "d4", item_id: "i4", batch_id: "b", decided_at_ms: 1, verdict: "unsure", intent: null },
    ];
    expect(adjudicationChoices({ labels, model_intent: "balance" })).toEqual(["card_lost", "refund", "balance"]);
    expect(adjudicationChoices({ labels, model_intent: "refund" })).toEqual(["card_lost", "refund"]);
  });
  it("bars never leave the chart, whatever the hub sends", () => {
    const [row] = barLayout([{ label: "x", note: "", parts: [{ share: 0.7, cls: "done" }, { share: 0.6, cls: "ret" }, { share: -1, cls: "ret" }, { share: NaN, cls: "ret" }] }], 100);
    expect(row.map((s) => Math.round(s.w))).toEqual([70, 30, 0, 0]);
    expect(row[1].x).toBeCloseTo(70);
  });
  it("places calibration points by confidence and accuracy, skipping empty bins", () => {
    const pts = calibrationPoints([
      { from: 0, to: 0.1, count: 0, mean_confidence: 0, accuracy: 0 },
      { from: 0.9, to: 1, count: 5, mean_confidence: 0.95, accuracy: 0.8 },
    ], 200);
    expect(pts).toHaveLength(1);
    expect(pts[0].x).toBeCloseTo(190);
    expect(pts[0].y).toBeCloseTo(40);
  });
});

describe("undo in the Manage view", () => {
  const o = (batch_id: string, outcome: WithdrawOutcome["outcome"], copies_returned = 0): WithdrawOutcome => ({
    batch_id, outcome, copies_returned, code: outcome === "withdrawn" ? null : outcome, message: outcome === "failed" ? "the hub could not be reached" : null,
  });
  it("asks before withdrawing, with the batches and items", () => {
    const q = withdrawQuestion([{ batch_id: "b_1", device_id: "d_1", items: 4, gold: 0 }, { batch_id: "b_2", device_id: "d_2", items: 3, gold: 1 }]);
    expect(q).toBe("Withdraw 2 batch(es) with 7 item(s)? Devices that already fetched theirs keep them.");
  });
  it("says what became of each batch and of the dispatch", () => {
    const all = [o("b_1", "withdrawn", 4), o("b_2", "already_fetched"), o("b_3", "failed")];
    expect(withdrawSummary(all)).toBe("Withdrew 1 of 3 batch(es): 4 item(s) back in the pool; 1 already fetched (kept by its device); 1 not withdrawn (see below).");
    expect(withdrawSummary([o("b_1", "withdrawn", 2)])).toBe("Withdrew 1 of 1 batch(es): 2 item(s) back in the pool.");
    expect(withdrawOutcomeText(all[0])).toMatch(/^withdrawn: .*4 item\(s\) back/);
    expect(withdrawOutcomeText(all[1])).toMatch(/^already fetched by its device/);
    expect(withdrawOutcomeText(all[2])).toBe("not withdrawn: the hub could not be reached");
  });
  it("names what an undone adjudication left in force", () => {
    expect(undoAdjudicationText({ message_id: "m12", intent: "" })).toBe("m12 is back to its annotators' majority");
    expect(undoAdjudicationText({ message_id: "m12", intent: "change_pin" })).toBe("m12 is change_pin again");
  });
});

describe("the model loop in the manage view", () => {
  it("counts an upload's stored, known, re-scored, refused and unreadable rows, refused ones once", () => {
    const r = { read: 14, inserted: 2, duplicates: 1, rescored: 10, refused: 1, ignored: 0, bad_rows: [{ line: 3, reason: "text differs" }, { line: 15, reason: "missing text" }] };
    expect(ingestText("v2.jsonl", r)).toBe("v2.jsonl: 14 read, 2 stored, 1 already on the hub, 10 re-scored, 1 refused by the hub, 1 bad row(s) skipped.");
    setLanguage("de");
    expect(ingestText("v2.jsonl", r)).toContain("10 neu bewertet, 1 vom Hub abgelehnt, 1 fehlerhafte Zeile(n)");
    setLanguage("en");
  });
  it("names the suspected label errors in the pool's make-up (0 from older hubs)", () => {
    const maps = { low_confidence_by_intent: {}, sample_by_stratum: {} };
    expect(compositionText({ in_window: 9, false_positive: 1, low_confidence: 2, random_sample: 3, suspected_label_error: 4, ...maps })).toBe(
      "1 reported false positive, 2 low confidence, 3 random sample, 4 suspected label error",
    );
    // The shell reads an older hub's answer as 0; a make-up without the field still reads 0.
    expect(compositionText({ in_window: 9, false_positive: 1, low_confidence: 2, random_sample: 3, ...maps } as Composition)).toContain("0 suspected label error");
  });
  it("refuses plan values the hub would refuse, with the field and its limits", () => {
    expect(planFieldProblems({ per_intent_cap: 0, seed: 42, label_error_budget: 100000 })).toEqual([]);
    const p = planFieldProblems({ per_intent_cap: -1, seed: 1.5, label_error_budget: 100001 });
    expect(p).toHaveLength(3);
    expect(p[2]).toBe("Suspected label errors to review again (0–100000; 0: off): use a whole number from 0 to 100,000.");
    expect(p[0]).toMatch(/^Low-confidence cap per intent/);
  });
  it("formats the comparison's figures", () => {
    expect(pct1(0.8333)).toBe("83.3%");
    expect(signed(0.125)).toBe("+0.125");
    expect(signed(-0.05)).toBe("−0.050");
    expect(signed(0.00001)).toBe("0.000");
    expect(signed(-16.66, 1)).toBe("−16.7");
    expect(pValueText(0.03125)).toBe("0.0313");
    expect(pValueText(0.00001)).toBe("< 0.0001");
    expect(pValueText(1)).toBe("1.0000");
  });
  it("lists the largest per-intent F1 changes first, unchanged intents left out", () => {
    const d = (intent: string, difference: number, support: number) => ({ intent, f1_a: 0.5, f1_b: 0.5 + difference, difference, support });
    const rows = [d("a", 0.1, 3), d("b", -0.4, 2), d("c", 0, 9), d("d", 0.1, 8), d("e", 0.05, 1), d("f", 0.2, 1), d("g", -0.01, 1)];
    expect(largestF1Changes(rows).map((r) => r.intent)).toEqual(["b", "f", "d", "a", "e"]);
    expect(largestF1Changes(rows, 2).map((r) => r.intent)).toEqual(["b", "f"]);
    expect(largestF1Changes([d("c", 0, 9)])).toEqual([]);
  });
  it("starts the comparison at the last two versions, and not with fewer than two", () => {
    const v = (model_version: string) => ({ model_version, items: 1, accuracy: 1, macro_f1: 1 });
    expect(defaultPair([v("unversioned"), v("v1"), v("v2")])).toEqual(["v1", "v2"]);
    expect(defaultPair([v("v1")])).toBeNull();
  });
});
