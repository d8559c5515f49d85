// Key bindings: defaults, remapping, and resolving a keypress to an action. Pure logic,
// unit-tested; the labelling screen asks `resolve` what a key means.
import { t, type MessageKey } from "./i18n";

export type Action =
  | "accept"
  | "wrong"
  | "flag_misclassification"
  | "missed_pii"
  | "not_customer"
  | "multiple_intents"
  | "undo"
  | "skip"
  | "unsure"
  | "help"
  | "guidelines";

export type KeyMap = Record<Action, string[]>;

/** Each action's name in the message catalogue (its words come from `t()`). */
export const ACTION_LABELS: Record<Action, MessageKey> = {
  accept: "action.accept",
  wrong: "action.wrong",
  flag_misclassification: "action.flag_misclassification",
  missed_pii: "action.missed_pii",
  not_customer: "action.not_customer",
  multiple_intents: "action.multiple_intents",
  undo: "action.undo",
  skip: "action.skip",
  unsure: "action.unsure",
  help: "action.help",
  guidelines: "action.guidelines",
};

/** An action in words, in the current language. */
export function actionLabel(a: Action): string {
  return t(ACTION_LABELS[a]);
}

/** A key as shown to people: the space bar by name, every other key as it is. */
export function keyName(k: string): string {
  return k === " " ? t("key.space") : k;
}

export const DEFAULT_KEYS: KeyMap = {
  accept: ["Enter", "a"],
  wrong: ["x"],
  flag_misclassification: ["f"],
  missed_pii: ["p"],
  not_customer: ["n"],
  multiple_intents: ["m"],
  undo: ["u", "Backspace"],
  skip: ["s"],
  unsure: [],
  help: ["?"],
  guidelines: ["h"],
};

/// Saved overrides on top of the defaults.
export function mergeKeys(saved: Partial<Record<string, string[]>>): KeyMap {
  const out = { ...DEFAULT_KEYS } as KeyMap;
  for (const [action, keys] of Object.entries(saved)) {
    if (action in out && Array.isArray(keys) && keys.length > 0) out[action as Action] = keys;
  }
  // A key bound by an override is removed from any other action, so one key never
  // means two things.
  for (const [action, keys] of Object.entries(saved)) {
    if (!(action in out) || !keys) continue;
    for (const other of Object.keys(out) as Action[]) {
      if (other !== action) out[other] = out[other].filter((k) => !keys.includes(k));
    }
  }
  return out;
}

/// Bind `key` to `action` alone (it leaves any other action).
export function rebind(map: KeyMap, action: Action, key: string): KeyMap {
  const out = {} as KeyMap;
  for (const a of Object.keys(map) as Action[]) out[a] = map[a].filter((k) => k !== key);
  out[action] = [key];
  return out;
}

/// What a key means: an action, or a digit choosing the n-th listed intent.
export type Resolved = { kind: "action"; action: Action } | { kind: "choose"; index: number } | null;

export function resolve(map: KeyMap, key: string, mods: { ctrl?: boolean; alt?: boolean; meta?: boolean } = {}): Resolved {
  if (mods.ctrl || mods.alt || mods.meta) return null;
  if (/^[1-9]$/.test(key)) return { kind: "choose", index: Number(key) - 1 };
  for (const a of Object.keys(map) as Action[]) {
    if (map[a].includes(key)) return { kind: "action", action: a };
  }
  return null;
}

/// Only the overrides that differ from the defaults (what is saved).
export function overrides(map: KeyMap): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const a of Object.keys(map) as Action[]) {
    if (JSON.stringify(map[a]) !== JSON.stringify(DEFAULT_KEYS[a])) out[a] = map[a];
  }
  return out;
}
