import { describe, expect, it } from "vitest";
import { addAlso, alsoFor, MAX_ALSO, withAlso } from "./also";

describe("other intents of a message", () => {
  it("adds distinct intents, never the main one, at most four", () => {
    let l: string[] = [];
    for (const id of ["change_pin", "top_up_failed", "lost_card", "refund"]) {
      const r = addAlso(l, id, "card_arrival");
      expect(r.refused).toBeNull();
      l = r.list;
    }
    expect(l).toHaveLength(MAX_ALSO);
    const full = addAlso(l, "balance", "card_arrival");
    expect(full.list).toBe(l);
    expect(full.refused).toMatch(/At most 4/);
    expect(addAlso(["change_pin"], "change_pin", null).refused).toMatch(/already listed/);
    const main = addAlso([], "card_arrival", "card_arrival");
    expect(main.list).toEqual([]);
    expect(main.refused).toMatch(/main intent/);
  });

  it("leaves the decided intent out of what is recorded", () => {
    expect(alsoFor(["change_pin", "refund"], "change_pin")).toEqual(["refund"]);
    expect(alsoFor(["change_pin"], null)).toEqual(["change_pin"]);
    expect(withAlso("card_arrival", ["change_pin", "refund"])).toBe("card_arrival + change_pin + refund");
    expect(withAlso("card_arrival", [])).toBe("card_arrival");
  });
});
