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

/** The short label of a case or client grant: "Full case", "Case: documents and events", "Full client", "Client: notes". */
export function broadScopeLabel(kind: 'case' | 'client', view: readonly Section[]): string {
  const full = kind === 'case' ? 'Full case' : 'Full client';
  return isFullView(view) ? full : `${kind === 'case' ? 'Case' : 'Client'}: ${describeView(view)}`;
}
