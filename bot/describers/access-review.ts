import type { AccessReviewDecision } from '../../src/contract/enums';
import { isOverdue, nextReviewDue, REVIEW_SHORTEN_DAYS } from '../../src/domain/access-review';
import { AccessReviewStore, type ReviewGuestRecord } from '../../src/store/access-reviews';
import { type CardAction, execute } from '../actions';
import { bold, plural, run, subtle, type TextRun } from '../cards';
import type { PostData } from '../notices';
import { type DescribeCall, type Described, cardDate, MAX_LISTED } from './kit';

/** Undecided guests shown with their buttons at once; the rest come into view as decisions are made. */
const UNDECIDED_SHOWN = 8;

const DONE: Record<AccessReviewDecision, string> = { keep: 'kept', shorten: `shortened (ends within ${REVIEW_SHORTEN_DAYS} days)`, remove: 'removed' };

const buttons = (reviewId: string, g: ReviewGuestRecord): CardAction[] => {
  const decide = (decision: AccessReviewDecision) => ({ verb: 'review.decide' as const, reviewId, contactId: g.contactId, decision, expected: g.fingerprint });
  return [execute('Keep', decide('keep'), 'positive'), execute(`Shorten to ${REVIEW_SHORTEN_DAYS} days`, decide('shorten')), execute('Remove', decide('remove'), 'destructive')];
};

/**
 * An access review of one case: each guest with what they see in words, and Keep, Shorten and
 * Remove until a staff member decides; then who decided what. Drawn from the review's rows on
 * every delivery, so a decision (or a guest whose access changed meanwhile) shows at once.
 */
export async function describeAccessReview({ deps, repo, c, base, caseLink }: DescribeCall, data: Extract<PostData, { kind: 'review' }>): Promise<Described> {
  const store = new AccessReviewStore(deps.q);
  const review = await store.review(c.firmId, data.reviewId);
  if (!review) return { model: { ...base, icon: '🔍', heading: 'Access review', summary: [run('This review no longer exists.')], sections: [], actions: [caseLink] }, summary: `Access review of ${c.number}` };
  const guests = await store.guests(review.id);
  const names = new Map(
    (
      await repo.contactsByIds(
        c.firmId,
        guests.map((g) => g.contactId),
      )
    ).map((x) => [x.id, x]),
  );
  const nameOf = (g: ReviewGuestRecord) => names.get(g.contactId)?.name ?? 'a removed contact';
  const byName = (a: ReviewGuestRecord, b: ReviewGuestRecord) => nameOf(a).localeCompare(nameOf(b)) || a.contactId.localeCompare(b.contactId);
  const undecided = guests.filter((g) => !g.decision).sort(byName);
  const decided = guests.filter((g) => g.decision).sort(byName);

  const sections: Described['model']['sections'] = undecided.slice(0, UNDECIDED_SHOWN).map((g, i) => {
    const pending = names.get(g.contactId)?.invitation !== 'accepted' ? [subtle(' · invitation pending')] : [];
    return {
      label: `Guest ${i + 1} of ${undecided.length} to decide`,
      rows: [
        [bold(nameOf(g)), ...pending],
        [run('Sees '), run(g.sees)],
      ],
      actions: review.completedAt ? [] : buttons(review.id, g),
    };
  });
  if (undecided.length > UNDECIDED_SHOWN) sections.push({ label: 'Still to decide', rows: [[subtle(`and ${plural(undecided.length - UNDECIDED_SHOWN, 'more guest')}: they appear here as the ones above are decided`)]] });
  const decidedRows: TextRun[][] = decided
    .slice(0, MAX_LISTED)
    .map((g) => [bold(nameOf(g)), run(` — ${DONE[g.decision as AccessReviewDecision]}`), subtle(` by ${g.decidedBy ?? 'staff'}${g.decidedAt ? `, ${cardDate(g.decidedAt)}` : ''} · saw ${g.sees}`)]);
  if (decided.length > MAX_LISTED) decidedRows.push([subtle(`and ${plural(decided.length - MAX_LISTED, 'more guest')}`)]);
  sections.push({ label: 'Decided', rows: decidedRows });

  const firm = await repo.firm(c.firmId);
  const next = review.completedAt && firm ? nextReviewDue(firm.accessReviewSchedule, new Date(review.completedAt)) : null;
  const summary: TextRun[] = review.completedAt
    ? [run('Every guest has a decision.'), ...(next ? [run(' The next review is due '), bold(cardDate(next.toISOString())), run('.')] : [])]
    : [run('Who outside the firm should still see this case? For each guest: '), bold('Keep'), run(', '), bold('Shorten'), run(` (access ends in ${REVIEW_SHORTEN_DAYS} days) or `), bold('Remove'), run('.')];
  const overdue = !review.completedAt && isOverdue(new Date(review.startedAt), deps.now());
  return {
    model: {
      ...base,
      icon: review.completedAt ? '✅' : '🔍',
      heading: review.completedAt ? 'Access review complete' : overdue ? 'Access review overdue' : 'Access review due',
      summary,
      sections,
      footer: `Review started ${cardDate(review.startedAt)}. Each decision changes access at once and is recorded in the audit log.`,
      actions: [caseLink],
    },
    summary: review.completedAt ? `Access review of ${c.number} complete` : `Access review due for ${c.number}: ${plural(undecided.length, 'guest')} to decide`,
  };
}
