import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../src/services/context';
import type { CaseRoomEvent } from '../src/domain/events';
import type { JobHandler } from '../src/services/outbox-worker';
import type { Db, Queryable } from '../src/store/db';
import { requestPostDelivery } from '../src/services/job-requests';
import type { CaseRecord } from '../src/store/records';
import { Repo } from '../src/store/repo';
import type { ActivityFeed, GuestNotice, StaffNotice } from './activity-feed';
import type { Deliverer } from './delivery';
import type { Links } from './links';
import { mergeSharingChanges, type PostData, sharingChanges } from './notices';
import { BotStore, feedRecipients, type PostKind } from './store';

/**
 * The outbox side of the bot. `notify` jobs (written by the services with each change) are
 * planned into posts, in one transaction, idempotently: a replayed job finds its posts by key.
 * `bot-deliver` jobs put a post on screen; their dedupe key (one per post) means the outbox
 * never runs two deliveries of one post at once, across instances too.
 */

export interface NotifyDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  feed: ActivityFeed;
  links: Links;
  /** How long a burst (uploads, sharing changes) stays open after its latest event. */
  burstIdleMs: number;
  /** Updates to a card wait this long, so a burst of 1,000 events becomes a handful of updates. */
  coalesceMs: number;
}

/** Marker left by the bridge before it relays a Teams reply, so the echo of that reply is not posted back to Teams. */
export const relayMarker = (threadId: string, staffName: string, body: string) => `relay:${threadId}:${createHash('sha256').update(`${staffName}\n${body}`).digest('hex')}`;

export function createNotifyHandler(d: NotifyDeps): JobHandler<'notify'> {
  return async (job) => {
    const { event } = job.payload;
    await d.db.transaction((tx) => planPosts(d, tx, job.id, event));
    await notifyGuests(d, job.id, event);
    await notifyStaffFeed(d, job.id, event);
  };
}

export function createDeliverHandler(deliverer: Deliverer): JobHandler<'bot-deliver'> {
  return async (job) => {
    await deliverer.deliver(job.payload.postKey);
  };
}

interface BurstJoin {
  burstKey: string;
  /** The key of the card this event starts when no burst of its key is open. */
  postKey: string;
  firmId: string;
  caseId: string;
  kind: PostKind;
  data: PostData;
  /** Added to the card's items as a set union (uploads). */
  itemIds?: string[];
  /** The open card's data with this event folded in; null when the event changes nothing. */
  merge?: (current: PostData) => PostData | null;
}

/**
 * Coalesces events into one card per burst: the first event of a burst posts a card at once;
 * later ones (while the burst is open, `burstIdleMs` after its latest event) change the card,
 * whose update waits `coalesceMs` so that a flood becomes a handful of updates.
 */
async function joinBurst(d: NotifyDeps, tx: Queryable, store: BotStore, b: BurstJoin): Promise<void> {
  // One card per burst: serialise planners of the same burst (several workers, several instances).
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`burst:${b.burstKey}`]);
  const now = d.clock.now();
  const openUntil = new Date(now.getTime() + d.burstIdleMs);
  const open = await store.openBurst(b.burstKey, now);
  if (open) {
    const data = b.merge ? b.merge(open.data as PostData) : null;
    if (await store.extendBurst(open.postKey, { itemIds: b.itemIds, data }, openUntil)) await requestPostDelivery(tx, b.firmId, open.postKey, new Date(now.getTime() + d.coalesceMs));
    return;
  }
  await store.startBurst({ postKey: b.postKey, firmId: b.firmId, caseId: b.caseId, kind: b.kind, burstKey: b.burstKey, data: b.data, itemIds: b.itemIds ?? [], openUntil });
  await requestPostDelivery(tx, b.firmId, b.postKey, null);
}

async function planPosts(d: NotifyDeps, tx: Queryable, jobId: number, event: CaseRoomEvent): Promise<void> {
  const store = new BotStore(tx);
  switch (event.type) {
    case 'guest.uploaded': {
      const data: PostData = { kind: 'upload', contactId: event.contactId, burstKey: event.burstKey };
      await joinBurst(d, tx, store, { burstKey: event.burstKey, postKey: `upload:${jobId}`, firmId: event.firmId, caseId: event.caseId, kind: 'upload', data, itemIds: event.itemIds });
      return;
    }
    case 'items.shared':
    case 'items.unshared':
    case 'grant.added':
    case 'grant.removed': {
      const changes = sharingChanges(event, jobId);
      const caseIds = 'caseId' in event ? [event.caseId] : event.caseIds;
      // One card per case per staff member per burst; the id tells apart two staff of one name.
      const actorKey = event.actorId ?? `name:${event.actor}`;
      for (const caseId of caseIds) {
        const data: PostData = { kind: 'sharing', actor: event.actor, changes };
        await joinBurst(d, tx, store, {
          burstKey: `sharing:${caseId}:${actorKey}`,
          postKey: `sharing:${jobId}:${caseId}`,
          firmId: event.firmId,
          caseId,
          kind: 'sharing',
          data,
          merge: (current) => {
            if (current.kind !== 'sharing') return null;
            const merged = mergeSharingChanges(current.changes, changes);
            return merged ? { ...current, actor: event.actor, changes: merged } : null;
          },
        });
      }
      return;
    }
    case 'guest.message':
    case 'staff.replied': {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`thread:${event.threadId}`]);
      const rootKey = `thread:${event.threadId}`;
      const root = await store.post(rootKey);
      if (event.type === 'staff.replied') {
        const message = (await new Repo(tx).messages(event.threadId)).find((m) => m.id === event.messageId);
        // Written in Teams and relayed by the bridge: Teams already shows it.
        if (message && (await store.consume(relayMarker(event.threadId, message.authorName, message.body)))) return;
        // A thread nobody bridged to Teams stays in the tab.
        if (!root) return;
      }
      if (!root) {
        const data: PostData = { kind: 'message', event, rootPostKey: null };
        await store.insertPost({ postKey: rootKey, firmId: event.firmId, caseId: event.caseId, kind: 'message', data });
        await requestPostDelivery(tx, event.firmId, rootKey, null);
        return;
      }
      if ((root.data as PostData).kind === 'message' && (root.data as Extract<PostData, { kind: 'message' }>).event.messageId === event.messageId) return;
      const postKey = `msg:${event.messageId}`;
      const data: PostData = { kind: 'message', event, rootPostKey: rootKey };
      if (await store.insertPost({ postKey, firmId: event.firmId, caseId: event.caseId, kind: 'message', data })) await requestPostDelivery(tx, event.firmId, postKey, null);
      return;
    }
    default: {
      const caseIds = 'caseId' in event ? [event.caseId] : event.caseIds;
      for (const caseId of caseIds) {
        const postKey = `evt:${jobId}:${caseId}`;
        const data: PostData = { kind: 'notice', event };
        if (await store.insertPost({ postKey, firmId: event.firmId, caseId, kind: 'notice', data })) await requestPostDelivery(tx, event.firmId, postKey, null);
      }
    }
  }
}

/** Guests hear about what is new for them in their Teams activity feed; best effort, once per job. */
async function notifyGuests(d: NotifyDeps, jobId: number, event: CaseRoomEvent): Promise<void> {
  const repo = new Repo(d.db);
  const store = new BotStore(d.db);
  let targets: Array<{ contactId: string; notice: Omit<GuestNotice, 'userId'> }> = [];
  if (event.type === 'items.shared' || event.type === 'grant.added') {
    const caseId = event.type === 'items.shared' ? event.caseId : event.caseIds[0];
    const c = caseId ? await repo.case(event.firmId, caseId) : null;
    const contactIds = event.type === 'items.shared' ? event.contactIds : [event.contactId];
    const what = event.type === 'items.shared' ? `${event.itemIds.length === 1 ? 'a document' : `${event.itemIds.length} items`}` : 'access to a case';
    targets = contactIds.map((contactId) => ({
      contactId,
      notice: {
        activityType: 'itemsShared',
        actor: event.actor,
        previewText: `${event.actor} shared ${what} with you${c ? ` (${c.number})` : ''}`,
        topicText: c ? `${c.number} ${c.title}` : 'CaseRoom',
        webUrl: d.links.portal(caseId ?? ''),
      },
    }));
  } else if (event.type === 'staff.replied' && event.contactId) {
    const message = (await repo.messages(event.threadId)).find((m) => m.id === event.messageId);
    const c = await repo.case(event.firmId, event.caseId);
    targets = [
      {
        contactId: event.contactId,
        notice: {
          activityType: 'staffReplied',
          actor: message?.authorName ?? 'Your legal team',
          previewText: `${message?.authorName ?? 'Your legal team'} replied: ${message?.body ?? ''}`,
          topicText: c ? `${c.number} ${c.title}` : 'CaseRoom',
          webUrl: d.links.portal(event.caseId),
        },
      },
    ];
  }
  for (const t of targets) {
    const contact = await repo.contact(event.firmId, t.contactId);
    // Only guests who redeemed the invitation have a user the feed can reach.
    if (!contact?.guestUserId || contact.invitation !== 'accepted' || !contact.portalAccess) continue;
    const key = `feed:${jobId}:${contact.id}`;
    if (await store.wasDelivered(key)) continue;
    try {
      await d.feed.notifyGuest({ ...t.notice, userId: contact.guestUserId });
      await store.firstDelivery(key);
    } catch (err) {
      d.logger.warn({ err: err instanceof Error ? err.message : String(err), contactId: contact.id }, 'activity feed notification failed');
    }
  }
}

/** What a staff notice says of a guest's upload or message, and where it opens (the item for one upload, else the case tab). */
async function staffNoticeOf(d: NotifyDeps, event: Extract<CaseRoomEvent, { type: 'guest.uploaded' | 'guest.message' }>, c: CaseRecord, guestName: string): Promise<Omit<StaffNotice, 'userId'>> {
  const topicText = `${c.number} ${c.title}`;
  const base = { topicText, caseId: c.id, channelId: c.channelId, templateParameters: { actor: guestName, case: c.number } };
  if (event.type === 'guest.uploaded') {
    const count = event.itemIds.length;
    const webUrl = count === 1 ? d.links.item(c, event.itemIds[0]) : d.links.caseTab(c);
    return { ...base, activityType: 'guestUploaded', webUrl, previewText: `${guestName} uploaded ${count === 1 ? 'a document' : `${count} documents`} to ${topicText}` };
  }
  const message = (await new Repo(d.db).messages(event.threadId)).find((m) => m.id === event.messageId);
  return { ...base, activityType: 'guestMessaged', webUrl: d.links.caseTab(c), previewText: `${guestName}: ${message?.body ?? 'a new message'}` };
}

/**
 * Staff who asked for it (a `feed` preference; by default the case's assigned staff member) hear
 * of a guest's upload or message in their Teams activity feed: best effort, once per job per staff
 * member. A staff member without the app is recorded as done ('not-installed'), not retried.
 */
async function notifyStaffFeed(d: NotifyDeps, jobId: number, event: CaseRoomEvent): Promise<void> {
  if (event.type !== 'guest.uploaded' && event.type !== 'guest.message') return;
  const notifyStaff = d.feed.notifyStaff?.bind(d.feed);
  if (!notifyStaff) return;
  const repo = new Repo(d.db);
  const store = new BotStore(d.db);
  const c = await repo.case(event.firmId, event.caseId);
  if (!c) return;
  const recipients = await feedRecipients(d.db, c, event.type);
  if (recipients.size === 0) return;
  const guest = await repo.contact(event.firmId, event.contactId);
  const notice = await staffNoticeOf(d, event, c, guest?.name ?? 'A guest');
  for (const staff of await repo.listStaff(event.firmId)) {
    if (!recipients.has(staff.id)) continue;
    const key = `staff-feed:${jobId}:${staff.id}`;
    if (await store.wasDelivered(key)) continue;
    try {
      const outcome = await notifyStaff({ ...notice, userId: staff.userId });
      await store.firstDelivery(key);
      if (outcome === 'not-installed') d.logger.info({ staffId: staff.id, caseId: c.id }, 'staff member has no CaseRoom app in Teams: no activity notice');
    } catch (err) {
      d.logger.warn({ err: err instanceof Error ? err.message : String(err), staffId: staff.id }, 'staff activity feed notification failed');
    }
  }
}
