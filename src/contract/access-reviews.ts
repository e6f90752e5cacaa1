import type { AccessReviewDecision } from './enums';

/** The columns of GET /access-reviews/report (text/csv), in order: one row per guest of each case's latest review. */
export const ACCESS_REVIEW_REPORT_COLUMNS = ['case', 'guest', 'what they see', 'last review', 'decision', 'decided by'] as const;

/** One row of the firm-wide access review report, before it is written as CSV. */
export interface AccessReviewReportRow {
  /** Case number and title. */
  case: string;
  guest: string;
  /** In words, as the review card showed it ("the whole case: documents and events"). */
  sees: string;
  /** When the review began (ISO); the latest review of the case. */
  reviewStartedAt: string;
  /** Null while the guest is still to be decided. */
  decision: AccessReviewDecision | null;
  decidedBy: string | null;
  decidedAt: string | null;
}
