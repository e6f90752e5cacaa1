import type { Clock } from '../src/services/context';
import type { CaseRoomEvent } from '../src/domain/events';
import { requestNotify } from '../src/services/job-requests';
import type { Db } from '../src/store/db';
import { Repo } from '../src/store/repo';
import { BotStore } from './store';

/** Queues a card for each grant that expires within `days` and has not had one; returns how many. */
export async function queueExpiringGrantNotices(db: Db, clock: Clock, days: number): Promise<number> {
  const now = clock.now();
  const rows = await db.query<{ id: string; firm_id: string; contact_id: string; expires_at: Date | string }>(`SELECT id, firm_id, contact_id, expires_at FROM grants WHERE expires_at > $1 AND expires_at <= $2`, [
    now.toISOString(),
    new Date(now.getTime() + days * 24 * 3600 * 1000).toISOString(),
  ]);
  let queued = 0;
  for (const r of rows) {
    const expiresAt = new Date(r.expires_at).toISOString();
    queued += await db.transaction(async (tx) => {
      // One card per grant and expiry: extending the grant moves the expiry, and a later scan may warn again.
      if (!(await new BotStore(tx).firstDelivery(`expiring:${r.id}:${expiresAt}`))) return 0;
      const repo = new Repo(tx);
      const grant = await repo.grant(r.firm_id, r.id);
      if (!grant) return 0;
      const caseIds = grant.scope.kind === 'client' ? (await repo.listCases(r.firm_id, grant.scope.clientId)).map((c) => c.id) : [grant.scope.caseId];
      const event: CaseRoomEvent = { type: 'grant.expiring', firmId: r.firm_id, caseIds, contactId: r.contact_id, grantId: r.id, expiresAt };
      await requestNotify(tx, event);
      return 1;
    });
  }
  return queued;
}
