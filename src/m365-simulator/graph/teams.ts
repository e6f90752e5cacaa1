/**
 * Teams, channels, members and activity notifications:
 * - POST /teams answers 202 with Location of a teamsAsyncOperation; the team appears when the
 *   operation succeeded (learn.microsoft.com/graph/api/team-post); app-only creation needs an owner;
 * - each team gets its own SharePoint site and document library; a channel's files folder is
 *   created in it the first time filesFolder is read (learn.microsoft.com/graph/api/channel-get-filesfolder);
 * - 1,000 channels per team, channels deleted in the last 30 days included
 *   (learn.microsoft.com/microsoftteams/limits-specifications-teams) → 403 Forbidden;
 * - standard channels have the team's members; members can be added to private/shared channels only;
 * - sendActivityNotification (team and user variants) is recorded for tests
 *   (learn.microsoft.com/graph/api/team-sendactivitynotification); its requirements are enforced
 *   (learn.microsoft.com/graph/teams-send-activityfeednotifications#requirements-for-using-the-activity-feed-notification-apis):
 *   a text topic's webUrl must be a Teams link, the activity type declared in the sender's Teams
 *   app manifest (or the reserved systemDefault), and the app installed for the recipient
 *   (user variant: a personal installation; team variant: installed in the team). Learn documents no
 *   error bodies for these, so the stricter reading: 400 BadRequest for the request's own faults,
 *   403 Forbidden when the recipient does not have the app.
 */
import type { SimContext } from '../context';
import { GraphError, notFound } from '../web/errors';
import type { Router } from '../web/router';
import type { Caller, SimRequest } from '../web/types';
import { createSiteWithDrive, findUser } from '../state/directory';
import { installationFor, type InstallationTarget } from '../state/installations';
import { newChannelId, newGuid } from '../state/ids';
import type { ChannelRecord, ChannelTabRecord, TeamMemberRecord, TeamRecord, TenantRecord } from '../state/model';
import { requireActionBody } from './actionBody';
import { requireCaller } from './drives';
import { createFolder } from './files';
import { channelJson, driveItemJson, memberJson, teamJson } from './render';

const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;
const ACTIVITY_PARAMETERS = ['topic', 'activityType', 'chainId', 'previewText', 'teamsAppId', 'templateParameters', 'recipient', 'iconId'];
const INVALID_CHANNEL_CHARS = /[~#%&*{}+/\\:<>?|'",]/;

const forbidden = (message: string) => new GraphError(403, 'Forbidden', message);
const badRequest = (message: string) => new GraphError(400, 'BadRequest', message);

function requireStaff(ctx: SimContext, req: SimRequest): Caller {
  const caller = requireCaller(req);
  if (caller.kind === 'user' && ctx.store.data.users[caller.userId]?.userType !== 'Member') throw forbidden('Guests cannot perform this operation.');
  return caller;
}

function readyTeam(ctx: SimContext, caller: Caller, teamId: string): TeamRecord {
  const team = ctx.store.data.teams[teamId];
  if (!team || team.tenantId !== caller.tenantId || new Date(team.readyAt).getTime() > Date.now()) throw new GraphError(404, 'NotFound', `No team found with Group Id ${teamId}`);
  return team;
}

function liveChannel(ctx: SimContext, team: TeamRecord, channelId: string): ChannelRecord {
  const channel = ctx.store.data.channels[channelId];
  if (!channel || channel.teamId !== team.id || channel.deletedDateTime) throw new GraphError(404, 'NotFound', `Channel ${channelId} not found in team ${team.id}.`);
  return channel;
}

function userIdFromBind(bind: unknown): string | null {
  if (typeof bind !== 'string') return null;
  const match = /users(?:\('([^']+)'\)|\/([^/?]+))/i.exec(bind);
  return match ? (match[1] ?? match[2]) : null;
}

function addMember(ctx: SimContext, team: TeamRecord, userId: string, roles: string[], channelId: string | null): TeamMemberRecord {
  const existing = Object.values(ctx.store.data.teamMembers).find((member) => member.teamId === team.id && member.userId === userId && member.channelId === channelId);
  if (existing) {
    existing.roles = roles;
    return existing;
  }
  const member: TeamMemberRecord = { id: Buffer.from(`${team.id}#${channelId ?? ''}#${userId}`).toString('base64url'), teamId: team.id, userId, roles, channelId };
  ctx.store.data.teamMembers[member.id] = member;
  ctx.store.markDirty();
  return member;
}

function parseMemberBody(ctx: SimContext, caller: Caller, body: Record<string, unknown>): { userId: string; roles: string[] } {
  const userId = userIdFromBind(body['user@odata.bind']);
  const user = userId ? findUser(ctx.store.data, caller.tenantId, userId) : undefined;
  if (!user) throw notFound('The user to add could not be found.');
  const roles = Array.isArray(body.roles) ? body.roles.filter((role): role is string => typeof role === 'string') : [];
  return { userId: user.id, roles: user.userType === 'Guest' ? ['guest'] : roles.filter((role) => role === 'owner') };
}

function validateChannelName(name: unknown): string {
  if (typeof name !== 'string' || !name.trim()) throw badRequest('displayName is required.');
  if (name.length > 50) throw badRequest('Channel name cannot exceed 50 characters.');
  if (INVALID_CHANNEL_CHARS.test(name) || name.includes('..') || /^[_.]/.test(name) || name.endsWith('.')) throw badRequest(`Channel name '${name}' contains invalid characters.`);
  return name;
}

function channelsCountingTowardLimit(ctx: SimContext, team: TeamRecord): number {
  const cutoff = Date.now() - THIRTY_DAYS_MS;
  return Object.values(ctx.store.data.channels).filter((channel) => channel.teamId === team.id && (!channel.deletedDateTime || new Date(channel.deletedDateTime).getTime() > cutoff)).length;
}

function newChannel(team: TeamRecord, displayName: string, description: string | null, membershipType: ChannelRecord['membershipType']): ChannelRecord {
  const id = newChannelId();
  return { id, teamId: team.id, tenantId: team.tenantId, displayName, description, membershipType, createdDateTime: new Date().toISOString(), deletedDateTime: null, folderItemId: null, email: '' };
}

export interface NewTeam {
  displayName: string;
  description: string | null;
  visibility: 'private' | 'public';
  members: Array<{ userId: string; roles: string[] }>;
  /** How long until GET /teams/{id} finds it (Teams provisions asynchronously); 0 for a team made in the admin centre long ago. */
  provisioningMs: number;
  firstChannelName?: string;
}

/** A team with its site, document library, General channel and members: what POST /teams (and a Teams admin) makes. */
export function createTeam(ctx: SimContext, tenant: TenantRecord, input: NewTeam): TeamRecord {
  const id = newGuid();
  const site = createSiteWithDrive(ctx.store, tenant, { name: input.displayName.replace(/[^A-Za-z0-9-]/g, ''), displayName: input.displayName, isRoot: false, teamId: id });
  const now = new Date();
  const team: TeamRecord = {
    id,
    tenantId: tenant.id,
    displayName: input.displayName,
    description: input.description,
    visibility: input.visibility,
    createdDateTime: now.toISOString(),
    readyAt: new Date(now.getTime() + input.provisioningMs).toISOString(),
    operationId: newGuid(),
    internalId: `19:${id.replace(/-/g, '')}@thread.tacv2`,
    siteId: site.id,
    driveId: site.driveId,
  };
  ctx.store.data.teams[id] = team;
  const general = newChannel(team, input.firstChannelName ?? 'General', null, 'standard');
  general.id = team.internalId;
  ctx.store.data.channels[general.id] = general;
  for (const member of input.members) addMember(ctx, team, member.userId, member.roles, null);
  ctx.store.markDirty();
  return team;
}

/** A channel in a team, as POST /teams/{id}/channels makes it (name rules and the 1,000-channel limit included). */
export function createChannel(ctx: SimContext, team: TeamRecord, input: Record<string, unknown>): ChannelRecord {
  const displayName = validateChannelName(input.displayName);
  const membershipType = input.membershipType ?? 'standard';
  if (membershipType !== 'standard' && membershipType !== 'private' && membershipType !== 'shared') throw badRequest(`Invalid membershipType '${String(membershipType)}'.`);
  const clash = Object.values(ctx.store.data.channels).some((channel) => channel.teamId === team.id && !channel.deletedDateTime && channel.displayName.toLowerCase() === displayName.toLowerCase());
  if (clash) throw badRequest('Channel name already existed, please use other name.');
  if (channelsCountingTowardLimit(ctx, team) >= ctx.knobs.maxChannelsPerTeam) throw forbidden('This team has exceeded the Max allowed channels');
  const channel = newChannel(team, displayName, typeof input.description === 'string' ? input.description : null, membershipType);
  ctx.store.data.channels[channel.id] = channel;
  ctx.store.markDirty();
  return channel;
}

const TAB_PROPERTIES = new Set(['displayName', 'teamsApp@odata.bind', 'configuration']);
const TAB_CONFIGURATION_PROPERTIES = new Set(['entityId', 'contentUrl', 'websiteUrl', 'removeUrl']);

/**
 * Teams loads tab pages over https only. The one exception is a loopback host: the simulator and
 * the app it serves run on the developer's machine over plain HTTP, where a Teams client would use
 * a tunnel; anything else must be https.
 */
function isTabPageUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
  } catch {
    return false;
  }
}

function tabJson(tab: ChannelTabRecord): Record<string, unknown> {
  return { id: tab.id, displayName: tab.displayName, webUrl: `https://teams.microsoft.com/l/channel/${encodeURIComponent(tab.channelId)}/tab::${tab.id}?groupId=${tab.teamId}`, configuration: tab.configuration };
}

/**
 * POST /teams/{id}/channels/{id}/tabs (learn.microsoft.com/graph/api/channel-post-tabs): the
 * body is a teamsTab (displayName, `teamsApp@odata.bind` to the app catalog, configuration of
 * teamsTabConfiguration's properties); the app must be in the tenant's catalog and installed in
 * the team, as Teams requires before pinning its tab.
 */
function parseTab(ctx: SimContext, team: TeamRecord, channel: ChannelRecord, body: Record<string, unknown>): ChannelTabRecord {
  for (const key of Object.keys(body)) if (!TAB_PROPERTIES.has(key)) throw badRequest(`Property '${key}' does not exist on type 'microsoft.graph.teamsTab'.`);
  if (typeof body.displayName !== 'string' || !body.displayName.trim()) throw badRequest('displayName is required.');
  const bind = body['teamsApp@odata.bind'];
  const teamsAppId = typeof bind === 'string' ? /\/appCatalogs\/teamsApps\/([^/?'()]+)|teamsApps\('([^']+)'\)/i.exec(bind) : null;
  if (!teamsAppId) throw badRequest('teamsApp@odata.bind is required: "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/{id}".');
  const app = ctx.store.data.teamsApps[(teamsAppId[1] ?? teamsAppId[2]).toLowerCase()];
  if (!app || app.tenantId !== team.tenantId) throw notFound(`Teams app ${teamsAppId[1] ?? teamsAppId[2]} is not in the tenant's app catalog.`);
  if (!installationFor(ctx.store.data, { clientId: app.clientId }, { teamId: team.id })) throw badRequest(`The app ${app.id} is not installed in the team: install it before adding its tab.`);
  const configuration = (body.configuration ?? {}) as Record<string, unknown>;
  if (typeof configuration !== 'object' || Array.isArray(configuration)) throw badRequest('configuration must be a teamsTabConfiguration.');
  for (const [key, value] of Object.entries(configuration)) {
    if (TAB_CONFIGURATION_PROPERTIES.has(key) && value !== null && typeof value !== 'string') throw badRequest(`configuration.${key} must be a string.`);
  }
  const text = (key: string) => (typeof configuration[key] === 'string' ? (configuration[key] as string) : null);
  const contentUrl = text('contentUrl');
  if (!contentUrl || !isTabPageUrl(contentUrl)) throw badRequest('configuration.contentUrl must be an https URL of a page the app declares.');
  return { id: newGuid(), teamId: team.id, channelId: channel.id, teamsAppId: app.id, displayName: body.displayName, configuration: { entityId: text('entityId'), contentUrl, websiteUrl: text('websiteUrl'), removeUrl: text('removeUrl') } };
}

export function registerTeamRoutes(router: Router, ctx: SimContext): void {
  router.add('POST', '/v1.0/teams', async (req) => {
    const caller = requireStaff(ctx, req);
    const body = ((await req.body.json()) ?? {}) as Record<string, unknown>;
    if (typeof body['template@odata.bind'] !== 'string') throw badRequest('A template is required: "template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates(\'standard\')".');
    if (typeof body.displayName !== 'string' || !body.displayName.trim()) throw badRequest('displayName is required.');
    const members = Array.isArray(body.members) ? (body.members as Record<string, unknown>[]).map((member) => parseMemberBody(ctx, caller, member)) : [];
    if (caller.kind === 'app' && !members.some((member) => member.roles.includes('owner'))) throw badRequest('An owner must be specified when creating a team with application permissions.');
    if (caller.kind === 'user' && !members.some((member) => member.userId === caller.userId)) members.push({ userId: caller.userId, roles: ['owner'] });
    const team = createTeam(ctx, ctx.store.data.tenants[caller.tenantId], {
      displayName: body.displayName,
      description: typeof body.description === 'string' ? body.description : null,
      visibility: body.visibility === 'public' ? 'public' : 'private',
      members,
      provisioningMs: ctx.knobs.teamProvisioningMs,
      firstChannelName: typeof body.firstChannelName === 'string' ? body.firstChannelName : undefined,
    });
    return { status: 202, headers: { location: `/teams('${team.id}')/operations('${team.operationId}')`, 'content-location': `/teams('${team.id}')` }, empty: true };
  });

  router.add('GET', '/v1.0/teams/{teamId}/operations/{operationId}', async (req) => {
    const caller = requireStaff(ctx, req);
    const team = ctx.store.data.teams[req.params.teamId];
    if (!team || team.tenantId !== caller.tenantId || team.operationId !== req.params.operationId) throw new GraphError(404, 'NotFound', 'Operation not found.');
    const done = new Date(team.readyAt).getTime() <= Date.now();
    return {
      status: 200,
      json: {
        id: team.operationId,
        operationType: 'createTeam',
        createdDateTime: team.createdDateTime,
        status: done ? 'succeeded' : 'inProgress',
        lastActionDateTime: done ? team.readyAt : team.createdDateTime,
        attemptsCount: 1,
        targetResourceId: team.id,
        targetResourceLocation: `/teams('${team.id}')`,
        error: null,
      },
    };
  });

  router.add('GET', '/v1.0/teams/{teamId}', async (req) => ({ status: 200, json: teamJson(ctx, readyTeam(ctx, requireStaff(ctx, req), req.params.teamId)) }));

  router.add('GET', '/v1.0/teams/{teamId}/channels', async (req) => {
    const team = readyTeam(ctx, requireStaff(ctx, req), req.params.teamId);
    const channels = Object.values(ctx.store.data.channels).filter((channel) => channel.teamId === team.id && !channel.deletedDateTime);
    return { status: 200, json: { value: channels.map(channelJson) } };
  });

  router.add('POST', '/v1.0/teams/{teamId}/channels', async (req) => {
    const team = readyTeam(ctx, requireStaff(ctx, req), req.params.teamId);
    const body = ((await req.body.json()) ?? {}) as Record<string, unknown>;
    return { status: 201, json: channelJson(createChannel(ctx, team, body)) };
  });

  router.add('GET', '/v1.0/teams/{teamId}/channels/{channelId}/tabs', async (req) => {
    const team = readyTeam(ctx, requireStaff(ctx, req), req.params.teamId);
    const channel = liveChannel(ctx, team, req.params.channelId);
    const tabs = Object.values(ctx.store.data.channelTabs).filter((tab) => tab.channelId === channel.id);
    return { status: 200, json: { value: tabs.map(tabJson) } };
  });
  router.add('POST', '/v1.0/teams/{teamId}/channels/{channelId}/tabs', async (req) => {
    const team = readyTeam(ctx, requireStaff(ctx, req), req.params.teamId);
    const channel = liveChannel(ctx, team, req.params.channelId);
    const tab = parseTab(ctx, team, channel, ((await req.body.json()) ?? {}) as Record<string, unknown>);
    ctx.store.data.channelTabs[tab.id] = tab;
    ctx.store.markDirty();
    return { status: 201, json: tabJson(tab) };
  });

  router.add('GET', '/v1.0/teams/{teamId}/primaryChannel', async (req) => {
    const team = readyTeam(ctx, requireStaff(ctx, req), req.params.teamId);
    return { status: 200, json: channelJson(liveChannel(ctx, team, team.internalId)) };
  });

  router.add('GET', '/v1.0/teams/{teamId}/channels/{channelId}', async (req) => {
    const team = readyTeam(ctx, requireStaff(ctx, req), req.params.teamId);
    return { status: 200, json: channelJson(liveChannel(ctx, team, req.params.channelId)) };
  });

  router.add('DELETE', '/v1.0/teams/{teamId}/channels/{channelId}', async (req) => {
    const team = readyTeam(ctx, requireStaff(ctx, req), req.params.teamId);
    const channel = liveChannel(ctx, team, req.params.channelId);
    if (channel.id === team.internalId) throw badRequest('The General channel cannot be deleted.');
    channel.deletedDateTime = new Date().toISOString();
    ctx.store.markDirty();
    return { status: 204, empty: true };
  });

  router.add('GET', '/v1.0/teams/{teamId}/channels/{channelId}/filesFolder', async (req) => {
    const caller = requireStaff(ctx, req);
    const team = readyTeam(ctx, caller, req.params.teamId);
    const channel = liveChannel(ctx, team, req.params.channelId);
    const drive = ctx.store.data.drives[team.driveId];
    let folder = channel.folderItemId ? ctx.store.liveItem(channel.folderItemId) : undefined;
    if (!folder) {
      const root = ctx.store.data.items[drive.rootItemId];
      folder = ctx.store.childByName(root.id, channel.displayName) ?? createFolder(ctx, drive, root, channel.displayName, 'fail', { kind: 'app', appId: 'sharepoint' }).item;
      channel.folderItemId = folder.id;
      ctx.store.markDirty();
    }
    return { status: 200, json: driveItemJson(ctx, folder, { origin: req.origin }) };
  });

  const listMembers = (team: TeamRecord, channelId: string | null) => Object.values(ctx.store.data.teamMembers).filter((member) => member.teamId === team.id && member.channelId === channelId);

  router.add('GET', '/v1.0/teams/{teamId}/members', async (req) => {
    const team = readyTeam(ctx, requireStaff(ctx, req), req.params.teamId);
    return { status: 200, json: { value: listMembers(team, null).map((member) => memberJson(ctx, member)) } };
  });
  router.add('POST', '/v1.0/teams/{teamId}/members', async (req) => {
    const caller = requireStaff(ctx, req);
    const team = readyTeam(ctx, caller, req.params.teamId);
    const { userId, roles } = parseMemberBody(ctx, caller, ((await req.body.json()) ?? {}) as Record<string, unknown>);
    return { status: 201, json: memberJson(ctx, addMember(ctx, team, userId, roles, null)) };
  });
  router.add('GET', '/v1.0/teams/{teamId}/members/{memberId}', async (req) => {
    const team = readyTeam(ctx, requireStaff(ctx, req), req.params.teamId);
    const member = listMembers(team, null).find((entry) => entry.id === req.params.memberId);
    if (!member) throw new GraphError(404, 'NotFound', 'Member not found.');
    return { status: 200, json: memberJson(ctx, member) };
  });
  router.add('DELETE', '/v1.0/teams/{teamId}/members/{memberId}', async (req) => {
    const team = readyTeam(ctx, requireStaff(ctx, req), req.params.teamId);
    const member = listMembers(team, null).find((entry) => entry.id === req.params.memberId);
    if (!member) throw new GraphError(404, 'NotFound', 'Member not found.');
    delete ctx.store.data.teamMembers[member.id];
    ctx.store.markDirty();
    return { status: 204, empty: true };
  });
  router.add('GET', '/v1.0/teams/{teamId}/channels/{channelId}/members', async (req) => {
    const team = readyTeam(ctx, requireStaff(ctx, req), req.params.teamId);
    const channel = liveChannel(ctx, team, req.params.channelId);
    const members = channel.membershipType === 'standard' ? listMembers(team, null) : listMembers(team, channel.id);
    return { status: 200, json: { value: members.map((member) => memberJson(ctx, member)) } };
  });
  router.add('POST', '/v1.0/teams/{teamId}/channels/{channelId}/members', async (req) => {
    const caller = requireStaff(ctx, req);
    const team = readyTeam(ctx, caller, req.params.teamId);
    const channel = liveChannel(ctx, team, req.params.channelId);
    if (channel.membershipType === 'standard') throw badRequest('Members cannot be added to a standard channel; standard channels have the members of the team.');
    const { userId, roles } = parseMemberBody(ctx, caller, ((await req.body.json()) ?? {}) as Record<string, unknown>);
    return { status: 201, json: memberJson(ctx, addMember(ctx, team, userId, roles, channel.id)) };
  });

  router.add('POST', '/v1.0/teams/{teamId}/sendActivityNotification', async (req) => {
    const caller = requireStaff(ctx, req);
    const team = readyTeam(ctx, caller, req.params.teamId);
    const body = validateActivityBody(req, await req.body.json(), true);
    const recipient = body.recipient as Record<string, unknown>;
    const recipientUserId = typeof recipient.userId === 'string' ? recipient.userId : null;
    if (recipient['@odata.type'] === 'microsoft.graph.aadUserNotificationRecipient' || recipient['@odata.type'] === '#microsoft.graph.aadUserNotificationRecipient') {
      if (!recipientUserId || !findUser(ctx.store.data, caller.tenantId, recipientUserId)) throw notFound('The recipient user could not be found.');
    }
    requireSenderInstalled(ctx, caller, body, { teamId: team.id });
    ctx.store.data.activityNotifications.push({ id: newGuid(), tenantId: caller.tenantId, scope: { kind: 'team', teamId: team.id }, recipientUserId, senderAppId: caller.appId, body, sentDateTime: new Date().toISOString() });
    ctx.store.markDirty();
    return { status: 204, empty: true };
  });

  router.add('POST', '/v1.0/users/{userId}/teamwork/sendActivityNotification', async (req) => {
    const caller = requireStaff(ctx, req);
    const user = findUser(ctx.store.data, caller.tenantId, req.params.userId);
    if (!user) throw new GraphError(404, 'Request_ResourceNotFound', `Resource '${req.params.userId}' does not exist or one of its queried reference-property objects are not present.`);
    const body = validateActivityBody(req, await req.body.json(), false);
    requireSenderInstalled(ctx, caller, body, { userId: user.id });
    ctx.store.data.activityNotifications.push({ id: newGuid(), tenantId: caller.tenantId, scope: { kind: 'user', userId: user.id }, recipientUserId: user.id, senderAppId: caller.appId, body, sentDateTime: new Date().toISOString() });
    ctx.store.markDirty();
    return { status: 204, empty: true };
  });
}

function validateActivityBody(_req: SimRequest, raw: unknown, needsRecipient: boolean): Record<string, unknown> {
  const allowed = needsRecipient ? ACTIVITY_PARAMETERS : ACTIVITY_PARAMETERS.filter((name) => name !== 'recipient');
  const body = requireActionBody(raw, 'sendActivityNotification', allowed);
  const topic = body.topic as Record<string, unknown> | undefined;
  if (!topic || typeof topic !== 'object') throw badRequest('topic is required.');
  if (topic.source !== 'entityUrl' && topic.source !== 'text') throw badRequest("topic.source must be 'entityUrl' or 'text'.");
  if (typeof topic.value !== 'string' || !topic.value) throw badRequest('topic.value is required.');
  if (topic.source === 'text' && typeof topic.webUrl !== 'string') throw badRequest("topic.webUrl is required when topic.source is 'text'.");
  if (topic.source === 'text' && !isTeamsLink(topic.webUrl as string)) throw badRequest('topic.webUrl must be a Teams deep link (https://teams.microsoft.com/l/...).');
  if (typeof body.activityType !== 'string' || !body.activityType) throw badRequest('activityType is required.');
  const preview = body.previewText as Record<string, unknown> | undefined;
  if (preview !== undefined && (typeof preview !== 'object' || typeof preview.content !== 'string' || preview.content.length > 150)) throw badRequest('previewText.content must be a string of at most 150 characters.');
  if (needsRecipient && (!body.recipient || typeof body.recipient !== 'object')) throw badRequest('recipient is required.');
  return body;
}

/** A Teams deep link: https://teams.microsoft.com/l/... (learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/deep-link-application). */
export function isTeamsLink(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.hostname === 'teams.microsoft.com' && parsed.pathname.startsWith('/l/');
  } catch {
    return false;
  }
}

/** The reserved activity type usable without declaring it (it needs templateParameters' systemDefaultText). */
const SYSTEM_DEFAULT_ACTIVITY = 'systemDefault';

/**
 * The sender's Teams app must be installed for the recipient (personally, or in the team for the
 * team variant) and must declare the activity type in its manifest.
 */
function requireSenderInstalled(ctx: SimContext, caller: Caller, body: Record<string, unknown>, target: InstallationTarget): void {
  const found = installationFor(ctx.store.data, { clientId: caller.appId }, target);
  if (!found) throw forbidden(`The Teams app of the calling application is not installed ${'teamId' in target ? 'in the team' : 'for the recipient'}.`);
  const activityType = body.activityType as string;
  if (activityType === SYSTEM_DEFAULT_ACTIVITY) {
    const parameters = Array.isArray(body.templateParameters) ? (body.templateParameters as Array<Record<string, unknown>>) : [];
    if (!parameters.some((parameter) => parameter.name === 'systemDefaultText')) throw badRequest("The systemDefault activity type needs a 'systemDefaultText' template parameter.");
    return;
  }
  if (!found.app.activityTypes.includes(activityType)) throw badRequest(`Activity type '${activityType}' is not declared in the app manifest.`);
}
