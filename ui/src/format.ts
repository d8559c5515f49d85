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

/// Words of an intent for search: its id split at `_`, `-`, `.`, `/` and spaces, then
/// its description's words (lowercase).
function intentWords(i: { id: string; description: string }): { id: string[]; desc: string[] } {
  const split = (t: string) => t.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return { id: split(i.id), desc: split(i.description) };
}

/// Edit distance with adjacent transpositions (optimal string alignment), stopping early
/// once it exceeds `max`.
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1);
    cur[0] = i;
    let best = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    for (let j = 0; j <= b.length; j++) prev2[j] = prev[j];
    prev = cur;
  }
  return prev[b.length];
}

/// How well one typed word matches one word of an intent: 3 prefix, 2 inside (3+
/// letters), 1 a typo (one edit from the word or its prefix; two for 7+ letters), 0 none.
function wordMatch(q: string, w: string): number {
  if (w.startsWith(q)) return 3;
  if (q.length >= 3 && w.includes(q)) return 2;
  if (q.length >= 4) {
    const max = q.length >= 7 ? 2 : 1;
    if (editDistance(q, w, max) <= max || editDistance(q, w.slice(0, q.length), max) <= max) return 1;
  }
  return 0;
}

/// Intents matching a typed query, best first. Every typed word must match a word of the
/// intent's id or description, by prefix, inside it, or with a typo; words of the id count
/// more than words of the description, and an id that starts with the whole query comes
/// first. Ties keep the taxonomy's order. An empty query lists every intent.
export function filterIntents<T extends { id: string; description: string }>(intents: T[], query: string): T[] {
  const typed = query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (!typed.length) return intents;
  const joined = typed.join("_");
  const scored: { i: T; score: number; at: number }[] = [];
  intents.forEach((intent, at) => {
    const w = intentWords(intent);
    let score = intent.id.toLowerCase().startsWith(joined) ? 100 : 0;
    for (const q of typed) {
      let best = 0;
      for (const x of w.id) best = Math.max(best, 2 * wordMatch(q, x));
      if (best < 6) for (const x of w.desc) best = Math.max(best, wordMatch(q, x));
      if (best === 0) return;
      score += best;
    }
    scored.push({ i: intent, score, at });
  });
  scored.sort((a, b) => b.score - a.score || a.at - b.at);
  return scored.map((s) => s.i);
}

/// Taxonomies this small fill the keys 1–9 with their remaining intents in order; larger
/// ones would bind keys to intents unrelated to the message.
export const SMALL_TAXONOMY = 12;

/// The numbered choices for 1–9: the model's alternatives for this item (most likely
/// first), then the intents this annotator chose most recently; a small taxonomy fills the
/// rest in its order. Never the model's own intent, never an intent outside the taxonomy.
export function choices(
  modelIntent: string,
  alternatives: { intent: string; confidence?: number }[],
  taxonomy: { id: string }[],
  recent: string[] = [],
): string[] {
  const known = new Set(taxonomy.map((t) => t.id));
  const seen = new Set<string>([modelIntent]);
  const out: string[] = [];
  const add = (id: string) => {
    if (!seen.has(id) && known.has(id)) {
      seen.add(id);
      out.push(id);
    }
  };
  const alts = [...alternatives].sort((a, b) => (b.confidence ?? 0) - (a.confidence ?? 0));
  for (const a of alts) add(a.intent);
  for (const r of recent) add(r);
  if (taxonomy.length <= SMALL_TAXONOMY) for (const t of taxonomy) add(t.id);
  return out.slice(0, 9);
}

/** The top bar's counts: decided (skips apart), skipped (back at the end), still to go. */
export type Counts = { labelled: number; skipped: number; remaining: number };

/// The counts after a decision on an item that was undecided (from the queue), skipped
/// (a skipped item back at the end of the queue, or a skip being edited) or decided (an
/// earlier decision being edited).
export function afterDecision(c: Counts, was: "undecided" | "skipped" | "decided", verdict: string): Counts {
  const n = { ...c };
  if (was === "undecided") n.remaining = Math.max(0, n.remaining - 1);
  else if (was === "skipped") n.skipped = Math.max(0, n.skipped - 1);
  else n.labelled = Math.max(0, n.labelled - 1);
  if (verdict === "skip") n.skipped += 1;
  else n.labelled += 1;
  return n;
}

/// The counts after undoing a decision whose verdict was `verdict`: the item is undecided again.
export function afterUndo(c: Counts, verdict: string | null): Counts {
  const n = { ...c, remaining: c.remaining + 1 };
  if (verdict === "skip") n.skipped = Math.max(0, n.skipped - 1);
  else n.labelled = Math.max(0, n.labelled - 1);
  return n;
}

/// "12 done · 30 to go · 2 skipped (they come back at the end)".
export function progressText(c: Counts): string {
  const skipped = c.skipped ? ` · ${c.skipped} skipped (they come back at the end)` : "";
  return `${c.labelled} done · ${c.remaining} to go${skipped}`;
}

/// A moment in the user's own time zone, named ("2026-12-04 20:31 UTC").
export function local(ms: number): string {
  return new Date(ms).toLocaleString(undefined, {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short",
  });
}
