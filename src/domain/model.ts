/**
 * The shapes the sharing rules reason about. Plain data: the store loads them, the rules in
 * access.ts decide, and nothing here knows where the data came from.
 */

// The enums and the grant scope are the API contract's: the rules, the store and the tab speak the same words.
export { CONTACT_KINDS, INVITATION_STATES, ITEM_KINDS, RIGHTS, SECTIONS } from '../contract/enums';
export type { ContactKind, InvitationState, ItemKind, Rights, Section } from '../contract/enums';
export type { GrantScope } from '../contract/sharing';
import { SECTIONS, type InvitationState, type ItemKind, type Rights, type Section } from '../contract/enums';
import type { GrantScope } from '../contract/sharing';

/** Which section an item of each kind is shown in. */
export const SECTION_OF_KIND: Record<ItemKind, Section> = {
  document: 'documents',
  folder: 'documents',
  note: 'notes',
  event: 'events',
  invoice: 'invoices',
};

export interface Contact {
  id: string;
  firmId: string;
  portalAccess: boolean;
  invitation: InvitationState;
}

export interface CaseRef {
  id: string;
  firmId: string;
  clientId: string;
  /**
   * Set while staff have the case closed: no grant reaches it any more, except read-only until
   * `guestReadUntil` when the firm chose that. Absent for callers that only know open cases.
   */
  closedAt?: string | null;
  guestReadUntil?: string | null;
}

export interface ItemRef {
  id: string;
  caseId: string;
  kind: ItemKind;
  /** The folder this item sits in, or null at the case folder's root. */
  parentId: string | null;
  /** Staff-only items (e.g. memos of guest messages) are never reached by case or client scope. */
  staffOnly: boolean;
  /**
   * Privileged items (and what a privileged folder holds) are reached by no case, client or section
   * scope and no folder grant above them: only by an item share staff confirmed (Grant.privilegeConfirmed).
   * Absent reads as false.
   */
  privileged?: boolean;
}

export interface Grant {
  id: string;
  contactId: string;
  scope: GrantScope;
  rights: Rights;
  /** ISO time after which the grant stops working by itself; null = no expiry. */
  expiresAt: string | null;
  /** An item grant staff confirmed, with a reason, for a privileged item. Absent reads as false. */
  privilegeConfirmed?: boolean;
}

export interface FirmPolicy {
  /** Sections switched off for every guest of the firm. */
  disabledSections: Section[];
}

export const FULL_VIEW: Section[] = [...SECTIONS];

/**
 * What CaseRoom's records say about SharePoint permissions on drive items, since SharePoint's
 * lists do not say which permissions an item holds itself (M365Repo.permissionKnowledge).
 * `unique`: items CaseRoom broke inheritance on; `recordedIds`: item → permission ids CaseRoom
 * created there; `parentOf`: item → its parent's id, null for the drive's root, absent when unknown.
 */
export interface PermissionKnowledge {
  unique: Set<string>;
  recordedIds: Map<string, Set<string>>;
  parentOf: Map<string, string | null>;
}
