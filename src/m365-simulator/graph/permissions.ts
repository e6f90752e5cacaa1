/**
 * driveItem: invite, and the item's permissions (list/get/patch/delete).
 * Rules modelled:
 * - learn.microsoft.com/graph/api/driveitem-invite: new guests cannot be invited with app-only
 *   access, existing guests and members can; roles are read/write; the first share of an item
 *   copies its inherited permissions onto it and breaks inheritance unless
 *   retainInheritedPermissions is false (see access.ts); expirationDateTime "is only applicable
 *   for sharingLink permissions" on OneDrive for Business and SharePoint, so on a direct
 *   permission it is accepted and ignored: not stored, not enforced, not returned;
 * - learn.microsoft.com/graph/api/permission-delete: "only sharing permissions that aren't
 *   inherited can be deleted" (no status is documented; we answer 403 accessDenied, the stricter
 *   reading); the same for permission-update;
 * - learn.microsoft.com/graph/api/driveitem-list-permissions: a non-owner caller gets only the
 *   permissions that apply to them, without shareId (a secret for those who can share).
 */
import { GraphError, accessDenied, invalidRequest, notFound } from '../web/errors';
import type { SimResponse } from '../web/types';
import { createUser, findUserByEmail } from '../state/directory';
import { newGuid, newPermissionId } from '../state/ids';
import type { DriveItemRecord, PermissionRecord, UserRecord } from '../state/model';
import { breakInheritance, effectivePermissions } from './access';
import { requireActionBody } from './actionBody';
import { existingItem, requireAccess, type DriveCall } from './drives';
import { permissionJson } from './render';

const INVITE_PARAMETERS = ['recipients', 'roles', 'requireSignIn', 'sendInvitation', 'message', 'expirationDateTime', 'retainInheritedPermissions', 'password'] as const;
const GRANTABLE_ROLES = ['read', 'write'];
const MESSAGE_MAX_LENGTH = 2000;

function forbidGuests(call: DriveCall): void {
  if (call.access.isGuest()) throw accessDenied('Access denied. You do not have permission to perform this action or access this resource.');
}

function parseRoles(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidRequest('roles must be a non-empty collection.');
  for (const role of value) if (typeof role !== 'string' || !GRANTABLE_ROLES.includes(role)) throw invalidRequest(`Invalid role '${String(role)}'. Valid values: read, write.`);
  // "write" includes "read"; SharePoint keeps the highest role only.
  return value.includes('write') ? ['write'] : ['read'];
}

export async function handleInvite(call: DriveCall): Promise<SimResponse> {
  const item = existingItem(call);
  requireAccess(call.access, item, 'read');
  forbidGuests(call);
  const body = requireActionBody(await call.req.body.json(), 'invite', INVITE_PARAMETERS);
  if (!Array.isArray(body.recipients) || body.recipients.length === 0) throw invalidRequest('recipients must be a non-empty collection.');
  const roles = parseRoles(body.roles);
  for (const flag of ['requireSignIn', 'sendInvitation', 'retainInheritedPermissions'] as const) {
    if (body[flag] !== undefined && typeof body[flag] !== 'boolean') throw invalidRequest(`${flag} must be a Boolean.`);
  }
  if (body.message !== undefined && (typeof body.message !== 'string' || body.message.length > MESSAGE_MAX_LENGTH)) throw invalidRequest(`message must be a string of at most ${MESSAGE_MAX_LENGTH} characters.`);
  if (body.password !== undefined) throw invalidRequest('password is supported on OneDrive personal only.');
  // Still a DateTimeOffset for Graph's deserializer, but ignored on a direct permission (see top).
  if (body.expirationDateTime !== undefined && body.expirationDateTime !== null) {
    const parsed = typeof body.expirationDateTime === 'string' ? new Date(body.expirationDateTime) : new Date(NaN);
    if (Number.isNaN(parsed.getTime())) throw invalidRequest('expirationDateTime is not a valid date.');
  }
  const requireSignIn = body.requireSignIn === true;
  const sendInvitation = body.sendInvitation === true;

  // Resolve every recipient first so that a bad one leaves nothing half-shared.
  const tenant = call.ctx.store.data.tenants[call.caller.tenantId];
  const resolved: Array<{ user: UserRecord | null; email: string }> = [];
  for (const recipient of body.recipients as unknown[]) {
    if (!recipient || typeof recipient !== 'object') throw invalidRequest('Each recipient must be a driveRecipient object.');
    const { email, objectId, alias } = recipient as { email?: unknown; objectId?: unknown; alias?: unknown };
    if (typeof objectId === 'string') {
      const user = call.ctx.store.data.users[objectId.toLowerCase()];
      if (!user || user.tenantId !== tenant.id) throw invalidRequest(`The recipient with objectId '${objectId}' could not be resolved.`);
      resolved.push({ user, email: user.mail });
      continue;
    }
    const address = typeof email === 'string' ? email : typeof alias === 'string' ? alias : null;
    if (!address || !address.includes('@')) throw invalidRequest('Each recipient needs an email or objectId.');
    const user = findUserByEmail(call.ctx.store.data, tenant.id, address) ?? null;
    if (!user && call.caller.kind === 'app') {
      throw invalidRequest(`New guests can't be invited using app-only access: '${address}' is not a user of this tenant. Invite the guest to the tenant first (POST /invitations).`);
    }
    resolved.push({ user, email: address });
  }

  const now = new Date().toISOString();
  breakInheritance(call.ctx.store, item, body.retainInheritedPermissions !== false);
  const granted: PermissionRecord[] = [];
  for (const entry of resolved) {
    // A delegated (staff) share with someone new creates the B2B guest, as SharePoint does.
    const user = entry.user ?? createUser(call.ctx.store, tenant, { displayName: entry.email, mail: entry.email, userType: 'Guest', externalUserState: 'PendingAcceptance' }, 'Invitation');
    const existing = Object.values(call.ctx.store.data.permissions).find((permission) => permission.itemId === item.id && permission.grantee.kind === 'user' && permission.grantee.userId === user.id);
    if (existing) {
      if (roles.includes('write') && !existing.roles.includes('write')) existing.roles = ['write'];
      granted.push(existing);
    } else {
      const permission: PermissionRecord = {
        id: newPermissionId(),
        driveId: item.driveId,
        itemId: item.id,
        roles,
        grantee: { kind: 'user', userId: user.id },
        invitationEmail: user.userType === 'Guest' ? user.mail : null,
        signInRequired: requireSignIn || user.userType !== 'Guest',
        expirationDateTime: null,
        createdDateTime: now,
        origin: 'graph',
      };
      call.ctx.store.data.permissions[permission.id] = permission;
      granted.push(permission);
    }
    if (sendInvitation) {
      call.ctx.store.data.sharingEmails.push({ id: newGuid(), tenantId: tenant.id, to: user.mail, itemId: item.id, driveId: item.driveId, message: typeof body.message === 'string' ? body.message : null, roles, sentDateTime: now });
    }
  }
  // A change of sharing only: delta reports it to the invitees alone (Store.recordSharingChange).
  call.ctx.store.recordSharingChange(
    item.driveId,
    item.id,
    granted.flatMap((permission) => (permission.grantee.kind === 'user' ? [permission.grantee.userId] : [])),
  );
  return { status: 200, json: { value: granted.map((permission) => permissionJson(call.ctx, permission)) } };
}

/** The item's permissions as this caller may see them (driveitem-list-permissions; also `$expand=permissions`). */
export function visiblePermissionsJson(call: Pick<DriveCall, 'ctx' | 'access'>, item: DriveItemRecord): Record<string, unknown>[] {
  const forOwner = call.access.seesEverything();
  return effectivePermissions(call.ctx.store, item)
    .filter(({ permission }) => call.access.seesPermission(permission))
    .map(({ permission }) => permissionJson(call.ctx, permission, { includeShareId: forOwner }));
}

export async function handlePermissions(call: DriveCall, permissionId: string): Promise<SimResponse> {
  const item = existingItem(call);
  // Limited Access (traverse) is not access to the item: its permissions are not the caller's business.
  requireAccess(call.access, item, call.access.isGuest() ? 'read' : 'traverse');
  if (call.req.method !== 'GET') forbidGuests(call);
  if (!permissionId) {
    if (call.req.method === 'GET') return { status: 200, json: { value: visiblePermissionsJson(call, item) } };
    throw new GraphError(405, 'invalidRequest', 'Create permissions with POST …/invite.');
  }
  const entry = effectivePermissions(call.ctx.store, item).find(({ permission }) => permission.id === decodeURIComponent(permissionId));
  if (!entry || !call.access.seesPermission(entry.permission)) throw notFound('The permission could not be found.');
  const { permission, inheritedFrom } = entry;
  switch (call.req.method) {
    case 'GET':
      return { status: 200, json: permissionJson(call.ctx, permission, { includeShareId: call.access.seesEverything() }) };
    case 'PATCH': {
      if (inheritedFrom) throw accessDenied('This item inherits its permissions: change the permission on the item it is inherited from.');
      if (permission.grantee.kind !== 'user') throw accessDenied('Site group permissions cannot be changed through this API.');
      const body = requireActionBody(await call.req.body.json(), 'permission update', ['roles']);
      permission.roles = parseRoles(body.roles);
      call.ctx.store.recordSharingChange(item.driveId, item.id, [permission.grantee.userId]);
      return { status: 200, json: permissionJson(call.ctx, permission) };
    }
    case 'DELETE': {
      if (inheritedFrom) throw accessDenied('This item inherits its permissions: delete the permission on the item it is inherited from.');
      if (permission.grantee.kind !== 'user') throw accessDenied('Site group permissions cannot be deleted through this API.');
      delete call.ctx.store.data.permissions[permission.id];
      call.ctx.store.recordSharingChange(item.driveId, item.id, [permission.grantee.userId]);
      return { status: 204, empty: true };
    }
    default:
      throw new GraphError(405, 'invalidRequest', 'Method not allowed.');
  }
}
