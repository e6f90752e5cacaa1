import type { Logger } from 'pino';
import type { AccessReviewService } from '../src/services/access-reviews';
import type { Clock } from '../src/services/context';
import { requestPostDelivery } from '../src/services/job-requests';
import { AccessReviewStore } from '../src/store/access-reviews';
import type { Db } from '../src/store/db';
import { Repo } from '../src/store/repo';
import type { ActivityFeed } from './activity-feed';
import type { Links } from './links';
import type { PostData } from './notices';
import { BotStore } from './store';

/**
 * The periodic access review scan (G9), run with the bot's other scans: starts each due case's
 * review with its card in the case channel, and sends an overdue review, once, to the case's
 * responsible staff member's Teams activity feed.
 */

export interface ReviewScanDeps {
  db: Db;
  clock: Clock;
  reviews: AccessReviewService;
  feed: ActivityFeed;
  links: Links;
  logger: Logger;
}

export const reviewPostKey = (reviewId: string) => `review:${reviewId}`;

/** Starts the reviews that are due and tells responsible staff of overdue ones; returns what it did. */
export async function scanAccessReviews(d: ReviewScanDeps): Promise<{ started: number; overdueNotices: number }> {
  const now = d.clock.now();
  let started = 0;
  for (const c of await d.reviews.dueCases(now)) {
    const guests = await d.reviews.guestsOfCase(c);
    if (guests.length === 0) continue;
    started += await d.db.transaction(async (tx) => {
      const begun = await d.reviews.startReview(tx, c, guests, reviewPostKey);
      if (!begun) return 0;
      const data: PostData = { kind: 'review', reviewId: begun.reviewId };
      await new BotStore(tx).insertPost({ postKey: begun.postKey, firmId: c.firmId, caseId: c.id, kind: 'review', data });
      await requestPostDelivery(tx, c.firmId, begun.postKey, null);
      return 1;
    });
  }
  return { started, overdueNotices: await notifyOverdue(d, now) };
}

async function notifyOverdue(d: ReviewScanDeps, now: Date): Promise<number> {
  const notifyStaff = d.feed.notifyStaff?.bind(d.feed);
  if (!notifyStaff) return 0;
  const store = new AccessReviewStore(d.db);
  const repo = new Repo(d.db);
  let sent = 0;
  for (const review of await d.reviews.overdueReviews(now)) {
    const c = await repo.case(review.firmId, review.caseId);
    if (!c || !(await store.claimOverdueNotice(review.id, now))) continue;
    const staff = await d.reviews.responsibleStaff(c);
    if (!staff) {
      await store.recordOverdueOutcome(review.id, 'no responsible staff member');
      continue;
    }
    try {
      const outcome = await notifyStaff({
        userId: staff.userId,
        activityType: 'accessReviewOverdue',
        previewText: `The access review of ${c.number} ${c.title} has waited since ${review.startedAt.slice(0, 10)}: decide for each guest.`,
        topicText: `${c.number} ${c.title}`,
        webUrl: d.links.caseTab(c),
        caseId: c.id,
        channelId: c.channelId,
        templateParameters: { case: c.number },
      });
      await store.recordOverdueOutcome(review.id, `${outcome ?? 'delivered'} to ${staff.name}`);
      sent += 1;
    } catch (err) {
      // Not sent (throttled, Graph down): the next scan tries again.
      await store.releaseOverdueNotice(review.id);
      d.logger.warn({ err: err instanceof Error ? err.message : String(err), reviewId: review.id }, 'overdue access review notice failed');
      continue;
    }
    // The card says "overdue" now: redraw it.
    if (review.postKey) {
      const post = await new BotStore(d.db).post(review.postKey);
      if (post) {
        await new BotStore(d.db).bumpPost(post.postKey, post.data);
        await requestPostDelivery(d.db, c.firmId, post.postKey, null);
      }
    }
  }
  return sent;
}
