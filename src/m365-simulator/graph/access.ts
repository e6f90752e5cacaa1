/**
 * SharePoint's permission model as CaseRoom relies on it:
 * - permissions on a folder apply to everything below it (inheritance);
 * - app-only callers and members of the tenant (staff) see everything in the firm's sites;
 * - a guest sees an item only when they, on that item or an ancestor, hold a permission;
 * - a guest may traverse (list) a folder that leads to something shared with them
 *   (SharePoint's "Limited Access"), and sees only the reachable children in it.
 * Simplification: sharing an item does not break inheritance here (SharePoint copies the
 * inherited permissions onto the item); effective access is the same for CaseRoom's flows.
 */
import type { Caller } from '../web/types';
import type { DriveItemRecord, PermissionRecord, SimulatorData } from '../state/model';
import type { SimulatorStore } from '../state/store';

export type AccessLevel = 'none' | 'traverse' | 'read' | 'write';

const ROLE_RANK: Record<string, number> = { read: 1, write: 2, owner: 3 };

export function isActive(permission: PermissionRecord, now = Date.now()): boolean {
  return !permission.expirationDateTime || new Date(permission.expirationDateTime).getTime() > now;
}

/** Direct permissions of an item, in creation order. */
export function directPermissions(data: SimulatorData, itemId: string): PermissionRecord[] {
  return Object.values(data.permissions)
    .filter((permission) => permission.itemId === itemId)
    .sort((a, b) => a.createdDateTime.localeCompare(b.createdDateTime));
}

/** Direct first, then inherited from the nearest ancestor upward. */
export function effectivePermissions(store: SimulatorStore, item: DriveItemRecord): Array<{ permission: PermissionRecord; inheritedFrom: DriveItemRecord | null }> {
  const result = directPermissions(store.data, item.id).map((permission) => ({ permission, inheritedFrom: null as DriveItemRecord | null }));
  for (const ancestor of store.ancestors(item)) {
    for (const permission of directPermissions(store.data, ancestor.id)) result.push({ permission, inheritedFrom: ancestor });
  }
  return result;
}

export class AccessEvaluator {
  private readonly grantedRoleByItem = new Map<string, string[]>();

  constructor(
    private readonly store: SimulatorStore,
    private readonly caller: Caller,
  ) {
    if (this.isGuest()) {
      const userId = (caller as Extract<Caller, { kind: 'user' }>).userId;
      for (const permission of Object.values(store.data.permissions)) {
        if (permission.grantee.kind === 'user' && permission.grantee.userId === userId && isActive(permission)) {
          this.grantedRoleByItem.set(permission.itemId, [...(this.grantedRoleByItem.get(permission.itemId) ?? []), ...permission.roles]);
        }
      }
    }
  }

  isGuest(): boolean {
    if (this.caller.kind !== 'user') return false;
    const user = this.store.data.users[this.caller.userId];
    return !user || user.userType === 'Guest';
  }

  /** True for app-only and staff callers: no filtering at all. */
  seesEverything(): boolean {
    return !this.isGuest();
  }

  level(item: DriveItemRecord): AccessLevel {
    if (this.seesEverything()) return 'write';
    let best = 0;
    for (const entry of [item, ...this.store.ancestors(item)]) {
      for (const role of this.grantedRoleByItem.get(entry.id) ?? []) best = Math.max(best, ROLE_RANK[role] ?? 0);
    }
    if (best >= ROLE_RANK.write) return 'write';
    if (best >= ROLE_RANK.read) return 'read';
    return this.leadsToGrantedItem(item) ? 'traverse' : 'none';
  }

  private leadsToGrantedItem(item: DriveItemRecord): boolean {
    for (const grantedId of this.grantedRoleByItem.keys()) {
      const granted = this.store.liveItem(grantedId);
      if (granted && granted.driveId === item.driveId && this.store.ancestors(granted).some((ancestor) => ancestor.id === item.id)) return true;
    }
    return false;
  }
}
