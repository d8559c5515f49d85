// The message's other intents ("also"), chosen with m before a decision: pure rules,
// unit-tested. The vault checks the same (labels::MAX_ALSO_INTENTS, distinct, never the
// label's own intent).
import { t } from "./i18n";

/** Most other intents one label may name besides its own. */
export const MAX_ALSO = 4;

/// Add `id` to the list, or say plainly why not. `main` is the intent the label would
/// have now (the model's guess, until the annotator corrects it).
export function addAlso(list: string[], id: string, main: string | null): { list: string[]; refused: string | null } {
  if (list.includes(id)) return { list, refused: t("also.listed", { intent: id }) };
  if (id === main) return { list, refused: t("also.main", { intent: id }) };
  if (list.length >= MAX_ALSO) return { list, refused: t("also.full", { max: MAX_ALSO }) };
  return { list: [...list, id], refused: null };
}

/// What is recorded with a decision whose intent is `main`: the list without the main
/// intent (an intent chosen as the right one is no longer an "other" intent).
export function alsoFor(list: string[], main: string | null): string[] {
  return list.filter((i) => i !== main).slice(0, MAX_ALSO);
}

/// "card_arrival + change_pin + top_up_failed".
export function withAlso(main: string, also: string[]): string {
  return [main, ...also].join(" + ");
}
