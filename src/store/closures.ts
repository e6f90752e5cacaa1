import { randomUUID } from 'node:crypto';
import type { ClosureGuestChange, CloseCaseGuestAccess } from '../contract';
import { announceChange } from './changes';
import { type Queryable, queryOne } from './db';
import { toCase, type CaseRecord } from './records';
import { iso, isoOrNull } from './timestamps';

/** One closing of a case: who lost what, and (once reopened) what came back. */
export interface CaseClosureRecord {
  id: string;
  firmId: string;
  caseId: string;
  closedAt: string;
  closedBy: string;
  reason: string | null;
  statusBefore: 'open' | 'on_hold';
  guestReadUntil: string | null;
  withdrawn: ClosureGuestChange[];
  reopenedAt: string | null;
  reopenedBy: string | null;
  restored: ClosureGuestChange[] | null;
}

function toClosure(r: Record<string, unknown>): CaseClosureRecord {
  return {
    id: r.id as string,
    firmId: r.firm_id as string,
    caseId: r.case_id as string,
    closedAt: iso(r.closed_at),
    closedBy: r.closed_by as string,
    reason: (r.reason as string | null) ?? null,
    statusBefore: r.status_before as CaseClosureRecord['statusBefore'],
    guestReadUntil: isoOrNull(r.guest_read_until),
    withdrawn: r.withdrawn as ClosureGuestChange[],
    reopenedAt: isoOrNull(r.reopened_at),
    reopenedBy: (r.reopened_by as string | null) ?? null,
    restored: (r.restored as ClosureGuestChange[] | null) ?? null,
  };
}

/** The store's side of closing and reopening cases (src/services/case-closure.ts). */
export class ClosureRepo {
  constructor(private readonly q: Queryable) {}

  async setClosePolicy(firmId: string, policy: { mode?: CloseCaseGuestAccess; days?: number }): Promise<void> {
    await this.q.query('UPDATE firms SET close_case_guest_access = COALESCE($2, close_case_guest_access), close_case_read_only_days = COALESCE($3, close_case_read_only_days) WHERE id = $1', [
      firmId,
      policy.mode ?? null,
      policy.days ?? null,
    ]);
  }

  /** The case row, locked: two staff closing (or reopening) at once take turns. */
  async caseForUpdate(firmId: string, caseId: string): Promise<CaseRecord | null> {
    return queryOne(this.q, 'SELECT * FROM cases WHERE firm_id = $1 AND id = $2 FOR UPDATE', [firmId, caseId], toCase);
  }

  async markClosed(caseId: string, closedAt: string, guestReadUntil: string | null): Promise<CaseRecord> {
    const rows = await this.q.query("UPDATE cases SET status = 'closed', closed_at = $2, guest_read_until = $3 WHERE id = $1 RETURNING *", [caseId, closedAt, guestReadUntil]);
    return this.announced(toCase(rows[0]));
  }

  async markReopened(caseId: string, status: CaseClosureRecord['statusBefore']): Promise<CaseRecord> {
    const rows = await this.q.query('UPDATE cases SET status = $2, closed_at = NULL, guest_read_until = NULL WHERE id = $1 RETURNING *', [caseId, status]);
    return this.announced(toCase(rows[0]));
  }

  /** Open pages of the case (staff and its guests) refresh once the closing or reopening commits. */
  private async announced(c: CaseRecord): Promise<CaseRecord> {
    await announceChange(this.q, { firmId: c.firmId, caseId: c.id });
    return c;
  }

  async insertClosure(c: Omit<CaseClosureRecord, 'id' | 'reopenedAt' | 'reopenedBy' | 'restored'>): Promise<CaseClosureRecord> {
    const rows = await this.q.query(
      `INSERT INTO case_closures (id, firm_id, case_id, closed_at, closed_by, reason, status_before, guest_read_until, withdrawn)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING *`,
      [randomUUID(), c.firmId, c.caseId, c.closedAt, c.closedBy, c.reason, c.statusBefore, c.guestReadUntil, JSON.stringify(c.withdrawn)],
    );
    return toClosure(rows[0]);
  }

  /** The closing in force on the case, if it is closed. */
  async currentClosure(caseId: string): Promise<CaseClosureRecord | null> {
    return queryOne(this.q, 'SELECT * FROM case_closures WHERE case_id = $1 AND reopened_at IS NULL', [caseId], toClosure);
  }

  async closure(firmId: string, closureId: string): Promise<CaseClosureRecord | null> {
    return queryOne(this.q, 'SELECT * FROM case_closures WHERE firm_id = $1 AND id = $2', [firmId, closureId], toClosure);
  }

  async recordReopened(closureId: string, at: string, by: string, restored: ClosureGuestChange[]): Promise<void> {
    await this.q.query('UPDATE case_closures SET reopened_at = $2, reopened_by = $3, restored = $4 WHERE id = $1', [closureId, at, by, JSON.stringify(restored)]);
  }
}
