import type { DriveRole } from '../../domain/access';
import type { BatchStep } from '../../m365/batch';
import { directUserPermissions, type GraphPermission, inviteBody, itemUrl, type ItemRef, roleOf, userIdOf } from '../../m365/permissions';
import type { AppliedPermission } from '../../store/m365';

/**
 * The reconciler's planning, apart from its effects: from what a guest should hold (desired),
 * what SharePoint holds (actual) and what CaseRoom has recorded, which Graph calls to make and
 * which records to write or drop. Nothing here reads or writes anything, so the rules can be
 * tested on their own; `Reconciler` executes the plan.
 */

export interface DesiredPermission {
  driveId: string;
  driveItemId: string;
  role: DriveRole;
  /**
   * Latest expiry among the grants that give it; null when one of them never expires. Kept in
   * CaseRoom's record only: SharePoint ignores expirationDateTime on a direct permission
   * (learn.microsoft.com/graph/api/driveitem-invite), so CaseRoom removes the permission itself
   * when the grant expires (the m365 part's expiry timer queues the guest's sync).
   */
  expiresAt: string | null;
  caseId: string;
}

/** What one run does on one item for one guest. `read`: SharePoint's permissions were read first. */
export type SyncAction =
  | { kind: 'invite'; contactId: string; desired: DesiredPermission; guestUserId: string; read: boolean }
  | { kind: 'patch'; contactId: string; desired: DesiredPermission; guestUserId: string; permissionId: string }
  | { kind: 'delete'; contactId: string; driveId: string; driveItemId: string; permissionId: string; keepRecord: boolean };
export type InviteAction = Extract<SyncAction, { kind: 'invite' }>;

/** The guest as planning needs it. */
export interface PlannedGuest {
  id: string;
  firmId: string;
  guestUserId: string | null;
}

/**
 * SharePoint's permissions by drive item id, as read before planning: an item absent from the map
 * was not read (CaseRoom has no record there, so never touched it for this guest); null means the
 * item no longer exists.
 */
export type ActualPermissions = ReadonlyMap<string, readonly GraphPermission[] | null>;

export interface GuestSyncPlan {
  /** Graph calls, executed after their intent is recorded. */
  actions: SyncAction[];
  /** Records already true in SharePoint that only CaseRoom's copy lags behind on (no Graph call). */
  records: AppliedPermission[];
  /** Drive items whose record goes: nothing of the guest's is there (any more). */
  forget: string[];
  /** Desired drive items that no longer exist in SharePoint (worth a warning, nothing to do). */
  gone: string[];
  /** Items already as desired. */
  unchanged: number;
}

export const sameInstant = (a: string | null, b: string | null): boolean => (a === null || b === null ? a === b : Date.parse(a) === Date.parse(b));

export function appliedRecord(firmId: string, contactId: string, guestUserId: string, d: DesiredPermission, permissionId: string | null, state: AppliedPermission['state']): AppliedPermission {
  return { firmId, contactId, guestUserId, driveId: d.driveId, driveItemId: d.driveItemId, role: d.role, permissionId, state, expiresAt: d.expiresAt };
}

/** What must change on each item for one guest, from what SharePoint holds (where read) and the records. */
export function planGuestSync(contact: PlannedGuest, desired: ReadonlyMap<string, DesiredPermission>, recorded: readonly AppliedPermission[], actual: ActualPermissions): GuestSyncPlan {
  const plan: GuestSyncPlan = { actions: [], records: [], forget: [], gone: [], unchanged: 0 };
  const contactId = contact.id;
  const guestIds = new Set([contact.guestUserId, ...recorded.map((r) => r.guestUserId)].filter((x): x is string => !!x));
  const recordByItem = new Map(recorded.map((r) => [r.driveItemId, r]));
  const targets = new Map<string, string>([...[...desired.values()].map((d) => [d.driveItemId, d.driveId] as const), ...recorded.map((r) => [r.driveItemId, r.driveId] as const)]);
  const deleteAction = (driveId: string, driveItemId: string, p: GraphPermission, keepRecord: boolean): SyncAction => ({ kind: 'delete', contactId, driveId, driveItemId, permissionId: p.id, keepRecord });
  for (const [itemId, driveId] of targets) {
    const want = desired.get(itemId);
    const guestUserId = contact.guestUserId as string;
    if (!actual.has(itemId)) {
      // Never recorded for this guest, so never touched by CaseRoom for them.
      if (want) plan.actions.push({ kind: 'invite', contactId, desired: want, guestUserId, read: false });
      continue;
    }
    const perms = actual.get(itemId);
    if (perms === null || perms === undefined) {
      // The item is gone from SharePoint: nothing to hold or to remove there.
      if (want) plan.gone.push(itemId);
      if (recordByItem.has(itemId)) plan.forget.push(itemId);
      continue;
    }
    const mine = directUserPermissions(perms).filter((p) => guestIds.has(userIdOf(p) as string));
    if (!want) {
      for (const p of mine) plan.actions.push(deleteAction(driveId, itemId, p, false));
      if (mine.length === 0 && recordByItem.has(itemId)) plan.forget.push(itemId);
      continue;
    }
    const current = mine.filter((p) => userIdOf(p) === guestUserId);
    const stale = mine.filter((p) => userIdOf(p) !== guestUserId);
    for (const p of stale) plan.actions.push(deleteAction(driveId, itemId, p, true));
    const [keep, ...extra] = current;
    for (const p of extra) plan.actions.push(deleteAction(driveId, itemId, p, true));
    // Expiry is not SharePoint's business (see DesiredPermission.expiresAt): a changed expiry
    // touches no permission, only CaseRoom's record of it.
    if (!keep) {
      plan.actions.push({ kind: 'invite', contactId, desired: want, guestUserId, read: true });
    } else if (roleOf(keep) !== want.role) {
      plan.actions.push({ kind: 'patch', contactId, desired: want, guestUserId, permissionId: keep.id });
    } else {
      plan.unchanged++;
      const record = recordByItem.get(itemId);
      if (!record || record.state !== 'active' || record.permissionId !== keep.id || record.role !== want.role || !sameInstant(record.expiresAt, want.expiresAt)) {
        plan.records.push(appliedRecord(contact.firmId, contactId, guestUserId, want, keep.id, 'active'));
      }
    }
  }
  return plan;
}

/** Invites to one item with the same role go out as one request for up to this many guests. */
export const MAX_RECIPIENTS = 20;

export const inviteStep = (d: DesiredPermission, guestUserIds: string[]): Omit<BatchStep, 'id'> => ({
  method: 'POST',
  url: `${itemUrl({ driveId: d.driveId, itemId: d.driveItemId })}/invite`,
  body: inviteBody(guestUserIds, d.role),
});

export const permissionUrl = (t: ItemRef, permissionId: string): string => `${itemUrl(t)}/permissions/${encodeURIComponent(permissionId)}`;

/**
 * The batch steps: deletes and patches one each; invites are grouped by (item, role) into
 * one invite with several recipients.
 */
export function batchSteps(actions: readonly SyncAction[]): Array<{ step: BatchStep; actions: SyncAction[] }> {
  const out: Array<{ step: BatchStep; actions: SyncAction[] }> = [];
  const groups = new Map<string, InviteAction[]>();
  const add = (step: Omit<BatchStep, 'id'>, acts: SyncAction[]) => out.push({ step: { id: String(out.length + 1), ...step }, actions: acts });
  for (const a of actions) {
    if (a.kind === 'delete') add({ method: 'DELETE', url: permissionUrl({ driveId: a.driveId, itemId: a.driveItemId }, a.permissionId) }, [a]);
    else if (a.kind === 'patch') add({ method: 'PATCH', url: permissionUrl({ driveId: a.desired.driveId, itemId: a.desired.driveItemId }, a.permissionId), body: { roles: [a.desired.role] } }, [a]);
    else {
      const key = `${a.desired.driveItemId}|${a.desired.role}`;
      groups.set(key, [...(groups.get(key) ?? []), a]);
    }
  }
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += MAX_RECIPIENTS) {
      const part = group.slice(i, i + MAX_RECIPIENTS);
      add(
        inviteStep(
          part[0].desired,
          part.map((a) => a.guestUserId),
        ),
        part,
      );
    }
  }
  return out;
}

/** A drive item of a case as the seal needs it: where it sits in the folder tree. */
export interface SealItem {
  id: string;
  parentId: string | null;
  driveItemId: string | null;
}

/**
 * The items a staff-only seal cleans: the item itself and the items beneath it that hold unique
 * permissions of their own (an inherited permission goes with the item's own).
 */
export function sealTargets(item: SealItem & { driveItemId: string }, driveId: string, itemsOfCase: readonly SealItem[], uniqueItems: readonly SealItem[]): ItemRef[] {
  const byId = new Map(itemsOfCase.map((i) => [i.id, i]));
  const below = (candidate: { parentId: string | null }): boolean => {
    for (let at = candidate.parentId, depth = 0; at !== null && depth < 1000; depth++) {
      if (at === item.id) return true;
      at = byId.get(at)?.parentId ?? null;
    }
    return false;
  };
  return [{ driveId, itemId: item.driveItemId }, ...uniqueItems.filter((u) => u.driveItemId && below(u)).map((u) => ({ driveId, itemId: u.driveItemId as string }))];
}

/** The permissions a seal deletes: every direct one of a person who is not staff. */
export function sealDeletions(targets: readonly ItemRef[], actual: ActualPermissions, staffUserIds: ReadonlySet<string>): Array<{ target: ItemRef; permissionId: string }> {
  const out: Array<{ target: ItemRef; permissionId: string }> = [];
  for (const target of targets) {
    for (const p of directUserPermissions(actual.get(target.itemId) ?? [])) {
      const userId = userIdOf(p);
      if (userId && staffUserIds.has(userId.toLowerCase())) continue;
      out.push({ target, permissionId: p.id });
    }
  }
  return out;
}
