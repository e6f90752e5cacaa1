/**
 * The tenant's Teams app catalog and app installations. In Teams an app's resource-specific
 * consent exists only where the app is installed, its bot can be messaged proactively only
 * there, and activity notifications reach only people who have it; so every one of those checks
 * asks this module, and nothing installs an app except an explicit act (a team owner or the
 * user, through the admin API or the simulator's page).
 *
 * https://learn.microsoft.com/microsoftteams/platform/graph-api/rsc/resource-specific-consent
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages
 */
import { newGuid } from './ids';
import type { AppInstallationRecord, SimulatorData, TeamsAppRecord, TenantRecord } from './model';
import type { SimulatorStore } from './store';

export type InstallationTarget = { teamId: string } | { userId: string };

export interface PublishTeamsAppInput {
  id: string;
  clientId: string;
  displayName?: string;
  botId?: string | null;
  resourceSpecificPermissions?: string[];
  activityTypes?: string[];
}

export interface AppInstallationEvent {
  action: 'add' | 'remove';
  installation: AppInstallationRecord;
  app: TeamsAppRecord;
}

export type AppInstallationListener = (event: AppInstallationEvent) => void | Promise<void>;

export class InstallationError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/** Publishes (or replaces, as an app update does) a Teams app in the tenant's catalog. */
export function publishTeamsApp(store: SimulatorStore, tenant: TenantRecord, input: PublishTeamsAppInput): TeamsAppRecord {
  const id = input.id.toLowerCase();
  const existing = store.data.teamsApps[id];
  if (existing && existing.tenantId !== tenant.id) throw new InstallationError(409, `Teams app ${id} belongs to another tenant.`);
  const app: TeamsAppRecord = {
    id,
    tenantId: tenant.id,
    displayName: input.displayName ?? existing?.displayName ?? 'CaseRoom',
    clientId: input.clientId.toLowerCase(),
    botId: input.botId?.toLowerCase() ?? null,
    resourceSpecificPermissions: [...(input.resourceSpecificPermissions ?? [])],
    activityTypes: [...(input.activityTypes ?? [])],
    publishedDateTime: new Date().toISOString(),
  };
  store.data.teamsApps[id] = app;
  store.markDirty();
  return app;
}

function scopeMatches(installation: AppInstallationRecord, target: InstallationTarget): boolean {
  return 'teamId' in target ? installation.scope.kind === 'team' && installation.scope.teamId === target.teamId : installation.scope.kind === 'user' && installation.scope.userId === target.userId;
}

export function installationsAt(data: SimulatorData, target: InstallationTarget): AppInstallationRecord[] {
  return Object.values(data.appInstallations).filter((installation) => scopeMatches(installation, target));
}

/** The installation of the Teams app whose Entra app is `clientId` (or whose bot is `botId`) at the target, if any. */
export function installationFor(data: SimulatorData, who: { clientId: string } | { botId: string }, target: InstallationTarget): { installation: AppInstallationRecord; app: TeamsAppRecord } | undefined {
  for (const installation of installationsAt(data, target)) {
    const app = data.teamsApps[installation.teamsAppId];
    if (!app) continue;
    const matches = 'clientId' in who ? app.clientId === who.clientId.toLowerCase() : app.botId === who.botId.toLowerCase();
    if (matches) return { installation, app };
  }
  return undefined;
}

/**
 * RSC permissions the Entra app `clientId` holds at the target: the `.Group` ones where it is
 * installed in the team, the `.User` ones where the user installed it; nothing elsewhere.
 */
export function resourceSpecificPermissionsAt(data: SimulatorData, clientId: string, target: InstallationTarget): string[] {
  const found = installationFor(data, { clientId }, target);
  if (!found) return [];
  const suffix = 'teamId' in target ? '.Group' : '.User';
  return found.app.resourceSpecificPermissions.filter((name) => name.endsWith(suffix));
}

/** Installs a catalog app in a team or for a user. Installing it again where it is already installed is a 409, as in Graph. */
export function installTeamsApp(store: SimulatorStore, teamsAppId: string, target: InstallationTarget, installedByUserId: string | null): { installation: AppInstallationRecord; app: TeamsAppRecord } {
  const data = store.data;
  const app = data.teamsApps[teamsAppId.toLowerCase()];
  if (!app) throw new InstallationError(404, `Teams app ${teamsAppId} is not in the tenant's app catalog.`);
  const tenantOfTarget = 'teamId' in target ? data.teams[target.teamId]?.tenantId : data.users[target.userId]?.tenantId;
  if (tenantOfTarget !== app.tenantId) throw new InstallationError(404, `${'teamId' in target ? `Team ${target.teamId}` : `User ${target.userId}`} does not exist in the app's tenant.`);
  if (installationsAt(data, target).some((installation) => installation.teamsAppId === app.id)) throw new InstallationError(409, 'The app is already installed there.');
  const installation: AppInstallationRecord = {
    id: newGuid(),
    tenantId: app.tenantId,
    teamsAppId: app.id,
    scope: 'teamId' in target ? { kind: 'team', teamId: target.teamId } : { kind: 'user', userId: target.userId },
    installedByUserId,
    installedDateTime: new Date().toISOString(),
  };
  data.appInstallations[installation.id] = installation;
  store.markDirty();
  return { installation, app };
}

export function uninstallTeamsApp(store: SimulatorStore, installationId: string, target: InstallationTarget): { installation: AppInstallationRecord; app: TeamsAppRecord } {
  const installation = store.data.appInstallations[installationId];
  if (!installation || !scopeMatches(installation, target)) throw new InstallationError(404, `No installation ${installationId} there.`);
  delete store.data.appInstallations[installationId];
  store.markDirty();
  return { installation, app: store.data.teamsApps[installation.teamsAppId] };
}

/** Who hears about installations (the Bot Connector sends the bot its installationUpdate). */
export class InstallationEvents {
  private readonly listeners: AppInstallationListener[] = [];

  on(listener: AppInstallationListener): void {
    this.listeners.push(listener);
  }

  /** Runs the listeners in order; the first failure is thrown to the installer, as Teams shows a failed install. */
  async emit(event: AppInstallationEvent): Promise<void> {
    for (const listener of this.listeners) await listener(event);
  }
}
