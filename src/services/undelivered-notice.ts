import type { GuestNoticeLike, NoticeOutcome } from '../m365/activity';
import type { Queryable } from '../store/db';
import { recordUndeliveredNotice } from '../store/undelivered';
import { requestGuestDigestForUser } from './guest-digest';

/** Keeps a notice Teams could not deliver, and asks for the recipient's e-mail digest to carry the news. */
export async function keepUndelivered(db: Queryable, n: GuestNoticeLike, webUrl: string, status: number): Promise<NoticeOutcome> {
  await recordUndeliveredNotice(db, { recipientUserId: n.userId, activityType: n.activityType, topic: n.topicText, preview: n.previewText.slice(0, 150), webUrl, reason: `CaseRoom app not installed for the recipient (Graph ${status})` });
  await requestGuestDigestForUser(db, n.userId);
  return 'not-installed';
}
