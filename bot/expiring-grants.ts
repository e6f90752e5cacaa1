import type { Clock } from '../src/services/context';
import type { CaseRoomEvent } from '../src/domain/events';
import { dueReminderDays, expiryReminderKey } from '../src/domain/expiry';
import { requestGuestDigest } from '../src/services/guest-digest';
import { requestNotify } from '../src/services/job-requests';
import type { Db } from '../src/store/db';
import { Repo } from '../src/store/repo';
import { BotStore } from './store';

/**
 * Queues a reminder card for each grant that has entered one of its firm's reminder windows
 * (PUT /firm/policy `expiryReminderDays`, default 7 and 1 days before expiry) and has not had
 * that window's reminder for its current expiry; returns how many. Several instances may scan at
 * once: the one-shot key decides which of them queues the card.
 */
export async function queueExpiringGrantNotices(db: Db, clock: Clock): Promise<number> {
  const now = clock.now();
  // Only grants inside their firm's widest window are read; which window is due is decided below.
  const rows = await db.query<{ id: string; firm_id: string; contact_id: string; expires_at: Date | string; expiry_reminder_days: unknown[] }>(
    `SELECT g.id, g.firm_id, g.contact_id, g.expires_at, f.expiry_reminder_days
       FROM grants g JOIN firms f ON f.id = g.firm_id
      WHERE g.expires_at > $1::timestamptz
        AND g.expires_at <= $1::timestamptz + make_interval(days => coalesce((SELECT max(d) FROM unnest(f.expiry_reminder_days) AS d), 0))`,
    [now.toISOString()],
  );
  let queued = 0;
  for (const r of rows) {
    const expiresAt = new Date(r.expires_at).toISOString();
    const days = dueReminderDays(new Date(expiresAt), now, r.expiry_reminder_days.map(Number));
    if (days === null) continue;
    queued += await db.transaction(async (tx) => {
      if (!(await new BotStore(tx).firstDelivery(expiryReminderKey(r.id, expiresAt, days)))) return 0;
      const repo = new Repo(tx);
      const grant = await repo.grant(r.firm_id, r.id);
      if (!grant) return 0;
      const caseIds = grant.scope.kind === 'client' ? (await repo.listCases(r.firm_id, grant.scope.clientId)).map((c) => c.id) : [grant.scope.caseId];
      const event: CaseRoomEvent = { type: 'grant.expiring', firmId: r.firm_id, caseIds, contactId: r.contact_id, grantId: r.id, expiresAt, scope: grant.scope };
      await requestNotify(tx, event);
      // The guest hears it too, in their next digest (which names what is ending and when).
      await requestGuestDigest(tx, r.firm_id, r.contact_id);
      return 1;
    });
  }
  return queued;
}
