import { describe, expect, it } from "vitest";
import { afterDecision, afterUndo, choices, codePointOffset, editDistance, filterIntents, progressText, segments, words } from "./format";
import { DEFAULT_KEYS, mergeKeys, overrides, rebind, resolve } from "./keys";

describe("keys", () => {
  it("resolves the default bindings and digits", () => {
    expect(resolve(DEFAULT_KEYS, "Enter")).toEqual({ kind: "action", action: "accept" });
    expect(resolve(DEFAULT_KEYS, "a")).toEqual({ kind: "action", action: "accept" });
    expect(resolve(DEFAULT_KEYS, "Backspace")).toEqual({ kind: "action", action: "undo" });
    expect(resolve(DEFAULT_KEYS, "3")).toEqual({ kind: "choose", index: 2 });
    expect(resolve(DEFAULT_KEYS, "q")).toBeNull();
    expect(resolve(DEFAULT_KEYS, "a", { ctrl: true })).toBeNull();
  });
  it("rebinding moves a key and saves only overrides", () => {
    const m = rebind(DEFAULT_KEYS, "skip", "a");
    expect(resolve(m, "a")).toEqual({ kind: "action", action: "skip" });
    expect(m.accept).toEqual(["Enter"]);
    expect(overrides(m)).toEqual({ accept: ["Enter"], skip: ["a"] });
    const back = mergeKeys({ skip: ["a"] });
    expect(resolve(back, "a")).toEqual({ kind: "action", action: "skip" });
    expect(back.accept).toEqual(["Enter"]);
  });
});

describe("format", () => {
  it("splits placeholders", () => {
    expect(segments("mail [EMAIL_1] or [CARD_NUMBER_2]!")).toEqual([
      { text: "mail ", placeholder: false },
      { text: "[EMAIL_1]", placeholder: true },
      { text: " or ", placeholder: false },
      { text: "[CARD_NUMBER_2]", placeholder: true },
      { text: "!", placeholder: false },
    ]);
    expect(segments("[x] [lower_1] plain")).toEqual([{ text: "[x] [lower_1] plain", placeholder: false }]);
  });
  it("counts code points, not UTF-16 units", () => {
    expect(codePointOffset("😀ab", 3)).toBe(2);
    expect(words("hi  😀 there")).toEqual([{ start: 0, end: 2 }, { start: 4, end: 5 }, { start: 6, end: 11 }]);
  });
  it("filters and orders intents", () => {
    const t = [{ id: "card_arrival", description: "" }, { id: "change_pin", description: "PIN reset" }, { id: "top_up_card", description: "" }];
    expect(filterIntents(t, "card").map((i) => i.id)).toEqual(["card_arrival", "top_up_card"]);
    expect(filterIntents(t, "pin reset").map((i) => i.id)).toEqual(["change_pin"]);
    expect(choices("card_arrival", [{ intent: "top_up_card" }], t)).toEqual(["top_up_card", "change_pin"]);
  });
  it("finds intents with several words, in any order, and with typos", () => {
    const t = [
      { id: "transfer", description: "Send money to someone" },
      { id: "international_fees", description: "Fees for paying abroad" },
      { id: "card_arrival", description: "When will my new card arrive" },
      { id: "pin_change", description: "Change or reset a PIN" },
      { id: "transfer_not_received_by_recipient", description: "" },
    ];
    const ids = (q: string) => filterIntents(t, q).map((i) => i.id);
    expect(ids("trasnfer")).toEqual(["transfer", "transfer_not_received_by_recipient"]);
    expect(ids("card arival")).toEqual(["card_arrival"]);
    expect(ids("fees international")).toEqual(["international_fees"]);
    expect(ids("reset pin")).toEqual(["pin_change"]);
    expect(ids("abroad")).toEqual(["international_fees"]);
    expect(ids("transfer recipient")).toEqual(["transfer_not_received_by_recipient"]);
    expect(ids("zzzz")).toEqual([]);
    expect(ids("")).toEqual(t.map((i) => i.id));
  });
  it("edit distance counts a swap of neighbours as one edit", () => {
    expect(editDistance("trasnfer", "transfer")).toBe(1);
    expect(editDistance("arival", "arrival")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("abc", "abc")).toBe(0);
  });
  it("binds 1–9 to the item's alternatives, then recent choices, never alphabetically in a large taxonomy", () => {
    const big = Array.from({ length: 150 }, (_, n) => ({ id: `intent_${String(n).padStart(3, "0")}` }));
    const alts = [{ intent: "intent_120", confidence: 0.1 }, { intent: "intent_077", confidence: 0.3 }, { intent: "not_in_taxonomy", confidence: 0.2 }];
    expect(choices("intent_001", alts, big)).toEqual(["intent_077", "intent_120"]);
    expect(choices("intent_001", alts, big, ["intent_050", "intent_077", "intent_001", "intent_149"])).toEqual(["intent_077", "intent_120", "intent_050", "intent_149"]);
    const many = Array.from({ length: 12 }, (_, n) => ({ intent: `intent_${100 + n}`, confidence: n / 100 }));
    expect(choices("intent_001", many, big)).toHaveLength(9);
    expect(choices("intent_001", many, big)[0]).toBe("intent_111");
  });
});

describe("counts", () => {
  it("counts skips apart and moves items between done, skipped and to go", () => {
    let c = { labelled: 0, skipped: 0, remaining: 3 };
    c = afterDecision(c, "undecided", "skip");
    expect(c).toEqual({ labelled: 0, skipped: 1, remaining: 2 });
    c = afterDecision(c, "undecided", "correct");
    c = afterDecision(c, "undecided", "wrong");
    expect(progressText(c)).toBe("2 done · 0 to go · 1 skipped (they come back at the end)");
    c = afterDecision(c, "skipped", "unsure"); // the skipped item came back and was decided
    expect(c).toEqual({ labelled: 3, skipped: 0, remaining: 0 });
    c = afterDecision(c, "decided", "skip"); // an edit that turns a decision into a skip
    expect(c).toEqual({ labelled: 2, skipped: 1, remaining: 0 });
    c = afterUndo(c, "skip");
    expect(c).toEqual({ labelled: 2, skipped: 0, remaining: 1 });
    expect(progressText(afterUndo(c, "correct"))).toBe("1 done · 2 to go");
  });
});
