import { randomUUID } from 'node:crypto';
import { ACCESS_REVIEW_REPORT_COLUMNS, type AccessReviewDecision, type AccessReviewReportRow, type AccessReviewSchedule, type Grant } from '../contract';
import { accessFingerprint, accessInWords, type GuestAccessParts, isOverdue, nextReviewDue, REVIEW_OVERDUE_DAYS, shortenedExpiry } from '../domain/access-review';
import { csvRows } from '../domain/csv';
import { notFound } from '../domain/errors';
import { AccessReviewStore, type AccessReviewRecord, type ReviewGuestRecord } from '../store/access-reviews';
import type { Queryable } from '../store/db';
import type { CaseRecord, Staff } from '../store/records';
import { staffMaySeeCase, visibleCase, visibleCases } from './walls';
import { Repo } from '../store/repo';
import { type Actor, actorLabel, type ServiceDeps, type StaffActor } from './context';
import type { SharingService } from './sharing';

/**
 * Access reviews (G9): per case, on the firm's schedule, each guest with access gets a decision
 * (keep, shorten, remove) from a staff member. Decisions change access only through the sharing
 * service (so SharePoint follows through the outbox, as for any other change) and are audited.
 * The bot posts the card and runs the periodic scan (bot/access-reviews.ts); this is the rules'
 * side with the store.
 */

export interface AccessReviewDeps extends ServiceDeps {
  sharing: Pick<SharingService, 'whoHasAccessToCase' | 'extendGrant' | 'revokeGrant' | 'unlink'>;
}

/** A guest of a case as a review sees them: who, the grants behind their access, and those in words. */
export interface ReviewedGuest {
  contactId: string;
  name: string;
  grants: Grant[];
  sees: string;
  /** Changes whenever the grants behind the access change: a button made before is stale. */
  fingerprint: string;
}

/** Why a decision was not taken: the card was out of date. */
export type DecisionOutcome = { outcome: 'decided'; review: AccessReviewRecord; completed: boolean } | { outcome: 'stale'; why: string };

const systemActor = (firmId: string): Extract<Actor, { kind: 'system' }> => ({ kind: 'system', firmId, name: 'access-review' });

const DECISION_REASON = 'access review';

export class AccessReviewService {
  constructor(private readonly deps: AccessReviewDeps) {}

  /** In the caller's transaction `tx` (PUT /firm/settings changes several settings at once, all or nothing). */
  async setSchedule(tx: Queryable, actor: StaffActor, schedule: AccessReviewSchedule, reason: string | null): Promise<void> {
    const repo = new Repo(tx);
    const firm = await repo.firm(actor.firmId);
    if (!firm) throw notFound('firm');
    if (firm.accessReviewSchedule === schedule) return;
    await new AccessReviewStore(tx).setSchedule(actor.firmId, schedule);
    await repo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: 'firm.access_reviews', target: `firm:${actor.firmId}`, reason, data: { from: firm.accessReviewSchedule, to: schedule } });
  }

  /** Each guest who can see (or, once they accept, will see) something of the case, with what, in words. */
  async guestsOfCase(c: CaseRecord): Promise<ReviewedGuest[]> {
    const entries = (await this.deps.sharing.whoHasAccessToCase(systemActor(c.firmId), c.id)).filter((e) => e.state === 'active' || e.state === 'pending');
    const repo = new Repo(this.deps.db);
    const byContact = new Map<string, { name: string; grants: Grant[]; parts: GuestAccessParts }>();
    for (const e of entries) {
      const held = byContact.get(e.contact.id) ?? { name: e.contact.name, grants: [], parts: { scopes: [], itemTitles: [] } };
      const grant = e.grant;
      held.grants.push(grant);
      const s = grant.scope;
      if (s.kind === 'item') held.parts.itemTitles.push(e.label);
      else if (s.kind === 'case') held.parts.scopes.push({ kind: 'case', view: s.view });
      else held.parts.scopes.push({ kind: 'client', clientName: (await repo.client(c.firmId, s.clientId))?.name ?? 'the client', view: s.view });
      byContact.set(e.contact.id, held);
    }
    return [...byContact]
      .map(([contactId, g]) => ({ contactId, name: g.name, grants: g.grants, sees: accessInWords(g.parts), fingerprint: accessFingerprint(g.grants) }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.contactId.localeCompare(b.contactId));
  }

  /** Cases of reviewing firms whose review is due now: no open review, and a schedule period since the last one ended. */
  async dueCases(now: Date): Promise<CaseRecord[]> {
    const store = new AccessReviewStore(this.deps.db);
    const repo = new Repo(this.deps.db);
    const due: CaseRecord[] = [];
    for (const { firmId, schedule } of await store.reviewingFirms()) {
      for (const candidate of await store.casesWithoutOpenReview(firmId)) {
        const at = nextReviewDue(schedule, candidate.lastCompletedAt);
        if (!at || at.getTime() > now.getTime()) continue;
        const c = await repo.case(firmId, candidate.caseId);
        if (c) due.push(c);
      }
    }
    return due;
  }

  /**
   * Starts the case's review in the caller's transaction (with the card that announces it), for
   * the guests `guestsOfCase` found (read before the transaction); null when there are none
   * (nothing to review) or another instance started it.
   */
  async startReview(tx: Queryable, c: CaseRecord, guests: ReviewedGuest[], postKeyOf: (reviewId: string) => string): Promise<{ reviewId: string; postKey: string } | null> {
    if (guests.length === 0) return null;
    const reviewId = randomUUID();
    const postKey = postKeyOf(reviewId);
    const started = await new AccessReviewStore(tx).startReview({
      id: reviewId,
      firmId: c.firmId,
      caseId: c.id,
      startedAt: this.deps.clock.now(),
      postKey,
      guests: guests.map((g) => ({ contactId: g.contactId, sees: g.sees, fingerprint: g.fingerprint })),
    });
    if (!started) return null;
    await new Repo(tx).appendAudit({
      firmId: c.firmId,
      actor: actorLabel(systemActor(c.firmId)),
      action: 'access_review.started',
      target: `case:${c.id}`,
      reason: null,
      data: { reviewId, guests: guests.map((g) => ({ contactId: g.contactId, sees: g.sees })) },
    });
    return { reviewId, postKey };
  }

  async review(firmId: string, reviewId: string): Promise<{ review: AccessReviewRecord; guests: ReviewGuestRecord[] } | null> {
    const store = new AccessReviewStore(this.deps.db);
    const review = await store.review(firmId, reviewId);
    return review ? { review, guests: await store.guests(reviewId) } : null;
  }

  /**
   * One staff decision for one guest. Stale when the review is over, the guest is decided, or
   * their access changed since the card was made (`expected`, the fingerprint the card showed).
   */
  async decide(actor: StaffActor, input: { reviewId: string; contactId: string; decision: AccessReviewDecision; expected: string }): Promise<DecisionOutcome> {
    const store = new AccessReviewStore(this.deps.db);
    const review = await store.review(actor.firmId, input.reviewId);
    if (!review) return { outcome: 'stale', why: 'this review no longer exists' };
    if (review.completedAt) return { outcome: 'stale', why: 'this review is already complete' };
    const row = (await store.guests(review.id)).find((g) => g.contactId === input.contactId);
    if (!row) return { outcome: 'stale', why: 'that guest is not part of this review' };
    if (row.decision) return { outcome: 'stale', why: `${row.decidedBy ?? 'someone'} already decided "${row.decision}" for this guest` };
    const c = await visibleCase(this.deps.db, actor, review.caseId);
    if (!c) return { outcome: 'stale', why: 'the case is gone' };
    if (input.expected !== row.fingerprint) return { outcome: 'stale', why: 'this card is older than the review it belongs to' };
    const current = (await this.guestsOfCase(c)).find((g) => g.contactId === input.contactId);
    const now = { sees: current?.sees ?? 'nothing any more', fingerprint: current?.fingerprint ?? accessFingerprint([]) };
    if (now.fingerprint !== row.fingerprint) {
      // Changed elsewhere (shared, extended, revoked): the card is redrawn as it is now, to be decided afresh.
      await store.rebase(review.id, input.contactId, now);
      return { outcome: 'stale', why: "this guest's access changed since the card was made; the card now shows it as it is" };
    }

    // The change first, through the sharing service (its own transaction, audit and outbox work);
    // a decision is recorded only for a change that happened.
    const detail = await this.apply(actor, c, input.contactId, input.decision, current?.grants ?? []);
    return this.deps.db.transaction(async (tx) => {
      const txStore = new AccessReviewStore(tx);
      if (!(await txStore.decide(review.id, input.contactId, { decision: input.decision, staffId: actor.staffId, staffName: actor.name, at: this.deps.clock.now() }))) {
        return { outcome: 'stale' as const, why: 'someone else decided for this guest a moment ago' };
      }
      const txRepo = new Repo(tx);
      await txRepo.appendAudit({
        firmId: actor.firmId,
        actor: actorLabel(actor),
        action: 'access_review.decided',
        target: `case:${c.id}`,
        reason: null,
        data: { reviewId: review.id, contactId: input.contactId, decision: input.decision, sees: row.sees, ...detail },
      });
      const completed = await txStore.completeIfDecided(review.id, this.deps.clock.now());
      if (completed) await txRepo.appendAudit({ firmId: actor.firmId, actor: actorLabel(actor), action: 'access_review.completed', target: `case:${c.id}`, reason: null, data: { reviewId: review.id } });
      return { outcome: 'decided' as const, review: (await txStore.review(actor.firmId, review.id)) as AccessReviewRecord, completed };
    });
  }

  private async apply(actor: StaffActor, c: CaseRecord, contactId: string, decision: AccessReviewDecision, grants: Grant[]): Promise<Record<string, unknown>> {
    if (decision === 'keep') return {};
    if (decision === 'shorten') {
      const shortened: Array<{ grantId: string; to: string }> = [];
      for (const g of grants) {
        const to = shortenedExpiry(g.expiresAt, this.deps.clock.now());
        if (!to) continue;
        await this.deps.sharing.extendGrant(actor, g.id, to, DECISION_REASON);
        shortened.push({ grantId: g.id, to });
      }
      return { shortened };
    }
    // Remove: unlinking withdraws every share of the case and stops a client grant reaching it.
    if (await new Repo(this.deps.db).isLinked(c.id, contactId)) {
      const { withdrawnGrants } = await this.deps.sharing.unlink(actor, c.id, contactId, DECISION_REASON);
      return { unlinked: true, withdrawnGrants };
    }
    for (const g of grants) if (g.scope.kind !== 'client') await this.deps.sharing.revokeGrant(actor, g.id, DECISION_REASON);
    return { unlinked: false };
  }

  /** Open reviews left undecided `REVIEW_OVERDUE_DAYS` or more, not yet sent to their responsible staff member. */
  async overdueReviews(now: Date): Promise<AccessReviewRecord[]> {
    const reviews = await new AccessReviewStore(this.deps.db).overdueUnnotified(new Date(now.getTime() - REVIEW_OVERDUE_DAYS * 24 * 3600 * 1000));
    return reviews.filter((r) => isOverdue(new Date(r.startedAt), now));
  }

  /** The case's responsible staff member; for a case with none, whoever created it. */
  async responsibleStaff(c: CaseRecord): Promise<Staff | null> {
    const repo = new Repo(this.deps.db);
    const rows = c.assignedStaffId ? [] : await this.deps.db.query<{ actor: string }>("SELECT actor FROM audit_log WHERE firm_id = $1 AND action = 'case.created' AND target = $2 ORDER BY seq LIMIT 1", [c.firmId, `case:${c.id}`]);
    const creator = rows[0]?.actor.match(/^staff:(.+)$/)?.[1];
    const staff = c.assignedStaffId ? await repo.staff(c.firmId, c.assignedStaffId) : creator ? await repo.staffByUser(c.firmId, creator) : null;
    // Someone walled off the case since is sent nothing about it.
    return staff && (await staffMaySeeCase(this.deps.db, c.id, staff.id)) ? staff : null;
  }

  /** Each guest of each case's latest review: the firm-wide report, for staff only. */
  async report(actor: StaffActor): Promise<AccessReviewReportRow[]> {
    const rows = await visibleCases(this.deps.db, actor, await new AccessReviewStore(this.deps.db).latestReviewRows(actor.firmId), (r) => r.caseId);
    return rows.map((r) => ({ case: `${r.caseNumber} ${r.caseTitle}`, guest: r.guest, sees: r.sees, reviewStartedAt: r.startedAt, decision: r.decision, decidedBy: r.decidedBy, decidedAt: r.decidedAt }));
  }

  async reportCsv(actor: StaffActor): Promise<string> {
    const rows = await this.report(actor);
    return csvRows(
      ACCESS_REVIEW_REPORT_COLUMNS,
      rows.map((r) => [r.case, r.guest, r.sees, r.reviewStartedAt.slice(0, 10), r.decision ?? 'not decided yet', r.decidedBy ?? '']),
    );
  }
}
