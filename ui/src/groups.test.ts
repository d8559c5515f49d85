import { describe, expect, it } from "vitest";
import { filterIntents, groupIntents, groupNames, pickerRows, utf8Bytes } from "./format";
import { attachmentsText, guidelinesCount, GUIDELINES_LIMIT, taxonomyText } from "./manage";

const TAX = [
  { id: "card_arrival", description: "When will my card arrive", examples: ["where is my new card"], group: "cards" },
  { id: "balance", description: "Account balance", examples: ["how much money do I have"], group: "accounts" },
  { id: "card_lost", description: "Lost or stolen card", examples: ["I lost my card", "my card was stolen"], group: "cards" },
  { id: "greeting", description: "Hello", examples: [] },
];

describe("intent groups", () => {
  it("lists groups in the order they first appear", () => {
    expect(groupNames(TAX)).toEqual(["cards", "accounts"]);
    expect(groupNames([{}, { group: "" }])).toEqual([]);
  });
  it("gathers intents under their groups, ungrouped last", () => {
    expect(groupIntents(TAX).map((g) => [g.group, g.intents.map((i) => i.id)])).toEqual([
      ["cards", ["card_arrival", "card_lost"]],
      ["accounts", ["balance"]],
      ["", ["greeting"]],
    ]);
  });
  it("shows headings only when not filtering, and moves the highlight in display order", () => {
    const all = pickerRows(TAX, "");
    expect(all.headings).toBe(true);
    expect(all.shown.map((i) => i.id)).toEqual(["card_arrival", "card_lost", "balance", "greeting"]);
    expect(all.rows.map((r) => (r.kind === "group" ? `# ${r.name}` : `${r.index} ${r.intent.id}`))).toEqual([
      "# cards", "0 card_arrival", "1 card_lost", "# accounts", "2 balance", "# Other", "3 greeting",
    ]);
    const some = pickerRows(TAX, "lost");
    expect(some.headings).toBe(false);
    expect(some.rows.every((r) => r.kind === "intent")).toBe(true);
    expect(some.shown[0].id).toBe("card_lost");
  });
  it("a taxonomy without groups has no headings", () => {
    const flat = TAX.map(({ id, description }) => ({ id, description }));
    const v = pickerRows(flat, "");
    expect(v.headings).toBe(false);
    expect(v.shown).toEqual(flat);
  });
  it("search reaches groups and example phrasings, below names and descriptions", () => {
    expect(filterIntents(TAX, "accounts").map((i) => i.id)).toEqual(["balance"]);
    expect(filterIntents(TAX, "stolen").map((i) => i.id)).toEqual(["card_lost"]);
    expect(filterIntents(TAX, "money").map((i) => i.id)).toEqual(["balance"]);
    // A name match ranks above a match in an example only.
    expect(filterIntents(TAX, "card").map((i) => i.id)).toEqual(["card_arrival", "card_lost"]);
  });
});

describe("dispatch form", () => {
  it("counts guideline bytes in UTF-8 against the 32 KiB limit", () => {
    expect(utf8Bytes("é")).toBe(2);
    expect(guidelinesCount("abc")).toEqual({ text: "3 / 32,768 bytes", over: false });
    expect(guidelinesCount("x".repeat(GUIDELINES_LIMIT)).over).toBe(false);
    const over = guidelinesCount("é".repeat(GUIDELINES_LIMIT / 2 + 1));
    expect(over.over).toBe(true);
    expect(over.text).toContain("too long");
  });
  it("describes the taxonomy and the guidelines going with the batches", () => {
    const t = { id: "banking", version: "v3", intents: 150, groups: 10, with_examples: 150 };
    expect(taxonomyText(t)).toBe("banking v3: 150 intents, 10 groups, 150 with examples");
    expect(taxonomyText({ ...t, intents: 1, groups: 0, with_examples: 0 })).toBe("banking v3: 1 intent, no groups");
    expect(attachmentsText(t, "Be kind.")).toBe("Taxonomy banking version v3 (150 intents). Guidelines for annotators attached (8 bytes).");
    expect(attachmentsText(null, "  ")).toBe("Taxonomy: every intent the messages mention (no file chosen). No guidelines attached.");
  });
});
