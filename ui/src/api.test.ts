import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn(async () => ({}));
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...(args as [])) }));

const { api } = await import("./api");

describe("the quality views' aggregation method", () => {
  beforeEach(() => invoke.mockClear());

  it("is left out at the hub's default and sent when another is asked for", async () => {
    await api.manageQuality();
    await api.manageQuality("majority");
    expect(invoke.mock.calls).toEqual([["manage_quality"], ["manage_quality", { method: "majority" }]]);
  });

  it("goes with the disagreements, as does including adjudicated ones", async () => {
    await api.manageDisagreements(true);
    await api.manageDisagreements(false, "majority", true);
    expect(invoke.mock.calls).toEqual([
      ["manage_disagreements", { withText: true }],
      ["manage_disagreements", { withText: false, method: "majority", includeAdjudicated: true }],
    ]);
  });
});
