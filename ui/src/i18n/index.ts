// The UI's words: one catalogue per language (en.ts is the reference), `t()` for a
// message with {placeholders}, `tn()` for plural-sensitive ones (Intl.PluralRules), and
// `applyStatic()` for the text index.html marks with data-i18n / data-i18n-attr.
// Adding a language: a catalogue file beside en.ts, and one line in LANGUAGES below.
import { en, type MessageKey } from "./en";
import { de } from "./de";

export type { MessageKey };
export type Catalogue = Record<MessageKey, string>;

/** Every shipped language: its tag and catalogue (the name shown is its `lang.name`). */
export const LANGUAGES: Record<string, Catalogue> = {
  en,
  de,
};

export const DEFAULT_LANGUAGE = "en";

let current = DEFAULT_LANGUAGE;

/** The language in use. */
export function language(): string {
  return current;
}

/** Use `tag` from now on (an unknown one means English). */
export function setLanguage(tag: string) {
  current = tag in LANGUAGES ? tag : DEFAULT_LANGUAGE;
}

/** The shipped language that fits the system's preferences (`navigator.languages`), else English. */
export function pickLanguage(preferred: readonly string[]): string {
  for (const p of preferred) {
    const base = p.toLowerCase().split(/[-_]/)[0];
    if (base in LANGUAGES) return base;
  }
  return DEFAULT_LANGUAGE;
}

export type Params = Record<string, string | number>;

/** Numbers as the language writes them (1,234 / 1.234). */
export function num(n: number): string {
  return new Intl.NumberFormat(current).format(n);
}

/** Fill {name} placeholders; numbers are formatted for the language. */
function fill(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    return typeof v === "number" ? num(v) : v;
  });
}

/** The message `key` in the current language, its placeholders filled. */
export function t(key: MessageKey, params?: Params): string {
  const text = LANGUAGES[current]?.[key] ?? en[key] ?? key;
  return fill(text, params);
}

/** Keys that have plural forms (`base.one`, `base.other`, …). */
type PluralBase = MessageKey extends infer K ? (K extends `${infer B}.other` ? B : never) : never;

/** A plural-sensitive message: the form Intl.PluralRules picks for `count` (`{count}` filled). */
export function tn(base: PluralBase, count: number, params: Params = {}): string {
  const form = new Intl.PluralRules(current).select(count);
  const cat = LANGUAGES[current] as Record<string, string>;
  const key = (`${base}.${form}` in cat ? `${base}.${form}` : `${base}.other`) as MessageKey;
  return t(key, { count, ...params });
}

/** The {placeholders} of a message, sorted (for the catalogue tests). */
export function placeholders(text: string): string[] {
  return Array.from(text.matchAll(/\{(\w+)\}/g), (m) => m[1]).sort();
}

/**
 * Put the current language's text into the marked elements under `root`:
 * `data-i18n="key"` sets the text; a child with `data-i18n-slot="name"` stays in place
 * of `{name}` in the message (a link, a code word, a file button). `data-i18n-attr=
 * "aria-label:key;placeholder:key"` sets attributes.
 */
export function applyStatic(root: ParentNode) {
  for (const e of Array.from(root.querySelectorAll<HTMLElement>("[data-i18n]"))) {
    const text = t(e.dataset.i18n as MessageKey);
    const slots = new Map<string, Element>();
    for (const c of Array.from(e.children)) {
      const name = c.getAttribute("data-i18n-slot");
      if (name) slots.set(name, c);
    }
    if (!slots.size) {
      e.textContent = text;
      continue;
    }
    const parts = text.split(/\{(\w+)\}/);
    const nodes = parts.map((p, i) => (i % 2 === 1 && slots.has(p) ? slots.get(p)! : document.createTextNode(i % 2 === 1 ? `{${p}}` : p)));
    e.replaceChildren(...nodes);
  }
  for (const e of Array.from(root.querySelectorAll<HTMLElement>("[data-i18n-attr]"))) {
    for (const pair of (e.dataset.i18nAttr ?? "").split(";")) {
      const [attr, key] = pair.split(":").map((s) => s.trim());
      if (attr && key) e.setAttribute(attr, t(key as MessageKey));
    }
  }
}
