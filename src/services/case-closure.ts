import { type CaseAccess, caseAccess, liveGrantsForCase } from '../domain/access';
import { conflict, notFound } from '../domain/errors';
import type { CaseRef } from '../domain/model';
import { diffAccess } from '../domain/preview';
import type { CaseClosedAnswer, CaseClosePreview, CaseReopenedAnswer, CaseReopenPreview, ClosureGuestChange, CloseCaseGuestAccess, FirmSettings } from '../contract';
import { ClosureRepo } from '../store/closures';
import type { Queryable } from '../store/db';
import type { CaseRecord, Firm } from '../store/records';
import { Repo } from '../store/repo';
import { actorLabel, type ServiceDeps, type StaffActor } from './context';
import { asDomainContact, asGrant, asItemRef, asPolicy } from './guest-access';
import { requestGuestSync, requestNotify } from './job-requests';
import { describeDiff } from './sharing';

const DAY_MS = 86_400_000;

/** The case as its guests would find it: closed and withdrawn, closed and read-only until a date, or open. */
const asClosed = (c: CaseRecord, closedAt: string, guestReadUntil: string | null): CaseRef => ({ ...c, closedAt, guestReadUntil });
const asOpen = (c: CaseRecord): CaseRef => ({ ...c, closedAt: null, guestReadUntil: null });

/**
 * Closing a case withdraws its guests' access (at once, or after read-only days, as the firm
 * chose), refuses new shares and guest additions, and posts a receipt; reopening gives back what
 * closing took. Grants are kept, not deleted: the access rules (caseStanding) read the case's
 * closure, so the reconciler removes and restores SharePoint permissions through its usual path,
 * a client grant loses only this case, and a grant that expires meanwhile stays expired.
 * Previews and the change itself come from one plan, so staff confirm exactly what is applied.
 */
export class CaseClosureService {
  constructor(private readonly deps: ServiceDeps) {}

  private inTx<T>(work: (repo: Repo, closures: ClosureRepo, tx: Queryable) => Promise<T>): Promise<T> {
    return this.deps.db.transaction((tx) => work(new Repo(tx), new ClosureRepo(tx), tx));
  }

  private async load(repo: Repo, closures: ClosureRepo, actor: StaffActor, caseId: string, lock: boolean): Promise<{ firm: Firm; record: CaseRecord }> {
    const firm = await repo.firm(actor.firmId);
    const record = lock ? await closures.caseForUpdate(actor.firmId, caseId) : await repo.case(actor.firmId, caseId);
    if (!firm || !record) throw notFound('case');
    return { firm, record };
  }

  /**
   * Per guest linked to the case: what she sees of it open and not as `closed`, in words (what
   * closing takes, what reopening gives back). Pending guests are counted as if accepted (as every
   * preview does): closing takes from them what acceptance would have given.
   */
  private async guestChanges(repo: Repo, firm: Firm, record: CaseRecord, closed: CaseRef): Promise<ClosureGuestChange[]> {
    const now = this.deps.clock.now();
    const items = await repo.itemsOfCase(record.id);
    const itemRefs = items.map(asItemRef);
    const titles = new Map(items.map((i) => [i.id, { title: i.title, kind: i.kind, caseId: i.caseId }]));
    const cases = new Map([[record.id, { number: record.number, title: record.title }]]);
    const changes: ClosureGuestChange[] = [];
    for (const contact of await repo.linkedContacts(record.id)) {
      if (!contact.portalAccess) continue;
      const guest = { ...asDomainContact(contact), invitation: 'accepted' as const };
      const grants = (await repo.grantsOfContactOnCase(contact.id, record)).map(asGrant);
      const accessAs = (ref: CaseRef): Map<string, CaseAccess> => {
        const access = caseAccess(guest, grants, true, ref, itemRefs, asPolicy(firm), now);
        return new Map(access ? [[record.id, access]] : []);
      };
      const open = asOpen(record);
      const side = describeDiff(diffAccess(accessAs(closed), accessAs(open)), titles, cases).gained;
      if (side.cases.length + side.sections.length + side.items.length + side.upload.length === 0) continue;
      const reaching = liveGrantsForCase(guest, grants, true, open, now);
      changes.push({ contactId: contact.id, name: contact.name, email: contact.email, kind: contact.kind, grantIds: reaching.map((g) => g.id), access: side });
    }
    return changes;
  }

  private async planClose(repo: Repo, firm: Firm, record: CaseRecord): Promise<CaseClosePreview> {
    if (record.closedAt) throw conflict(`case ${record.number} is already closed`);
    const now = this.deps.clock.now();
    const mode = firm.closeCaseGuestAccess;
    const guestReadUntil = mode === 'read-only-until' ? new Date(now.getTime() + firm.closeCaseReadOnlyDays * DAY_MS).toISOString() : null;
    // What each guest loses in the end (at once, or when the read-only days run out).
    const guests = await this.guestChanges(repo, firm, record, asClosed(record, now.toISOString(), null));
    return { caseId: record.id, caseNumber: record.number, mode, guestReadUntil, guests };
  }

  private async planReopen(repo: Repo, firm: Firm, record: CaseRecord): Promise<CaseReopenPreview> {
    if (!record.closedAt) throw conflict(`case ${record.number} is not closed`);
    // What comes back: the grants closing left in place, less those that expired or were revoked since.
    const guests = await this.guestChanges(repo, firm, record, record);
    return { caseId: record.id, caseNumber: record.number, closedAt: record.closedAt, guests };
  }

  async previewClose(actor: StaffActor, caseId: string): Promise<CaseClosePreview> {
    return this.inTx(async (repo, closures) => {
      const { firm, record } = await this.load(repo, closures, actor, caseId, false);
      return this.planClose(repo, firm, record);
    });
  }

  async previewReopen(actor: StaffActor, caseId: string): Promise<CaseReopenPreview> {
    return this.inTx(async (repo, closures) => {
      const { firm, record } = await this.load(repo, closures, actor, caseId, false);
      return this.planReopen(repo, firm, record);
    });
  }

  async close(actor: StaffActor, caseId: string, reason: string | null): Promise<CaseClosedAnswer> {
    return this.inTx(async (repo, closures, tx) => {
      const { firm, record } = await this.load(repo, closures, actor, caseId, true);
      const plan = await this.planClose(repo, firm, record);
      const closedAt = this.deps.clock.now().toISOString();
      const closed = await closures.markClosed(record.id, closedAt, plan.guestReadUntil);
      const statusBefore = record.status === 'on_hold' ? 'on_hold' : 'open';
      const closure = await closures.insertClosure({ firmId: firm.id, caseId: record.id, closedAt, closedBy: actorLabel(actor), reason, statusBefore, guestReadUntil: plan.guestReadUntil, withdrawn: plan.guests });
      const data = { closureId: closure.id, before: { status: record.status, closedAt: null }, after: { status: closed.status, closedAt, guestReadUntil: plan.guestReadUntil }, mode: plan.mode, withdrawn: plan.guests };
      await this.auditSyncAndTell(repo, tx, actor, { action: 'case.closed', caseId: record.id, closureId: closure.id, reason, data }, plan.guests);
      return { case: closed, applied: plan };
    });
  }

  async reopen(actor: StaffActor, caseId: string, reason: string | null): Promise<CaseReopenedAnswer> {
    return this.inTx(async (repo, closures, tx) => {
      const { firm, record } = await this.load(repo, closures, actor, caseId, true);
      const plan = await this.planReopen(repo, firm, record);
      const closure = await closures.currentClosure(record.id);
      const reopened = await closures.markReopened(record.id, closure?.statusBefore ?? 'open');
      const at = this.deps.clock.now().toISOString();
      if (closure) await closures.recordReopened(closure.id, at, actorLabel(actor), plan.guests);
      const data = { closureId: closure?.id ?? null, before: { status: record.status, closedAt: record.closedAt, guestReadUntil: record.guestReadUntil }, after: { status: reopened.status, closedAt: null }, restored: plan.guests };
      // Everyone closing touched is synced again: one who comes back, and one whose grants went meanwhile (nothing to restore).
      await this.auditSyncAndTell(repo, tx, actor, { action: 'case.reopened', caseId: record.id, closureId: closure?.id ?? '', reason, data }, [...plan.guests, ...(closure?.withdrawn ?? [])]);
      return { case: reopened, applied: plan };
    });
  }

  /**
   * The audit entry (before and after) of a closing or reopening; then the reconciler takes each
   * guest's SharePoint permissions to what the rules now say, and the channel gets its receipt.
   */
  private async auditSyncAndTell(
    repo: Repo,
    tx: Queryable,
    actor: StaffActor,
    change: { action: 'case.closed' | 'case.reopened'; caseId: string; closureId: string; reason: string | null; data: object },
    guests: readonly ClosureGuestChange[],
  ): Promise<void> {
    const { action, caseId, closureId, reason, data } = change;
    await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action, target: `case:${caseId}`, reason, data });
    for (const contactId of new Set(guests.map((g) => g.contactId))) await requestGuestSync(tx, actor.firmId, contactId);
    await requestNotify(tx, { type: action, firmId: actor.firmId, caseId, actor: actor.name, actorId: actorLabel(actor), closureId });
  }

  /** The firm's closing setting (part of PUT /firm/settings), audited with before and after. */
  /** In the caller's transaction `tx` (PUT /firm/settings changes several settings at once, all or nothing). */
  async setClosePolicy(tx: Queryable, actor: StaffActor, change: { mode?: CloseCaseGuestAccess; days?: number }, reason: string | null): Promise<Pick<FirmSettings, 'closeCaseGuestAccess' | 'closeCaseReadOnlyDays'>> {
    const repo = new Repo(tx);
    const closures = new ClosureRepo(tx);
    const firm = await repo.firm(actor.firmId);
    if (!firm) throw notFound('firm');
    await closures.setClosePolicy(firm.id, change);
    const after = { closeCaseGuestAccess: change.mode ?? firm.closeCaseGuestAccess, closeCaseReadOnlyDays: change.days ?? firm.closeCaseReadOnlyDays };
    await repo.appendAudit({
      firmId: firm.id,
      actor: actorLabel(actor),
      action: 'firm.close-case-policy',
      target: `firm:${firm.id}`,
      reason,
      data: { before: { closeCaseGuestAccess: firm.closeCaseGuestAccess, closeCaseReadOnlyDays: firm.closeCaseReadOnlyDays }, after },
    });
    return after;
  }
}
