/**
 * Creating and finding tenants, app registrations, users, sites and drives. Shared by the admin
 * API (seeding), `/invitations` (guest creation) and `POST /teams` (a site per team).
 */
import { randomBytes } from 'node:crypto';
import type { AppRecord, DriveItemRecord, GroupRecord, DriveRecord, SimulatorData, SiteRecord, TenantRecord, UserRecord } from './model';
import type { SimulatorStore } from './store';
import { newDriveId, newDriveItemId, newGuid, newPermissionId, newSiteId } from './ids';

export function findTenant(data: SimulatorData, idOrDomain: string): TenantRecord | undefined {
  const key = idOrDomain.toLowerCase();
  return data.tenants[key] ?? Object.values(data.tenants).find((tenant) => tenant.domain.toLowerCase() === key);
}

export function findApp(data: SimulatorData, tenantId: string, clientId: string): AppRecord | undefined {
  const app = data.apps[clientId];
  return app && app.tenantId === tenantId ? app : undefined;
}

export function findUser(data: SimulatorData, tenantId: string, idOrUpn: string): UserRecord | undefined {
  const key = idOrUpn.toLowerCase();
  const byId = data.users[key];
  if (byId && byId.tenantId === tenantId) return byId;
  return Object.values(data.users).find((user) => user.tenantId === tenantId && user.userPrincipalName.toLowerCase() === key);
}

export function findUserByEmail(data: SimulatorData, tenantId: string, email: string): UserRecord | undefined {
  const key = email.toLowerCase();
  return Object.values(data.users).find((user) => user.tenantId === tenantId && (user.mail.toLowerCase() === key || user.userPrincipalName.toLowerCase() === key));
}

export function sharePointHost(tenant: TenantRecord): string {
  return `${tenant.domain.split('.')[0].toLowerCase()}.sharepoint.com`;
}

export interface CreateTenantInput {
  tenantId?: string;
  domain?: string;
  displayName?: string;
}

export function createTenant(store: SimulatorStore, input: CreateTenantInput): TenantRecord {
  const id = (input.tenantId ?? newGuid()).toLowerCase();
  if (store.data.tenants[id]) throw new Error(`Tenant ${id} already exists`);
  const domain = input.domain ?? `tenant${randomBytes(3).toString('hex')}.onmicrosoft.com`;
  const tenant: TenantRecord = { id, domain, displayName: input.displayName ?? domain.split('.')[0], createdDateTime: new Date().toISOString(), rootSiteId: '' };
  store.data.tenants[id] = tenant;
  const site = createSiteWithDrive(store, tenant, { name: '', displayName: 'Communication site', isRoot: true, teamId: null });
  tenant.rootSiteId = site.id;
  store.markDirty();
  return tenant;
}

export interface CreateAppInput {
  clientId?: string;
  clientSecret?: string;
  displayName?: string;
  identifierUris?: string[];
  redirectUris?: string[];
  spaRedirectUris?: string[];
  implicitGrant?: { enableAccessTokenIssuance: boolean; enableIdTokenIssuance: boolean };
  /** Graph application permissions admin-consented for the app; none unless given (as in Entra). */
  graphAppRoles?: string[];
  /** Graph delegated permissions consented for the app; none unless given. */
  graphDelegatedScopes?: string[];
}

export function createApp(store: SimulatorStore, tenant: TenantRecord, input: CreateAppInput): AppRecord {
  const clientId = (input.clientId ?? newGuid()).toLowerCase();
  if (store.data.apps[clientId]) throw new Error(`App ${clientId} already exists`);
  const app: AppRecord = {
    tenantId: tenant.id,
    clientId,
    clientSecret: input.clientSecret ?? randomBytes(30).toString('base64url'),
    displayName: input.displayName ?? 'CaseRoom',
    servicePrincipalId: newGuid(),
    identifierUris: input.identifierUris ?? [`api://localhost/${clientId}`],
    redirectUris: input.redirectUris ?? [],
    spaRedirectUris: input.spaRedirectUris ?? [],
    implicitGrant: input.implicitGrant ?? { enableAccessTokenIssuance: false, enableIdTokenIssuance: false },
    graphAppRoles: [...(input.graphAppRoles ?? [])],
    graphDelegatedScopes: [...(input.graphDelegatedScopes ?? [])],
  };
  store.data.apps[clientId] = app;
  store.markDirty();
  return app;
}

export interface CreateUserInput {
  id?: string;
  displayName: string;
  mail: string;
  userType?: 'Member' | 'Guest';
  externalUserState?: 'PendingAcceptance' | 'Accepted';
  givenName?: string;
  surname?: string;
  jobTitle?: string;
  userPrincipalName?: string;
  /** Entra directory roles (template ids), e.g. Global Administrator's. */
  roleTemplateIds?: string[];
}

export interface CreateGroupInput {
  id?: string;
  displayName: string;
  description?: string;
  securityEnabled?: boolean;
  mailEnabled?: boolean;
  memberIds?: string[];
}

export function createGroup(store: SimulatorStore, tenant: TenantRecord, input: CreateGroupInput): GroupRecord {
  const id = (input.id ?? newGuid()).toLowerCase();
  if (store.data.groups[id]) throw new Error(`Group ${id} already exists`);
  const group: GroupRecord = {
    id,
    tenantId: tenant.id,
    displayName: input.displayName,
    description: input.description ?? null,
    securityEnabled: input.securityEnabled ?? true,
    mailEnabled: input.mailEnabled ?? false,
    memberIds: (input.memberIds ?? []).map((m) => m.toLowerCase()),
    createdDateTime: new Date().toISOString(),
  };
  store.data.groups[id] = group;
  store.markDirty();
  return group;
}

/** Whether `memberId` is in the group directly or through nested groups (checkMemberGroups is transitive). */
export function isTransitiveMember(data: SimulatorData, groupId: string, memberId: string, seen: Set<string> = new Set()): boolean {
  const group = data.groups[groupId.toLowerCase()];
  if (!group || seen.has(group.id)) return false;
  seen.add(group.id);
  const key = memberId.toLowerCase();
  return group.memberIds.some((m) => m === key || (data.groups[m] !== undefined && isTransitiveMember(data, m, key, seen)));
}

/** Guests get Entra's external UPN form: alice_example.com#EXT#@contoso.onmicrosoft.com. */
export function guestUserPrincipalName(email: string, tenant: TenantRecord): string {
  return `${email.replace('@', '_')}#EXT#@${tenant.domain}`;
}

export function createUser(store: SimulatorStore, tenant: TenantRecord, input: CreateUserInput, creationType: string | null = null): UserRecord {
  const userType = input.userType ?? 'Member';
  const id = (input.id ?? newGuid()).toLowerCase();
  if (store.data.users[id]) throw new Error(`User ${id} already exists`);
  if (findUserByEmail(store.data, tenant.id, input.mail)) throw new Error(`A user with mail ${input.mail} already exists`);
  const now = new Date().toISOString();
  const externalUserState = userType === 'Guest' ? (input.externalUserState ?? 'PendingAcceptance') : null;
  const user: UserRecord = {
    id,
    tenantId: tenant.id,
    displayName: input.displayName,
    givenName: input.givenName ?? null,
    surname: input.surname ?? null,
    mail: input.mail,
    userPrincipalName: input.userPrincipalName ?? (userType === 'Guest' ? guestUserPrincipalName(input.mail, tenant) : input.mail),
    userType,
    externalUserState,
    externalUserStateChangeDateTime: externalUserState ? now : null,
    creationType: userType === 'Guest' ? (creationType ?? 'Invitation') : creationType,
    jobTitle: input.jobTitle ?? null,
    accountEnabled: true,
    createdDateTime: now,
    ...(input.roleTemplateIds?.length ? { roleTemplateIds: input.roleTemplateIds.map((r) => r.toLowerCase()) } : {}),
  };
  store.data.users[id] = user;
  store.markDirty();
  return user;
}

/**
 * Every SharePoint site has a document library ("Documents", drive) whose root carries the
 * site's Owners/Members/Visitors group permissions; everything below inherits them.
 */
export function createSiteWithDrive(store: SimulatorStore, tenant: TenantRecord, input: { name: string; displayName: string; isRoot: boolean; teamId: string | null }): SiteRecord {
  const host = sharePointHost(tenant);
  const now = new Date().toISOString();
  const siteId = newSiteId(host);
  const webUrl = input.isRoot ? `https://${host}` : `https://${host}/sites/${encodeURIComponent(input.name)}`;
  const driveId = newDriveId();
  const rootItemId = newDriveItemId();
  const site: SiteRecord = { id: siteId, tenantId: tenant.id, name: input.name || host, displayName: input.displayName, webUrl, createdDateTime: now, driveId, isRoot: input.isRoot, teamId: input.teamId };
  const drive: DriveRecord = { id: driveId, tenantId: tenant.id, siteId, name: 'Documents', webUrl: `${webUrl}/Shared%20Documents`, rootItemId, createdDateTime: now, epoch: newGuid(), changeSeq: 0, changeLogFloor: 0, changeLog: [] };
  store.data.sites[siteId] = site;
  store.data.drives[driveId] = drive;
  const root: DriveItemRecord = {
    id: rootItemId,
    driveId,
    parentId: null,
    name: 'root',
    kind: 'folder',
    size: 0,
    blobId: null,
    mimeType: null,
    quickXorHash: null,
    createdDateTime: now,
    lastModifiedDateTime: now,
    createdBy: { kind: 'app', appId: 'sharepoint' },
    lastModifiedBy: { kind: 'app', appId: 'sharepoint' },
    etagGuid: newGuid().toUpperCase(),
    version: 1,
    contentVersion: 1,
    deletedDateTime: null,
  };
  store.insertItem(root);
  const groups: Array<[string, string, string]> = [
    [`${input.displayName} Owners`, '3', 'owner'],
    [`${input.displayName} Members`, '5', 'write'],
    [`${input.displayName} Visitors`, '4', 'read'],
  ];
  for (const [displayName, siteGroupId, role] of groups) {
    const id = newPermissionId();
    store.data.permissions[id] = {
      id,
      driveId,
      itemId: rootItemId,
      roles: [role],
      grantee: { kind: 'siteGroup', displayName, siteGroupId },
      invitationEmail: null,
      signInRequired: true,
      expirationDateTime: null,
      createdDateTime: now,
      origin: 'site',
    };
  }
  store.markDirty();
  return site;
}
