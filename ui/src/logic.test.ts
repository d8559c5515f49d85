import { describe, expect, it } from "vitest";
import { choices, codePointOffset, filterIntents, segments, words } from "./format";
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
});
