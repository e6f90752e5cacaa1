import type { GrantScope, ItemKind, Rights } from './model';

/**
 * What happened, for the people who should hear about it. Services write these to the outbox
 * (kind `notify`) in the same transaction as the change; the bot turns them into cards and
 * activity-feed notifications. A discriminated union, so every consumer handles every case.
 *
 * `actorId` (the actor's label, e.g. `staff:{userId}`) tells two people with the same name apart:
 * the bot coalesces sharing notices per staff member. Optional because jobs queued before it
 * existed have only the name. A reminder's `scope` (what the guest sees) lets its card still say
 * what was revoked once the grant is gone; reminders queued before it existed have none.
 */
export type CaseRoomEvent =
  | { type: 'items.shared'; firmId: string; caseId: string; actor: string; actorId?: string; contactIds: string[]; itemIds: string[] }
  | { type: 'items.unshared'; firmId: string; caseId: string; actor: string; actorId?: string; contactIds: string[]; itemIds: string[] }
  | { type: 'grant.added'; firmId: string; caseIds: string[]; actor: string; actorId?: string; contactId: string; scope: GrantScope; rights: Rights }
  | { type: 'grant.changed'; firmId: string; caseIds: string[]; actor: string; contactId: string; before: GrantScope; after: GrantScope; gainedItemIds: string[]; lostItemIds: string[] }
  | { type: 'grant.removed'; firmId: string; caseIds: string[]; actor: string; actorId?: string; contactId: string; scope: GrantScope }
  | { type: 'grant.expiring'; firmId: string; caseIds: string[]; contactId: string; grantId: string; expiresAt: string; scope?: GrantScope }
  | { type: 'invitation.accepted'; firmId: string; contactId: string; caseIds: string[] }
  | { type: 'guest.uploaded'; firmId: string; caseId: string; contactId: string; itemIds: string[]; burstKey: string }
  | { type: 'guest.message'; firmId: string; caseId: string; contactId: string; threadId: string; messageId: string }
  | { type: 'staff.replied'; firmId: string; caseId: string; threadId: string; messageId: string; contactId: string | null }
  | { type: 'case.closed'; firmId: string; caseId: string; actor: string; actorId?: string; closureId: string }
  | { type: 'case.reopened'; firmId: string; caseId: string; actor: string; actorId?: string; closureId: string }
  /**
   * Items guests could see were deleted, renamed or moved, in CaseRoom or by someone in SharePoint
   * directly (src/services/item-lifecycle.ts). `contactIds` are the guests who could see them before.
   */
  | { type: 'items.changed'; firmId: string; caseId: string; actor: string; source: 'caseroom' | 'sharepoint'; changes: ItemChange[] }
  | { type: 'drift.found'; firmId: string; caseId: string; added: Array<{ driveItemId: string; who: string; roles: string[] }>; removed: Array<{ driveItemId: string; contactId: string }> };

/** One item's change as a card lists it: titles, never ids a person would have to look up. */
export interface ItemChange {
  change: 'deleted' | 'renamed' | 'moved' | 'withheld';
  itemId: string;
  kind: ItemKind;
  title: string;
  /** The title before a rename, or the folder it left (a move); null when the item was at the case folder's top. */
  before: string | null;
  /** The folder it went to (a move), or the reason (withheld: a name CaseRoom refuses). */
  after: string | null;
  contactIds: string[];
}

export type CaseRoomEventType = CaseRoomEvent['type'];
