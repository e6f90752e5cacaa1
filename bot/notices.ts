import type { Rights, Section } from '../src/domain/model';
import type { CaseRoomEvent } from '../src/domain/events';
import type { CaseRecord } from '../src/store/records';
import { Repo } from '../src/store/repo';
import { openUrl } from './actions';
import { describeAccessReview } from './describers/access-review';
import { describeCaseClosure } from './describers/case-closure';
import { describeDriftFound } from './describers/drift-found';
import { describeGrantAddedOrRemoved } from './describers/grant-added';
import { describeGrantChanged } from './describers/grant-changed';
import { describeGrantExpiring } from './describers/grant-expiring';
import { describeInvitationAccepted } from './describers/invitation-accepted';
import { describeItemsChanged } from './describers/items-changed';
import { describeItemsShared } from './describers/items-shared';
import type { DescribeCall, DescribeDeps, Described } from './describers/kit';
import { describeMessage } from './describers/message';
import { describeSharing } from './describers/sharing';
import { describeUpload } from './describers/upload';

export type { DescribeDeps, Described } from './describers/kit';
export { mentionsFor } from './describers/kit';

/**
 * What a channel post says: from the post's stored data and the store's current names, to a
 * card model. Rebuilt on every delivery, so an updated card (burst grew, grant extended) is
 * always drawn from the truth, never patched.
 */

export type Resolution = { action: 'extended'; by: string; until: string | null } | { action: 'revoked'; by: string };

export type NoticeEvent = Exclude<CaseRoomEvent, { type: 'guest.uploaded' | 'guest.message' | 'staff.replied' }>;
export type ThreadEvent = Extract<CaseRoomEvent, { type: 'guest.message' | 'staff.replied' }>;
/** Sharing and unsharing: coalesced into one card per case, staff member and burst. */
export type SharingEvent = Extract<CaseRoomEvent, { type: 'items.shared' | 'items.unshared' | 'grant.added' | 'grant.removed' }>;

/** What a guest was given or lost: one item, or a case or client grant. */
export type ShareTarget = { kind: 'item'; itemId: string } | { kind: 'case'; view: Section[]; rights: Rights | null } | { kind: 'client'; clientId: string; view: Section[]; rights: Rights | null };

/**
 * The net outcome of a burst for one guest and one target: the latest operation wins, by outbox
 * job id (jobs are numbered in commit order, and a replayed or late-planned job must not undo a
 * newer one). `first` is the burst's earliest operation on the pair, so "shared, then withdrawn
 * again" can be told from "access removed".
 */
export interface ShareChange {
  contactId: string;
  target: ShareTarget;
  op: 'add' | 'remove';
  jobId: number;
  first: { op: 'add' | 'remove'; jobId: number };
}

/** A reply sent to a bridged thread's guest from its card: who sent what to whom, when. */
export interface ReplyReceipt {
  by: string;
  guestName: string;
  text: string;
  at: string;
}

export type PostData =
  | { kind: 'upload'; contactId: string; burstKey: string; sharedBack?: { by: string; at: string } }
  | { kind: 'sharing'; actor: string; changes: ShareChange[] }
  | { kind: 'notice'; event: NoticeEvent; resolution?: Resolution }
  /** `receipts`: replies sent to the guest with the card's Reply to client, newest last (shown on the thread's card). */
  | { kind: 'message'; event: ThreadEvent; rootPostKey: string | null; receipts?: ReplyReceipt[] }
  /** An access review card: drawn from the review's rows (src/store/access-reviews.ts) on every delivery. */
  | { kind: 'review'; reviewId: string };

const targetKey = (t: ShareTarget) => (t.kind === 'item' ? `item:${t.itemId}` : t.kind === 'case' ? 'case' : `client:${t.clientId}`);

/** The pairs (guest, target) one sharing event touches in one case. */
export function sharingChanges(event: SharingEvent, jobId: number): ShareChange[] {
  const op = event.type === 'items.shared' || event.type === 'grant.added' ? 'add' : 'remove';
  const make = (contactId: string, target: ShareTarget): ShareChange => ({ contactId, target, op, jobId, first: { op, jobId } });
  if (event.type === 'items.shared' || event.type === 'items.unshared') return event.contactIds.flatMap((contactId) => event.itemIds.map((itemId) => make(contactId, { kind: 'item', itemId })));
  const rights = event.type === 'grant.added' ? event.rights : null;
  const s = event.scope;
  const target: ShareTarget = s.kind === 'item' ? { kind: 'item', itemId: s.itemId } : s.kind === 'case' ? { kind: 'case', view: s.view, rights } : { kind: 'client', clientId: s.clientId, view: s.view, rights };
  return [make(event.contactId, target)];
}

/**
 * Folds one event's changes into a burst's. Null when nothing changed (a replayed job, or a job
 * older than what the burst already holds for every pair it touches).
 */
export function mergeSharingChanges(current: ShareChange[], incoming: ShareChange[]): ShareChange[] | null {
  const byKey = new Map(current.map((c) => [`${c.contactId}|${targetKey(c.target)}`, c]));
  let changed = false;
  for (const next of incoming) {
    const key = `${next.contactId}|${targetKey(next.target)}`;
    const held = byKey.get(key);
    if (!held) {
      byKey.set(key, next);
      changed = true;
      continue;
    }
    const first = next.first.jobId < held.first.jobId ? next.first : held.first;
    const latest = next.jobId > held.jobId ? next : held;
    if (latest === held && first === held.first) continue;
    byKey.set(key, { ...latest, first });
    changed = true;
  }
  return changed ? [...byKey.values()] : null;
}

/** One describer per notice event type (bot/describers/). */
const NOTICE_DESCRIBERS: { [T in NoticeEvent['type']]: (call: DescribeCall, event: Extract<NoticeEvent, { type: T }>, post: { resolution?: Resolution }) => Promise<Described> } = {
  'items.shared': describeItemsShared,
  'items.unshared': describeItemsShared,
  'grant.added': describeGrantAddedOrRemoved,
  'grant.removed': describeGrantAddedOrRemoved,
  'grant.changed': describeGrantChanged,
  'grant.expiring': describeGrantExpiring,
  'invitation.accepted': describeInvitationAccepted,
  'drift.found': describeDriftFound,
  'items.changed': describeItemsChanged,
  'case.closed': describeCaseClosure,
  'case.reopened': describeCaseClosure,
};

function describeNotice<T extends NoticeEvent['type']>(call: DescribeCall, event: Extract<NoticeEvent, { type: T }>, type: T, resolution: Resolution | undefined): Promise<Described> {
  return NOTICE_DESCRIBERS[type](call, event, { resolution });
}

/** The card for a post: one describer per kind of post, and per event type for notices. */
export async function describePost(deps: DescribeDeps, postKey: string, c: CaseRecord, data: PostData, itemIds: string[]): Promise<Described> {
  const call: DescribeCall = { deps, repo: new Repo(deps.q), c, base: { caseNumber: c.number, caseTitle: c.title }, caseLink: openUrl('Open in CaseRoom', deps.links.caseTab(c)), postKey, itemIds };
  switch (data.kind) {
    case 'upload':
      return describeUpload(call, data);
    case 'sharing':
      return describeSharing(call, data);
    case 'message':
      return describeMessage(call, data);
    case 'notice':
      return describeNotice(call, data.event, data.event.type, data.resolution);
    case 'review':
      return describeAccessReview(call, data);
  }
}
