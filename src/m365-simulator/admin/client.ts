/**
 * A typed client for the simulator's /_admin API, usable against an in-process simulator or one
 * started by `npm start` (pass its plain-HTTP base URL).
 */
import type { Knobs, AppStats, GraphCallRecord } from '../context';
import type { AppInstallationRecord, AppRecord, ChannelRecord, GroupRecord, MailMessageRecord, SimulatorData, TeamRecord, TeamsAppRecord, TenantRecord, UserRecord } from '../state/model';
import type { PublishTeamsAppInput } from '../state/installations';
import type { CreateAppInput, CreateGroupInput, CreateUserInput } from '../state/directory';

export interface CreatedTenant {
  tenant: TenantRecord;
  app: AppRecord;
  rootSiteId: string;
  rootDriveId: string;
  /** MSAL authority for this tenant: `{httpsUrl}/{tenantId}`. */
  authority: string;
}

export interface StatsSnapshot {
  apps: Record<string, AppStats>;
  totals: AppStats;
  webhookDeliveries: number;
}

export class SimulatorAdminClient {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new Error(`simulator admin ${method} ${path} → ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  createTenant(input: { tenantId?: string; domain?: string; displayName?: string; app?: CreateAppInput } = {}): Promise<CreatedTenant> {
    return this.call('POST', '/_admin/tenants', input);
  }
  createApp(tenantId: string, input: CreateAppInput = {}): Promise<AppRecord> {
    return this.call('POST', `/_admin/tenants/${tenantId}/apps`, input);
  }
  createUser(tenantId: string, input: CreateUserInput): Promise<UserRecord> {
    return this.call('POST', `/_admin/tenants/${tenantId}/users`, input);
  }
  /** An Entra admin creates a group (a security group unless told otherwise) with these members. */
  createGroup(tenantId: string, input: CreateGroupInput): Promise<GroupRecord> {
    return this.call('POST', `/_admin/tenants/${tenantId}/groups`, input);
  }
  addGroupMember(groupId: string, memberId: string): Promise<GroupRecord> {
    return this.call('POST', `/_admin/groups/${encodeURIComponent(groupId)}/members`, { memberId });
  }
  removeGroupMember(groupId: string, memberId: string): Promise<void> {
    return this.call('DELETE', `/_admin/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(memberId)}`);
  }
  /** A Teams admin creates a team (ready at once) with owners, members and standard channels. */
  createTeam(tenantId: string, input: { displayName: string; description?: string; ownerUserIds?: string[]; memberUserIds?: string[]; channels?: string[] }): Promise<{ team: TeamRecord; channels: ChannelRecord[] }> {
    return this.call('POST', `/_admin/tenants/${tenantId}/teams`, input);
  }
  /** Uploads a Teams app package to the tenant's app catalog (what its manifest declares). */
  publishTeamsApp(tenantId: string, input: PublishTeamsAppInput): Promise<TeamsAppRecord> {
    return this.call('POST', `/_admin/tenants/${tenantId}/teamsApps`, input);
  }
  /** A team owner adds the app to a team: grants its `.Group` RSC there and tells its bot. */
  installAppInTeam(teamId: string, teamsAppId: string, installedBy?: string): Promise<AppInstallationRecord> {
    return this.call('POST', `/_admin/teams/${encodeURIComponent(teamId)}/installedApps`, { teamsAppId, ...(installedBy ? { installedBy } : {}) });
  }
  uninstallAppFromTeam(teamId: string, installationId: string): Promise<void> {
    return this.call('DELETE', `/_admin/teams/${encodeURIComponent(teamId)}/installedApps/${encodeURIComponent(installationId)}`);
  }
  /** Mail delivered by sendMail (one record per recipient), optionally to one address. */
  mail(to?: string): Promise<{ value: MailMessageRecord[] }> {
    return this.call('GET', `/_admin/mail${to ? `?to=${encodeURIComponent(to)}` : ''}`);
  }
  /** The Exchange admin restricts the app's mail permissions to these mailboxes (null: no restriction). */
  setMailboxScope(tenantId: string, clientId: string, mailboxes: string[] | null): Promise<{ clientId: string; mailboxScope: string[] | null }> {
    return this.call('PUT', `/_admin/tenants/${encodeURIComponent(tenantId)}/apps/${encodeURIComponent(clientId)}/mailbox-scope`, { mailboxes });
  }
  /** A user adds the personal app: grants its `.User` RSC for them. */
  installAppForUser(userId: string, teamsAppId: string): Promise<AppInstallationRecord> {
    return this.call('POST', `/_admin/users/${encodeURIComponent(userId)}/installedApps`, { teamsAppId });
  }
  uninstallAppForUser(userId: string, installationId: string): Promise<void> {
    return this.call('DELETE', `/_admin/users/${encodeURIComponent(userId)}/installedApps/${encodeURIComponent(installationId)}`);
  }
  async installations(): Promise<AppInstallationRecord[]> {
    return (await this.call<{ value: AppInstallationRecord[] }>('GET', '/_admin/installations')).value;
  }
  /** Simulates the guest redeeming the invitation (invitation id or guest user id). */
  acceptInvitation(invitationOrUserId: string): Promise<UserRecord> {
    return this.call('POST', `/_admin/invitations/${encodeURIComponent(invitationOrUserId)}/accept`, {});
  }
  /** Mints a token without a client flow: app-only without userId, delegated with it. */
  async token(input: { tenantId: string; clientId: string; userId?: string; audience?: string; scopes?: string[]; lifetimeSeconds?: number }): Promise<string> {
    return (await this.call<{ access_token: string }>('POST', '/_admin/tokens', input)).access_token;
  }
  setKnobs(knobs: Partial<Knobs>): Promise<Knobs> {
    return this.call('POST', '/_admin/knobs', knobs);
  }
  knobs(): Promise<Knobs> {
    return this.call('GET', '/_admin/knobs');
  }
  stats(): Promise<StatsSnapshot> {
    return this.call('GET', '/_admin/stats');
  }
  /** Every Graph call's permission check since the last stats reset. */
  async graphCalls(): Promise<GraphCallRecord[]> {
    return (await this.call<{ value: GraphCallRecord[] }>('GET', '/_admin/graph-calls')).value;
  }
  resetStats(): Promise<void> {
    return this.call('POST', '/_admin/stats/reset', {});
  }
  state(): Promise<SimulatorData> {
    return this.call('GET', '/_admin/state');
  }
  reset(): Promise<void> {
    return this.call('POST', '/_admin/reset', {});
  }
  addPermissionByHand(driveId: string, itemId: string, input: { userId?: string; email?: string; roles: Array<'read' | 'write'> }): Promise<Record<string, unknown>> {
    return this.call('POST', `/_admin/drives/${encodeURIComponent(driveId)}/items/${encodeURIComponent(itemId)}/permissions`, input);
  }
  removePermissionByHand(driveId: string, itemId: string, permissionId: string): Promise<void> {
    return this.call('DELETE', `/_admin/drives/${encodeURIComponent(driveId)}/items/${encodeURIComponent(itemId)}/permissions/${encodeURIComponent(permissionId)}`);
  }
  addFileByHand(driveId: string, parentItemId: string, input: { name: string; text?: string; contentBase64?: string; userId?: string }): Promise<Record<string, unknown>> {
    return this.call('POST', `/_admin/drives/${encodeURIComponent(driveId)}/items/${encodeURIComponent(parentItemId)}/files`, input);
  }
  activityNotifications(): Promise<{ value: SimulatorData['activityNotifications'] }> {
    return this.call('GET', '/_admin/activity-notifications');
  }
  sharingEmails(): Promise<{ value: SimulatorData['sharingEmails'] }> {
    return this.call('GET', '/_admin/sharing-emails');
  }
  webhookDeliveries(): Promise<{ value: Array<{ subscriptionId: string; url: string; status: number | null; error: string | null; at: string; notifications: number }> }> {
    return this.call('GET', '/_admin/webhook-deliveries');
  }
}
