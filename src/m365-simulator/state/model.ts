/**
 * Everything the simulated tenant(s) hold. Records are plain JSON so the whole state can be
 * written as one snapshot; ids follow the shapes the real services use closely enough that a
 * client which parses or logs them behaves the same.
 */

/** Who did something, as Graph reports it in createdBy / lastModifiedBy. */
export type Actor = { kind: 'user'; userId: string } | { kind: 'app'; appId: string };

export interface TenantRecord {
  id: string;
  /** e.g. contoso.onmicrosoft.com; also accepted in identity URLs instead of the id. */
  domain: string;
  displayName: string;
  createdDateTime: string;
  rootSiteId: string;
}

export interface AppRecord {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  displayName: string;
  /** Object id of the app's service principal: the `oid` of its app-only tokens. */
  servicePrincipalId: string;
  /** Application ID URIs, e.g. api://localhost/{clientId}; OBO assertions may use any of them as aud. */
  identifierUris: string[];
  /** Web-platform redirect URIs (a confidential client redeems codes with its secret). */
  redirectUris: string[];
  /**
   * Single-page-application redirect URIs (`spa.redirectUris` in the app manifest): codes sent there
   * are redeemed by the browser, cross-origin, without a secret and with PKCE. Absent = none.
   */
  spaRedirectUris?: string[];
  /**
   * `web.implicitGrantSettings` (`oauth2AllowImplicitFlow`/`oauth2AllowIdTokenImplicitFlow` in the
   * old manifest): the implicit grant is refused unless the registration enables it. Absent = off.
   */
  implicitGrant?: { enableAccessTokenIssuance: boolean; enableIdTokenIssuance: boolean };
  /** Graph application permissions granted (token `roles`). */
  graphAppRoles: string[];
  /** Graph delegated permissions consented (token `scp` when `.default` is asked for). */
  graphDelegatedScopes: string[];
  /**
   * The Exchange administrator's limit on which mailboxes the app may use with its application
   * mail permissions (RBAC for Applications with a resource scope, or an application access
   * policy with RestrictAccess): user ids. Absent or null = every mailbox of the tenant.
   * https://learn.microsoft.com/exchange/permissions-exo/application-rbac
   */
  mailboxScope?: string[] | null;
}

export type ExternalUserState = 'PendingAcceptance' | 'Accepted';

export interface UserRecord {
  id: string;
  tenantId: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string;
  userPrincipalName: string;
  userType: 'Member' | 'Guest';
  externalUserState: ExternalUserState | null;
  externalUserStateChangeDateTime: string | null;
  creationType: string | null;
  jobTitle: string | null;
  accountEnabled: boolean;
  createdDateTime: string;
  /** Entra directory roles held (role template ids): user tokens carry them as `wids`. */
  roleTemplateIds?: string[];
}

/** An Entra group of a tenant (security or Microsoft 365); members are user or group ids (groups nest). */
export interface GroupRecord {
  id: string;
  tenantId: string;
  displayName: string;
  description: string | null;
  securityEnabled: boolean;
  mailEnabled: boolean;
  memberIds: string[];
  createdDateTime: string;
}

export interface InvitationRecord {
  id: string;
  tenantId: string;
  userId: string;
  invitedUserEmailAddress: string;
  invitedUserDisplayName: string | null;
  inviteRedirectUrl: string;
  sendInvitationMessage: boolean;
  invitedUserMessageInfo: unknown;
  createdDateTime: string;
}

export interface SiteRecord {
  id: string;
  tenantId: string;
  name: string;
  displayName: string;
  webUrl: string;
  createdDateTime: string;
  driveId: string;
  isRoot: boolean;
  teamId: string | null;
}

export interface DriveRecord {
  id: string;
  tenantId: string;
  siteId: string;
  name: string;
  webUrl: string;
  rootItemId: string;
  createdDateTime: string;
  /** Random per drive: delta tokens from another drive or an older life of the simulator are stale. */
  epoch: string;
  /** Sequence number of the last change; delta tokens carry the sequence they were issued at. */
  changeSeq: number;
  /** Changes after `changeLogFloor` are kept; tokens older than the floor get 410 resyncRequired. */
  changeLogFloor: number;
  changeLog: DriveChange[];
}

export interface DriveItemRecord {
  id: string;
  driveId: string;
  /** null only for the drive's root folder. */
  parentId: string | null;
  name: string;
  kind: 'folder' | 'file';
  size: number;
  blobId: string | null;
  mimeType: string | null;
  quickXorHash: string | null;
  createdDateTime: string;
  lastModifiedDateTime: string;
  createdBy: Actor;
  lastModifiedBy: Actor;
  /** eTag is "{guid},version"; version bumps on every change, cTag only on content changes. */
  etagGuid: string;
  version: number;
  contentVersion: number;
  /** Set on tombstones kept for delta after the item was deleted. */
  deletedDateTime: string | null;
  /**
   * SharePoint's "unique permissions": the item holds its own role assignments and no longer
   * inherits from its parent. Set by the first direct share (learn.microsoft.com/graph/api/driveitem-invite,
   * retainInheritedPermissions). The drive root always holds its own. Absent in older snapshots = false.
   */
  hasUniquePermissions?: boolean;
}

export type PermissionGrantee =
  | { kind: 'user'; userId: string }
  /** The site's own Owners/Members/Visitors groups, present on every document library root. */
  | { kind: 'siteGroup'; displayName: string; siteGroupId: string };

export interface PermissionRecord {
  id: string;
  driveId: string;
  itemId: string;
  roles: string[];
  grantee: PermissionGrantee;
  invitationEmail: string | null;
  signInRequired: boolean;
  expirationDateTime: string | null;
  createdDateTime: string;
  /** How it came to be: through Graph, or by an admin in the SharePoint UI (drift). */
  origin: 'graph' | 'admin' | 'site';
}

/**
 * One entry of a drive's change log. `sharingFor`: the change only altered who may reach the item
 * (an invite, a role change, a removed permission), and these users' access is what changed.
 */
export interface DriveChange {
  seq: number;
  itemId: string;
  sharingFor?: string[];
}

export interface SubscriptionRecord {
  id: string;
  tenantId: string;
  applicationId: string;
  creatorId: string;
  resource: string;
  driveId: string;
  changeType: string;
  clientState: string | null;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  expirationDateTime: string;
  latestSupportedTlsVersion: string;
}

export interface UploadSessionRecord {
  id: string;
  tenantId: string;
  /** The app that created the session: chunk uploads carry no token but count toward its budget. */
  appId: string;
  /** Set when the session targets an existing item addressed by id (content replacement). */
  targetItemId: string | null;
  /** Intermediate folders to create at commit for a path-addressed upload. */
  missingFolders: string[];
  driveId: string;
  parentId: string;
  name: string;
  conflictBehavior: 'fail' | 'replace' | 'rename';
  /** Known once the first Content-Range arrives; must stay the same for the whole session. */
  totalSize: number | null;
  received: number;
  expirationDateTime: string;
  createdBy: Actor;
  deferCommit: boolean;
  description: string | null;
}

export interface TeamRecord {
  id: string;
  tenantId: string;
  displayName: string;
  description: string | null;
  visibility: 'private' | 'public';
  createdDateTime: string;
  /** Provisioning is asynchronous in Teams: GET /teams/{id} is 404 until this instant. */
  readyAt: string;
  operationId: string;
  internalId: string;
  siteId: string;
  driveId: string;
}

export interface ChannelRecord {
  id: string;
  teamId: string;
  tenantId: string;
  displayName: string;
  description: string | null;
  membershipType: 'standard' | 'private' | 'shared';
  createdDateTime: string;
  /** Deleted channels still count toward the 1,000-per-team limit for 30 days. */
  deletedDateTime: string | null;
  /** The channel's files folder, created lazily the first time filesFolder is read (as Teams does). */
  folderItemId: string | null;
  email: string;
}

export interface TeamMemberRecord {
  id: string;
  teamId: string;
  userId: string;
  roles: string[];
  /** Members of private/shared channels; null for team membership. */
  channelId: string | null;
}

export interface ActivityNotificationRecord {
  id: string;
  tenantId: string;
  /** team-scoped (POST /teams/{id}/sendActivityNotification) or user-scoped (…/teamwork/…). */
  scope: { kind: 'team'; teamId: string } | { kind: 'user'; userId: string };
  recipientUserId: string | null;
  senderAppId: string;
  body: Record<string, unknown>;
  sentDateTime: string;
}

/** A sharing e-mail SharePoint would have sent (invite with sendInvitation: true). */
export interface SharingEmailRecord {
  id: string;
  tenantId: string;
  to: string;
  itemId: string;
  driveId: string;
  message: string | null;
  roles: string[];
  sentDateTime: string;
}

/** One delivered copy of a message sent with `sendMail`: one record per recipient (to, cc and bcc). */
export interface MailMessageRecord {
  id: string;
  /** Shared by every recipient's copy of one sendMail call. */
  internetMessageId: string;
  tenantId: string;
  /** The mailbox it was sent from (user id) and as whom it appears. */
  senderUserId: string;
  from: { address: string; name: string };
  /** The recipient of this copy, lower-cased. */
  to: string;
  toName: string | null;
  subject: string;
  contentType: 'text' | 'html';
  content: string;
  sentByAppId: string;
  saveToSentItems: boolean;
  sentDateTime: string;
}

/**
 * A Teams app in the tenant's app catalog, with what its manifest declares. Installing it in a
 * team or for a user is what grants its resource-specific consent (RSC) permissions there, lets
 * its bot be reached and lets it send activity notifications of the declared types.
 */
export interface TeamsAppRecord {
  /** The manifest's `id`: the Teams app id that deep links and installedApps name. */
  id: string;
  tenantId: string;
  displayName: string;
  /** `webApplicationInfo.id`: the Entra app whose tokens carry the RSC permissions where installed. */
  clientId: string;
  /** `bots[0].botId`, or null for an app without a bot. */
  botId: string | null;
  /** `authorization.permissions.resourceSpecific[].name`, e.g. Channel.Create.Group. */
  resourceSpecificPermissions: string[];
  /** `activities.activityTypes[].type`. */
  activityTypes: string[];
  publishedDateTime: string;
}

/** One installation of a catalog app: in a team (grants `*.Group` RSC there) or personal (`*.User`). */
export interface AppInstallationRecord {
  id: string;
  tenantId: string;
  teamsAppId: string;
  scope: { kind: 'team'; teamId: string } | { kind: 'user'; userId: string };
  installedByUserId: string | null;
  installedDateTime: string;
}

/** A tab pinned in a channel (Graph `teamsTab`): an installed app's page, with its configuration. */
export interface ChannelTabRecord {
  id: string;
  teamId: string;
  channelId: string;
  teamsAppId: string;
  displayName: string;
  configuration: { entityId: string | null; contentUrl: string | null; websiteUrl: string | null; removeUrl: string | null };
}

export interface SimulatorData {
  formatVersion: 1;
  tenants: Record<string, TenantRecord>;
  apps: Record<string, AppRecord>;
  users: Record<string, UserRecord>;
  invitations: Record<string, InvitationRecord>;
  sites: Record<string, SiteRecord>;
  drives: Record<string, DriveRecord>;
  items: Record<string, DriveItemRecord>;
  permissions: Record<string, PermissionRecord>;
  subscriptions: Record<string, SubscriptionRecord>;
  uploadSessions: Record<string, UploadSessionRecord>;
  teams: Record<string, TeamRecord>;
  channels: Record<string, ChannelRecord>;
  teamMembers: Record<string, TeamMemberRecord>;
  activityNotifications: ActivityNotificationRecord[];
  sharingEmails: SharingEmailRecord[];
  mailMessages: MailMessageRecord[];
  teamsApps: Record<string, TeamsAppRecord>;
  appInstallations: Record<string, AppInstallationRecord>;
  channelTabs: Record<string, ChannelTabRecord>;
  groups: Record<string, GroupRecord>;
  /** Opaque state owned by plugins (e.g. the Bot Connector), persisted with everything else. */
  pluginData: Record<string, unknown>;
}

export function emptyData(): SimulatorData {
  return {
    formatVersion: 1,
    tenants: {},
    apps: {},
    users: {},
    invitations: {},
    sites: {},
    drives: {},
    items: {},
    permissions: {},
    subscriptions: {},
    uploadSessions: {},
    teams: {},
    channels: {},
    teamMembers: {},
    activityNotifications: [],
    sharingEmails: [],
    mailMessages: [],
    teamsApps: {},
    appInstallations: {},
    channelTabs: {},
    groups: {},
    pluginData: {},
  };
}
