import type { RequestHandler } from 'express';
import { notFound } from '../domain/errors';
import type { Queryable } from '../store/db';
import { Repo } from '../store/repo';
import { hiddenCasesFor } from '../services/walls';
import { rememberVisibleCase } from '../services/context';
import type { CaseRecord } from '../store/records';
import { idParam } from './schemas';

type Guarded = 'case' | 'item' | 'grant' | 'thread';

/** The case an id of this kind belongs to, in the firm: undefined when it does not exist there, null when it names no single case (a client grant). */
async function caseOf(q: Queryable, firmId: string, kind: Guarded, id: string): Promise<{ caseId: string | null; record?: CaseRecord } | undefined> {
  const repo = new Repo(q);
  const of = (caseId: string | undefined) => (caseId === undefined ? undefined : { caseId });
  if (kind === 'case') {
    const record = await repo.case(firmId, id);
    return record ? { caseId: record.id, record } : undefined;
  }
  if (kind === 'item') return of((await repo.item(firmId, id))?.caseId);
  if (kind === 'thread') return of((await repo.thread(firmId, id))?.caseId);
  const grant = await repo.grant(firmId, id);
  return grant ? { caseId: grant.scope.kind === 'client' ? null : grant.scope.caseId } : undefined;
}

/** The most ids any staff route's body may name (a share's or unshare's 500 items): src/contract/sharing.ts. */
const MAX_IDS_A_BODY_MAY_NAME = 500;

const PARAMS: Record<string, Guarded> = { caseId: 'case', itemId: 'item', grantId: 'grant', threadId: 'thread' };

const ids = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).filter((v): v is string => idParam.safeParse(v).success);

/** The ids a request's body names, each with the kind its route reports when it is missing. */
function bodyIds(body: unknown): Array<[Guarded, string]> {
  if (typeof body !== 'object' || body === null) return [];
  const b = body as Record<string, unknown>;
  const scope = (typeof b.scope === 'object' && b.scope !== null ? b.scope : {}) as Record<string, unknown>;
  return [
    ...ids(scope.itemId).map((id): [Guarded, string] => ['item', id]),
    ...ids(scope.caseId).map((id): [Guarded, string] => ['case', id]),
    ...ids(scope.threadIds).map((id): [Guarded, string] => ['thread', id]),
    ...ids(b.itemIds).map((id): [Guarded, string] => ['item', id]),
    ...ids(b.caseId).map((id): [Guarded, string] => ['case', id]),
  ];
}

/**
 * Express guard for staff requests: a path id (caseId, itemId, grantId, threadId) of a case the
 * actor may not see, or that does not exist in their firm, is answered 404 exactly as for a case,
 * item, grant or thread that never existed, before the body is read; a well-formed body id
 * (scope.caseId, scope.itemId, scope.threadIds, itemIds, caseId) of a hidden case, or one that
 * names nothing in the firm, likewise, whatever the rest of the body holds. Guests and other callers pass through (walls are about staff).
 */
export function wallGuard(q: Queryable): RequestHandler {
  return async (req, _res, next) => {
    try {
      const actor = req.actor;
      if (!actor || actor.kind !== 'staff') return next();
      let hidden: Set<string> | null = null;
      const check = async (kind: Guarded, id: string) => {
        const found = await caseOf(q, actor.firmId, kind, id);
        // An id that names nothing is answered here too, so a walled one and a missing one answer
        // alike whatever the body says (the route would read the body first).
        if (found === undefined) throw notFound(kind);
        if (!found.caseId) return;
        hidden ??= await hiddenCasesFor(q, actor);
        if (hidden.has(found.caseId)) throw notFound(kind);
        // Seen and allowed: a read-only service may take it from here rather than read it and the walls again.
        if (found.record) rememberVisibleCase(actor, found.record);
      };
      for (const [name, kind] of Object.entries(PARAMS)) {
        const value = req.params?.[name];
        if (typeof value !== 'string') continue;
        // A malformed id names nothing: the route answers 404 for it as it always has.
        if (!idParam.safeParse(value).success) continue;
        await check(kind, value);
      }
      // A body id that names nothing is answered 404 here as well, before the route validates the
      // body: otherwise a malformed body naming a walled id (404 here) and one naming a missing id
      // (400 from the route's validation) would tell the two apart. A body naming more ids than any
      // route takes is left to the route, which refuses all of it (400) whatever its ids name: the
      // same answer for walled, missing and visible ids, and no lookups beyond the contract's limit.
      const named = bodyIds(req.body);
      if (named.length <= MAX_IDS_A_BODY_MAY_NAME) for (const [kind, id] of named) await check(kind, id);
      next();
    } catch (err) {
      next(err);
    }
  };
}
