import { DomainError, notFound } from '../domain/errors';
import { canSeeCase, checkWallChange, hiddenCaseIds, visibleTo } from '../domain/walls';
import type { Queryable } from '../store/db';
import { Repo } from '../store/repo';
import type { CaseRecord } from '../store/records';
import { WallsRepo } from '../store/walls';
import { type Actor, actorLabel, type ServiceDeps } from './context';
import type { CaseWall } from '../contract';

/**
 * Ethical walls applied to staff lookups. THE filter every case lookup for a staff actor goes
 * through: `hiddenCasesFor(q, actor)` (the set of case ids the actor may not see; empty for
 * guests and the system), and its helpers `visibleCase` / `visibleCases` / `assertCaseVisible`.
 * Anything new that lists or looks up cases, items, grants, threads or audit entries for a
 * staff member must filter with it: outside a wall the case does not exist (404 as for a case
 * that never existed), admins included.
 */
export async function hiddenCasesFor(q: Queryable, actor: Actor): Promise<Set<string>> {
  return new Repo(q).hiddenCasesFor(actor);
}

/** The case, if it exists in the actor's firm and the actor may see it. */
export async function visibleCase(q: Queryable, actor: Actor, caseId: string): Promise<CaseRecord | null> {
  const c = await new Repo(q).case(actor.firmId, caseId);
  if (!c || (await hiddenCasesFor(q, actor)).has(c.id)) return null;
  return c;
}

/**
 * Whether a named staff member may see a case (for what is sent to one person: cards, activity
 * feed notices, reminders, access reviews). Those outside the wall are sent nothing about it.
 */
export async function staffMaySeeCase(q: Queryable, caseId: string, staffId: string): Promise<boolean> {
  return canSeeCase(await new WallsRepo(q).wallOf(caseId), staffId);
}

/** Throws exactly what a missing case throws when the actor is outside its wall. */
export async function assertCaseVisible(q: Queryable, actor: Actor, caseId: string): Promise<void> {
  if (actor.kind === 'staff' && (await hiddenCasesFor(q, actor)).has(caseId)) throw notFound('case');
}

/** Keeps the rows whose case the actor may see (rows naming no case stay). */
export async function visibleCases<T>(q: Queryable, actor: Actor, rows: readonly T[], caseIdOf: (row: T) => string | null | undefined): Promise<T[]> {
  return visibleTo(rows, await hiddenCasesFor(q, actor), caseIdOf);
}

/** Whether each case is walled (the tab's "Restricted" badge), for cases the actor sees. */
export async function withRestricted<T extends { id: string }>(q: Queryable, actor: Actor, cases: readonly T[]): Promise<Array<T & { restricted: boolean }>> {
  if (actor.kind !== 'staff') return cases.map((c) => ({ ...c, restricted: false }));
  const walls = await new WallsRepo(q).wallsOfFirm(actor.firmId);
  const hidden = hiddenCaseIds(walls, actor.staffId);
  return cases.filter((c) => !hidden.has(c.id)).map((c) => ({ ...c, restricted: walls.has(c.id) }));
}

/** One page of the firm's cases for a staff member (GET /cases?limit=): cases behind a wall they are outside of take no place in it. */
export async function visibleCasePage(q: Queryable, actor: Actor, page: { clientId?: string; after?: string; limit: number }): Promise<Array<CaseRecord & { restricted: boolean }>> {
  const walls = actor.kind === 'staff' ? await new WallsRepo(q).wallsOfFirm(actor.firmId) : new Map<string, string[]>();
  const hidden = actor.kind === 'staff' ? hiddenCaseIds(walls, actor.staffId) : new Set<string>();
  const cases = await new Repo(q).casePage(actor.firmId, { ...page, excluding: [...hidden] });
  return cases.filter((c) => !hidden.has(c.id)).map((c) => ({ ...c, restricted: walls.has(c.id) }));
}

/**
 * What hides an audit entry from a staff member: its target names a hidden case or anything of
 * one (item, thread, grant), or its data names a hidden case (caseId, scope.caseId).
 */
export async function hiddenAuditSubjects(q: Queryable, actor: Actor): Promise<{ targets: string[]; caseIds: string[] } | null> {
  const hidden = [...(await hiddenCasesFor(q, actor))];
  if (hidden.length === 0) return null;
  const rows = await q.query<{ label: string }>(
    `SELECT 'item:' || id AS label FROM items WHERE case_id = ANY($1::uuid[])
     UNION ALL SELECT 'thread:' || id FROM message_threads WHERE case_id = ANY($1::uuid[])
     UNION ALL SELECT 'grant:' || id FROM grants WHERE case_id = ANY($1::uuid[])`,
    [hidden],
  );
  return { targets: [...hidden.map((id) => `case:${id}`), ...rows.map((r) => r.label)], caseIds: hidden };
}

export interface WallAnswerInput {
  staffIds: string[] | null;
  reason: string | null;
}

/** Setting, changing and removing a wall; audited with before and after. */
export class WallService {
  constructor(private readonly deps: ServiceDeps) {}

  async wall(actor: Extract<Actor, { kind: 'staff' }>, caseId: string): Promise<CaseWall> {
    const c = await visibleCase(this.deps.db, actor, caseId);
    if (!c) throw notFound('case');
    const staffIds = await new WallsRepo(this.deps.db).wallOf(c.id);
    return { caseId: c.id, restricted: staffIds.length > 0, staffIds };
  }

  /** `staffIds` null removes the wall. Only someone inside the current wall (or anyone while there is none) may. */
  async setWall(actor: Extract<Actor, { kind: 'staff' }>, caseId: string, input: WallAnswerInput): Promise<CaseWall> {
    return this.deps.db.transaction(async (tx) => {
      const repo = new Repo(tx);
      const walls = new WallsRepo(tx);
      const c = await repo.case(actor.firmId, caseId);
      if (!c) throw notFound('case');
      // Two walls set at once must not both read "no wall" and both win.
      await tx.query('SELECT id FROM cases WHERE id = $1 FOR UPDATE', [c.id]);
      const current = await walls.wallOf(c.id);
      const firmStaffIds = new Set((await repo.listStaff(actor.firmId)).map((s) => s.id));
      const outcome = checkWallChange({ current, actorStaffId: actor.staffId, next: input.staffIds, firmStaffIds });
      if (!outcome.ok && outcome.hidden) throw notFound('case');
      if (!outcome.ok) throw new DomainError('validation_failed', outcome.refusal.message, outcome.refusal.field);
      await walls.setWall(actor.firmId, c.id, outcome.next);
      const action = outcome.next.length === 0 ? 'case.wall.removed' : current.length === 0 ? 'case.wall.set' : 'case.wall.changed';
      await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action, target: `case:${c.id}`, reason: input.reason, data: { caseId: c.id, from: current, to: outcome.next } });
      return { caseId: c.id, restricted: outcome.next.length > 0, staffIds: outcome.next };
    });
  }
}
