import { describe, expect, it } from "vitest";
import { accessSummary, messagesCell, person } from "./audit";

describe("hub access record", () => {
  it("names people, the admin token, or the bare account id", () => {
    expect(person({ account_id: "ac_1", name: "Mara Manager" })).toBe("Mara Manager (ac_1)");
    expect(person({ account_id: "bootstrap", name: null })).toBe("hub admin token (bootstrap)");
    expect(person({ account_id: "bootstrap", name: "hub bootstrap (admin.token)" })).toBe("hub bootstrap (admin.token)");
    expect(person({ account_id: "ac_2", name: null })).toBe("ac_2");
  });
  it("summarises every act, a message nobody read, and who read one", () => {
    const row = { account_id: "ac_1", name: "Mara Manager" } as never;
    expect(accessSummary({ verified: true, entries: 9, message: null, matching: 9, rows: new Array(9).fill(row) })).toBe("9 act(s) on the hub, newest first.");
    expect(accessSummary({ verified: true, entries: 9, message: null, matching: 9, rows: [row] })).toContain("the newest 1 shown");
    expect(accessSummary({ verified: true, entries: 9, message: "m03", matching: 0, rows: [] })).toBe("Nobody read the raw text of m03 (in 9 entries).");
    expect(accessSummary({ verified: true, entries: 9, message: "m03", matching: 2, rows: [row, row] })).toBe("The raw text of m03 was read 2 time(s), by Mara Manager.");
    expect(accessSummary({ verified: false, entries: 0, message: null, matching: 0, rows: [] })).toContain("did not verify");
  });
  it("counts the messages an act names", () => {
    expect(messagesCell({ messages: 0, names_message: false }, null)).toBe("—");
    expect(messagesCell({ messages: 12, names_message: true }, "m03")).toBe("12 (incl. m03)");
    expect(messagesCell({ messages: 12, names_message: false }, null)).toBe("12");
  });
});
