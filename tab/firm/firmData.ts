import type { AccessEntry, CaseRecord, Client } from '../api';

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
