/**
 * The shapes the sharing rules reason about. Plain data: the store loads them, the rules in
 * access.ts decide, and nothing here knows where the data came from.
 */

export const CONTACT_KINDS = ['client', 'co-counsel', 'expert', 'other'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

/** B2B invitation state as Entra reports it (`externalUserState`), plus "never invited". */
export const INVITATION_STATES = ['none', 'pending', 'accepted'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];

export const ITEM_KINDS = ['document', 'folder', 'note', 'event', 'invoice'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** Portal sections a case-scope or client-scope view can show. */
export const SECTIONS = ['status', 'team', 'budget', 'documents', 'notes', 'events', 'invoices', 'messages'] as const;
export type Section = (typeof SECTIONS)[number];

/** Which section an item of each kind is shown in. */
export const SECTION_OF_KIND: Record<ItemKind, Section> = {
  document: 'documents',
  folder: 'documents',
  note: 'notes',
  event: 'events',
  invoice: 'invoices',
};

export const RIGHTS = ['read', 'upload'] as const;
export type Rights = (typeof RIGHTS)[number];

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
}

export interface ItemRef {
  id: string;
  caseId: string;
  kind: ItemKind;
  /** The folder this item sits in, or null at the case folder's root. */
  parentId: string | null;
  /** Staff-only items (e.g. memos of guest messages) are never reached by case or client scope. */
  staffOnly: boolean;
}

export type GrantScope =
  | { kind: 'item'; caseId: string; itemId: string }
  | { kind: 'case'; caseId: string; view: Section[]; threadIds: string[] }
  | { kind: 'client'; clientId: string; view: Section[]; threadIds: string[] };

export interface Grant {
  id: string;
  contactId: string;
  scope: GrantScope;
  rights: Rights;
  /** ISO time after which the grant stops working by itself; null = no expiry. */
  expiresAt: string | null;
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
