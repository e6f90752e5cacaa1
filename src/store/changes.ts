import type { Queryable } from './db';

/**
 * Change announcements: what the live pages (services/live.ts) hear about.
 *
 * Every write to something a page shows (items, grants, links, messages, cases, contacts) sends
 * `pg_notify` on the same connection as the write. PostgreSQL delivers a notification only when
 * its transaction commits, and drops it on rollback, so listeners never hear of a change that
 * is not visible yet or never happened; identical ones in one transaction arrive once. On a
 * PostgreSQL server every app instance LISTENs on its own connection and so hears the changes
 * every other instance commits; PGlite (one process) delivers them the same way. An in-process
 * bus would need an after-commit hook in every transaction and would not reach other instances.
 *
 * The payload names ids only (never titles or contents): it may pass through the server's
 * notification queue, and what a listener tells a viewer is decided by that viewer's access.
 */
export const CHANGE_CHANNEL = 'caseroom_change';

export interface StoreChange {
  firmId: string;
  /** The case whose contents changed (an item, message, thread, grant or link on it, the case itself). */
  caseId?: string;
  /** A client-wide grant changed. */
  clientId?: string;
  /** Whose access changed: a grant, a link, portal access or the invitation of this contact. */
  contactId?: string;
  /** Only staff can see what changed (a staff-only item that stayed staff-only): guests need not hear. */
  staffOnly?: boolean;
}

/** Sends the announcement on `q`: inside a transaction it is delivered at commit, or never. */
export async function announceChange(q: Queryable, change: StoreChange): Promise<void> {
  await q.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, JSON.stringify(change)]);
}

const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 100;
const optionalId = (v: unknown): boolean => v === undefined || isId(v);

/** A payload as sent by announceChange, or null for anything else on the channel. */
export function parseChange(payload: string): StoreChange | null {
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const c = raw as Record<string, unknown>;
  if (!isId(c.firmId) || !optionalId(c.caseId) || !optionalId(c.clientId) || !optionalId(c.contactId)) return null;
  if (c.staffOnly !== undefined && typeof c.staffOnly !== 'boolean') return null;
  return {
    firmId: c.firmId,
    ...(c.caseId ? { caseId: c.caseId as string } : {}),
    ...(c.clientId ? { clientId: c.clientId as string } : {}),
    ...(c.contactId ? { contactId: c.contactId as string } : {}),
    ...(c.staffOnly ? { staffOnly: true } : {}),
  };
}
