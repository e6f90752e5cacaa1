import type { AccessReviewDecision, AccessReviewSchedule } from '../contract/enums';
import type { Queryable } from './db';
import { iso, isoOrNull } from './timestamps';

/** The access review tables (migration 62): reviews of a case's guests, and each guest's decision. */

export interface AccessReviewRecord {
  id: string;
  firmId: string;
  caseId: string;
  startedAt: string;
  completedAt: string | null;
  overdueNotifiedAt: string | null;
  postKey: string | null;
}

export interface ReviewGuestRecord {
  reviewId: string;
  contactId: string;
  /** What the guest saw when the review began, in words. */
  sees: string;
  /** The access's fingerprint the card's buttons carry (src/domain/access-review.ts). */
  fingerprint: string;
  decision: AccessReviewDecision | null;
  decidedByStaffId: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
}

type Row = Record<string, unknown>;

const toReview = (r: Row): AccessReviewRecord => ({
  id: r.id as string,
  firmId: r.firm_id as string,
  caseId: r.case_id as string,
  startedAt: iso(r.started_at),
  completedAt: isoOrNull(r.completed_at),
  overdueNotifiedAt: isoOrNull(r.overdue_notified_at),
  postKey: (r.post_key as string | null) ?? null,
});

const toGuest = (r: Row): ReviewGuestRecord => ({
  reviewId: r.review_id as string,
  contactId: r.contact_id as string,
  sees: r.sees as string,
  fingerprint: r.fingerprint as string,
  decision: (r.decision as AccessReviewDecision | null) ?? null,
  decidedByStaffId: (r.decided_by_staff_id as string | null) ?? null,
  decidedBy: (r.decided_by as string | null) ?? null,
  decidedAt: isoOrNull(r.decided_at),
});

export class AccessReviewStore {
  constructor(private readonly q: Queryable) {}

  async setSchedule(firmId: string, schedule: AccessReviewSchedule): Promise<void> {
    await this.q.query('UPDATE firms SET access_review_schedule = $2 WHERE id = $1', [firmId, schedule]);
  }

  /** The firms that review access, with their schedule. */
  async reviewingFirms(): Promise<Array<{ firmId: string; schedule: Exclude<AccessReviewSchedule, 'off'> }>> {
    const rows = await this.q.query<{ id: string; access_review_schedule: Exclude<AccessReviewSchedule, 'off'> }>("SELECT id, access_review_schedule FROM firms WHERE access_review_schedule <> 'off' ORDER BY created_at");
    return rows.map((r) => ({ firmId: r.id, schedule: r.access_review_schedule }));
  }

  /** Cases of a firm that are not closed, that some grant reaches, and that have no open review, with when their last review ended. */
  async casesWithoutOpenReview(firmId: string): Promise<Array<{ caseId: string; lastCompletedAt: Date | null }>> {
    const rows = await this.q.query<{ id: string; last: Date | string | null }>(
      `SELECT c.id, (SELECT max(r.completed_at) FROM access_reviews r WHERE r.case_id = c.id) AS last
         FROM cases c
        WHERE c.firm_id = $1 AND c.status <> 'closed'
          AND NOT EXISTS (SELECT 1 FROM access_reviews o WHERE o.case_id = c.id AND o.completed_at IS NULL)
          AND EXISTS (SELECT 1 FROM grants g WHERE g.case_id = c.id OR g.client_id = c.client_id)
        ORDER BY c.created_at`,
      [firmId],
    );
    return rows.map((r) => ({ caseId: r.id, lastCompletedAt: r.last ? new Date(r.last) : null }));
  }

  /** Starts a review; false when the case already has an open one (another instance got there first). */
  async startReview(r: { id: string; firmId: string; caseId: string; startedAt: Date; postKey: string; guests: Array<{ contactId: string; sees: string; fingerprint: string }> }): Promise<boolean> {
    const inserted = await this.q.query(
      `INSERT INTO access_reviews (id, firm_id, case_id, started_at, post_key) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (case_id) WHERE completed_at IS NULL DO NOTHING RETURNING id`,
      [r.id, r.firmId, r.caseId, r.startedAt.toISOString(), r.postKey],
    );
    if (inserted.length === 0) return false;
    for (const g of r.guests) await this.q.query('INSERT INTO access_review_guests (review_id, firm_id, contact_id, sees, fingerprint) VALUES ($1,$2,$3,$4,$5)', [r.id, r.firmId, g.contactId, g.sees, g.fingerprint]);
    return true;
  }

  async review(firmId: string, reviewId: string): Promise<AccessReviewRecord | null> {
    const rows = await this.q.query<Row>('SELECT * FROM access_reviews WHERE firm_id = $1 AND id = $2', [firmId, reviewId]);
    return rows[0] ? toReview(rows[0]) : null;
  }

  async guests(reviewId: string): Promise<ReviewGuestRecord[]> {
    return (await this.q.query<Row>('SELECT * FROM access_review_guests WHERE review_id = $1 ORDER BY contact_id', [reviewId])).map(toGuest);
  }

  /** The guest's access changed since the card was made: the card shows it as it is now (undecided guests only). */
  async rebase(reviewId: string, contactId: string, now: { sees: string; fingerprint: string }): Promise<void> {
    await this.q.query('UPDATE access_review_guests SET sees = $3, fingerprint = $4 WHERE review_id = $1 AND contact_id = $2 AND decision IS NULL', [reviewId, contactId, now.sees, now.fingerprint]);
  }

  /** Records a decision; false when the guest already has one (a second click, another reviewer). */
  async decide(reviewId: string, contactId: string, d: { decision: AccessReviewDecision; staffId: string; staffName: string; at: Date }): Promise<boolean> {
    const rows = await this.q.query(
      `UPDATE access_review_guests SET decision = $3, decided_by_staff_id = $4, decided_by = $5, decided_at = $6
        WHERE review_id = $1 AND contact_id = $2 AND decision IS NULL RETURNING contact_id`,
      [reviewId, contactId, d.decision, d.staffId, d.staffName, d.at.toISOString()],
    );
    return rows.length > 0;
  }

  /** Closes the review once every guest has a decision; true when this call closed it. */
  async completeIfDecided(reviewId: string, at: Date): Promise<boolean> {
    const rows = await this.q.query(
      `UPDATE access_reviews SET completed_at = $2
        WHERE id = $1 AND completed_at IS NULL AND NOT EXISTS (SELECT 1 FROM access_review_guests g WHERE g.review_id = $1 AND g.decision IS NULL)
        RETURNING id`,
      [reviewId, at.toISOString()],
    );
    return rows.length > 0;
  }

  /** Open reviews begun before `startedBefore` whose responsible staff member has not been told. */
  async overdueUnnotified(startedBefore: Date): Promise<AccessReviewRecord[]> {
    return (await this.q.query<Row>('SELECT * FROM access_reviews WHERE completed_at IS NULL AND overdue_notified_at IS NULL AND started_at <= $1 ORDER BY started_at', [startedBefore.toISOString()])).map(toReview);
  }

  /** Claims the one overdue notice of a review (several instances may scan at once); true for the claimant. */
  async claimOverdueNotice(reviewId: string, at: Date): Promise<boolean> {
    return (await this.q.query('UPDATE access_reviews SET overdue_notified_at = $2 WHERE id = $1 AND overdue_notified_at IS NULL RETURNING id', [reviewId, at.toISOString()])).length > 0;
  }

  async recordOverdueOutcome(reviewId: string, outcome: string): Promise<void> {
    await this.q.query('UPDATE access_reviews SET overdue_notice_outcome = $2 WHERE id = $1', [reviewId, outcome]);
  }

  /** The notice could not be sent: the next scan tries again. */
  async releaseOverdueNotice(reviewId: string): Promise<void> {
    await this.q.query('UPDATE access_reviews SET overdue_notified_at = NULL WHERE id = $1', [reviewId]);
  }

  /** Each guest of each case's latest review, for the firm-wide report. */
  async latestReviewRows(
    firmId: string,
  ): Promise<Array<{ caseId: string; caseNumber: string; caseTitle: string; guest: string; sees: string; startedAt: string; decision: AccessReviewDecision | null; decidedBy: string | null; decidedAt: string | null }>> {
    const rows = await this.q.query<Row>(
      `WITH latest AS (
         SELECT DISTINCT ON (case_id) id, case_id, started_at FROM access_reviews WHERE firm_id = $1 ORDER BY case_id, started_at DESC
       )
       SELECT c.id AS case_id, c.number, c.title, k.name AS guest, g.sees, l.started_at, g.decision, g.decided_by, g.decided_at
         FROM latest l
         JOIN cases c ON c.id = l.case_id
         JOIN access_review_guests g ON g.review_id = l.id
         JOIN contacts k ON k.id = g.contact_id
        ORDER BY c.number, k.name`,
      [firmId],
    );
    return rows.map((r) => ({
      caseId: r.case_id as string,
      caseNumber: r.number as string,
      caseTitle: r.title as string,
      guest: r.guest as string,
      sees: r.sees as string,
      startedAt: iso(r.started_at),
      decision: (r.decision as AccessReviewDecision | null) ?? null,
      decidedBy: (r.decided_by as string | null) ?? null,
      decidedAt: isoOrNull(r.decided_at),
    }));
  }
}
