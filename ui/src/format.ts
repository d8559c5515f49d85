// Text helpers for the labelling screen: placeholder segments, code-point offsets, and
// word spans for keyboard selection of missed personal data. Pure, unit-tested.
import { language, t, type MessageKey } from "./i18n";

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

/// Percent with no decimals (also a CSS width, so always "42%").
export function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** Why an item is in the queue: the catalogue key of each reason. */
export const REASON_LABELS: Record<string, MessageKey> = {
  false_positive: "reason.false_positive",
  low_confidence: "reason.low_confidence",
  random_sample: "reason.random_sample",
  suspected_label_error: "reason.suspected_label_error",
};

/** What search and display read of an intent (examples and group are optional). */
export type IntentLike = { id: string; description: string; examples?: string[]; group?: string };

const splitWords = (t: string) => t.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/// Words of an intent for search: its id split at `_`, `-`, `.`, `/` and spaces; its
/// description's and group's words; its example phrasings' words (lowercase).
function intentWords(i: IntentLike): { id: string[]; desc: string[]; examples: string[] } {
  return {
    id: splitWords(i.id),
    desc: [...splitWords(i.description), ...splitWords(i.group ?? "")],
    examples: (i.examples ?? []).flatMap(splitWords),
  };
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
/// intent's id, description or group, by prefix, inside it, or with a typo, or start a
/// word of one of its example phrasings (3+ letters); words of the id count more than
/// words of the description, which count more than examples, and an id that starts with
/// the whole query comes first. Ties keep the taxonomy's order. An empty query lists
/// every intent.
export function filterIntents<T extends IntentLike>(intents: T[], query: string): T[] {
  const typed = splitWords(query);
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
      if (best === 0 && q.length >= 3 && w.examples.some((x) => x.startsWith(q))) best = 0.5;
      if (best <= 0) return;
      score += best;
    }
    scored.push({ i: intent, score, at });
  });
  scored.sort((a, b) => b.score - a.score || a.at - b.at);
  return scored.map((s) => s.i);
}

/// The taxonomy's groups, in the order they first appear (an intent without one is in
/// none). A taxonomy with no groups gives an empty list.
export function groupNames(intents: { group?: string }[]): string[] {
  const out: string[] = [];
  for (const i of intents) {
    const g = i.group ?? "";
    if (g && !out.includes(g)) out.push(g);
  }
  return out;
}

/** Intents under a group heading; `group` is "" for intents without a group. */
export type IntentGroup<T> = { group: string; intents: T[] };

/// Intents gathered under their groups: groups in the order they first appear, each
/// group's intents in taxonomy order, intents without a group last (group "").
export function groupIntents<T extends { group?: string }>(intents: T[]): IntentGroup<T>[] {
  const names = groupNames(intents);
  const out: IntentGroup<T>[] = names.map((g) => ({ group: g, intents: [] }));
  const at = new Map(names.map((g, n) => [g, n]));
  const none: T[] = [];
  for (const i of intents) {
    const n = at.get(i.group ?? "");
    if (n === undefined) none.push(i);
    else out[n].intents.push(i);
  }
  if (none.length) out.push({ group: "", intents: none });
  return out;
}

/** One row of the intent picker: a group heading, or an intent and its place in `shown`. */
export type PickerRow<T> = { kind: "group"; name: string } | { kind: "intent"; intent: T; index: number };

/// What the picker lists for a query. With no query and a taxonomy with groups, every
/// intent under its group heading (the highlight moves in that order); with a query, the
/// matches best first and no headings (each row names its group instead).
export function pickerRows<T extends IntentLike>(intents: T[], query: string): { shown: T[]; rows: PickerRow<T>[]; headings: boolean } {
  const filtering = splitWords(query).length > 0;
  if (filtering || !groupNames(intents).length) {
    const shown = filtering ? filterIntents(intents, query) : intents;
    return { shown, rows: shown.map((intent, index) => ({ kind: "intent", intent, index })), headings: false };
  }
  const shown: T[] = [];
  const rows: PickerRow<T>[] = [];
  for (const g of groupIntents(intents)) {
    rows.push({ kind: "group", name: g.group || t("guide.other") });
    for (const intent of g.intents) {
      rows.push({ kind: "intent", intent, index: shown.length });
      shown.push(intent);
    }
  }
  return { shown, rows, headings: true };
}

/// UTF-8 size of a text, the unit of the hub's limits (the guidelines' 32 KiB).
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
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
  const p = { done: c.labelled, remaining: c.remaining, skipped: c.skipped };
  return c.skipped ? t("progress.textSkipped", p) : t("progress.text", p);
}

/// A moment in the user's own time zone, named ("2026-12-04 20:31 UTC").
export function local(ms: number): string {
  return new Date(ms).toLocaleString(language(), {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short",
  });
}
