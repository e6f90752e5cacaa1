/**
 * SharePoint's permission model as Microsoft documents it:
 * - an item either inherits its permissions from its parent or holds unique ones; the drive root
 *   always holds its own (the site groups). An item's effective permissions are those of the
 *   nearest item, itself or an ancestor, that holds unique permissions. Listed, the ones that come
 *   from an ancestor look like the item's own: SharePoint document libraries don't return
 *   `inheritedFrom` (learn.microsoft.com/graph/api/resources/permission), so callers must know
 *   (or work out from the parent's list) which items hold unique permissions;
 * - the first direct share of an item breaks inheritance: the permissions it inherited are copied
 *   onto it, unless the invite says `retainInheritedPermissions: false`, and later changes on the
 *   parent no longer reach it (learn.microsoft.com/graph/api/driveitem-invite,
 *   learn.microsoft.com/graph/api/driveitem-createlink);
 * - app-only callers (Files/Sites .All) see everything in the tenant's sites;
 * - a delegated caller reads an item only when the item's effective permissions name them;
 *   tenant members also through a site group. Simplification: every member of the tenant counts
 *   as a member of the site's Members group, so an item whose effective permissions include a
 *   site group is writable by all staff, and one shared with retainInheritedPermissions: false
 *   (no site group copied) only by the staff named on it;
 * - a delegated caller may traverse (list) a folder that leads to something shared with them
 *   (SharePoint's "Limited Access"), and sees only the reachable children in it.
 */
import type { Caller } from '../web/types';
import type { DriveItemRecord, PermissionRecord, SimulatorData } from '../state/model';
import { newPermissionId } from '../state/ids';
import type { SimulatorStore } from '../state/store';

export type AccessLevel = 'none' | 'traverse' | 'read' | 'write';

const ROLE_RANK: Record<string, number> = { read: 1, write: 2, owner: 3 };

export function isActive(permission: PermissionRecord, now = Date.now()): boolean {
  return !permission.expirationDateTime || new Date(permission.expirationDateTime).getTime() > now;
}

/** Permissions held by the item itself, in creation order. */
export function directPermissions(data: SimulatorData, itemId: string): PermissionRecord[] {
  return Object.values(data.permissions)
    .filter((permission) => permission.itemId === itemId)
    .sort((a, b) => a.createdDateTime.localeCompare(b.createdDateTime));
}

export function holdsUniquePermissions(item: DriveItemRecord): boolean {
  return item.parentId === null || item.hasUniquePermissions === true;
}

/** The item whose role assignments apply to `item`: itself when unique, else the nearest such ancestor. */
export function permissionHolder(store: SimulatorStore, item: DriveItemRecord): DriveItemRecord {
  if (holdsUniquePermissions(item)) return item;
  return store.ancestors(item).find(holdsUniquePermissions) ?? item;
}

/** The item's effective permissions, each with the ancestor it is inherited from (null: the item's own). Only the simulator sees the latter. */
export function effectivePermissions(store: SimulatorStore, item: DriveItemRecord): Array<{ permission: PermissionRecord; inheritedFrom: DriveItemRecord | null }> {
  const holder = permissionHolder(store, item);
  return directPermissions(store.data, holder.id).map((permission) => ({ permission, inheritedFrom: holder.id === item.id ? null : holder }));
}

/**
 * Gives the item unique permissions, as SharePoint does on its first direct share: the inherited
 * role assignments are copied onto it (new permission ids, same grantees and roles) unless
 * `copyInherited` is false. Returns false when the item already held unique permissions.
 */
export function breakInheritance(store: SimulatorStore, item: DriveItemRecord, copyInherited: boolean): boolean {
  if (holdsUniquePermissions(item)) return false;
  if (copyInherited) {
    for (const inherited of directPermissions(store.data, permissionHolder(store, item).id)) {
      const copy: PermissionRecord = { ...inherited, id: newPermissionId(), driveId: item.driveId, itemId: item.id, roles: [...inherited.roles], grantee: { ...inherited.grantee } };
      store.data.permissions[copy.id] = copy;
    }
  }
  item.hasUniquePermissions = true;
  store.markDirty();
  return true;
}

type CallerKind = 'app' | 'member' | 'guest';

export class AccessEvaluator {
  private readonly kind: CallerKind;
  /** For delegated callers: item id → roles their own (user) permissions give there. */
  private readonly grantedRoleByItem = new Map<string, string[]>();
  /** Items holding a site-group permission (which, for members, stands for "all staff"). */
  private readonly siteGroupHolders = new Set<string>();

  constructor(
    private readonly store: SimulatorStore,
    private readonly caller: Caller,
  ) {
    const user = caller.kind === 'user' ? store.data.users[caller.userId] : undefined;
    this.kind = caller.kind === 'app' ? 'app' : !user || user.userType === 'Guest' ? 'guest' : 'member';
    if (this.kind === 'app') return;
    const userId = (caller as Extract<Caller, { kind: 'user' }>).userId;
    for (const permission of Object.values(store.data.permissions)) {
      if (!isActive(permission)) continue;
      if (permission.grantee.kind === 'siteGroup') this.siteGroupHolders.add(permission.itemId);
      else if (permission.grantee.userId === userId) {
        this.grantedRoleByItem.set(permission.itemId, [...(this.grantedRoleByItem.get(permission.itemId) ?? []), ...permission.roles]);
      }
    }
  }

  isGuest(): boolean {
    return this.kind === 'guest';
  }

  /** True for app-only and staff callers (deleted items in delta, every permission of an item). */
  seesEverything(): boolean {
    return this.kind !== 'guest';
  }

  /**
   * Whether the caller is told about this permission when listing an item's permissions: "for a
   * non-owner caller, only the sharing permissions that apply to the caller are returned"
   * (learn.microsoft.com/graph/api/driveitem-list-permissions). Guests are never owners; staff
   * keep seeing every permission (simplification: they are treated as site owners here).
   */
  seesPermission(permission: PermissionRecord): boolean {
    if (this.kind !== 'guest') return true;
    return permission.grantee.kind === 'user' && permission.grantee.userId === (this.caller as Extract<Caller, { kind: 'user' }>).userId;
  }

  level(item: DriveItemRecord): AccessLevel {
    if (this.kind === 'app') return 'write';
    const holder = permissionHolder(this.store, item);
    if (this.kind === 'member' && this.siteGroupHolders.has(holder.id)) return 'write';
    let best = 0;
    for (const role of this.grantedRoleByItem.get(holder.id) ?? []) best = Math.max(best, ROLE_RANK[role] ?? 0);
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
