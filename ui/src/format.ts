// Text helpers for the labelling screen: placeholder segments, code-point offsets, and
// word spans for keyboard selection of missed personal data. Pure, unit-tested.

export type Segment = { text: string; placeholder: boolean };

const PLACEHOLDER = /\[[A-Z]+(?:_[A-Z]+)*_\d+\]/g;

/// Split a redacted text into plain runs and typed placeholders like `[EMAIL_1]`.
export function segments(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ text: text.slice(last, at), placeholder: false });
    out.push({ text: m[0], placeholder: true });
    last = at + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), placeholder: false });
  return out;
}

/// Code-point offset of a UTF-16 index (the vault stores code points).
export function codePointOffset(text: string, utf16Index: number): number {
  return Array.from(text.slice(0, utf16Index)).length;
}

export type WordSpan = { start: number; end: number };

/// Words as code-point spans, for selecting a missed-PII span with the keyboard.
export function words(text: string): WordSpan[] {
  const chars = Array.from(text);
  const out: WordSpan[] = [];
  let i = 0;
  while (i < chars.length) {
    while (i < chars.length && /\s/.test(chars[i])) i++;
    if (i >= chars.length) break;
    const start = i;
    while (i < chars.length && !/\s/.test(chars[i])) i++;
    out.push({ start, end: i });
  }
  return out;
}

/// Percent with no decimals.
export function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

export const REASON_LABELS: Record<string, string> = {
  false_positive: "Reported false positive",
  low_confidence: "Low confidence",
  random_sample: "Random sample (new company)",
};

/// Intents filtered by a typed query: prefix matches first, then substring matches.
export function filterIntents<T extends { id: string; description: string }>(intents: T[], query: string): T[] {
  const q = query.trim().toLowerCase().replace(/\s+/g, "_");
  if (!q) return intents;
  const prefix = intents.filter((i) => i.id.toLowerCase().startsWith(q));
  const rest = intents.filter(
    (i) => !i.id.toLowerCase().startsWith(q) && (i.id.toLowerCase().includes(q) || i.description.toLowerCase().includes(query.trim().toLowerCase())),
  );
  return [...prefix, ...rest];
}

/// The numbered choices for 1–9: the model's alternatives first, then the rest of the
/// taxonomy, never the model's own intent.
export function choices(modelIntent: string, alternatives: { intent: string }[], taxonomy: { id: string }[]): string[] {
  const seen = new Set<string>([modelIntent]);
  const out: string[] = [];
  for (const a of alternatives) if (!seen.has(a.intent)) { seen.add(a.intent); out.push(a.intent); }
  for (const t of taxonomy) if (!seen.has(t.id)) { seen.add(t.id); out.push(t.id); }
  return out.slice(0, 9);
}
