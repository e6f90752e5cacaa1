/**
 * Users and B2B invitations (learn.microsoft.com/graph/api/invitation-post,
 * learn.microsoft.com/graph/api/user-get, learn.microsoft.com/graph/api/user-list):
 * - POST /invitations creates a guest (userType Guest, externalUserState PendingAcceptance) and
 *   returns invitedUser + inviteRedeemUrl; inviting the same address again returns the same user;
 * - GET /users/{id|upn} returns the default property set unless $select asks for more
 *   (externalUserState must be $select-ed, as in Graph v1.0);
 * - GET /users?$filter=mail eq '…' (eq on mail, userPrincipalName, userType, externalUserState, id, joined by `and`);
 * - guests cannot enumerate the directory (403 Authorization_RequestDenied).
 */
import type { SimContext } from '../context';
import { GraphError } from '../web/errors';
import type { Router } from '../web/router';
import type { Caller, SimRequest } from '../web/types';
import { createUser, findUser, findUserByEmail } from '../state/directory';
import { newGuid } from '../state/ids';
import type { InvitationRecord, UserRecord } from '../state/model';
import { requireCaller } from './drives';
import { userJson } from './render';

const FILTERABLE = ['mail', 'userPrincipalName', 'userType', 'externalUserState', 'id', 'displayName'];

const userNotFound = (key: string) => new GraphError(404, 'Request_ResourceNotFound', `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`);
const insufficientPrivileges = () => new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');

function isGuestCaller(ctx: SimContext, caller: Caller): boolean {
  return caller.kind === 'user' && ctx.store.data.users[caller.userId]?.userType !== 'Member';
}

function parseSelect(req: SimRequest): string[] | null {
  const select = req.query.get('$select');
  return select
    ? select
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean)
    : null;
}

function parseFilter(filter: string): Array<{ property: string; value: string }> {
  const clauses = filter.split(/\s+and\s+/i);
  return clauses.map((clause) => {
    const match = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(clause);
    if (!match) throw new GraphError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property '${clause.trim()}'.`);
    const property = FILTERABLE.find((name) => name.toLowerCase() === match[1].toLowerCase());
    if (!property) throw new GraphError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property '${match[1]}' of resource 'User'.`);
    return { property, value: match[2].replace(/''/g, "'") };
  });
}

export function acceptInvitation(ctx: SimContext, user: UserRecord): void {
  if (user.userType !== 'Guest' || user.externalUserState === 'Accepted') return;
  user.externalUserState = 'Accepted';
  user.externalUserStateChangeDateTime = new Date().toISOString();
  ctx.store.markDirty();
}

export function invitationJson(ctx: SimContext, invitation: InvitationRecord, redeemBase: string): Record<string, unknown> {
  const user = ctx.store.data.users[invitation.userId];
  return {
    id: invitation.id,
    inviteRedeemUrl: `${redeemBase}/${invitation.tenantId}/redeem/${invitation.id}`,
    invitedUserDisplayName: invitation.invitedUserDisplayName,
    invitedUserType: 'Guest',
    invitedUserEmailAddress: invitation.invitedUserEmailAddress,
    sendInvitationMessage: invitation.sendInvitationMessage,
    resetRedemption: false,
    inviteRedirectUrl: invitation.inviteRedirectUrl,
    status: user?.externalUserState === 'Accepted' ? 'Completed' : 'PendingAcceptance',
    invitedUserMessageInfo: invitation.invitedUserMessageInfo ?? { messageLanguage: null, customizedMessageBody: null, ccRecipients: [{ emailAddress: { name: null, address: null } }] },
    invitedUser: { id: invitation.userId },
  };
}

export function registerDirectoryRoutes(router: Router, ctx: SimContext): void {
  router.add('GET', '/v1.0/me', async (req) => {
    const caller = requireCaller(req);
    if (caller.kind !== 'user') throw new GraphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
    return { status: 200, json: userJson(ctx.store.data.users[caller.userId], parseSelect(req)) };
  });

  router.add('GET', '/v1.0/users/{id}', async (req) => {
    const caller = requireCaller(req);
    const user = findUser(ctx.store.data, caller.tenantId, req.params.id);
    if (!user) throw userNotFound(req.params.id);
    if (isGuestCaller(ctx, caller) && caller.kind === 'user' && caller.userId !== user.id) throw insufficientPrivileges();
    return { status: 200, json: userJson(user, parseSelect(req)) };
  });

  router.add('GET', '/v1.0/users', async (req) => {
    const caller = requireCaller(req);
    if (isGuestCaller(ctx, caller)) throw insufficientPrivileges();
    const filter = req.query.get('$filter');
    const clauses = filter ? parseFilter(filter) : [];
    const select = parseSelect(req);
    const users = Object.values(ctx.store.data.users).filter(
      (user) => user.tenantId === caller.tenantId && clauses.every(({ property, value }) => String((user as unknown as Record<string, unknown>)[property] ?? '').toLowerCase() === value.toLowerCase()),
    );
    const top = Number(req.query.get('$top') ?? 100);
    return { status: 200, json: { value: users.slice(0, Math.max(1, Math.min(top, 999))).map((user) => userJson(user, select)) } };
  });

  router.add('POST', '/v1.0/invitations', async (req) => {
    const caller = requireCaller(req);
    if (isGuestCaller(ctx, caller)) throw insufficientPrivileges();
    const body = ((await req.body.json()) ?? {}) as Record<string, unknown>;
    const email = body.invitedUserEmailAddress;
    if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new GraphError(400, 'BadRequest', 'The invited user email address is invalid.');
    if (typeof body.inviteRedirectUrl !== 'string') throw new GraphError(400, 'BadRequest', 'The inviteRedirectUrl is required.');
    const tenant = ctx.store.data.tenants[caller.tenantId];
    let user = findUserByEmail(ctx.store.data, tenant.id, email);
    if (user && user.userType === 'Member') throw new GraphError(400, 'BadRequest', `The invited user already exists in the directory as object '${user.id}' and is a member of the organization.`);
    if (!user) {
      const displayName = typeof body.invitedUserDisplayName === 'string' ? body.invitedUserDisplayName : email;
      user = createUser(ctx.store, tenant, { displayName, mail: email, userType: 'Guest', externalUserState: 'PendingAcceptance' }, 'Invitation');
    }
    const invitation: InvitationRecord = {
      id: newGuid(),
      tenantId: tenant.id,
      userId: user.id,
      invitedUserEmailAddress: email,
      invitedUserDisplayName: typeof body.invitedUserDisplayName === 'string' ? body.invitedUserDisplayName : null,
      inviteRedirectUrl: body.inviteRedirectUrl,
      sendInvitationMessage: body.sendInvitationMessage === true,
      invitedUserMessageInfo: body.invitedUserMessageInfo ?? null,
      createdDateTime: new Date().toISOString(),
    };
    ctx.store.data.invitations[invitation.id] = invitation;
    ctx.store.markDirty();
    return { status: 201, json: invitationJson(ctx, invitation, ctx.urls.http) };
  });
}
