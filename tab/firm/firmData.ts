import type { AccessEntry, CaseRecord, Client, Contact } from '../api';

export const live = (e: AccessEntry): boolean => e.state === 'active' || e.state === 'pending';

/** Entries that reach a case: item or case grants on it, and client grants on its client. */
export const reachesCase = (e: AccessEntry, c: CaseRecord): boolean => (e.grant.scope.kind === 'client' ? e.grant.scope.clientId === c.clientId : e.grant.scope.caseId === c.id);

export const reachesClient = (e: AccessEntry, client: Client, cases: readonly CaseRecord[]): boolean =>
  e.grant.scope.kind === 'client' ? e.grant.scope.clientId === client.id : cases.some((c) => c.clientId === client.id && c.id === (e.grant.scope as { caseId: string }).caseId);

export function distinctGuests(entries: readonly AccessEntry[]): Array<{ id: string; name: string; email: string; entries: AccessEntry[] }> {
  const byId = new Map<string, { id: string; name: string; email: string; entries: AccessEntry[] }>();
  for (const e of entries) {
    const g = byId.get(e.contact.id) ?? { id: e.contact.id, name: e.contact.name, email: e.contact.email, entries: [] };
    g.entries.push(e);
    byId.set(e.contact.id, g);
  }
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** A person's organisation, as far as a contact tells it: the domain of their address. */
export const organisationOf = (email: string): string => email.slice(email.lastIndexOf('@') + 1);

/** Whether a contact matches what someone typed: name, email, organisation (email domain) or their client's name. */
export function contactMatches(contact: Pick<Contact, 'name' | 'email'>, clientName: string | null, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const haystack = [contact.name, contact.email, organisationOf(contact.email).replace(/\./g, ' '), clientName ?? ''].join(' ').toLowerCase();
  return words.length > 0 && words.every((w) => haystack.includes(w));
}

/** More item shares in one case than this are shown as one chip for the case that expands to the list. */
export const COLLAPSE_ITEMS_ABOVE = 3;

export interface ChipGroups {
  /** Shown one chip each: case and client grants, and item grants of cases with few of them. */
  singles: AccessEntry[];
  /** Item grants of one case, shown collapsed. */
  groups: Array<{ caseId: string; entries: AccessEntry[] }>;
}

/** Splits a guest's access into chips and per-case groups of item shares, in the order given. */
export function groupChips(entries: readonly AccessEntry[], collapseAbove = COLLAPSE_ITEMS_ABOVE): ChipGroups {
  const itemsByCase = new Map<string, AccessEntry[]>();
  for (const e of entries) if (e.grant.scope.kind === 'item') itemsByCase.set(e.grant.scope.caseId, [...(itemsByCase.get(e.grant.scope.caseId) ?? []), e]);
  const collapsed = new Set([...itemsByCase].filter(([, list]) => list.length > collapseAbove).map(([caseId]) => caseId));
  return {
    singles: entries.filter((e) => e.grant.scope.kind !== 'item' || !collapsed.has(e.grant.scope.caseId)),
    groups: [...collapsed].map((caseId) => ({ caseId, entries: itemsByCase.get(caseId) ?? [] })),
  };
}
