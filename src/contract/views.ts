/**
 * Views and scopes in words, for cards, the API's access labels and the tab alike. Plain
 * functions without zod (like ./enums), so the tab bundle may import them at run time.
 */
import { SECTIONS, type Section } from './enums';

/** What each portal section is called in a sentence. */
export const SECTION_WORDS: Record<Section, string> = {
  status: 'status',
  team: 'team contact',
  budget: 'budget and retainer',
  documents: 'documents',
  notes: 'notes',
  events: 'events',
  invoices: 'invoices',
  messages: 'messages',
};

/** "a", "a and b", "a, b and c". */
export function wordList(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** Whether a view shows every section there is (only then is it a "full" view). */
export const isFullView = (view: readonly Section[]): boolean => SECTIONS.every((s) => view.includes(s));

/**
 * A case or client view in words: "Full case" only when it shows every section, otherwise what it
 * includes, in the portal's order ("documents and events"), or "no sections" when empty.
 */
export function describeView(view: readonly Section[], full = 'Full case'): string {
  if (isFullView(view)) return full;
  const shown = SECTIONS.filter((s) => view.includes(s)).map((s) => SECTION_WORDS[s]);
  return shown.length ? wordList(shown) : 'no sections';
}

/** Whether two views show the same sections, whatever their order. */
export const sameSections = (a: readonly Section[], b: readonly Section[]): boolean => a.length === b.length && a.every((s) => b.includes(s));

/**
 * The saved view a grant's sections match, by name (the first by name when two match), or null.
 * Grants copy a view's sections and never point at it, so the name is found by the sections: a
 * view changed after the grant no longer names it, and the label falls back to the sections.
 */
export function matchingViewName(view: readonly Section[], saved: ReadonlyArray<{ name: string; sections: readonly Section[] }>): string | null {
  return [...saved].sort((a, b) => a.name.localeCompare(b.name)).find((v) => sameSections(v.sections, view))?.name ?? null;
}

/** A view in words with its saved name when it has one: "Client standard (documents, notes and events)", else "documents, notes and events". */
export function namedViewWords(view: readonly Section[], viewName: string | null): string {
  const words = describeView(view, 'every section');
  return viewName ? `${viewName} (${words})` : words;
}

/**
 * The label of a case or client grant, naming where it reaches and what it shows:
 * "PI-2026-014: Client standard (documents, notes and events)", "PI-2026-014: every section",
 * "All cases of Northwind Traders Ltd: documents and events". Never a bare "Full case".
 */
export function broadScopeLabel(kind: 'case' | 'client', view: readonly Section[], where: string, viewName: string | null = null): string {
  return `${kind === 'client' ? `All cases of ${where}` : where}: ${namedViewWords(view, viewName)}`;
}
