import type { Queryable } from './db';

/**
 * Activity-feed notices that Teams could not deliver because the recipient does not have the
 * CaseRoom app (migration 35). They wait here for another path (the e-mail digest) instead of
 * being dropped.
 */
export interface UndeliveredNotice {
  recipientUserId: string;
  activityType: string;
  topic: string;
  preview: string;
  webUrl: string;
  /** Why Teams refused it, e.g. "app not installed (403)". */
  reason: string;
}

export interface StoredUndeliveredNotice extends UndeliveredNotice {
  id: number;
  createdAt: string;
}

export async function recordUndeliveredNotice(q: Queryable, n: UndeliveredNotice): Promise<void> {
  await q.query('INSERT INTO undelivered_notices (recipient_user_id, activity_type, topic, preview, web_url, reason) VALUES ($1,$2,$3,$4,$5,$6)', [n.recipientUserId, n.activityType, n.topic, n.preview, n.webUrl, n.reason]);
}

/** Notices still waiting for another path, oldest first. */
export async function pendingUndeliveredNotices(q: Queryable, recipientUserId?: string): Promise<StoredUndeliveredNotice[]> {
  const rows = await q.query(`SELECT * FROM undelivered_notices WHERE sent_at IS NULL ${recipientUserId ? 'AND recipient_user_id = $1' : ''} ORDER BY id`, recipientUserId ? [recipientUserId] : []);
  return rows.map((r) => ({
    id: Number(r.id),
    recipientUserId: String(r.recipient_user_id),
    activityType: String(r.activity_type),
    topic: String(r.topic),
    preview: String(r.preview),
    webUrl: String(r.web_url),
    reason: String(r.reason),
    createdAt: new Date(String(r.created_at)).toISOString(),
  }));
}
