import { afterEach, describe, expect, it } from "vitest";
import { LANGUAGES, pickLanguage, placeholders, setLanguage, t, tn } from "./i18n";
import { en } from "./i18n/en";
import { progressText, REASON_LABELS } from "./format";
import type { Reason } from "./api";

afterEach(() => setLanguage("en"));

describe("message catalogues", () => {
  const reference = Object.keys(en).sort();
  for (const [tag, cat] of Object.entries(LANGUAGES)) {
    it(`${tag}: every key of en.ts, nothing more, none empty, the same placeholders`, () => {
      expect(Object.keys(cat).sort()).toEqual(reference);
      for (const key of reference) {
        const text = (cat as Record<string, string>)[key];
        expect(typeof text === "string" && text.trim().length > 0, `${tag} ${key} is empty`).toBe(true);
        expect(placeholders(text), `${tag} ${key}`).toEqual(placeholders(en[key as keyof typeof en]));
      }
    });
  }

  it("ships English and German, each named in its own language", () => {
    expect(Object.keys(LANGUAGES).sort()).toEqual(["de", "en"]);
    expect(LANGUAGES.de["lang.name"]).toBe("Deutsch");
  });
});

describe("t() and tn()", () => {
  it("fills placeholders, leaves unknown ones visible, formats numbers for the language", () => {
    expect(t("picker.match", { shown: 3, total: 150 })).toBe("3 of 150 intents match");
    expect(t("label.remove", {})).toBe("Remove {intent}");
    expect(t("audit.saved", { bytes: 12345, path: "/tmp/x" })).toContain("(12,345 bytes)");
    setLanguage("de");
    expect(t("picker.match", { shown: 3, total: 150 })).toBe("3 von 150 Intents passen");
    expect(t("audit.saved", { bytes: 12345, path: "/tmp/x" })).toContain("(12.345 Bytes)");
    // A value is inserted as it is, never read as a template.
    expect(t("label.remove", { intent: "{count}" })).toBe("{count} entfernen");
  });

  it("picks plural forms with Intl.PluralRules", () => {
    expect(tn("picker.count", 1)).toBe("1 intent");
    expect(tn("picker.count", 2)).toBe("2 intents");
    expect(tn("picker.count", 0)).toBe("0 intents");
    expect(tn("batches.imported", 1, { batch: "b1" })).toBe("Imported batch b1 (1 item).");
    setLanguage("de");
    expect(tn("batches.imported", 1, { batch: "b1" })).toBe("Stapel b1 importiert (1 Element).");
    expect(tn("batches.imported", 5, { batch: "b1" })).toBe("Stapel b1 importiert (5 Elemente).");
  });

  it("words the progress line in the chosen language", () => {
    setLanguage("de");
    expect(progressText({ labelled: 2, remaining: 0, skipped: 1 })).toBe("2 erledigt · 0 offen · 1 übersprungen (sie kommen am Ende wieder)");
  });

  it("follows the system's language when it is shipped, else English", () => {
    expect(pickLanguage(["de-DE", "en-US"])).toBe("de");
    expect(pickLanguage(["fr-FR", "de-AT"])).toBe("de");
    expect(pickLanguage(["fr-FR"])).toBe("en");
    expect(pickLanguage([])).toBe("en");
    setLanguage("xx");
    expect(t("tab.label")).toBe("Label");
  });
});

describe("reasons", () => {
  it("every reason the engine sends has its own label in each language, the second look included", () => {
    const reasons: Reason[] = ["false_positive", "low_confidence", "random_sample", "suspected_label_error"];
    for (const tag of Object.keys(LANGUAGES)) {
      setLanguage(tag as keyof typeof LANGUAGES);
      const labels = reasons.map((r) => t(REASON_LABELS[r]));
      expect(new Set(labels).size, tag).toBe(reasons.length);
      for (const l of labels) expect(l.startsWith("reason."), `${tag}: ${l}`).toBe(false);
    }
    setLanguage("en");
    expect(t(REASON_LABELS.suspected_label_error)).toBe("Second look: the model disagrees with the earlier label");
    setLanguage("de");
    expect(t(REASON_LABELS.suspected_label_error)).toContain("Zweiter Blick");
  });
});
