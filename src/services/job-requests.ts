import type { CaseRoomEvent } from '../domain/events';
import type { Queryable } from '../store/db';
import { enqueue, hasten, isOutstanding } from '../store/outbox';

/**
 * One function per job CaseRoom asks for from more than one place, each with its dedupe key
 * here and nowhere else. Call them in the transaction of the change that asks for the work, so
 * a crash can never keep the change and lose the job.
 */

export const syncKey = (contactId: string) => `sync:${contactId}`;

/** Brings the guest's SharePoint permissions in line with their grants; one pending sync per guest (it reads the latest state when it runs). */
export async function requestGuestSync(q: Queryable, firmId: string, contactId: string): Promise<void> {
  await enqueue(q, { firmId, kind: 'sync-guest-access', payload: { contactId }, dedupeKey: syncKey(contactId) });
}

/** Whether the guest's SharePoint permissions are still being brought in line with their grants (a sync waits or runs). */
export function guestSyncOutstanding(q: Queryable, contactId: string): Promise<boolean> {
  return isOutstanding(q, syncKey(contactId));
}

/** Tells the people who should hear about it (the bot's cards and activity feed). Never deduplicated: every event is news. */
export async function requestNotify(q: Queryable, event: CaseRoomEvent): Promise<void> {
  await enqueue(q, { firmId: event.firmId, kind: 'notify', payload: { event } });
}

/** Sets the case up in Microsoft 365 (channel, folder); one pending job per case. */
export async function requestCaseProvisioning(q: Queryable, firmId: string, caseId: string): Promise<void> {
  await enqueue(q, { firmId, kind: 'provision-case', payload: { caseId }, dedupeKey: `provision:${caseId}` });
}

/** Invites the contact as a guest of the firm's tenant (first time or again); one pending invitation per contact. */
export async function requestGuestInvitation(q: Queryable, firmId: string, contactId: string): Promise<void> {
  await enqueue(q, { firmId, kind: 'invite-guest', payload: { contactId }, dedupeKey: `invite:${contactId}` });
}

/** Closes a staff-only item to guests in SharePoint; one pending job per item. */
export async function requestStaffOnlySeal(q: Queryable, firmId: string, itemId: string): Promise<void> {
  await enqueue(q, { firmId, kind: 'seal-staff-only', payload: { itemId }, dedupeKey: `seal:${itemId}` });
}

const deltaKey = (driveId: string) => `m365-delta:${driveId}`;

/** Reads what changed in a case drive since its last delta link, now or at `runAfter`; one pending read per drive absorbs every request made before it runs. */
export async function requestDriveDelta(q: Queryable, firmId: string | null, driveId: string, runAfter?: Date): Promise<void> {
  await enqueue(q, { firmId, kind: 'm365-delta', payload: { driveId }, dedupeKey: deltaKey(driveId), runAfter });
}

/** A drive read deferred while CaseRoom wrote into the drive goes now, the writing being over. */
export async function hastenDriveDelta(q: Queryable, driveId: string): Promise<void> {
  await hasten(q, deltaKey(driveId));
}

/** Re-checks a file found in a case drive at `runAfter`, and imports it if nothing claimed it by then; one pending check per file. */
export async function requestImportCheck(q: Queryable, firmId: string, driveId: string, driveItemId: string, runAfter: Date): Promise<void> {
  await enqueue(q, { firmId, kind: 'm365-import-file', payload: { driveId, driveItemId }, dedupeKey: `m365-import:${driveItemId}`, runAfter });
}

/** Puts a planned bot post on screen, now or at `at`; one pending delivery per post. */
export async function requestPostDelivery(q: Queryable, firmId: string, postKey: string, at?: Date | null): Promise<void> {
  await enqueue(q, { firmId, kind: 'bot-deliver', payload: { postKey }, dedupeKey: `deliver:${postKey}`, runAfter: at ?? undefined });
}

/** Background work with no arguments, run once across instances however many ask: the kind is its own dedupe key. */
export type SweepKind = 'm365-acceptance' | 'm365-expiry' | 'm365-drift' | 'm365-subscriptions';

export async function requestSweep(q: Queryable, kind: SweepKind, firmId: string | null = null): Promise<void> {
  await enqueue(q, { firmId, kind, payload: {}, dedupeKey: kind });
}

/** Writes (the rest of) an accepted upload batch to SharePoint; one pending job per batch. */
export async function requestUploadWrite(q: Queryable, firmId: string | null, batchId: string): Promise<void> {
  await enqueue(q, { firmId, kind: 'upload-write', payload: { batchId }, dedupeKey: `upload:${batchId}` });
}
