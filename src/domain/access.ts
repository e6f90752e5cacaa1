import type { GrantStateName } from '../contract/enums';
import { type CaseRef, type Contact, type FirmPolicy, type Grant, type ItemRef, type Section, SECTION_OF_KIND, SECTIONS } from './model';

/**
 * The three locks, as one set of pure functions. Every guest read in the API, every
 * SharePoint permission the reconciler writes, and every preview comes from here, so there
 * is exactly one place that decides what a guest may see.
 *
 *   lock 1  portal access on, and the B2B invitation accepted (before that grants are pending)
 *   lock 2  the contact is linked to the case
 *   lock 3  a live grant (not expired) reaches the item: item scope, case scope, client scope
 *
 * Firm policy removes whole sections for everyone, whatever the grants say.
 */

export function isExpired(grant: Grant, now: Date): boolean {
  return grant.expiresAt !== null && Date.parse(grant.expiresAt) <= now.getTime();
}

/** Lock 1: the contact is a guest who can hold access at all. */
export function contactIsActiveGuest(contact: Contact): boolean {
  return contact.portalAccess && contact.invitation === 'accepted';
}

export type GrantState = GrantStateName;

/** How staff see one grant: pending until acceptance, expired after its date, withdrawn when a lock closed. */
export function grantState(contact: Contact, grant: Grant, linked: boolean, now: Date): GrantState {
  if (!contact.portalAccess || !linked) return 'withdrawn';
  if (isExpired(grant, now)) return 'expired';
  if (contact.invitation !== 'accepted') return 'pending';
  return 'active';
}

function grantTouchesCase(grant: Grant, caseRef: CaseRef): boolean {
  switch (grant.scope.kind) {
    case 'item':
    case 'case':
      return grant.scope.caseId === caseRef.id;
    case 'client':
      return grant.scope.clientId === caseRef.clientId;
  }
}

/**
 * Where a case stands for its guests: open; closed but still readable (no uploads, no messages)
 * until the date the firm's setting gave it; or closed and withdrawn, when no grant reaches it.
 */
export type CaseStanding = 'open' | 'read-only' | 'withdrawn';
export function caseStanding(caseRef: CaseRef, now: Date): CaseStanding {
  if (!caseRef.closedAt) return 'open';
  if (caseRef.guestReadUntil && Date.parse(caseRef.guestReadUntil) > now.getTime()) return 'read-only';
  return 'withdrawn';
}

/** Grants that open all three locks for this case (none while it is closed and withdrawn). */
export function liveGrantsForCase(contact: Contact, grants: readonly Grant[], linked: boolean, caseRef: CaseRef, now: Date): Grant[] {
  if (!contactIsActiveGuest(contact) || !linked || caseRef.firmId !== contact.firmId || caseStanding(caseRef, now) === 'withdrawn') return [];
  return grants.filter((g) => g.contactId === contact.id && !isExpired(g, now) && grantTouchesCase(g, caseRef));
}

export interface CaseAccess {
  caseId: string;
  /** Sections the portal shows for this case, in display order. */
  sections: Section[];
  /** Items the guest may see (ids). */
  itemIds: Set<string>;
  /** The guest may upload somewhere in this case: at its root, or into one of `uploadFolderIds`. */
  canUpload: boolean;
  /** A case or client grant with upload: anywhere the guest can see, the case folder's root included. */
  uploadAnywhere: boolean;
  /** Folders an item grant with upload opens for uploads (each with everything beneath it). */
  uploadFolderIds: Set<string>;
  /** Message threads chosen for the guest by case or client grants. */
  threadIds: Set<string>;
  /** 'case' or 'client' when a broad grant applies, else 'item'. */
  via: 'item' | 'case' | 'client';
  /** The case is closed and the guest may still read it until then: no uploads, no messages. Null while open. */
  readOnlyUntil: string | null;
}

/** Whether a folder the test accepts lies above the item (walking up its folder chain). */
function isBelow(item: ItemRef, isFolder: (folderId: string) => boolean, itemById: ReadonlyMap<string, ItemRef>): boolean {
  let parentId = item.parentId;
  for (let depth = 0; parentId !== null && depth < 1000; depth++) {
    if (isFolder(parentId)) return true;
    parentId = itemById.get(parentId)?.parentId ?? null;
  }
  return false;
}

/**
 * Staff-only reaches down a folder chain: everything inside a staff-only folder is staff-only
 * too, so no scope reaches it through the folder's contents either.
 */
export function isEffectivelyStaffOnly(item: ItemRef, itemById: ReadonlyMap<string, ItemRef>): boolean {
  return item.staffOnly || isBelow(item, (folderId) => itemById.get(folderId)?.staffOnly === true, itemById);
}

/** Privileged reaches down a folder chain like staff-only: a privileged folder's contents are privileged too. */
export function isEffectivelyPrivileged(item: ItemRef, itemById: ReadonlyMap<string, ItemRef>): boolean {
  return item.privileged === true || isBelow(item, (folderId) => itemById.get(folderId)?.privileged === true, itemById);
}

/**
 * Whether a confirmed item share reaches a privileged item: one naming the item itself, or a folder
 * between it and the nearest privileged item above it (that one included). A share above the
 * privileged marker never does, confirmed or not, and neither does one above a second privileged
 * item nested lower down: each marker needs its own confirmation (SharePoint agrees: each privileged
 * document or folder is sealed, so permissions from above stop there).
 */
export function confirmedShareReaches(item: ItemRef, confirmedItemIds: ReadonlySet<string>, itemById: ReadonlyMap<string, ItemRef>): boolean {
  let at: ItemRef | undefined = item;
  for (let depth = 0; at && depth < 1000; depth++) {
    if (confirmedItemIds.has(at.id)) return true;
    if (at.privileged === true) return false;
    at = at.parentId === null ? undefined : itemById.get(at.parentId);
  }
  return false;
}

/** Why no scope reaches an item whatever the grants say, or null when scopes may. Staff-only wins over privileged. */
export type Withholding = 'staff-only' | 'privileged';
export function withholdingOf(item: ItemRef, itemById: ReadonlyMap<string, ItemRef>): Withholding | null {
  if (isEffectivelyStaffOnly(item, itemById)) return 'staff-only';
  if (isEffectivelyPrivileged(item, itemById)) return 'privileged';
  return null;
}

/** Whether the item lies below one of these folders (at any depth). */
export function isBelowAny(item: ItemRef, folderIds: ReadonlySet<string>, itemById: ReadonlyMap<string, ItemRef>): boolean {
  return isBelow(item, (folderId) => folderIds.has(folderId), itemById);
}

/**
 * What one guest may see of one case. Returns null when nothing opens the three locks,
 * which the API turns into a 404 indistinguishable from a case that does not exist.
 */
export function caseAccess(contact: Contact, grants: readonly Grant[], linked: boolean, caseRef: CaseRef, items: readonly ItemRef[], policy: FirmPolicy, now: Date): CaseAccess | null {
  const live = liveGrantsForCase(contact, grants, linked, caseRef, now);
  if (live.length === 0) return null;

  const disabled = new Set(policy.disabledSections);
  const broadSections = new Set<Section>();
  const threadIds = new Set<string>();
  const explicitItemIds = new Set<string>();
  const confirmedItemIds = new Set<string>();
  const uploadGrantedIds = new Set<string>();
  let canUpload = false;
  let via = 'item' as CaseAccess['via'];

  for (const grant of live) {
    const scope = grant.scope;
    if (scope.kind === 'item') {
      explicitItemIds.add(scope.itemId);
      if (grant.privilegeConfirmed === true) confirmedItemIds.add(scope.itemId);
      if (grant.rights === 'upload') uploadGrantedIds.add(scope.itemId);
      continue;
    }
    if (scope.kind === 'client') via = 'client';
    else if (via === 'item') via = 'case';
    for (const section of scope.view) if (!disabled.has(section)) broadSections.add(section);
    if (!disabled.has('messages') && scope.view.includes('messages')) for (const t of scope.threadIds) threadIds.add(t);
    if (grant.rights === 'upload') canUpload = true;
  }

  const caseItems = items.filter((i) => i.caseId === caseRef.id);
  const byId = new Map(caseItems.map((i) => [i.id, i]));
  // A granted folder shares everything beneath it, as in SharePoint.
  const reachedByFolderGrant = (item: ItemRef): boolean => isBelow(item, (folderId) => explicitItemIds.has(folderId), byId);

  const itemIds = new Set<string>();
  const sections = new Set<Section>(broadSections);
  for (const item of caseItems) {
    const section = SECTION_OF_KIND[item.kind];
    if (disabled.has(section)) continue;
    const withheld = withholdingOf(item, byId);
    // Staff-only is never reached by any scope, an explicit item grant included; privileged only by a confirmed item share.
    const reached = withheld === 'staff-only' ? false : withheld === 'privileged' ? confirmedShareReaches(item, confirmedItemIds, byId) : explicitItemIds.has(item.id) || broadSections.has(section) || reachedByFolderGrant(item);
    if (reached) {
      itemIds.add(item.id);
      sections.add(section);
    }
  }

  // A guest who can see nothing at all of a case (e.g. every granted section was switched off
  // by the firm) does not see the case either.
  if (sections.size === 0) return null;

  // A closed case still readable takes nothing new from its guests.
  const readOnlyUntil = caseStanding(caseRef, now) === 'read-only' ? (caseRef.guestReadUntil ?? null) : null;
  const documents = sections.has('documents') && readOnlyUntil === null;
  // Upload into a folder needs the folder itself in view (a document grant with upload opens nothing).
  const uploadFolderIds = new Set(documents ? [...uploadGrantedIds].filter((id) => itemIds.has(id) && byId.get(id)?.kind === 'folder') : []);
  const uploadAnywhere = canUpload && documents;
  return {
    caseId: caseRef.id,
    sections: SECTIONS.filter((s) => sections.has(s)),
    itemIds,
    canUpload: uploadAnywhere || uploadFolderIds.size > 0,
    uploadAnywhere,
    uploadFolderIds,
    threadIds,
    via,
    readOnlyUntil,
  };
}

/**
 * What the rules about one guest read, in the order guestAccess and desiredDrivePermissions take
 * it: the contact, its grants, the cases it is linked to, the firm's cases and items (as the
 * caller knows them), the firm's policy and the time.
 */
export type GuestFacts<C extends CaseRef, I extends ItemRef> = [contact: Contact, grants: readonly Grant[], linkedCaseIds: ReadonlySet<string>, cases: readonly C[], items: readonly I[], policy: FirmPolicy, now: Date];

/** The cases a guest may open, each with its access. */
export function guestAccess(...facts: GuestFacts<CaseRef, ItemRef>): Map<string, CaseAccess> {
  const [contact, grants, linkedCaseIds, cases, items, policy, now] = facts;
  const result = new Map<string, CaseAccess>();
  for (const caseRef of cases) {
    const access = caseAccess(contact, grants, linkedCaseIds.has(caseRef.id), caseRef, items, policy, now);
    if (access) result.set(caseRef.id, access);
  }
  return result;
}

/**
 * A role CaseRoom may find in SharePoint. It only ever *gives* guests `read`: their uploads are
 * written by CaseRoom itself (app-only) after it checks the grant, so no guest can edit, rename,
 * move or delete firm content with her own token. A `write` found on a guest is downgraded.
 */
export type DriveRole = 'read' | 'write';
export const GUEST_DRIVE_ROLE = 'read' satisfies DriveRole;

export interface DriveTargetCase extends CaseRef {
  /** The case folder's driveItem id, once provisioned. */
  folderItemId: string | null;
}
export interface DriveTargetItem extends ItemRef {
  driveItemId: string | null;
  /**
   * SharePoint holds unique permissions on it: CaseRoom shared it directly once, which copied
   * the case folder's permissions onto it and stopped inheritance. A case-folder permission no
   * longer reaches it, so case and client scopes need a permission of their own there.
   */
  uniquePermissions?: boolean;
}

/**
 * The SharePoint permissions a guest should hold: driveItem id → role, always `read` (see
 * DriveRole), whatever the grant's rights. Only documents and
 * folders live in SharePoint; notes, events and invoices are enforced by our store alone.
 * A case or client grant whose view hides documents gives no folder permission at all, so a
 * guest's own Graph token cannot read files the portal would hide. A case or client grant with
 * documents also needs the same role on every item of the case that holds unique permissions
 * (`uniquePermissions`), since the folder's permission does not reach those.
 */
export function desiredDrivePermissions(...facts: GuestFacts<DriveTargetCase, DriveTargetItem>): Map<string, DriveRole> {
  const [contact, grants, linkedCaseIds, cases, items, policy, now] = facts;
  const wanted = new Map<string, DriveRole>();
  if (policy.disabledSections.includes('documents')) return wanted;
  const put = (driveItemId: string | null) => {
    if (driveItemId) wanted.set(driveItemId, GUEST_DRIVE_ROLE);
  };
  const itemById = new Map(items.map((i) => [i.id, i]));
  // Documents and folders holding unique permissions, never staff-only ones, each with what keeps scopes from it.
  const uniqueByCase = new Map<string, Array<DriveTargetItem & { privileged: boolean }>>();
  for (const item of items) {
    if (!item.uniquePermissions || isEffectivelyStaffOnly(item, itemById) || SECTION_OF_KIND[item.kind] !== 'documents') continue;
    uniqueByCase.set(item.caseId, [...(uniqueByCase.get(item.caseId) ?? []), { ...item, privileged: isEffectivelyPrivileged(item, itemById) }]);
  }
  for (const caseRef of cases) {
    for (const grant of liveGrantsForCase(contact, grants, linkedCaseIds.has(caseRef.id), caseRef, now)) {
      const scope = grant.scope;
      if (scope.kind === 'item') {
        const item = itemById.get(scope.itemId);
        if (!item || isEffectivelyStaffOnly(item, itemById)) continue;
        // As in caseAccess: a privileged item, or one below a privileged folder, only through a share confirmed for it.
        const confirmed = grant.privilegeConfirmed === true ? new Set([item.id]) : new Set<string>();
        const reaches = (target: DriveTargetItem) => !isEffectivelyPrivileged(target, itemById) || confirmedShareReaches(target, confirmed, itemById);
        if ((item.kind === 'document' || item.kind === 'folder') && reaches(item)) put(item.driveItemId);
        // A shared folder reaches what lies below it, as in caseAccess: those below it that hold
        // unique permissions need a permission of their own.
        if (item.kind === 'folder') for (const below of uniqueByCase.get(item.caseId) ?? []) if (isBelow(below, (folderId) => folderId === item.id, itemById) && reaches(below)) put(below.driveItemId);
      } else if (scope.view.includes('documents')) {
        put(caseRef.folderItemId);
        for (const item of uniqueByCase.get(caseRef.id) ?? []) if (!item.privileged) put(item.driveItemId);
      }
    }
  }
  return wanted;
}
