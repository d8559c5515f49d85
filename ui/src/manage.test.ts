import { describe, expect, it } from "vitest";
import { barLayout, calibrationPoints } from "./charts";
import { adjudicationChoices, dateSeconds, undoAdjudicationText, withdrawOutcomeText, withdrawQuestion, withdrawSummary } from "./manage";
import type { WithdrawOutcome } from "./api";

describe("manage view logic", () => {
  it("reads date inputs as UTC midnights and falls back when empty or bad", () => {
    expect(dateSeconds("2026-12-01", 7)).toBe(Date.UTC(2026, 11, 1) / 1000);
    expect(dateSeconds("", 7)).toBe(7);
    expect(dateSeconds("yesterday", 7)).toBe(7);
  });
  it("offers the annotators' answers by votes, then the model's", () => {
    const labels = [
      { annotator_id: "a", device_id: "d1", item_id: "i1", verdict: "wrong", intent: "refund" },
      { annotator_id: "b", device_id: "d2", item_id: "i2", verdict: "wrong", intent: "card_lost" },
      { annotator_id: "c", device_id: "d3", item_id: "i3", verdict: "wrong", intent: "card_lost" },
      { annotator_id: "d", device_id: "d4", item_id: "i4", verdict: "unsure", intent: null },
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
    const q = withdrawQuestion([{ batch_id: "b_1", device_id: "d_1", items: 4 }, { batch_id: "b_2", device_id: "d_2", items: 3 }]);
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
