/**
 * Graph JSON for the simulator's records. Only properties the v1.0 CSDL defines are emitted
 * (the conformance test checks this); instance annotations (@odata.*, @microsoft.graph.*) too.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { SimContext } from '../context';
import type { Actor, ChannelRecord, DriveItemRecord, DriveRecord, PermissionRecord, SiteRecord, SubscriptionRecord, TeamMemberRecord, TeamRecord, UserRecord } from '../state/model';

export function identitySet(ctx: SimContext, actor: Actor): Record<string, unknown> {
  if (actor.kind === 'user') {
    const user = ctx.store.data.users[actor.userId];
    return { user: { id: actor.userId, displayName: user?.displayName ?? 'Unknown user', email: user?.mail } };
  }
  if (actor.appId === 'sharepoint') return { user: { displayName: 'System Account' } };
  const app = ctx.store.data.apps[actor.appId];
  return { application: { id: actor.appId, displayName: app?.displayName ?? actor.appId } };
}

export function etag(item: DriveItemRecord): string {
  return `"{${item.etagGuid}},${item.version}"`;
}

export function ctag(item: DriveItemRecord): string {
  return `"c:{${item.etagGuid}},${item.contentVersion}"`;
}

/** Secret for pre-authenticated download URLs; per process, as the real ones expire within the hour. */
const downloadSecret = randomBytes(32);
const DOWNLOAD_URL_LIFETIME_MS = 3600_000;

export function downloadUrl(origin: string, item: DriveItemRecord): string {
  const expires = Date.now() + DOWNLOAD_URL_LIFETIME_MS;
  const signature = createHmac('sha256', downloadSecret).update(`${item.id}.${item.contentVersion}.${expires}`).digest('base64url');
  return `${origin}/_layouts/15/download.aspx?UniqueId=${encodeURIComponent(item.id)}&v=${item.contentVersion}&e=${expires}&tempauth=${signature}`;
}

export function verifyDownloadUrl(query: URLSearchParams): { itemId: string; contentVersion: number } | null {
  const itemId = query.get('UniqueId');
  const version = Number(query.get('v'));
  const expires = Number(query.get('e'));
  const signature = query.get('tempauth');
  if (!itemId || !signature || !Number.isFinite(expires) || expires < Date.now()) return null;
  const expected = createHmac('sha256', downloadSecret).update(`${itemId}.${version}.${expires}`).digest('base64url');
  return expected === signature ? { itemId, contentVersion: version } : null;
}

function folderSize(ctx: SimContext, folder: DriveItemRecord): number {
  return ctx.store.descendants(folder).reduce((sum, entry) => sum + (entry.kind === 'file' ? entry.size : 0), 0);
}

export interface DriveItemRenderOptions {
  origin: string;
  /** Delta omits parentReference.path (documented); also used for deleted items. */
  omitParentPath?: boolean;
  includeDownloadUrl?: boolean;
}

export function driveItemJson(ctx: SimContext, item: DriveItemRecord, options: DriveItemRenderOptions): Record<string, unknown> {
  const drive = ctx.store.data.drives[item.driveId];
  const json: Record<string, unknown> = {};
  if (item.kind === 'file' && options.includeDownloadUrl && !item.deletedDateTime) json['@microsoft.graph.downloadUrl'] = downloadUrl(options.origin, item);
  Object.assign(json, {
    createdDateTime: item.createdDateTime,
    eTag: etag(item),
    id: item.id,
    lastModifiedDateTime: item.lastModifiedDateTime,
    name: item.name,
    webUrl: `${drive.webUrl}${encodeURI(ctx.store.relativePath(item))}`,
    cTag: ctag(item),
    size: item.kind === 'file' ? item.size : folderSize(ctx, item),
    createdBy: identitySet(ctx, item.createdBy),
    lastModifiedBy: identitySet(ctx, item.lastModifiedBy),
  });
  if (item.parentId) {
    const parent = ctx.store.data.items[item.parentId];
    const parentReference: Record<string, unknown> = { driveType: 'documentLibrary', driveId: item.driveId, id: item.parentId, siteId: drive.siteId };
    if (parent && parent.parentId) parentReference.name = parent.name;
    if (!options.omitParentPath && parent) parentReference.path = `/drives/${item.driveId}/root:${encodeURI(ctx.store.relativePath(parent))}`;
    json.parentReference = parentReference;
  } else {
    json.parentReference = { driveType: 'documentLibrary', driveId: item.driveId, siteId: drive.siteId };
    json.root = {};
  }
  json.fileSystemInfo = { createdDateTime: item.createdDateTime, lastModifiedDateTime: item.lastModifiedDateTime };
  if (item.deletedDateTime) json.deleted = { state: 'deleted' };
  if (item.kind === 'folder') json.folder = { childCount: item.deletedDateTime ? 0 : ctx.store.children(item.id).length };
  else json.file = { mimeType: item.mimeType ?? 'application/octet-stream', hashes: { quickXorHash: item.quickXorHash } };
  return json;
}

export function driveJson(ctx: SimContext, drive: DriveRecord): Record<string, unknown> {
  const used = Object.values(ctx.store.data.items)
    .filter((item) => item.driveId === drive.id && !item.deletedDateTime && item.kind === 'file')
    .reduce((sum, item) => sum + item.size, 0);
  const total = 27_487_790_694_400;
  return {
    createdDateTime: drive.createdDateTime,
    description: '',
    id: drive.id,
    lastModifiedDateTime: drive.createdDateTime,
    name: drive.name,
    webUrl: drive.webUrl,
    driveType: 'documentLibrary',
    createdBy: { user: { displayName: 'System Account' } },
    // SharePoint libraries of sites without a Microsoft 365 group report the System Account as owner.
    owner: { user: { displayName: 'System Account' } },
    quota: { deleted: 0, remaining: total - used, state: 'normal', total, used },
  };
}

export function siteJson(site: SiteRecord): Record<string, unknown> {
  const [hostname, siteCollectionId, webId] = site.id.split(',');
  return {
    createdDateTime: site.createdDateTime,
    description: '',
    id: site.id,
    lastModifiedDateTime: site.createdDateTime,
    name: site.name,
    webUrl: site.webUrl,
    displayName: site.displayName,
    root: site.isRoot ? {} : undefined,
    siteCollection: { hostname },
    sharepointIds: { siteId: siteCollectionId, webId, siteUrl: site.webUrl },
  };
}

/**
 * A permission as SharePoint lists it. Never with `inheritedFrom`: "OneDrive for Business and
 * SharePoint document libraries don't return the inheritedFrom property"
 * (learn.microsoft.com/graph/api/resources/permission). Every drive here is a SharePoint document
 * library, so an inherited permission looks exactly like one the item holds itself; the
 * permission-get page's advice to tell them apart by inheritedFrom does not hold for them.
 *
 * `includeShareId`: shareId is a secret returned only to callers who could create the permission
 * (driveitem-list-permissions).
 */
export function permissionJson(ctx: SimContext, permission: PermissionRecord, options: { includeShareId?: boolean } = {}): Record<string, unknown> {
  const json: Record<string, unknown> = { id: permission.id, roles: [...permission.roles] };
  if (options.includeShareId !== false) json.shareId = permission.id;
  if (permission.grantee.kind === 'user') {
    const user = ctx.store.data.users[permission.grantee.userId];
    const identity = { id: permission.grantee.userId, displayName: user?.displayName ?? '', email: user?.mail };
    const loginName = user ? `i:0#.f|membership|${user.userPrincipalName.toLowerCase()}` : '';
    json['@deprecated.GrantedTo'] = 'GrantedTo has been deprecated. Refer to GrantedToV2';
    json.grantedTo = { user: identity };
    json.grantedToV2 = { user: identity, siteUser: { id: String(siteUserNumber(permission.grantee.userId)), displayName: identity.displayName, email: identity.email, loginName } };
  } else {
    const group = { id: permission.grantee.siteGroupId, displayName: permission.grantee.displayName, loginName: permission.grantee.displayName };
    json.grantedTo = { user: { displayName: permission.grantee.displayName } };
    json.grantedToV2 = { siteGroup: group };
  }
  if (permission.invitationEmail) json.invitation = { email: permission.invitationEmail, signInRequired: permission.signInRequired };
  if (permission.expirationDateTime) json.expirationDateTime = permission.expirationDateTime;
  return json;
}

/** SharePoint site user ids are small integers, stable per user. */
function siteUserNumber(userId: string): number {
  let hash = 0;
  for (const char of userId) hash = (hash * 31 + char.charCodeAt(0)) % 9000;
  return 10 + hash;
}

/** Graph's default user projection (v1.0): these eleven properties unless $select asks for others. */
export const DEFAULT_USER_PROPERTIES = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'];

export function userJson(user: UserRecord, select: string[] | null): Record<string, unknown> {
  const all: Record<string, unknown> = {
    businessPhones: [],
    displayName: user.displayName,
    givenName: user.givenName,
    jobTitle: user.jobTitle,
    mail: user.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
    id: user.id,
    userType: user.userType,
    externalUserState: user.externalUserState,
    externalUserStateChangeDateTime: user.externalUserStateChangeDateTime,
    creationType: user.creationType,
    accountEnabled: user.accountEnabled,
    createdDateTime: user.createdDateTime,
    otherMails: user.userType === 'Guest' ? [user.mail] : [],
  };
  const wanted = select ?? DEFAULT_USER_PROPERTIES;
  const json: Record<string, unknown> = {};
  for (const name of wanted) if (name in all) json[name] = all[name];
  // Graph always returns the id when $select is used.
  json.id = user.id;
  return json;
}

export function teamJson(ctx: SimContext, team: TeamRecord): Record<string, unknown> {
  return {
    id: team.id,
    createdDateTime: team.createdDateTime,
    displayName: team.displayName,
    description: team.description,
    internalId: team.internalId,
    classification: null,
    specialization: 'none',
    visibility: team.visibility,
    webUrl: `https://teams.microsoft.com/l/team/${encodeURIComponent(team.internalId)}/conversations?groupId=${team.id}&tenantId=${team.tenantId}`,
    isArchived: false,
    tenantId: team.tenantId,
    memberSettings: { allowCreateUpdateChannels: true, allowDeleteChannels: true, allowAddRemoveApps: true, allowCreateUpdateRemoveTabs: true, allowCreateUpdateRemoveConnectors: true, allowCreatePrivateChannels: true },
    guestSettings: { allowCreateUpdateChannels: false, allowDeleteChannels: false },
    messagingSettings: { allowUserEditMessages: true, allowUserDeleteMessages: true, allowOwnerDeleteMessages: true, allowTeamMentions: true, allowChannelMentions: true },
    funSettings: { allowGiphy: true, giphyContentRating: 'moderate', allowStickersAndMemes: true, allowCustomMemes: true },
    summary: { ownersCount: countMembers(ctx, team.id, 'owner'), membersCount: countMembers(ctx, team.id, 'member'), guestsCount: countMembers(ctx, team.id, 'guest') },
  };
}

function countMembers(ctx: SimContext, teamId: string, kind: 'owner' | 'member' | 'guest'): number {
  return Object.values(ctx.store.data.teamMembers).filter((member) => {
    if (member.teamId !== teamId || member.channelId) return false;
    const user = ctx.store.data.users[member.userId];
    if (kind === 'guest') return user?.userType === 'Guest';
    if (kind === 'owner') return member.roles.includes('owner');
    return !member.roles.includes('owner') && user?.userType !== 'Guest';
  }).length;
}

export function channelJson(channel: ChannelRecord): Record<string, unknown> {
  return {
    id: channel.id,
    createdDateTime: channel.createdDateTime,
    displayName: channel.displayName,
    description: channel.description,
    isFavoriteByDefault: null,
    email: channel.email,
    tenantId: channel.tenantId,
    webUrl: `https://teams.microsoft.com/l/channel/${encodeURIComponent(channel.id)}/${encodeURIComponent(channel.displayName)}?groupId=${channel.teamId}&tenantId=${channel.tenantId}`,
    membershipType: channel.membershipType,
    isArchived: false,
  };
}

export function memberJson(ctx: SimContext, member: TeamMemberRecord): Record<string, unknown> {
  const user = ctx.store.data.users[member.userId];
  return {
    '@odata.type': '#microsoft.graph.aadUserConversationMember',
    id: member.id,
    roles: member.roles,
    displayName: user?.displayName ?? null,
    visibleHistoryStartDateTime: '0001-01-01T00:00:00Z',
    userId: member.userId,
    email: user?.mail ?? null,
    tenantId: user?.tenantId ?? null,
  };
}

export function subscriptionJson(subscription: SubscriptionRecord): Record<string, unknown> {
  return {
    id: subscription.id,
    resource: subscription.resource,
    applicationId: subscription.applicationId,
    changeType: subscription.changeType,
    clientState: subscription.clientState,
    notificationUrl: subscription.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: subscription.lifecycleNotificationUrl,
    expirationDateTime: subscription.expirationDateTime,
    creatorId: subscription.creatorId,
    includeResourceData: false,
    latestSupportedTlsVersion: subscription.latestSupportedTlsVersion,
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
  };
}
