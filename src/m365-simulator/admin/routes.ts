/**
 * The seed/inspection API under /_admin (loopback only). It does what a tenant administrator,
 * a SharePoint user or the passing of time would do, so tests can set scenes and look behind them.
 */
import { z } from 'zod';
import type { SimContext } from '../context';
import { GraphError } from '../web/errors';
import type { Router } from '../web/router';
import type { SimRequest, SimResponse } from '../web/types';
import { GRAPH_RESOURCE } from '../identity/tokens';
import { createApp, createGroup, createTenant, createUser, findUser, findUserByEmail } from '../state/directory';
import { newPermissionId } from '../state/ids';
import { type InstallationTarget, InstallationError, installTeamsApp, publishTeamsApp, uninstallTeamsApp } from '../state/installations';
import type { PermissionRecord } from '../state/model';
import { breakInheritance } from '../graph/access';
import { acceptInvitation } from '../graph/directory';
import { mailTo } from '../graph/mail';
import { commitFile, mimeTypeFor } from '../graph/files';
import { createChannel, createTeam } from '../graph/teams';
import { driveItemJson, permissionJson } from '../graph/render';

const appInput = z
  .object({
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    displayName: z.string().optional(),
    identifierUris: z.array(z.string()).optional(),
    redirectUris: z.array(z.string()).optional(),
    spaRedirectUris: z.array(z.string()).optional(),
    implicitGrant: z.object({ enableAccessTokenIssuance: z.boolean(), enableIdTokenIssuance: z.boolean() }).strict().optional(),
    graphAppRoles: z.array(z.string()).optional(),
    graphDelegatedScopes: z.array(z.string()).optional(),
  })
  .strict();

const tenantInput = z.object({ tenantId: z.string().optional(), domain: z.string().optional(), displayName: z.string().optional(), app: appInput.optional() }).strict();

const userInput = z
  .object({
    id: z.string().optional(),
    displayName: z.string().min(1),
    mail: z.string().email(),
    userType: z.enum(['Member', 'Guest']).optional(),
    externalUserState: z.enum(['PendingAcceptance', 'Accepted']).optional(),
    givenName: z.string().optional(),
    surname: z.string().optional(),
    jobTitle: z.string().optional(),
    userPrincipalName: z.string().optional(),
    roleTemplateIds: z.array(z.string()).optional(),
  })
  .strict();
const groupInput = z
  .object({
    id: z.string().optional(),
    displayName: z.string().min(1),
    description: z.string().optional(),
    securityEnabled: z.boolean().optional(),
    mailEnabled: z.boolean().optional(),
    memberIds: z.array(z.string()).optional(),
  })
  .strict();

const knobsInput = z
  .object({
    latencyMs: z.number().min(0),
    resourceUnitsPerMinute: z.number().min(0),
    faultRate: z.number().min(0).max(1),
    faultKinds: z.array(z.enum(['429', '503', 'reset'])),
    resetAfterProcessingShare: z.number().min(0).max(1),
    teamProvisioningMs: z.number().min(0),
    maxChannelsPerTeam: z.number().int().min(1),
    tokenLifetimeSeconds: z.number().int().min(1),
    subscriptionValidationTimeoutMs: z.number().int().min(1),
    notificationCoalesceMs: z.number().int().min(0),
  })
  .partial()
  .strict();

const tokenInput = z.object({ tenantId: z.string(), clientId: z.string(), userId: z.string().optional(), audience: z.string().optional(), scopes: z.array(z.string()).optional(), lifetimeSeconds: z.number().int().optional() }).strict();
const handPermissionInput = z.object({ userId: z.string().optional(), email: z.string().optional(), roles: z.array(z.enum(['read', 'write'])).min(1) }).strict();
const handFileInput = z.object({ name: z.string().min(1), text: z.string().optional(), contentBase64: z.string().optional(), userId: z.string().optional() }).strict();

const teamsAppInput = z
  .object({
    id: z.string().min(1),
    clientId: z.string().min(1),
    displayName: z.string().optional(),
    botId: z.string().nullable().optional(),
    resourceSpecificPermissions: z.array(z.string()).optional(),
    activityTypes: z.array(z.string()).optional(),
  })
  .strict();
const teamInput = z
  .object({
    displayName: z.string().min(1),
    description: z.string().optional(),
    ownerUserIds: z.array(z.string()).default([]),
    memberUserIds: z.array(z.string()).default([]),
    channels: z.array(z.string().min(1)).default([]),
  })
  .strict();
const mailboxScopeInput = z.object({ mailboxes: z.array(z.string().min(1)).nullable() }).strict();
const installInput = z.object({ teamsAppId: z.string().min(1), installedBy: z.string().optional() }).strict();

const badRequest = (message: string) => new GraphError(400, 'badRequest', message);

async function parse<T>(req: SimRequest, schema: z.ZodType<T>): Promise<T> {
  const result = schema.safeParse((await req.body.json()) ?? {});
  if (!result.success) throw badRequest(result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
  return result.data;
}

export interface AdminHooks {
  resetCounters(): void;
  caCertPem: string;
}

export function registerAdminRoutes(router: Router, ctx: SimContext, hooks: AdminHooks): void {
  const data = () => ctx.store.data;
  const tenantOr404 = (tenantId: string) => {
    const tenant = data().tenants[tenantId.toLowerCase()];
    if (!tenant) throw new GraphError(404, 'notFound', `Tenant ${tenantId} does not exist.`);
    return tenant;
  };
  const ok = (json: unknown, status = 200): SimResponse => ({ status, json });

  router.add('POST', '/_admin/tenants', async (req) => {
    const input = await parse(req, tenantInput);
    const tenant = createTenant(ctx.store, input);
    const app = createApp(ctx.store, tenant, input.app ?? {});
    const rootSite = data().sites[tenant.rootSiteId];
    return ok({ tenant, app, rootSiteId: rootSite.id, rootDriveId: rootSite.driveId, authority: `${ctx.urls.https}/${tenant.id}` }, 201);
  });
  router.add('POST', '/_admin/tenants/{tenantId}/apps', async (req) => ok(createApp(ctx.store, tenantOr404(req.params.tenantId), await parse(req, appInput)), 201));
  router.add('POST', '/_admin/tenants/{tenantId}/users', async (req) => {
    const tenant = tenantOr404(req.params.tenantId);
    const input = await parse(req, userInput);
    try {
      return ok(createUser(ctx.store, tenant, input, null), 201);
    } catch (error) {
      throw new GraphError(409, 'conflict', (error as Error).message);
    }
  });

  // Entra groups, as an admin makes them in the Entra admin center.
  router.add('POST', '/_admin/tenants/{tenantId}/groups', async (req) => ok(createGroup(ctx.store, tenantOr404(req.params.tenantId), await parse(req, groupInput)), 201));
  router.add('POST', '/_admin/groups/{groupId}/members', async (req) => {
    const group = data().groups[req.params.groupId.toLowerCase()];
    if (!group) throw new GraphError(404, 'Request_ResourceNotFound', `Resource '${req.params.groupId}' does not exist.`);
    const { memberId } = await parse(req, z.object({ memberId: z.string() }).strict());
    if (!group.memberIds.includes(memberId.toLowerCase())) group.memberIds.push(memberId.toLowerCase());
    ctx.store.markDirty();
    return ok(group);
  });
  router.add('DELETE', '/_admin/groups/{groupId}/members/{memberId}', async (req) => {
    const group = data().groups[req.params.groupId.toLowerCase()];
    if (!group) throw new GraphError(404, 'Request_ResourceNotFound', `Resource '${req.params.groupId}' does not exist.`);
    group.memberIds = group.memberIds.filter((m) => m !== req.params.memberId.toLowerCase());
    ctx.store.markDirty();
    return { status: 204, empty: true };
  });

  // The Teams app catalog and installations: what a Teams admin and a team owner (or the user, for
  // the personal app) do by hand. Installing is what grants the app's RSC permissions there and
  // what lets its bot and activity notifications reach that team or user.
  const installationFailure = (error: unknown): never => {
    if (error instanceof InstallationError) throw new GraphError(error.status, error.status === 409 ? 'Conflict' : 'NotFound', error.message);
    throw error;
  };
  router.add('POST', '/_admin/tenants/{tenantId}/teamsApps', async (req) => {
    const tenant = tenantOr404(req.params.tenantId);
    const input = await parse(req, teamsAppInput);
    try {
      return ok(publishTeamsApp(ctx.store, tenant, input), 201);
    } catch (error) {
      return installationFailure(error);
    }
  });
  // What a Teams admin does in the admin centre (or a user in Teams): make a team, ready at once, with
  // its owners, members and a few channels. CaseRoom never creates teams; it adopts the ones it is installed in.
  router.add('POST', '/_admin/tenants/{tenantId}/teams', async (req) => {
    const tenant = tenantOr404(req.params.tenantId);
    const input = await parse(req, teamInput);
    const person = (userId: string) => {
      const user = data().users[userId.toLowerCase()];
      if (!user || user.tenantId !== tenant.id) throw new GraphError(404, 'notFound', `User ${userId} does not exist in the tenant.`);
      return user.id;
    };
    const members = [...input.ownerUserIds.map((id) => ({ userId: person(id), roles: ['owner'] })), ...input.memberUserIds.map((id) => ({ userId: person(id), roles: [] }))];
    const team = createTeam(ctx, tenant, { displayName: input.displayName, description: input.description ?? null, visibility: 'private', members, provisioningMs: 0 });
    const channels = input.channels.map((displayName) => createChannel(ctx, team, { displayName, membershipType: 'standard' }));
    return ok({ team, channels }, 201);
  });
  const installAt = async (req: SimRequest, target: InstallationTarget): Promise<SimResponse> => {
    const input = await parse(req, installInput);
    let installed;
    try {
      installed = installTeamsApp(ctx.store, input.teamsAppId, target, input.installedBy ?? null);
    } catch (error) {
      return installationFailure(error);
    }
    try {
      await ctx.installations.emit({ action: 'add', ...installed });
    } catch (error) {
      // As in Teams, an install whose bot cannot be reached fails as a whole.
      uninstallTeamsApp(ctx.store, installed.installation.id, target);
      throw new GraphError(502, 'BadGateway', `The app could not be installed: ${(error as Error).message}`);
    }
    return ok(installed.installation, 201);
  };
  const uninstallAt = async (installationId: string, target: InstallationTarget): Promise<SimResponse> => {
    let removed;
    try {
      removed = uninstallTeamsApp(ctx.store, installationId, target);
    } catch (error) {
      return installationFailure(error);
    }
    await ctx.installations.emit({ action: 'remove', ...removed }).catch((error: unknown) => ctx.log.warn('simulator: uninstall listener failed', { error: String(error) }));
    return { status: 204, empty: true };
  };
  router.add('POST', '/_admin/teams/{teamId}/installedApps', async (req) => installAt(req, { teamId: req.params.teamId }));
  router.add('DELETE', '/_admin/teams/{teamId}/installedApps/{installationId}', async (req) => uninstallAt(req.params.installationId, { teamId: req.params.teamId }));
  router.add('POST', '/_admin/users/{userId}/installedApps', async (req) => installAt(req, { userId: req.params.userId.toLowerCase() }));
  router.add('DELETE', '/_admin/users/{userId}/installedApps/{installationId}', async (req) => uninstallAt(req.params.installationId, { userId: req.params.userId.toLowerCase() }));
  router.add('GET', '/_admin/installations', async () => ok({ value: Object.values(data().appInstallations) }));

  router.add('POST', '/_admin/tokens', async (req) => {
    const input = await parse(req, tokenInput);
    const tenant = tenantOr404(input.tenantId);
    const app = data().apps[input.clientId.toLowerCase()];
    if (!app || app.tenantId !== tenant.id) throw new GraphError(404, 'notFound', `App ${input.clientId} is not registered in tenant ${tenant.id}.`);
    const audience = input.audience ?? GRAPH_RESOURCE;
    if (!input.userId) return ok({ access_token: await ctx.tokens.appToken(tenant, app, audience, audience === GRAPH_RESOURCE ? app.graphAppRoles : [], input.lifetimeSeconds) });
    const user = data().users[input.userId.toLowerCase()];
    if (!user || user.tenantId !== tenant.id) throw new GraphError(404, 'notFound', `User ${input.userId} does not exist in tenant ${tenant.id}.`);
    const scopes = input.scopes ?? (audience === GRAPH_RESOURCE ? app.graphDelegatedScopes : ['access_as_user']);
    return ok({ access_token: await ctx.tokens.userToken(tenant, user, app, audience, scopes, input.lifetimeSeconds) });
  });

  router.add('POST', '/_admin/reset', async () => {
    await ctx.store.reset();
    hooks.resetCounters();
    return { status: 204, empty: true };
  });

  router.add('GET', '/_admin/knobs', async () => ok(ctx.knobs));
  router.add('POST', '/_admin/knobs', async (req) => {
    Object.assign(ctx.knobs, await parse(req, knobsInput));
    return ok(ctx.knobs);
  });

  router.add('GET', '/_admin/stats', async () => ok(ctx.stats.toJSON()));
  router.add('POST', '/_admin/stats/reset', async () => {
    hooks.resetCounters();
    return { status: 204, empty: true };
  });
  router.add('GET', '/_admin/state', async () => ok(data()));
  router.add('GET', '/_admin/activity-notifications', async () => ok({ value: data().activityNotifications }));
  router.add('GET', '/_admin/sharing-emails', async () => ok({ value: data().sharingEmails }));
  // Mail delivered through sendMail, one record per recipient; ?to= narrows to one address.
  router.add('GET', '/_admin/mail', async (req) => ok({ value: mailTo(data(), req.query.get('to')) }));
  // What an Exchange administrator does with RBAC for Applications (a management scope) or an
  // application access policy (RestrictAccess): the app's mail permissions reach only these
  // mailboxes (ids, UPNs or addresses). null lifts the restriction.
  router.add('PUT', '/_admin/tenants/{tenantId}/apps/{clientId}/mailbox-scope', async (req) => {
    const tenant = tenantOr404(req.params.tenantId);
    const app = data().apps[req.params.clientId.toLowerCase()];
    if (!app || app.tenantId !== tenant.id) throw new GraphError(404, 'notFound', `App ${req.params.clientId} is not registered in tenant ${tenant.id}.`);
    const input = await parse(req, mailboxScopeInput);
    app.mailboxScope =
      input.mailboxes?.map((name) => {
        const user = findUser(data(), tenant.id, name) ?? findUserByEmail(data(), tenant.id, name);
        if (!user) throw badRequest(`No mailbox '${name}' in tenant ${tenant.id}.`);
        return user.id;
      }) ?? null;
    ctx.store.markDirty();
    return ok({ clientId: app.clientId, mailboxScope: app.mailboxScope });
  });
  // Every Graph call's permission check (cleared with the stats): which template matched, with what token, granted by what.
  router.add('GET', '/_admin/graph-calls', async () => ok({ value: ctx.stats.graphCalls }));
  router.add('GET', '/_admin/webhook-deliveries', async () => ok({ value: ctx.stats.webhookDeliveries }));
  router.add('GET', '/_admin/ca.crt', async () => ({ status: 200, text: hooks.caCertPem, contentType: 'application/x-pem-file' }));

  router.add('POST', '/_admin/invitations/{id}/accept', async (req) => {
    const invitation = data().invitations[req.params.id];
    const user = data().users[invitation?.userId ?? req.params.id.toLowerCase()];
    if (!user || user.userType !== 'Guest') throw new GraphError(404, 'notFound', `No invitation or guest user '${req.params.id}'.`);
    acceptInvitation(ctx, user);
    return ok(user);
  });

  const liveItemOr404 = (driveId: string, itemId: string) => {
    const drive = data().drives[driveId];
    const item = itemId === 'root' && drive ? data().items[drive.rootItemId] : ctx.store.liveItem(itemId);
    if (!drive || !item || item.driveId !== drive.id) throw new GraphError(404, 'notFound', 'No such drive item.');
    return { drive, item };
  };

  // A permission added by hand in SharePoint (not through CaseRoom): drift for the reconciler to find.
  router.add('POST', '/_admin/drives/{driveId}/items/{itemId}/permissions', async (req) => {
    const { drive, item } = liveItemOr404(req.params.driveId, req.params.itemId);
    const input = await parse(req, handPermissionInput);
    const user = input.userId ? data().users[input.userId.toLowerCase()] : input.email ? findUserByEmail(data(), drive.tenantId, input.email) : undefined;
    if (!user || user.tenantId !== drive.tenantId) throw badRequest('userId or email must name a user of the tenant.');
    // Sharing by hand in SharePoint breaks inheritance the same way an invite does.
    breakInheritance(ctx.store, item, true);
    const permission: PermissionRecord = {
      id: newPermissionId(),
      driveId: drive.id,
      itemId: item.id,
      roles: input.roles.includes('write') ? ['write'] : ['read'],
      grantee: { kind: 'user', userId: user.id },
      invitationEmail: user.userType === 'Guest' ? user.mail : null,
      signInRequired: true,
      expirationDateTime: null,
      createdDateTime: new Date().toISOString(),
      origin: 'admin',
    };
    data().permissions[permission.id] = permission;
    ctx.store.recordSharingChange(drive.id, item.id, [user.id]);
    return ok(permissionJson(ctx, permission), 201);
  });
  router.add('DELETE', '/_admin/drives/{driveId}/items/{itemId}/permissions/{permissionId}', async (req) => {
    const { drive, item } = liveItemOr404(req.params.driveId, req.params.itemId);
    const permission = data().permissions[req.params.permissionId];
    if (!permission || permission.itemId !== item.id) throw new GraphError(404, 'notFound', 'No such permission on this item.');
    delete data().permissions[permission.id];
    ctx.store.recordSharingChange(drive.id, item.id, permission.grantee.kind === 'user' ? [permission.grantee.userId] : []);
    return { status: 204, empty: true };
  });
  // A file uploaded straight into SharePoint by a person (outside CaseRoom).
  router.add('POST', '/_admin/drives/{driveId}/items/{itemId}/files', async (req) => {
    const { drive, item } = liveItemOr404(req.params.driveId, req.params.itemId);
    const input = await parse(req, handFileInput);
    const content = input.contentBase64 !== undefined ? Buffer.from(input.contentBase64, 'base64') : Buffer.from(input.text ?? '');
    const user = input.userId ? data().users[input.userId.toLowerCase()] : undefined;
    if (input.userId && !user) throw badRequest(`Unknown user ${input.userId}.`);
    const blob = await ctx.store.writeBlobFromBuffer(content);
    const actor = user ? { kind: 'user' as const, userId: user.id } : { kind: 'app' as const, appId: 'sharepoint' };
    const { item: file } = await commitFile(ctx, drive, item, input.name, 'rename', blob, actor);
    file.mimeType = mimeTypeFor(file.name);
    return ok(driveItemJson(ctx, file, { origin: req.origin }), 201);
  });
}
